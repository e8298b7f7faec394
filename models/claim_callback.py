import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

OPEN_STATES = ("scheduled", "in_progress")
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

    # One first callback per claim, whatever runs the scheduler and however often.
    _first_callback_uniq = models.UniqueIndex(
        "(ticket_id) WHERE sequence = 1",
        "A claim has exactly one first callback.",
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
