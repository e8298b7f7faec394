"""Train the feedback topic models and write lib/topics_model.json (no pickle: plain numbers).

Run after editing the training files or the features in topics.py, then commit them and the model:
    $PY lib/build_topics_model.py
Needs scikit-learn (fit only); lib/topics.py predicts with the standard library.

Besides the labelled sentences, the models see joined pairs of them (labels united, e.g. a
payout_speed sentence + a no-topic sentence stays payout_speed), so that a longer text with
two aspects, or an aspect plus thanks, looks like what they learnt. The pairs are drawn with a
fixed seed from the rows given, so cross-validation (bench/bench_topics.py) joins only rows of
its training folds.
"""
# A command-line build script: it reports to its terminal.
# pylint: disable=print-used

import json
import math
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import topics

C = 10.0
THRESHOLD = 0.4
BALANCED = False
KEYWORD_WEIGHT = 1.0
PAIRS_PER_ROW = 1
JOINERS = {"en": (". ", ", and ", "; ", ". Also, ", ", but "), "zh": ("，", "。", "，而且", "，但是", "；")}


def training_rows():
    """[(lang, codes, text)] of all topics.TRAINING_FILES, in order."""
    return [row for path in topics.TRAINING_FILES for row in topics.load_labelled(path)]


def augmented(rows, lang, seed=19):
    """The rows plus PAIRS_PER_ROW × len(rows) joined pairs of two different rows."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(PAIRS_PER_ROW * len(rows)):
        (_l1, codes1, text1), (_l2, codes2, text2) = rng.sample(rows, 2)
        pairs.append((lang, codes1 | codes2, text1.rstrip("。！？.!?") + rng.choice(JOINERS[lang]) + text2))
    return list(rows) + pairs


def train(rows, lang, c=C, threshold=THRESHOLD, balanced=BALANCED, keyword_weight=KEYWORD_WEIGHT):
    """The stored-model dict of topics.TopicModel for `lang`, trained on `rows` (lang, codes, text)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows = augmented([r for r in rows if r[0] == lang], lang)
    patterns = topics._keyword_patterns(topics.SEED_KEYWORDS, lang)
    counted = [topics.features(topics.normalize(text, lang), lang, patterns) for _l, _c, text in rows]
    document_frequency = {}
    for counts in counted:
        for term in counts:
            document_frequency[term] = document_frequency.get(term, 0) + 1
    n = len(counted)
    terms = {
        term: [index, math.log((1 + n) / (1 + df)) + 1]
        for index, (term, df) in enumerate(sorted(document_frequency.items()))
    }
    data, indices, indptr = [], [], [0]
    for counts in counted:
        for index, weight in sorted(topics.weighted(counts, terms, keyword_weight).items()):
            indices.append(index)
            data.append(weight)
        indptr.append(len(indices))
    matrix = csr_matrix((data, indices, indptr), shape=(n, len(terms)))
    coef, intercept = [], []
    for topic in topics.TOPICS:
        target = np.array([topic in codes for _l, codes, _t in rows], dtype=int)
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced" if balanced else None).fit(matrix, target)
        coef.append([round(float(x), 5) for x in model.coef_[0]])
        intercept.append(round(float(model.intercept_[0]), 5))
    return {
        "topics": list(topics.TOPICS),
        "terms": terms,
        "coef": coef,
        "intercept": intercept,
        "threshold": threshold,
        "keyword_weight": keyword_weight,
        "keywords": {code: {lang: words[lang]} for code, words in topics.SEED_KEYWORDS.items()},
    }


def main():
    rows = training_rows()
    models = {lang: train(rows, lang) for lang in ("zh", "en")}
    for model in models.values():
        for term in model["terms"].values():
            term[1] = round(term[1], 5)
    topics.MODEL_FILE.write_text(json.dumps(models, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for lang, model in models.items():
        print(f"{lang}: {len(model['terms'])} terms")
    print(f"wrote {topics.MODEL_FILE} ({topics.MODEL_FILE.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
