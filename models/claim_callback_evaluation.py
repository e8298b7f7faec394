from odoo import api, fields, models
from odoo.exceptions import ValidationError

REASONS = [
    ("low_satisfaction", "Low Satisfaction"),
    ("complaint", "Complaint"),
    ("negative_sentiment", "Negative Sentiment"),
    ("random", "Random Sample"),
    ("manual", "Chosen by a Supervisor"),
]


class ClaimCallbackEvaluation(models.Model):
    """A quality evaluation of one completed callback (README: Agent appraisal and quality), scored with the
    seeded scorecard survey; the evaluated agent reads it once done and never edits it."""

    _name = "claim.callback.evaluation"
    _description = "Callback Quality Evaluation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    callback_id = fields.Many2one("claim.callback", required=True, readonly=True, index=True, check_company=True,
                                  ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", required=True, readonly=True, index=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index="btree_not_null")
    evaluator_id = fields.Many2one("res.users", string="Evaluator", readonly=True, index="btree_not_null",
                                   tracking=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection([("todo", "To Do"), ("done", "Done")], default="todo", required=True, readonly=True,
                             tracking=True, copy=False, index=True)
    score = fields.Float(readonly=True, aggregator="avg", help="0-100, from the scorecard's scoring.")
    reason = fields.Selection(REASONS, required=True, readonly=True, default="manual")
    done_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    survey_answer_id = fields.Many2one("survey.user_input", string="Scorecard", readonly=True, copy=False)

    _callback_uniq = models.Constraint("UNIQUE(callback_id)", "A callback is evaluated once.")
    _score_range = models.Constraint("CHECK(score >= 0 AND score <= 100)", "A score is between 0 and 100.")

    @api.constrains("callback_id")
    def _check_callback_done(self):
        for evaluation in self:
            if evaluation.callback_id.state != "done":
                raise ValidationError(self.env._("Only a completed callback is evaluated."))
