import logging
import uuid
from collections import defaultdict
from datetime import timedelta

import pytz
import requests

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import consteq, hmac, mute_logger

from ..lib import sentiment as sentiment_lib
from .claim_callback_channel import WEBHOOK_CHANNELS

_logger = logging.getLogger(__name__)

OPEN_STATES = ("scheduled", "in_progress")
# Closed loop defaults (ir.config_parameter insurance_claim_callback.<key>).
DEFAULT_CHAIN_LIMIT = 3
DEFAULT_LOW_SATISFACTION = 3
SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("missed", "Missed"),
]
FROZEN_SLA_STATUSES = ("met", "missed")  # a target's status once it is done
# The callback's SLA targets and the field that says the target is done.
SLA_TARGETS = {"first_contact": "first_attempt_date", "completion": "completed_date"}
PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]
# Phone outcomes that count against the channel's maximum of attempts.
FAILED_PHONE_OUTCOMES = ("no_answer", "busy")
# Channels of the fallback message with the questionnaire link.
FALLBACK_CHANNELS = ("sms", "email")
# ... and the insurer's app / WeChat, when their channel has a webhook.
MESSAGE_CHANNELS = FALLBACK_CHANNELS + WEBHOOK_CHANNELS
SURVEY_LINK_SCOPE = "claim-callback-survey"
ERASED_TEXT = "***"  # a questionnaire line must keep a value once answered
# Batch creation of callbacks must not write one chatter message per record.
BATCH_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def mask_phone(number):
    """'+886 2 2345 6789' → '+886 • •••• ••89': the country code and the last two digits stay."""
    prefix, rest = ("", number)
    if number.startswith("+") and " " in number:
        prefix, rest = number.split(" ", 1)
        prefix += " "
    last_two = [i for i, char in enumerate(rest) if char.isdigit()][-2:]
    return prefix + "".join("•" if char.isdigit() and i not in last_two else char for i, char in enumerate(rest))


class ClaimCallback(models.Model):
    _name = "claim.callback"
    _description = "Claim Callback"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
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
    # a secret per callback, set at creation (no write per record when links are sent in batch);
    # the questionnaire link is signed with it, so a new token revokes the links already sent
    access_token = fields.Char(default=lambda self: str(uuid.uuid4()))
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
    sla_rule_id = fields.Many2one(
        "claim.sla.rule", string="SLA Rule", index="btree_not_null", ondelete="set null", readonly=True,
        help="Empty: the default targets (24 h / 72 h / 48 h in calendar hours).",
    )
    sla_first_contact_status = fields.Selection(
        SLA_STATUSES, string="First Contact SLA", default="on_track", required=True, copy=False
    )
    sla_completion_status = fields.Selection(
        SLA_STATUSES, string="Completion SLA", default="on_track", required=True, copy=False
    )
    sla_first_contact_risk_date = fields.Datetime(string="First Contact At Risk From", readonly=True, copy=False)
    sla_completion_risk_date = fields.Datetime(string="Completion At Risk From", readonly=True, copy=False)
    sla_first_contact_escalated = fields.Boolean(string="First Contact Escalated", readonly=True, copy=False, default=False)
    sla_completion_escalated = fields.Boolean(string="Completion Escalated", readonly=True, copy=False, default=False)
    sla_paused_since = fields.Datetime(
        string="SLA Paused Since", readonly=True, copy=False,
        help="The completion clock stops while the customer asked to be called back later.",
    )
    sla_pause_until = fields.Datetime(string="Customer Asked for a Call At", readonly=True, copy=False)
    sla_paused_hours = fields.Float(
        string="SLA Paused (hours)", readonly=True, copy=False, help="Total time the completion clock was paused."
    )
    priority = fields.Selection(PRIORITIES, default="1", tracking=True)
    first_attempt_date = fields.Datetime(readonly=True, copy=False)
    completed_date = fields.Datetime(readonly=True, copy=False)
    satisfaction = fields.Integer(readonly=True, copy=False, aggregator="avg")
    nps = fields.Integer(string="NPS", readonly=True, copy=False, aggregator="avg")
    feedback = fields.Text(readonly=True, copy=False)
    attempt_ids = fields.One2many("claim.callback.attempt", "callback_id", string="Attempts")
    suggestions = fields.Text(readonly=True, copy=False)
    suggestion_accepted = fields.Boolean(readonly=True, copy=False, tracking=True)
    answers = fields.Text(readonly=True, copy=False, help="The customer's answers to the script's questions.")
    feedback_anonymized_date = fields.Datetime(
        string="Feedback Erased On",
        readonly=True,
        copy=False,
        help="The customer's free text was erased at the end of the company's retention period.",
    )
    sentiment_score = fields.Float(readonly=True, copy=False, digits=(3, 2), aggregator="avg")
    sentiment = fields.Selection(
        [("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")],
        readonly=True,
        copy=False,
        index=True,
    )
    feedback_ticket_ids = fields.One2many("helpdesk.ticket", "source_callback_id", string="Feedback Issues")
    open_issue_count = fields.Integer(compute="_compute_open_issue_count")
    child_ids = fields.One2many("claim.callback", "parent_id", string="Next Callback")
    chain_state = fields.Selection(
        [
            ("waiting_issues", "Waiting for Issues"),
            ("next_due", "Next Callback Due"),
            ("next_scheduled", "Next Callback Scheduled"),
            ("satisfied", "Satisfied"),
            ("limit_reached", "Limit Reached"),
        ],
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="What the closed loop decided after this callback's result.",
    )
    # Not stored: choosing it in the first-callback scheduler would cost queries per batch.
    script_id = fields.Many2one("claim.callback.script", compute="_compute_script_id")
    script_body = fields.Html(compute="_compute_script_body", sanitize=False, string="Call Script")
    script_question_ids = fields.Many2many(
        "claim.callback.script.question", compute="_compute_script_id", string="Questions"
    )
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
    partner_phone = fields.Char(
        related="partner_id.phone", string="Phone", groups="insurance_claim_callback.group_callback_supervisor"
    )
    partner_email = fields.Char(related="partner_id.email", string="Email")
    partner_phone_formatted = fields.Char(string="Phone Number", compute="_compute_partner_phone_formatted")
    partner_phone_link = fields.Char(string="Dial", compute="_compute_partner_phone_formatted")
    partner_phone_masked = fields.Boolean(compute="_compute_partner_phone_formatted")

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
    # Never two open callbacks for one claim, never two next callbacks for one callback.
    _one_open_per_claim_uniq = models.UniqueIndex(
        "(ticket_id) WHERE state IN ('scheduled', 'in_progress')",
        "A claim already has an open callback.",
    )
    _one_next_uniq = models.UniqueIndex(
        "(parent_id) WHERE parent_id IS NOT NULL", "This callback already has a next one."
    )
    _open_due_idx = models.Index("(user_id, sla_completion_deadline) WHERE state IN ('scheduled', 'in_progress')")
    # Monthly KPIs and their analysis: callbacks completed / started per company and period.
    _kpi_done_idx = models.Index("(company_id, completed_date) WHERE state = 'done'")
    _kpi_start_idx = models.Index("(company_id, sla_start_date)")
    # The SLA cron's searches: running targets of open callbacks, and escalations still to do.
    _sla_first_contact_idx = models.Index(
        "(sla_first_contact_risk_date, sla_first_contact_deadline) "
        "WHERE sla_first_contact_status IN ('on_track', 'at_risk') AND first_attempt_date IS NULL"
    )
    _sla_completion_idx = models.Index(
        "(sla_completion_risk_date, sla_completion_deadline) "
        "WHERE sla_completion_status IN ('on_track', 'at_risk') AND sla_paused_since IS NULL"
    )
    _sla_to_escalate_idx = models.Index(
        "(id) WHERE (sla_first_contact_status IN ('at_risk', 'breached') AND NOT sla_first_contact_escalated) "
        "OR (sla_completion_status IN ('at_risk', 'breached') AND NOT sla_completion_escalated)"
    )

    @api.depends("ticket_id.claim_number", "ticket_id.number", "sequence")
    def _compute_display_name(self):
        for callback in self:
            # sudo: an agent sees the claim's number on the callback, not the claim ticket itself
            ticket = callback.sudo().ticket_id
            claim = ticket.claim_number or ticket.number or ""
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

    @api.depends("feedback_ticket_ids.stage_id.closed")
    def _compute_open_issue_count(self):
        for callback in self:
            callback.open_issue_count = len(callback.feedback_ticket_ids.filtered(lambda t: not t.stage_id.closed))

    @api.depends("ticket_id.claim_category_id", "partner_id.category_id", "partner_id.lang")
    def _compute_script_id(self):
        Script = self.env["claim.callback.script"]
        found = {}  # batches of callbacks share few distinct criteria
        for callback in self:
            ticket = callback.sudo().ticket_id
            key = (ticket.company_id, ticket.claim_category_id, ticket.partner_id.lang, ticket.partner_id.category_id)
            if key not in found:
                found[key] = Script._find_for(ticket)
            callback.script_id = found[key]
            callback.script_question_ids = found[key].question_ids

    @api.depends("script_id", "ticket_id", "user_id", "partner_id.lang")
    def _compute_script_body(self):
        Script = self.env["claim.callback.script"]
        for callback in self:
            lang = callback.partner_id.lang or self.env.lang
            script = callback.script_id.with_context(lang=lang)
            # The agent may not read the claim ticket itself; the callback shows its data.
            values = Script.with_context(lang=lang)._get_placeholder_values(
                callback.sudo().ticket_id, callback.user_id
            )
            callback.script_body = script._render(values) if script else False

    @api.depends("partner_id.phone", "partner_id.country_id", "user_id")
    @api.depends_context("uid")
    def _compute_partner_phone_formatted(self):
        """The number in full for the callback's agent and supervisors; masked for the others (SPEC §5)."""
        sees_every_number = self.env.user.has_group("insurance_claim_callback.group_callback_supervisor")
        for callback in self:
            partner, number = callback.partner_id, callback.partner_id.phone
            formatted = (
                partner._phone_format(number=number, country=partner.country_id, force_format="INTERNATIONAL")
                or number
            ) if number else False
            e164 = partner._phone_format(number=number, country=partner.country_id) if number else False
            masked = bool(number) and not sees_every_number and callback.user_id != self.env.user
            callback.partner_phone_masked = masked
            callback.partner_phone_formatted = mask_phone(formatted) if masked else formatted
            callback.partner_phone_link = f"tel:{e164}" if e164 and not masked else False

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

    @api.model_create_multi
    def create(self, vals_list):
        self._add_sla_vals([vals for vals in vals_list if not vals.get("sla_completion_deadline")])
        return super().create(vals_list)

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

    def action_view_feedback_issues(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Feedback Issues"),
            "res_model": "helpdesk.ticket",
            "view_mode": "list,form",
            "domain": [("source_callback_id", "=", self.id)],
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

    def register_attempt(self, channel, outcome, duration=0, note=None, *, callback_at=None):
        """Log one try to reach the customer; return the new attempt.

        `callback_at`: with the outcome "call back later", the time the customer
        chose; the completion clock pauses until then or until the next attempt.
        """
        self.ensure_one()
        callback_at = fields.Datetime.to_datetime(callback_at) if callback_at else None
        now = fields.Datetime.now()
        if callback_at and (outcome != "call_back_later" or callback_at <= now):
            raise ValidationError(
                self.env._("A call-back time must be in the future and goes with the outcome “Call Back Later”.")
            )
        attempt = self._log_attempts([self._prepare_attempt_vals(channel, outcome, duration, note)])
        if callback_at:
            self.write({"sla_paused_since": now, "sla_pause_until": callback_at, "next_attempt_date": callback_at})
        return attempt

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None, suggestions=None, answers=None):
        """Record the customer's answer, mark the callback done and run the closed loop.

        `issues`: problem texts, each becoming a feedback issue; an item may also be a
        dict {"name": text, "is_complaint": bool}. Everything is checked before anything
        is written.
        """
        self.ensure_one()
        self._check_result_values(satisfaction, nps)
        issues = self._normalize_issues(issues)
        now = fields.Datetime.now()
        if self.sla_paused_since:
            self._sla_resume(now)
        vals = {
            "state": "done",
            "satisfaction": satisfaction,
            "nps": nps or 0,
            "feedback": feedback,
            "suggestions": suggestions,
            "answers": answers,
            "completed_date": now,
            "first_attempt_date": self.first_attempt_date or now,
            **self._sla_freeze_vals("completion", now),
        }
        if not self.first_attempt_date:
            vals.update(self._sla_freeze_vals("first_contact", now))
        vals.update(self._get_sentiment_vals(feedback))
        self.write(vals)
        self._create_feedback_issues(issues)
        self._log_on_claim(self._result_message())
        # What follows is the system's decision (next callback, supervisor activity):
        # agents may neither create callbacks nor read the claim ticket.
        self.sudo()._advance_chain()
        if feedback and feedback.strip():
            self.env["claim.reward.rule"]._reward_event("feedback_given", self)
        return True

    def _check_result_values(self, satisfaction, nps):
        if self.state not in OPEN_STATES:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "%(callback)s is %(state)s: its result cannot be recorded.",
                    callback=self.display_name,
                    state=states[self.state],
                )
            )
        if isinstance(satisfaction, bool) or not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
            raise ValidationError(self.env._("Satisfaction must be an integer between 1 and 5."))
        if nps is not None and (isinstance(nps, bool) or not isinstance(nps, int) or not 0 <= nps <= 10):
            raise ValidationError(self.env._("NPS must be an integer between 0 and 10."))

    def _normalize_issues(self, issues):
        result = []
        for issue in issues or []:
            if isinstance(issue, str):
                issue = {"name": issue}
            if not isinstance(issue, dict) or not isinstance(issue.get("name"), str):
                raise ValidationError(self.env._("Each problem raised must be a text."))
            if issue["name"].strip():
                result.append({"name": issue["name"].strip(), "is_complaint": bool(issue.get("is_complaint"))})
        return result

    @api.model
    def _get_sentiment_vals(self, text):
        if not text or not text.strip():
            return {"sentiment_score": 0.0, "sentiment": False}
        ((score, label),) = sentiment_lib.analyze([text])
        return {"sentiment_score": score, "sentiment": label}

    def _create_feedback_issues(self, issues):
        """Each problem raised becomes a helpdesk ticket with its resolution target."""
        if not issues:
            return self.env["helpdesk.ticket"]
        ticket = self.sudo().ticket_id  # agents may not read the claim ticket itself
        complaints_team = self._get_complaints_team()
        vals_list = [
            {
                "name": self.env._("%(claim)s: %(problem)s", claim=ticket.claim_number, problem=issue["name"][:80]),
                "description": issue["name"],
                "partner_id": ticket.partner_id.id,
                "company_id": ticket.company_id.id,
                "team_id": (complaints_team if issue["is_complaint"] and complaints_team else ticket.team_id).id,
                "user_id": False,
                "source_callback_id": self.id,
                "is_complaint": issue["is_complaint"],
            }
            for issue in issues
        ]
        # The agent raises the issue for the customer; helpdesk access to other teams' tickets is not theirs.
        return self.env["helpdesk.ticket"].sudo().create(vals_list)

    @api.model
    def _get_complaints_team(self):
        team_id = self._get_param("complaints_team_id", 0)
        return self.env["helpdesk.ticket.team"].sudo().browse(team_id).exists()

    @api.model
    def _get_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"insurance_claim_callback.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _result_message(self):
        sentiment = dict(self._fields["sentiment"]._description_selection(self.env)).get(self.sentiment)
        message = self.env._(
            "Callback #%(seq)s done: satisfaction %(sat)s/5, sentiment %(sentiment)s, %(issues)s issue(s) raised.",
            seq=self.sequence,
            sat=self.satisfaction,
            sentiment=sentiment or "-",
            issues=len(self.feedback_ticket_ids),
        )
        return message

    def _log_on_claim(self, message):
        for callback in self:
            # The claim's chatter is the audit trail; the agent may not follow the claim.
            callback.ticket_id.sudo().message_post(body=message, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Closed loop: the chain of callbacks until the customer is satisfied
    # ------------------------------------------------------------------

    def _needs_followup(self):
        self.ensure_one()
        return bool(
            self.satisfaction <= self._get_param("low_satisfaction", DEFAULT_LOW_SATISFACTION)
            or self.sentiment == "negative"
            or self.feedback_ticket_ids
        )

    def _advance_chain(self):
        """Decide what follows each done callback; safe to call again at any time."""
        undecided = (False, "waiting_issues", "next_due")
        for callback in self.filtered(lambda c: c.state == "done" and c.chain_state in undecided):
            if not callback._needs_followup():
                callback._end_chain("satisfied", self.env._("Customer satisfied: the callback chain ends."))
            elif callback.open_issue_count:
                if callback.chain_state != "waiting_issues":
                    callback.chain_state = "waiting_issues"
                    callback._log_on_claim(
                        self.env._(
                            "%(n)s feedback issue(s) open: the next callback follows their resolution.",
                            n=callback.open_issue_count,
                        )
                    )
            elif callback.sequence >= self._get_param("chain_limit", DEFAULT_CHAIN_LIMIT):
                callback._end_chain(
                    "limit_reached", self.env._("Callback limit reached without a satisfied customer.")
                )
                callback._notify_limit_reached()
            else:
                callback.chain_state = "next_due"
                callback._schedule_next_callback()

    def _end_chain(self, chain_state, message):
        self.chain_state = chain_state
        self._log_on_claim(message)

    def _notify_limit_reached(self):
        supervisor = self.team_id.user_id or self.env.ref("base.user_admin", raise_if_not_found=False)
        # The activity is the supervisor's: the agent recording the result may not see it afterwards.
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Callback limit reached"),
            note=self.env._(
                "The customer of claim %(claim)s is still not satisfied after %(n)s callbacks.",
                claim=self.ticket_id.claim_number,
                n=self.sequence,
            ),
            user_id=supervisor.id,
        )

    def _schedule_next_callback(self):
        """Create the next callback of the chain unless the claim already has an open one."""
        self.ensure_one()
        open_domain = [("ticket_id", "=", self.ticket_id.id), ("state", "in", OPEN_STATES)]
        if self.child_ids or self.search_count(open_domain):
            self.chain_state = "next_scheduled"
            return self.browse()
        vals = self._assign_least_loaded([self._prepare_next_callback_vals()])
        try:
            # The chain is the system's decision, not the agent's: agents cannot create callbacks.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                created = self.sudo().with_context(**BATCH_CONTEXT).create(vals)
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            _logger.info("Next callback of %s created concurrently", self.id)
            created = self.browse()
        self.chain_state = "next_scheduled"
        if created:
            self._log_on_claim(
                self.env._(
                    "Callback #%(seq)s scheduled, due %(due)s.",
                    seq=created.sequence,
                    due=created.sla_completion_deadline,
                )
            )
        return created

    def _prepare_next_callback_vals(self):
        # its own SLA from now: create() plans the deadlines on the claim's rule
        return {
            "ticket_id": self.ticket_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "sequence": self.sequence + 1,
            "parent_id": self.id,
            "sla_start_date": fields.Datetime.now(),
        }

    @api.model
    def _cron_advance_chains(self):
        """Safety net: chains whose issues are all resolved, or whose next callback is still due."""
        domain = self._get_chain_actionable_domain()
        batch = self.search(domain, limit=self._get_schedule_batch_size()).try_lock_for_update()
        failed = []
        for callback in batch:
            try:
                with self.env.cr.savepoint():
                    callback._advance_chain()
            except Exception:
                _logger.exception("Callback %s: its chain's next step failed; retried next run", callback.id)
                failed.append(callback.id)
        remaining = self.search_count(domain & Domain("id", "not in", failed))
        self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)

    @api.model
    def _get_chain_actionable_domain(self):
        return Domain("state", "=", "done") & (
            Domain("chain_state", "=", "next_due")
            | (
                Domain("chain_state", "=", "waiting_issues")
                & Domain("feedback_ticket_ids", "not any", [("stage_id.closed", "=", False)])
            )
        )
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
        """Every channel is exhausted: the SLA targets not reached yet are missed."""
        self._check_state(OPEN_STATES)
        for target in SLA_TARGETS:
            status = f"sla_{target}_status"
            self.filtered(lambda c, s=status: c[s] not in FROZEN_SLA_STATUSES).write({status: "missed"})
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
        return self._process_locked_batch(domain, limit, "fallback_date, id", lambda batch: batch._send_fallback())

    @api.model
    def _process_locked_batch(self, domain, limit, order, process):
        """`process` the next `limit` callbacks of `domain` that no concurrent run holds.
        Returns (processed, remaining) for ir.cron._commit_progress; `process` must take
        its callbacks out of `domain`."""
        candidates = self.search(domain, limit=limit, order=order)
        batch = candidates.try_lock_for_update()
        if batch:
            process(batch)
        remaining = self.search_count(domain) if len(candidates) == limit else 0
        return len(batch), remaining

    def _send_fallback(self):
        now = fields.Datetime.now()
        settings = self._get_channel_settings()
        blocked = self.partner_id._get_callback_blocked_channels()
        missing = self.partner_id._get_callback_missing_channels()
        targets = {channel: self.browse() for channel in MESSAGE_CHANNELS}
        nowhere, later = self.browse(), defaultdict(lambda: self.browse())
        for callback in self:
            pid, cid = callback.partner_id.id, callback.company_id.id
            unset = {c for c in WEBHOOK_CHANNELS if not settings[cid, c].webhook_url}
            skip = blocked.get(pid, set()) | missing.get(pid, set(MESSAGE_CHANNELS)) | unset
            usable = [c for c in MESSAGE_CHANNELS if c not in skip]
            if not usable:
                nowhere |= callback
            elif all(settings[callback.company_id.id, c]._in_window(now, callback._get_customer_tz()) for c in usable):
                for channel in usable:
                    targets[channel] |= callback
            else:  # never outside the window: wait for the next opening
                later[callback._next_fallback_date(now, settings, usable)] |= callback
        for when, group in later.items():
            group.write({"fallback_date": when})
        sending = self.browse().union(*targets.values())
        if sending:
            sending.write({"fallback_sent_date": now, "survey_expiry_date": now + timedelta(days=self._get_survey_link_days())})
            targets["sms"]._queue_fallback_sms()
            targets["email"]._queue_fallback_email()
            outcomes = self._post_fallback_webhooks(targets, settings)
            attempts = []
            for channel in MESSAGE_CHANNELS:
                for callback in targets[channel]:
                    outcome, note = outcomes.get((callback.id, channel), ("message_sent", None))
                    attempts.append(callback._prepare_attempt_vals(
                        channel, outcome, note=note,
                        settings=settings, blocked=blocked.get(callback.partner_id.id, set()),
                    ))
            self._log_attempts(attempts)
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

    def _post_fallback_webhooks(self, targets, settings):
        """Post the questionnaire message to the app / WeChat webhooks; returns
        {(callback id, channel): (outcome, note)}. A failed post is only an attempt outcome.

        An endpoint that does not answer (refused, timed out) is not tried again in this
        batch: one timeout per endpoint, not one per callback, while the batch holds its locks.
        """
        webhook_targets = self.browse().union(*(targets[c] for c in WEBHOOK_CHANNELS))
        if not webhook_targets:
            return {}
        # the SMS text: short, in the customer's language, with the link
        template = self.env.ref("insurance_claim_callback.sms_template_callback_fallback")
        texts = template._render_field("body", webhook_targets.ids, compute_lang=True)
        outcomes, silent = {}, set()
        not_tried = self.env._("Not sent: the endpoint did not answer earlier in this run.")
        with requests.Session() as session:
            for channel in WEBHOOK_CHANNELS:
                for callback in targets[channel]:
                    setting = settings[callback.company_id.id, channel]
                    if setting.id in silent:
                        outcomes[callback.id, channel] = ("message_failed", not_tried)
                        continue
                    payload = callback._prepare_webhook_payload(channel, texts[callback.id])
                    try:
                        posted = setting._post_webhook(payload, session)
                    except requests.RequestException as error:
                        _logger.warning("Callback webhook %s (%s) failed: %s", setting.code, setting.webhook_url, error)
                        silent.add(setting.id)
                        posted = False
                    outcomes[callback.id, channel] = ("message_sent" if posted else "message_failed", None)
        return outcomes

    def _prepare_webhook_payload(self, channel, text):
        self.ensure_one()
        return {
            "message_id": f"claim-callback-{self.id}-{channel}",  # lets the app ignore a repeated delivery
            "callback_id": self.id,
            "claim_number": self.claim_number or self.ticket_id.number,
            "partner_id": self.partner_id.id,
            "partner_ref": self.partner_id.ref or None,
            "channel": channel,
            "message": text,
            "questionnaire_url": self._get_survey_url(),
        }

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
        return self._get_param("survey_link_days", 7)

    # ------------------------------------------------------------------
    # Questionnaire: signed, expiring per-callback link
    # ------------------------------------------------------------------

    def _survey_link_signature(self, expiry):
        self.ensure_one()
        return hmac(self.env(su=True), SURVEY_LINK_SCOPE, (self.id, int(expiry), self.access_token or ""))

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
        result = self.register_result(
            values["satisfaction"], nps=values.get("nps"), feedback=feedback or None, issues=problems or None
        )
        self.env["claim.reward.rule"]._reward_event("survey_completed", self)
        return result

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    @api.model
    def _cron_schedule_callbacks(self):
        processed, remaining = self._schedule_first_callbacks(self._get_schedule_batch_size())
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    # ------------------------------------------------------------------
    # Personal data: feedback retention (SPEC §5)
    # ------------------------------------------------------------------

    @api.model
    def _cron_anonymize_feedback(self):
        processed, remaining = self._anonymize_feedback_batch(self._get_schedule_batch_size())
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _get_retention_domain(self, now):
        """Closed callbacks past their company's retention period, not erased yet."""
        per_company = []
        for company in self.env["res.company"].sudo().search([("callback_feedback_retention_days", ">", 0)]):
            cutoff = now - timedelta(days=company.callback_feedback_retention_days)
            closed_before = Domain("completed_date", "<", cutoff) | Domain(
                [("completed_date", "=", False), ("write_date", "<", cutoff)]
            )
            per_company.append(Domain("company_id", "=", company.id) & closed_before)
        return Domain([("state", "not in", OPEN_STATES), ("feedback_anonymized_date", "=", False)]) & Domain.OR(
            per_company
        )

    @api.model
    def _anonymize_feedback_batch(self, limit=500):
        domain = self._get_retention_domain(fields.Datetime.now())
        return self._process_locked_batch(domain, limit, "id", lambda batch: batch._anonymize_feedback())

    def _anonymize_feedback(self):
        """Erase the customer's free text; satisfaction, NPS and sentiment stay for the KPIs."""
        self.write(
            {"feedback": False, "suggestions": False, "answers": False, "feedback_anonymized_date": fields.Datetime.now()}
        )
        self.attempt_ids.filtered("note").write({"note": False})
        # sudo: questionnaire lines are survey records; survey requires a value on an answered line
        lines = self.sudo().survey_answer_ids.user_input_line_ids
        lines.filtered(lambda line: line.answer_type == "text_box").write({"value_text_box": ERASED_TEXT})
        lines.filtered(lambda line: line.answer_type == "char_box").write({"value_char_box": ERASED_TEXT})

    @api.model
    def _get_schedule_batch_size(self):
        return self._get_param("batch_size", 500)

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
        # search_fetch: what the callback values and the SLA rule matching read, in the same query
        candidates = Ticket.search_fetch(
            domain,
            ["is_claim", "partner_id", "company_id", "team_id", "closed_date", "claim_category_id", "claim_amount"],
            limit=limit,
            order="closed_date, id",
        )
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
        # SLA rule and deadlines are filled by create(), for the whole batch at once.
        return {
            "ticket_id": ticket.id,
            "partner_id": ticket.partner_id.id,
            "company_id": ticket.company_id.id,
            "team_id": ticket.team_id.id,
            "sequence": 1,
            "sla_start_date": ticket.closed_date,
        }

    @api.model
    def _assign_least_loaded(self, vals_list):
        """Fill `user_id` in callback values: the least-loaded agent of the team
        with capacity left; none available leaves the callback unassigned."""
        agent_group = self.env.ref("insurance_claim_callback.group_callback_agent")
        teams = self.env["helpdesk.ticket.team"].browse({v["team_id"] for v in vals_list if v.get("team_id")})
        agents_by_company = self.env["res.users"]._read_group(
            [("id", "in", teams.user_ids.ids), ("all_group_ids", "in", agent_group.id)],
            ["company_ids"],
            ["id:recordset"],
        )
        candidates = self.env["res.users"].union(*(users for _company, users in agents_by_company))
        companies = {user.id: set() for user in candidates}
        for company, users in agents_by_company:
            for user in users:
                companies[user.id].add(company.id)
        load = dict.fromkeys(candidates.ids, 0)
        for user, count in self._read_group(
            [("user_id", "in", candidates.ids), ("state", "in", OPEN_STATES)], ["user_id"], ["__count"]
        ):
            load[user.id] = count
        members = {team.id: team.user_ids & candidates for team in teams}
        for vals in vals_list:
            if vals.get("user_id") or not vals.get("team_id"):
                continue
            free = [
                user
                for user in members[vals["team_id"]]
                if load[user.id] < user.callback_capacity and vals["company_id"] in companies[user.id]
            ]
            if free:
                agent = min(free, key=lambda u: (load[u.id], u.id))
                vals["user_id"] = agent.id
                load[agent.id] += 1
        return vals_list

    # ------------------------------------------------------------------
    # SLA: deadlines, pause, statuses, escalation
    # ------------------------------------------------------------------

    @api.model
    def _add_sla_vals(self, vals_list):
        """Fill rule, deadlines and at-risk dates in callback values, for a batch:
        one rule search, one deadline computation per rule."""
        if not vals_list:
            return
        tickets = self.env["helpdesk.ticket"].browse({vals["ticket_id"] for vals in vals_list})
        matched = self.env["claim.sla.rule"]._match_tickets(tickets)
        now = fields.Datetime.now()
        by_rule = {}
        for vals in vals_list:
            if "sla_rule_id" not in vals:
                vals["sla_rule_id"] = matched[vals["ticket_id"]].id
            vals["sla_start_date"] = vals.get("sla_start_date") or now
            by_rule.setdefault(vals["sla_rule_id"], []).append(vals)
        for rule_id, rule_vals in by_rule.items():
            rule = self.env["claim.sla.rule"].browse(rule_id)
            starts = [fields.Datetime.to_datetime(vals["sla_start_date"]) for vals in rule_vals]
            for vals, targets in zip(rule_vals, rule._plan_targets(starts, list(SLA_TARGETS)), strict=True):
                for target, (deadline, risk_date) in targets.items():
                    vals[f"sla_{target}_deadline"] = deadline
                    vals[f"sla_{target}_risk_date"] = risk_date

    def _sla_freeze_vals(self, target, done_at):
        """Met or missed, once a target is done (a pause has already moved the deadline)."""
        self.ensure_one()
        if self[f"sla_{target}_status"] in FROZEN_SLA_STATUSES:
            return {}
        deadline = self[f"sla_{target}_deadline"]
        return {f"sla_{target}_status": "met" if not deadline or done_at <= deadline else "missed"}

    def _sla_resume(self, at=None):
        """Restart the paused completion clock at `at` (default: the time the customer
        chose): the working time that was left at the pause counts again from then."""
        for callback in self.filtered("sla_paused_since"):
            rule, paused = callback.sla_rule_id, callback.sla_paused_since
            at = max(at or callback.sla_pause_until, paused)
            vals = {
                "sla_paused_since": False,
                "sla_pause_until": False,
                "sla_paused_hours": callback.sla_paused_hours + (at - paused).total_seconds() / 3600,
            }
            for field in ("sla_completion_deadline", "sla_completion_risk_date"):
                if callback[field] and callback[field] > paused:
                    vals[field] = rule._plan([(at, rule._work_hours_between(paused, callback[field]))])[0]
            callback.write(vals)

    def action_accept_suggestion(self):
        """Supervisors: the insurer takes the customer's suggestion; the reward rules of that event apply."""
        if not self.env.user.has_group("insurance_claim_callback.group_callback_supervisor"):
            raise AccessError(self.env._("Only callback supervisors can accept a suggestion."))
        self.check_access("write")
        if without := self.filtered(lambda c: c.state != "done" or not c.suggestions):
            raise UserError(
                self.env._("%(callback)s has no recorded suggestion to accept.", callback=without[0].display_name)
            )
        todo = self.filtered(lambda c: not c.suggestion_accepted)
        todo.write({"suggestion_accepted": True})
        self.env["claim.reward.rule"]._reward_event("suggestion_accepted", todo)
        return True

    def action_recompute_sla(self):
        """Supervisors: apply the current SLA rules to these callbacks' running targets."""
        if not self.env.user.has_group("insurance_claim_callback.group_callback_supervisor"):
            raise AccessError(self.env._("Only callback supervisors can recompute SLA deadlines."))
        self.check_access("write")
        fields_to_log = ["sla_rule_id", "sla_first_contact_deadline", "sla_completion_deadline"]
        for callback in self:
            before = {name: callback[name] for name in fields_to_log}
            vals = {"ticket_id": callback.ticket_id.id, "sla_start_date": callback.sla_start_date}
            self._add_sla_vals([vals])
            new = {"sla_rule_id": vals["sla_rule_id"]}
            for target in SLA_TARGETS:
                if callback[f"sla_{target}_status"] in FROZEN_SLA_STATUSES:
                    continue  # a done target keeps the deadline it was measured against
                shift = timedelta(hours=callback.sla_paused_hours) if target == "completion" else timedelta()
                new[f"sla_{target}_deadline"] = vals[f"sla_{target}_deadline"] + shift
                new[f"sla_{target}_risk_date"] = vals[f"sla_{target}_risk_date"] + shift
                new[f"sla_{target}_status"] = "on_track"  # the SLA cron re-evaluates it
            callback.write(new)
            callback.message_post(
                body=self.env._(
                    "SLA recomputed by %(user)s: rule %(old_rule)s → %(new_rule)s, first contact due %(old_fc)s → "
                    "%(new_fc)s, completion due %(old_c)s → %(new_c)s.",
                    user=self.env.user.name,
                    old_rule=before["sla_rule_id"].display_name or self.env._("default"),
                    new_rule=callback.sla_rule_id.display_name or self.env._("default"),
                    old_fc=before["sla_first_contact_deadline"],
                    new_fc=callback.sla_first_contact_deadline,
                    old_c=before["sla_completion_deadline"],
                    new_c=callback.sla_completion_deadline,
                )
            )
        return True

    @api.model
    def _cron_sla_check(self):
        processed, remaining = self._sla_check(self._get_schedule_batch_size())
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _sla_check(self, limit=500):
        """One batch of SLA work: resume pauses that ended, move statuses, escalate.

        Each status transition is one search + one write over at most `limit`
        rows, whatever the number of open callbacks. Returns (processed, remaining).
        """
        now = fields.Datetime.now()
        processed = remaining = 0
        # No chatter tracking in the cron: statuses are not tracked, and a message per
        # record would cost a dozen queries each; the escalation activity is the trace.
        self = self.with_context(tracking_disable=True)  # noqa: PLW0642
        steps = [
            (self, self._sla_resume_domain(now), lambda recs: recs._sla_resume()),
            *self._sla_transition_steps(now),
            *self.env["helpdesk.ticket"]._sla_transition_steps(now),
            (self, self._sla_escalation_domain("first_contact"), lambda recs: recs._sla_escalate("first_contact")),
            (self, self._sla_escalation_domain("completion"), lambda recs: recs._sla_escalate("completion")),
            (
                self.env["helpdesk.ticket"],
                self.env["helpdesk.ticket"]._sla_escalation_domain(),
                lambda recs: recs._sla_escalate(),
            ),
        ]
        for model, domain, apply, *order in steps:
            # the order matches the partial indexes: a batch is a short index range scan
            records = model.search(domain, limit=limit, order=order[0] if order else "id")
            locked = self._sla_lock(records)
            if locked:
                apply(locked)
            processed += len(locked)
            if len(records) == limit:
                remaining += model.search_count(domain)
        return processed, remaining

    @api.model
    def _sla_lock(self, records):
        """Rows a concurrent run holds, or changed since our snapshot, are left to it."""
        if not records:
            return records
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                return records.try_lock_for_update()
        except pg_errors.SerializationFailure:
            return records.browse()

    @api.model
    def _sla_resume_domain(self, now):
        return Domain([("sla_paused_since", "!=", False), ("sla_pause_until", "<=", now)])

    @api.model
    def _sla_transition_steps(self, now):
        """(model, domain, apply, order) per target and status transition."""
        steps = []
        for target, done_field in SLA_TARGETS.items():
            running = Domain([("state", "in", OPEN_STATES), (done_field, "=", False)])
            if target == "completion":
                running &= Domain("sla_paused_since", "=", False)
            status, deadline, risk = f"sla_{target}_status", f"sla_{target}_deadline", f"sla_{target}_risk_date"
            steps += [
                (
                    self,
                    running & Domain([(status, "in", ("on_track", "at_risk")), (deadline, "<", now)]),
                    lambda recs, status=status: recs.write({status: "breached"}),
                    f"{risk}, {deadline}, id",
                ),
                (
                    self,
                    running & Domain([(status, "=", "on_track"), (risk, "<=", now), (deadline, ">=", now)]),
                    lambda recs, status=status: recs.write({status: "at_risk"}),
                    f"{risk}, {deadline}, id",
                ),
            ]
        return steps

    @api.model
    def _sla_escalation_domain(self, target):
        status, escalated = f"sla_{target}_status", f"sla_{target}_escalated"
        return Domain([("state", "in", OPEN_STATES), (escalated, "=", False)]) & (
            Domain(status, "=", "breached")
            | Domain([(status, "=", "at_risk"), ("sla_rule_id.escalation_trigger", "=", "at_risk")])
        )

    def _sla_escalate(self, target):
        """Escalate one target of these callbacks, once: the rule says how."""
        labels = dict(self._fields[f"sla_{target}_status"]._description_selection(self.env))
        target_label = self.env._("first contact") if target == "first_contact" else self.env._("completion")
        activities, to_assign, by_user, by_priority = [], [], {}, {}
        for callback in self:
            rule = callback.sla_rule_id
            leader = callback.team_id.user_id
            if (not rule or rule.escalation_activity) and leader:
                activities.append(
                    callback._sla_activity_vals(
                        leader,
                        self.env._(
                            "SLA %(target)s %(status)s: %(callback)s",
                            target=target_label,
                            status=labels[callback[f"sla_{target}_status"]].lower(),
                            callback=callback.display_name,
                        ),
                    )
                )
            if rule.escalation_reassign == "supervisor" and leader and leader != callback.user_id:
                by_user.setdefault(leader.id, self.browse())
                by_user[leader.id] |= callback
            elif rule.escalation_reassign == "least_loaded" and callback.team_id:
                to_assign.append(callback)
            if rule.escalation_raise_priority and callback.priority != "3":
                by_priority.setdefault(str(int(callback.priority or "0") + 1), self.browse())
                by_priority[str(int(callback.priority or "0") + 1)] |= callback
        if to_assign:
            vals_list = self._assign_least_loaded(
                [{"team_id": c.team_id.id, "company_id": c.company_id.id} for c in to_assign]
            )
            for callback, vals in zip(to_assign, vals_list, strict=True):
                if vals.get("user_id") and vals["user_id"] != callback.user_id.id:
                    by_user.setdefault(vals["user_id"], self.browse())
                    by_user[vals["user_id"]] |= callback
        # Activities of the escalation are created as one batch (sudo: the cron's
        # user may not read the leader; the activity is only a notice).
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        for user_id, callbacks in by_user.items():
            callbacks.write({"user_id": user_id})
        for priority, callbacks in by_priority.items():
            callbacks.write({"priority": priority})
        for rule, callbacks in self.grouped("sla_rule_id").items():
            if rule.escalation_mail_template_id:
                rule.escalation_mail_template_id.send_mail_batch(callbacks.ids)
        self.write({f"sla_{target}_escalated": True})

    def _sla_activity_vals(self, user, summary):
        self.ensure_one()
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mail_activity_data_todo"),
            "summary": summary,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
        }
