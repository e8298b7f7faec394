import math

from odoo.tests import TransactionCase, tagged

from ..lib import forecast


@tagged("post_install", "-at_install")
class TestForecastLib(TransactionCase):
    def test_rising_series_forecasts_above_its_last_value_within_its_interval(self):
        result = forecast.forecast_next([60.0, 61.8, 63.1, 64.9, 66.2, 67.8, 69.5, 70.9, 72.6, 74.0, 75.9, 77.2])
        self.assertGreater(result["value"], 77.2)
        self.assertLess(result["value"], 81.0)
        self.assertLess(result["low"], result["value"])
        self.assertGreater(result["high"], result["value"])

    def test_exactly_linear_series_continues_upward_towards_its_line(self):
        # Holt and the regression continue the line (62); "same as last month" (¼) holds it back
        result = forecast.forecast_next([50, 52, 54, 56, 58, 60])
        self.assertEqual(result["value"], 61.5)
        self.assertLess(result["low"], 61.5)
        self.assertGreater(result["high"], 62.0)

    def test_flat_series_forecasts_its_value_with_a_zero_width_interval(self):
        for values in ([80.0] * 12, [80.0] * 3):
            self.assertEqual(forecast.forecast_next(values), {"value": 80.0, "low": 80.0, "high": 80.0})

    def test_short_series_needs_three_values_and_gets_a_widened_interval(self):
        self.assertIsNone(forecast.forecast_next([]))
        self.assertIsNone(forecast.forecast_next([70.0, 72.0]))
        short = forecast.forecast_next([70.0, 72.0, 71.0])
        # 3 values: default parameters, one residual 71 - (½ (72 + 0.9 * 2) + ½ 72) = -1.9, and
        # Student's t with one degree of freedom (3.08) instead of the normal 1.28 for the 80 % interval
        self.assertAlmostEqual(short["high"] - short["value"], 3.0777 * 1.9, places=2)
        self.assertAlmostEqual(short["value"] - short["low"], 3.0777 * 1.9, places=2)
        self.assertAlmostEqual(forecast.student_t_quantile(0.9, 1000), 1.2816, places=2)

    def test_undefined_months_are_left_out_of_the_history(self):
        with_gaps = forecast.forecast_next([70.0, None, 72.0, math.nan, 71.0, 73.0])
        self.assertEqual(with_gaps, forecast.forecast_next([70.0, 72.0, 71.0, 73.0]))
        self.assertIsNone(forecast.forecast_next([70.0, None, math.nan, 71.0]))

    def test_a_yearly_season_is_followed(self):
        # a year of a seasonal KPI that peaked in its 3rd month: the next month (the 13th, like the 1st)
        # is forecast near the level of a year before, not near the trough of the last month
        season = [70 + 8 * math.sin(2 * math.pi * (t + 1) / 12) for t in range(12)]
        result = forecast.forecast_next(season)
        self.assertGreater(result["value"], season[-1] + 2)

    def test_forecast_and_interval_stay_within_percent_bounds(self):
        high = forecast.forecast_next([96.0, 98.0, 99.0, 99.5, 100.0, 100.0])
        self.assertEqual(high["value"], 100.0)
        self.assertEqual(high["high"], 100.0)
        self.assertLess(high["low"], 100.0)
        low = forecast.forecast_next([9.0, 6.0, 4.0, 2.0, 1.0])
        self.assertGreaterEqual(low["low"], 0.0)
        self.assertGreaterEqual(low["value"], 0.0)

    def test_given_parameters_are_used_and_checked(self):
        result = forecast.forecast_next([1.0, 2.0, 3.0, 4.0], alpha=1.0, beta=1.0, phi=1.0)
        self.assertAlmostEqual(result["value"], 4.5)  # ½ Holt (5) + ½ last month (4): too short to fit a season
        with self.assertRaises(ValueError):
            forecast.forecast_next([1.0, 2.0, 3.0], alpha=0)
        with self.assertRaises(ValueError):
            forecast.forecast_next([1.0, 2.0, 3.0], level=1.2)
