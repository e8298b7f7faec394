#!/usr/bin/env bash
# Benchmarks the fallback sender (SMS + e-mail with the questionnaire link) on a fresh database.
# Usage: bash bench/run_bench_fallback.sh [--n 10000] [--naive 1000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup
DB="${ICC_BENCH_DB:-${ICC_DB_PREFIX:-icc}_bench}"
dropdb --if-exists "$DB" >/dev/null
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i insurance_claim_callback --stop-after-init \
    --log-level=warn
exec "$PY" bench/bench_fallback.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
