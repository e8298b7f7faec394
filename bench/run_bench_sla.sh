#!/usr/bin/env bash
# Benchmarks the SLA cron and deadline computation on a fresh database (no demo data).
# OCA helpdesk_mgmt_sla is installed beside the addon when it is importable, for the comparison.
# Usage: bash bench/run_bench_sla.sh [--sizes 10000,100000] [--deadlines 2000]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
MODULES=insurance_claim_callback
"$PY" -c "import odoo.addons.helpdesk_mgmt_sla" 2>/dev/null && MODULES="$MODULES,helpdesk_mgmt_sla"
bench_db "$MODULES"
exec "$PY" bench/bench_sla.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
