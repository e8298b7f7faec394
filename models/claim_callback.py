import logging
from collections import defaultdict
from datetime import timedelta

import pytz

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import consteq, hmac, mute_logger

_logger = logging.getLogger(__name__)

OPEN_STATES = ("scheduled", "in_progress")
# Phone outcomes that count against the channel's maximum of attempts.
FAILED_PHONE_OUTCOMES = ("no_answer", "busy")
# Channels of the fallback message with the questionnaire link.
FALLBACK_CHANNELS = ("sms", "email")
SURVEY_LINK_SCOPE = "claim-callback-survey"
# Seed targets (hours) until the SLA rules replace them.
DEFAULT_FIRST_CONTACT_HOURS = 24
DEFAULT_COMPLETION_HOURS = 72
# Batch creation of callbacks must not write one chatter message per record.
BATCH_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class ClaimCallback(models.Model):
    _name = "claim.callback"
    _description = "Claim Callback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sla_completion_deadline, id"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Claim",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain=[("is_claim", "=", True)],
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team", index=True, tracking=True, check_company=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    sequence = fields.Integer(
        default=1, required=True, readonly=True, help="1 for the first callback of the claim."
    )
    parent_id = fields.Many2one(
        "claim.callback", string="Previous Callback", index="btree_not_null", readonly=True
    )
    state = fields.Selection(
        [
            ("scheduled", "Scheduled"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("unreachable", "Unreachable"),
            ("cancelled", "Cancelled"),
        ],
        default="scheduled",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    sla_start_date = fields.Datetime(
        string="SLA Start",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
        help="When the SLA clocks started: the claim's closure for the first callback.",
    )
    sla_first_contact_deadline = fields.Datetime(string="First Contact Due", tracking=True)
    sla_completion_deadline = fields.Datetime(string="Completion Due", index=True, tracking=True)
    first_attempt_date = fields.Datetime(readonly=True, copy=False)
    completed_date = fields.Datetime(readonly=True, copy=False)
    satisfaction = fields.Integer(readonly=True, copy=False, aggregator="avg")
    nps = fields.Integer(string="NPS", readonly=True, copy=False, aggregator="avg")
    feedback = fields.Text(readonly=True, copy=False)
    attempt_ids = fields.One2many("claim.callback.attempt", "callback_id", string="Attempts")
    attempt_count = fields.Integer(compute="_compute_attempt_count")
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    # The claim's data, read from the ticket for the agent's form.
    claim_number = fields.Char(related="ticket_id.claim_number")
    policy_number = fields.Char(related="ticket_id.policy_number")
    claim_category_id = fields.Many2one(related="ticket_id.claim_category_id")
    claim_amount = fields.Monetary(related="ticket_id.claim_amount", currency_field="company_currency_id")
    paid_amount = fields.Monetary(related="ticket_id.paid_amount", currency_field="company_currency_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    claim_closed_date = fields.Datetime(related="ticket_id.closed_date", string="Claim Closed")
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_email = fields.Char(related="partner_id.email", string="Email")
    partner_phone_formatted = fields.Char(string="Phone Number", compute="_compute_partner_phone_formatted")
    partner_phone_link = fields.Char(string="Dial", compute="_compute_partner_phone_formatted")

    # Contact planning (channels, windows, retries, fallback).
    next_attempt_date = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null",
        help="When to try the phone again: retry interval, moved into the customer's calling window.",
    )
    fallback_date = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null",
        help="The phone attempts are exhausted: when the SMS / e-mail with the questionnaire link goes out.",
    )
    fallback_sent_date = fields.Datetime(readonly=True, copy=False)
    survey_expiry_date = fields.Datetime(
        string="Questionnaire Link Expiry", readonly=True, copy=False,
        help="Unanswered by then after the fallback message, the callback is unreachable.",
    )
    survey_answer_ids = fields.One2many("survey.user_input", "callback_id", string="Questionnaire Answers")

    # One first callback per claim, whatever runs the scheduler and however often.
    _first_callback_uniq = models.UniqueIndex(
        "(ticket_id) WHERE sequence = 1",
        "A claim has exactly one first callback.",
    )
    _open_due_idx = models.Index("(user_id, sla_completion_deadline) WHERE state IN ('scheduled', 'in_progress')")

    @api.depends("ticket_id.claim_number", "ticket_id.number", "sequence")
    def _compute_display_name(self):
        for callback in self:
            claim = callback.ticket_id.claim_number or callback.ticket_id.number or ""
            callback.display_name = self.env._("%(claim)s callback #%(seq)s", claim=claim, seq=callback.sequence)

    @api.depends("attempt_ids")
    def _compute_attempt_count(self):
        counts = dict(
            self.env["claim.callback.attempt"]._read_group(
                [("callback_id", "in", self.ids)], ["callback_id"], ["__count"]
            )
        )
        for callback in self:
            callback.attempt_count = counts.get(callback, 0)

    @api.depends("partner_id.phone", "partner_id.country_id")
    def _compute_partner_phone_formatted(self):
        for callback in self:
            partner, number = callback.partner_id, callback.partner_id.phone
            e164 = partner._phone_format(number=number, country=partner.country_id) if number else False
            callback.partner_phone_formatted = (
                partner._phone_format(number=number, country=partner.country_id, force_format="INTERNATIONAL")
                or number
            ) if number else False
            callback.partner_phone_link = f"tel:{e164}" if e164 else False

    @api.depends("state", "sla_completion_deadline")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for callback in self:
            callback.is_overdue = bool(
                callback.state in OPEN_STATES
                and callback.sla_completion_deadline
                and callback.sla_completion_deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        overdue = Domain("state", "in", OPEN_STATES) & Domain(
            "sla_completion_deadline", "<", fields.Datetime.now()
        )
        return overdue if (True in value) == (operator == "in") else ~overdue

    @api.constrains("satisfaction", "nps")
    def _check_scores(self):
        for callback in self:
            if callback.satisfaction and not 1 <= callback.satisfaction <= 5:
                raise ValidationError(self.env._("Satisfaction must be between 1 and 5."))
            if callback.nps and not 0 <= callback.nps <= 10:
                raise ValidationError(self.env._("NPS must be between 0 and 10."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._check_state(("scheduled",))
        self.write({"state": "in_progress"})

    def action_cancel(self):
        self._check_state(OPEN_STATES)
        self.write({"state": "cancelled"})

    def action_reset(self):
        self._check_state(("cancelled", "unreachable"))
        self.write({"state": "scheduled"})

    def action_assign_to_me(self):
        self._check_state(OPEN_STATES)
        self.write({"user_id": self.env.user.id})

    def action_open_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }

    def _check_state(self, allowed):
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(callback)s is %(state)s: this action needs a callback that is %(allowed)s.",
                    callback=wrong[0].display_name,
                    state=states[wrong[0].state],
                    allowed=", ".join(states[s] for s in allowed),
                )
            )

    # ------------------------------------------------------------------
    # Stable interface: attempts and results
    # ------------------------------------------------------------------

    def register_attempt(self, channel, outcome, duration=0, note=None):
        """Log one try to reach the customer; return the new attempt."""
        self.ensure_one()
        return self._log_attempts([self._prepare_attempt_vals(channel, outcome, duration, note)])

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None):
        """Record the customer's answer and mark the callback done."""
        self.ensure_one()
        self._check_state(OPEN_STATES)
        if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
            raise ValidationError(self.env._("Satisfaction must be an integer between 1 and 5."))
        if nps is not None and (not isinstance(nps, int) or not 0 <= nps <= 10):
            raise ValidationError(self.env._("NPS must be an integer between 0 and 10."))
        now = fields.Datetime.now()
        self.write(
            {
                "state": "done",
                "satisfaction": satisfaction,
                "nps": nps or 0,
                "feedback": feedback,
                "completed_date": now,
                "first_attempt_date": self.first_attempt_date or now,
            }
        )
        return True

    def action_log_attempt(self):
        """One click per outcome on the form: a phone attempt by the current agent."""
        self.ensure_one()
        attempt = self.register_attempt("phone", self.env.context.get("attempt_outcome", "no_answer"))
        if not attempt.outside_window:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "message": self.env._(
                    "Logged, but outside the customer's calling window (their local time: %(time)s).",
                    time=self._to_customer_time(attempt.date).strftime("%H:%M"),
                ),
            },
        }

    def _set_unreachable(self):
        self._check_state(OPEN_STATES)
        self.write({"state": "unreachable", "next_attempt_date": False})

    # ------------------------------------------------------------------
    # Attempts: channels, calling windows, retries
    # ------------------------------------------------------------------

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
        if channel not in dict(Attempt._fields["channel"].selection):
            raise ValidationError(self.env._("Unknown channel: %(channel)s.", channel=channel))
        if outcome not in dict(Attempt._fields["outcome"].selection):
            raise ValidationError(self.env._("Unknown attempt outcome: %(outcome)s.", outcome=outcome))
        if not isinstance(duration or 0, int) or (duration or 0) < 0:
            raise ValidationError(self.env._("The duration must be a positive number of seconds."))
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
            "external_id": self.env.context.get("claim_callback_external_id"),
        }

    def _log_attempts(self, vals_list):
        """Create attempts (one or a batch) and plan what follows each of them."""
        callbacks = self.browse([vals["callback_id"] for vals in vals_list])
        callbacks.check_access("write")  # before anything is written
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
        for callback, attempt in zip(callbacks, attempts):
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

    # ------------------------------------------------------------------
    # Fallback: SMS / e-mail with the questionnaire link
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_fallback(self):
        batch = self._get_schedule_batch_size()
        sent, remaining = self._send_fallback_batch(batch)
        expired = self._expire_fallback_batch(batch)
        self.env["ir.cron"]._commit_progress(sent + expired, remaining=remaining)

    @api.model
    def _get_fallback_domain(self):
        return Domain(
            [
                ("state", "in", OPEN_STATES),
                ("fallback_sent_date", "=", False),
                ("fallback_date", "<=", fields.Datetime.now()),
                ("ticket_id.callback_status", "!=", "opted_out"),
            ]
        )

    @api.model
    def _send_fallback_batch(self, limit=500, domain=None):
        """Send the fallback messages of one batch of due callbacks (rows locked by a
        concurrent run are skipped). Returns (callbacks processed, remaining)."""
        domain = self._get_fallback_domain() & Domain(domain or Domain.TRUE)
        candidates = self.search(domain, limit=limit, order="fallback_date, id")
        callbacks = candidates.try_lock_for_update()
        if callbacks:
            callbacks._send_fallback()
        remaining = self.search_count(domain) if len(candidates) == limit else 0
        return len(callbacks), remaining

    def _send_fallback(self):
        now = fields.Datetime.now()
        settings = self._get_channel_settings()
        blocked = self.partner_id._get_callback_blocked_channels()
        missing = self.partner_id._get_callback_missing_channels()
        targets = {channel: self.browse() for channel in FALLBACK_CHANNELS}
        nowhere, later = self.browse(), defaultdict(lambda: self.browse())
        for callback in self:
            pid = callback.partner_id.id
            usable = [c for c in FALLBACK_CHANNELS if c not in blocked.get(pid, set()) | missing.get(pid, {c})]
            if not usable:
                nowhere |= callback
            elif all(settings[callback.company_id.id, c]._in_window(now, callback._get_customer_tz()) for c in usable):
                for channel in usable:
                    targets[channel] |= callback
            else:  # never outside the window: wait for the next opening
                later[callback._next_fallback_date(now, settings, usable)] |= callback
        for when, group in later.items():
            group.write({"fallback_date": when})
        sending = targets["sms"] | targets["email"]
        if sending:
            sending.write({"fallback_sent_date": now, "survey_expiry_date": now + timedelta(days=self._get_survey_link_days())})
            targets["sms"]._queue_fallback_sms()
            targets["email"]._queue_fallback_email()
            self._log_attempts([
                callback._prepare_attempt_vals(channel, "message_sent", settings=settings, blocked=blocked.get(callback.partner_id.id, set()))
                for channel in FALLBACK_CHANNELS
                for callback in targets[channel]
            ])
        if nowhere:
            nowhere._set_unreachable()

    def _queue_fallback_sms(self):
        if not self:
            return
        template = self.env.ref("insurance_claim_callback.sms_template_callback_fallback")
        bodies = template._render_field("body", self.ids, compute_lang=True)
        # sudo: the cron user queues the SMS; sms.sms is technical
        self.env["sms.sms"].sudo().create([
            {"number": c.partner_id.phone_sanitized, "partner_id": c.partner_id.id, "body": bodies[c.id], "state": "outgoing"}
            for c in self
        ])
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _queue_fallback_email(self):
        if not self:
            return
        template = self.env.ref("insurance_claim_callback.mail_template_callback_fallback")
        template.send_mail_batch(self.ids)

    @api.model
    def _expire_fallback_batch(self, limit=500):
        """Callbacks whose questionnaire link expired unanswered: every channel is exhausted."""
        expired = self.search(
            [("state", "in", OPEN_STATES), ("fallback_sent_date", "!=", False),
             ("survey_expiry_date", "<", fields.Datetime.now())],
            limit=limit,
        ).try_lock_for_update()
        if expired:
            expired._set_unreachable()
        return len(expired)

    @api.model
    def _get_survey_link_days(self):
        return int(
            self.env["ir.config_parameter"].sudo().get_param("insurance_claim_callback.survey_link_days", 7)
        )

    # ------------------------------------------------------------------
    # Questionnaire: signed, expiring per-callback link
    # ------------------------------------------------------------------

    def _survey_link_signature(self, expiry):
        self.ensure_one()
        return hmac(self.env(su=True), SURVEY_LINK_SCOPE, (self.id, int(expiry)))

    def _get_survey_url(self):
        self.ensure_one()
        expiry_date = self.survey_expiry_date or (
            fields.Datetime.now() + timedelta(days=self._get_survey_link_days())
        )
        expiry = int(pytz.utc.localize(expiry_date).timestamp())
        return f"{self.get_base_url()}/claim_callback/survey/{self.id}/{expiry}/{self._survey_link_signature(expiry)}"

    def _check_survey_link(self, expiry, signature):
        """'ok', or why the link cannot be used: 'invalid', 'expired', 'closed'."""
        self.ensure_one()
        if not consteq(str(signature), self._survey_link_signature(expiry)):
            return "invalid"
        if int(expiry) < fields.Datetime.now().replace(tzinfo=pytz.utc).timestamp():
            return "expired"
        if self.state not in OPEN_STATES or any(a.state == "done" for a in self.survey_answer_ids):
            return "closed"
        return "ok"

    def _get_survey_answer(self):
        """The questionnaire answer of this callback, created on first use."""
        self.ensure_one()
        if self.survey_answer_ids:
            return self.survey_answer_ids[:1]
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        return survey._create_answer(partner=self.partner_id, check_attempts=False, callback_id=self.id)

    def _register_survey_result(self, answer):
        self.ensure_one()
        if self.state not in OPEN_STATES:
            _logger.info("Questionnaire of %s answered after the callback was closed: ignored", self.display_name)
            return False
        values = answer._get_callback_values()
        if not values.get("satisfaction"):
            return False
        problems = [line.strip() for line in (values.get("problems") or "").splitlines() if line.strip()]
        feedback = "\n\n".join(v for v in (values.get("suggestions"), values.get("comments")) if v)
        return self.register_result(
            values["satisfaction"], nps=values.get("nps"), feedback=feedback or None, issues=problems or None
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    @api.model
    def _cron_schedule_callbacks(self):
        processed, remaining = self._schedule_first_callbacks(self._get_schedule_batch_size())
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _get_schedule_batch_size(self):
        return int(
            self.env["ir.config_parameter"].sudo().get_param("insurance_claim_callback.batch_size", 500)
        )

    @api.model
    def _schedule_first_callbacks(self, limit=500, domain=None):
        """Create the first callback of one batch of closed claims.

        Rows locked by a concurrent run are skipped; claims that a concurrent run
        scheduled after our snapshot are left to our next transaction (they fail
        the lock with a serialization error, or hit the unique index).
        Returns (claims processed, claims remaining).
        """
        Ticket = self.env["helpdesk.ticket"]
        domain = Ticket._get_awaiting_first_callback_domain() & Domain(domain or Domain.TRUE)
        candidates = Ticket.search(domain, limit=limit, order="closed_date, id")
        if not candidates:
            return 0, 0
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                tickets = candidates.try_lock_for_update()
        except pg_errors.SerializationFailure:
            _logger.info("Claims scheduled concurrently since this transaction began: retrying later")
            return 0, len(candidates)
        if tickets:
            self._create_first_callbacks(tickets)
        remaining = Ticket.search_count(domain) if len(candidates) == limit else 0
        return len(tickets), remaining

    @api.model
    def _create_first_callbacks(self, tickets):
        vals_list = self._assign_least_loaded([self._prepare_first_callback_vals(t) for t in tickets])
        Callback = self.with_context(**BATCH_CONTEXT)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return Callback.create(vals_list)
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            _logger.info("Concurrent scheduling detected: creating callbacks one by one")
        created = self.browse()
        for vals in vals_list:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    created |= Callback.create(vals)
            except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
                _logger.info("Claim %s already has its first callback", vals["ticket_id"])
        return created

    @api.model
    def _prepare_first_callback_vals(self, ticket):
        start = ticket.closed_date
        first_contact_hours, completion_hours = self._get_sla_hours(ticket)
        return {
            "ticket_id": ticket.id,
            "partner_id": ticket.partner_id.id,
            "company_id": ticket.company_id.id,
            "team_id": ticket.team_id.id,
            "sequence": 1,
            "sla_start_date": start,
            "sla_first_contact_deadline": start + timedelta(hours=first_contact_hours),
            "sla_completion_deadline": start + timedelta(hours=completion_hours),
        }

    @api.model
    def _get_sla_hours(self, ticket):
        """(first contact, completion) targets in hours for a claim."""
        return DEFAULT_FIRST_CONTACT_HOURS, DEFAULT_COMPLETION_HOURS

    @api.model
    def _assign_least_loaded(self, vals_list):
        """Fill `user_id` in callback values: the least-loaded agent of the team
        with capacity left; none available leaves the callback unassigned."""
        agent_ids = set(self.env.ref("insurance_claim_callback.group_callback_agent").all_user_ids.ids)
        teams = self.env["helpdesk.ticket.team"].browse({v["team_id"] for v in vals_list if v.get("team_id")})
        candidates = teams.user_ids.filtered(lambda u: u.id in agent_ids)
        load = {user.id: 0 for user in candidates}
        for user, count in self._read_group(
            [("user_id", "in", candidates.ids), ("state", "in", OPEN_STATES)], ["user_id"], ["__count"]
        ):
            load[user.id] = count
        members = {team.id: team.user_ids.filtered(lambda u: u.id in agent_ids) for team in teams}
        for vals in vals_list:
            if vals.get("user_id") or not vals.get("team_id"):
                continue
            free = [
                user
                for user in members[vals["team_id"]]
                if load[user.id] < user.callback_capacity and vals["company_id"] in user.company_ids.ids
            ]
            if free:
                agent = min(free, key=lambda u: (load[u.id], u.id))
                vals["user_id"] = agent.id
                load[agent.id] += 1
        return vals_list
