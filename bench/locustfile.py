"""50 callback agents over JSON-2 (bench/load.sh runs it; localhost only).

Each simulated agent has its own API key (LOAD_AGENTS: the JSON file bench/load_setup.py wrote) and
works as an agent does in the web client, one request per step with a think time of 3-8 s:

    queue       web_search_read of *My Queue* (mine, open; the list view's fields; 80 rows)
    team_queue  (40 % of the time instead) the unassigned open callbacks of the agent's teams, 80 rows
    assign      action_assign_to_me on one of the first 3 of them: agents of a team race for the same rows
    form        web_read of the callback form's fields (attempts and feedback issues included)
    attempt     register_attempt(phone, reached 70 % / no_answer / busy)
    result      register_result(satisfaction, NPS, feedback, sometimes a problem raised), after "reached"

A refused service call that is the expected answer to a race (the callback was taken, or closed, by
someone else or by a cron in between: 403 AccessError, 422 UserError / ValidationError) is counted
as `refused`, not as an error; anything else that is not 200 (5xx, other 4xx, timeouts, connection
errors) is an error. Exact response times per request type go to LOAD_OUT (JSON) at the end.
"""

import json
import os
import random
import time
from itertools import count

from load_stats import RACE_ERRORS, refuse
from locust import HttpUser, between, task

AGENTS = json.load(open(os.environ["LOAD_AGENTS"]))  # noqa: SIM115
DB = os.environ["LOAD_DB"]
TEAM_SHARE = 0.4
OPEN = ["scheduled", "in_progress"]
CONTEXT = {"lang": "en_US", "tz": "Asia/Taipei", "bin_size": True}
LIST_SPEC = {
    "is_overdue": {},
    "display_name": {},
    "claim_number": {},
    "partner_id": {"fields": {"display_name": {}}},
    "partner_phone_formatted": {},
    "claim_category_id": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "sla_first_contact_deadline": {},
    "sla_completion_deadline": {},
    "sla_first_contact_status": {},
    "sla_completion_status": {},
    "state": {},
}
FORM_SPEC = {
    **LIST_SPEC,
    "partner_phone_masked": {},
    "partner_email": {},
    "company_id": {"fields": {"display_name": {}}},
    "sequence": {},
    "parent_id": {"fields": {"display_name": {}}},
    "ticket_id": {"fields": {"display_name": {}}},
    "policy_number": {},
    "company_currency_id": {"fields": {}},
    "claim_amount": {},
    "paid_amount": {},
    "claim_closed_date": {},
    "sla_rule_id": {"fields": {"display_name": {}}},
    "sla_start_date": {},
    "first_attempt_date": {},
    "completed_date": {},
    "sla_paused_since": {},
    "sla_pause_until": {},
    "sla_paused_hours": {},
    "priority": {},
    "satisfaction": {},
    "nps": {},
    "feedback": {},
    "feedback_anonymized_date": {},
    "attempt_ids": {
        "fields": {
            "date": {},
            "channel": {},
            "outcome": {},
            "user_id": {"fields": {"display_name": {}}},
            "duration": {},
            "note": {},
        }
    },
    "feedback_ticket_ids": {
        "fields": {
            "number": {},
            "name": {},
            "is_complaint": {},
            "sla_resolution_deadline": {},
            "sla_resolution_status": {},
            "stage_id": {"fields": {"display_name": {}}},
        }
    },
}
FEEDBACK = [
    "The adjuster was quick and the payment arrived on time, thank you.",
    "Too slow, I waited three weeks and nobody called me back.",
    "理賠速度很快，服務人員很親切，謝謝。",
    "等了很久才收到款項，流程太複雜了。",
    "It was fine.",
    None,
]
_next_agent = count()


class Agent(HttpUser):
    wait_time = between(3, 8)

    def on_start(self):
        me = AGENTS[next(_next_agent) % len(AGENTS)]
        self.uid, self.team_id = me["uid"], me["team_id"]
        self.headers = {"Authorization": f"bearer {me['key']}", "X-Odoo-Database": DB}
        self.step, self.target = self.open_queue, None

    def call(self, name, method, ids=(), **kwargs):
        """POST /json/2/claim.callback/<method>; the result, or None when refused by a race."""
        body = {"ids": list(ids), "context": CONTEXT, **kwargs}
        with self.client.post(
            f"/json/2/claim.callback/{method}",
            json=body,
            headers=self.headers,
            name=name,
            catch_response=True,
            timeout=120,
        ) as resp:
            if resp.status_code == 200:
                resp.success()
                return resp.json()
            try:
                error = resp.json()
            except ValueError:
                error = {}
            if resp.status_code in (403, 422) and error.get("name") in RACE_ERRORS:
                refuse(name, error.get("name"))
                resp.success()  # a correct answer to a race; its time is a response time too
                return None
            resp.failure(f"{resp.status_code} {error.get('name')}: {str(error.get('message'))[:200]}")
            return None

    @task
    def work(self):
        self.step()

    def open_queue(self):
        if random.random() < TEAM_SHARE:
            domain = [["team_id.user_ids", "in", [self.uid]], ["user_id", "=", False], ["state", "in", OPEN]]
            rows = self.call(
                "team_queue", "web_search_read", domain=domain, specification=LIST_SPEC, limit=80, count_limit=10001
            )
            rows = (rows or {}).get("records", [])
            if rows:
                self.target, self.step = random.choice(rows[:3])["id"], self.assign
            return
        domain = [["user_id", "=", self.uid], ["state", "in", OPEN]]
        rows = self.call(
            "queue", "web_search_read", domain=domain, specification=LIST_SPEC, limit=80, count_limit=10001
        )
        rows = (rows or {}).get("records", [])
        if rows:
            self.target, self.step = random.choice(rows[:10])["id"], self.open_form

    def assign(self):
        taken = self.call("assign", "action_assign_to_me", [self.target])
        self.step = self.open_queue if taken is None else self.open_form

    def open_form(self):
        rows = self.call("form", "web_read", [self.target], specification=FORM_SPEC)
        open_ = rows and rows[0]["state"] in OPEN
        self.step = self.log_attempt if open_ else self.open_queue

    def log_attempt(self):
        outcome = random.choices(["reached", "no_answer", "busy"], [70, 20, 10])[0]
        done = self.call(
            "attempt",
            "register_attempt",
            [self.target],
            channel="phone",
            outcome=outcome,
            duration=random.randint(20, 400) if outcome == "reached" else 0,
        )
        self.step = self.record_result if done is not None and outcome == "reached" else self.open_queue

    def record_result(self):
        satisfaction = random.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0]
        issues = ["The payment letter had the wrong bank account"] if random.random() < 0.1 else None
        self.call(
            "result",
            "register_result",
            [self.target],
            satisfaction=satisfaction,
            nps=random.randint(0, 10),
            feedback=random.choice(FEEDBACK),
            issues=issues,
        )
        self.step = self.open_queue


if __name__ == "__main__":  # a quick look at one agent's first call, without Locust
    import requests

    me = AGENTS[0]
    t0 = time.perf_counter()
    r = requests.post(
        f"{os.environ['LOAD_HOST']}/json/2/claim.callback/web_search_read",
        timeout=60,
        headers={"Authorization": f"bearer {me['key']}", "X-Odoo-Database": DB},
        json={"domain": [["user_id", "=", me["uid"]]], "specification": LIST_SPEC, "limit": 80},
    )
    print(r.status_code, len(r.json().get("records", [])), f"{time.perf_counter() - t0:.3f}s")
