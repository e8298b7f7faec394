"""The agent's "work next" queue: who to call now and why, deadlines as hour countdowns.

*Call Now* holds the open callbacks whose customer may be called at this moment: their next try
has come and the company's calling window is open in the customer's time zone. The others wait
under *Not Callable Yet* with the local time their window opens; a callback whose phone tries are
used up leaves the queue for the fallback message (claim_callback_fallback.py).

The section is not stored: it is computed at the moment of each query from two stored moments
(`callable_from`, `callable_until`: the calling window of the next try), so that it is exact
whenever the list is read. It is searched through a domain on them, and sorted and grouped by
through the same rule in SQL (`_field_to_sql`). The SLA cron moves
the stored window to the next day once it has closed.

The queue's order is QUEUE_ORDER, in one place: the queue list's default order, the kanban's and
"Next Callback" use it (a test checks that the views agree).
"""

import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .claim_callback import OPEN_STATES
from .claim_callback_contact import FAILED_PHONE_OUTCOMES
from .claim_sla_mixin import FROZEN_SLA_STATUSES
from .locale_format import bracket, format_moment_tz, format_time_local, format_tz_name
from .res_partner_callback_risk import RISK_LEVELS, RISK_REASONS

QUEUE_SECTIONS = [
    ("1_now", "Call Now"),
    ("2_later", "Not Callable Yet"),
    ("3_fallback", "Phone Tries Used Up"),
    ("4_closed", "Closed"),
]
IN_QUEUE = ("1_now", "2_later")  # the agent's queue; the fallback and closed ones are not to be called
QUEUE_ORDER = "queue_section, next_due_hour, priority desc, answer_chance_now desc, next_due_date, id"
ESCALATION_ACTIVITY = "insurance_claim_callback.mail_activity_type_sla_escalation"
REASON_GLUE = " · "


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    callable_from = fields.Datetime(
        compute="_compute_callable_window",
        store=True,
        precompute=True,  # computed before the INSERT: no UPDATE per batch of created callbacks
        readonly=True,
        copy=False,
        help="When the next call may be made: the next try, moved into the calling window in the customer's "
        "time zone.",
    )
    callable_until = fields.Datetime(
        compute="_compute_callable_window",
        store=True,
        precompute=True,
        readonly=True,
        copy=False,
        help="When that calling window closes (empty: it never closes).",
    )
    queue_section = fields.Selection(
        QUEUE_SECTIONS,
        string="Queue",
        compute="_compute_queue_section",
        search="_search_queue_section",
        help="Call Now: the next try has come and the calling window is open in the customer's time zone. "
        "Not Callable Yet: the next try or the window comes later. Phone Tries Used Up: the questionnaire goes "
        "by message instead.",
    )
    queue_status = fields.Char(
        string="Callable", compute="_compute_queue_texts", help="Whether the customer may be called now, else when."
    )
    queue_reason = fields.Char(
        string="Why", compute="_compute_queue_texts", help="Why this callback is in the queue, and how urgent it is."
    )
    customer_risk = fields.Selection(RISK_LEVELS, compute="_compute_customer_risk")
    customer_risk_reason = fields.Selection(RISK_REASONS, compute="_compute_customer_risk", string="Risk Reason")
    next_due_date = fields.Datetime(
        string="Next Deadline",
        compute="_compute_next_due_date",
        store=True,
        precompute=True,
        help="The running SLA deadline that comes first: first contact until the customer is contacted, then completion.",
    )
    sla_countdown = fields.Char(string="Due", compute="_compute_sla_countdown")
    next_attempt_local = fields.Char(
        string="Next Try (Customer Time)",
        compute="_compute_next_attempt_local",
        help="When to try again, in the customer's local time.",
    )

    _queue_idx = models.Index("(user_id, next_due_date) WHERE state IN ('scheduled', 'in_progress')")
    # The SLA cron's search for calling windows that closed.
    _callable_until_idx = models.Index("(callable_until) WHERE state IN ('scheduled', 'in_progress')")

    # ------------------------------------------------------------------
    # Who may be called now
    # ------------------------------------------------------------------

    @api.depends("state", "next_attempt_date", "fallback_date", "fallback_sent_date", "partner_id.tz", "company_id")
    def _compute_callable_window(self):
        waiting = self.filtered(lambda c: c.state in OPEN_STATES and not c.fallback_date and not c.fallback_sent_date)
        (self - waiting).update({"callable_from": False, "callable_until": False})
        if not waiting:
            return
        now = fields.Datetime.now()
        settings = waiting._get_channel_settings()
        for callback in waiting:
            phone = settings[callback.company_id.id, "phone"]
            when = max(callback.next_attempt_date or now, now)
            callback.callable_from, callback.callable_until = phone._window_from(when, callback._get_customer_tz())

    @api.depends("state", "fallback_date", "fallback_sent_date", "callable_from", "callable_until")
    def _compute_queue_section(self):
        now = fields.Datetime.now()
        for callback in self:
            callback.queue_section = callback._queue_section_at(now)

    def _queue_section_at(self, now):
        """The section at `now`; `_queue_section_sql` says the same in SQL."""
        if self.state not in OPEN_STATES:
            return "4_closed"
        if self.fallback_date or self.fallback_sent_date:
            return "3_fallback"
        if (self.callable_from or now) <= now and (not self.callable_until or now < self.callable_until):
            return "1_now"
        return "2_later"

    def _search_queue_section(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        found = Domain.OR(self._queue_section_domain(section) for section in value if section)
        return found if operator == "in" else ~found

    @api.model
    def _queue_section_domain(self, section):
        """The callbacks in `section` now, as a domain on stored fields (their indexes serve it)."""
        now = fields.Datetime.now()
        is_open = Domain("state", "in", OPEN_STATES)
        fallback = Domain("fallback_date", "!=", False) | Domain("fallback_sent_date", "!=", False)
        window_open = (Domain("callable_from", "=", False) | Domain("callable_from", "<=", now)) & (
            Domain("callable_until", "=", False) | Domain("callable_until", ">", now)
        )
        return {
            "1_now": is_open & ~fallback & window_open,
            "2_later": is_open & ~fallback & ~window_open,
            "3_fallback": is_open & fallback,
            "4_closed": ~is_open,
        }.get(section, Domain.FALSE)

    def _field_to_sql(self, alias, field_expr, query=None):
        # sorting and grouping by the section: the same rule in SQL, at the query's moment
        if field_expr == "queue_section":
            return self._queue_section_sql(alias, query)
        return super()._field_to_sql(alias, field_expr, query)

    def _queue_section_sql(self, alias, query):
        def column(name):
            return self._field_to_sql(alias, name, query)

        return SQL(
            """CASE WHEN %(state)s NOT IN %(open)s THEN '4_closed'
                    WHEN %(fallback)s IS NOT NULL OR %(sent)s IS NOT NULL THEN '3_fallback'
                    WHEN COALESCE(%(opens)s, %(now)s) <= %(now)s AND (%(closes)s IS NULL OR %(closes)s > %(now)s)
                         THEN '1_now'
                    ELSE '2_later' END""",
            state=column("state"),
            open=OPEN_STATES,
            fallback=column("fallback_date"),
            sent=column("fallback_sent_date"),
            opens=column("callable_from"),
            closes=column("callable_until"),
            now=fields.Datetime.now(),
        )

    def _format_customer_moment(self, when, now, memo=None):
        """`when` in the customer's time, their time zone named; the time only on the customer's today.
        `memo`: a dict shared by the rows of one list, most of which show the same few moments."""
        self.ensure_one()
        tz = self._get_customer_tz()
        key = (tz, when, now)
        if memo is not None and key in memo:
            return memo[key]
        if self._to_customer_time(when).date() == self._to_customer_time(now).date():
            text = bracket(self.env, format_time_local(self.env, when, tz), format_tz_name(self.env, tz))
        else:
            text = format_moment_tz(self.env, when, tz)
        if memo is not None:
            memo[key] = text
        return text

    # ------------------------------------------------------------------
    # When and why to call, what risk
    # ------------------------------------------------------------------

    @api.depends("partner_id", "company_id")
    @api.depends_context("uid")
    def _compute_customer_risk(self):
        for company, batch in self.grouped("company_id").items():
            # the risk in the callback's company, whichever company the user works in
            partners = batch.partner_id.with_company(company)
            partners.fetch(["callback_risk", "callback_risk_reason"])
            by_id = {partner.id: partner for partner in partners}
            for callback in batch:
                partner = by_id.get(callback.partner_id.id)
                callback.customer_risk = partner.callback_risk if partner else False
                callback.customer_risk_reason = partner.callback_risk_reason if partner else False

    @api.depends(
        "state", "queue_section", "callable_from", "callable_until", "next_due_date", "sla_pause_until",
        "next_attempt_date", "sequence", "parent_id", "attempt_ids", "partner_id.tz", "customer_risk",
        "customer_risk_reason",
    )
    @api.depends_context("lang", "uid")
    def _compute_queue_texts(self):
        """The queue row's two texts, for a batch: one read of the attempts and of the calling hours."""
        working = self.filtered(lambda c: c.state in OPEN_STATES and c.id)
        (self - working).update({"queue_status": False, "queue_reason": False})
        if not working:
            return
        now, memo = fields.Datetime.now(), {}
        history = working._phone_history()
        settings = working._get_channel_settings()
        risk_reasons = dict(self._fields["customer_risk_reason"]._description_selection(self.env))
        for callback in working:
            phone = settings[callback.company_id.id, "phone"]
            callback.queue_status = callback._queue_status_text(now, phone, memo)
            failed, last_outcome = history.get(callback.id, (0, False))
            parts = [callback._queue_why(now, failed, phone.max_attempts, last_outcome, memo)]
            if callback.customer_risk == "high" and callback.customer_risk_reason:
                label = risk_reasons[callback.customer_risk_reason]
                parts.append(self.env._("high risk: %(reason)s", reason=label[:1].lower() + label[1:]))
            callback.queue_reason = REASON_GLUE.join(part for part in parts if part)

    def _queue_status_text(self, now, phone, memo):
        """'Call now', 'Opens 09:00 AM (Eastern Time)', 'Paused until ...', 'Phone tries used up'."""
        self.ensure_one()
        section = self.queue_section
        if section == "1_now":
            return self.env._("Call now")
        if section == "3_fallback":
            return self.env._("Phone tries used up")
        opens = self.callable_from
        if not opens or opens <= now:  # the window closed and the SLA cron has not moved it yet
            opens = phone._window_from(now, self._get_customer_tz())[0]
        if self.sla_paused_since and opens == self.sla_pause_until:
            return self._sla_paused_label(memo)
        return self.env._("Opens %(when)s", when=self._format_customer_moment(opens, now, memo))

    def _phone_history(self):
        """{callback id: (failed phone tries, outcome of the latest phone try)}, for the batch in one query."""
        groups = self.env["claim.callback.attempt"]._read_group(
            [("callback_id", "in", self.ids), ("channel", "=", "phone")],
            ["callback_id", "outcome"],
            ["__count", "id:max"],
        )
        failed, latest = defaultdict(int), {}
        for callback, outcome, count, last_id in groups:
            if outcome in FAILED_PHONE_OUTCOMES:
                failed[callback.id] += count
            if last_id > latest.get(callback.id, (0, False))[0]:
                latest[callback.id] = (last_id, outcome)
        return {callback_id: (failed[callback_id], outcome) for callback_id, (_id, outcome) in latest.items()}

    def _queue_why(self, now, failed, max_tries, last_outcome, memo=None):
        """The first reason that applies: the customer's chosen time, a retry, a follow-up, the deadline."""
        self.ensure_one()
        if self.queue_section == "3_fallback":
            return self.env._("phone tries used up: the questionnaire goes by message")
        asked_for = self.sla_pause_until or (last_outcome == "call_back_later" and self.next_attempt_date)
        if asked_for:
            if self.queue_section == "2_later":  # the status reads "Paused until ...": the time once is enough
                return self.env._("customer asked to be called back later")
            when = self._format_customer_moment(asked_for, now, memo)
            return self.env._("customer asked for %(when)s", when=when)
        target, deadline = self._running_deadline()
        due = self._countdown_text(target, deadline, now) if deadline else ""
        if failed:
            why = self.env._("retry %(n)s of %(tries)s", n=failed + 1, tries=max_tries)
        elif self.sequence > 1:
            why = self._followup_reason()
        else:
            return due  # "first contact due in 3 h": the countdown names its target
        return REASON_GLUE.join(part for part in (why, due) if part)

    def _followup_reason(self):
        """'second callback after a resolved complaint': why the previous callback called for this one."""
        self.ensure_one()
        # sudo: the previous callback may be a colleague's; only why it called for this one is shown
        previous = self.sudo().parent_id
        nth = self._nth_callback()
        if not previous:
            return nth
        issues = previous.feedback_ticket_ids
        if issues.filtered("is_complaint"):
            return self.env._("%(nth)s after a resolved complaint", nth=nth)
        if issues:
            return self.env._("%(nth)s after resolved issues", nth=nth)
        if previous.satisfaction and previous.satisfaction < previous.company_id.callback_satisfied_score:
            return self.env._("%(nth)s after a satisfaction of %(score)s/5", nth=nth, score=previous.satisfaction)
        if previous.sentiment == "negative":
            return self.env._("%(nth)s after negative feedback", nth=nth)
        return nth

    def _nth_callback(self):
        ordinals = {
            2: self.env._("second callback"),
            3: self.env._("third callback"),
            4: self.env._("fourth callback"),
            5: self.env._("fifth callback"),
        }
        return ordinals.get(self.sequence) or self.env._("callback #%(n)s", n=self.sequence)

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------

    @api.depends(
        "state",
        "first_attempt_date",
        "sla_first_contact_deadline",
        "sla_first_contact_status",
        "sla_completion_deadline",
        "sla_completion_status",
    )
    def _compute_next_due_date(self):
        for callback in self:
            callback.next_due_date = callback._running_deadline()[1]

    def _running_deadline(self):
        """(target, deadline) of the first running SLA target, or (False, False)."""
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return False, False
        if not self.first_attempt_date and self.sla_first_contact_status not in FROZEN_SLA_STATUSES:
            if self.sla_first_contact_deadline:
                return "first_contact", self.sla_first_contact_deadline
        if self.sla_completion_status not in FROZEN_SLA_STATUSES and self.sla_completion_deadline:
            return "completion", self.sla_completion_deadline
        return False, False

    @api.depends("next_due_date", "sla_paused_since", "sla_pause_until")
    @api.depends_context("lang")
    def _compute_sla_countdown(self):
        now, memo = fields.Datetime.now(), {}
        for callback in self:
            target, deadline = callback._running_deadline()
            if not deadline:
                callback.sla_countdown = False
            elif callback.sla_paused_since and target == "completion":
                callback.sla_countdown = callback._sla_paused_label(memo)
            else:
                callback.sla_countdown = self._countdown_text(target, deadline, now)

    @api.model
    def _countdown_text(self, target, deadline, now):
        """'first contact due in 3 h', 'breached 5 h ago': whole hours, rounded towards the deadline."""
        hours = (deadline - now).total_seconds() / 3600
        if hours >= 0:
            text = (
                self.env._("due in %(hours)s h", hours=math.floor(hours))
                if hours >= 1
                else self.env._("due in less than 1 h")
            )
        else:
            text = (
                self.env._("breached %(hours)s h ago", hours=math.floor(-hours))
                if hours <= -1
                else self.env._("breached less than 1 h ago")
            )
        if target == "first_contact":
            return self.env._("first contact %(countdown)s", countdown=text)
        return text

    @api.depends("next_attempt_date", "partner_id.tz")
    @api.depends_context("lang")
    def _compute_next_attempt_local(self):
        for callback in self:
            when = callback.next_attempt_date
            if not when or callback.state not in OPEN_STATES:
                callback.next_attempt_local = False
                continue
            callback.next_attempt_local = format_moment_tz(self.env, when, callback._get_customer_tz())

    # ------------------------------------------------------------------
    # Keeping the queue right as the clock moves
    # ------------------------------------------------------------------

    @api.model
    def _sla_steps(self, now):
        """The SLA cron also moves the calling window of callbacks whose window closed to the next one."""
        return [
            *super()._sla_steps(now),
            (self, self._closed_window_domain(now), lambda recs: recs._refresh_callable_window(), "callable_until, id"),
        ]

    @api.model
    def _closed_window_domain(self, now):
        return Domain([("state", "in", OPEN_STATES), ("callable_until", "<=", now)])

    def _refresh_callable_window(self):
        """Compute the calling window again (the clock or the calling hours moved)."""
        for name in ("callable_from", "callable_until"):
            self.env.add_to_compute(self._fields[name], self)
        self.flush_recordset(["callable_from", "callable_until"])

    def _log_attempts(self, vals_list):
        attempts = super()._log_attempts(vals_list)
        later = [d for d in attempts.callback_id.mapped("next_attempt_date") if d]
        if later:  # a pause ends at the customer's time: the SLA cron resumes it then
            self.env.ref("insurance_claim_callback.ir_cron_sla_check")._trigger(min(later))
        return attempts

    # ------------------------------------------------------------------
    # Escalation activities live as long as the callback is open
    # ------------------------------------------------------------------

    def _sla_activity_vals(self, user, summary):
        vals = super()._sla_activity_vals(user, summary)
        # the cached xmlid lookup: env.ref() would check the record exists, one query per activity
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(ESCALATION_ACTIVITY, raise_if_not_found=False)
        if activity_type_id:
            vals["activity_type_id"] = activity_type_id
        return vals

    def _close_escalation_activities(self):
        """Mark the team leader's SLA escalation activities done: nothing is left to chase."""
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(ESCALATION_ACTIVITY, raise_if_not_found=False)
        if not activity_type_id or not self:
            return
        # sudo: the activities are the team leader's; the agent closing the callback ends them.
        activities = self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type_id),
            ]
        )
        if activities:
            activities.action_feedback(feedback=self.env._("The callback is closed."))

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None, suggestions=None, answers=None):
        result = super().register_result(satisfaction, nps, feedback, issues, suggestions, answers)
        self._close_escalation_activities()
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self._close_escalation_activities()
        return result

    # ------------------------------------------------------------------
    # The queue's buttons
    # ------------------------------------------------------------------

    def action_log_call(self):
        """Open the Log Call dialog on this callback."""
        self.ensure_one()
        self._check_can_work()  # before the agent fills in the call, not on saving it
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Call"),
            "res_model": "claim.callback.log.call",
            "view_mode": "form",
            "target": "new",
            "context": {"default_callback_id": self.id, **self.env.context.get("log_call_defaults", {})},
        }

    def action_quick_no_answer(self):
        """The queue row's "No Answer": one click, one attempt, one chatter line, a confirmation."""
        self.ensure_one()
        wizard = self.env["claim.callback.log.call"].create({"callback_id": self.id, "outcome": "no_answer"})
        return wizard.action_confirm()

    @api.model
    def _next_in_queue(self, after=None):
        """The next callback of the current user's queue (the queue's order), `after` excluded."""
        domain = Domain([("user_id", "=", self.env.uid), ("queue_section", "in", IN_QUEUE)])
        if after:
            domain &= Domain("id", "not in", after.ids)
        return self.search(domain, order=QUEUE_ORDER, limit=1)

    def action_open_next_in_queue(self):
        nxt = self._next_in_queue(after=self)
        if not nxt:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"type": "info", "message": self.env._("Your queue is empty."), "next": {"type": "ir.actions.act_window_close"}},
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "claim.callback",
            "res_id": nxt.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
