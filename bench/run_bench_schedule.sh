#!/usr/bin/env bash
# Benchmarks the first-callback scheduler on a fresh database (no demo data), in a real configuration.
# Usage: bash bench/run_bench_schedule.sh [--backlog 200000] [--batches 20] [--trace]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_schedule.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
