#!/usr/bin/env bash
# Benchmarks the monthly agent appraisal on a fresh database (no demo data).
# Usage: bash bench/run_bench_agent_month.sh [--agents 500] [--callbacks 1000000] [--sample 20]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_agent_month.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
