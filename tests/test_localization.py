import re
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SUPERVISOR, CallbackCase


@tagged("post_install", "-at_install")
class TestLocalization(CallbackCase):
    """What the system writes to people reads in their language and time zone, without seconds
    or technical keys: a zh_TW team leader in Taipei and an en_US one in New York."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_languages("zh_TW", "zh_CN")
        cls.env["claim.sla.rule"].search([]).active = False
        cls.leader_zh = cls._user("icc_leader_zh", SUPERVISOR, lang="zh_TW", tz="Asia/Taipei",
                                  email="zh@example.com")
        cls.leader_en = cls._user("icc_leader_en", SUPERVISOR, lang="en_US", tz="America/New_York",
                                  email="en@example.com")

    def _callback(self, leader, company_lang="en_US", company_tz="UTC"):
        self.team.user_id = leader
        self.company.partner_id.write({"lang": company_lang, "tz": company_tz})
        with freeze_time("2026-12-01 02:09:24"):
            claim = self._closed_claims(1)
            self._schedule(claim)
        return claim.callback_ids

    def _cron_env(self):
        """The cron's environment: no language of its own in the context."""
        return self.env(context={k: v for k, v in self.env.context.items() if k != "lang"})

    def test_chain_note_in_company_language_and_time_zone_without_seconds(self):
        for lang, tz, expected in (
            ("zh_TW", "Asia/Taipei", "已排定第 2 次回訪，期限 2026/12/05 10:26。"),
            ("en_US", "America/New_York", "Callback #2 scheduled, due 12/04/2026 09:26 PM."),
        ):
            with self.subTest(lang=lang):
                callback = self._callback(self.leader_en, lang, tz)
                with freeze_time("2026-12-02 02:26:23"):
                    callback.register_attempt("phone", "reached")
                    callback.with_env(self._cron_env()).register_result(2)
                bodies = " | ".join(callback.ticket_id.message_ids.mapped("body"))
                self.assertIn(expected, bodies)
                self.assertNotIn(":23", bodies)

    def test_recompute_note_shows_local_minutes(self):
        callback = self._callback(self.leader_en, "zh_TW", "Asia/Taipei")
        callback.with_user(self.supervisor).with_context(lang="zh_TW").action_recompute_sla()
        body = callback.message_ids[0].body
        self.assertIn("首次聯絡期限 2026/12/02 10:09 → 2026/12/02 10:09", body)
        self.assertNotIn("10:09:24", body)

    def test_escalation_activity_and_mail_in_the_leaders_language_and_time_zone(self):
        template = self.env.ref("insurance_claim_callback.mail_template_sla_escalation")
        self.env["claim.sla.rule"].create(
            {"name": "Escalating", "escalation_trigger": "at_risk", "escalation_mail_template_id": template.id}
        )
        for leader, summary, mail_texts in (
            (self.leader_zh, "SLA 首次聯絡 有逾期風險", ("首次聯絡：有逾期風險", "2026/12/02 10:09")),
            (self.leader_en, "SLA first contact at risk", ("First contact: At Risk", "12/01/2026 09:09 PM")),
        ):
            with self.subTest(lang=leader.lang):
                callback = self._callback(leader)
                with freeze_time("2026-12-01 22:00:00"):
                    callback.with_env(self._cron_env())._sla_check(500)
                self.assertIn(summary, callback.activity_ids.summary)
                mail = self.env["mail.mail"].search([("model", "=", "claim.callback"), ("res_id", "=", callback.id)])
                text = re.sub(r"<[^>]+>", "", mail.body_html)
                for expected in mail_texts:
                    self.assertIn(expected, text)
                self.assertNotIn("at_risk", mail.body_html)
                self.assertNotIn(":24", mail.body_html)

    def test_limit_activity_in_the_supervisors_language(self):
        self.company.callback_chain_limit = 1
        # the result is recorded by someone speaking another language than the supervisor
        for leader, recorded_in, summary, note in (
            (self.leader_zh, "en_US", "已達回訪上限", "1 次回訪後仍未滿意"),
            (self.leader_en, "zh_CN", "Callback limit reached", "still not satisfied after 1 callbacks"),
        ):
            with self.subTest(lang=leader.lang):
                callback = self._callback(leader)
                callback.with_context(lang=recorded_in).register_result(1)
                activity = callback.activity_ids
                self.assertEqual(activity.user_id, leader)
                self.assertEqual(activity.summary, summary)
                self.assertIn(note, activity.note)

    def test_script_dates_and_amounts_in_the_customers_format(self):
        self.customer.write({"lang": "zh_TW", "tz": "Asia/Taipei"})
        with freeze_time("2026-12-01 18:09:24"):
            claim = self._closed_claims(1)
        Script = self.env["claim.callback.script"]
        zh = Script.with_context(lang="zh_TW")._get_placeholder_values(claim, self.agent_1)
        self.assertEqual(zh["closed_date"], "2026年12月2日")  # the customer's day in Taipei, to read aloud
        self.assertIn("800.00", zh["paid_amount"])
        self.assertIn(self.company.currency_id.symbol, zh["paid_amount"])
        en = Script.with_context(lang="en_US")._get_placeholder_values(claim, self.agent_1)
        self.assertEqual(en["closed_date"], "December 2, 2026")

    def test_kpi_month_label_per_language(self):
        kpi = self.env["claim.callback.kpi"].compute_month(date(2026, 12, 1), self.company)
        labels = {lang: kpi.with_context(lang=lang)._month_label() for lang in ("en_US", "zh_TW", "zh_CN")}
        self.assertEqual(labels, {"en_US": "December 2026", "zh_TW": "2026年12月", "zh_CN": "2026年12月"})
        html = self.env["ir.actions.report"].with_context(lang="zh_TW")._render_qweb_html(
            "insurance_claim_callback.report_claim_callback_kpi", kpi.ids
        )[0].decode()
        self.assertIn("2026年12月", html)
        self.assertNotIn("12月 2026", html)

    def test_kpi_pdf_is_rendered_with_the_localized_title(self):
        kpi = self.env["claim.callback.kpi"].compute_month(date(2026, 12, 1), self.company)
        # wkhtmltopdf must not wait on this test's server for the CSS bundles (see test_kpi_report)
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        report = self.env.ref("insurance_claim_callback.claim_callback_kpi_report").with_context(
            lang="zh_TW", force_report_rendering=True
        )
        html = report._render_qweb_html(report.report_name, kpi.ids)[0].decode()
        self.assertIn("2026年12月", html)
        self.assertIn("目標", html)  # the charts' legends, translated
        pdf, report_type = report._render_qweb_pdf(report.report_name, kpi.ids)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:100])
