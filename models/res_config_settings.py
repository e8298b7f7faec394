from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reward_point_value = fields.Float(related="company_id.reward_point_value", readonly=False)
