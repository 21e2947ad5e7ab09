"""Quality: the default Keras classifier against tuned classical baselines, seeds × held-out videos.

On the YouTube Spam Collection each of the five videos is held out in turn, and every (seed,
video) run trains the network and MultinomialNB, ComplementNB, LogisticRegression and LinearSVC
(each tuned by cross-validation on the training videos only) on the same features, through
``core.classifier.repeats`` as the page and the CLI do. It prints each model's MCC as mean ± sd
over all runs and the spread-aware verdict (``core.classifier.spread``). Goal: the network's
mean MCC >= the best baseline's mean MCC, in this same run.

``--variant`` trains another network in the network's place (the baselines keep the default
features unless the variant changes them), to show what closes a gap.
Usage: python benchmarks/classifier_quality.py [--seeds 0 1 2] [--variant default]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace

from core.classifier.features import FeatureSettings
from core.classifier.repeats import RepeatResult, group_folds, mean_sd_table, run_repeats
from core.classifier.train import ClassifierSettings
from core.data.datasets import youtube_spam
from core.nn.networks import DenseLayer

DEFAULT = ClassifierSettings()
VARIANTS = {
    "default": DEFAULT,
    "words only": replace(DEFAULT, features=replace(DEFAULT.features, analyzer="word")),
    "wider (256 units)": replace(DEFAULT, hidden=(DenseLayer(256, "relu", dropout=0.5),)),
    "two layers": replace(
        DEFAULT, hidden=(DenseLayer(128, "relu", dropout=0.5), DenseLayer(32, "relu"))
    ),
    "more patience (8)": replace(DEFAULT, patience=8),
    "no hidden layer": replace(DEFAULT, hidden=()),
    "retrained on all texts": replace(DEFAULT, refit=True),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variant", choices=list(VARIANTS), default="default")
    args = parser.parse_args()
    settings = VARIANTS[args.variant]
    assert isinstance(settings.features, FeatureSettings)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"network: {args.variant}: {settings.hidden}, features {settings.features.analyzer}")
    result = RepeatResult(settings, tuple(group_folds(youtube_spam())), tuple(args.seeds))
    started = time.perf_counter()

    def progress(run, _results) -> None:
        table = run.table
        scores = " | ".join(f"{name} {table.loc[name, 'MCC']:.3f}" for name in table.index)
        print(f"seed {run.seed}, held out {run.fold:<11}{scores}", flush=True)

    record = run_repeats(result, on_run=progress)
    seconds = time.perf_counter() - started
    print(f"\n{record.message} {seconds:.0f} s; load average at end: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    summary = result.summary()
    print(mean_sd_table(summary).to_string())
    verdict = result.verdict()
    print(f"\nverdict: {verdict.sentence}")
    network = float(summary[summary["Kind"] == "network"]["MCC mean"].iloc[0])
    baselines = summary[summary["Kind"] != "network"]["MCC mean"].astype(float)
    best_name, best = baselines.idxmax(), float(baselines.max())
    ok = network >= best
    print(
        f"goal: network {network:.4f} >= best baseline ({best_name}) {best:.4f} -> "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
