import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..lib import sentiment as sentiment_lib
from ..lib import topics as topics_lib
from .claim_callback_channel import CHANNELS
from .claim_sla_mixin import FROZEN_SLA_STATUSES
from .locale_format import format_time_local

AGENT_GROUP = "insurance_claim_callback.group_callback_agent"
SUPERVISOR_GROUP = "insurance_claim_callback.group_callback_supervisor"
INTEGRATION_GROUP = "insurance_claim_callback.group_callback_integration"

MAX_ISSUES = 20  # problems raised in one result

_logger = logging.getLogger(__name__)

OPEN_STATES = ("scheduled", "in_progress")
PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]
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


# What web_read accepts for each field: {"fields": {...}, "context": {...}, "limit": 40, "offset": 0, "order": "..."}
WEB_SPEC_KEYS = {"fields": dict, "context": dict, "limit": int, "offset": int, "order": str}


class ClaimCallback(models.Model):
    """One follow-up of one claim. Its concerns live beside this file: SLA, contact,
    fallback, questionnaire, chain, scheduler, retention (claim_callback_*.py)."""

    _name = "claim.callback"
    _description = "Claim Callback"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin", "claim.sla.mixin"]
    _order = "sla_completion_deadline, id"
    _rec_names_search = ["claim_number", "partner_id"]  # pickers find a callback by its claim or customer
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
    sentiment_score = fields.Float(readonly=True, copy=False, digits=(3, 2), aggregator="avg")
    sentiment = fields.Selection(
        [("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")],
        readonly=True,
        copy=False,
        index=True,
    )
    # Not stored: choosing it in the first-callback scheduler would cost queries per batch.
    script_id = fields.Many2one("claim.callback.script", compute="_compute_script_id")
    script_body = fields.Html(compute="_compute_script_body", sanitize=False, string="Call Script")
    script_question_ids = fields.Many2many(
        "claim.callback.script.question", compute="_compute_script_id", string="Questions"
    )
    # Kept by the attempts' create (attempts are only ever added) for the analysis pivot, which otherwise aggregated
    # every attempt ever made before its month's filter; a compute would cost a query per batch of new callbacks.
    attempt_count = fields.Integer(readonly=True, copy=False, default=0)
    attempt_cost = fields.Float(string="Contact Cost", readonly=True, copy=False, default=0, digits=(16, 4))
    last_attempt_channel = fields.Selection(CHANNELS, readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    # The claim's data, read from the ticket for the agent's form.
    claim_number = fields.Char(related="ticket_id.claim_number")
    policy_number = fields.Char(related="ticket_id.policy_number")
    claim_category_id = fields.Many2one(related="ticket_id.claim_category_id")
    claim_amount = fields.Monetary(related="ticket_id.claim_amount", currency_field="company_currency_id")
    paid_amount = fields.Monetary(related="ticket_id.paid_amount", currency_field="company_currency_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    claim_closed_date = fields.Datetime(related="ticket_id.closed_date", string="Claim Closed")
    partner_email = fields.Char(related="partner_id.email", string="Email")
    # Not stored, not searchable, not groupable: the number is shown only as masking allows.
    partner_phone_formatted = fields.Char(string="Phone Number", compute="_compute_partner_phone_formatted")
    partner_phone_link = fields.Char(string="Dial", compute="_compute_partner_phone_formatted")
    partner_phone_masked = fields.Boolean(compute="_compute_partner_phone_formatted")

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
    _open_due_idx = models.Index("(user_id, sla_completion_deadline) WHERE state IN ('scheduled', 'in_progress')")
    # Monthly KPIs and their analysis: callbacks completed / started per company and period.
    _kpi_done_idx = models.Index("(company_id, completed_date) WHERE state = 'done'")
    _kpi_start_idx = models.Index("(company_id, sla_start_date)")
    # The hourly risk check recomputes the customers whose callbacks changed since its last run.
    _changed_idx = models.Index("(write_date)")
    @api.depends("ticket_id.claim_number", "ticket_id.number", "sequence")
    def _compute_display_name(self):
        for callback in self:
            # sudo: an agent sees the claim's number on the callback, not the claim ticket itself
            ticket = callback.sudo().ticket_id
            claim = ticket.claim_number or ticket.number or ""
            callback.display_name = self.env._("%(claim)s callback #%(seq)s", claim=claim, seq=callback.sequence)

    @api.model
    def _store_attempt_summaries(self, callback_ids=None):
        """The attempt summary of `callback_ids` (of every callback if None) from their attempts, in one statement:
        after the attempts' create, and for attempts written in SQL (the benches' data)."""
        self.env["claim.callback.attempt"].flush_model(["callback_id", "cost", "channel", "date"])
        self.env.execute_query(SQL(
            """UPDATE claim_callback cb SET attempt_count = a.attempts, attempt_cost = a.cost, last_attempt_channel = a.channel
                 FROM (SELECT callback_id, count(*) AS attempts, COALESCE(sum(cost), 0) AS cost,
                              (array_agg(channel ORDER BY date DESC, id DESC))[1] AS channel
                         FROM claim_callback_attempt %s GROUP BY callback_id) a
                WHERE cb.id = a.callback_id""",
            SQL("WHERE callback_id = ANY(%s)", list(callback_ids)) if callback_ids is not None else SQL(),
        ))
        self.invalidate_model(["attempt_count", "attempt_cost", "last_attempt_channel"])

    @api.depends("ticket_id.claim_category_id", "partner_id.category_id", "partner_id.lang")
    def _compute_script_id(self):
        Script = self.env["claim.callback.script"]
        found = {}  # a customer's callbacks share their script
        for callback in self:
            ticket = callback.sudo().ticket_id
            # keyed by the customer, not their tags: reading tags costs two queries, needed only for a segment script
            key = (ticket.company_id, ticket.claim_category_id, ticket.partner_id.lang, ticket.partner_id)
            if key not in found:
                found[key] = Script._find_for(ticket)
            callback.script_id = found[key]
            callback.script_question_ids = found[key].question_ids

    @api.depends("script_id", "ticket_id", "user_id", "partner_id.lang")
    @api.depends_context("lang")
    def _compute_script_body(self):
        """Read aloud, so in the customer's language; the reader's (the agent's) as a hint when it differs."""
        agent_lang = self.env.lang or self.env.user.lang
        for callback in self:
            script = callback.script_id
            # The agent may not read the claim ticket itself; the callback shows its data.
            callback.script_body = script._render_for_call(
                callback.sudo().ticket_id, callback.user_id, callback.partner_id.lang or agent_lang, agent_lang
            ) if script else False

    @api.depends("partner_id.phone", "partner_id.country_id", "user_id")
    @api.depends_context("uid")
    def _compute_partner_phone_formatted(self):
        """The number in full for the callback's agent and supervisors; masked for the others (README: Security and privacy)."""
        sees_every_number = self.env.user.has_group(SUPERVISOR_GROUP)
        for callback in self:
            partner, number = callback.partner_id, callback.partner_id.phone
            formatted = (
                partner._phone_format(number=number, country=partner.country_id, force_format="INTERNATIONAL")
                or number
            ) if number else False
            e164 = partner.phone_sanitized if number else False  # stored by phone_validation: no second parse
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

    def _register_hook(self):
        super()._register_hook()
        # The sentiment and topic models load once per process, at registry load, not in a
        # customer's first outcome (prefork: the master loads the registries, workers inherit them).
        sentiment_lib.warm_up()
        topics_lib.get_model("en")

    @api.model_create_multi
    def create(self, vals_list):
        self._add_sla_vals([vals for vals in vals_list if not vals.get("sla_completion_deadline")])
        return super().create(vals_list)

    def web_read(self, specification):
        self._check_web_specification(self, specification)
        return super().web_read(specification)

    @api.model
    def _check_web_specification(self, model, specification, depth=0):
        """A malformed specification is refused (4xx): Odoo's web_read would fail on it with a 500."""
        malformed = ValidationError(self.env._("Values must be given as a mapping of field names to values."))
        if not isinstance(specification, dict) or depth > 4:
            raise malformed
        for name, spec in specification.items():
            field = model._fields.get(name) if isinstance(name, str) else None
            if field is None:
                raise ValidationError(self.env._(
                    "%(model)s has no field %(field)s.", model=model._description, field=str(name)[:80]
                ))
            if not isinstance(spec, dict) or any(
                key not in WEB_SPEC_KEYS or (value is not None and not isinstance(value, WEB_SPEC_KEYS[key]))
                for key, value in spec.items()
            ):
                raise malformed
            if spec.get("fields") is not None:
                if not field.relational:
                    raise malformed
                self._check_web_specification(self.env[field.comodel_name], spec["fields"], depth + 1)

    # Not @api.readonly: the form an agent reopens right after logging a call must show the call, and a read
    # replica (db_replica_host) streams it a few hundred ms late (bench/cluster.sh: 302 of 321 such reads missed
    # it). The form reads on the primary; lists, pivots and reports stay on the replica.
    web_read._readonly = False

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._check_state(("scheduled",))
        self._as_service().write({"state": "in_progress"})

    def action_cancel(self):
        self._check_supervisor(self.env._("cancel a callback"))
        self._check_state(OPEN_STATES)
        self._as_service().write({"state": "cancelled"})

    def action_reset(self):
        self._check_supervisor(self.env._("reopen a callback"))
        self._check_state(("cancelled", "unreachable"))
        self._as_service().write({"state": "scheduled"})

    def action_assign_to_me(self):
        """Agents take unassigned work of their teams; supervisors may take any."""
        self._check_state(OPEN_STATES)
        taken = self.filtered(lambda c: c.user_id and c.user_id != self.env.user)
        if taken and not self.env.su and not self.env.user.has_group(SUPERVISOR_GROUP):
            raise UserError(
                self.env._(
                    "%(callback)s was just taken by %(agent)s: pick another one from the queue.",
                    callback=taken[0].display_name,
                    agent=taken[0].user_id.name,
                )
            )
        self._as_service().write({"user_id": self.env.user.id})

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
        return self._register_attempt(channel, outcome, duration, note, callback_at=callback_at)

    def _register_attempt(self, channel, outcome, duration=0, note=None, *, callback_at=None, external_id=None):
        self._check_one()
        if external_id and not self.env.su and not self.env.user.has_group(INTEGRATION_GROUP):
            raise AccessError(self.env._("Only the telephony integration records the call ids of its system."))
        callback_at = self._check_datetime(callback_at, self.env._("The call-back time"))
        now = fields.Datetime.now()
        if callback_at and (outcome != "call_back_later" or callback_at <= now):
            raise ValidationError(
                self.env._("A call-back time must be in the future and goes with the outcome “Call Back Later”.")
            )
        if callback_at and callback_at > now + timedelta(days=self.company_id.callback_later_max_days):
            raise ValidationError(
                self.env._(
                    "A call back later is at most %(days)s days ahead: the SLA cannot be paused longer.",
                    days=self.company_id.callback_later_max_days,
                )
            )
        callback = self._as_service()
        vals = callback._prepare_attempt_vals(channel, outcome, duration, note)
        vals["external_id"] = external_id
        attempt = callback._log_attempts([vals])
        if callback_at:
            callback._sla_pause(callback_at)
        return attempt.with_env(self.env)

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None, suggestions=None, answers=None):
        """Record the customer's answer, mark the callback done and run the closed loop.

        `issues`: problem texts, each becoming a feedback issue; an item may also be a
        dict {"name": text, "is_complaint": bool}. Everything is checked before anything
        is written.
        """
        self._check_one()
        self._check_result_values(satisfaction, nps)
        issues = self._normalize_issues(issues)
        feedback = self._check_text(feedback, self.env._("The feedback"))
        suggestions = self._check_text(suggestions, self.env._("The suggestions"))
        answers = self._check_text(answers, self.env._("The answers"))
        self = self._as_service()  # noqa: PLW0642 (checked: from here on the system writes)
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
        if issues in (None, False):
            return []
        if not isinstance(issues, (list, tuple)):
            raise ValidationError(self.env._("The problems raised are a list of texts."))
        if len(issues) > MAX_ISSUES:
            raise ValidationError(self.env._("At most %(max)s problems can be raised at once.", max=MAX_ISSUES))
        result = []
        for issue in issues:
            if isinstance(issue, str):
                issue = {"name": issue}
            if not isinstance(issue, dict) or not isinstance(issue.get("name"), str):
                raise ValidationError(self.env._("Each problem raised must be a text."))
            self._check_text(issue["name"], self.env._("A problem raised"))
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
        complaints_team = self.company_id.callback_complaints_team_id
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
                    time=format_time_local(self.env, attempt.date, self._get_customer_tz()),
                ),
            },
        }

    def _set_unreachable(self):
        """Every channel is exhausted: the SLA targets not reached yet are missed."""
        self._check_state(OPEN_STATES)
        for target in self._sla_targets():
            status = f"sla_{target}_status"
            self.filtered(lambda c, s=status: c[s] not in FROZEN_SLA_STATUSES).write({status: "missed"})
        self.write({"state": "unreachable", "next_attempt_date": False})

    def action_accept_suggestion(self):
        """Supervisors: the insurer takes the customer's suggestion; the reward rules of that event apply."""
        self._check_supervisor(self.env._("accept a suggestion"))
        self.check_access("write")
        if without := self.filtered(lambda c: c.state != "done" or not c.suggestions):
            raise UserError(
                self.env._("%(callback)s has no recorded suggestion to accept.", callback=without[0].display_name)
            )
        todo = self.filtered(lambda c: not c.suggestion_accepted)
        todo._as_service().write({"suggestion_accepted": True})
        self.env["claim.reward.rule"]._reward_event("suggestion_accepted", todo)
        return True

