from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CallbackCase

MONTH = date(2026, 7, 1)


@tagged("post_install", "-at_install")
class TestForecastMonth(CallbackCase):
    """claim.callback.kpi.forecast_month on stored monthly rows (README: Early warning and trends)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kpi = cls.env["claim.callback.kpi"]

    def _rows(self, coverages, satisfaction=None, company=None):
        """Rows for the months before MONTH, the last value the month just before; None = undefined."""
        satisfaction = satisfaction or [None] * len(coverages)
        for i, (coverage, rate) in enumerate(zip(reversed(coverages), reversed(satisfaction), strict=True), start=1):
            self.Kpi.create({
                "month": date(2026, 7 - i, 1) if i < 7 else date(2025, 19 - i, 1),
                "company_id": (company or self.company).id,
                "coverage_72h": coverage or 0.0, "contactable_claims": 10 if coverage is not None else 0,
                "satisfaction_rate": rate or 0.0, "rated_callbacks": 10 if rate is not None else 0,
            })

    def test_rising_series_forecasts_above_the_last_month(self):
        self._rows([60.0, 65.0, 70.0, 75.0, 80.0])
        forecast = self.Kpi.forecast_month(MONTH, self.company)
        self.assertEqual(set(forecast), {"coverage_72h"}, "only the KPIs with 3 defined months")
        coverage = forecast["coverage_72h"]
        self.assertGreater(coverage["value"], 80.0)
        self.assertLessEqual(coverage["low"], coverage["value"])
        self.assertGreaterEqual(coverage["high"], coverage["value"])

    def test_flat_series_forecasts_the_same_value_with_no_spread(self):
        self._rows([85.0] * 6, satisfaction=[90.0] * 6)
        forecast = self.Kpi.forecast_month(MONTH, self.company)
        for key in ("value", "low", "high"):
            self.assertAlmostEqual(forecast["coverage_72h"][key], 85.0)
        self.assertAlmostEqual(forecast["satisfaction_rate"]["value"], 90.0)

    def test_short_series_gives_nothing(self):
        self._rows([80.0, 90.0])
        self.assertEqual(self.Kpi.forecast_month(MONTH, self.company), {})

    def test_undefined_months_and_other_companies_do_not_count(self):
        self._rows([70.0, None, 80.0, None])
        self._rows([10.0, 20.0, 30.0, 40.0], company=self.company_b)
        self.assertEqual(self.Kpi.forecast_month(MONTH, self.company), {}, "2 defined months only")
        self.assertIn("coverage_72h", self.Kpi.forecast_month(MONTH, self.company_b))

    def test_only_the_twelve_months_before_count(self):
        self._rows([10.0, 10.0, 10.0] + [90.0] * 12)
        forecast = self.Kpi.forecast_month(MONTH, self.company)
        self.assertAlmostEqual(forecast["coverage_72h"]["value"], 90.0)
        self.assertEqual(self.Kpi.forecast_month(date(2026, 7, 20), self.company), forecast, "any day of the month")

    def test_bad_arguments_are_refused(self):
        with self.assertRaises(ValidationError):
            self.Kpi.forecast_month(MONTH, "company")
        with self.assertRaises(ValidationError):
            self.Kpi.forecast_month(False, self.company)

    def test_the_kpi_form_and_pdf_show_next_month_forecast(self):
        self._rows([60.0, 65.0, 70.0, 75.0])
        june = self.Kpi.search([("month", "=", date(2026, 6, 1))])
        lines = june._get_forecast_lines()
        self.assertEqual(lines["month"], MONTH)
        coverage = lines["lines"][0]
        self.assertGreater(coverage["value"], 75.0)
        self.assertIn("July 2026", june.trend_summary)  # as the title writes months, not "2026-07"
        self.assertIn(coverage["display"], june.trend_summary)
