from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    reward_points = fields.Integer(
        compute="_compute_reward_points",
        groups="insurance_claim_callback.group_callback_agent",
        help="Reward points balance in the current company.",
    )

    @api.depends_context("company")
    def _compute_reward_points(self):
        balances = self.env["claim.reward.entry"]._balances(self, self.env.company)
        for partner in self:
            partner.reward_points = balances.get(partner._origin, 0)

    def reward_redeem(self, points, reason=None):
        """Spend `points` of the customer's balance in the current company; return the entry."""
        return self.env["claim.reward.entry"]._redeem(self, points, reason=reason)

    def action_view_reward_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("insurance_claim_callback.claim_reward_entry_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_groupby_kind": 0}
        return action

    def action_reward_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust Points"),
            "res_model": "claim.reward.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
