"""Topics of free-text callback feedback (README: Early warning and trends), Chinese (zh_TW, zh_CN) and English.

`classify(texts)` → [set of topic codes] per text: none, one or several of `TOPICS`.

Each language has one logistic regression per topic (one-vs-rest), trained by
`lib/build_topics_model.py` on `topics_train.tsv` and `topics_train_extra.tsv` and stored as plain numbers in
`topics_model.json` (vocabulary, idf, coefficients): nothing is trained or downloaded at
run time, and prediction needs only the standard library. Features (`features()`):

- Chinese (converted to simplified by SnowNLP): character 1–3-grams inside each clause;
- English: words, word pairs, and character 3–5-grams inside words;
- both: one feature per topic whose seed keyword (`SEED_KEYWORDS`) occurs in the text.

Weights are sublinear tf × idf, L2-normalised; a topic is predicted when its
probability reaches the model's threshold. `keywords_baseline()` is the keyword-only
classifier the bench compares against; `SEED_KEYWORDS` also seeds
`claim.feedback.topic.keywords`.
"""

import functools
import json
import math
import pathlib
import re
import threading

HERE = pathlib.Path(__file__).resolve().parent
TRAINING_FILE = HERE / "topics_train.tsv"
# the first writer's sentences, then a second writer's (same format and labelling rules)
TRAINING_FILES = (TRAINING_FILE, HERE / "topics_train_extra.tsv")
MODEL_FILE = HERE / "topics_model.json"
TOPICS = ("payout_speed", "payout_amount", "staff_attitude", "documents", "reachability", "digital", "process")

# English keywords match at the start of a word ("upload" finds "uploaded"); Chinese ones anywhere,
# written in simplified characters (traditional text is converted before matching).
SEED_KEYWORDS = {
    "payout_speed": {
        "en": [
            "paid quickly",
            "paid fast",
            "quick payment",
            "fast payment",
            "prompt payment",
            "payment took",
            "payout took",
            "not been paid",
            "not paid",
            "still waiting for the money",
            "still waiting to be paid",
            "delayed payment",
            "payment is late",
            "overdue",
            "took ages",
            "took forever",
            "money arrived",
            "money came",
            "funds",
            "credited",
            "reimbursed within",
            "paid within",
            "paid in under",
            "weeks to pay",
            "paid out",
            "paid the next",
            "payment is stuck",
            "slow to pay",
            "delay",
            "so long",
            "took so long",
            "within days",
            "within a week",
            "same week",
            "record time",
            "dragged on",
            "still hasn't",
            "pending",
            "waiting since",
            "turnaround",
            "promptly",
        ],
        "zh": [
            "到账",
            "入账",
            "入帐",
            "打款",
            "拨款",
            "放款",
            "赔款很快",
            "赔得快",
            "赔款太慢",
            "钱还没",
            "钱到",
            "还没赔",
            "迟迟",
            "拖了",
            "时效",
            "付款速度",
            "多久才",
            "几天就",
            "款项",
            "赔款",
            "报销还",
            "汇款",
            "转账",
            "进账户",
            "到现在还没",
            "一分钱都没",
            "多久",
            "太慢",
            "很慢",
            "很快",
            "好久",
            "及时",
            "延迟",
            "卡住",
        ],
    },
    "payout_amount": {
        "en": [
            "amount",
            "deduct",
            "depreciation",
            "excess",
            "deductible",
            "calculation",
            "calculated",
            "underpaid",
            "in full",
            "full amount",
            "too low",
            "lowball",
            "valuation",
            "how much",
            "breakdown",
            "not covered",
            "settlement offer",
            "co-pay",
            "reimbursement rate",
            "figure",
            "paid too little",
            "less than",
            "partly covered",
            "part of my claim",
            "covered",
            "fair",
            "generous",
            "reduced",
            "estimate",
            "price",
            "percent",
            "sum",
            "assessed loss",
            "refused",
            "excluded",
        ],
        "zh": [
            "金额",
            "扣款",
            "扣了",
            "扣减",
            "折旧",
            "免赔",
            "自付",
            "算错",
            "计算",
            "怎么算",
            "少赔",
            "赔的太少",
            "赔得太少",
            "全额",
            "足额",
            "估价",
            "报销比例",
            "明细",
            "不在保障",
            "定损金额",
            "赔偿很合理",
            "赔太少",
            "少很多",
            "一部分",
            "不赔",
            "估的",
            "估得",
            "价钱",
            "太低",
            "偏低",
            "公道",
            "合理",
            "六成",
            "一半",
            "不够",
        ],
    },
    "staff_attitude": {
        "en": [
            "rude",
            "polite",
            "courteous",
            "patient",
            "impatient",
            "friendly",
            "kind",
            "helpful",
            "unhelpful",
            "professional",
            "unprofessional",
            "arrogant",
            "attitude",
            "respect",
            "knowledgeable",
            "competent",
            "condescending",
            "dismissive",
            "caring",
            "empathetic",
            "staff",
            "nice",
            "sweet",
            "shouted",
            "didn't care",
            "did not care",
            "care",
            "incompetent",
            "no idea what",
            "poorly trained",
            "contradictory",
            "careless",
            "lazy",
            "unfriendly",
            "disrespectful",
            "pleasure to talk",
            "excellent person",
            "reassuring",
        ],
        "zh": [
            "态度",
            "礼貌",
            "客气",
            "耐心",
            "不耐烦",
            "亲切",
            "热心",
            "热情",
            "专业",
            "傲慢",
            "敷衍",
            "友善",
            "尊重",
            "体贴",
            "冷淡",
            "大小声",
            "瞧不起",
            "业务很熟",
            "很凶",
            "很兇",
            "不在乎",
            "不知道自己在讲",
            "能力",
            "人很好",
            "很冲",
            "不友善",
            "不尊重",
            "优秀",
            "一问三不知",
            "温柔",
            "冷冰冰",
            "员工",
        ],
    },
    "documents": {
        "en": [
            "document",
            "paperwork",
            "papers",
            "receipt",
            "invoice",
            "certificate",
            "police report",
            "medical report",
            "originals",
            "original receipts",
            "copies",
            "proof of",
            "resend",
            "resubmit",
            "bank statement",
            "evidence",
            "fax",
            "forms",
            "form again",
            "same form",
            "proofs",
            "paper",
            "stamps",
            "signatures",
            "discharge summary",
            "repair estimate",
            "photocopies",
            "bank details",
            "letter from",
        ],
        "zh": [
            "文件",
            "资料",
            "材料",
            "补件",
            "发票",
            "收据",
            "单据",
            "证明",
            "正本",
            "原件",
            "复印件",
            "影本",
            "表格",
            "诊断",
            "盖章",
            "翻译",
            "公证",
            "单子",
            "病历",
            "补资料",
            "重交",
            "再交",
            "再寄",
            "寄过",
            "交过",
        ],
    },
    "reachability": {
        "en": [
            "on hold",
            "call back",
            "called back",
            "call me back",
            "ring me back",
            "returned my call",
            "return my call",
            "get through",
            "got through",
            "reach",
            "nobody answered",
            "no one answered",
            "answer the phone",
            "busy",
            "engaged",
            "voicemail",
            "hotline",
            "unanswered",
            "no reply",
            "no response",
            "get hold of",
            "picked up",
            "cut off",
            "queue",
            "contact",
            "emails were ignored",
            "reply to my email",
            "replied",
            "responded",
            "picks up",
            "answered the phone",
            "waiting time on the phone",
            "on the line",
            "speak to a human",
            "never available",
            "chase",
            "callback",
            "call centre",
            "automated menu",
        ],
        "zh": [
            "打不通",
            "打不进",
            "没人接",
            "没有人接",
            "联系不上",
            "找不到人",
            "回电",
            "回拨",
            "没人回",
            "占线",
            "忙线",
            "挂断",
            "断线",
            "语音信箱",
            "留言",
            "热线",
            "接通",
            "排队",
            "联系不到",
            "联络不上",
            "打得进",
            "回邮件",
            "回复",
            "等了半小时",
            "电话里等",
            "接电话",
            "找不到真人",
            "追",
        ],
    },
    "digital": {
        "en": [
            "website",
            "web site",
            "app",
            "online",
            "portal",
            "upload",
            "log in",
            "login",
            "password",
            "link",
            "e-signature",
            "error",
            "crash",
            "web page",
            "verification code",
            "chatbot",
            "web chat",
            "browser",
            "android",
            "qr code",
            "site",
            "digital",
            "freezes",
            "bug",
            "page",
            "sms",
            "email link",
            "system",
        ],
        "zh": [
            "网站",
            "官网",
            "网页",
            "app",
            "小程序",
            "公众号",
            "上传",
            "上网",
            "网上",
            "在线",
            "登录",
            "登入",
            "验证码",
            "链接",
            "连结",
            "闪退",
            "页面",
            "电子签名",
            "机器人",
            "二维码",
            "平台",
            "系统",
            "bug",
            "卡住",
            "线上",
            "推播",
            "微信",
        ],
    },
    "process": {
        "en": [
            "process",
            "procedure",
            "steps",
            "next step",
            "transferred",
            "passed around",
            "passed from",
            "department",
            "bureaucracy",
            "red tape",
            "complicated",
            "confusing",
            "unclear",
            "status of",
            "where my claim",
            "approvals",
            "redirected",
            "start over",
            "handover",
            "straightforward",
            "sent to someone else",
            "another office",
            "who should handle",
            "who is responsible",
            "handlers",
            "what was happening",
            "do next",
            "smooth",
            "hassle",
            "maze",
            "organised",
            "start all over",
            "in person",
            "progress",
            "inspection",
            "review",
            "people involved",
        ],
        "zh": [
            "流程",
            "手续",
            "步骤",
            "环节",
            "程序",
            "转来转去",
            "踢来踢去",
            "部门",
            "进度",
            "下一步",
            "繁琐",
            "复杂",
            "繁文缛节",
            "官僚",
            "审批",
            "负责",
            "窗口",
            "省心",
            "推给别人",
            "谁处理",
            "由谁",
            "承办人",
            "换了",
            "从头",
            "顺利",
            "现在怎么样",
            "经手",
            "说明",
            "审核",
            "复勘",
            "跑",
        ],
    },
}

_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_WORD = re.compile(r"[a-z0-9]+")
_ZH_CLAUSE = re.compile(r"[^\W_]+")
_lock = threading.Lock()
_models = {}
_zh2hans = None


def detect_language(text, default="en"):
    """'zh' when the text has Chinese characters, else 'en' (the rule of lib/sentiment.detect_language)."""
    if not text:
        return default
    return "zh" if _CJK.search(text) else "en"


def normalize(text, lang):
    """Lower case; Chinese in simplified characters (SnowNLP's table)."""
    global _zh2hans
    text = (text or "").lower()
    if lang == "zh":
        if _zh2hans is None:
            from snownlp.normal import zh2hans

            _zh2hans = zh2hans
        text = _zh2hans(text)
    return text


def load_labelled(path, lang=None):
    """[(lang, frozenset of codes, text)] of a `lang<TAB>codes<TAB>text` file; '#' lines are comments."""
    rows = []
    for number, line in enumerate(pathlib.Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = line.split("\t")
        codes = frozenset(c.strip() for c in row[1].split(",") if c.strip()) if len(row) == 3 else None
        if codes is None or row[0] not in ("zh", "en") or not codes <= set(TOPICS) or not row[2].strip():
            raise ValueError(f"{path}:{number}: expected zh|en<TAB>codes of {TOPICS}<TAB>text")
        if lang is None or row[0] == lang:
            rows.append((row[0], codes, row[2]))
    return rows


def _keyword_patterns(keywords_by_code, lang):
    """{code: compiled regex} of the keywords that apply to `lang`, normalized like the texts."""
    patterns = {}
    for code, keywords in keywords_by_code.items():
        if isinstance(keywords, dict):
            keywords = keywords.get(lang, [])
        elif isinstance(keywords, str):
            keywords = keywords.split(",")
        words = sorted({normalize(k.strip(), lang) for k in keywords if k and k.strip()}, key=len, reverse=True)
        words = [w for w in words if detect_language(w) == lang or lang == "zh"]
        if words:
            alternatives = "|".join(map(re.escape, words))
            patterns[code] = re.compile(f"(?:{alternatives})" if lang == "zh" else rf"\b(?:{alternatives})")
    return patterns


def _keyword_codes(normalized_text, patterns):
    return {code for code, pattern in patterns.items() if pattern.search(normalized_text)}


@functools.lru_cache(maxsize=512)
def keywords_pattern(keywords):
    """A regex found in a text when one of `keywords` (a tuple of strings) occurs in it, as is.

    The keywords are merged into a trie (`tow truck` and `tow service` share `tow `; a keyword that
    starts with another adds nothing), so a search reads each character of the text against at most
    the length of the longest keyword: time linear in the text, bounded by the keywords' length.
    """
    trie = {}
    for keyword in filter(None, keywords):
        node = trie
        for char in keyword:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node):
        if "" in node:
            return ""
        parts = [re.escape(char) + branch(child) for char, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return re.compile(branch(trie)) if trie else None


def keywords_baseline(texts, keywords_by_code=None):
    """[set of codes] per text: the codes one of whose keywords occurs in it, nothing else.

    `keywords_by_code` maps a code to {"en": [...], "zh": [...]}, to a list, or to a comma-separated
    string (keywords for any language); default `SEED_KEYWORDS`.
    """
    keywords_by_code = SEED_KEYWORDS if keywords_by_code is None else keywords_by_code
    patterns = {lang: _keyword_patterns(keywords_by_code, lang) for lang in ("zh", "en")}
    result = []
    for text in texts:
        lang = detect_language(text)
        result.append(_keyword_codes(normalize(text, lang), patterns[lang]))
    return result


def features(normalized_text, lang, patterns):
    """{feature: count} of a normalized text (see the module docstring)."""
    counts = {}

    def add(term):
        counts[term] = counts.get(term, 0) + 1

    if lang == "zh":
        for clause in _ZH_CLAUSE.findall(normalized_text):
            for n in (1, 2, 3):
                for i in range(len(clause) - n + 1):
                    add("c:" + clause[i : i + n])
    else:
        words = _EN_WORD.findall(normalized_text)
        for i, word in enumerate(words):
            add("w:" + word)
            if i:
                add(f"b:{words[i - 1]} {word}")
            padded = f" {word} "
            for n in (3, 4, 5):
                for j in range(len(padded) - n + 1):
                    add("c:" + padded[j : j + n])
    for code in _keyword_codes(normalized_text, patterns):
        add("k:" + code)
    return counts


def weighted(counts, idf, keyword_weight=1.0):
    """{index: weight}: sublinear tf × idf over the known text terms, L2-normalised; keyword hits
    ("k:" features) weigh `keyword_weight` each, outside the norm."""
    vector, keywords = {}, {}
    for term, count in counts.items():
        entry = idf.get(term)
        if entry is not None:
            (keywords if term.startswith("k:") else vector)[entry[0]] = (1 + math.log(count)) * entry[1]
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    vector = {index: w / norm for index, w in vector.items()}
    vector.update((index, keyword_weight) for index in keywords)
    return vector


class TopicModel:
    """One language's stored model: {"topics", "terms": {term: [index, idf]}, "coef": [[...] per topic],
    "intercept", "threshold", "keyword_weight", "keywords"}."""

    def __init__(self, data, lang):
        self.lang = lang
        self.topics = data["topics"]
        self.idf = data["terms"]
        self.coef = data["coef"]
        self.intercept = data["intercept"]
        self.threshold = data["threshold"]
        self.keyword_weight = data["keyword_weight"]
        self.patterns = _keyword_patterns(data["keywords"], lang)

    def probabilities(self, text):
        """{code: probability} of one text."""
        vector = weighted(features(normalize(text, self.lang), self.lang, self.patterns), self.idf, self.keyword_weight)
        result = {}
        for topic, coef, intercept in zip(self.topics, self.coef, self.intercept, strict=True):
            score = intercept + sum(coef[i] * w for i, w in vector.items())
            result[topic] = 1 / (1 + math.exp(-max(-30.0, min(30.0, score))))
        return result

    def classify(self, text):
        return {code for code, p in self.probabilities(text).items() if p >= self.threshold}


def get_model(lang):
    """The stored model of 'zh' or 'en', read once per process."""
    with _lock:
        if not _models:
            data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
            _models.update({code: TopicModel(data[code], code) for code in ("zh", "en")})
        return _models[lang]


def classify(texts):
    """[set of topic codes] per text, in order; an empty or blank text has no topic."""
    return [get_model(detect_language(text)).classify(text) if text and text.strip() else set() for text in texts]
