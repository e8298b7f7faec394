"""The KPI snapshots on screen: month names, the month to date marked, this month's snapshot on demand."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain


class ClaimCallbackKpi(models.Model):
    _inherit = "claim.callback.kpi"

    month_name = fields.Char(compute="_compute_month_names")
    period_name = fields.Char(string="Period", compute="_compute_month_names",
                              help="The month, marked when it is the month to date.")
    # The company's targets beside each KPI (the colours of the list and form: met or missed).
    target_coverage = fields.Float(related="company_id.callback_target_coverage", string="Coverage Target (%)")
    target_satisfaction = fields.Float(related="company_id.callback_target_satisfaction",
                                       string="Satisfaction Target (%)")
    target_resolution = fields.Float(related="company_id.callback_target_resolution", string="Resolution Target (%)")
    target_complaint_change = fields.Float(related="company_id.callback_target_complaint_change",
                                           string="Complaint Change Target (%)")
    target_repeat_change = fields.Float(related="company_id.callback_target_repeat_change",
                                        string="Repeat-Claim Change Target (%)")
    target_chart = fields.Html(
        string="KPI vs Target", compute="_compute_target_chart", sanitize=False,
        help="The month's KPIs as bars, green when the target is met, red when missed, the target as a mark.",
    )
    is_month_to_date = fields.Boolean(
        string="Month to Date", compute="_compute_is_month_to_date", search="_search_is_month_to_date",
        help="The company's current month: its figures so far, not a complete month.",
    )

    @api.depends("month", "company_id")
    @api.depends_context("lang")
    def _compute_month_names(self):
        for kpi in self:
            kpi.month_name = kpi._month_label()
            kpi.period_name = self.env._("%(month)s (month to date)", month=kpi.month_name) if kpi.is_month_to_date \
                else kpi.month_name

    @api.depends_context("lang")
    def _compute_target_chart(self):
        report = self.env["report.insurance_claim_callback.report_claim_callback_kpi"]
        for kpi in self:
            chart = report._bar_chart(kpi)
            svg = self.env["ir.qweb"]._render(
                "insurance_claim_callback.report_claim_callback_kpi_bar_chart",
                {"chart": chart, "font_size": chart["font_size"]},
            )
            kpi.target_chart = Markup('<div style="max-width: 48rem;">%s</div>') % svg

    @api.depends("month", "company_id")
    def _compute_is_month_to_date(self):
        current = {}
        for kpi in self:
            if kpi.company_id not in current:
                current[kpi.company_id] = self._company_today(kpi.company_id).replace(day=1)
            kpi.is_month_to_date = kpi.month == current[kpi.company_id]

    def _search_is_month_to_date(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        # the current month of each company the user may read (in its time zone)
        current = Domain.OR(
            Domain([("company_id", "=", company.id), ("month", "=", self._company_today(company).replace(day=1))])
            for company in self.env.user.company_ids
        )
        return current if (True in value) == (operator == "in") else ~current

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
