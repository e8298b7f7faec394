"""Faults against the crons and the service methods of a prefork Odoo server (run by bench/faults.sh).

    python bench/faults.py --db DB --agents agents.json --port PORT --log LOG -- ODOO_COMMAND...

Starts ODOO_COMMAND (an `odoo` command line with --workers and --max-cron-threads=1) in its own process
group, and while agents post register_result over JSON-2 (acknowledged ids are remembered):
  1. scheduling: SIGKILL the cron worker, twice, in the middle of a scheduling batch (its transaction has
     inserted callbacks, not committed), then pg_terminate_backend of the batch's connection;
  2. SLA sweep: the same, in the middle of a sweep batch (statuses being written);
  3. fallback: the same, in the middle of a fallback batch (SMS queued, e-mails being rendered);
  4. SIGKILL of an HTTP worker in the middle of a register_result;
  5. SIGHUP to the master (Odoo's own restart) in the middle of a batch, then SIGTERM and a new start;
then lets every cron finish and prints the SQL checks as `name: value` lines.
"""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import requests

BATCH_TABLE = {"schedule": "claim_callback", "sla": "claim_callback", "fallback": "sms_sms"}
CRONS = {"schedule": "ir_cron_schedule_callbacks", "sla": "ir_cron_sla_check", "fallback": "ir_cron_send_fallback"}


def out(name, value):
    print(f"{name}: {value}", flush=True)


class Bench:
    def __init__(self, opts, command):
        self.opts, self.command = opts, command
        self.db = psycopg2.connect(dbname=opts.db)
        self.db.autocommit = True
        self.master = None
        self.acked, self.sent, self.client_errors = set(), 0, []
        self.stop_clients = threading.Event()

    # -- SQL --------------------------------------------------------------
    def sql(self, query, params=None):
        with self.db.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None

    def one(self, query, params=None):
        return self.sql(query, params)[0][0]

    def due(self, *kinds):
        """Only these crons run, due now, every minute."""
        self.sql(
            "UPDATE ir_cron SET active = false WHERE id IN (SELECT res_id FROM ir_model_data"
            " WHERE module = 'insurance_claim_callback' AND model = 'ir.cron')"
        )
        for kind in kinds:
            self.sql(
                """UPDATE ir_cron SET active = true, nextcall = now() AT TIME ZONE 'UTC' - interval '1 second',
                        interval_number = 1, interval_type = 'minutes'
                        WHERE id = (SELECT res_id FROM ir_model_data WHERE module = 'insurance_claim_callback'
                                    AND name = %s)""",
                [CRONS[kind]],
            )
        # the cron workers LISTEN on the `postgres` database (ir.cron._notifydb); otherwise they wake up every minute
        with psycopg2.connect(dbname="postgres") as cn, cn.cursor() as cr:
            cr.execute("NOTIFY cron_trigger, %s", [self.opts.db])

    # -- server -----------------------------------------------------------
    def start(self):
        self.master = subprocess.Popen(self.command, start_new_session=True).pid
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/web/health", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("the server did not answer")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.opts.port}"

    def stop(self):
        if not self.master:
            return
        os.kill(self.master, signal.SIGTERM)
        for _ in range(150):
            try:
                os.waitpid(self.master, os.WNOHANG)
                os.kill(self.master, 0)
            except (ChildProcessError, ProcessLookupError):
                break
            time.sleep(0.2)
        try:
            os.killpg(self.master, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.master = None

    def workers(self, role):
        """Live pids of the master's workers of that role (WorkerCron, WorkerHTTP), per the log."""
        with open(self.opts.log, errors="replace") as f:
            pids = [int(p) for r, p in re.findall(r"Worker (Worker\w+) \((\d+)\) alive", f.read()) if r == role]
        ps = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.master)], capture_output=True, text=True, check=False
        ).stdout
        live = {int(p) for p in ps.split()}
        return [p for p in pids if p in live]

    @staticmethod
    def socket_owners(pids):
        """{local TCP port: pid} of the sockets the processes `pids` hold (their PostgreSQL connections).
        (The connections' application_name names the master: workers inherit it.)"""
        inodes = {}
        for pid in pids:
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes[link[8:-1]] = pid
            except OSError:
                continue
        owners = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    if cols[9] in inodes:
                        owners[int(cols[1].rsplit(":", 1)[1], 16)] = inodes[cols[9]]
        return owners

    def writing_backend(self, role, table, timeout=180):
        """(odoo pid, backend pid) of a live worker of `role` whose open transaction writes `table`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            rows = self.sql(
                """SELECT a.client_port, a.pid FROM pg_stat_activity a
                JOIN pg_locks l ON l.pid = a.pid AND l.mode = 'RowExclusiveLock' AND l.granted
                JOIN pg_class c ON c.oid = l.relation AND c.relname = %s
                WHERE a.datname = %s AND a.xact_start IS NOT NULL""",
                [table, self.opts.db],
            )
            if rows:
                owners = self.socket_owners(self.workers(role))
                for port, backend in rows:
                    if port in owners:
                        return owners[port], backend
            time.sleep(0.05)
        return None, None

    def fault(self, kind, how):
        """SIGKILL the cron worker (how='kill') or terminate its connection (how='terminate') mid-batch."""
        pid, backend = self.writing_backend("WorkerCron", BATCH_TABLE[kind])
        if not pid:
            out(f"fault_{kind}_{how}", "no batch caught in 180 s")
            return False
        if how == "kill":
            os.kill(pid, signal.SIGKILL)
        else:
            self.sql("SELECT pg_terminate_backend(%s)", [backend])
        out(f"fault_{kind}_{how}", f"cron worker {pid} (backend {backend}) mid-batch")
        time.sleep(2)
        return True

    def wait_done(self, what, query, timeout):
        deadline = time.time() + timeout
        while (left := self.one(query)) and time.time() < deadline:
            time.sleep(2)
        out(f"{what}_left_after_recovery", left)

    # -- agents posting results ----------------------------------------------
    def client(self, agent):
        headers = {"Authorization": f"bearer {agent['key']}", "X-Odoo-Database": self.opts.db}
        rng = random.Random(agent["uid"])
        while not self.stop_clients.is_set():
            ids = [
                r[0]
                for r in self.sql(
                    "SELECT id FROM claim_callback WHERE user_id = %s AND state IN ('scheduled', 'in_progress')"
                    " AND fallback_date IS NULL ORDER BY random() LIMIT 1",
                    [agent["uid"]],
                )
            ]
            if not ids:  # until the scheduler gives this agent more work
                time.sleep(2)
                continue
            body = {
                "ids": ids,
                "satisfaction": rng.randint(1, 5),
                "nps": rng.randint(0, 10),
                "feedback": rng.choice(["Quick and kind, thank you.", "理賠太慢了。", None]),
            }
            for _try in range(5):  # a client retries what got no answer
                try:
                    self.sent += 1
                    r = requests.post(
                        f"{self.url}/json/2/claim.callback/register_result", json=body, headers=headers, timeout=60
                    )
                except requests.RequestException as e:
                    self.client_errors.append(f"{type(e).__name__}")
                    time.sleep(2)
                    continue
                if r.status_code == 200:
                    self.acked.add(ids[0])
                    break
                self.client_errors.append(f"{r.status_code} {r.text[:120]}")
                if r.status_code < 500:
                    break  # refused (e.g. done by the try that got no answer): checked in SQL at the end
                time.sleep(2)
            time.sleep(rng.uniform(0.2, 1.0))

    def checks(self):
        q = self.one
        out(
            "claims_closed",
            q("""SELECT count(*) FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                                  WHERE t.is_claim AND s.closed AND t.partner_id IS NOT NULL AND t.closed_date IS NOT NULL"""),
        )
        out(
            "claims_with_exactly_one_first_callback",
            q("""SELECT count(*) FROM (SELECT ticket_id FROM claim_callback
                                  WHERE sequence = 1 GROUP BY ticket_id HAVING count(*) = 1) x"""),
        )
        out(
            "claims_without_first_callback",
            q("""SELECT count(*) FROM helpdesk_ticket t
                                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                                  WHERE t.is_claim AND s.closed AND t.partner_id IS NOT NULL AND t.closed_date IS NOT NULL
                                  AND t.callback_status != 'opted_out'
                                  AND NOT EXISTS (SELECT 1 FROM claim_callback c WHERE c.ticket_id = t.id AND c.sequence = 1)"""),
        )
        out(
            "duplicate_first_callbacks",
            q("""SELECT count(*) FROM (SELECT ticket_id FROM claim_callback
                                  WHERE sequence = 1 GROUP BY ticket_id HAVING count(*) > 1) x"""),
        )
        out("results_acknowledged", len(self.acked))
        lost = q(
            """SELECT count(*) FROM claim_callback WHERE id = ANY(%s)
                    AND (state != 'done' OR satisfaction IS NULL OR completed_date IS NULL)""",
            [sorted(self.acked)],
        )
        out("lost_results", lost)
        out("result_requests_sent", self.sent)
        out("result_requests_without_answer_or_refused", len(self.client_errors))
        for err in sorted(set(self.client_errors))[:6]:
            out("  client_error", err)
        sms = q("SELECT count(*) FROM (SELECT partner_id FROM sms_sms GROUP BY partner_id HAVING count(*) > 1) x")
        mails = q("""SELECT count(*) FROM (SELECT m.res_id FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                     WHERE m.model = 'claim.callback' AND m.message_type = 'email_outgoing' GROUP BY m.res_id HAVING count(*) > 1) x""")
        attempts = q("""SELECT count(*) FROM (SELECT callback_id, channel FROM claim_callback_attempt
                        WHERE channel IN ('sms', 'email') GROUP BY callback_id, channel HAVING count(*) > 1) x""")
        out("sms_queued", q("SELECT count(*) FROM sms_sms"))
        out(
            "mails_queued_for_callbacks",
            q("""SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                                               WHERE m.model = 'claim.callback' AND m.message_type = 'email_outgoing'"""),
        )
        out(
            "duplicate_messages_sent",
            f"{sms + mails} (sms.sms per customer > 1: {sms}; mail.mail per callback > 1: "
            f"{mails}; sms/e-mail attempts per callback > 1: {attempts})",
        )
        out(
            "callbacks_fallback_due_not_sent",
            q("""SELECT count(*) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')
                                                   AND fallback_sent_date IS NULL AND fallback_date <= now() AT TIME ZONE 'UTC'"""),
        )
        out(
            "sla_transitions_not_made",
            q("""SELECT count(*) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')
                                            AND sla_first_contact_status = 'on_track'
                                            AND sla_first_contact_risk_date < now() AT TIME ZONE 'UTC' - interval '5 minutes'"""),
        )
        with open(self.opts.log, errors="replace") as f:
            log = f.read()
        out("server_log_tracebacks", log.count("Traceback"))
        out("server_log_unique_violations_skipped", log.count("already exists") + log.count("created concurrently"))


def main():
    p = argparse.ArgumentParser()
    for name in ("--db", "--agents", "--port", "--log"):
        p.add_argument(name, required=True)
    p.add_argument("--backlog-cmd", required=True, help="shell command adding N waiting claims: {n}")
    argv = sys.argv[1:]
    cut = argv.index("--")
    opts, command = p.parse_args(argv[:cut]), argv[cut + 1 :]
    b = Bench(opts, command)
    agents = json.loads(Path(opts.agents).read_text())
    try:
        b.due()  # no cron while the clients start
        b.start()
        out(
            "server",
            f"master {b.master}, {len(b.workers('WorkerHTTP'))} HTTP workers, cron worker {b.workers('WorkerCron')}",
        )
        clients = [threading.Thread(target=b.client, args=(a,), daemon=True) for a in agents[:8]]
        for t in clients:
            t.start()
        waiting = """SELECT count(*) FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                      WHERE t.is_claim AND t.callback_status = 'none' AND s.closed AND t.partner_id IS NOT NULL
                      AND t.closed_date IS NOT NULL"""
        out("claims_waiting_first_callback", b.one(waiting))

        # 1. scheduling
        b.due("schedule")
        b.fault("schedule", "kill")
        b.fault("schedule", "kill")
        b.fault("schedule", "terminate")
        # 4. an HTTP worker in the middle of register_result (the clients' writes)
        pid, backend = b.writing_backend("WorkerHTTP", "claim_callback", timeout=60)
        if pid:
            os.kill(pid, signal.SIGKILL)
            out("fault_http_kill", f"HTTP worker {pid} (backend {backend}) mid-request")
        b.wait_done("claims_waiting_first_callback", waiting, 900)

        # 2. SLA sweep: every open callback's first-contact target turns at risk
        b.sql("""UPDATE claim_callback SET sla_first_contact_risk_date = now() AT TIME ZONE 'UTC' - interval '10 minutes'
                 WHERE state IN ('scheduled', 'in_progress') AND sla_first_contact_status = 'on_track'""")
        sweep = """SELECT count(*) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')
                   AND sla_first_contact_status = 'on_track' AND sla_first_contact_risk_date < now() AT TIME ZONE 'UTC'"""
        out("sla_transitions_due", b.one(sweep))
        b.due("sla")
        b.fault("sla", "kill")
        b.fault("sla", "kill")
        b.fault("sla", "terminate")
        b.wait_done("sla_transitions", sweep, 900)

        # 3. fallback: phone exhausted on open callbacks
        b.sql(
            """UPDATE claim_callback SET fallback_date = now() AT TIME ZONE 'UTC' - interval '1 minute'
                 WHERE id IN (SELECT id FROM claim_callback WHERE state = 'scheduled' AND sequence = 1
                              AND fallback_sent_date IS NULL ORDER BY id LIMIT %s)""",
            [int(os.environ.get("FAULTS_FALLBACK", "4000"))],
        )
        fallback = """SELECT count(*) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')
                      AND fallback_sent_date IS NULL AND fallback_date <= now() AT TIME ZONE 'UTC'"""
        out("fallback_due", b.one(fallback))
        b.due("fallback")
        b.fault("fallback", "kill")
        b.fault("fallback", "kill")
        b.fault("fallback", "terminate")

        # 5. restarts in the middle of batches: Odoo's own (SIGHUP), then a stop and a new start
        if b.writing_backend("WorkerCron", "sms_sms")[0]:
            os.kill(b.master, signal.SIGHUP)
            deadline = time.time() + 60
            while time.time() < deadline:
                with open(opts.log, errors="replace") as f:
                    if f.read().count("HTTP service (werkzeug) running") >= 2:
                        break
                time.sleep(0.5)
            ok = requests.get(f"{b.url}/web/health", timeout=10).ok
            out("fault_sighup_restart", f"mid fallback batch; answers again: {ok}")
        subprocess.run(["bash", "-c", opts.backlog_cmd.format(n=3000)], check=True, stdout=subprocess.DEVNULL)
        out("claims_waiting_first_callback", b.one(waiting))
        b.due("schedule", "fallback")
        if b.writing_backend("WorkerCron", "claim_callback")[0]:
            b.stop()
            out(
                "fault_stop_start",
                "SIGTERM to the master mid-batch (what is left after 30 s: SIGKILL), then a new server",
            )
            b.start()
            b.due("schedule", "fallback")
        b.wait_done("fallback", fallback, 900)
        b.wait_done("claims_waiting_first_callback", waiting, 900)
        b.stop_clients.set()
        for t in clients:
            t.join(timeout=90)
        b.checks()
    finally:
        b.stop_clients.set()
        b.stop()


if __name__ == "__main__":
    main()
