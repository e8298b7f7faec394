from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .claim_bounds_mixin import AMOUNT, PERCENT


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["claim.bounds.mixin", "res.company"]

    reward_point_value = fields.Float(
        string="Value per Reward Point",
        digits=(16, 4),
        help="Cost of one redeemed point in the company currency, counted in the programme's cost.",
    )
    # KPI targets (README: Monthly KPI reports), percentages; changes are signed.
    callback_target_coverage = fields.Float(string="Coverage 72 h Target (%)", default=90.0)
    callback_target_satisfaction = fields.Float(string="Satisfaction Rate Target (%)", default=85.0)
    callback_target_resolution = fields.Float(string="Issue Resolution 48 h Target (%)", default=70.0)
    callback_target_complaint_change = fields.Float(string="Complaint Rate Change Target (%)", default=-15.0)
    callback_target_repeat_change = fields.Float(string="Repeat-Claim Rate Change Target (%)", default=-10.0)
    callback_baseline_start = fields.Date(
        string="KPI Baseline Start", help="First day of the period the rate changes are measured against."
    )
    callback_baseline_end = fields.Date(string="KPI Baseline End", help="Last day of the baseline period.")
    callback_budget_monthly = fields.Monetary(string="Monthly Callback Budget", currency_field="currency_id")
    callback_budget_yearly = fields.Monetary(string="Yearly Callback Budget", currency_field="currency_id")
    callback_feedback_retention_days = fields.Integer(
        string="Keep Callback Feedback (days)",
        default=730,
        help="Days after a callback closes before the customer's free text (feedback, suggestions, answers, "
        "attempt notes) is erased; scores and sentiment stay for the KPIs. 0 keeps it.",
    )
    # The closed loop
    callback_satisfied_score = fields.Integer(
        string="Satisfied From",
        default=4,
        help="A satisfaction (1-5) at or above this score counts as satisfied in the KPIs and ends the callback "
        "chain; below it another callback follows.",
    )
    callback_chain_limit = fields.Integer(
        string="Callbacks per Claim",
        default=3,
        help="The most callbacks a claim gets; the claim then shows 'Limit Reached' and its team leader is told.",
    )
    callback_later_max_days = fields.Integer(
        string="Call Back Later: Most Days Ahead",
        default=30,
        help="How far ahead a customer's 'call back later' time may be; the SLA clock is paused until then.",
    )
    callback_complaints_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Complaints Team",
        check_company=True,
        help="Problems raised as complaints become tickets of this team; empty: the claim's team.",
    )
    # The highest budget threshold (80 / 100) already alerted, and for which period.
    callback_budget_alert_month = fields.Date(readonly=True, copy=False)
    callback_budget_alert_month_level = fields.Integer(readonly=True, copy=False)
    callback_budget_alert_year = fields.Date(readonly=True, copy=False)
    callback_budget_alert_year_level = fields.Integer(readonly=True, copy=False)

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "reward_point_value": (0, 1_000_000),
            "callback_target_coverage": PERCENT,
            "callback_target_satisfaction": PERCENT,
            "callback_target_resolution": PERCENT,
            "callback_target_complaint_change": (-100, 100),
            "callback_target_repeat_change": (-100, 100),
            "callback_budget_monthly": AMOUNT,
            "callback_budget_yearly": AMOUNT,
            "callback_feedback_retention_days": (0, 36_500),
            "callback_satisfied_score": (1, 5),
            "callback_chain_limit": (1, 20),
            "callback_later_max_days": (1, 365),
        }

    @api.constrains("callback_baseline_start", "callback_baseline_end", "callback_budget_monthly", "callback_budget_yearly")
    def _check_callback_kpi_settings(self):
        for company in self:
            if bool(company.callback_baseline_start) != bool(company.callback_baseline_end):
                raise ValidationError(self.env._("The KPI baseline period needs both a start and an end."))
            if company.callback_baseline_start and company.callback_baseline_start > company.callback_baseline_end:
                raise ValidationError(self.env._("The KPI baseline period ends before it starts."))
            if company.callback_budget_monthly < 0 or company.callback_budget_yearly < 0:
                raise ValidationError(self.env._("A callback budget cannot be negative."))

    @api.constrains("callback_satisfied_score", "callback_chain_limit")
    def _check_callback_loop_settings(self):
        for company in self:
            if not 1 <= company.callback_satisfied_score <= 5:
                raise ValidationError(self.env._("'Satisfied From' is a satisfaction score between 1 and 5."))
            if company.callback_chain_limit < 1:
                raise ValidationError(self.env._("A claim gets at least one callback."))

    @api.constrains("callback_feedback_retention_days")
    def _check_callback_feedback_retention(self):
        if any(company.callback_feedback_retention_days < 0 for company in self):
            raise ValidationError(self.env._("The feedback retention period cannot be negative (0 keeps it)."))

    @api.constrains("callback_later_max_days")
    def _check_callback_later_max_days(self):
        if any(not 1 <= company.callback_later_max_days <= 365 for company in self):
            raise ValidationError(self.env._("A call back later may be set 1 to 365 days ahead."))
