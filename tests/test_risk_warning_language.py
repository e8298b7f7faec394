import html
import re
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import SUPERVISOR
from .test_risk_warning import RiskCase

# Latin words a Chinese reader may see: the fixture's names (not translated, they are data) and the
# acronym the Chinese translations keep.
KEPT_WORDS = {"KPI"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@tagged("post_install", "-at_install")
class TestRiskWarningLanguage(RiskCase):
    """No warning is stored as a sentence: every kind of the selection, opened by the risk check,
    reads in the reader's language (its message, its name and the activity it gives), whatever the
    company's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_languages("zh_TW", "zh_CN")
        cls.company.partner_id.lang = "en_US"
        cls.readers = {
            lang: cls._user(f"icc_reader_{lang}", SUPERVISOR, lang=lang, email=f"{lang}@example.com")
            for lang in ("zh_TW", "zh_CN", "en_US")
        }
        readers = cls.env["res.users"].concat(*cls.readers.values())
        readers.callback_capacity = 0
        # members of the team (so they read its warnings) and no supervising team leader: every
        # supervisor of the company is told of every warning
        cls.team.write({"user_id": False, "user_ids": [Command.link(user.id) for user in readers]})
        cls.kept_words = KEPT_WORDS | {
            word for name in (cls.team.name, cls.customer.name, cls.company.name)
            for word in re.findall(r"[A-Za-z]+", name)
        }

    def _open_every_kind(self):
        """Makes every condition of the risk check hold in the company and runs it: one warning per kind."""
        self._callback()
        self._callback()  # capacity: 2 open callbacks for 2 agents of capacity 1
        callback = self._callback()
        self._attempts(callback, 10, "message_failed", "sms")
        self._attempts(callback, 20, "no_answer")
        self._done(5)
        self._kpi_rows([95.0, 90.0, 85.0, 80.0])
        self._callback(user_id=self.agent_1.id).with_user(self.agent_1).register_result(2)
        self.Warning._check_risks()
        warnings = self.Warning.search([("company_id", "=", self.company.id)])
        kinds = [kind for kind, _label in self.Warning._fields["kind"]._description_selection(self.env)]
        self.assertEqual(sorted(warnings.mapped("kind")), sorted(kinds), "one warning of each kind")
        return warnings

    def _texts(self, warning, lang):
        """What the reader of `lang` sees of `warning`, read as them in their language."""
        reader = self.readers[lang]
        as_reader = warning.with_user(reader).with_context(lang=reader.lang)
        (record,) = as_reader.read(["message", "display_name"])
        activity = as_reader.activity_ids.filtered(lambda a: a.user_id == reader)
        self.assertEqual(len(activity), 1, f"{warning.kind}: the reader is told once")
        note = html.unescape(re.sub(r"<[^>]+>", " ", activity.note))
        return {"message": record["message"], "display_name": record["display_name"],
                "summary": activity.summary, "note": note}

    def test_every_kind_reads_in_chinese_for_a_chinese_supervisor(self):
        warnings = self._open_every_kind()
        for lang in ("zh_TW", "zh_CN"):
            for warning in warnings:
                for what, text in self._texts(warning, lang).items():
                    with self.subTest(lang=lang, kind=warning.kind, what=what):
                        self.assertRegex(text, CJK)
                        english = set(re.findall(r"[A-Za-z]{3,}", text)) - self.kept_words
                        self.assertFalse(english, f"English words in {text!r}")

    def test_every_kind_reads_in_english_for_an_english_supervisor(self):
        warnings = self._open_every_kind()
        for warning in warnings:
            for what, text in self._texts(warning, "en_US").items():
                with self.subTest(kind=warning.kind, what=what):
                    self.assertRegex(text, r"[A-Za-z]{3,}")
                    self.assertNotRegex(text, CJK)

    def test_the_same_warning_reads_in_each_readers_language(self):
        warnings = self._open_every_kind()
        for warning in warnings:
            with self.subTest(kind=warning.kind):
                messages = {lang: warning.with_context(lang=lang).message for lang in ("en_US", "zh_TW", "zh_CN")}
                self.assertEqual(len(set(messages.values())), 3, messages)

    def test_the_kpi_forecast_names_the_month_as_the_reader_writes_it(self):
        self._kpi_rows([95.0, 90.0, 85.0, 80.0])
        self.Warning._check_risks()
        warning = self.Warning.search([("kind", "=", "kpi_forecast")])
        month = self.Warning._company_month(self.company)
        self.assertEqual(warning.message_values["month"], month.isoformat())
        self.assertEqual([kpi["kpi"] for kpi in warning.message_values["kpis"]], ["coverage_72h"])
        self.assertIn(f"{month.year}年{month.month}月", warning.with_context(lang="zh_TW").message)
        self.assertIn(month.strftime("%B %Y"), warning.with_context(lang="en_US").message)

    def test_a_rerun_writes_nothing_when_the_values_are_the_same(self):
        self._open_every_kind()
        writes = []
        original = type(self.Warning).write

        def write(records, vals):
            writes.append((records, vals))
            return original(records, vals)

        with patch.object(type(self.Warning), "write", write):
            for lang in ("zh_TW", "en_US"):  # whoever runs the check
                self.Warning.with_context(lang=lang)._check_risks()
        self.assertFalse(writes, "the same values: no warning is rewritten")
