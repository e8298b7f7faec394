"""Load and faults against two Odoo nodes behind HAProxy with a streaming replica (run by bench/cluster.sh).

    python bench/cluster.py --db DB --agents agents.json --work DIR --locustfile F --proxy URL --stats URL
        --replica-port P --backlog-cmd CMD --node NAME=PORT=COMMAND --node NAME=PORT=COMMAND [--smoke 1]

Starts the nodes (bench/faults.py's Bench: one per node, its own process group), then runs Locust through
the proxy with a few clients of bench/faults.py beside it (their acknowledged results are checked in SQL),
and in the middle of the run:
  - gives the scheduling cron a backlog and SIGKILLs the cron worker (either node) writing a batch;
  - SIGKILLs the first node (master and workers), then starts it again;
meanwhile it samples the replica lag (the time from each attempt's commit on the primary until a read on
the replica returns it; pg_stat_replication.replay_lag). Then prints `name: value` lines.
"""

import argparse
import csv
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from faults import Bench, out  # noqa: E402

# "POST /json/2/claim.callback/web_read HTTP/1.1" 200 - 12 0.010 0.020 ro
ACCESS = re.compile(r'"(?:GET|POST) ([^ ?"]+)[^"]*" (\d{3}) \S+ \d+ [\d.]+ [\d.]+ (ro->rw|ro|rw)\b')
JOB_START = re.compile(r"Job '([^']*)' \(\d+\) starting")
# haproxy httplog: ... backend/server Tq/Tw/Tc/Tr/Ta status bytes - - TERM actconn/feconn/beconn/srv_conn/retries
HAPROXY = re.compile(r" (\w+)/(\w+|<NOSRV>) [-\d]+/[-\d]+/[-\d]+/[-\d]+/[-\d]+ (-?\d+) \S+ \S+ \S+ (\S{4}) "
                     r"\d+/\d+/\d+/\d+/(\+?\d+) ")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None


def ms(seconds):
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


class ReplicaLag(threading.Thread):
    """Polls the replica every POLL s for new phone attempts (logged by agents); lag = when a read on the replica
    first returns one - its commit time on the primary (track_commit_timestamp)."""

    POLL = 0.02

    def __init__(self, db, replica_port, primary):
        super().__init__(daemon=True)
        self.replica = psycopg2.connect(dbname=db, host="127.0.0.1", port=replica_port)
        self.replica.autocommit = True
        self.primary = primary
        self.stop = threading.Event()
        self.lags, self.replay_lags, self.seen = [], [], set()

    def run(self):
        with self.replica.cursor() as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM claim_callback_attempt")
            top = cr.fetchone()[0]
            self.seen.update(range(top - 200, top + 1))  # there before the run
            polls = 0
            while not self.stop.is_set():
                # a window below the highest id seen: ids are taken before their transactions commit
                cr.execute("""SELECT id, extract(epoch FROM clock_timestamp() - pg_xact_commit_timestamp(xmin))
                              FROM claim_callback_attempt WHERE id > %s AND channel = 'phone'""", [top - 200])
                for attempt_id, lag in cr.fetchall():
                    if attempt_id not in self.seen and attempt_id > top - 200:
                        self.seen.add(attempt_id)
                        if lag is not None:
                            self.lags.append(float(lag))
                        top = max(top, attempt_id)
                polls += 1
                if polls % 50 == 0:
                    with self.primary.cursor() as pcr:
                        pcr.execute("SELECT extract(epoch FROM replay_lag) FROM pg_stat_replication")
                        self.replay_lags += [float(r[0]) for r in pcr.fetchall() if r[0] is not None]
                time.sleep(self.POLL)


class ReadYourWrite(threading.Thread):
    """An agent logs a phone attempt through the proxy (on the primary), then at once reads the callback's
    attempts through the proxy (web_read: on the primary, claim.callback.web_read not being read-only), again every
    POLL s until the attempt shows."""

    POLL = 0.02

    def __init__(self, front, agent):
        super().__init__(daemon=True)
        self.front, self.agent = front, agent
        self.stop = threading.Event()
        self.stale, self.fresh, self.waits, self.errors = 0, 0, [], Counter()

    def call(self, method, ids, **kwargs):
        headers = {"Authorization": f"bearer {self.agent['key']}", "X-Odoo-Database": self.front.opts.db}
        return requests.post(f"{self.front.url}/json/2/claim.callback/{method}", json={"ids": ids, **kwargs},
                             headers=headers, timeout=60)

    def run(self):
        spec = {"attempt_ids": {"fields": {"id": {}}}}
        while not self.stop.wait(2.5):  # apart: two attempts of a probe are no duplicate for the checks
            rows = self.front.sql("""SELECT id FROM claim_callback WHERE user_id = %s AND state IN
                                     ('scheduled', 'in_progress') ORDER BY random() LIMIT 1""", [self.agent["uid"]])
            if not rows:
                continue
            ids = [rows[0][0]]
            try:
                if not self.call("register_attempt", ids, channel="phone", outcome="busy").ok:
                    continue
                t0 = time.time()
                latest = self.front.one("SELECT max(id) FROM claim_callback_attempt WHERE callback_id = %s", ids)
                reads = 0
                while time.time() - t0 < 30:
                    r = self.call("web_read", ids, specification=spec)
                    reads += 1
                    if r.ok and latest in {a["id"] for a in r.json()[0]["attempt_ids"]}:
                        break
                    time.sleep(self.POLL)
                self.waits.append(time.time() - t0)
                if reads > 1:
                    self.stale += 1
                else:
                    self.fresh += 1
            except requests.RequestException as e:
                self.errors[type(e).__name__] += 1


class Cluster:
    def __init__(self, opts):
        self.opts = opts
        self.nodes = {}
        for spec in opts.node:
            name, port, command = spec.split("=", 2)
            log = Path(opts.work) / f"{name}.log"
            node_opts = SimpleNamespace(db=opts.db, port=port, log=str(log), agents=opts.agents)
            self.nodes[name] = Bench(node_opts, shlex.split(command))
        proxy_port = opts.proxy.rsplit(":", 1)[1]
        # the clients of bench/faults.py, through the proxy; its SQL checks read the nodes' logs joined
        self.front = Bench(SimpleNamespace(db=opts.db, port=proxy_port, log=str(Path(opts.work) / "nodes.log"),
                                           agents=opts.agents), [])
        self.events = []

    def event(self, what):
        self.events.append((time.time(), what))
        out("event", f"{time.strftime('%H:%M:%S')} {what}")

    def proxy_stats(self):
        text = requests.get(self.opts.stats, timeout=5).text.lstrip("# ")
        return list(csv.DictReader(io.StringIO(text)))

    def wait_up(self, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(r["status"] == "UP" for r in self.proxy_stats() if r["svname"] == name):
                return True
            time.sleep(0.5)
        return False

    def kill_cron_mid_batch(self, table="claim_callback", timeout=180):
        """SIGKILL the cron worker, of whichever node, whose open transaction writes `table`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for name, node in self.nodes.items():
                if not node.master:
                    continue
                pid, backend = node.writing_backend("WorkerCron", table, timeout=0.5)
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    self.event(f"SIGKILL of {name}'s cron worker {pid} (backend {backend}) mid-batch on {table}")
                    return name
        out("fault_cron_kill", f"no batch caught in {timeout} s")
        return None

    def kill_node(self, name, down_s):
        node = self.nodes[name]
        os.killpg(node.master, signal.SIGKILL)
        os.waitpid(node.master, 0)
        self.event(f"SIGKILL of {name} (master {node.master} and its workers)")
        node.master = None
        time.sleep(down_s)
        t0 = time.time()
        node.start()
        self.event(f"{name} restarted (master {node.master}), answers after {time.time() - t0:.1f} s")
        up = self.wait_up(name)
        self.event(f"{name} back in the proxy's rotation: {up}")


def run_locust(opts, out_prefix):
    env = dict(os.environ, LOAD_AGENTS=opts.agents, LOAD_USERS=opts.agents, LOAD_DB=opts.db, LOAD_OUT=f"{out_prefix}.json",
               LOAD_HOST=opts.proxy)
    command = [os.path.join(os.path.dirname(sys.executable), "locust"), "-f", opts.locustfile, "--headless",
               "--only-summary", "-u", str(opts.users), "-r", "5", "-t", f"{opts.duration}s", "--stop-timeout", "30",
               "--host", opts.proxy, "--csv", out_prefix]
    with open(f"{out_prefix}.txt", "w") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def report_locust(prefix):
    total = failures = 0
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                total, failures = int(row["Request Count"]), int(row["Failure Count"])
                out("requests", total)
                out("requests_p50_ms", row["50%"])
                out("requests_p95_ms", row["95%"])
            else:
                out(f"  {row['Name']}", f"{row['Request Count']} requests, {row['Failure Count']} errors, "
                                        f"p50 {row['50%']} ms, p95 {row['95%']} ms")
    out("errors", failures)
    with open(f"{prefix}_failures.csv") as f:
        for row in csv.DictReader(f):
            out("  error", f"{row['Occurrences']} × {row['Name']}: {row['Error'][:160]}")
    return total, failures


def report_haproxy(work, before, after, kills):
    """Retries/redispatches (requests failed over) and the 5xx the proxy answered, explained from its log."""
    def total(rows, field):
        return sum(int(r[field] or 0) for r in rows if r["svname"] not in ("FRONTEND", "BACKEND"))
    for field, label in (("wredis", "requests_failed_over_by_proxy"), ("wretr", "proxy_connection_retries")):
        out(label, total(after, field) - total(before, field))
    kinds = Counter()
    with open(Path(work) / "haproxy.log", errors="replace") as f:
        for line in f:
            m = HAPROXY.search(line)
            if not m or not m.group(3).startswith("5"):
                continue
            server, status, term, retries = m.group(2), m.group(3), m.group(4), m.group(5)
            kinds[(server, status, term[:2], retries.startswith("+"))] += 1
    explain = {"SH": "in flight on the node when it died (its answer never came; not retried: it may have "
                     "committed)",
               "SD": "the node died while sending its answer",
               "SC": "no node accepted the connection",
               "--": "the node answered 5xx itself"}
    for (server, status, term, redispatched), n in sorted(kinds.items()):
        why = explain.get(term, "see HAProxy's termination states") + ("; after a redispatch" if redispatched else "")
        out("  proxy_5xx", f"{n} × {status} from {server} ({term}: {why})")
    out("proxy_5xx_total", sum(kinds.values()))
    out("node_kills", ", ".join(kills))


def report_nodes(nodes_log, names):
    """Cursor mode of every request (ro = the replica), per route; readonly routes that wrote; cron jobs."""
    modes = defaultdict(Counter)
    retried, jobs = Counter(), defaultdict(Counter)
    for name in names:
        with open(nodes_log[name], errors="replace") as f:
            for line in f:
                if m := ACCESS.search(line):
                    modes[m.group(1)][m.group(3)] += 1
                elif "retrying with a read/write cursor" in line:
                    retried[line.split(": ", 1)[-1].split(", retrying")[0].strip()] += 1
                elif m := JOB_START.search(line):
                    jobs[name][m.group(1)] += 1
    on_replica = {path: c for path, c in modes.items() if c["ro"]}
    out("routes_on_replica", len(on_replica))
    for path, c in sorted(on_replica.items(), key=lambda kv: -kv[1]["ro"]):
        out("  replica", f"{path}: {c['ro']} on the replica, {c['rw']} on the primary, {c['ro->rw']} retried rw")
    out("routes_on_primary_only", ", ".join(sorted(p for p, c in modes.items() if not c["ro"])) or "none")
    out("readonly_requests_that_wrote", sum(retried.values()))
    for what, n in retried.most_common(8):
        out("  wrote_on_replica", f"{n} × {what[:200]}")
    for name in names:
        addon = sum(n for job, n in jobs[name].items() if job.startswith("Claim callbacks"))
        out(f"cron_jobs_started_{name}", f"{sum(jobs[name].values())} ({addon} of the addon's crons)")


def main():
    p = argparse.ArgumentParser()
    for name in ("--db", "--agents", "--work", "--locustfile", "--proxy", "--stats", "--backlog-cmd"):
        p.add_argument(name, required=True)
    p.add_argument("--replica-port", type=int, required=True)
    p.add_argument("--node", action="append", required=True, help="NAME=PORT=COMMAND")
    p.add_argument("--users", type=int, default=40)
    p.add_argument("--duration", type=int, default=240)
    p.add_argument("--backlog", type=int, default=6000)
    p.add_argument("--smoke", type=int, default=0)
    opts = p.parse_args()
    c = Cluster(opts)
    front = c.front
    names = list(c.nodes)
    lag = None
    try:
        front.due()  # no cron while the nodes start
        for name, node in c.nodes.items():
            node.start()
            out(f"{name}", f"master {node.master}, HTTP workers {node.workers('WorkerHTTP')}, "
                           f"cron worker {node.workers('WorkerCron')}")
        out("nodes_in_proxy_rotation", all(c.wait_up(n) for n in names))
        stats_before = c.proxy_stats()
        lag = ReplicaLag(opts.db, opts.replica_port, front.db)
        lag.start()
        print(f"loadavg_before: {open('/proc/loadavg').read().split(' ', 3)[:3]}", flush=True)
        prefix = str(Path(opts.work) / "locust")
        locust = run_locust(opts, prefix)
        time.sleep(5)
        if locust.poll() is not None:
            raise SystemExit(f"Locust stopped at once: see {prefix}.txt")
        agents = [a for a in json.loads(Path(opts.agents).read_text()) if a.get("role", "agent") == "agent"]
        clients = [threading.Thread(target=front.client, args=(a,), daemon=True) for a in agents[:4]]
        for t in clients:
            t.start()
        probes = [ReadYourWrite(front, a) for a in agents[4:7]]
        for t in probes:
            t.start()
        t0 = time.time()
        time.sleep(opts.duration * 0.15)
        # the scheduling cron gets a backlog; its worker (on whichever node takes the job) dies mid-batch
        subprocess.run(["bash", "-c", opts.backlog_cmd.format(n=opts.backlog)], check=True,
                       stdout=subprocess.DEVNULL)
        c.event(f"{opts.backlog} closed claims waiting for their first callback")
        front.due("schedule", "sla", "fallback")
        c.kill_cron_mid_batch()
        time.sleep(max(0.0, t0 + opts.duration * 0.45 - time.time()))
        kills = [names[0]]
        c.kill_node(names[0], down_s=5 if opts.smoke else 15)
        if not opts.smoke:  # the other node too, later: both nodes' users move over
            time.sleep(max(0.0, t0 + opts.duration * 0.7 - time.time()))
            kills.append(names[1])
            c.kill_node(names[1], down_s=10)
        locust.wait()
        print(f"loadavg_after: {open('/proc/loadavg').read().split(' ', 3)[:3]}", flush=True)
        front.stop_clients.set()
        for t in probes:
            t.stop.set()
        for t in clients + probes:
            t.join(timeout=90)
        waiting = """SELECT count(*) FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                     WHERE t.is_claim AND t.callback_status = 'none' AND s.closed AND t.partner_id IS NOT NULL
                     AND t.closed_date IS NOT NULL"""
        front.wait_done("claims_waiting_first_callback", waiting, 120 if opts.smoke else 600)
        lag.stop.set()
        lag.join(timeout=5)

        out("-- load through the proxy", opts.locustfile)
        report_locust(prefix)
        report_haproxy(opts.work, stats_before, c.proxy_stats(), kills)
        logs = {n: c.nodes[n].opts.log for n in names}
        with open(front.opts.log, "w") as joined:
            for n in names:
                joined.write(Path(logs[n]).read_text(errors="replace"))
        out("-- exactly once (SQL on the primary)", "")
        front.checks()
        out("duplicate_activities", front.one(
            """SELECT count(*) FROM (SELECT 1 FROM mail_activity WHERE res_model = 'claim.callback'
               GROUP BY res_id, activity_type_id, user_id, summary HAVING count(*) > 1) x"""))
        out("duplicate_attempts_within_2s", front.one(
            """SELECT count(*) FROM claim_callback_attempt a JOIN claim_callback_attempt b
               ON b.callback_id = a.callback_id AND b.id > a.id AND b.channel = a.channel
               AND b.outcome = a.outcome AND b.create_uid = a.create_uid
               AND b.create_date - a.create_date < interval '2 seconds'"""))
        out("duplicate_chatter_messages_within_2s", front.one(
            """SELECT count(*) FROM mail_message a JOIN mail_message b
               ON b.model = a.model AND b.res_id = a.res_id AND b.id > a.id AND b.body = a.body
               AND b.message_type = a.message_type AND b.author_id IS NOT DISTINCT FROM a.author_id
               AND b.date - a.date < interval '2 seconds'
               WHERE a.model = 'claim.callback' AND a.body IS NOT NULL AND a.body != ''"""))
        out("-- where it ran", "")
        report_nodes(logs, names)
        out("-- replica lag", "")
        out("attempts_seen_on_replica", len(lag.lags))
        out("replica_lag_commit_to_visible_p50", ms(percentile(lag.lags, 50)))
        out("replica_lag_commit_to_visible_p95", ms(percentile(lag.lags, 95)))
        out("replica_lag_commit_to_visible_max", ms(max(lag.lags, default=None)))
        out("replica_lag_poll_interval", ms(ReplicaLag.POLL))
        out("replica_replay_lag_p95_pg_stat_replication", ms(percentile(lag.replay_lags, 95)))
        out("replica_replay_lag_max_pg_stat_replication", ms(max(lag.replay_lags, default=None)))
        out("agent_reads_after_logging_an_attempt", f"{sum(p.fresh + p.stale for p in probes)} (an attempt logged "
            "through the proxy, then the callback's attempts read through it at once: web_read, which reads on the primary)")
        out("agent_reads_that_missed_the_new_attempt", sum(p.stale for p in probes))
        waits = [w for p in probes for w in p.waits]
        out("agent_wait_until_the_attempt_shows_p50", ms(percentile(waits, 50)))
        out("agent_wait_until_the_attempt_shows_p95", ms(percentile(waits, 95)))
        out("agent_wait_until_the_attempt_shows_max", ms(max(waits, default=None)))
        with lag.replica.cursor() as cr:
            cr.execute("SELECT pg_is_in_recovery(), now() - pg_last_xact_replay_timestamp()")
            standby, since = cr.fetchone()
        out("replica_in_recovery", standby)
        out("replica_last_replay_age_at_end", since)
    finally:
        if lag:
            lag.stop.set()
        front.stop_clients.set()
        for node in c.nodes.values():
            node.stop()


if __name__ == "__main__":
    main()
