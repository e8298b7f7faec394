import io
import shutil
import unicodedata
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .test_kpi import MARCH, KpiCase

TOPICS = ("payout_speed", "payout_amount", "staff_attitude", "documents", "reachability")


@tagged("post_install", "-at_install")
class TestKpiReport(KpiCase):
    """The PDF is rendered for real by wkhtmltopdf (Debian package `wkhtmltopdf`, CJK text
    with `fonts-noto-cjk`): a missing binary fails these tests, it does not skip them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("zh_TW", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        # last year's February and this March, so that the trend has two points
        cls.kpi_feb = cls.env["claim.callback.kpi"].compute_month(date(2026, 2, 1), cls.company)

    def _render(self, kpi, lang):
        self.assertTrue(shutil.which("wkhtmltopdf"), "wkhtmltopdf is required: apt-get install wkhtmltopdf")
        # wkhtmltopdf would fetch the CSS bundles from the server, which waits on this test's
        # uncommitted transaction (or is another process on the port): refuse the connection at
        # once instead. The page, its SVG charts and its fonts do not need them.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        report = self.env.ref("insurance_claim_callback.claim_callback_kpi_report")
        pdf, report_type = report.with_context(lang=lang, force_report_rendering=True)._render_qweb_pdf(
            report.report_name, kpi.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:100])
        return pdf

    def _text(self, pdf):
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        # extraction splits words with tabs and maps some CJK glyphs to compatibility forms (⽉ for 月)
        text = " ".join(page.extract_text() for page in reader.pages)
        return " ".join(unicodedata.normalize("NFKC", text).split())

    def _march(self):
        claim = self._closed(datetime(2026, 3, 5))
        self._first(claim, state="done", satisfaction=5, completed_date=datetime(2026, 3, 6),
                    first_attempt_date=datetime(2026, 3, 5, 5))
        return self.Kpi.compute_month(MARCH, self.company)

    def test_pdf_in_english_shows_the_month_and_the_kpis_with_charts(self):
        kpi = self._march()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "insurance_claim_callback.report_claim_callback_kpi", kpi.ids
        )[0].decode()
        # both charts are inline SVG: 6 KPI bars (5 targets) and the 12-month trend
        self.assertEqual(html.count("<svg"), 2)
        self.assertEqual(html.count("<polyline"), 2)
        self.assertIn("n/a", html)  # no feedback issue in March

        text = self._text(self._render(kpi, "en_US"))

        self.assertIn("March 2026", text)
        for name in ("Callback coverage 72 h", "First contact 24 h", "Satisfaction rate", "Issue resolution 48 h",
                     "Complaint rate change", "Repeat-claim rate change", "KPI vs target", "12-month trend"):
            self.assertIn(name, text)
        self.assertIn("100.0 %", text)  # coverage and satisfaction of the one March claim

    def test_pdf_in_traditional_and_simplified_chinese_embeds_cjk_glyphs(self):
        kpi = self._march()
        for lang, font in (("zh_TW", b"NotoSansCJK"), ("zh_CN", b"NotoSansCJK")):
            with self.subTest(lang=lang):
                pdf = self._render(kpi, lang)
                # the month in Chinese ("3月") is drawn with an embedded Noto CJK font
                self.assertIn(font, pdf)
                self.assertIn("月", self._text(pdf))
                self.assertIn("2026", self._text(pdf))


@tagged("post_install", "-at_install")
class TestKpiReportPages(KpiCase, HttpCase):
    """The PDF of one month is two pages at most, in English and in Chinese, with everything it can hold (a
    12-month trend, five topics), laid out with the report's style sheets: wkhtmltopdf fetches them from this
    test's server, as in production (without them, the page is shorter than what managers receive)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_languages("zh_TW")

    def _full_month(self):
        """March with the 11 months before it, and five topics in its feedback."""
        for months_back in range(1, 12):
            self.Kpi.create({"month": MARCH - relativedelta(months=months_back), "company_id": self.company.id,
                             "claims_closed": 10, "contactable_claims": 10, "coverage_72h": 80.0 + months_back,
                             "rated_callbacks": 10, "satisfaction_rate": 90.0 - months_back})
        for day, topic in enumerate(TOPICS, start=5):
            claim = self._closed(datetime(2026, 3, day))
            self._first(claim, state="done", satisfaction=4, completed_date=datetime(2026, 3, day, 5),
                        topic_ids=[Command.set(self.env.ref(f"insurance_claim_callback.feedback_topic_{topic}").ids)])
        return self.Kpi.compute_month(MARCH, self.company)

    def _pages(self, kpi, lang):
        self.env["ir.config_parameter"].set_param("report.url", self.base_url())
        report = self.env.ref("insurance_claim_callback.claim_callback_kpi_report")
        pdf, _type = report.with_context(lang=lang, force_report_rendering=True)._render_qweb_pdf(
            report.report_name, kpi.ids
        )
        return PdfFileReader(io.BytesIO(pdf), strict=False).pages

    def test_one_month_fits_two_pages_in_english_and_chinese(self):
        kpi = self._full_month()
        self.assertEqual(len(kpi._get_top_topics()), 5)
        for lang, trend in (("en_US", "12-month trend"), ("zh_TW", "12 個月趨勢")):
            with self.subTest(lang=lang):
                pages = self._pages(kpi, lang)
                self.assertLessEqual(len(pages), 2)
                last = " ".join(unicodedata.normalize("NFKC", pages[-1].extract_text()).split())
                self.assertIn(trend, last, "the trend closes the last page")
