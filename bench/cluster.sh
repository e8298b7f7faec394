#!/usr/bin/env bash
# Two Odoo nodes and a streaming replica on this machine, behind HAProxy, under load, with faults.
# Usage: bash bench/cluster.sh [--smoke] [--locustfile bench/locustfile.py] [--users 40] [--duration 240]
#            [--callbacks 4000] [--backlog 6000] [--pg-port 54351] [--http-port 18151]
#            [--supervisors 4] [--managers 2] [--history 4000] [--think-scale 1]   (bench/locustfile_web.py only)
#            [--sync-replica]
#
#   PostgreSQL 15 primary (--pg-port) and a hot-standby replica streaming from it (--pg-port + 1, built by
#   pg_basebackup -R), both under .local/cluster/, owned by an unprivileged user as tools/setup does;
#   database ${ICC_DB_PREFIX:-icc}_cluster built afresh (addon, no demo; bench/load_setup.py).
#   Odoo node A on --http-port (gevent +1) and node B on --http-port + 2 (gevent +3): --workers=2
#   --max-cron-threads=1 each (both run crons), one --data-dir (filestore and HTTP sessions shared),
#   db_replica_host/port on the replica. HAProxy (Debian package, installed when missing and we are root)
#   on --http-port + 4, its statistics on --http-port + 5.
#   bench/cluster.py then runs Locust (--locustfile) through the proxy, kills node A (SIGKILL of its master
#   and workers) and restarts it, kills a cron worker in the middle of a batch (bench/faults.py), and prints
#   the checks and figures as `name: value` lines. --smoke: small data, short load, one kill (≤ 3 minutes).
#   --sync-replica: the replica is a synchronous standby and commits wait until it has applied them
#   (synchronous_commit = remote_apply): an agent's next read, on the replica, sees what they just logged.
#   Logs: .local/cluster/ (node_a.log, node_b.log, haproxy.log, primary/server.log, replica/server.log).
set -euo pipefail
SMOKE=0 LOCUSTFILE=bench/locustfile.py USERS=40 DURATION=240 CALLBACKS=4000 BACKLOG=6000
SUPERVISORS=4 MANAGERS=2 HISTORY=4000 THINK=1 SYNC_REPLICA=0
PG_PORT="${ICC_CLUSTER_PG_PORT:-54351}" HTTP_PORT="${ICC_CLUSTER_HTTP_PORT:-18151}"
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1; USERS=8 DURATION=45 CALLBACKS=400 BACKLOG=1500 SUPERVISORS=2 MANAGERS=1 HISTORY=300
                 THINK=0.2; shift ;;
        --locustfile) LOCUSTFILE="$2"; shift 2 ;;
        --users) USERS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --callbacks) CALLBACKS="$2"; shift 2 ;;
        --backlog) BACKLOG="$2"; shift 2 ;;
        --supervisors) SUPERVISORS="$2"; shift 2 ;;
        --managers) MANAGERS="$2"; shift 2 ;;
        --history) HISTORY="$2"; shift 2 ;;
        --think-scale) THINK="$2"; shift 2 ;;
        --sync-replica) SYNC_REPLICA=1; shift ;;
        --pg-port) PG_PORT="$2"; shift 2 ;;
        --http-port) HTTP_PORT="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
WORK="$ROOT/.local/cluster"
REPLICA_PORT=$((PG_PORT + 1)) PROXY_PORT=$((HTTP_PORT + 4)) STATS_PORT=$((HTTP_PORT + 5))
csay() { printf '[cluster] %s\n' "$*" >&2; }
cdie() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
[ -f "$LOCUSTFILE" ] || cdie "no locustfile $LOCUSTFILE"
# bench/locustfile_web.py (the web client: sessions of agents, supervisors and managers) needs their passwords
SETUP_WEB=() SPAWNED=$USERS
case "$LOCUSTFILE" in
    *locustfile_web.py)
        SETUP_WEB=(--password load-bench --supervisors "$SUPERVISORS" --managers "$MANAGERS" --history "$HISTORY"
                   --teams $(( (USERS + 19) / 20 )))
        SPAWNED=$((USERS + SUPERVISORS + MANAGERS)) ;;
esac

if ! command -v haproxy >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        csay "installing HAProxy (Debian package haproxy)"
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
    else
        cdie "HAProxy is missing: install the Debian package haproxy (apt-get install -y haproxy)"
    fi
fi

# PostgreSQL, as tools/setup runs it: an unprivileged owner when we are root (PostgreSQL refuses root).
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PG_BIN/pg_basebackup" ] || cdie "PostgreSQL server binaries not found: install postgresql"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    id iccpg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin iccpg
    as_pg=(runuser -u iccpg --)
fi
pg_stop() { [ -f "$1/postmaster.pid" ] && "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$1" -m fast stop >/dev/null 2>&1 || true; }
pg_stop "$WORK/replica"
pg_stop "$WORK/primary"
rm -rf "$WORK"
mkdir -p "$WORK/primary" "$WORK/replica" "$WORK/data"
if [ ${#as_pg[@]} -gt 0 ]; then
    chown iccpg "$WORK/primary" "$WORK/replica"
    d="$WORK"; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
fi
csay "PostgreSQL primary on 127.0.0.1:$PG_PORT ($WORK/primary)"
"${as_pg[@]}" "$PG_BIN/initdb" -D "$WORK/primary" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync and synchronous_commit off as in tools/setup (a shared disk); see README "Deployment at scale" for real hosts.
# track_commit_timestamp: the replica lag is measured from each attempt's commit time.
cat >> "$WORK/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
shared_buffers = 256MB
max_connections = 200
wal_level = replica
max_wal_senders = 5
track_commit_timestamp = on
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
logging_collector = off
CONF
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/primary" -o "-p $PG_PORT" -l "$WORK/primary/server.log" -w start >/dev/null \
    || cdie "the primary did not start: $WORK/primary/server.log"
cleanup() {
    [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
    pg_stop "$WORK/replica"
    pg_stop "$WORK/primary"
}
trap cleanup EXIT

# tools/setup on the primary (PG* given: it starts no cluster of its own)
export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=odoo
unset ICC_HTTP_PORT
. tools/setup
DB="${ICC_DB_PREFIX:-icc}_cluster"
csay "building $DB: the addon, then $CALLBACKS callbacks over $USERS agents, $BACKLOG claims waiting"
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" -i insurance_claim_callback --stop-after-init --log-level=warn \
    --data-dir="$WORK/data"
"$PY" bench/load_setup.py --db "$DB" --out "$WORK/agents.json" --agents "$USERS" --callbacks "$CALLBACKS" \
    --unassigned $((CALLBACKS / 5)) --backlog 0 "${SETUP_WEB[@]}" -- "${ODOO_ARGS[@]}" --data-dir="$WORK/data" >/dev/null

csay "replica on 127.0.0.1:$REPLICA_PORT: pg_basebackup -R of the primary"
"${as_pg[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U odoo -D "$WORK/replica" -R -X stream -c fast
chmod 700 "$WORK/replica"
if [ "$SYNC_REPLICA" = 1 ]; then
    # set after the build: the replica did not exist yet, and commits would have waited for it forever
    printf "synchronous_standby_names = '*'\nsynchronous_commit = remote_apply\n" >> "$WORK/primary/postgresql.conf"
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/primary" reload >/dev/null
fi
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$WORK/replica" -o "-p $REPLICA_PORT" -l "$WORK/replica/server.log" -w start \
    >/dev/null || cdie "the replica did not start: $WORK/replica/server.log"

# HAProxy: no stickiness (sessions live in the shared data_dir, so any node serves any user, and a dead
# node's users move at once); a request is retried elsewhere only when the connection failed (it never
# reached Odoo): retrying one that a dying node may have committed would log an attempt twice.
cat > "$WORK/haproxy.cfg" <<CFG
global
    maxconn 2000
    log stdout format raw local0 info
defaults
    log global
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout tunnel 1h
    # a busy node answers its health check late (the check waits for a free worker, as requests do): a dead
    # node refuses the connection at once, so a long check timeout does not slow its detection
    timeout check 10s
    retries 3
    option redispatch 1
    retry-on conn-failure
    option httplog
frontend odoo
    bind 127.0.0.1:$PROXY_PORT
    acl is_websocket path_beg /websocket
    use_backend odoo_websocket if is_websocket
    default_backend odoo_http
backend odoo_http
    balance leastconn
    option httpchk
    http-check send meth GET uri /web/health ver HTTP/1.1 hdr Host odoo
    http-check expect status 200
    # at most workers + 1 requests on a node: the others wait here (timeout queue), not in the node's listen
    # backlog (8 × workers), which a login burst filled: the health checks' connects timed out, both nodes
    # were taken out of the rotation and every request got a 503
    timeout queue 60s
    default-server check inter 1s fall 2 rise 2 maxconn 3
    server node_a 127.0.0.1:$HTTP_PORT
    server node_b 127.0.0.1:$((HTTP_PORT + 2))
backend odoo_websocket
    balance leastconn
    option httpchk
    http-check send meth GET uri /web/health ver HTTP/1.1 hdr Host odoo
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
    server node_a 127.0.0.1:$((HTTP_PORT + 1))
    server node_b 127.0.0.1:$((HTTP_PORT + 3))
listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /stats
CFG
haproxy -c -q -f "$WORK/haproxy.cfg" || cdie "bad HAProxy configuration $WORK/haproxy.cfg"
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
echo $! > "$WORK/haproxy.pid"

node_cmd() {  # node_cmd PORT LOG: an Odoo node's command line
    printf '%q ' "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --workers=2 --max-cron-threads=1 \
        --http-port="$1" --gevent-port=$(($1 + 1)) --data-dir="$WORK/data" --proxy-mode \
        --db_replica_host=127.0.0.1 --db_replica_port="$REPLICA_PORT" --logfile="$2" --log-level=info
}
backlog_cmd="$(printf '%q ' "$PY" bench/load_setup.py --db "$DB" --only-backlog --backlog) {n} -- $(printf '%q ' "${ODOO_ARGS[@]}")"
echo "setup: primary 127.0.0.1:$PG_PORT, replica 127.0.0.1:$REPLICA_PORT (streaming, hot standby," \
    "$([ "$SYNC_REPLICA" = 1 ] && echo "synchronous, remote_apply" || echo asynchronous))," \
    "node_a :$HTTP_PORT, node_b :$((HTTP_PORT + 2)), haproxy :$PROXY_PORT (stats :$STATS_PORT/stats), $DB"
LOAD_SUPERVISORS="$SUPERVISORS" LOAD_MANAGERS="$MANAGERS" LOAD_THINK_SCALE="$THINK" \
"$PY" bench/cluster.py --db "$DB" --agents "$WORK/agents.json" --work "$WORK" --smoke "$SMOKE" \
    --locustfile "$LOCUSTFILE" --users "$SPAWNED" --duration "$DURATION" --backlog "$BACKLOG" \
    --proxy "http://127.0.0.1:$PROXY_PORT" --stats "http://127.0.0.1:$STATS_PORT/stats;csv" \
    --replica-port "$REPLICA_PORT" --backlog-cmd "$backlog_cmd" \
    --node "node_a=$HTTP_PORT=$(node_cmd "$HTTP_PORT" "$WORK/node_a.log")" \
    --node "node_b=$((HTTP_PORT + 2))=$(node_cmd $((HTTP_PORT + 2)) "$WORK/node_b.log")"
echo "date: $(date -u +%FT%TZ)"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}'), $(haproxy -v | head -1 | awk '{print $1, $3}')"
