"""The KPI snapshots on screen: month names, this month's snapshot on demand."""

from odoo import api, fields, models
from odoo.exceptions import AccessError


class ClaimCallbackKpi(models.Model):
    _inherit = "claim.callback.kpi"

    month_name = fields.Char(compute="_compute_month_name")

    @api.depends("month")
    @api.depends_context("lang")
    def _compute_month_name(self):
        for kpi in self:
            kpi.month_name = kpi._month_label()

    def action_compute_this_month(self):
        """Managers: snapshot the current month of the current company now, and show it
        (a list header button: the selected rows, if any, do not matter)."""
        if not self.env.user.has_group("insurance_claim_callback.group_callback_manager"):
            raise AccessError(self.env._("Only callback managers can compute the KPIs."))
        company = self.env.company
        kpi = self.compute_month(self._company_today(company), company)
        return {
            "type": "ir.actions.act_window",
            "name": kpi.display_name,
            "res_model": self._name,
            "res_id": kpi.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
