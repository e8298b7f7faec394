from odoo import fields, models


class ClaimCallbackAgentMonth(models.Model):
    """One agent's month in one company (README: Agent appraisal and quality; SPEC §10), written only by
    `compute_month`: the figures an appraisal conversation is held on."""

    _name = "claim.callback.agent.month"
    _description = "Callback Agent Monthly Appraisal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "month desc, company_id, rank, id"

    user_id = fields.Many2one("res.users", string="Agent", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    callbacks = fields.Integer(readonly=True)
    completed = fields.Integer(readonly=True)
    completion_rate = fields.Float(string="Completion Rate (%)", readonly=True, aggregator="avg")
    on_time_rate = fields.Float(string="On-Time Rate (%)", readonly=True, aggregator="avg")
    first_contact_rate = fields.Float(string="First Contact Rate (%)", readonly=True, aggregator="avg")
    rated = fields.Integer(string="Rated Callbacks", readonly=True)
    satisfaction_rate = fields.Float(string="Satisfaction Rate (%)", readonly=True, aggregator="avg")
    satisfaction_avg = fields.Float(string="Average Satisfaction", readonly=True, aggregator="avg")
    complaints = fields.Integer(readonly=True)
    attempts = fields.Integer(readonly=True)
    attempts_per_callback = fields.Float(readonly=True, aggregator="avg")
    evaluations = fields.Integer(string="Done Evaluations", readonly=True)
    qa_score = fields.Float(string="QA Score", readonly=True, aggregator="avg")
    score = fields.Float(readonly=True, aggregator="avg")
    rank = fields.Integer(readonly=True, aggregator=False)
    certification_score = fields.Float(string="Last Certification (%)", readonly=True, aggregator=False)
    certification_date = fields.Datetime(string="Last Certification On", readonly=True)
    certification_passed = fields.Boolean(string="Certified", readonly=True)

    _agent_month_uniq = models.Constraint(
        "UNIQUE(user_id, company_id, month)", "There is one appraisal row per agent, company and month."
    )
