#!/usr/bin/env bash
# The agent's My Queue list (80 rows) against Odoo's Contacts list (80 rows), on a fresh database.
# Usage: bash bench/run_bench_queue_list.sh [--rounds 40]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_queue_list.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
