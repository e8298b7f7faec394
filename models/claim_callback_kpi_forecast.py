"""Next month's KPIs with an interval, and the month's top feedback topics (README: Early warning and trends)."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import forecast as forecast_lib
from .claim_callback_kpi import KPI_SPECS

# The KPIs forecast (SPEC §9); their denominators come from KPI_SPECS.
FORECAST_KPIS = ("coverage_72h", "satisfaction_rate", "issue_resolution_48h")
HISTORY_MONTHS = 36
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
        rows of the complete months before it (up to 36; never the current, partial month). A KPI needs
        3 months where it is defined (none: {}); low and high are None where the history is too short
        for an interval ("not enough history")."""
        first, company = self._month_and_company(month, company)
        end = min(first, self._current_month(company))
        rows = self.search(
            [("company_id", "=", company.id), ("month", ">=", end - self._forecast_history()), ("month", "<", first)],
            order="month",
        )
        return {field: {key: item[key] for key in ("value", "low", "high")}
                for field, item in rows._forecast_from_rows(first).items()}

    @api.model
    def _forecast_history(self):
        return relativedelta(months=HISTORY_MONTHS)

    @api.model
    def _current_month(self, company):
        return self._company_today(company).replace(day=1)

    def _forecast_from_rows(self, first):
        """Forecast of the month `first` from these rows (one company): the complete months of the 36 before
        `first`, or before the current month when `first` is later (then it is forecast that many months
        ahead); a month without a row or whose KPI's denominator is 0 is a gap in the history."""
        if not self:
            return {}
        end = min(first, self._current_month(self.company_id[:1]))
        horizon = (first.year - end.year) * 12 + first.month - end.month + 1
        if horizon > forecast_lib.SEASON:
            return {}
        start = end - self._forecast_history()
        by_month = {row.month: row for row in self if start <= row.month < end}
        months = [start + relativedelta(months=i) for i in range(HISTORY_MONTHS)]
        denominators = {field: denominator for field, denominator, *_ in KPI_SPECS}
        result = {}
        for field in FORECAST_KPIS:
            values = [
                by_month[m][field] if m in by_month and by_month[m]._is_defined(field, denominators[field]) else None
                for m in months
            ]
            forecast = forecast_lib.forecast_next(values, level=FORECAST_LEVEL, horizon=horizon)
            if forecast:
                result[field] = forecast
        return result

    # ------------------------------------------------------------------
    # Presentation: next month's forecast, the month's top topics
    # ------------------------------------------------------------------

    def _get_forecast_lines(self):
        """The forecast of the month after this row (of this month, for the current month's row: it is not
        complete), one dict per KPI."""
        self.ensure_one()
        following = min(self.month + relativedelta(months=1), self._current_month(self.company_id))
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
                "interval": self._interval_display(item),
                "basis": self._forecast_basis(item),
                "target_display": f"≥ {target:.1f} %",
                "ok": None if not item else item["value"] >= target,
            })
        return {"month": following, "lines": lines}

    def _interval_display(self, item):
        if not item:
            return ""
        if item["low"] is None:
            return self.env._("not enough history")
        return f"{item['low']:.1f} – {item['high']:.1f} %"

    def _forecast_basis(self, item):
        """Why this forecast: the methods' weights, from their back-test on this KPI's own history."""
        if not item:
            return ""
        labels = {
            "naive": self.env._("same as last month"),
            "seasonal_naive": self.env._("same month last year"),
            "seasonal_change": self.env._("same month last year + this year's change"),
            "ses": self.env._("exponential smoothing"),
            "damped_trend": self.env._("damped trend"),
            "deseasonalised": self.env._("damped trend on the seasonally adjusted months"),
            "harmonic": self.env._("trend and yearly wave"),
        }
        weights = ", ".join(f"{labels.get(name, name)} {100 * w:.0f} %" for name, w in item["weights"].items())
        return self.env._(
            "%(weights)s (weighted by %(months)s months of back-test)", weights=weights, months=item["backtest_months"]
        )

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
