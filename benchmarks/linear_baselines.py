"""Quality of the linear baselines both ways: liblinear/lbfgs (tuned over C) against SGD (tuned over alpha).

On the YouTube comments (the classifier page's default data, the Shakira video held out) and on
``--docs`` texts generated as ``benchmarks/classifier_scale.py`` generates them (the first tenth
held out), the default features (TF-IDF of word 1-2-grams and character 2-5-grams) are fitted on
the training texts, then LogisticRegression and LinearSVC run as the app runs them below the
threshold, and their SGD stand-ins as they run above it, each tuned by 5-fold cross-validation
on the training texts. Prints each model's test MCC, cross-validated MCC, chosen value and
seconds (search and final fit), and the load average; the last line is one JSON object.
Usage: python benchmarks/linear_baselines.py [--docs 20000] [--skip-youtube]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def youtube_split():
    """The YouTube comments, the Shakira video's held out."""
    from core.classifier.splits import split_by_group
    from core.data.datasets import youtube_spam

    return split_by_group(youtube_spam(), "Shakira")


def generated_split(docs: int):
    """``docs`` generated texts, the first tenth as the test texts (as the scale benchmark)."""
    from classifier_scale import make_data

    from core.classifier.splits import TextSplit, label_order

    texts, labels = make_data(docs, 50_000)
    held = docs // 10
    names = label_order(labels[held:])
    return TextSplit(
        texts[held:], labels[held:], texts[:held], labels[:held], names, f"generated {docs:,}"
    )


def both_ways(split) -> dict:
    """Each linear baseline, liblinear's and SGD's, on ``split``'s default features."""
    from core.classifier.baselines import baseline_inputs, run_baselines
    from core.classifier.features import FeatureSettings, fit_featurizer

    featurizer = fit_featurizer(FeatureSettings(), split.train_texts)
    x_train, x_test, _ = baseline_inputs(split, featurizer)
    rows = {"train_texts": len(split.train_texts), "nonzeros": int(x_train.nnz)}
    for solver, sgd_from in (("liblinear", None), ("sgd", 0)):
        started = time.perf_counter()
        results = run_baselines(
            x_train, split.y_train, x_test, split.y_test, split.label_names,
            names=["LogisticRegression", "LinearSVC"], sgd_from=sgd_from,
        )  # fmt: skip
        for result in results:
            rows[result.name] = {
                "mcc": result.metrics.mcc,
                "cv_mcc": result.tuning.cv_mcc,
                "chosen": result.tuning.describe(),
                "tune_seconds": result.tuning.seconds,
                "fit_seconds": result.train_seconds,
            }
            print(
                f"{split.description}: {result.name}: MCC {result.metrics.mcc:.3f} (CV "
                f"{result.tuning.cv_mcc:.3f}, {result.tuning.describe()}, tuned in "
                f"{result.tuning.seconds:.0f} s)",
                flush=True,
            )
        rows[f"{solver}_seconds"] = time.perf_counter() - started
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--skip-youtube", action="store_true")
    args = parser.parse_args()
    summary = {"load_average_start": os.getloadavg()}
    if not args.skip_youtube:
        summary["youtube"] = both_ways(youtube_split())
    if args.docs:
        summary[f"generated_{args.docs}"] = both_ways(generated_split(args.docs))
    summary["load_average_end"] = os.getloadavg()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
