#!/usr/bin/env bash
# Benchmarks the SLA cron and deadline computation on a fresh database (no demo data).
# OCA helpdesk_mgmt_sla is installed beside the addon when it is importable, for the comparison.
# Usage: bash bench/run_bench_sla.sh [--sizes 10000,100000] [--deadlines 2000] [--keep]
# --keep: the database is kept when it exists (and its callbacks reused, see bench_sla.py --keep).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
MODULES=insurance_claim_callback
"$PY" -c "import odoo.addons.helpdesk_mgmt_sla" 2>/dev/null && MODULES="$MODULES,helpdesk_mgmt_sla"
if [[ " $* " == *" --keep "* ]] && psql -d "$DB" -c "" >/dev/null 2>&1; then
    echo "keeping the database $DB"
else
    bench_db "$MODULES"
fi
exec "$PY" bench/bench_sla.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
