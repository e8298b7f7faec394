"""The web client's load scenario (bench/locustfile_web.py) at a small size, so that it cannot rot.

bench/load.sh --scenario web is the real measure (a server with --workers=4, 225 users, minutes); this
runs the same scenario in about a minute on a database that has the addon (bench/smoke.py gives it a
copy of its template): bench/load_setup.py's web data at a small size, a threaded Odoo server on a free
port, first a warm-up (LOAD_WARMUP: load.sh's before a cold run) for --warmup s, then Locust for --duration s
with think times scaled down and no baseline screens; it fails (exit 1) on any error, when the warm-up wrote
anything or a role sent nothing, or when no call was logged through the dialogs.

Usage: python bench/bench_web_load.py --db DB [--agents 4] [--duration 20] -- ODOO_ARGS...
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchlib import odoo_env, out, parser

SMOKE_ARGS = ["--agents", "4", "--duration", "20", "--warmup", "6"]  # bench/smoke.py (tools/test)
HERE = Path(__file__).resolve().parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, server, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server died (exit {server.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own server on localhost
            return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"no answer from {url} in {timeout} s")


def locust(host, env, users, duration):
    subprocess.run(
        [str(Path(sys.executable).with_name("locust")), "-f", str(HERE / "locustfile_web.py"), "--headless",
         "--only-summary", "-u", str(users), "-r", "10", "-t", f"{duration}s", "--stop-timeout", "3", "--host", host],
        env=env, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def written(p):
    """What the users write: attempts, messages on callbacks, tickets and customers (OdooBot greets a user in a
    discuss channel on their first start of the web client: that is Odoo's), callbacks' write dates."""
    with odoo_env(p) as (_opts, env):
        env.cr.execute("""SELECT (SELECT count(*) FROM claim_callback_attempt),
                                 (SELECT count(*) FROM mail_message
                                   WHERE model IN ('claim.callback', 'helpdesk.ticket', 'res.partner')),
                                 (SELECT max(write_date) FROM claim_callback)""")
        attempts, messages, changed = env.cr.fetchone()
    return {"attempts": attempts, "messages": messages, "callback_write_date": changed.timestamp()}


def main():
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    odoo_args = argv[cut + 1 :]
    p = parser(__doc__)
    p.add_argument("--agents", type=int, default=4)
    p.add_argument("--duration", type=int, default=20)
    p.add_argument("--warmup", type=int, default=6)
    opts = p.parse_args(argv[:cut])
    work = Path(tempfile.mkdtemp(prefix="web_load_"))
    users, result, warm = work / "users.json", work / "locust.json", work / "warmup.json"
    subprocess.run(
        [sys.executable, str(HERE / "load_setup.py"), "--db", opts.db, "--out", str(users), "--agents",
         str(opts.agents), "--teams", "1", "--supervisors", "1", "--managers", "1", "--callbacks", "200",
         "--unassigned", "20", "--fallback", "10", "--history", "200", "--months", "2", "--backlog", "0", "--password", "smoke",
         "--", *odoo_args],
        check=True, cwd=HERE, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = free_port()
    odoo = Path(sys.executable).with_name("odoo")
    server = subprocess.Popen(
        [str(odoo), *odoo_args, "-d", opts.db, f"--db-filter=^{opts.db}$", f"--http-port={port}",
         f"--gevent-port={free_port()}", "--max-cron-threads=0", "--log-level=warn", f"--logfile={work / 'server.log'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/web/health", server)
        host = f"http://127.0.0.1:{port}"
        base = {**os.environ, "LOAD_USERS": str(users), "LOAD_DB": opts.db, "LOAD_SUPERVISORS": "1",
                "LOAD_MANAGERS": "1"}  # fmt: skip
        before = written(p)
        locust(host, {**base, "LOAD_WARMUP": "1", "LOAD_THINK_SCALE": "0", "LOAD_BASELINE_SHARE": "1",
                      "LOAD_OUT": str(warm)}, 3, opts.warmup)  # fmt: skip
        warmup_written = {k: written(p)[k] - v for k, v in before.items()}
        locust(host, {**base, "LOAD_THINK_SCALE": "0.01", "LOAD_BASELINE_SHARE": "0", "LOAD_OUT": str(result)},
               opts.agents + 2, opts.duration)  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
    warm_res = json.loads(warm.read_text())
    out("web_load_warmup_requests", sum(len(t) for t in warm_res["times"].values()))
    out("web_load_warmup_errors", sum(warm_res["errors"].values()))
    for name, value in warmup_written.items():
        out(f"web_load_warmup_{name}_written", value)
    if warm_res["errors"] or any(warmup_written.values()) or not warm_res["times"]:
        sys.exit("the warm-up failed, sent nothing, or wrote something")
    res = json.loads(result.read_text())
    names = set(res["times"]) | set(res["errors"])
    out("web_load_requests", sum(len(t) for t in res["times"].values()))
    out("web_load_actions_seen", len(names))
    out("web_load_errors", sum(res["errors"].values()))
    for sample in res["error_samples"][:5]:
        print(f"  error: {sample}")
    with odoo_env(p) as (_opts, env):
        env.cr.execute("SELECT count(*) FROM claim_callback_attempt WHERE note LIKE 'Load bench: %%'")
        logged = env.cr.fetchone()[0]
    out("web_load_calls_logged", logged)
    roles = {name.split(":")[0] for name in names}
    if res["errors"] or not logged or not {"agent", "supervisor", "manager"} <= roles:
        sys.exit(f"errors, no call logged, or a role sent nothing (roles seen: {sorted(roles)})")


if __name__ == "__main__":
    main()
