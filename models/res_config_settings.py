from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reward_point_value = fields.Float(related="company_id.reward_point_value", readonly=False)
    callback_target_coverage = fields.Float(related="company_id.callback_target_coverage", readonly=False)
    callback_target_satisfaction = fields.Float(related="company_id.callback_target_satisfaction", readonly=False)
    callback_target_resolution = fields.Float(related="company_id.callback_target_resolution", readonly=False)
    callback_target_complaint_change = fields.Float(
        related="company_id.callback_target_complaint_change", readonly=False
    )
    callback_target_repeat_change = fields.Float(related="company_id.callback_target_repeat_change", readonly=False)
    callback_baseline_start = fields.Date(related="company_id.callback_baseline_start", readonly=False)
    callback_baseline_end = fields.Date(related="company_id.callback_baseline_end", readonly=False)
    callback_currency_id = fields.Many2one(related="company_id.currency_id", string="Callback Budget Currency")
    callback_budget_monthly = fields.Monetary(
        related="company_id.callback_budget_monthly", currency_field="callback_currency_id", readonly=False
    )
    callback_budget_yearly = fields.Monetary(
        related="company_id.callback_budget_yearly", currency_field="callback_currency_id", readonly=False
    )
    callback_feedback_retention_days = fields.Integer(
        related="company_id.callback_feedback_retention_days", readonly=False
    )
