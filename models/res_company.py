from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reward_point_value = fields.Float(
        string="Value per Reward Point",
        digits=(16, 4),
        help="Cost of one redeemed point in the company currency, counted in the programme's cost.",
    )
