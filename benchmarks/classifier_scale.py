"""Scale: 200k documents x 50k vocabulary, end to end, with the peak memory of each step.

Generates 200,000 documents of 20 words drawn from 50,000 pseudo-words (label: does the document
hold one of 1% "signal" words), then in two fresh processes:

- ours: ``core.classifier.train.train_classifier`` on a stratified split (TF-IDF unigrams kept sparse,
  the page's default network, 2 epochs), then ``predict_proba`` on the test texts;
- raw: scikit-learn's ``TfidfVectorizer`` and a hand-written Keras model of the same shape,
  ``model.fit`` on the same CSR matrix and ``predict``.

Each process reports its peak resident memory (``ru_maxrss``). Goal: ours < 1.5 GB; the ratio to
raw shows what the app's layers cost. A dense float32 matrix of this size would need 40 GB.
Usage: python benchmarks/classifier_scale.py [--docs 200000] [--vocabulary 50000] [--epochs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_BYTES = 1.5 * 1024**3

MAKE_DATA = """
import numpy as np
def make_data(docs, vocabulary, words=20, seed=0):
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    names = set()
    while len(names) < vocabulary:
        names.add("".join(rng.choice(letters, int(rng.integers(3, 9)))))
    names = np.array(sorted(names))
    ids = rng.integers(0, vocabulary, size=(docs, words))
    texts = [" ".join(row) for row in names[ids]]
    labels = ["spam" if hit else "ham" for hit in (ids < vocabulary // 100).any(axis=1)]
    return texts, labels
"""

OURS = (
    MAKE_DATA
    + """
import json, resource, sys, time
from core.classifier.train import ClassifierSettings, train_classifier
from core.classifier.features import FeatureSettings
from core.classifier.splits import stratified_split
from core.data.datasets import LabelledText
texts, labels = make_data({docs}, {vocabulary})
split = stratified_split(LabelledText(tuple(texts), tuple(labels), "synthetic", "generated"), 0.1)
del texts, labels
settings = ClassifierSettings(
    features=FeatureSettings(kind="tfidf", ngram_range=(1, 1), max_features={vocabulary}),
    epochs={epochs}, batch_size=256, patience=5,
)
start = time.perf_counter()
trained = train_classifier(split, settings)
proba = trained.predict_proba(split.test_texts)
accuracy = float((proba.argmax(1) == split.y_test).mean())
print(json.dumps({{
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "seconds": time.perf_counter() - start, "accuracy": accuracy,
    "features": trained.net.input_dim, "status": trained.record.status,
    "timings": trained.timings,
}}))
"""
)

RAW = (
    MAKE_DATA
    + """
import json, resource, time
import keras
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
texts, labels = make_data({docs}, {vocabulary})
y = np.array([label == "spam" for label in labels], dtype="int32")
train_texts, test_texts, y_train, y_test = train_test_split(
    texts, y, test_size=0.1, random_state=0, stratify=y
)
start = time.perf_counter()
vectorizer = TfidfVectorizer(max_features={vocabulary}, sublinear_tf=True, dtype=np.float32)
x_train = vectorizer.fit_transform(train_texts)
model = keras.Sequential([
    keras.Input(shape=(x_train.shape[1],), sparse=True),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs={epochs}, batch_size=256, verbose=0)
p = model.predict(vectorizer.transform(test_texts), verbose=0).ravel()
print(json.dumps({{
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "seconds": time.perf_counter() - start, "accuracy": float(((p > 0.5) == y_test).mean()),
    "features": x_train.shape[1],
}}))
"""
)


def measure(template: str, **values) -> dict:
    code = template.format(root=str(ROOT), **values)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    values = {"docs": args.docs, "vocabulary": args.vocabulary, "epochs": args.epochs}
    results = {"raw": measure(RAW, **values), "ours": measure(OURS, **values)}
    print(f"{args.docs:,} documents x {args.vocabulary:,} words, {args.epochs} epochs")
    for name, result in results.items():
        print(
            f"{name:<5} peak RSS {result['peak_rss_bytes'] / 1024**2:>7,.0f} MB, "
            f"{result['seconds']:>6.1f} s, test accuracy {result['accuracy']:.3f}, "
            f"{result['features']:,} features"
        )
    if "timings" in results["ours"]:
        print("ours, by step:", {k: round(v, 1) for k, v in results["ours"]["timings"].items()})
    ratio = results["ours"]["peak_rss_bytes"] / results["raw"]["peak_rss_bytes"]
    ok = results["ours"]["peak_rss_bytes"] < GOAL_BYTES
    print(f"peak RSS ours / raw = {ratio:.2f}")
    print(f"goal: ours < 1.5 GB -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
