#!/usr/bin/env bash
# Benchmarks the hourly risk check on a fresh database (no demo data).
# Usage: bash bench/run_bench_risk_check.sh [--sizes 10000,100000] [--sample 3000]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_risk_check.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
