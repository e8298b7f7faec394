from odoo import models
from odoo.exceptions import UserError


class ClaimCallback(models.Model):
    """The supervisor's *Evaluate* on a completed callback (README: Agent appraisal and quality)."""

    _inherit = "claim.callback"

    def action_evaluate(self):
        """Open this callback's quality scorecard: its sampled evaluation, else a new one chosen by the
        supervisor (`manual`); once done, the evaluation itself."""
        self._check_one()
        self._check_supervisor(self.env._("evaluate a callback"))
        Evaluation = self.env["claim.callback.evaluation"]
        callback = self.sudo()
        if callback.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("This callback belongs to a company you do not work for."))
        self.check_access("read")
        evaluation = Evaluation.sudo().search([("callback_id", "=", self.id)], limit=1)
        if not evaluation:
            Evaluation._check_may_evaluate(callback.team_id, callback.user_id, callback.company_id)
            Evaluation._check_can_be_evaluated(callback)
            evaluation = Evaluation.sudo().create({
                "callback_id": self.id, "reason": "manual", "evaluator_id": self.env.user.id,
            })
        evaluation = evaluation.with_env(self.env)
        if evaluation.state == "done":
            evaluation.check_access("read")
            return {
                "type": "ir.actions.act_window",
                "res_model": evaluation._name,
                "res_id": evaluation.id,
                "views": [(False, "form")],
                "target": "current",
            }
        return evaluation.action_evaluate()
