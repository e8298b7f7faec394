#!/usr/bin/env bash
# Benchmarks the reward ledger (balances, expiry cron) on a fresh database (no demo data).
# Usage: bash bench/run_bench_reward.sh [--partners 100000] [--per-partner 10] [--batch 1000] [--rounds 7]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
bench_db
exec "$PY" bench/bench_reward.py --db "$DB" "$@" -- "${ODOO_ARGS[@]}"
