"""Train the sentiment classifiers offline and write them as JSON beside this file.

Run: $PY lib/build_sentiment_model.py   (from the repository root; needs scikit-learn, a few seconds per language)

For each language, trains on sentiment_train.tsv exactly what the engines used to train at run time
(TfidfVectorizer n-grams, sublinear tf, l2 norm + the rule-based scores; LogisticRegression C=10, balanced
classes) and writes sentiment_model_<lang>.json: per n-gram its idf and the weights of the three classes (one
n-gram per line, so a rebuild shows as a readable diff), the rule features' settings and weights, the
intercepts and classes, and the training file's sha256. Plain data, no pickle: lib/sentiment.py scores with it
whatever scikit-learn is installed (or none), and never trains in a request. Rebuild after editing the
training file or the features; tests/test_sentiment.py checks the shipped JSON matches a fresh training.
"""
# A command-line build script: it reports to its terminal.
# pylint: disable=print-used

import hashlib
import json
import pathlib
import sys

if __package__:
    from . import sentiment
else:  # run as a script
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import sentiment

SIGNIFICANT_DIGITS = 7  # enough for the same probabilities to ~1e-6; keeps the files small


def _number(value):
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def train(lang, rows=None):
    """The model dict of `lang` (see the module docstring) trained on `rows` (default: the training file)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.pipeline import make_union  # noqa: PLC0415
    from sklearn.preprocessing import FunctionTransformer  # noqa: PLC0415

    engine = sentiment.ENGINES[lang].for_training()
    digest = None
    if rows is None:
        digest = hashlib.sha256(sentiment.TRAINING_FILE.read_bytes()).hexdigest()
        rows = sentiment.load_labelled(sentiment.TRAINING_FILE, lang)
    vectorizers = []
    for spec in engine.vectorizers:
        tokenizer = sentiment.TOKENIZERS[spec["tokenizer"]] if "tokenizer" in spec else None
        options = {"tokenizer": tokenizer, "token_pattern": None} if tokenizer else {}
        vectorizers.append(
            TfidfVectorizer(analyzer=spec["analyzer"], ngram_range=spec["ngram_range"], sublinear_tf=True, **options)
        )
    features = make_union(*vectorizers, FunctionTransformer(engine._rule_features))
    matrix = features.fit_transform([engine._normalize(text) for _lang, _label, text in rows])
    classifier = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
    classifier.fit(matrix, [label for _lang, label, _text in rows])
    coef = classifier.coef_.T  # one row per feature, one column per class
    model = {
        "format": sentiment.MODEL_FORMAT,
        "lang": lang,
        "training_file": sentiment.TRAINING_FILE.name if digest else None,
        "training_sha256": digest,
        "training_rows": len(rows),
        "classifier": "LogisticRegression(C=10, class_weight='balanced'), multinomial: softmax of X·coef + intercept",
        "classes": [str(c) for c in classifier.classes_],
        "intercept": [_number(v) for v in classifier.intercept_],
        "rules": {"settings": engine.rule_settings(), "coef": []},
        "vectorizers": [],
    }
    start = 0
    for spec, vectorizer in zip(engine.vectorizers, vectorizers, strict=True):
        terms = vectorizer.get_feature_names_out()
        vocabulary = {
            str(term): [_number(vectorizer.idf_[i])] + [_number(w) for w in coef[start + i]]
            for i, term in enumerate(terms)
        }
        model["vectorizers"].append({**spec, "ngram_range": list(spec["ngram_range"]), "vocabulary": vocabulary})
        start += len(terms)
    model["rules"]["coef"] = [[_number(w) for w in row] for row in coef[start:]]
    return model, features, classifier


def dumps(model):
    """JSON text of a model: indented, one vocabulary entry per line."""
    vocabularies = [v.pop("vocabulary") for v in model["vectorizers"]]
    try:
        for i, vectorizer in enumerate(model["vectorizers"]):
            vectorizer["vocabulary"] = f"@@vocabulary{i}@@"
        text = json.dumps(model, ensure_ascii=False, indent=1)
        for i, vocabulary in enumerate(vocabularies):
            lines = ",\n".join(
                f"   {json.dumps(term, ensure_ascii=False)}: {json.dumps(row)}" for term, row in vocabulary.items()
            )
            text = text.replace(f'"@@vocabulary{i}@@"', "{\n" + lines + "\n  }")
    finally:
        for vectorizer, vocabulary in zip(model["vectorizers"], vocabularies, strict=True):
            vectorizer["vocabulary"] = vocabulary
    return text + "\n"


def main():
    for lang in sentiment.ENGINES:
        model, _features, _classifier = train(lang)
        path = sentiment.model_path(lang)
        path.write_text(dumps(model), encoding="utf-8")
        terms = sum(len(v["vocabulary"]) for v in model["vectorizers"])
        print(f"{path.name}: {model['training_rows']} sentences, {terms} n-grams, {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
