"""Bag-of-words throughput: the app's default pipeline against a raw scikit-learn CountVectorizer.

Both fit on the same documents in the same run; the goal is ours / raw >= 0.4.
Usage: python benchmarks/bow_throughput.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import sys
import time

from sklearn.feature_extraction.text import CountVectorizer

from core.data import datasets
from core.text import analysis, bagofwords

GOAL = 0.4


def best_seconds(fit, documents, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit(documents)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    corpora = {
        "lee_background.cor": datasets.gensim_corpus("lee_background.cor").documents,
        "YouTube Spam Collection": datasets.youtube_spam().texts,
    }
    ours = lambda docs: bagofwords.bag_of_words(docs, analysis.TextSettings(), "count")  # noqa: E731
    raw = lambda docs: CountVectorizer().fit_transform(docs)  # noqa: E731
    ok = True
    print(f"{'corpus':<26}{'chars':>10}{'raw MB/s':>10}{'ours MB/s':>11}{'ratio':>8}")
    for name, docs in corpora.items():
        chars = sum(map(len, docs))
        ours(docs), raw(docs)  # warm imports and caches
        raw_s = best_seconds(raw, docs, args.repeats)
        ours_s = best_seconds(ours, docs, args.repeats)
        ratio = raw_s / ours_s
        ok &= ratio >= GOAL
        print(
            f"{name:<26}{chars:>10,}{chars / raw_s / 1e6:>10.2f}{chars / ours_s / 1e6:>11.2f}"
            f"{ratio:>8.2f}"
        )
    print(f"goal: ours/raw >= {GOAL} -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
