#!/usr/bin/env bash
# 50 callback agents against Odoo --workers=4 --max-cron-threads=1, cold then warm (bench/locustfile.py).
# Usage: bash bench/load.sh [--users 50] [--duration 180] [--callbacks 10000] [--keep-db]
#        bash bench/load.sh --scenario web [--users 200] [--supervisors 20] [--managers 5] [--history 20000]
#                           [--think-scale 1] [--spawn-rate 10] [--duration 180] [--callbacks 20000] [--keep-db]
#                           [--warmup 30]
#   The default scenario sends JSON-2 service calls (bench/locustfile.py, API keys); `--scenario web` sends
#   what the web client sends (bench/locustfile_web.py: /web/login, views, chatter, dialogs, pivot, PDF) for
#   --users agents plus supervisors and managers, with their Odoo Contacts and Helpdesk baseline.
#   Builds ${ICC_DB_PREFIX:-icc}_load afresh (addon, no demo; bench/load_setup.py), starts the server on
#   127.0.0.1:${ICC_HTTP_PORT:-8069} in its own process group, and right after it answers runs Locust
#   headless for --duration s (cold); then adds a backlog of closed claims for the crons and runs again
#   without restarting (warm). The web scenario first logs everyone in at --spawn-rate (an integer) a second
#   (`login`: the start of the shift), then restarts the server, keeping the sessions, before the cold run;
#   with --warmup S (default 30; 0: none) it first runs cold on the restarted node as it is (`cold_unwarmed`), then
#   restarts it again and warms it up for S s (12 users read every screen, write nothing: bench/locustfile_web.py
#   LOAD_WARMUP) before the cold run, as a deploy does before the node takes traffic. Before each run it prints the load average and, above LOAD_MAX_LOADAVG (4),
#   waits up to LOAD_WAIT_S (600) s for it to drop (the cold run waits before the server starts).
#   Logs and Locust's output: .local/load/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_bench_db.sh"
USERS=50 DURATION=180 CALLBACKS=10000 KEEP=0 SCENARIO=service SUPERVISORS=20 MANAGERS=5 HISTORY=20000 THINK=1 RATE=10
WARMUP_S=30
while [ $# -gt 0 ]; do
    case "$1" in
        --scenario) SCENARIO="$2"; shift 2 ;;
        --supervisors) SUPERVISORS="$2"; shift 2 ;;
        --managers) MANAGERS="$2"; shift 2 ;;
        --history) HISTORY="$2"; shift 2 ;;
        --think-scale) THINK="$2"; shift 2 ;;
        --spawn-rate) RATE="$2"; shift 2 ;;
        --warmup) WARMUP_S="$2"; shift 2 ;;
        --users) USERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --callbacks) CALLBACKS="$2"; shift 2 ;;
        --keep-db) KEEP=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
LOCUSTFILE=bench/locustfile.py SPAWNED=$USERS SETUP_WEB=()
case "$SCENARIO" in
    service) ;;
    web) LOCUSTFILE=bench/locustfile_web.py SPAWNED=$((USERS + SUPERVISORS + MANAGERS))
         SETUP_WEB=(--password load-bench --supervisors "$SUPERVISORS" --managers "$MANAGERS" --history "$HISTORY"
                    --teams $(( (USERS + 19) / 20 ))) ;;
    *) echo "unknown scenario $SCENARIO (service, web)" >&2; exit 2 ;;
esac
DB="${ICC_LOAD_DB:-${ICC_DB_PREFIX:-icc}_load}"
PORT="${ICC_HTTP_PORT:-8069}"
URL="http://127.0.0.1:$PORT"
WORK="$ICC_ROOT/.local/load"
LOG="$WORK/server.log"
mkdir -p "$WORK"
say() { printf '[load] %s\n' "$*" >&2; }

if [ "$KEEP" = 0 ] || ! psql -XAtqd "$DB" -c "SELECT 1" >/dev/null 2>&1; then
    say "building $DB: the addon, then $CALLBACKS callbacks over $USERS agents"
    bench_db
    "$PY" bench/load_setup.py --db "$DB" --out "$WORK/agents.json" --agents "$USERS" --callbacks "$CALLBACKS" \
        --unassigned $((CALLBACKS / 5)) "${SETUP_WEB[@]}" -- "${ODOO_ARGS[@]}"
fi

calm() {  # print the load average; wait (at most LOAD_WAIT_S) while it is above LOAD_MAX_LOADAVG
    local max="${LOAD_MAX_LOADAVG:-4}" deadline=$((SECONDS + ${LOAD_WAIT_S:-600})) waited=0
    echo "loadavg_before_$1: $(cut -d' ' -f1-3 /proc/loadavg)"
    while awk -v m="$max" '{exit !($1 > m)}' /proc/loadavg && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 15; waited=$((waited + 15))
    done
    if [ "$waited" -gt 0 ]; then
        echo "loadavg_waited_s_$1: $waited (now $(cut -d' ' -f1-3 /proc/loadavg); limit $max)"
    fi
}

calm cold
: > "$LOG"
rm -f "$WORK/sessions.json"
master=
start_server() {
    setsid "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --workers=4 --max-cron-threads=1 \
        --http-port="$PORT" --gevent-port=$((PORT + 1)) --logfile="$LOG" --log-level=info &
    master=$!
    local started=$SECONDS
    until curl -sf -o /dev/null --max-time 2 "$URL/web/health"; do
        kill -0 "$master" 2>/dev/null || { say "the server died: $LOG"; tail -20 "$LOG" >&2; exit 1; }
        [ $((SECONDS - started)) -lt 120 ] || { say "no answer from $URL in 120 s"; exit 1; }
        sleep 0.2
    done
    echo "server_answers_after_s: $((SECONDS - started))"
}
stop_server() {
    [ -n "$master" ] || return 0
    kill -TERM "$master" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- -"$master" 2>/dev/null || true
}
trap stop_server EXIT
start_server

run() {  # run NAME [DURATION_S]: one Locust run, then its figures
    local name="$1" duration="${2:-$DURATION}" offset started_at
    offset=$(stat -c %s "$LOG") started_at=$(date +%s)
    "$PY" bench/load_report.py snap "$master" "$DB" > "$WORK/$name.before.json"
    LOAD_AGENTS="$WORK/agents.json" LOAD_USERS="$WORK/agents.json" LOAD_DB="$DB" LOAD_OUT="$WORK/$name.locust.json" \
        LOAD_SUPERVISORS="$SUPERVISORS" LOAD_MANAGERS="$MANAGERS" LOAD_THINK_SCALE="$THINK" \
        LOAD_SESSIONS="$WORK/sessions.json" LOAD_LOGIN_ONLY="${LOGIN_ONLY:-0}" /usr/bin/time -f "%U %S" -o "$WORK/$name.locust.cpu" \
        "$VENV/bin/locust" -f "$LOCUSTFILE" --headless --only-summary -u "$SPAWNED" -r "$RATE" -t "${duration}s" \
        --stop-timeout 30 --host "$URL" > "$WORK/$name.locust.txt" 2>&1 || true
    "$PY" bench/load_report.py snap "$master" "$DB" > "$WORK/$name.after.json"
    "$PY" bench/load_report.py report "$name" "$WORK/$name.before.json" "$WORK/$name.after.json" \
        "$WORK/$name.locust.json" "$LOG" "$master" "$offset"
    echo "${name}_locust_cpu_pct: $(awk -v w="$(($(date +%s) - started_at))" '{c = $1 + $2} END {printf "%.0f", 100 * c / w}' \
        "$WORK/$name.locust.cpu") (the load generator, on the same machine)"
    echo "loadavg_after_$name: $(cut -d' ' -f1-3 /proc/loadavg)"
    psql -XAtqd "$DB" -c "SELECT 'crons_run_so_far: ' || string_agg(c.cron_name || '=' || n, ', ')
        FROM (SELECT cron_id, count(*) n FROM ir_cron_progress GROUP BY cron_id) p JOIN ir_cron c ON c.id = p.cron_id
        WHERE c.cron_name::text LIKE 'Claim callbacks%'" || true
}

warmup() {  # what a deploy does before the node takes traffic: every screen read by a few users, nothing written
    local started=$SECONDS
    LOAD_AGENTS="$WORK/agents.json" LOAD_USERS="$WORK/agents.json" LOAD_DB="$DB" LOAD_WARMUP=1 LOAD_THINK_SCALE=0 \
        LOAD_SUPERVISORS=4 LOAD_MANAGERS=2 LOAD_BASELINE_SHARE=1 LOAD_SESSIONS="$WORK/sessions.json" \
        "$VENV/bin/locust" -f "$LOCUSTFILE" --headless --only-summary -u 12 -r 12 -t "${WARMUP_S}s" --stop-timeout 30 \
        --host "$URL" > "$WORK/warmup.locust.txt" 2>&1 || true
    echo "warmup_s: $((SECONDS - started)) (12 users, every screen, nothing written)"
    awk '/Aggregated/ {print "warmup_requests: " $2 "; warmup_failures: " $3; exit}' "$WORK/warmup.locust.txt"
}

if [ "$SCENARIO" = web ]; then
    # The start of the shift, measured on its own: everyone logs in (PBKDF2, ~0.5 s of CPU each), then the
    # server restarts (a deploy: caches empty, the sessions kept in its data_dir) and the cold run begins.
    LOGIN_ONLY=1 run login $((SPAWNED / RATE + 30))
    stop_server
    start_server
    if [ "$WARMUP_S" -gt 0 ]; then
        # first the users on the restarted node as it is, then the deploy as it should be: restart, warm up, traffic
        run cold_unwarmed
        stop_server
        start_server
        warmup
    fi
fi
run cold
"$PY" bench/load_setup.py --db "$DB" --only-backlog --backlog 1000 -- "${ODOO_ARGS[@]}" >/dev/null
calm warm
run warm
psql -XAtqd "$DB" -c "SELECT 'callbacks_by_state: ' || string_agg(state || '=' || n, ', ') FROM
    (SELECT state, count(*) n FROM claim_callback GROUP BY state ORDER BY state) s"
echo "date: $(date -u +%FT%TZ)"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
