from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .claim_bounds_mixin import AMOUNT
from .claim_sla_mixin import RUNNING_SLA_STATUSES, SLA_STATUSES

# Set by the product only: the claim's callback status is computed; a feedback issue is
# raised by its callback, which plans and freezes its resolution SLA.
SYSTEM_FIELDS = frozenset(
    {
        "callback_status",
        "source_callback_id",
        "sla_resolution_deadline",
        "sla_resolution_risk_date",
        "sla_resolution_status",
        "sla_resolution_escalated",
    }
)


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = [
        "claim.bounds.mixin", "helpdesk.ticket", "claim.sla.mixin", "claim.protected.mixin", "claim.customer.history.mixin"
    ]
    _rec_names_search = ["number", "name", "claim_number"]  # a claim is found by its claim number too

    is_claim = fields.Boolean(
        string="Insurance Claim", index=True, tracking=True, copy=False,
        help="A settled insurance claim: its closure schedules the customer callback.",
    )
    # the customer 360 reads a customer's claims and open issues on every callback form
    partner_id = fields.Many2one(index="btree_not_null")
    claim_number = fields.Char(copy=False, tracking=True, index="btree_not_null")
    policy_number = fields.Char(index="btree_not_null")
    claim_category_id = fields.Many2one(
        "claim.category", index="btree_not_null", tracking=True, ondelete="restrict"
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    claim_amount = fields.Monetary(string="Claimed Amount", currency_field="company_currency_id")
    paid_amount = fields.Monetary(currency_field="company_currency_id", tracking=True)
    callback_ids = fields.One2many("claim.callback", "ticket_id", string="Callbacks")
    callback_count = fields.Integer(compute="_compute_callback_count")
    callback_status = fields.Selection(
        [
            ("none", "No Callback"),
            ("pending", "Pending"),
            ("satisfied", "Satisfied"),
            ("limit_reached", "Limit Reached"),
            ("opted_out", "Opted Out"),
        ],
        compute="_compute_callback_status",
        store=True,
        index=True,
        default="none",
    )
    # Feedback issues (README, Stable interface): the callback that raised them, and complaints.
    source_callback_id = fields.Many2one(
        "claim.callback", string="Raised in Callback", index="btree_not_null", copy=False, ondelete="set null"
    )
    is_complaint = fields.Boolean(string="Complaint", copy=False, tracking=True)

    # Their resolution SLA.
    sla_resolution_deadline = fields.Datetime(string="Resolution Due", copy=False, readonly=True, tracking=True)
    sla_resolution_risk_date = fields.Datetime(string="Resolution At Risk From", copy=False, readonly=True)
    sla_resolution_status = fields.Selection(
        SLA_STATUSES, string="Resolution SLA", copy=False, readonly=True
    )
    sla_resolution_escalated = fields.Boolean(string="Resolution Escalated", copy=False, readonly=True, default=False)

    _claim_number_company_uniq = models.Constraint(
        "UNIQUE(company_id, claim_number)",
        "This claim number is already used in this company.",
    )
    # The scheduler's search: closed claims still waiting for their first callback.
    _awaiting_callback_idx = models.Index("(closed_date, id) WHERE is_claim AND callback_status = 'none'")
    # Monthly KPIs: claims closed per company and month, feedback issues and complaints opened.
    _kpi_closed_idx = models.Index("(company_id, closed_date) WHERE is_claim")
    _kpi_feedback_idx = models.Index("(company_id, create_date) WHERE source_callback_id IS NOT NULL OR is_complaint")
    # The hourly risk check recomputes the customers whose claims or complaints changed since its last run.
    _risk_changed_idx = models.Index("(write_date) WHERE is_complaint OR is_claim")
    # The SLA cron's searches over open feedback issues (as on claim.callback: one partial index each).
    _sla_resolution_breach_idx = models.Index(
        "(sla_resolution_deadline, id) WHERE source_callback_id IS NOT NULL AND closed_date IS NULL "
        "AND sla_resolution_status IN ('on_track', 'at_risk')"
    )
    _sla_resolution_risk_idx = models.Index(
        "(sla_resolution_risk_date, id) WHERE source_callback_id IS NOT NULL AND closed_date IS NULL "
        "AND sla_resolution_status = 'on_track'"
    )
    _sla_resolution_escalate_idx = models.Index(
        "(id) WHERE source_callback_id IS NOT NULL AND closed_date IS NULL AND sla_resolution_escalated IS NOT TRUE "
        "AND sla_resolution_status IN ('at_risk', 'breached')"
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "claim_amount": AMOUNT,
            "paid_amount": AMOUNT,
        }

    @api.depends("callback_ids")
    def _compute_callback_count(self):
        counts = dict(
            self.env["claim.callback"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.callback_count = counts.get(ticket, 0)

    @api.depends(
        "is_claim",
        "callback_ids.state",
        "callback_ids.sequence",
        "callback_ids.satisfaction",
        "callback_ids.chain_state",
        "partner_id.callback_opted_out",
        "company_id.callback_satisfied_score",
    )
    def _compute_callback_status(self):
        for ticket in self:
            # A customer who refused every channel leaves the programme (and the
            # coverage denominator), unless already satisfied.
            if ticket.is_claim and ticket.partner_id.callback_opted_out:
                satisfied = ticket.callback_ids.filtered(
                    lambda c: c.state == "done" and c.satisfaction >= c.company_id.callback_satisfied_score
                )
                if not satisfied:
                    ticket.callback_status = "opted_out"
                    continue
            # "none" only while no callback exists, even a cancelled one: the
            # scheduler creates the first callback of "none" claims only.
            if not ticket.is_claim or not ticket.callback_ids:
                ticket.callback_status = "none"
                continue
            live = ticket.callback_ids.filtered(lambda c: c.state != "cancelled")
            last = live.sorted("sequence")[-1:]
            if last.chain_state in ("satisfied", "limit_reached"):
                ticket.callback_status = last.chain_state
            else:
                ticket.callback_status = "pending"

    @api.constrains("claim_amount", "paid_amount")
    def _check_claim_amounts(self):
        for ticket in self:
            if ticket.claim_amount < 0 or ticket.paid_amount < 0:
                raise ValidationError(
                    self.env._("Claim %(claim)s: amounts cannot be negative.", claim=ticket.display_name)
                )
            if ticket.paid_amount > ticket.claim_amount:
                raise ValidationError(
                    self.env._(
                        "Claim %(claim)s: the paid amount (%(paid)s) exceeds the claimed amount (%(claimed)s).",
                        claim=ticket.display_name,
                        paid=ticket.paid_amount,
                        claimed=ticket.claim_amount,
                    )
                )

    @api.constrains("is_claim", "claim_number", "partner_id", "stage_id")
    def _check_claim_data(self):
        for ticket in self.filtered("is_claim"):
            if not ticket.claim_number:
                raise ValidationError(
                    self.env._("Ticket %(ticket)s is a claim: it needs a claim number.", ticket=ticket.display_name)
                )
            if ticket.stage_id.closed and not ticket.partner_id:
                raise ValidationError(
                    self.env._(
                        "Claim %(claim)s cannot be closed without a customer to call back.",
                        claim=ticket.claim_number,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected(vals)
            self._check_claim_category_vals(vals)
        self._add_resolution_sla_vals([vals for vals in vals_list if vals.get("source_callback_id")])
        tickets = super().create(vals_list)
        # helpdesk_mgmt stamps closed_date only when a stage changes: a ticket
        # created directly in a closed stage is closed at its creation.
        closed_now = tickets.filtered(lambda t: t.stage_id.closed and not t.closed_date)
        if closed_now:
            closed_now.closed_date = fields.Datetime.now()
        tickets._trigger_callback_scheduling()
        return tickets

    def write(self, vals):
        self._check_protected(vals)
        self._check_claim_category_vals(vals)
        res = super().write(vals)
        if {"stage_id", "is_claim", "partner_id"} & vals.keys():
            self._trigger_callback_scheduling()
        if "stage_id" in vals or "closed_date" in vals:
            self._freeze_resolution_sla()
        if "stage_id" in vals:
            self._resume_callback_chains()
        return res

    def _resume_callback_chains(self):
        """A resolved feedback issue may let its callback's chain go on."""
        callbacks = self.filtered(lambda t: t.source_callback_id and t.stage_id.closed).source_callback_id
        if callbacks:
            # The chain is the system's: whoever closes the issue may not see the callback.
            callbacks.sudo()._advance_chain()

    # ------------------------------------------------------------------
    # Feedback issues: resolution SLA
    # ------------------------------------------------------------------

    @api.model
    def _add_resolution_sla_vals(self, vals_list):
        """Resolution deadline from the ticket's opening, on the raising callback's SLA rule."""
        now = fields.Datetime.now()
        for vals in vals_list:
            rule = self.env["claim.callback"].browse(vals["source_callback_id"]).sla_rule_id
            (targets,) = rule._plan_targets([now], ["resolution"])
            vals["sla_resolution_deadline"], vals["sla_resolution_risk_date"] = targets["resolution"]
            vals["sla_resolution_status"] = "on_track"

    def _freeze_resolution_sla(self):
        for ticket in self.filtered(lambda t: t.sla_resolution_status in RUNNING_SLA_STATUSES and t.closed_date):
            # sudo: the product freezes the SLA of the issue whoever closes it
            ticket.sudo().write(ticket._sla_freeze_vals("resolution", ticket.closed_date))

    @api.model
    def _sla_targets(self):
        return {"resolution": "closed_date"}

    @api.model
    def _sla_open_domain(self):
        return Domain([("source_callback_id", "!=", False), ("closed_date", "=", False)])

    @api.model
    def _sla_rule_path(self):
        return "source_callback_id.sla_rule_id"

    def _sla_get_leader(self):
        self.ensure_one()
        return self.team_id.user_id or self.source_callback_id.team_id.user_id

    def _trigger_callback_scheduling(self):
        """Run the scheduler soon after a claim closes rather than at its next tick."""
        if any(t.is_claim and t.stage_id.closed for t in self):
            self.env.ref("insurance_claim_callback.ir_cron_schedule_callbacks")._trigger()

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | SYSTEM_FIELDS

    def _check_claim_category_vals(self, vals):
        category_id = vals.get("claim_category_id")
        if category_id and not self.env["claim.category"].browse(category_id).exists():
            raise ValidationError(self.env._("Unknown claim category: %(id)s.", id=category_id))

    def _get_awaiting_first_callback_domain(self):
        return Domain(
            [
                ("is_claim", "=", True),
                ("callback_status", "=", "none"),
                ("closed_date", "!=", False),
                ("stage_id.closed", "=", True),
                ("partner_id", "!=", False),
            ]
        )

    def action_view_callbacks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("insurance_claim_callback.claim_callback_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action
