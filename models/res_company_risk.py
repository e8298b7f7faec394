from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .claim_bounds_mixin import PERCENT


class ResCompany(models.Model):
    """Thresholds of the risk warnings (README: Early warning and trends)."""

    _inherit = "res.company"

    # Quality and appraisal (README: Agent appraisal and quality)
    callback_qa_threshold = fields.Float(
        string="QA Score Threshold", default=70.0,
        help="An agent whose month's QA score is below this gets a coaching activity and the training certification.",
    )
    callback_qa_sample_share = fields.Float(
        string="Quality Sample (%)", default=5.0,
        help="Share of the completed callbacks without a low score, complaint or negative feedback sampled each week.",
    )
    callback_risk_capacity_pct = fields.Float(
        string="Capacity Shortage From (%)",
        default=90.0,
        help="A team's open callbacks above this share of its agents' summed callback capacity open a warning.",
    )
    callback_risk_channel_failure_pct = fields.Float(
        string="Channel Failure From (%)",
        default=20.0,
        help="Share of a message channel's attempts of the last 24 hours that failed.",
    )
    callback_risk_channel_min_attempts = fields.Integer(
        string="Channel Failure Minimum Attempts",
        default=10,
        help="Fewer attempts of a channel in 24 hours never open a warning.",
    )
    callback_risk_contact_min_failures = fields.Integer(
        string="Contact Failure Minimum Failures",
        default=20,
        help="Failed phone attempts (no answer, busy, wrong number, refused) of a team in the last 7 days.",
    )
    callback_risk_contact_ratio = fields.Float(
        string="Contact Failure Ratio",
        default=1.5,
        help="The 7-day share of failed phone attempts at least this many times the share of the 28 days before.",
    )
    callback_risk_contact_margin = fields.Float(
        string="Contact Failure Margin (points)",
        default=10.0,
        help="... and at least this many percentage points above it.",
    )
    callback_risk_topic_min = fields.Integer(
        string="Topic Spike Minimum",
        default=5,
        help="Callbacks of the last 7 days with a topic, at the least, to speak of a spike.",
    )
    callback_risk_topic_factor = fields.Float(
        string="Topic Spike Factor",
        default=2.0,
        help="... and at least this many times the topic's weekly average of the 8 weeks before.",
    )
    callback_risk_high_satisfaction = fields.Integer(
        string="High Customer Risk up to Satisfaction",
        default=2,
        help="A customer whose latest completed callback scored this or less is at high risk.",
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "callback_risk_capacity_pct": (0, 1_000),
            "callback_risk_channel_failure_pct": PERCENT,
            "callback_risk_channel_min_attempts": (0, 1_000_000),
            "callback_risk_contact_min_failures": (0, 1_000_000),
            "callback_risk_contact_ratio": (0, 100),
            "callback_risk_contact_margin": PERCENT,
            "callback_risk_topic_min": (0, 1_000_000),
            "callback_risk_topic_factor": (0, 100),
            "callback_risk_high_satisfaction": (1, 5),
        }

    @api.constrains(
        "callback_risk_capacity_pct", "callback_risk_channel_failure_pct", "callback_risk_channel_min_attempts",
        "callback_risk_contact_min_failures", "callback_risk_contact_ratio", "callback_risk_contact_margin",
        "callback_risk_topic_min", "callback_risk_topic_factor", "callback_risk_high_satisfaction",
    )
    def _check_callback_risk_settings(self):
        for company in self:
            numbers = (
                company.callback_risk_capacity_pct, company.callback_risk_channel_failure_pct,
                company.callback_risk_channel_min_attempts, company.callback_risk_contact_min_failures,
                company.callback_risk_contact_ratio, company.callback_risk_contact_margin,
                company.callback_risk_topic_min, company.callback_risk_topic_factor,
            )
            if any(n < 0 for n in numbers):
                raise ValidationError(self.env._("A risk warning threshold cannot be negative."))
            if not 1 <= company.callback_risk_high_satisfaction <= 5:
                raise ValidationError(self.env._("The high-risk satisfaction is a score between 1 and 5."))
