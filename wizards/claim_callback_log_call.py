"""One dialog per call: outcome, note, duration, the customer's chosen time for a call back."""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.locale_format import format_moment, format_moment_tz, format_tz_name

# The outcomes an agent logs for a phone call (the others come from messages).
CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("call_back_later", "Call Back Later"),
    ("wrong_number", "Wrong Number"),
    ("refused", "Refused"),
]


class ClaimCallbackLogCall(models.TransientModel):
    _name = "claim.callback.log.call"
    _inherit = ["claim.wizard.access.mixin", "claim.bounds.mixin"]
    _description = "Log a Call"

    callback_id = fields.Many2one("claim.callback", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="callback_id.partner_id", string="Customer")
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="reached")
    note = fields.Text(help="What happened on the call, for whoever calls next.")
    duration_minutes = fields.Integer(string="Duration (minutes)")
    customer_tz = fields.Char(string="Customer Time Zone", compute="_compute_customer_time")
    customer_now = fields.Char(string="Customer's Time Now", compute="_compute_customer_time")
    callback_day = fields.Date(string="Call Back On", help="The day the customer chose, in their local time.")
    callback_time = fields.Float(
        string="At", help="The time the customer chose, in their local time (24 h clock)."
    )

    # Customer 360, read as the agent (not as superuser, as related fields are by default): what the callback shows.
    customer_claim_ids = fields.Many2many(related="callback_id.customer_claim_ids", compute_sudo=False)
    customer_callback_ids = fields.Many2many(related="callback_id.customer_callback_ids", compute_sudo=False)
    customer_issue_ids = fields.Many2many(related="callback_id.customer_issue_ids", compute_sudo=False)
    customer_reward_entry_ids = fields.Many2many(related="callback_id.customer_reward_entry_ids", compute_sudo=False)
    customer_reward_points = fields.Integer(related="callback_id.customer_reward_points", compute_sudo=False)
    customer_risk = fields.Selection(related="callback_id.customer_risk", compute_sudo=False)
    customer_risk_reason = fields.Selection(related="callback_id.customer_risk_reason", compute_sudo=False)
    customer_consent = fields.Selection(related="callback_id.customer_consent", compute_sudo=False)
    customer_blocked_channels = fields.Char(related="callback_id.customer_blocked_channels", compute_sudo=False)
    customer_preferred_channel = fields.Selection(related="callback_id.customer_preferred_channel", compute_sudo=False)
    customer_tz_name = fields.Char(related="callback_id.customer_tz_name", compute_sudo=False, string="Time Zone")
    customer_usual_answer_time = fields.Char(related="callback_id.customer_usual_answer_time", compute_sudo=False)

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "duration_minutes": (0, 1_440),
            "callback_time": (0, 24),
        }

    @api.depends("callback_id")
    @api.depends_context("lang")
    def _compute_customer_time(self):
        now = fields.Datetime.now()
        for wizard in self:
            tz = wizard.callback_id._get_customer_tz() if wizard.callback_id else "UTC"
            wizard.customer_tz = format_tz_name(self.env, tz)
            wizard.customer_now = format_moment(self.env, now, tz)

    @api.onchange("outcome")
    def _onchange_outcome(self):
        if self.outcome == "call_back_later" and not self.callback_day and self.callback_id:
            local_now = self.callback_id._to_customer_time(fields.Datetime.now())
            tomorrow = local_now.date() + timedelta(days=1)
            self.callback_day, self.callback_time = tomorrow, 10.0

    def _callback_at_utc(self):
        """The customer's local day and time as naive UTC."""
        self.ensure_one()
        if not self.callback_day:
            raise ValidationError(self.env._("Enter the day and time the customer asked to be called back."))
        if not 0 <= self.callback_time < 24:
            raise ValidationError(self.env._("The call-back time must be between 00:00 and 23:59."))
        hours = int(self.callback_time)
        minutes = round((self.callback_time - hours) * 60)
        local = datetime.combine(self.callback_day, time(hours, min(minutes, 59)))
        tz = pytz.timezone(self.callback_id._get_customer_tz())
        return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    def action_confirm(self):
        self.ensure_one()
        callback = self.callback_id
        callback_at = self._callback_at_utc() if self.outcome == "call_back_later" else None
        callback.register_attempt(
            "phone",
            self.outcome,
            duration=max(self.duration_minutes or 0, 0) * 60,
            note=self.note or None,
            callback_at=callback_at,
        )
        message = self._summary()
        callback.message_post(body=message, subtype_xmlid="mail.mt_note")
        if self.outcome == "reached":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "insurance_claim_callback.claim_callback_outcome_action"
            )
            action["context"] = {"default_callback_id": callback.id}
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _summary(self):
        """The chatter line and the confirmation: the outcome, and what happens next."""
        callback = self.callback_id
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        parts = [self.env._("Call logged: %(outcome)s.", outcome=outcome)]
        if self.duration_minutes:
            parts.append(self.env._("%(minutes)s min.", minutes=self.duration_minutes))
        if callback.next_attempt_date and callback.state in ("scheduled", "in_progress"):
            parts.append(
                self.env._(
                    "Next try: %(when)s, customer's time.",
                    when=format_moment_tz(self.env, callback.next_attempt_date, callback._get_customer_tz()),
                )
            )
        if callback.sla_paused_since:
            parts.append(self.env._("SLA paused until then."))
        if self.note:
            parts.append(self.env._("Note: %(note)s", note=self.note))
        return " ".join(parts)
