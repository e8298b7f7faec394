"""Contact attempts: the customer's time zone, channel windows, retries, when to fall back."""

from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from .claim_callback import OPEN_STATES
from .claim_callback_channel import FALLBACK_CHANNELS

# Phone outcomes that count against the channel's maximum of attempts.
FAILED_PHONE_OUTCOMES = ("no_answer", "busy")

class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    next_attempt_date = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null",
        help="When to try the phone again: retry interval, moved into the customer's calling window.",
    )

    def _get_customer_tz(self):
        self.ensure_one()
        return self.partner_id.tz or self.company_id.partner_id.tz or "UTC"

    def _to_customer_time(self, when):
        tz = pytz.timezone(self._get_customer_tz())
        return pytz.utc.localize(when).astimezone(tz).replace(tzinfo=None)

    def _get_channel_settings(self):
        return self.env["claim.callback.channel"]._get_settings(self.company_id or self.env.company)

    def _prepare_attempt_vals(self, channel, outcome, duration=0, note=None, settings=None, blocked=None):
        """Check one attempt and return its values (cost and window included)."""
        self.ensure_one()
        self._check_state(OPEN_STATES)
        Attempt = self.env["claim.callback.attempt"]
        if not isinstance(channel, str) or channel not in dict(Attempt._fields["channel"].selection):
            raise ValidationError(self.env._("Unknown channel: %(channel)s.", channel=str(channel)[:40]))
        if not isinstance(outcome, str) or outcome not in dict(Attempt._fields["outcome"].selection):
            raise ValidationError(self.env._("Unknown attempt outcome: %(outcome)s.", outcome=str(outcome)[:40]))
        duration = self._check_duration(duration)
        note = self._check_text(note, self.env._("The note"))
        if blocked is None:
            blocked = self.partner_id._get_callback_blocked_channels().get(self.partner_id.id, set())
        if channel in blocked:
            channels = dict(Attempt._fields["channel"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(customer)s asked not to be contacted by %(channel)s.",
                    customer=self.partner_id.display_name,
                    channel=channels[channel],
                )
            )
        setting = (settings or self._get_channel_settings())[self.company_id.id, channel]
        now = fields.Datetime.now()
        return {
            "callback_id": self.id,
            "channel": channel,
            "outcome": outcome,
            "duration": duration or 0,
            "note": note,
            "date": now,
            "user_id": self.env.user.id,
            "cost": setting.unit_cost,
            "outside_window": not setting._in_window(now, self._get_customer_tz()),
        }

    def _log_attempts(self, vals_list):
        """Create attempts (one or a batch) and plan what follows each of them."""
        callbacks = self.browse([vals["callback_id"] for vals in vals_list])
        callbacks.check_access("write")  # before anything is written
        now = fields.Datetime.now()
        for paused in callbacks.filtered("sla_paused_since"):
            paused._sla_resume(now)  # the customer is being contacted again: the clock runs
        attempts = self.env["claim.callback.attempt"].create(vals_list)
        settings = callbacks._get_channel_settings()
        failed = dict(
            self.env["claim.callback.attempt"]._read_group(
                [("callback_id", "in", callbacks.ids), ("channel", "=", "phone"),
                 ("outcome", "in", FAILED_PHONE_OUTCOMES)],
                ["callback_id"],
                ["__count"],
            )
        )
        to_write = defaultdict(lambda: self.browse())
        for callback, attempt in zip(callbacks, attempts, strict=True):
            vals = callback._plan_after_attempt(attempt, settings, failed.get(callback, 0))
            to_write[tuple(sorted(vals.items()))] |= callback
        for vals, group in to_write.items():
            if vals:
                group.write(dict(vals))
        due = [c.fallback_date for c in callbacks if c.fallback_date and not c.fallback_sent_date]
        if due:
            self.env.ref("insurance_claim_callback.ir_cron_send_fallback")._trigger(min(due))
        return attempts

    def _plan_after_attempt(self, attempt, settings, failed_phone_count):
        vals = {}
        if not self.first_attempt_date:
            vals["first_attempt_date"] = attempt.date
            vals.update(self._sla_freeze_vals("first_contact", attempt.date))
        if self.state == "scheduled":
            vals["state"] = "in_progress"
        if attempt.channel != "phone":
            return vals
        phone = settings[self.company_id.id, "phone"]
        exhausted = attempt.outcome == "wrong_number" or failed_phone_count >= phone.max_attempts
        vals["next_attempt_date"] = False
        if attempt.outcome in (*FAILED_PHONE_OUTCOMES, "call_back_later") and not exhausted:
            retry_at = attempt.date + timedelta(hours=phone.retry_interval_hours)
            vals["next_attempt_date"] = phone._next_in_window(retry_at, self._get_customer_tz())
        if exhausted and not self.fallback_date and not self.fallback_sent_date:
            vals["fallback_date"] = self._next_fallback_date(attempt.date, settings)
        return vals

    def _next_fallback_date(self, when, settings, channels=FALLBACK_CHANNELS):
        """The first moment >= `when` inside the windows of all fallback channels."""
        tz = self._get_customer_tz()
        windows = [settings[self.company_id.id, channel] for channel in channels]
        for _i in range(3):  # windows that do not overlap on a day: settle on the last one
            for window in windows:
                when = window._next_in_window(when, tz)
            if all(window._in_window(when, tz) for window in windows):
                break
        return when
