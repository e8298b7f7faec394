from odoo.tests import TransactionCase, tagged

from ..lib import topics


@tagged("post_install", "-at_install")
class TestTopicsLib(TransactionCase):
    def test_clear_feedback_gets_its_topics_in_zh_tw_zh_cn_and_english(self):
        cases = [
            ("賠款拖了兩個多月才入帳。", {"payout_speed"}),
            ("客服人员态度很差，很不耐烦。", {"staff_attitude"}),
            ("電話一直打不通，也沒有人回電。", {"reachability"}),
            ("The adjuster was rude and the money took two months to arrive.", {"staff_attitude", "payout_speed"}),
            ("The app crashed every time I tried to upload a photo.", {"digital"}),
        ]
        trained = {text for path in topics.TRAINING_FILES for _lang, _codes, text in topics.load_labelled(path)}
        self.assertFalse(trained.intersection(text for text, _codes in cases))
        self.assertEqual(topics.classify([text for text, _codes in cases]), [codes for _text, codes in cases])

    def test_praise_of_an_aspect_is_that_topic(self):
        self.assertEqual(topics.classify(["The payout was fast, thank you.", "赔款很快就到账了。"]), [{"payout_speed"}] * 2)

    def test_feedback_on_no_aspect_and_empty_text_get_no_topic(self):
        self.assertEqual(topics.classify(["Thank you, nothing else to say.", "謝謝，沒有其他意見。", "", "  "]), [set()] * 4)

    def test_keyword_baseline_matches_only_the_given_keywords(self):
        keywords = {"documents": {"en": ["receipt"], "zh": ["发票"]}, "digital": "app,網站"}
        self.assertEqual(
            topics.keywords_baseline(["Send the receipts again?", "網站打不開", "發票寄了兩次", "Nothing"], keywords),
            [{"documents"}, {"digital"}, {"documents"}, set()],
        )

    def test_seed_keywords_cover_every_topic_in_both_languages(self):
        self.assertEqual(set(topics.SEED_KEYWORDS), set(topics.TOPICS))
        for code, words in topics.SEED_KEYWORDS.items():
            self.assertTrue(words["en"] and words["zh"], code)
