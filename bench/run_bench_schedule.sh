#!/usr/bin/env bash
# Benchmarks the first-callback scheduler on a fresh database (no demo data).
# Usage: bash bench/run_bench_schedule.sh [--sizes 1000,10000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup
DB="${ICC_BENCH_DB:-icc_bench}"
dropdb --if-exists "$DB" >/dev/null
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i insurance_claim_callback --stop-after-init \
    --log-level=warn
exec "$PY" bench/bench_schedule.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
