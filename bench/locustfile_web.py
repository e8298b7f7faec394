"""The web client's real load: agents, supervisors and managers in the browser (bench/load.sh --scenario web).

Each simulated user logs in as the browser does (GET /web/login for the CSRF token, POST it with the
password: a session cookie), starts the web client (/odoo, the menus, the messaging data) and then sends
the requests the web client sends for its screens, with the specifications taken from the views that
`get_views` returns (so the bench follows the views when they change):

    agent       My Queue (the action, its views once a session, the list with the search defaults), a
                callback's form with its chatter (/mail/data, /mail/thread/messages), the Log Call dialog
                (call_button action_log_call, onchange, web_save, call_button action_confirm; 15 % of calls
                are "call back later", which sets the day in an onchange), and after a reached call the
                outcome dialog the same way, then the form reloads. A call lasts 1-3 minutes, clicks are
                5-20 s apart. One cycle in three, the same kinds of screen in Odoo's own apps as a baseline:
                the Helpdesk tickets (kanban grouped by stage), a ticket's form and chatter and a note posted
                on it, the Contacts list and a contact's form.
    supervisor  SLA Risk (list with its search default), a callback's form and chatter, and reassignment
                (web_save of the agent) to another agent of the team; one cycle in three, the baseline: the
                Helpdesk tickets list, a ticket's form and chatter, and its reassignment.
    manager     Monthly KPIs (list, form), the KPI PDF (/report/pdf/...), the Callback Analysis pivot
                (formatted_read_grouping_sets, as the pivot sends it); one cycle in three, the baseline:
                Helpdesk's reporting pivot.

Each request is a Locust request named `role: action`; the JSON-RPC requests carry the same name in the
query string (`?a=`), which Odoo ignores but logs, so that bench/load_report.py can put the server's query
count and time of each action beside its response times. A JSON-RPC error that answers a race (the
callback was closed or reassigned meanwhile: AccessError, UserError, ValidationError on a write) is counted
as refused; any other error, any non-200 answer and any timeout is an error.

Environment: LOAD_USERS (the JSON file of bench/load_setup.py --password: login, password, role, uid, team
agents), LOAD_DB (the database), LOAD_OUT (JSON of the exact times, written at the end), LOAD_THINK_SCALE
(multiplies every think time; default 1), LOAD_BASELINE_SHARE (the share of cycles that also open the
baseline screens; default 1/3), LOAD_SUPERVISORS and LOAD_MANAGERS (of the spawned users, so many are
supervisors and managers; default 20 and 5), LOAD_SESSIONS (a JSON file of the users' session ids, written
at the end and read at the start: a second run goes on with the first run's sessions, as browsers left
open do, instead of everyone logging in again), LOAD_WARMUP=1 (a deploy's warm-up before the node takes
traffic: every screen read, nothing written; the calls that write are not sent). Host: locust --host.
"""

import json
import os
import random
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import count
from urllib.parse import quote

import gevent
from dateutil.relativedelta import relativedelta
from load_stats import RACE_ERRORS, refuse
from locust import HttpUser, constant, events, task
from locust.exception import StopUser
from lxml import etree

USERS = json.load(open(os.environ["LOAD_USERS"]))  # noqa: SIM115
SESSIONS = os.environ.get("LOAD_SESSIONS")  # login -> session id: the warm run goes on with the cold run's sessions
DB = os.environ["LOAD_DB"]
LOGIN_ONLY = os.environ.get("LOAD_LOGIN_ONLY") == "1"  # the start of the shift: log in, keep the session, stop
WARMUP = os.environ.get("LOAD_WARMUP") == "1"  # read every screen, write nothing
THINK = float(os.environ.get("LOAD_THINK_SCALE", "1"))
# of the spawned users, so many are supervisors and managers, the others agents
SUPERVISORS = int(os.environ.get("LOAD_SUPERVISORS", "20"))
MANAGERS = int(os.environ.get("LOAD_MANAGERS", "5"))
BASELINE_SHARE = float(os.environ.get("LOAD_BASELINE_SHARE", 1 / 3))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
X2MANY_LIMIT = 40  # what the form's x2many lists read at first
FEEDBACK = [
    "The adjuster was quick and the payment arrived on time, thank you.",
    "Too slow, I waited three weeks and nobody called me back.",
    "理賠速度很快，服務人員很親切，謝謝。",
    "等了很久才收到款項，流程太複雜了。",
    None,
]

_next = defaultdict(count)
sessions = json.load(open(SESSIONS)) if SESSIONS and os.path.exists(SESSIONS) else {}  # noqa: SIM115


@events.test_stop.add_listener
def _save_sessions(**_kw):
    if SESSIONS:
        with open(SESSIONS, "w") as f:
            json.dump(sessions, f)


# ---------------------------------------------------------------- what the web client derives from the views


def field_spec(node, name, models, model):
    """The specification the web client reads for one <field> of a view."""
    info = models.get(model, {}).get(name, {})
    ftype, relation = info.get("type"), info.get("relation")
    if ftype == "many2one":
        return {"fields": {"display_name": {}}}
    if ftype in ("one2many", "many2many"):
        sub = next((c for c in node if c.tag in ("list", "kanban")), None)
        if sub is None:
            return {"fields": {"display_name": {}}}
        return {"fields": arch_spec(sub, models, relation), "limit": X2MANY_LIMIT}
    return {}


def arch_spec(root, models, model):
    """The fields of a view (its subviews' fields nested under their x2many), as web_read wants them."""
    spec = {}

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                spec.setdefault(child.get("name"), field_spec(child, child.get("name"), models, model))
            else:
                walk(child)

    walk(root)
    return spec


class View:
    """One view of get_views' answer: its arch, its specification, its attributes."""

    def __init__(self, answer, kind, model):
        models = {m: v.get("fields", v) for m, v in answer["models"].items()}
        self.arch = etree.fromstring(answer["views"][kind]["arch"])
        self.spec = arch_spec(self.arch, models, model)
        self.fields = models[model]
        if kind == "form":
            self.spec["display_name"] = {}

    def order(self):
        return self.arch.get("default_order") or ""

    def measures(self):
        """The pivot's measures as formatted_read_grouping_sets takes them (field:aggregator)."""
        out = []
        for node in self.arch.iter("field"):
            if node.get("type") == "measure":
                name = node.get("name")
                out.append(f"{name}:{self.fields[name].get('aggregator') or 'sum'}")
        return ["__count", *out]

    def axes(self):
        """The pivot's row and column groupbys (a date without interval is grouped by month)."""
        rows, cols = [], []
        for node in self.arch.iter("field"):
            name, interval = node.get("name"), node.get("interval")
            if not interval and self.fields[name]["type"] in ("date", "datetime"):
                interval = "month"
            name += f":{interval}" if interval else ""
            (rows if node.get("type") == "row" else cols if node.get("type") == "col" else []).append(name)
        return rows, cols


def search_defaults(search_arch, context, uid):
    """The domain of the search view's filters that the action's context switches on (search_default_*):
    filters of one group are OR-ed, groups AND-ed; a date filter's default is the current month."""
    wanted = {k[len("search_default_") :] for k, v in context.items() if k.startswith("search_default_") and v}
    groups, group = [], []
    env = {"uid": uid, "context_today": date.today, "relativedelta": relativedelta, "datetime": datetime}
    for node in etree.fromstring(search_arch).iter("filter", "separator", "group"):
        if node.tag != "filter":
            groups.append(group)
            group = []
        elif node.get("name") in wanted:
            if node.get("date"):
                first = date.today().replace(day=1)
                last = first + relativedelta(months=1) - timedelta(days=1)
                group.append(
                    [
                        "&",
                        [node.get("date"), ">=", datetime.combine(first, time.min).strftime("%Y-%m-%d %H:%M:%S")],
                        [node.get("date"), "<=", datetime.combine(last, time.max).strftime("%Y-%m-%d %H:%M:%S")],
                    ]
                )
            elif node.get("domain"):
                group.append(eval(node.get("domain"), {"__builtins__": {}}, env))  # noqa: S307 - the addon's own views
    groups.append(group)
    return combine("&", [combine("|", [normalize(d) for d in g]) for g in groups if g])


def normalize(domain):
    """A domain as one prefix expression (its implicit ANDs made explicit), as Odoo's normalize_domain."""
    result, expected = [], 1
    for token in domain:
        if expected == 0:
            result.insert(0, "&")
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = list(token)
        elif token in ("&", "|"):
            expected += 1
        result.append(token)
    return result


def combine(operator, domains):
    return [operator] * (len(domains) - 1) + [t for d in domains for t in d]


# ---------------------------------------------------------------- the browser


class Browser(HttpUser):
    abstract = True
    wait_time = constant(0)
    role = None

    def on_start(self):
        users = [u for u in USERS if u["role"] == self.role]
        self.me = users[next(_next[self.role]) % len(users)]
        self.uid = self.me["uid"]
        self.ctx = {"lang": "en_US", "tz": "Asia/Taipei", "uid": self.uid, "allowed_company_ids": [self.me["company_id"]]}
        self.views = {}
        self.rpc_id = count(1)
        if self.me["login"] in sessions:  # still logged in since the last run: the browser tab is reloaded
            self.client.cookies.set("session_id", sessions[self.me["login"]])
        else:
            self.login()
        if LOGIN_ONLY:
            raise StopUser()
        self.start_webclient()

    def think(self, low, high):
        self._sleep(random.uniform(low, high) * THINK)

    def _sleep(self, seconds):
        gevent.sleep(seconds)

    def name(self, action):
        return f"{self.role}: {action}"

    # --- HTTP
    def login(self, tries=5):
        """/web/login as the browser: the page's CSRF token, then the form; retried a few times (a refused
        or reset connection while everyone logs in at once counts as an error, then the user tries again)."""
        for _ in range(tries):
            with self.client.get(f"/web/login?db={DB}", name="web: GET /web/login", catch_response=True) as resp:
                token = CSRF.search(resp.text or "")
                if not token:
                    resp.failure(f"no csrf_token in the login page (HTTP {resp.status_code})")
            if token:
                data = {"login": self.me["login"], "password": self.me["password"], "csrf_token": token.group(1),
                        "redirect": "/odoo"}  # fmt: skip
                with self.client.post(
                    "/web/login", data=data, name="web: POST /web/login", allow_redirects=False, catch_response=True
                ) as resp:
                    if resp.status_code == 303:
                        sessions[self.me["login"]] = self.client.cookies.get("session_id")
                        return
                    resp.failure(f"login refused (HTTP {resp.status_code})")
            self._sleep(random.uniform(5, 15))
        raise StopUser()

    def start_webclient(self):
        self.client.get("/odoo", name="web: GET /odoo")
        self.client.get("/web/webclient/load_menus", name="web: GET /web/webclient/load_menus")
        self.rpc(
            "/mail/data",
            "web: init_messaging",
            {"fetch_params": ["failures", "systray_get_activities", "init_messaging"], "context": self.ctx},
        )

    def rpc(self, path, name, params, write=False):
        """A JSON-RPC call as the web client makes it; its result, or None when refused or failed."""
        body = {"id": next(self.rpc_id), "jsonrpc": "2.0", "method": "call", "params": params}
        with self.client.post(f"{path}?a={quote(name)}", json=body, name=name, catch_response=True, timeout=120) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
                return None
            answer = resp.json()
            if "error" not in answer:
                resp.success()
                return answer["result"]
            data = answer["error"].get("data", {})
            if write and data.get("name") in RACE_ERRORS:
                refuse(name, f"{data.get('name')}: {str(data.get('message'))[:200]}")
                resp.success()
                return None
            resp.failure(f"{data.get('name')}: {str(data.get('message'))[:200]}")
            return None

    def call(self, name, model, method, *args, button=False, write=False, **kwargs):
        kwargs["context"] = {**self.ctx, **kwargs.get("context", {})}
        route = "call_button" if button else "call_kw"
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        return self.rpc(f"/web/dataset/{route}/{model}/{method}", name, params, write=write)

    # --- screens
    def open_action(self, label, xmlid):
        """/web/action/load, then get_views once a session (the web client caches them): (action, views)."""
        action = self.rpc("/web/action/load", self.name(f"{label}: action"), {"action_id": xmlid, "context": self.ctx})
        if not action:
            return None, None
        if xmlid not in self.views:
            views = [[v, k] for v, k in action["views"]] + [[(action.get("search_view_id") or [False])[0], "search"]]
            answer = self.call(
                self.name(f"{label}: get_views"),
                action["res_model"],
                "get_views",
                views=views,
                options={"action_id": action["id"], "load_filters": True, "toolbar": True},
            )
            if not answer:
                return None, None
            model = action["res_model"]
            self.views[xmlid] = {
                k: View(answer, k, model) for k in answer["views"] if k in ("list", "form", "kanban", "pivot")
            } | {"search": answer["views"]["search"]["arch"]}
        return action, self.views[xmlid]

    def action_context(self, action):
        ctx = action.get("context") or {}
        if isinstance(ctx, str):  # a context with expressions: only its literal search defaults matter here
            ctx = dict(re.findall(r"'(search_default_\w+)':\s*(\d)", ctx))
            ctx = {k: int(v) for k, v in ctx.items()}
        return ctx

    def list_records(self, label, xmlid, kind="list", limit=80):
        action, views = self.open_action(label, xmlid)
        if not action:
            return [], None, None
        domain = search_defaults(views["search"], self.action_context(action), self.uid)
        view = views[kind]
        rows = self.call(
            self.name(f"{label}: web_search_read"),
            action["res_model"],
            "web_search_read",
            domain=domain,
            specification=view.spec,
            offset=0,
            order=view.order(),
            limit=limit,
            count_limit=10001,
        )
        return (rows or {}).get("records", []), action, views

    def open_form(self, label, model, res_id, views, chatter=True):
        form = views["form"] if "form" in views else None
        spec = form.spec if form else {"display_name": {}}
        rows = self.call(self.name(f"{label}: web_read"), model, "web_read", [res_id], specification=spec)
        if chatter:
            self.chatter(label, model, res_id)
        return rows[0] if rows else None

    def chatter(self, label, model, res_id):
        request_list = [
            "activities", "attachments", "contact_fields", "followers", "scheduledMessages", "suggestedRecipients"
        ]  # fmt: skip
        thread = {"thread_model": model, "thread_id": res_id, "request_list": request_list}
        self.rpc(
            "/mail/data", self.name(f"{label}: chatter data"), {"fetch_params": [["mail.thread", thread]], "context": self.ctx}
        )
        self.rpc(
            "/mail/thread/messages",
            self.name(f"{label}: chatter messages"),
            {"thread_model": model, "thread_id": res_id, "fetch_params": {"limit": 30}},
        )

    def dialog(self, label, action, values, confirm="action_confirm", change=None):
        """A wizard opened by an action (target new): its form's default values, an onchange when the user
        changes `change`, web_save of what the user entered, and the confirm button; that button's result."""
        model = action["res_model"]
        ctx = action.get("context") or {}
        key = f"dialog:{model}"
        if key not in self.views:
            answer = self.call(self.name(f"{label}: get_views"), model, "get_views", views=[[False, "form"]], options={})
            if not answer:
                return None
            self.views[key] = View(answer, "form", model)
        spec = self.views[key].spec
        new = self.call(self.name(f"{label}: onchange"), model, "onchange", [], {}, [], spec, context=ctx)
        if not new:
            return None
        record = {k: v for k, v in new["value"].items() if not isinstance(v, (list, dict))}
        record.update(values)
        if change:
            changed = self.call(
                self.name(f"{label}: onchange {change}"), model, "onchange", [], record, [change], spec, context=ctx
            )
            record.update({k: v for k, v in ((changed or {}).get("value") or {}).items() if not isinstance(v, (list, dict))})
        self.think(5, 20)
        if WARMUP:
            return None
        vals = {k: v for k, v in record.items() if k in values or k in ("callback_id", "callback_day", "callback_time")}
        saved = self.call(self.name(f"{label}: web_save"), model, "web_save", [], vals, specification={}, context=ctx, write=True)
        if not saved:
            return None
        return self.call(self.name(f"{label}: {confirm}"), model, confirm, [saved[0]["id"]], button=True, context=ctx, write=True)


    def pivot(self, label, xmlid):
        """A pivot view's first load: every grouping set of its rows and columns in one call."""
        action, views = self.open_action(label, xmlid)
        if not action:
            return
        pivot = views["pivot"]
        rows, cols = pivot.axes()
        self.call(
            self.name(f"{label}: formatted_read_grouping_sets"),
            action["res_model"],
            "formatted_read_grouping_sets",
            domain=search_defaults(views["search"], self.action_context(action), self.uid),
            grouping_sets=[[], rows, cols, rows + cols],
            aggregates=pivot.measures(),
        )


class Agent(Browser):
    role = "agent"
    weight = 1

    @task
    def cycle(self):
        if random.random() < BASELINE_SHARE:
            self.baseline()
        rows, _action, views = self.list_records("queue", "insurance_claim_callback.claim_callback_action_my_queue")
        if not rows:
            self.think(5, 20)
            return
        self.think(5, 20)
        target = random.choice(rows[:5])["id"]
        record = self.open_form("callback form", "claim.callback", target, views)
        if not record or record.get("state") not in ("scheduled", "in_progress"):
            return
        self.think(5, 20)
        action = self.call(self.name("log call: open"), "claim.callback", "action_log_call", [target], button=True, write=True)
        if not action:
            return
        self.think(60, 180)  # on the phone
        outcome = random.choices(["reached", "no_answer", "busy", "call_back_later"], [60, 20, 5, 15])[0]
        values = {"outcome": outcome, "note": f"Load bench: {outcome}", "duration_minutes": random.randint(1, 8)}
        change = "outcome" if outcome == "call_back_later" else None
        label = "call back later" if change else "log call"
        result = self.dialog(label, action, values, change=change)
        if result and result.get("res_model") == "claim.callback.outcome":
            outcome_values = {
                "satisfaction": random.choices("54321", [40, 30, 15, 10, 5])[0],
                "nps": str(random.randint(0, 10)),
                "feedback": random.choice(FEEDBACK) or False,
            }
            self.dialog("outcome", result, outcome_values)
        self.open_form("callback form (reload)", "claim.callback", target, views)
        self.think(5, 20)

    def baseline(self):
        """The same kinds of screen in Odoo's own Helpdesk and Contacts apps, by the same user."""
        action, views = self.open_action("baseline tickets", "helpdesk_mgmt.helpdesk_ticket_action")
        if not action:
            return
        kanban = views["kanban"]
        groups = self.call(
            self.name("baseline tickets: web_read_group"),
            "helpdesk.ticket",
            "web_read_group",
            domain=[],
            groupby=["stage_id"],
            aggregates=[],
            auto_unfold=True,
            unfold_read_specification=kanban.spec,
            unfold_read_default_limit=40,
        )
        records = [r for g in (groups or {}).get("groups", []) for r in g.get("__records", [])]
        self.think(5, 20)
        if records:
            ticket = random.choice(records)["id"]
            self.open_form("baseline ticket form", "helpdesk.ticket", ticket, views)
            self.think(5, 20)
            if not WARMUP:
                self.rpc(
                    "/mail/message/post",
                    self.name("baseline ticket: post note"),
                    {
                        "thread_model": "helpdesk.ticket",
                        "thread_id": ticket,
                        "post_data": {"body": "Load bench note", "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
                        "context": self.ctx,
                    },
                    write=True,
                )
        rows, _action, views = self.list_records("baseline contacts", "base.action_partner_form")
        self.think(5, 20)
        if rows:
            self.open_form("baseline contact form", "res.partner", random.choice(rows)["id"], views)
            self.think(5, 20)


class Supervisor(Browser):
    role = "supervisor"
    fixed_count = SUPERVISORS

    @task
    def cycle(self):
        self.review("sla risk", "insurance_claim_callback.claim_callback_action_sla_risk", "claim.callback", "reassign")
        if random.random() < BASELINE_SHARE:
            self.review("baseline tickets", "helpdesk_mgmt.helpdesk_ticket_action", "helpdesk.ticket", "baseline reassign")

    def review(self, label, xmlid, model, save_label):
        """A list, the form and chatter of one of its first rows, and its reassignment to another agent of
        the team (web_save, which answers the form's fields again)."""
        rows, _action, views = self.list_records(label, xmlid)
        self.think(10, 30)
        if not rows:
            return
        target = random.choice(rows[:20])["id"]
        record = self.open_form(f"{label} form", model, target, views)
        self.think(10, 30)
        current = ((record or {}).get("user_id") or {}).get("id")
        agents = [a for a in self.me.get("agents", []) if a != current]
        if record and agents and not WARMUP:
            self.call(self.name(f"{save_label}: web_save"), model, "web_save", [target],
                      {"user_id": random.choice(agents)}, specification=views["form"].spec, write=True)  # fmt: skip
        self.think(10, 30)


class Manager(Browser):
    role = "manager"
    fixed_count = MANAGERS

    @task
    def cycle(self):
        rows, _action, views = self.list_records("kpi", "insurance_claim_callback.claim_callback_kpi_action")
        self.think(10, 30)
        if rows:
            kpi = random.choice(rows)["id"]
            self.open_form("kpi form", "claim.callback.kpi", kpi, views, chatter=False)
            self.think(5, 15)
            report = "insurance_claim_callback.report_claim_callback_kpi"
            with self.client.get(
                f"/report/pdf/{report}/{kpi}", name=self.name(f"GET /report/pdf/{report}/<id>"), catch_response=True, timeout=120
            ) as resp:
                if resp.status_code != 200 or not resp.content.startswith(b"%PDF"):
                    resp.failure(f"HTTP {resp.status_code}, not a PDF")
            self.think(10, 30)
        self.pivot("analysis pivot", "insurance_claim_callback.claim_callback_analysis_action")
        self.think(10, 30)
        if random.random() < BASELINE_SHARE:
            self.pivot("baseline ticket pivot", "helpdesk_mgmt.helpdesk_ticket_reporting_action")
        self.think(20, 60)
