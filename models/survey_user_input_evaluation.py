from odoo import api, fields, models
from odoo.exceptions import AccessError


class SurveyUserInput(models.Model):
    """A quality scorecard answer, bound to its evaluation by `claim.callback.evaluation.action_evaluate`."""

    _inherit = "survey.user_input"

    evaluation_id = fields.Many2one(
        "claim.callback.evaluation", index="btree_not_null", ondelete="set null", readonly=True, copy=False
    )

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | {"evaluation_id"}

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("evaluation_id") for vals in vals_list):
            raise AccessError(self.env._("Only an evaluation's Evaluate button binds a scorecard to it."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "evaluation_id" in vals:
            raise AccessError(self.env._("Only an evaluation's Evaluate button binds a scorecard to it."))
        return super().write(vals)

    def _mark_done(self):
        res = super()._mark_done()
        for answer in self.filtered("evaluation_id"):
            answer.evaluation_id._register_scorecard(answer)
        return res
