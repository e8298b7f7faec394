#!/usr/bin/env bash
# Benchmarks the SLA cron and deadline computation on a fresh database (no demo data).
# OCA helpdesk_mgmt_sla is installed beside the addon when it is importable, for the comparison.
# Usage: bash bench/run_bench_sla.sh [--sizes 10000,100000] [--deadlines 2000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup
DB="${ICC_BENCH_DB:-${ICC_DB_PREFIX:-icc}_bench}"
MODULES=insurance_claim_callback
"$PY" -c "import odoo.addons.helpdesk_mgmt_sla" 2>/dev/null && MODULES="$MODULES,helpdesk_mgmt_sla"
dropdb --if-exists "$DB" >/dev/null
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i "$MODULES" --stop-after-init --log-level=warn
exec "$PY" bench/bench_sla.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
