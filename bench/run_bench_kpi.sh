#!/usr/bin/env bash
# Benchmarks the monthly KPIs on a fresh database (no demo data).
# Usage: bash bench/run_bench_kpi.sh [--claims 300000] [--callbacks 1000000]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_kpi.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
