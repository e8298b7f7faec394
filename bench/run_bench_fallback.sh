#!/usr/bin/env bash
# Benchmarks the fallback sender (SMS + e-mail with the questionnaire link) on a fresh database.
# Usage: bash bench/run_bench_fallback.sh [--n 10000] [--naive 1000]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_fallback.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
