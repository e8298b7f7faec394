import hashlib
import pathlib
import tempfile
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..lib import build_sentiment_model, sentiment


@tagged("post_install", "-at_install")
class TestSentiment(BaseCase):
    def test_training_file_covers_both_languages_and_all_labels(self):
        rows = sentiment.load_labelled(sentiment.TRAINING_FILE)
        for lang in ("zh", "en"):
            labels = [label for row_lang, label, _text in rows if row_lang == lang]
            self.assertGreaterEqual(len(labels), 1000, lang)
            self.assertEqual(set(labels), set(sentiment.LABELS), lang)

    def test_malformed_training_line_is_rejected_with_its_line_number(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8") as tsv:
            tsv.write("# comment\nen\tpositive\tGreat\nen\tgood\tWrong label\n")
            tsv.flush()
            with self.assertRaisesRegex(ValueError, r":3: expected lang<TAB>label<TAB>text"):
                sentiment.load_labelled(tsv.name)

    def test_unseen_sentences_are_classified_including_negation_and_but_clauses(self):
        cases = [
            ("The surveyor turned up on time and the money arrived within four days.", "positive"),
            ("Not bad at all, the whole process was painless.", "positive"),
            ("The lady on the phone was polite, but I have still not been paid a cent.", "negative"),
            ("Could you post the settlement letter to my new address?", "neutral"),
            ("賠款三天就入帳了，專員也很細心，謝謝你們。", "positive"),
            ("客服态度是还可以，但是到现在钱还没到账。", "negative"),
            ("請問下次續保的時候要準備哪些文件？", "neutral"),
        ]
        trained = {text for _lang, _label, text in sentiment.load_labelled(sentiment.TRAINING_FILE)}
        self.assertFalse(trained.intersection(text for text, _label in cases))
        results = sentiment.analyze([text for text, _label in cases])
        self.assertEqual([label for _score, label in results], [label for _text, label in cases])

    def test_mixed_language_batch_keeps_order_and_score_agrees_with_label(self):
        texts = [
            "Terrible service, nobody ever called me back.",
            "非常滿意，處理得很快。",
            "",
            "Thanks, very quick payout!",
        ]
        results = sentiment.analyze(texts)
        self.assertEqual([label for _score, label in results], ["negative", "positive", "neutral", "positive"])
        self.assertLess(results[0][0], 0)
        self.assertGreater(results[1][0], 0)
        self.assertGreater(results[3][0], 0)
        self.assertEqual([sentiment.detect_language(t) for t in texts], ["en", "zh", "en", "en"])

    def test_an_engine_can_be_swapped_behind_the_interface(self):
        class Constant(sentiment.SentimentEngine):
            def analyze(self, texts):
                return [(-0.5, "negative")] * len(texts)

        with patch.dict(sentiment.ENGINES, {"en": Constant}), patch.dict(sentiment._engines, clear=True):
            self.assertEqual(sentiment.analyze(["Lovely people, quick payout"]), [(-0.5, "negative")])
        self.assertEqual(sentiment.analyze(["Lovely people, quick payout"])[0][1], "positive")

    def test_engines_score_from_the_shipped_json_without_the_training_file(self):
        missing = pathlib.Path(tempfile.gettempdir()) / "no-such-dir" / "sentiment_train.tsv"
        with patch.object(sentiment, "TRAINING_FILE", missing), patch.dict(sentiment._engines, clear=True):
            results = sentiment.analyze(["賠款三天就入帳了，謝謝你們。", "Terrible service, nobody called me."])
        self.assertEqual([label for _score, label in results], ["positive", "negative"])
        # ... and it is that JSON the engines read: without it there is no engine (and no training fallback).
        with patch.object(sentiment, "MODEL_DIR", missing.parent), patch.dict(sentiment._engines, clear=True):
            with self.assertRaises(FileNotFoundError):
                sentiment.get_engine("en")

    def test_warm_up_loads_both_engines_once_for_later_requests(self):
        with patch.dict(sentiment._engines, clear=True):
            sentiment.warm_up()
            loaded = dict(sentiment._engines)
            self.assertEqual(set(loaded), {"zh", "en"})
            sentiment.analyze(["理赔很慢。", "Slow payout."])
            self.assertEqual(sentiment._engines, loaded)

    def test_shipped_json_gives_the_predictions_of_a_model_trained_now_on_the_training_file(self):
        training = sentiment.load_labelled(sentiment.TRAINING_FILE)
        digest = hashlib.sha256(sentiment.TRAINING_FILE.read_bytes()).hexdigest()
        for lang in ("zh", "en"):
            with self.subTest(lang=lang):
                shipped = sentiment.get_engine(lang)
                model, features, classifier = build_sentiment_model.train(lang)
                self.assertEqual(model["training_sha256"], digest, "rebuild: $PY lib/build_sentiment_model.py")
                texts = [text for row_lang, _label, text in training if row_lang == lang][::10]
                texts += ["", "ok", "Not bad at all!!", "客服态度是还可以，但是到现在钱还没到账。"]
                expected = classifier.predict_proba(features.transform([shipped._normalize(t) for t in texts]))
                for text, want, got in zip(texts, expected, shipped.probabilities(texts), strict=True):
                    self.assertEqual(list(classifier.classes_), shipped.classes)
                    self.assertEqual(want.argmax(), got.argmax(), text)
                    self.assertLess(abs(want - got).max(), 1e-4, text)

    def test_a_100000_character_text_is_scored_on_its_first_max_scored_chars(self):
        self.assertEqual(sentiment.MAX_SCORED_CHARS, 10000)
        praise = "The payout came quickly and the agent was very kind, thank you. "
        insult = "Terrible, useless, rude people, worst insurer ever, I hate you. "
        text = (praise * 200)[:10000] + (insult * 1500)[:90000]
        self.assertEqual(len(text), 100000)
        ((score, label),) = sentiment.analyze([text])
        self.assertEqual(label, "positive")
        self.assertEqual((score, label), sentiment.analyze([text[:10000]])[0])
        ((_score, label),) = sentiment.analyze([text[10000:]])
        self.assertEqual(label, "negative")
