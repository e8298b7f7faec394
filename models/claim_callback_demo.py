"""Demo data: three months of callback history, made by the service methods themselves
(demo/claim_callback_demo_history.xml calls `_demo_generate_history` at install).

Each step of a claim's life (closure, attempt, result, issue resolved, points redeemed) runs
the real service methods "now", inside `_demo_at(when, ...)`: afterwards every date that
the step stamped or computed from "now" is moved back by the same offset, so the step
looks as if it had run at `when` (deadlines, retries and expiries keep their distance to
it), and the met / missed SLA statuses are decided again on the moved dates.
"""

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .claim_callback import BATCH_CONTEXT, OPEN_STATES

DEMO_PREFIX = "CLM-DEMO-"
# what `_demo_at` moves in time
SHIFTED_MODELS = ("helpdesk.ticket", "claim.callback", "claim.callback.attempt", "claim.reward.entry", "mail.message")

# (name, phone, e-mail, time zone, speaks Chinese)
CUSTOMERS = [
    ("Lee Chia-Hao", "+886 2 2720 1001", "chiahao.lee@example.com", "Asia/Taipei", True),
    ("Wu Pei-Shan", "+886 4 2251 2002", "peishan.wu@example.com", "Asia/Taipei", True),
    ("Tsai Ming-Che", "+886 7 3311 3003", "mingche.tsai@example.com", "Asia/Taipei", True),
    ("Lin Shu-Fen", "+886 2 2700 4004", "shufen.lin@example.com", "Asia/Taipei", True),
    ("Huang Kuan-Yu", "+886 3 5770 5005", "kuanyu.huang@example.com", "Asia/Taipei", True),
    ("Chang Hsin-Yi", "+886 6 2740 6006", "hsinyi.chang@example.com", "Asia/Taipei", True),
    ("Kao Wen-Chieh", "+886 2 2345 7007", "wenchieh.kao@example.com", "Asia/Taipei", True),
    ("Hsu Ya-Wen", "+886 4 2320 8008", "yawen.hsu@example.com", "Asia/Taipei", True),
    ("Liu Yang", "+86 21 6888 9009", "liu.yang@example.com", "Asia/Shanghai", True),
    ("Zhou Min", "+86 10 8532 1010", "zhou.min@example.com", "Asia/Shanghai", True),
    ("Chan Ka-Wai", "+852 2877 1111", "kawai.chan@example.com", "Asia/Hong_Kong", True),
    ("Emily Carter", "+44 20 7946 1212", "emily.carter@example.com", "Europe/London", False),
    ("James Wilson", "+1 415 555 1313", "james.wilson@example.com", "America/Los_Angeles", False),
    ("Sophie Dubois", "+33 1 44 55 14 14", "sophie.dubois@example.com", "Europe/Paris", False),
    ("Daniel Schmidt", "+49 30 1234 1515", "daniel.schmidt@example.com", "Europe/Berlin", False),
    ("Olivia Brown", "+61 2 9374 1616", "olivia.brown@example.com", "Australia/Sydney", False),
    ("Michael Tan", "+65 6123 1717", "michael.tan@example.com", "Asia/Singapore", False),
    ("Anna Kowalski", "+48 22 555 1818", "anna.kowalski@example.com", "Europe/Warsaw", False),
]
# more customers, made up from these parts once the list above is used
ZH_NAMES = (["Chen", "Wang", "Yang", "Cheng", "Hsieh", "Kuo", "Hung", "Tseng"],
            ["Chih-Wei", "Mei-Hua", "Yu-Ting", "Chun-Hung", "Hui-Chen", "Po-Han", "Pei-Yu", "Tzu-Yang"])
EN_NAMES = (["Grace", "Thomas", "Laura", "Henry", "Chloe", "Lucas", "Hannah", "Oliver"],
            ["Miller", "Evans", "Lopez", "Nguyen", "Clark", "Walker", "Young", "Harris"])
EN_TZ = ["Europe/London", "America/New_York", "Europe/Paris", "Australia/Sydney", "Asia/Singapore"]
OPTED_OUT_CUSTOMER = ("Peter Novak", "+420 2 2222 1919", "peter.novak@example.com", "Europe/Prague", False)

# claim category code: [(title, policy prefix, (min, max) amount)]
CLAIMS = {
    "major": [
        ("Hospitalisation: knee surgery", "MED", (90000, 260000)),
        ("House fire: kitchen and living room", "HOM", (150000, 600000)),
        ("Car total loss after collision", "MTR", (200000, 800000)),
        ("Critical illness benefit", "MED", (300000, 1000000)),
    ],
    "routine": [
        ("Car accident: rear bumper repair", "MTR", (8000, 40000)),
        ("Outpatient treatment: physiotherapy", "MED", (2000, 12000)),
        ("Windscreen replacement", "MTR", (4000, 15000)),
        ("Lost luggage on a flight", "TRV", (3000, 20000)),
        ("Dental treatment", "MED", (2500, 18000)),
        ("Stolen bicycle", "HOM", (5000, 30000)),
    ],
    "special": [
        ("Water damage: disputed cause", "HOM", (30000, 120000)),
        ("Typhoon damage to roof tiles", "HOM", (40000, 180000)),
        ("Ex-gratia payment after late notification", "MTR", (10000, 60000)),
    ],
}
# (English, Traditional Chinese) texts of results
FEEDBACK = {
    "good": [
        ("The agent was friendly and the payment arrived quickly. Thank you!",
         "專員很親切，理賠款也很快就入帳了，謝謝！"),
        ("Very clear explanation of the settlement, I am satisfied.", "理賠說明非常清楚，我很滿意。"),
        ("Fast and professional service, I will recommend you.", "服務快速又專業，我會推薦給朋友。"),
        ("Everything went smoothly, great job.", "整個流程都很順利，做得很好。"),
    ],
    "neutral": [
        ("The claim was paid, but it took a while.", "理賠有付款，只是花了一些時間。"),
        ("It was acceptable, nothing special.", "還可以，沒有特別的感覺。"),
    ],
    "bad": [
        ("Nobody told me why part of the claim was refused. Very disappointed.",
         "沒有人告訴我為什麼部分理賠被拒絕，非常失望。"),
        ("The payment was late and I had to call three times. Terrible service.",
         "款項延遲入帳，我打了三次電話，服務很差。"),
        ("The garage estimate was cut without explanation, unacceptable.",
         "修車估價被刪減卻沒有說明，無法接受。"),
    ],
}
ISSUES = [
    ("Explain the refused part of the claim", "說明被拒絕理賠的部分"),
    ("Payment not received yet", "尚未收到理賠款"),
    ("Wrong bank account on the settlement letter", "理賠通知書上的銀行帳號錯誤"),
    ("Send a copy of the settlement documents", "寄送理賠文件副本"),
]
COMPLAINTS = [
    ("Complaint: the adjuster was rude on the phone", "投訴：理賠員電話中態度不佳"),
    ("Complaint: settlement took more than a month", "投訴：理賠超過一個月才處理完"),
]
SUGGESTIONS = [
    ("Send an SMS when the payment is made.", "付款時請發簡訊通知。"),
    ("Let me upload documents in the app.", "希望可以在 App 上傳文件。"),
]
# How the first callbacks of each month go: the team improves, the KPIs show a trend.
KINDS = ["satisfied", "issues", "low", "unreachable", "questionnaire", "cancelled"]
MONTHS = [  # (kind weights, share of first attempts within 24 h, of issues resolved within 48 h,
    #          of complaints among issues, of repeat customers)
    ([46, 26, 9, 8, 6, 5], 0.6, 0.5, 0.55, 0.35),
    ([58, 17, 7, 7, 7, 4], 0.75, 0.7, 0.4, 0.22),
    ([66, 14, 5, 4, 7, 4], 0.88, 0.9, 0.25, 0.12),
]


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    @api.model
    def _demo_agent_languages(self):
        """The demo agent Lin Ya-Ting works in Traditional Chinese, when it is installed (tools/run installs
        zh_TW and zh_CN with the demo; a database without them keeps her in English)."""
        if self.env["res.lang"]._lang_get("zh_TW"):
            self.env.ref("insurance_claim_callback.user_callback_agent_1_demo").sudo().lang = "zh_TW"

    @api.model
    def _demo_generate_history(self, claims_per_month=22):
        """Three months of claims, callbacks, attempts, results, feedback issues, points and KPI
        snapshots, ending today; a few callbacks left open in every SLA status. Runs once."""
        env = self.env(su=True, context=dict(self.env.context, **BATCH_CONTEXT))
        self = self.with_env(env)  # noqa: PLW0642 (demo data: the system writes)
        Ticket = env["helpdesk.ticket"]
        if Ticket.search_count([("claim_number", "=like", f"{DEMO_PREFIX}%")], limit=1):
            return False
        rng = random.Random(42)
        ctx = self._demo_setup()
        now = ctx["now"]
        first_month = (now.date().replace(day=1) - relativedelta(months=3))
        company = env.company
        company.write({
            "callback_baseline_start": first_month,
            "callback_baseline_end": first_month + relativedelta(months=1, days=-1),
            "reward_point_value": company.reward_point_value or 0.1,
        })
        latest = now - timedelta(days=12)  # every step of a historical claim is over by today
        for m in range(3):
            month = first_month + relativedelta(months=m)
            weights, quality, ctx["resolved"], ctx["complaints"], ctx["repeat"] = MONTHS[m]
            for i in range(claims_per_month):
                start = datetime.combine(month, time(1)) + timedelta(
                    days=rng.randrange(0, 28), hours=rng.randrange(0, 9), minutes=rng.randrange(60)
                )
                ticket = self._demo_claim(rng, ctx, min(start, latest - timedelta(hours=rng.randrange(200))))
                # every kind at least once, whatever the dates of the run
                kind = KINDS[i] if m == 0 and i < len(KINDS) else rng.choices(KINDS, weights)[0]
                self._demo_claim_history(rng, ctx, ticket, kind, quality)
        for closed in (first_month + relativedelta(days=9), first_month + relativedelta(months=2, days=3)):
            self._demo_claim(rng, ctx, datetime.combine(closed, time(3)), partner=ctx["opted_out"])
        self._demo_redemptions(rng, ctx, now)
        self._demo_open_callbacks(rng, ctx, now)
        # the calling windows in the customers' days of today, not moved back with the steps' other dates
        self.search([("state", "in", OPEN_STATES)])._refresh_callable_window()
        self._sla_check(limit=1000)  # today's statuses and escalations, as the SLA cron would
        Kpi = env["claim.callback.kpi"]
        for m in range(4):  # the three months and the current one
            Kpi.compute_month(first_month + relativedelta(months=m), company)
        return True

    # ------------------------------------------------------------------
    # Time travel without a frozen clock
    # ------------------------------------------------------------------

    @contextmanager
    def _demo_at(self, when, ticket=None, partner=None):
        """Run the block's service calls as if at `when` (see the module docstring)."""
        env, cr = self.env, self.env.cr
        env.flush_all()
        before = self._demo_snapshot(ticket, partner)
        last_message = before.pop(("mail_message", None))
        started = fields.Datetime.now() - timedelta(seconds=1)
        shift = started - when
        yield
        env.flush_all()
        after = self._demo_snapshot(ticket, partner)
        after.pop(("mail_message", None))
        tx_now = cr.now()
        queries = [SQL("UPDATE mail_message SET date = %s WHERE id > %s", when, last_message)]
        for (table, row_id), row in after.items():
            old = before.get((table, row_id), {})
            moved = {
                col: (value - shift if value >= started else when)
                for col, value in row.items()
                if value and value != old.get(col) and (value >= started or value == tx_now)
            }
            if moved:
                sets = SQL(", ").join(SQL("%s = %s", SQL.identifier(col), val) for col, val in moved.items())
                queries.append(SQL("UPDATE %s SET %s WHERE id = %s", SQL.identifier(table), sets, row_id))
        if ticket:
            queries += self._demo_refreeze_queries(ticket)
        cr.execute(SQL(";\n").join(queries))  # one round trip
        for model in SHIFTED_MODELS:
            env[model].invalidate_model()

    def _demo_scope(self, ticket, partner):
        """(model, WHERE) of the rows a step of this claim or customer may stamp."""
        scope = []
        if ticket:
            callbacks = SQL("SELECT id FROM claim_callback WHERE ticket_id = %s", ticket.id)
            scope += [
                ("helpdesk.ticket", SQL("id = %s OR source_callback_id IN (%s)", ticket.id, callbacks)),
                ("claim.callback", SQL("ticket_id = %s", ticket.id)),
                ("claim.callback.attempt", SQL("callback_id IN (%s)", callbacks)),
            ]
            partner = partner or ticket.partner_id
        if partner:
            scope.append(("claim.reward.entry", SQL("partner_id = %s", partner.id)))
        return scope

    def _demo_snapshot(self, ticket, partner):
        """{(table, id): {column: value}} of the date columns in scope, and the last message id, in one query."""
        columns, selects = {}, [SQL("SELECT 'mail_message', max(id), ARRAY[]::timestamp[] FROM mail_message")]
        for model, where in self._demo_scope(ticket, partner):
            Model = self.env[model]
            cols = [name for name, f in Model._fields.items() if f.type == "datetime" and f.store and f.column_type]
            columns[Model._table] = cols
            selects.append(SQL(
                "SELECT %s, id, ARRAY[%s]::timestamp[] FROM %s WHERE %s",
                Model._table, SQL(", ").join(SQL.identifier(col) for col in cols), SQL.identifier(Model._table), where,
            ))
        self.env.cr.execute(SQL(" UNION ALL ").join(selects))
        rows = {}
        for table, row_id, values in self.env.cr.fetchall():
            if table == "mail_message":
                rows[table, None] = row_id or 0
            else:
                rows[table, row_id] = dict(zip(columns[table], values, strict=True))
        return rows

    def _demo_refreeze_queries(self, ticket):
        """Met or missed again, on the moved dates (they were decided against the real clock)."""
        queries = []
        for target, done in self._sla_targets().items():
            queries.append(SQL(
                """UPDATE claim_callback SET %(status)s = CASE WHEN %(deadline)s IS NULL OR %(done)s <= %(deadline)s
                          THEN 'met' ELSE 'missed' END
                    WHERE ticket_id = %(ticket)s AND %(done)s IS NOT NULL AND %(status)s IN ('met', 'missed')""",
                status=SQL.identifier(f"sla_{target}_status"), deadline=SQL.identifier(f"sla_{target}_deadline"),
                done=SQL.identifier(done), ticket=ticket.id,
            ))
        queries.append(SQL(
            """UPDATE helpdesk_ticket SET sla_resolution_status = CASE WHEN sla_resolution_deadline IS NULL
                      OR closed_date <= sla_resolution_deadline THEN 'met' ELSE 'missed' END
                WHERE source_callback_id IN (SELECT id FROM claim_callback WHERE ticket_id = %s)
                  AND closed_date IS NOT NULL AND sla_resolution_status IN ('met', 'missed')""",
            ticket.id,
        ))
        return queries

    # ------------------------------------------------------------------
    # Customers, teams, claims
    # ------------------------------------------------------------------

    @api.model
    def _demo_setup(self):
        env = self.env
        agent_group = env.ref("insurance_claim_callback.group_callback_agent")
        teams = {
            key: env.ref(f"insurance_claim_callback.helpdesk_team_{key}_demo") for key in ("claims", "motor", "care")
        }
        env.company.callback_complaints_team_id = teams["care"]
        name, phone, email, tz, _chinese = OPTED_OUT_CUSTOMER
        opted_out = env["res.partner"].create(
            {"name": name, "phone": phone, "email": email, "tz": tz, "callback_consent": "refused"}
        )
        return {
            "customers": [],
            "chinese": set(),
            "lang": "zh_TW" if env["res.lang"]._lang_get("zh_TW") else None,
            "opted_out": opted_out,
            "teams": teams,
            "agents": {t.id: t.user_ids.filtered(lambda u: agent_group in u.all_group_ids) for t in teams.values()},
            "supervisor": env.ref("insurance_claim_callback.user_callback_supervisor_demo"),
            "stage_done": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done"),
            "categories": {code: env.ref(f"insurance_claim_callback.claim_category_{code}") for code in CLAIMS},
            "policies": {},
            "seq": 0,
            "now": fields.Datetime.now(),  # of the run: the history ends here
        }

    @api.model
    def _demo_customer(self, rng, ctx):
        """A customer for a new claim: often one who claimed before (a repeat claim), else a new one."""
        if ctx["customers"] and rng.random() < ctx["repeat"]:
            return rng.choice(ctx["customers"])
        i = len(ctx["customers"])
        if i < len(CUSTOMERS):
            name, phone, email, tz, chinese = CUSTOMERS[i]
        else:
            chinese = rng.random() < 0.65
            first, last = ZH_NAMES if chinese else EN_NAMES
            name = f"{rng.choice(first)} {rng.choice(last)}"
            phone = f"+886 9{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
            email = f"{name.lower().replace(' ', '.')}.{i}@example.com"
            tz = "Asia/Taipei" if chinese else rng.choice(EN_TZ)
        partner = self.env["res.partner"].create({
            "name": name, "phone": phone, "email": email, "tz": tz,
            **({"lang": ctx["lang"]} if chinese and ctx["lang"] else {}),
        })
        ctx["customers"].append(partner)
        if chinese:
            ctx["chinese"].add(partner.id)
        return partner

    @api.model
    def _demo_claim(self, rng, ctx, closed, partner=None):
        """A claim closed at `closed`, its first callback scheduled by the scheduler."""
        code = rng.choices(list(CLAIMS), [25, 55, 20])[0]
        title, prefix, (low, high) = rng.choice(CLAIMS[code])
        partner = partner or self._demo_customer(rng, ctx)
        ctx["seq"] += 1
        # a customer's second claim on the same kind of policy: a repeat claim in the KPIs
        policy = ctx["policies"].setdefault((partner.id, prefix), f"POL-{prefix}-{rng.randrange(10000, 99999)}")
        amount = rng.randrange(low, high, 100)
        team = ctx["teams"]["motor" if prefix == "MTR" else "claims"]
        ticket = self.env["helpdesk.ticket"].create({
            "name": title,
            "description": title,
            "is_claim": True,
            "claim_number": f"{DEMO_PREFIX}{ctx['seq']:04d}",
            "policy_number": policy,
            "claim_category_id": ctx["categories"][code].id,
            "claim_amount": amount,
            "paid_amount": round(amount * rng.choice((1, 1, 1, 0.9, 0.75, 0.5)), -2),
            "partner_id": partner.id,
            "team_id": team.id,
        })
        with self._demo_at(closed, ticket):
            ticket.stage_id = ctx["stage_done"]
            self._schedule_first_callbacks(domain=[("id", "=", ticket.id)])
            agents = ctx["agents"][team.id]
            if ticket.callback_ids and agents:  # the supervisor spreads the work
                ticket.callback_ids.user_id = rng.choice(agents)
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (closed - timedelta(days=rng.randrange(5, 40), hours=rng.randrange(24)), ticket.id),
        )
        return ticket

    # ------------------------------------------------------------------
    # The life of a callback
    # ------------------------------------------------------------------

    @api.model
    def _demo_claim_history(self, rng, ctx, ticket, kind, quality):
        """Run the claim's chain of callbacks: attempts, results, feedback issues resolved."""
        late = rng.random() > quality
        when = ticket.closed_date + timedelta(hours=rng.uniform(26, 60) if late else rng.uniform(1, 20))
        callback = ticket.callback_ids
        while callback and when < ctx["now"] - timedelta(hours=2):
            done_at = callback._demo_callback(rng, ctx, kind, when)
            if not done_at:
                return
            when = callback._demo_resolve_issues(rng, ctx, done_at) or done_at
            callback = ticket.callback_ids.filtered(lambda c: c.state in OPEN_STATES)
            if callback:
                agents = ctx["agents"][callback.team_id.id]
                if agents:
                    callback.user_id = rng.choice(agents)
                when += timedelta(hours=rng.uniform(2, 30))
                kind = "satisfied" if rng.random() < 0.75 else ("low" if callback.sequence < 3 else "issues")

    def _demo_as(self, user):
        return self.with_env(self.env(user=user.id or self.env.uid, su=True))

    def _demo_attempt(self, when, channel, outcome, duration=0, **kwargs):
        with self._demo_at(when, self.ticket_id):
            self._demo_as(self.user_id).register_attempt(channel, outcome, duration, **kwargs)

    def _demo_callback(self, rng, ctx, kind, when):
        """One callback's attempts and outcome; return when its result was recorded (None: no result)."""
        self.ensure_one()
        if kind in ("unreachable", "questionnaire"):
            if rng.random() < 0.3:
                self._demo_attempt(when, "phone", "wrong_number", 15)
            else:
                for _i in range(3):
                    self._demo_attempt(when, "phone", rng.choice(("no_answer", "no_answer", "busy")))
                    when += timedelta(hours=rng.uniform(2, 5))
            sent = self.fallback_date or when
            with self._demo_at(sent, self.ticket_id):  # what the fallback cron does
                now = fields.Datetime.now()
                self.write({"fallback_sent_date": now, "survey_expiry_date": now + timedelta(days=7)})
                channels = ["sms", "email"] + (["wechat"] if self.partner_id.id in ctx["chinese"] else [])
                for channel in channels:
                    outcome = "message_failed" if channel == "email" and rng.random() < 0.2 else "message_sent"
                    self._demo_as(self.user_id).register_attempt(channel, outcome)
            if kind == "unreachable":
                with self._demo_at(self.survey_expiry_date, self.ticket_id):
                    self._set_unreachable()
                return None
            when = sent + timedelta(hours=rng.uniform(3, 60))
            with self._demo_at(when, self.ticket_id):  # the customer answers the questionnaire
                self._demo_result(rng, ctx, rng.choice(("satisfied", "satisfied", "low", "issues")))
                self.env["claim.reward.rule"]._reward_event("survey_completed", self)
            return when
        if kind == "cancelled":
            if rng.random() < 0.5:
                self._demo_attempt(when, "phone", "refused", 40)
            with self._demo_at(when + timedelta(hours=1), self.ticket_id):
                self._demo_as(ctx["supervisor"]).action_cancel()
            return None
        for _i in range(rng.choices((0, 1, 2), (55, 30, 15))[0]):
            outcome = rng.choice(("no_answer", "no_answer", "busy", "call_back_later"))
            self._demo_attempt(when, "phone", outcome, 30 if outcome == "call_back_later" else 0)
            when += timedelta(hours=rng.uniform(2, 6))
        with self._demo_at(when, self.ticket_id):
            self._demo_as(self.user_id).register_attempt("phone", "reached", rng.randrange(120, 900))
            self._demo_result(rng, ctx, kind)
        if self.suggestions and rng.random() < 0.6:
            with self._demo_at(when + timedelta(days=1), self.ticket_id):
                self._demo_as(ctx["supervisor"]).action_accept_suggestion()
        return when

    def _demo_result(self, rng, ctx, kind):
        lang = 1 if self.partner_id.id in ctx["chinese"] else 0
        def pick(texts):
            return rng.choice(texts)[lang]
        issues, suggestions = None, None
        if kind == "satisfied":
            satisfaction, nps = rng.choice((4, 5, 5)), rng.randrange(7, 11)
            feedback = pick(FEEDBACK["good"]) if rng.random() < 0.75 else None
            suggestions = pick(SUGGESTIONS) if rng.random() < 0.2 else None
        elif kind == "low":
            satisfaction, nps, feedback = 3, rng.randrange(4, 8), pick(FEEDBACK["neutral"])
        else:
            satisfaction, nps, feedback = rng.randrange(1, 4), rng.randrange(0, 6), pick(FEEDBACK["bad"])
            issues = [pick(ISSUES)]
            if rng.random() < ctx["complaints"] or not ctx.get("complained"):
                ctx["complained"] = True
                issues.append({"name": pick(COMPLAINTS), "is_complaint": True})
        self._demo_as(self.user_id).register_result(
            satisfaction, nps=nps, feedback=feedback, issues=issues, suggestions=suggestions
        )

    def _demo_resolve_issues(self, rng, ctx, done_at):
        """Close the callback's feedback issues, most within 48 h; return when the last one closed."""
        plan = []
        for issue in self.feedback_ticket_ids.sorted("id"):
            hours = rng.uniform(3, 44) if rng.random() < ctx["resolved"] else rng.uniform(50, 110)
            plan.append((done_at + timedelta(hours=hours), issue))
        plan.sort(key=lambda planned: planned[0])
        last = None
        for when, issue in plan:
            if when > ctx["now"] - timedelta(hours=2):
                break  # still open today
            with self._demo_at(when, self.ticket_id):
                issue.stage_id = ctx["stage_done"]  # the last one lets the chain go on
            last = when
        return last

    # ------------------------------------------------------------------
    # Points redeemed, today's open work
    # ------------------------------------------------------------------

    @api.model
    def _demo_redemptions(self, rng, ctx, now):
        """Some customers spend part of their points, a few days after their last earning."""
        Entry = self.env["claim.reward.entry"]
        balances = Entry._balances(self.env["res.partner"].union(*ctx["customers"]), self.env.company)
        for partner, balance in sorted(balances.items(), key=lambda item: item[0].id):
            if balance < 30 or rng.random() < 0.4:
                continue
            last_earn = max(Entry.search([("partner_id", "=", partner.id), ("kind", "=", "earn")]).mapped("date"))
            when = min(last_earn + timedelta(days=rng.uniform(1, 10)), now - timedelta(hours=rng.uniform(2, 48)))
            with self._demo_at(when, partner=partner):
                reason = "禮券兌換" if partner.id in ctx["chinese"] else "Gift voucher"  # the customer's words
                partner.reward_redeem(rng.choice((20, 30)), reason=reason)

    @api.model
    def _demo_open_callbacks(self, rng, ctx, now):
        """Claims of the last days, in every SLA status (the SLA check that follows sets them)."""
        def hours(h):
            return now - timedelta(hours=h)
        # (hours since closure, attempts as (hours ago, outcome), result)
        scenarios = [
            (2, [], None),                                        # scheduled, on track
            (5, [(3, "no_answer"), (1, "busy")], None),           # retry planned in the calling window
            (10, [(1, "call_back_later")], None),                 # paused until the customer's time
            (21, [], None),                                       # first contact at risk
            (30, [], None),                                       # first contact breached
            (62, [(40, "no_answer")], None),                      # completion at risk
            (80, [(60, "no_answer"), (57, "busy")], None),        # completion breached
            (30, [(6, "reached")], "satisfied"),                  # done today
            (100, [(60, "reached")], "issues"),                   # its feedback issues breached
            (60, [(42, "reached")], "issues"),                    # its feedback issues at risk
        ]
        for since, attempts, result in scenarios:
            ticket = self._demo_claim(rng, ctx, hours(since))
            callback = ticket.callback_ids
            for ago, outcome in attempts:
                with self._demo_at(hours(ago), ticket):
                    kwargs = {}
                    if outcome == "call_back_later":  # the customer's time, ~20 h from today
                        kwargs["callback_at"] = fields.Datetime.now() + timedelta(hours=ago + 20)
                    callback._demo_as(callback.user_id).register_attempt("phone", outcome, 60, **kwargs)
                    if result:
                        callback._demo_result(rng, ctx, result)
