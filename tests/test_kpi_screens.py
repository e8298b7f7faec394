from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from .test_kpi import KpiCase


@tagged("post_install", "-at_install")
class TestKpiScreens(KpiCase):
    """The KPI screens put each KPI beside its target, green when met and red when missed, and mark the month
    to date, which KPI Trends leaves out."""

    def _snapshot(self, month, **vals):
        return self.Kpi.create({"month": month, "company_id": self.company.id, "claims_closed": 10,
                                "contactable_claims": 10, "rated_callbacks": 10, **vals})

    def setUp(self):
        super().setUp()
        self.current = self.Kpi._company_today(self.company).replace(day=1)
        # targets: coverage ≥ 90 %, satisfaction ≥ 85 %
        self.previous = self._snapshot(self.current - relativedelta(months=1), coverage_72h=95.0, first_contact_24h=50.0,
                                       satisfaction_rate=80.0)
        self.partial = self._snapshot(self.current, coverage_72h=20.0, satisfaction_rate=30.0)

    def test_the_month_to_date_is_marked_and_left_out_of_kpi_trends(self):
        self.assertEqual((self.partial.is_month_to_date, self.previous.is_month_to_date), (True, False))
        self.assertEqual(self.Kpi.search([("is_month_to_date", "=", True)]), self.partial)
        self.assertEqual(self.Kpi.search([("is_month_to_date", "=", False)]), self.previous)
        self.env.flush_all()
        Line = self.env["claim.callback.kpi.line"].with_user(self.manager)
        self.assertFalse(Line.search([("kpi_id", "=", self.partial.id)]), "no partial dip at the end of the lines")
        self.assertEqual(set(Line.search([]).mapped("month")), {self.previous.month})
        form = self.Kpi.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("is_month_to_date", form)

    def test_each_kpi_beside_its_target_met_or_missed(self):
        self.env.flush_all()
        lines = {line.kpi: line for line in self.env["claim.callback.kpi.line"].with_user(self.manager).search([])}
        self.assertEqual((lines["coverage_72h"].target, lines["coverage_72h"].result), (90.0, "met"))
        self.assertEqual((lines["satisfaction_rate"].target, lines["satisfaction_rate"].result), (85.0, "missed"))
        self.assertFalse(lines["first_contact_24h"].result, "no target: neither met nor missed")
        self.company.callback_target_satisfaction = 80.0
        self.env.flush_all()
        self.env.invalidate_all()
        line = self.env["claim.callback.kpi.line"].search([("kpi", "=", "satisfaction_rate")])
        self.assertEqual(line.result, "met", "against the company's target")

        Kpi = self.Kpi.with_user(self.manager)
        views = Kpi.get_views([(False, "list"), (False, "form")])["views"]
        for view in ("list", "form"):
            with self.subTest(view=view):
                arch = views[view]["arch"]
                for target in ("target_coverage", "target_satisfaction", "target_resolution",
                               "target_complaint_change", "target_repeat_change"):
                    self.assertIn(f'name="{target}"', arch)
                self.assertIn("coverage_72h &gt;= target_coverage", arch)

    def test_the_form_draws_the_kpis_against_their_targets(self):
        chart = self.previous.with_user(self.manager).target_chart
        self.assertIn("<svg", chart)
        self.assertIn('fill="#2e7d32"', chart, "coverage met: green")
        self.assertIn('fill="#c62828"', chart, "satisfaction missed: red")
