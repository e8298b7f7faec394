#!/usr/bin/env bash
# Benchmarks the monthly KPIs on a fresh database (no demo data).
# Usage: bash bench/run_bench_kpi.sh [--claims 300000] [--callbacks 1000000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup
DB="${ICC_BENCH_DB:-${ICC_DB_PREFIX:-icc}_bench}"
dropdb --if-exists "$DB" >/dev/null
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i insurance_claim_callback --stop-after-init \
    --log-level=warn
exec "$PY" bench/bench_kpi.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
