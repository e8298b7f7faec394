"""Feedback topic accuracy per language, against a keyword-only baseline, and throughput.

Run: $PY bench/bench_topics.py [--cv-only]  (no database needed). Prints `name: value` lines.

- topics_holdout.tsv was written before the classifier and its training set, and is only ever
  scored here: never trained on, never used to choose features or settings.
- A text counts as correct when the predicted set of topics equals the labelled set exactly
  (a text with no topic must get none); micro precision / recall / F1 count single topics.
- The baseline is `topics.keywords_baseline` with `topics.SEED_KEYWORDS`, in the same run.
- cv5: models trained (with build_topics_model.train, pairs included) on 4/5 of the training files
  (topics_train.tsv + topics_train_extra.tsv)
  and scored on the other fifth. `--cv-only` prints only these (for tuning without the holdout).
"""

import importlib.util
import pathlib
import re
import sys
import time

from benchlib import out

# Not smoke-run (bench/smoke.py): an evaluation of fixed files that takes minutes, with no data
# setup to rot; tests/test_topics_lib.py covers the library.
SMOKE_ARGS = None
HERE = pathlib.Path(__file__).resolve().parent
LIB = HERE.parent / "lib"
sys.path.insert(0, str(LIB))
spec = importlib.util.spec_from_file_location("build_topics_model", LIB / "build_topics_model.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)
topics = build.topics


def scores(predicted, rows):
    """{'accuracy': 'NN.N % (k/n)', 'precision', 'recall', 'f1'} of predicted sets against labelled rows."""
    exact = sum(set(p) == set(r[1]) for p, r in zip(predicted, rows, strict=True))
    tp = sum(len(set(p) & r[1]) for p, r in zip(predicted, rows, strict=True))
    fp = sum(len(set(p) - r[1]) for p, r in zip(predicted, rows, strict=True))
    fn = sum(len(r[1] - set(p)) for p, r in zip(predicted, rows, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": f"{100 * exact / len(rows):.1f} %  ({exact}/{len(rows)})",
        "micro_precision": f"{100 * precision:.1f} %",
        "micro_recall": f"{100 * recall:.1f} %",
        "micro_f1": f"{100 * f1:.1f} %",
    }


def print_scores(prefix, lang, predicted, rows):
    for name, value in scores(predicted, rows).items():
        out(f"{prefix}_{name}_{lang}" if name != "accuracy" else f"{prefix}_accuracy_{lang}", value)


def cross_validated(lang, rows, folds=5, **settings):
    predicted = [None] * len(rows)
    for fold in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != fold]
        model = topics.TopicModel(build.train(train, lang, **settings), lang)
        for i in range(fold, len(rows), folds):
            predicted[i] = model.classify(rows[i][2])
    return predicted


def same_text_key(text):
    return re.sub(r"[\W_]+", "", topics.normalize(text, "zh"))


def main(cv_only=False):
    training = build.training_rows()
    for lang in ("zh", "en"):
        rows = [r for r in training if r[0] == lang]
        out(f"training_{lang}", len(rows))
        print_scores("cv5", lang, cross_validated(lang, rows), rows)
        print_scores("cv5_baseline_keyword", lang, topics.keywords_baseline([r[2] for r in rows]), rows)
    if cv_only:
        return
    t0 = time.perf_counter()
    for lang in ("zh", "en"):
        topics.get_model(lang)
    out("model_load_s", f"{time.perf_counter() - t0:.2f}")
    holdout = topics.load_labelled(HERE / "topics_holdout.tsv")
    trained = {same_text_key(r[2]) for r in training}
    out("holdout_texts_also_in_training", sum(same_text_key(r[2]) in trained for r in holdout))
    for lang in ("zh", "en"):
        rows = [r for r in holdout if r[0] == lang]
        texts = [r[2] for r in rows]
        out(f"holdout_texts_{lang}", len(rows))
        print_scores("topics_holdout", lang, topics.classify(texts), rows)
        print_scores("baseline_keyword", lang, topics.keywords_baseline(texts), rows)
        detected = sum(topics.detect_language(t) == lang for t in texts)
        out(f"language_detection_{lang}", f"{100 * detected / len(texts):.1f} %")
    texts = [r[2] for r in holdout] * 20
    t0 = time.perf_counter()
    topics.classify(texts)
    out("throughput_texts_per_s", f"{len(texts) / (time.perf_counter() - t0):.0f}  ({len(texts)} mixed texts)")
    t0 = time.perf_counter()
    topics.keywords_baseline(texts)
    out("throughput_baseline_keyword_texts_per_s", f"{len(texts) / (time.perf_counter() - t0):.0f}")


if __name__ == "__main__":
    main(cv_only="--cv-only" in sys.argv)
