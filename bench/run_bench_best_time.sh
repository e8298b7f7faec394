#!/usr/bin/env bash
# Benchmarks the best time to call: fixed retry interval against the learned hour, on a fresh database.
# Usage: bash bench/run_bench_best_time.sh [--n 600] [--rounds 3] [--seed 2]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_best_time.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
