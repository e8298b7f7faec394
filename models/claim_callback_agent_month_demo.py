from dateutil.relativedelta import relativedelta

from odoo import api, models


class ClaimCallbackAgentMonth(models.Model):
    _inherit = "claim.callback.agent.month"

    @api.model
    def _demo_compute_appraisals(self):
        """Demo data: the appraisals of the demo history's three months and of the current month so far."""
        company = self.env.company
        first = self.env["claim.callback.kpi"]._company_today(company).replace(day=1) - relativedelta(months=3)
        for months in range(4):
            self.sudo().compute_month(first + relativedelta(months=months), company)  # sudo: demo data
        return True
