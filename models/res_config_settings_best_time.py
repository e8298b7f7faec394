from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    callback_learn_best_time = fields.Boolean(related="company_id.callback_learn_best_time", readonly=False)
