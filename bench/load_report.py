"""What bench/load.sh measures outside Locust, from /proc and the server log.

load_report.py snap MASTER_PID DB            JSON on stdout: CPU ticks of the Odoo server (the master,
                                             its reaped children, its live workers) and of the
                                             database's PostgreSQL backends
load_report.py report RUN BEFORE AFTER LOCUST_JSON SERVER_LOG MASTER_PID [LOG_OFFSET]
                                             the `name: value` lines of one run
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(utime + stime, cutime + cstime) in ticks; None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def children(master):
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def pg_backends(db):
    sql = f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'"
    out = subprocess.run(["psql", "-XAtqd", "postgres", "-c", sql], capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def snap(master, db):
    own, reaped = stat(master)
    workers = {pid: stat(pid)[0] for pid in children(master) if stat(pid)}
    backends = {pid: stat(pid)[0] for pid in pg_backends(db) if stat(pid)}
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
    return {"t": time.monotonic(), "odoo": own + reaped + sum(workers.values()), "pg": backends, "machine": busy}


def rss_mb(pid, field="VmRSS:"):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith(field))
    except (OSError, StopIteration):
        return None


def uss_mb(pid):
    """Private (unshared) memory: what the worker costs beyond the pages it shares with the master."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return (
                sum(int(line.split()[1]) for line in f if line.startswith(("Private_Clean:", "Private_Dirty:"))) / 1024
            )
    except OSError:
        return 0


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


# Odoo's werkzeug line at --log-level=info: "METHOD PATH HTTP/1.1" STATUS SIZE QUERIES QUERY_S OTHER_S
REQUEST_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+\S*" (\d{3}) \S+ (\d+) ([\d.]+) ([\d.]+)')


def server_requests(log):
    """{action: [(queries, server ms)]} of the requests in the log: the action is the `a` query parameter
    that bench/locustfile_web.py puts on its JSON-RPC calls, else METHOD PATH with ids as <id>."""
    out = defaultdict(list)
    for method, path, _status, queries, query_s, other_s in REQUEST_LINE.findall(log):
        url = urlsplit(unquote(re.sub(r"\x1b\[[\d;]*m", "", path)))
        tag = parse_qs(url.query).get("a")
        key = tag[0] if tag else method + " " + re.sub(r"/\d+", "/<id>", url.path)
        out[key].append((int(queries), 1000 * (float(query_s) + float(other_s))))
    return out


def action_table(run, res, log):
    """One line per action: client p50/p95, errors, refusals, and the server's queries and time per request."""
    server = server_requests(log)
    print(f"{run}_actions: name: n p50_ms p95_ms errors refused | server: queries_p50 queries_max server_ms_p50")
    for name in sorted(set(res["times"]) | set(res["errors"])):
        t = res["times"].get(name, [])
        key = next((k for k in server if k == name or name.endswith(" " + k)), None)
        rows = server.get(key, [])
        srv = (
            f"{pct([q for q, _ in rows], 50)} {max(q for q, _ in rows)} {pct([ms for _, ms in rows], 50):.0f}"
            if rows
            else "- - -"
        )
        client = f"{len(t)} {pct(t, 50):.0f} {pct(t, 95):.0f}" if t else "0 - -"
        print(f"{run}_action: {name}: {client} {res['errors'].get(name, 0)} {res['refused'].get(name, 0)} | {srv}")


def report(run, before, after, locust_json, log_path, master, log_offset=0):
    b, a, res = (json.loads(Path(p).read_text()) for p in (before, after, locust_json))
    wall = a["t"] - b["t"]
    print(f"--- {run} ---")
    total = sum(len(v) for v in res["times"].values()) + sum(res["errors"].values())
    print(f"{run}_wall_s: {wall:.0f}")
    print(f"{run}_requests: {total}")
    print(f"{run}_requests_per_s: {total / wall:.2f}")
    for name in ["queue", "team_queue", "assign", "form", "attempt", "result"]:
        t = res["times"].get(name, [])
        if t:
            print(
                f"{run}_{name}_ms: n={len(t)} p50={pct(t, 50):.0f} p95={pct(t, 95):.0f} p99={pct(t, 99):.0f}"
                f" max={max(t):.0f} mean={statistics.mean(t):.0f}"
            )
    every = [x for v in res["times"].values() for x in v]
    if every:
        print(f"{run}_all_ms: p50={pct(every, 50):.0f} p95={pct(every, 95):.0f} p99={pct(every, 99):.0f}")
    print(f"{run}_errors: {sum(res['errors'].values())} {dict(res['errors']) or ''}")
    for sample in res["error_samples"][:5]:
        print(f"  error: {sample}")
    print(f"{run}_refused_races: {sum(res['refused'].values())} {dict(res['refused']) or ''}")
    for sample in sorted(set(res.get("refused_samples", [])))[:8]:
        print(f"  refused: {sample}")
    with open(log_path, errors="replace") as f:
        whole = f.read()
        f.seek(log_offset)
        log = f.read()
    if any(": " in name for name in res["times"]):  # the web scenario's `role: action` names
        action_table(run, res, log)
    retried = len(re.findall(r"SERIALIZATION_FAILURE, \d+ tries left", log))
    gave_up = len(re.findall(r"maximum number of tries reached", log))
    serial = len(re.findall(r"could not serialize|serialization", log, re.IGNORECASE))
    print(
        f"{run}_serialization_failures_retried: {retried} (gave up: {gave_up}; log lines naming serialization: {serial})"
    )
    print(f"{run}_server_log_tracebacks: {log.count('Traceback')}")
    print(
        f"{run}_odoo_cpu_pct: {100 * (a['odoo'] - b['odoo']) / TICK / wall:.0f} (100 = one core; the machine has {os.cpu_count()})"
    )
    pg = sum(t - b["pg"].get(pid, 0) for pid, t in a["pg"].items())
    print(f"{run}_postgres_backends_cpu_pct: {100 * pg / TICK / wall:.0f} (backends of this database alive at the end)")
    if total:
        print(f"{run}_odoo_cpu_ms_per_request: {1000 * (a['odoo'] - b['odoo']) / TICK / total:.0f}")
    if "machine" in b:
        print(
            f"{run}_machine_cpu_pct: {100 * (a['machine'] - b['machine']) / TICK / wall:.0f} (every process; "
            f"{100 * os.cpu_count()} = all cores busy)"
        )
    roles = {int(pid): role for role, pid in re.findall(r"Worker (Worker\w+) \((\d+)\) alive", whole)}
    rss = [
        f"{roles.get(pid, 'gevent')}:{pid}={rss_mb(pid):.0f}/{uss_mb(pid):.0f}/{rss_mb(pid, 'VmSize:'):.0f}MB"
        for pid in children(master)
        if rss_mb(pid)
    ]
    print(
        f"{run}_worker_memory: {' '.join(rss)} (RSS/private/virtual, the last is what limit_memory_* "
        f"compare; master RSS {rss_mb(master):.0f}MB)"
    )


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        print(json.dumps(snap(int(sys.argv[2]), sys.argv[3])))
    else:
        report(sys.argv[2], *sys.argv[3:6], sys.argv[6], int(sys.argv[7]), int(sys.argv[8]) if len(sys.argv) > 8 else 0)
