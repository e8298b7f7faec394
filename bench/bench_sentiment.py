"""Accuracy per language and batch throughput of the sentiment engines.

Run: $PY bench/bench_sentiment.py  (no database needed). Prints `name: value` lines.

The engines train on lib/sentiment_train.tsv; none of the sets below is in it:
- sentiment_eval.tsv: the first evaluation set (its sentences guided the choice of features);
- sentiment_holdout.tsv, sentiment_holdout2.tsv, sentiment_holdout3.tsv: written independently by people who never
  saw the engine, its training set or the other sets; they are only ever scored, never tuned on.
Also printed: 5-fold cross-validated accuracy on the training set, and in the same run the rule-based models alone
(VADER's compound score; the HowNet word balance) as the baseline.

Run-time cost (the engines read lib/sentiment_model_<lang>.json, built offline by lib/build_sentiment_model.py):
- cold_*: a fresh Python process imports lib/sentiment.py, calls warm_up() (what the addon does once per process at
  registry load) and scores one text; first_vs_warm_ratio compares that first call with the median of later ones.
  Baselines in the same run: the same process without warm_up(), and train_in_process_s, the training the engines
  used to do inside the first request of every worker.
- single_call_texts_per_s: one text per analyze() call, as register_result uses it.
- analyze_<n>kB_ms: one text of n thousand characters (cut to MAX_SCORED_CHARS); engine_100kB_uncapped_ms: the
  engine on the whole 100,000 characters, what the cut saves.
"""

import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

from benchlib import out

# Not smoke-run (bench/smoke.py): an evaluation of fixed files that takes minutes, with no data
# setup to rot; tests/test_sentiment.py covers the library.
SMOKE_ARGS = None
HERE = pathlib.Path(__file__).resolve().parent
LIB = HERE.parent / "lib"
sys.path.insert(0, str(LIB))
import build_sentiment_model  # noqa: E402
import sentiment  # noqa: E402

SETS = ("sentiment_eval", "sentiment_holdout", "sentiment_holdout2", "sentiment_holdout3")


def same_sentence_key(text):
    """Lower case, simplified Chinese, no punctuation or spaces: 'Not happy at all!' ≈ 'not happy at all'."""
    return re.sub(r"[\W_]+", "", sentiment.get_engine("zh")._normalize(text).lower())


def accuracy(labels, rows):
    hits = sum(label == row[1] for label, row in zip(labels, rows, strict=True))
    return f"{100 * hits / len(rows):.1f} %  ({hits}/{len(rows)})"


def rule_baseline(engine, lang, texts):
    """The rule-based model's own verdict, ±0.05 around zero as neutral (VADER's convention)."""
    if lang == "en":
        scores = [row[0] for row in engine._rule_features(texts)]
    else:
        scores = [pos - neg for pos, neg, _bayes in engine._rule_features([engine._normalize(t) for t in texts])]
    return ["positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores]


def cross_validated(lang, rows, folds=5):
    """Accuracy of engines trained on 4/5 of the training set, scored on the other fifth (stratified)."""
    labels = []
    for fold in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        test = [r for i, r in enumerate(rows) if i % folds == fold]
        model = build_sentiment_model.train(lang, train)[0]
        labels.append(sentiment.ENGINES[lang](model).analyze([r[2] for r in test]))
    ordered = [None] * len(rows)
    for fold, fold_labels in enumerate(labels):
        for j, (_score, label) in enumerate(fold_labels):
            ordered[fold + j * folds] = label
    return accuracy(ordered, rows)


SAMPLE = {
    "zh": "客服态度是还可以，但是到现在钱还没到账。",
    "en": "The lady was polite, but I have still not been paid a cent.",
}
COLD = """
import json, statistics, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import sentiment
if sys.argv[2] == "1":
    sentiment.warm_up()
t1 = time.perf_counter()
result = {"import_warm_up_s": t1 - t0}
for lang, texts in json.loads(sys.argv[3]).items():
    times = []
    for text in texts:  # each a new text, as each outcome brings new feedback
        t = time.perf_counter()
        sentiment.analyze([text])
        times.append(time.perf_counter() - t)
    result[f"first_{lang}_s"] = times[0]
    result[f"warm_{lang}_s"] = statistics.median(times[1:])
result["total_first_s"] = t1 - t0 + result["first_zh_s"]
print(json.dumps(result))
"""


def cold_process(warm_up, texts, runs=3):
    """Median over `runs` fresh processes (see COLD) of: import (+ warm_up), the first call and the median of
    the later ones, one new text per call, per language."""
    args = [sys.executable, "-c", COLD, str(LIB), "1" if warm_up else "0", json.dumps(texts, ensure_ascii=False)]
    results = [json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout) for _ in range(runs)]
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def median_ms(function, repeat=3):
    times = []
    for _i in range(repeat):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return f"{1000 * statistics.median(times):.1f}"


def run_time_costs(texts):
    out("machine_load_average_1min", f"{os.getloadavg()[0]:.1f}  ({os.cpu_count()} CPUs)")
    by_lang = {lang: [t for t in texts if sentiment.detect_language(t) == lang][:31] for lang in ("zh", "en")}
    cold = cold_process(True, by_lang)
    out("cold_import_and_warm_up_s", f"{cold['import_warm_up_s']:.2f}")
    out("cold_first_call_s", f"{cold['total_first_s']:.2f}  (import + warm_up + first zh text; median of 3 processes)")
    for lang in ("zh", "en"):
        out(f"first_call_after_warm_up_ms_{lang}", f"{1000 * cold[f'first_{lang}_s']:.2f}")
        out(f"warm_call_s_{lang}", f"{cold[f'warm_{lang}_s']:.5f}")
        out(f"first_vs_warm_ratio_{lang}", f"{cold[f'first_{lang}_s'] / cold[f'warm_{lang}_s']:.2f}")
        out(f"first_minus_warm_ms_{lang}", f"{1000 * (cold[f'first_{lang}_s'] - cold[f'warm_{lang}_s']):.2f}")
    cold = cold_process(False, by_lang, runs=1)
    for lang in ("zh", "en"):
        out(f"baseline_first_call_without_warm_up_s_{lang}", f"{cold[f'first_{lang}_s']:.2f}")
    t0 = time.perf_counter()
    trained = {lang: build_sentiment_model.train(lang) for lang in ("zh", "en")}
    out("baseline_train_in_process_s", f"{time.perf_counter() - t0:.2f}  (what the first requests used to pay)")
    for lang in ("zh", "en"):
        single = [t for t in texts if sentiment.detect_language(t) == lang][:2000]
        t0 = time.perf_counter()
        for text in single:
            sentiment.analyze([text])
        out(f"single_call_texts_per_s_{lang}", f"{len(single) / (time.perf_counter() - t0):.0f}")
        _model, features, classifier = trained[lang]
        normalize = sentiment.get_engine(lang)._normalize
        t0 = time.perf_counter()
        for text in single:
            classifier.predict_proba(features.transform([normalize(text)]))
        out(f"baseline_sklearn_single_call_texts_per_s_{lang}", f"{len(single) / (time.perf_counter() - t0):.0f}")
        t0 = time.perf_counter()
        classifier.predict_proba(features.transform([normalize(text) for text in single]))
        out(f"baseline_sklearn_batch_texts_per_s_{lang}", f"{len(single) / (time.perf_counter() - t0):.0f}")
    for lang in ("zh", "en"):
        long_text = SAMPLE[lang] * (100000 // len(SAMPLE[lang]) + 1)
        for size in (1, 10, 100):
            out(
                f"analyze_{size}kB_ms_{lang}", median_ms(lambda n=size, t=long_text: sentiment.analyze([t[: n * 1000]]))
            )
        engine = sentiment.get_engine(lang)
        out(
            f"engine_100kB_uncapped_ms_{lang}",
            median_ms(lambda e=engine, t=long_text: e.analyze([t[:100000]]), repeat=1),
        )


def main():
    t0 = time.perf_counter()
    engines = {lang: sentiment.get_engine(lang) for lang in ("zh", "en")}
    out("engines_load_s", f"{time.perf_counter() - t0:.2f}")
    training = sentiment.load_labelled(sentiment.TRAINING_FILE)
    for lang in ("zh", "en"):
        rows = [r for r in training if r[0] == lang]
        out(f"training_{lang}", len(rows))
        out(f"cv5_accuracy_{lang}", cross_validated(lang, rows))
    trained_keys = {same_sentence_key(r[2]) for r in training}
    for name in SETS:
        rows = sentiment.load_labelled(HERE / f"{name}.tsv")
        prefix = name.removeprefix("sentiment_")
        out(f"{prefix}_sentences_also_in_training", sum(same_sentence_key(r[2]) in trained_keys for r in rows))
        for lang in ("zh", "en"):
            subset = [r for r in rows if r[0] == lang]
            texts = [r[2] for r in subset]
            out(f"{prefix}_accuracy_{lang}", accuracy([label for _s, label in sentiment.analyze(texts)], subset))
            out(f"{prefix}_baseline_rules_only_{lang}", accuracy(rule_baseline(engines[lang], lang, texts), subset))
            if name == "sentiment_eval":
                detected = sum(sentiment.detect_language(t) == lang for t in texts)
                out(f"language_detection_{lang}", f"{100 * detected / len(texts):.1f} %")
    texts = [r[2] for r in sentiment.load_labelled(HERE / "sentiment_eval.tsv")] * 50
    for lang in ("zh", "en"):
        batch = [t for t in texts if sentiment.detect_language(t) == lang]
        t0 = time.perf_counter()
        engines[lang].analyze(batch)
        out(f"throughput_{lang}_texts_per_s", f"{len(batch) / (time.perf_counter() - t0):.0f}")
    t0 = time.perf_counter()
    sentiment.analyze(texts)
    out("throughput_mixed_texts_per_s", f"{len(texts) / (time.perf_counter() - t0):.0f}  ({len(texts)} texts)")
    run_time_costs(texts)


if __name__ == "__main__":
    main()
