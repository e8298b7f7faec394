from odoo import api, fields, models

from ..models.claim_bounds_mixin import POINTS


class ClaimRewardAdjust(models.TransientModel):
    """Supervisor correction of a customer's points: a new `adjust` ledger entry."""

    _name = "claim.reward.adjust"
    _inherit = ["claim.wizard.access.mixin", "claim.bounds.mixin"]
    _description = "Adjust Reward Points"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, domain="[('company_id', 'in', [company_id, False])]"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    points = fields.Integer(required=True, help="Positive to add points, negative to remove them.")
    reason = fields.Char(required=True)

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "points": (-POINTS[1], POINTS[1]),
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["claim.reward.entry"]._check_typed_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self.env["claim.reward.entry"]._check_typed_values(vals)
        return super().write(vals)

    def action_confirm(self):
        self.ensure_one()
        self.env["claim.reward.entry"].create(
            {
                "kind": "adjust",
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "points": self.points,
                "reason": self.reason,
            }
        )
        return {"type": "ir.actions.act_window_close"}
