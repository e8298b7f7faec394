from odoo import models

from .claim_callback_agent_month_coaching import CERTIFICATION


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    def _mark_done(self):
        res = super()._mark_done()
        survey = self.env.ref(CERTIFICATION, raise_if_not_found=False)
        users = self.filtered(lambda a: a.survey_id == survey and not a.test_entry).partner_id.sudo().user_ids
        if users:
            # the agent's appraisal rows show their last certification result at once
            Month = self.env["claim.callback.agent.month"].sudo()
            Month.search([("user_id", "in", users.ids)])._refresh_certification()
        return res
