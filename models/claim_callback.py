import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import mute_logger

from ..lib import sentiment as sentiment_lib

_logger = logging.getLogger(__name__)

OPEN_STATES = ("scheduled", "in_progress")
# Seed targets (hours) until the SLA rules replace them.
DEFAULT_FIRST_CONTACT_HOURS = 24
DEFAULT_COMPLETION_HOURS = 72
DEFAULT_RESOLUTION_HOURS = 48
# Closed loop defaults (ir.config_parameter insurance_claim_callback.<key>).
DEFAULT_CHAIN_LIMIT = 3
DEFAULT_LOW_SATISFACTION = 3
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
    suggestions = fields.Text(readonly=True, copy=False)
    answers = fields.Text(readonly=True, copy=False, help="The customer's answers to the script's questions.")
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
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_email = fields.Char(related="partner_id.email", string="Email")

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

    def register_attempt(self, channel, outcome, duration=0, note=None):
        """Log one try to reach the customer; return the new attempt."""
        self.ensure_one()
        self._check_state(OPEN_STATES)
        attempt = self.env["claim.callback.attempt"].create(
            {
                "callback_id": self.id,
                "channel": channel,
                "outcome": outcome,
                "duration": duration or 0,
                "note": note,
                "user_id": self.env.user.id,
            }
        )
        vals = {}
        if not self.first_attempt_date:
            vals["first_attempt_date"] = attempt.date
        if self.state == "scheduled":
            vals["state"] = "in_progress"
        if vals:
            self.write(vals)
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
        vals = {
            "state": "done",
            "satisfaction": satisfaction,
            "nps": nps or 0,
            "feedback": feedback,
            "suggestions": suggestions,
            "answers": answers,
            "completed_date": now,
            "first_attempt_date": self.first_attempt_date or now,
        }
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
        deadline = fields.Datetime.now() + timedelta(hours=self._get_resolution_hours(ticket))
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
                "issue_deadline": deadline,
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
    def _get_resolution_hours(self, ticket):
        """Feedback issue resolution target in hours (SLA rules may override)."""
        return DEFAULT_RESOLUTION_HOURS

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
        start = fields.Datetime.now()
        first_contact_hours, completion_hours = self._get_sla_hours(self.ticket_id)
        return {
            "ticket_id": self.ticket_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "sequence": self.sequence + 1,
            "parent_id": self.id,
            "sla_start_date": start,
            "sla_first_contact_deadline": start + timedelta(hours=first_contact_hours),
            "sla_completion_deadline": start + timedelta(hours=completion_hours),
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
            tickets.fetch(["is_claim", "closed_date", "partner_id", "company_id", "team_id"])
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
