"""What a supervisor does with a warning (README: Early warning and trends): each kind links to what it counts
and offers the follow-up that fits it: reassign or raise the capacity of a team, open a channel's failed attempts,
open a customer's complaint or schedule a callback to them."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from .claim_callback import AGENT_GROUP, OPEN_STATES
from .res_partner_callback_risk import RISK_REASONS


class ClaimRiskWarning(models.Model):
    _inherit = "claim.risk.warning"

    customer_risk_reason = fields.Selection(
        RISK_REASONS, string="Reason", compute="_compute_customer_risk_reason",
        help="Why the customer is at high risk (customers at risk only).",
    )
    complaint_count = fields.Integer(string="Open Complaints", compute="_compute_complaint_count")

    @api.depends("kind", "message_values")
    def _compute_customer_risk_reason(self):
        reasons = dict(RISK_REASONS)
        for warning in self:
            reason = warning.kind == "customer_at_risk" and (warning.message_values or {}).get("reason")
            warning.customer_risk_reason = reason if reason in reasons else False

    @api.depends("kind", "partner_id", "company_id")
    def _compute_complaint_count(self):
        at_risk = self.filtered(lambda w: w.kind == "customer_at_risk" and w.partner_id)
        counts = {}
        if at_risk:
            groups = self.env["helpdesk.ticket"]._read_group(
                self._open_complaints_domain(at_risk.partner_id, at_risk.company_id),
                ["partner_id", "company_id"], ["__count"],
            )
            counts = {(partner.id, company.id): count for partner, company, count in groups}
        for warning in self:
            warning.complaint_count = counts.get((warning.partner_id.id, warning.company_id.id), 0)

    # ------------------------------------------------------------------
    # Follow-ups
    # ------------------------------------------------------------------

    def action_reassign(self):
        """Capacity shortage: the team's open callbacks by agent, to hand some to another agent or team."""
        self._check_follow_up("capacity_shortage")
        model, domain = self._records_domain()
        return self._window(model, domain, self.env._("Reassign: %(team)s", team=self.team_id.display_name),
                            context={"group_by": ["user_id"]})

    def action_raise_capacity(self):
        """Capacity shortage: the team's callback agents and their capacity, for those who may change it."""
        self._check_follow_up("capacity_shortage")
        if not self.env["res.users"].has_access("write"):
            raise AccessError(self.env._("Only administrators of the users change an agent's callback capacity."))
        agents = self.team_id.user_ids.filtered(lambda u: u.has_group(AGENT_GROUP) and not u.share)
        action = self._window("res.users", [("id", "in", agents.ids)],
                              self.env._("Capacity: %(team)s", team=self.team_id.display_name))
        action["views"] = [(self.env.ref("insurance_claim_callback.res_users_view_list_callback_capacity").id, "list")]
        return action

    def action_view_failed_attempts(self):
        """Channel or contact failure: the attempts that failed, newest first."""
        self._check_follow_up("channel_failure", "contact_failure")
        model, domain = self._records_domain()
        if self.kind == "channel_failure":
            domain = [*domain, ("outcome", "=", "message_failed")]
        return self._window(model, domain, self.env._("Failed Attempts: %(warning)s", warning=self.display_name))

    def action_view_complaints(self):
        """Customer at risk: their open complaints in the warning's company (the one itself when alone)."""
        self._check_follow_up("customer_at_risk")
        complaints = self.env["helpdesk.ticket"].search(
            self._open_complaints_domain(self.partner_id, self.company_id)
        )
        action = self._window("helpdesk.ticket", [("id", "in", complaints.ids)],
                              self.env._("Complaints: %(customer)s", customer=self.partner_id.display_name))
        if len(complaints) == 1:
            action.update(res_id=complaints.id, view_mode="form", views=[(False, "form")])
        return action

    def action_schedule_callback(self):
        """Customer at risk: the open callback of their latest claim with a callback here, else the next one of
        its chain, scheduled now with a high priority; opened in its form."""
        self._check_follow_up("customer_at_risk")
        Callback = self.env["claim.callback"]
        latest = Callback.search(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)], order="id desc", limit=1
        )
        if not latest:
            raise UserError(self.env._(
                "%(customer)s has no callback in %(company)s to follow up: contact them from their complaint.",
                customer=self.partner_id.display_name, company=self.company_id.name,
            ))
        callback = Callback.search([("ticket_id", "=", latest.ticket_id.id), ("state", "in", OPEN_STATES)], limit=1)
        if not callback:
            last = Callback.search([("ticket_id", "=", latest.ticket_id.id)], order="sequence desc, id desc", limit=1)
            vals = Callback._assign_least_loaded([{**last._prepare_next_callback_vals(), "priority": "2"}])
            # sudo: the chain's fields (sequence, previous callback) are the system's; the supervisor asks for
            # the next callback of the chain, after reading its last one
            callback = Callback.sudo().create(vals).with_env(self.env)
            # sudo: supervisors only read warnings; the note on it records their follow-up
            self.sudo().message_post(body=self.env._("Callback %(callback)s scheduled.", callback=callback.display_name))
        return self._window("claim.callback", [("id", "=", callback.id)], callback.display_name) | {
            "res_id": callback.id, "view_mode": "form", "views": [(False, "form")],
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_follow_up(self, *kinds):
        self.ensure_one()
        self._check_supervisor()
        if self.kind not in kinds:
            raise UserError(self.env._("This follow-up does not fit a warning of this kind."))

    def _window(self, model, domain, name, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False, **(context or {})},
        }

    @api.model
    def _open_complaints_domain(self, partners, companies):
        return Domain([
            ("is_complaint", "=", True), ("stage_id.closed", "=", False),
            ("partner_id", "in", partners.ids), ("company_id", "in", companies.ids),
        ])
