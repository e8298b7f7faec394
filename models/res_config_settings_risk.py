from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    callback_risk_capacity_pct = fields.Float(related="company_id.callback_risk_capacity_pct", readonly=False)
    callback_risk_channel_failure_pct = fields.Float(
        related="company_id.callback_risk_channel_failure_pct", readonly=False
    )
    callback_risk_channel_min_attempts = fields.Integer(
        related="company_id.callback_risk_channel_min_attempts", readonly=False
    )
    callback_risk_contact_min_failures = fields.Integer(
        related="company_id.callback_risk_contact_min_failures", readonly=False
    )
    callback_risk_contact_ratio = fields.Float(related="company_id.callback_risk_contact_ratio", readonly=False)
    callback_risk_contact_margin = fields.Float(related="company_id.callback_risk_contact_margin", readonly=False)
    callback_risk_topic_min = fields.Integer(related="company_id.callback_risk_topic_min", readonly=False)
    callback_risk_topic_factor = fields.Float(related="company_id.callback_risk_topic_factor", readonly=False)
    callback_risk_high_satisfaction = fields.Integer(
        related="company_id.callback_risk_high_satisfaction", readonly=False
    )
