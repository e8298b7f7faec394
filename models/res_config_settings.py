from odoo import fields, models

PARAM_PREFIX = "insurance_claim_callback."
# The settings of the whole database (ir.config_parameter) and their defaults; per-company
# settings are fields of res.company.
PARAM_DEFAULTS = {"batch_size": 500, "reward_expiry_batch_size": 1000, "survey_link_days": 7}


def callback_param(env, key):
    """A whole-database setting of the addon as a positive integer (its default when unset or invalid)."""
    # sudo: any user's action may need the batch size or link validity; these are not secrets
    value = env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + key)
    try:
        return int(value) if value and int(value) > 0 else PARAM_DEFAULTS[key]
    except ValueError:
        return PARAM_DEFAULTS[key]


class ResConfigSettings(models.TransientModel):  # the settings, not a wizard; pylint: disable=no-wizard-in-models
    _name = "res.config.settings"
    _inherit = ["claim.bounds.mixin", "res.config.settings"]

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
    callback_satisfied_score = fields.Integer(related="company_id.callback_satisfied_score", readonly=False)
    callback_chain_limit = fields.Integer(related="company_id.callback_chain_limit", readonly=False)
    callback_later_max_days = fields.Integer(related="company_id.callback_later_max_days", readonly=False)
    callback_complaints_team_id = fields.Many2one(related="company_id.callback_complaints_team_id", readonly=False)
    callback_batch_size = fields.Integer(
        config_parameter=PARAM_PREFIX + "batch_size",
        default=PARAM_DEFAULTS["batch_size"],
        help="Records per batch of the callback crons (scheduling, SLA, fallback, chains, retention); each batch "
        "is committed on its own.",
    )
    callback_reward_expiry_batch_size = fields.Integer(
        string="Reward Expiry Batch Size",
        config_parameter=PARAM_PREFIX + "reward_expiry_batch_size",
        default=PARAM_DEFAULTS["reward_expiry_batch_size"],
        help="Earned entries the daily expiry cron handles per committed batch.",
    )
    callback_survey_link_days = fields.Integer(
        string="Questionnaire Link Validity (days)",
        config_parameter=PARAM_PREFIX + "survey_link_days",
        default=PARAM_DEFAULTS["survey_link_days"],
        help="Days the questionnaire link of a fallback message stays valid; unanswered by then, the callback "
        "is unreachable.",
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "callback_batch_size": (1, 10_000),
            "callback_reward_expiry_batch_size": (1, 100_000),
            "callback_survey_link_days": (1, 365),
        }
