"""The agent's "work next" queue: who to call now, deadlines as hour countdowns.

The order is the database's (stored fields, list default_order):
callable now first, then the earliest running deadline (first contact before
completion), then priority. "Callable now" moves with the clock: the SLA cron
moves a callback whose next try has come into the "Call Now" section.
"""

import math

from odoo import api, fields, models
from odoo.fields import Domain

from .claim_callback import OPEN_STATES
from .claim_sla_mixin import FROZEN_SLA_STATUSES
from .locale_format import format_moment_tz

QUEUE_SECTIONS = [("1_now", "Call Now"), ("2_later", "Not Callable Yet"), ("3_closed", "Closed")]
ESCALATION_ACTIVITY = "insurance_claim_callback.mail_activity_type_sla_escalation"


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    queue_section = fields.Selection(
        QUEUE_SECTIONS,
        string="Queue",
        compute="_compute_queue_section",
        store=True,
        precompute=True,  # computed before the INSERT: no UPDATE per batch of created callbacks
        index=True,
        help="Call Now: no next try planned, or its time has come (inside the customer's calling window).",
    )
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

    _queue_idx = models.Index(
        "(user_id, queue_section, next_due_date) WHERE state IN ('scheduled', 'in_progress')"
    )

    @api.depends("state", "next_attempt_date")
    def _compute_queue_section(self):
        now = fields.Datetime.now()
        for callback in self:
            if callback.state not in OPEN_STATES:
                callback.queue_section = "3_closed"
            elif callback.next_attempt_date and callback.next_attempt_date > now:
                callback.queue_section = "2_later"
            else:
                callback.queue_section = "1_now"

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

    @api.depends("next_due_date", "sla_paused_since")
    @api.depends_context("lang")
    def _compute_sla_countdown(self):
        now = fields.Datetime.now()
        for callback in self:
            target, deadline = callback._running_deadline()
            if not deadline:
                callback.sla_countdown = False
            elif callback.sla_paused_since and target == "completion":
                callback.sla_countdown = self.env._("SLA paused")
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
        """The SLA cron also moves callbacks whose next try has come into "Call Now"."""
        return [
            *super()._sla_steps(now),
            (
                self,
                Domain([("queue_section", "=", "2_later"), ("next_attempt_date", "<=", now)]),
                lambda recs: recs.write({"queue_section": "1_now"}),
                "id",
            ),
        ]

    def _log_attempts(self, vals_list):
        attempts = super()._log_attempts(vals_list)
        later = [d for d in attempts.callback_id.mapped("next_attempt_date") if d]
        if later:
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
        domain = Domain([("user_id", "=", self.env.uid), ("state", "in", OPEN_STATES)])
        if after:
            domain &= Domain("id", "not in", after.ids)
        return self.search(domain, order="queue_section, next_due_hour, priority desc, answer_chance_now desc, next_due_date, id", limit=1)

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
