"""Accuracy per language on the labelled set and batch throughput of the sentiment engines.

Run: $PY bench/bench_sentiment.py  (no database needed). Prints `name: value` lines.
"""

import importlib.util
import pathlib
import time

from benchlib import out

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("icc_sentiment", HERE.parent / "lib" / "sentiment.py")
sentiment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sentiment)


def load_set(name="sentiment_eval.tsv"):
    rows = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, expected, text = line.split("\t")
            rows.append((lang, expected, text))
    return rows


def main():
    rows = load_set()
    t0 = time.perf_counter()
    for lang in ("zh", "en"):
        sentiment.get_engine(lang)
    out("engines_load_s", f"{time.perf_counter() - t0:.2f}")
    for lang in ("zh", "en"):
        subset = [r for r in rows if r[0] == lang]
        results = sentiment.analyze([r[2] for r in subset])
        hits = sum(label == r[1] for (_score, label), r in zip(results, subset, strict=True))
        detected = sum(sentiment.detect_language(r[2]) == lang for r in subset)
        out(f"accuracy_{lang}", f"{100 * hits / len(subset):.1f} %  ({hits}/{len(subset)})")
        out(f"language_detection_{lang}", f"{100 * detected / len(subset):.1f} %")
    # holdout: used once to pick a weighting; holdout2: written by someone who never saw the engine or the sets
    for name, prefix in (("sentiment_holdout.tsv", "holdout"), ("sentiment_holdout2.tsv", "holdout2")):
        holdout = load_set(name)
        for lang in ("zh", "en"):
            subset = [r for r in holdout if r[0] == lang]
            results = sentiment.analyze([r[2] for r in subset])
            hits = sum(label == r[1] for (_score, label), r in zip(results, subset, strict=True))
            out(f"{prefix}_accuracy_{lang}", f"{100 * hits / len(subset):.1f} %  ({hits}/{len(subset)})")
    texts = [r[2] for r in rows] * 50
    # Baseline in the same run: the plain SnowNLP pipeline (its own segmenter), on a sample.
    from snownlp import SnowNLP

    sample = [r[2] for r in rows if r[0] == "zh"] * 3
    t0 = time.perf_counter()
    for text in sample:
        SnowNLP(text).sentiments
    out("baseline_snownlp_plain_texts_per_s", f"{len(sample) / (time.perf_counter() - t0):.0f}")
    for lang in ("zh", "en"):
        batch = [t for t in texts if sentiment.detect_language(t) == lang]
        t0 = time.perf_counter()
        sentiment.get_engine(lang).scores(batch)
        out(f"throughput_{lang}_texts_per_s", f"{len(batch) / (time.perf_counter() - t0):.0f}")
    t0 = time.perf_counter()
    sentiment.analyze(texts)
    out("throughput_mixed_texts_per_s", f"{len(texts) / (time.perf_counter() - t0):.0f}  ({len(texts)} texts)")


if __name__ == "__main__":
    main()
