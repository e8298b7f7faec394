"""Next month's KPIs with an interval, and the month's top feedback topics (README: Early warning and trends)."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import forecast as forecast_lib
from .claim_callback_kpi import KPI_SPECS

# The KPIs forecast (SPEC §9); their denominators come from KPI_SPECS.
FORECAST_KPIS = ("coverage_72h", "satisfaction_rate", "issue_resolution_48h")
HISTORY_MONTHS = 12
FORECAST_LEVEL = 0.8


class ClaimCallbackKpi(models.Model):
    _inherit = "claim.callback.kpi"

    trend_summary = fields.Html(
        string="Forecast and Topics", compute="_compute_trend_summary", sanitize=False,
        help="Next month's forecast with its 80 % interval, and this month's top feedback topics.",
    )

    def _compute_trend_summary(self):
        for kpi in self:
            kpi.trend_summary = self.env["ir.qweb"]._render(
                "insurance_claim_callback.report_claim_callback_kpi_trends", {"doc": kpi}
            )

    # ------------------------------------------------------------------
    # Stable interface
    # ------------------------------------------------------------------

    @api.model
    def forecast_month(self, month, company):
        """{kpi: {"value", "low", "high"}} of the month of `month` for `company`, forecast from the stored
        rows of the 12 months before (a KPI needs 3 months where it is defined; none: {})."""
        first, company = self._month_and_company(month, company)
        rows = self.search(
            [("company_id", "=", company.id), ("month", ">=", first - self._forecast_history()), ("month", "<", first)],
            order="month",
        )
        return rows._forecast_from_rows(first)

    @api.model
    def _forecast_history(self):
        return relativedelta(months=HISTORY_MONTHS)

    def _forecast_from_rows(self, first):
        """Forecast of the month `first` from these rows (one company), oldest first; only the months of
        the 12 before `first` where the KPI's denominator is not 0 count."""
        rows = self.filtered(lambda r: first - self._forecast_history() <= r.month < first).sorted("month")
        denominators = {field: denominator for field, denominator, *_ in KPI_SPECS}
        result = {}
        for field in FORECAST_KPIS:
            values = [row[field] for row in rows if row._is_defined(field, denominators[field])]
            forecast = forecast_lib.forecast_next(values, level=FORECAST_LEVEL)
            if forecast:
                result[field] = forecast
        return result

    # ------------------------------------------------------------------
    # Presentation: next month's forecast, the month's top topics
    # ------------------------------------------------------------------

    def _get_forecast_lines(self):
        """Next month's forecast (from this row and the 11 before it), one dict per KPI."""
        self.ensure_one()
        following = self.month + relativedelta(months=1)
        rows = self.search([
            ("company_id", "=", self.company_id.id),
            ("month", ">=", following - self._forecast_history()),
            ("month", "<", following),
        ])
        forecast = rows._forecast_from_rows(following)
        names = self._kpi_names()
        targets = {field: target for field, _d, target, _h in KPI_SPECS}
        lines = []
        for field in FORECAST_KPIS:
            item = forecast.get(field)
            target = self.company_id[targets[field]]
            lines.append({
                "name": names[field],
                "value": item and item["value"],
                "display": f"{item['value']:.1f} %" if item else self.env._("n/a (fewer than 3 months)"),
                "interval": f"{item['low']:.1f} – {item['high']:.1f} %" if item else "",
                "target_display": f"≥ {target:.1f} %",
                "ok": None if not item else item["value"] >= target,
            })
        return {"month": following, "lines": lines}

    def _get_top_topics(self, limit=5):
        """The month's most frequent topics of completed callbacks, shared or the company's own: count, share
        of the month's completed callbacks, and change against the previous month (one query)."""
        self.ensure_one()
        start, end = self._month_bounds(self.month, self.company_id)
        previous, _prev_end = self._month_bounds(self.month - relativedelta(months=1), self.company_id)
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            WITH done AS (
                SELECT id, completed_date >= %(start)s AS this_month FROM claim_callback
                 WHERE company_id = %(company)s AND state = 'done'
                   AND completed_date >= %(previous)s AND completed_date < %(end)s
            )
            SELECT r.topic_id, count(*) FILTER (WHERE d.this_month) AS count,
                   count(*) FILTER (WHERE NOT d.this_month) AS previous,
                   (SELECT count(*) FROM done WHERE this_month) AS total
              FROM done d JOIN claim_callback_topic_rel r ON r.callback_id = d.id
              JOIN claim_feedback_topic tp ON tp.id = r.topic_id
                   AND (tp.company_id IS NULL OR tp.company_id = %(company)s)
          GROUP BY r.topic_id
            HAVING count(*) FILTER (WHERE d.this_month) > 0
          ORDER BY count DESC, r.topic_id
             LIMIT %(limit)s
            """,
            company=self.company_id.id, start=start, end=end, previous=previous, limit=limit,
        ))
        rows = self.env.cr.dictfetchall()
        topics = self.env["claim.feedback.topic"].with_context(active_test=False).browse(
            [row["topic_id"] for row in rows]
        )
        return [{
            "name": topics.browse(row["topic_id"]).name,
            "count": row["count"],
            "share": 100.0 * row["count"] / row["total"] if row["total"] else 0.0,
            "share_display": f"{100.0 * row['count'] / row['total']:.1f} %" if row["total"] else "",
            "previous": row["previous"],
            "change": row["count"] - row["previous"],
            "change_display": (f"{100.0 * (row['count'] - row['previous']) / row['previous']:+.0f} %"
                               if row["previous"] else self.env._("new")),
        } for row in rows]
