"""Language by construction: every term of the addon that Odoo would export (field labels, help, selections,
views, menus, data, `env._()` strings in the code) has a zh_TW and a zh_CN translation in `i18n/`, so a string
added without its translations fails here, not in front of a Chinese-speaking agent."""

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

MODULE = "insurance_claim_callback"
LANGUAGES = ("zh_TW", "zh_CN")


@tagged("post_install", "-at_install")
class TestTranslationsComplete(TransactionCase):
    def test_every_term_has_its_chinese_translations(self):
        terms = {source for _module, _type, _name, _res_id, source, _value, _comments
                 in TranslationModuleReader(self.env.cr, modules=[MODULE])}
        self.assertGreater(len(terms), 500, "the reader finds the addon's terms")
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                po = polib.pofile(file_path(f"{MODULE}/i18n/{lang}.po"))
                translated = {entry.msgid for entry in po
                              if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags}
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{len(missing)} terms without a {lang} translation, e.g. {missing[:10]}")
