#!/usr/bin/env bash
# Faults against the crons and the service methods of a prefork server (bench/faults.py says which).
# Usage: bash bench/faults.sh [--backlog 20000] [--keep-db]
#   Builds ${ICC_DB_PREFIX:-icc}_faults afresh (addon, no demo; 2,000 callbacks over 50 agents, BACKLOG closed
#   claims waiting for their first callback), serves it with --workers=4 --max-cron-threads=1 on
#   127.0.0.1:${ICC_HTTP_PORT:-8069} in its own process group, kills and restarts things in the middle of
#   batches, then prints the SQL checks. FAULTS_FALLBACK (4000): callbacks whose fallback is due.
#   Log: .local/faults/server.log.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
BACKLOG=20000 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --backlog) BACKLOG="$2"; shift 2 ;;
        --keep-db) KEEP=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
DB="${ICC_FAULTS_DB:-${ICC_DB_PREFIX:-icc}_faults}"
PORT="${ICC_HTTP_PORT:-8069}"
WORK="$ICC_ROOT/.local/faults"
LOG="$WORK/server.log"
mkdir -p "$WORK"
if [ "$KEEP" = 0 ] || ! psql -XAtqd "$DB" -c "SELECT 1" >/dev/null 2>&1; then
    printf '[faults] building %s: 2,000 callbacks, %s claims waiting\n' "$DB" "$BACKLOG" >&2
    bench_db
    "$PY" bench/load_setup.py --db "$DB" --out "$WORK/agents.json" --callbacks 2000 --unassigned 0 --fallback 0 \
        --backlog "$BACKLOG" -- "${ODOO_ARGS[@]}"
fi
backlog_cmd="$(printf '%q ' "$PY" bench/load_setup.py --db "$DB" --only-backlog --backlog) {n} -- $(printf '%q ' "${ODOO_ARGS[@]}")"
: > "$LOG"
echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" bench/faults.py --db "$DB" --agents "$WORK/agents.json" --port "$PORT" --log "$LOG" --backlog-cmd "$backlog_cmd" -- \
    "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --workers=4 --max-cron-threads=1 \
    --http-port="$PORT" --gevent-port=$((PORT + 1)) --logfile="$LOG" --log-level=info
echo "date: $(date -u +%FT%TZ)"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
