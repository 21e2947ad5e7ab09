"""Quality: the default Keras classifier against the classical baselines, leave-one-video-out.

On the YouTube Spam Collection, each of the five videos is held out in turn; the page's default
network (``ClassifierSettings()``) and MultinomialNB, ComplementNB, LogisticRegression and
LinearSVC (each tuned by cross-validation on the training videos) are trained on the other four
videos with the same features and scored on the held-out one. Goal: the
network's mean MCC >= the best baseline's mean MCC, computed in this same run.
Usage: python benchmarks/classifier_quality.py [--seeds 0]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from core.classifier.report import compare_with_baselines
from core.classifier.splits import leave_one_group_out
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    data = youtube_spam()
    scores: dict[str, list[float]] = {}
    started = time.perf_counter()
    for seed in args.seeds:
        settings = ClassifierSettings(seed=seed)
        for split in leave_one_group_out(data):
            trained = train_classifier(split, settings)
            comparison = compare_with_baselines(trained, split, seed)
            held_out = split.description.split("but ")[1].split(",")[0]
            row = []
            for result in (comparison.network, *comparison.baselines):
                mcc = result.metrics.mcc if result.metrics else float("nan")
                scores.setdefault(result.name, []).append(mcc)
                row.append(f"{result.name} {mcc:.3f}")
            print(f"seed {seed}, held out {held_out:<11}" + " | ".join(row), flush=True)
    means = {name: statistics.mean(values) for name, values in scores.items()}
    print(
        f"\nmean MCC over {len(next(iter(scores.values())))} folds ({time.perf_counter() - started:.0f} s):"
    )
    for name, value in sorted(means.items(), key=lambda item: -item[1]):
        print(f"  {name:<20}{value:.4f}")
    network = means.pop("Keras network")
    best_name, best = max(means.items(), key=lambda item: item[1])
    ok = network >= best
    print(
        f"goal: network {network:.4f} >= best baseline ({best_name}) {best:.4f} -> "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
