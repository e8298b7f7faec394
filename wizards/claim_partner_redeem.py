from odoo import api, fields, models

from ..models.claim_bounds_mixin import POINTS


class ClaimPartnerRedeem(models.TransientModel):
    """Spend a customer's reward points (res.partner.reward_redeem)."""

    _name = "claim.partner.redeem"
    _inherit = ["claim.wizard.access.mixin", "claim.bounds.mixin"]
    _description = "Redeem Reward Points"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    balance = fields.Integer(related="partner_id.reward_points", string="Balance")
    points = fields.Integer(required=True)
    reason = fields.Char(required=True, help="What the points are spent on, e.g. the gift or voucher.")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "points": POINTS,
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
        self.partner_id.reward_redeem(self.points, reason=self.reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(points)s points redeemed for %(customer)s.", points=self.points, customer=self.partner_id.name
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
