import re
from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import locale_format
from .common import CallbackCase

LANGS = ("zh_TW", "zh_CN", "en_US")
# 2026-12-04 16:28 UTC = Saturday 5 December 00:28 in Taipei.
MOMENT = datetime(2026, 12, 4, 16, 28, 41)


@tagged("post_install", "-at_install")
class TestDateFormats(CallbackCase):
    """Every date, time, month and time zone the addon writes itself reads as each language writes it:
    "12月5日（週六）00:28（台北時間）" for zh_TW, "12月5日（周六）00:28（台北时间）" for zh_CN,
    "Sat, Dec 5, 12:28 AM (Taipei Time)" for en_US; never "週六 5 12月", "Asia/Taipei" or "2026-12"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_languages("zh_TW", "zh_CN")
        cls.customer.tz = "Asia/Taipei"
        cls.env["claim.sla.rule"].search([]).active = False  # deadlines of plain hours

    def _each(self, render):
        return {lang: render(self.env(context=dict(self.env.context, lang=lang)), lang) for lang in LANGS}

    def _callback(self):
        with freeze_time("2026-11-26 02:00:00"):  # 10:00 in Taipei
            claim = self._closed_claims(1)
            self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        return callback

    # ------------------------------------------------------------------
    # The helper
    # ------------------------------------------------------------------

    def test_helper_writes_each_part_as_each_language_does(self):
        fmt = locale_format
        cases = {
            "moment": (lambda env, lang: fmt.format_moment(env, MOMENT, "Asia/Taipei", lang), {
                "zh_TW": "12月5日（週六）00:28", "zh_CN": "12月5日（周六）00:28", "en_US": "Sat, Dec 5, 12:28 AM"}),
            "moment_tz": (lambda env, lang: fmt.format_moment_tz(env, MOMENT, "Asia/Taipei", lang), {
                "zh_TW": "12月5日（週六）00:28（台北時間）", "zh_CN": "12月5日（周六）00:28（台北时间）",
                "en_US": "Sat, Dec 5, 12:28 AM (Taipei Time)"}),
            "time": (lambda env, lang: fmt.format_time_local(env, MOMENT, "Asia/Taipei", lang), {
                "zh_TW": "00:28", "zh_CN": "00:28", "en_US": "12:28 AM"}),
            "datetime": (lambda env, lang: fmt.format_datetime_local(env, MOMENT, "Asia/Taipei", lang), {
                "zh_TW": "2026/12/05 00:28", "zh_CN": "2026/12/05 00:28", "en_US": "12/05/2026 12:28 AM"}),
            "tz": (lambda env, lang: fmt.format_tz_name(env, "America/New_York", lang), {
                "zh_TW": "東部時間", "zh_CN": "北美东部时间", "en_US": "Eastern Time"}),
            "utc": (lambda env, lang: fmt.format_tz_name(env, "UTC", lang), dict.fromkeys(LANGS, "UTC")),
            "long_date": (lambda env, lang: fmt.format_long_date(env, date(2026, 12, 5), lang), {
                "zh_TW": "2026年12月5日", "zh_CN": "2026年12月5日", "en_US": "December 5, 2026"}),
            "month": (lambda env, lang: fmt.format_month(env, date(2026, 11, 1), lang), {
                "zh_TW": "2026年11月", "zh_CN": "2026年11月", "en_US": "November 2026"}),
        }
        for name, (render, expected) in cases.items():
            with self.subTest(part=name):
                self.assertEqual(self._each(render), expected)

    def test_helper_takes_the_language_of_the_environment_when_none_is_given(self):
        zh = self.env(context=dict(self.env.context, lang="zh_TW"))
        self.assertEqual(locale_format.format_moment(zh, MOMENT, "Asia/Taipei"), "12月5日（週六）00:28")

    # ------------------------------------------------------------------
    # Where the addon shows them
    # ------------------------------------------------------------------

    def test_queue_next_try_in_the_customers_time_with_its_zone_named(self):
        callback = self._callback()
        with freeze_time("2026-11-26 12:30:00"):  # 20:30 in Taipei: retry next morning 09:00
            callback.register_attempt("phone", "no_answer")
        texts = {lang: callback.with_context(lang=lang).next_attempt_local for lang in LANGS}
        self.assertEqual(texts, {
            "zh_TW": "11月27日（週五）09:00（台北時間）",
            "zh_CN": "11月27日（周五）09:00（台北时间）",
            "en_US": "Fri, Nov 27, 09:00 AM (Taipei Time)",
        })

    def test_log_call_dialog_and_its_confirmation(self):
        expected_now = {"zh_TW": "11月27日（週五）09:00", "zh_CN": "11月27日（周五）09:00",
                        "en_US": "Fri, Nov 27, 09:00 AM"}
        expected_tz = {"zh_TW": "台北時間", "zh_CN": "台北时间", "en_US": "Taipei Time"}
        expected_next = {"zh_TW": "11月27日（週五）11:00（台北時間）", "zh_CN": "11月27日（周五）11:00（台北时间）",
                         "en_US": "Fri, Nov 27, 11:00 AM (Taipei Time)"}
        for lang in LANGS:
            callback = self._callback()
            with self.subTest(lang=lang), freeze_time("2026-11-27 01:00:00"):
                Wizard = self.env["claim.callback.log.call"].with_user(self.agent_1).with_context(lang=lang)
                wizard = Wizard.create({"callback_id": callback.id, "outcome": "no_answer"})
                self.assertEqual(wizard.customer_now, expected_now[lang])
                self.assertEqual(wizard.customer_tz, expected_tz[lang])
                message = wizard.action_confirm()["params"]["message"]
                self.assertIn(expected_next[lang], message)
                self.assertNotIn("Asia/Taipei", message)

    def test_out_of_window_notice_gives_the_customers_time_of_day(self):
        expected = {"zh_TW": "23:30", "zh_CN": "23:30", "en_US": "11:30 PM"}
        for lang in LANGS:
            callback = self._callback()
            with self.subTest(lang=lang), freeze_time("2026-11-26 15:30:00"):  # 23:30 in Taipei
                action = callback.with_user(self.agent_1).with_context(lang=lang, attempt_outcome="busy")
                message = action.action_log_attempt()["params"]["message"]
                self.assertIn(expected[lang], message)

    def test_chatter_deadline_in_the_staffs_language(self):
        self.company.partner_id.tz = "Asia/Taipei"
        expected = {"zh_TW": "2026/11/29 10:00", "zh_CN": "2026/11/29 10:00", "en_US": "11/29/2026 10:00 AM"}
        for lang in LANGS:
            with self.subTest(lang=lang):
                callback = self._callback()
                with freeze_time("2026-11-26 02:00:00"):
                    callback.with_context(lang=lang).register_result(2)
                body = callback.ticket_id.message_ids[:1].body
                self.assertIn(expected[lang], body)

    def test_script_reads_the_closing_day_aloud(self):
        with freeze_time("2026-12-01 18:09:24"):  # 2 December in Taipei
            claim = self._closed_claims(1)
        Script = self.env["claim.callback.script"]
        texts = {lang: Script.with_context(lang=lang)._get_placeholder_values(claim, self.agent_1)["closed_date"]
                 for lang in LANGS}
        self.assertEqual(texts, {"zh_TW": "2026年12月2日", "zh_CN": "2026年12月2日", "en_US": "December 2, 2026"})

    def test_activity_warning_and_budget_mail_name_the_month(self):
        expected = {"zh_TW": "2026年11月", "zh_CN": "2026年11月", "en_US": "November 2026"}
        Warning = self.env["claim.risk.warning"]
        values = {"month": "2026-11-01", "kpis": []}
        for lang in LANGS:
            with self.subTest(lang=lang):
                self.assertIn(expected[lang], Warning.with_context(lang=lang)._message_kpi_forecast(values))
                month = self.env["claim.callback.agent.month"].with_context(lang=lang).new(
                    {"user_id": self.agent_1.id, "company_id": self.company.id, "month": date(2026, 11, 1)}
                )
                self.assertIn(expected[lang], month._coaching_summary())
        self.company.callback_budget_monthly = 1
        Kpi = self.env["claim.callback.kpi"].with_context(lang="zh_TW")
        Kpi._send_budget_alert(self.company, "month", date(2026, 11, 1), 100, 2.0, 1.0)
        mail = self.env["mail.mail"].search([("subject", "like", "2026")], order="id desc", limit=1)
        self.assertIn("2026年11月", mail.subject)
        self.assertNotIn("2026-11", mail.subject)

    def test_kpi_pdf_forecast_month_as_its_title_writes_it(self):
        kpi = self.env["claim.callback.kpi"].compute_month(date(2026, 11, 1), self.company)
        expected = {"zh_TW": "2026年12月", "zh_CN": "2026年12月", "en_US": "December 2026"}
        for lang in LANGS:
            with self.subTest(lang=lang):
                html = self.env["ir.actions.report"].with_context(lang=lang)._render_qweb_html(
                    "insurance_claim_callback.report_claim_callback_kpi", kpi.ids
                )[0].decode()
                forecast = re.search(r"o_claim_callback_kpi_trends.*?</h4>", html, re.S).group(0)
                self.assertIn(expected[lang], forecast)
                self.assertNotIn("2026-12", forecast)
