from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

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
                "month": MONTH - relativedelta(months=i),
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
        self.assertEqual((coverage["low"], coverage["high"]), (None, None), "5 months: too few for a range")

    def test_flat_series_forecasts_the_same_value_and_says_when_a_range_needs_more_history(self):
        self._rows([85.0] * 6, satisfaction=[90.0] * 6)
        forecast = self.Kpi.forecast_month(MONTH, self.company)
        self.assertEqual(forecast["coverage_72h"], {"value": 85.0, "low": None, "high": None})
        self.assertAlmostEqual(forecast["satisfaction_rate"]["value"], 90.0)

    def test_short_series_gives_nothing(self):
        self._rows([80.0, 90.0])
        self.assertEqual(self.Kpi.forecast_month(MONTH, self.company), {})

    def test_undefined_months_and_other_companies_do_not_count(self):
        self._rows([70.0, None, 80.0, None])
        self._rows([10.0, 20.0, 30.0, 40.0], company=self.company_b)
        self.assertEqual(self.Kpi.forecast_month(MONTH, self.company), {}, "2 defined months only")
        self.assertIn("coverage_72h", self.Kpi.forecast_month(MONTH, self.company_b))

    def test_up_to_36_complete_months_count(self):
        for i in range(1, 40):
            self.Kpi.create({"month": MONTH - relativedelta(months=i), "company_id": self.company.id,
                             "coverage_72h": 90.0 if i <= 36 else 10.0, "contactable_claims": 10})
        forecast = self.Kpi.forecast_month(MONTH, self.company)
        self.assertAlmostEqual(forecast["coverage_72h"]["value"], 90.0)
        self.assertLess(forecast["coverage_72h"]["low"], 90.0, "a flat history still gets a range")
        self.assertEqual(self.Kpi.forecast_month(date(2026, 7, 20), self.company), forecast, "any day of the month")

    def test_the_current_partial_month_is_never_history(self):
        self._rows([80.0] * 12)
        with freeze_time("2026-07-08 12:00:00"):
            july = self.Kpi.create({"month": MONTH, "company_id": self.company.id,
                                    "coverage_72h": 20.0, "contactable_claims": 10})
            next_month = self.Kpi.forecast_month(date(2026, 8, 1), self.company)
            self.assertAlmostEqual(next_month["coverage_72h"]["value"], 80.0, msg="July's 7 days do not count")
            lines = july._get_forecast_lines()
            self.assertEqual(lines["month"], MONTH, "the current month's row forecasts the month itself")
            self.assertAlmostEqual(lines["lines"][0]["value"], 80.0)
        with freeze_time("2026-08-02 12:00:00"):
            self.assertLess(self.Kpi.forecast_month(date(2026, 8, 1), self.company)["coverage_72h"]["value"], 80.0,
                            "once July is complete, it counts")

    def test_too_little_history_reads_not_enough_history_on_screen_and_in_the_pdf(self):
        self._rows([60.0, 95.0, 40.0, 90.0])
        june = self.Kpi.search([("month", "=", date(2026, 6, 1))])
        coverage = june._get_forecast_lines()["lines"][0]
        self.assertEqual(coverage["interval"], "not enough history")
        self.assertIn("not enough history", june.trend_summary)
        self.assertNotIn("0.0 – 100.0", june.trend_summary)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "insurance_claim_callback.claim_callback_kpi_report", june.ids)[0].decode()
        self.assertIn("not enough history", html)

    def test_the_forecast_says_which_methods_it_weighed(self):
        self._rows([70.0, 72.0, 71.0, 74.0, 73.0, 75.0, 74.0, 76.0, 75.0, 77.0, 76.0, 78.0, 77.0, 79.0])
        june = self.Kpi.search([("month", "=", date(2026, 6, 1))])
        coverage = june._get_forecast_lines()["lines"][0]
        self.assertRegex(coverage["interval"], r"^\d+\.\d – \d+\.\d %$")
        self.assertIn("months of back-test", coverage["basis"])
        self.assertIn(coverage["basis"], june.trend_summary)

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
