"""Accuracy per language and batch throughput of the sentiment engines.

Run: $PY bench/bench_sentiment.py  (no database needed). Prints `name: value` lines.

The engines train on lib/sentiment_train.tsv; none of the sets below is in it:
- sentiment_eval.tsv: the first evaluation set (its sentences guided the choice of features);
- sentiment_holdout.tsv, sentiment_holdout2.tsv, sentiment_holdout3.tsv: written independently by people who never
  saw the engine, its training set or the other sets; they are only ever scored, never tuned on.
Also printed: 5-fold cross-validated accuracy on the training set, and in the same run the rule-based models alone
(VADER's compound score; the HowNet word balance) as the baseline.
"""

import importlib.util
import pathlib
import re
import time

from benchlib import out

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("icc_sentiment", HERE.parent / "lib" / "sentiment.py")
sentiment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sentiment)

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
        labels.append(sentiment.ENGINES[lang](train).analyze([r[2] for r in test]))
    ordered = [None] * len(rows)
    for fold, fold_labels in enumerate(labels):
        for j, (_score, label) in enumerate(fold_labels):
            ordered[fold + j * folds] = label
    return accuracy(ordered, rows)


def main():
    t0 = time.perf_counter()
    engines = {lang: sentiment.get_engine(lang) for lang in ("zh", "en")}
    out("engines_train_s", f"{time.perf_counter() - t0:.2f}")
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


if __name__ == "__main__":
    main()
