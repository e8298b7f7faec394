#!/usr/bin/env bash
# Times register_result (1 / 10 / 100 kB of feedback) and the first outcome of a fresh process.
# Usage: bash bench/run_bench_result.sh [--rounds 5] [--workers 3]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_result.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
