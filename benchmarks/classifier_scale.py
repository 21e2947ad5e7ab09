"""Scale: 200k documents x 50k words through the command line, with each run's peak memory.

Generates 200,000 documents of 20 words drawn from 50,000 pseudo-words (label: does the document
hold one of 1% "signal" words), writes 90% as ``train.csv`` and 10% as ``test.csv``, then runs

    python -m core classify --train train.csv --test test.csv --epochs N --json

in a fresh process with the default features (TF-IDF of word 1-2-grams and character 2-5-grams,
at most 50,000 terms) once per ``--epochs`` value, and reports the process's peak resident
memory (``wait4``'s ``ru_maxrss``), its wall time, and the network's and the tuned linear SVM's
MCC from the JSON. The smallest epoch count whose network MCC reaches the SVM's is reported.

With ``--predict`` it also saves the first run's bundle (``classify ... --save-bundle``) and times

    python -m core predict --bundle model.zip --input FILE --out preds.csv --json

on the 20,000 test documents and on a generated file of ``--predict-lines`` (one million) lines:
peak RSS and lines per second. Goal for every run: peak RSS under 1.5 GB.
The last line of output is one JSON object.
Usage: python benchmarks/classifier_scale.py [--docs 200000] [--epochs 2 4] [--predict]
    [--linear-baselines auto|liblinear|sgd]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GOAL_BYTES = 1.5 * 1024**3
SVM_NAMES = ("LinearSVC", "Linear SVM (SGD, hinge)")  # liblinear's, and SGD's at scale


def make_data(docs: int, vocabulary: int, words: int = 20, seed: int = 0):
    """``docs`` texts of ``words`` pseudo-words from a ``vocabulary``, labelled spam when they
    hold one of the first 1% of the words."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    names: set[str] = set()
    while len(names) < vocabulary:
        names.add("".join(rng.choice(letters, int(rng.integers(3, 9)))))
    ordered = np.array(sorted(names))
    ids = rng.integers(0, vocabulary, size=(docs, words))
    texts = [" ".join(row) for row in ordered[ids]]
    labels = ["spam" if hit else "ham" for hit in (ids < vocabulary // 100).any(axis=1)]
    return texts, labels


def write_csv(path: Path, texts, labels=None) -> None:
    """A CSV with a ``text`` column, and ``label`` when labels are given."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if labels is None:
            writer.writerow(["text"])
            writer.writerows([t] for t in texts)
        else:
            writer.writerow(["text", "label"])
            writer.writerows(zip(texts, labels, strict=True))


def run_cli(args: list[str], workdir: Path) -> dict:
    """Run ``python -m core ARGS`` in a fresh process; its last JSON line with ``peak_rss_bytes``
    (the process's own ``ru_maxrss``) and ``seconds`` added."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "core", *args], stdout=stdout, stderr=stderr, env=env, cwd=ROOT
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    lines = out.read_text().strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0 or not lines:
        raise SystemExit(f"python -m core {' '.join(args)} failed:\n{err.read_text()[-3000:]}")
    result = json.loads(lines[-1])
    return result | {"peak_rss_bytes": usage.ru_maxrss * 1024, "seconds": seconds}


def mb(value: float) -> str:
    return f"{value / 1024**2:,.0f} MB"


def classify_run(
    train: Path,
    test: Path,
    epochs: int,
    workdir: Path,
    bundle: Path | None,
    analyzer: str | None,
    linear: str = "auto",
) -> dict:
    """One ``classify`` run: peak RSS, seconds, epochs run, network and linear SVM MCC (the
    linear baselines' solver: ``linear``, classify's ``--linear-baselines``)."""
    extra = ["--save-bundle", str(bundle)] if bundle is not None else []
    extra += ["--analyzer", analyzer] if analyzer else []
    extra += ["--linear-baselines", linear]
    args = ["classify", "--train", str(train), "--test", str(test), "--epochs", str(epochs)]
    result = run_cli([*args, "--json", *extra], workdir)
    svc = next(b for b in result["baselines"] if b["name"] in SVM_NAMES)
    return {
        "epochs": epochs,
        "epochs_run": result["epochs_run"],
        "peak_rss_bytes": result["peak_rss_bytes"],
        "seconds": result["seconds"],
        "timings": result["timings"],
        "features": result["inputs"],
        "network_mcc": result["model"]["mcc"],
        "svm": svc["name"],
        "svm_mcc": svc["mcc"],
        "baselines_mcc": {b["name"]: b["mcc"] for b in result["baselines"]},
    }


def predict_run(bundle: Path, source: Path, workdir: Path) -> dict:
    """One ``predict`` run over ``source``: peak RSS, seconds and lines per second."""
    out = workdir / "predictions.csv"
    args = ["predict", "--bundle", str(bundle), "--input", str(source), "--out", str(out)]
    result = run_cli([*args, "--json"], workdir)
    lines = result.get("rows", sum(1 for _ in source.open(encoding="utf-8")) - 1)  # header
    return {
        "input": source.name,
        "lines": lines,
        "peak_rss_bytes": result["peak_rss_bytes"],
        "seconds": result["seconds"],
        "lines_per_second": lines / result["seconds"],
        **({"mcc": result["metrics"]["mcc"]} if "metrics" in result else {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, nargs="+", default=[2])
    parser.add_argument("--analyzer", help="classify's --analyzer (default: its own default)")
    parser.add_argument("--predict", action="store_true", help="also time predict (and save)")
    parser.add_argument("--predict-lines", type=int, default=1_000_000)
    parser.add_argument(
        "--linear-baselines",
        choices=["auto", "liblinear", "sgd"],
        default="auto",
        help="classify's --linear-baselines (sgd forces the SGD baselines below the threshold)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="classifier-scale-") as folder:
        workdir = Path(folder)
        texts, labels = make_data(args.docs, args.vocabulary)
        held = args.docs // 10  # the first tenth is the test file
        train, test = workdir / "train.csv", workdir / "test.csv"
        write_csv(train, texts[held:], labels[held:])
        write_csv(test, texts[:held], labels[:held])
        del texts, labels
        bundle = workdir / "model.zip" if args.predict else None
        runs = []
        for index, epochs in enumerate(args.epochs):  # the first run saves the bundle
            saving = bundle if index == 0 else None
            run = classify_run(
                train, test, epochs, workdir, saving, args.analyzer, args.linear_baselines
            )
            runs.append(run)
            print(
                f"classify, {epochs} epochs ({run['epochs_run']} run): peak RSS "
                f"{mb(run['peak_rss_bytes'])}, {run['seconds']:.0f} s, network MCC "
                f"{run['network_mcc']:.3f}, {run['svm']} MCC {run['svm_mcc']:.3f}",
                flush=True,
            )
        predictions = []
        if args.predict:
            lines = workdir / "lines.csv"
            many, _ = make_data(args.predict_lines, args.vocabulary, seed=1)
            write_csv(lines, many)
            del many
            for source in (test, lines):
                predictions.append(predict_run(bundle, source, workdir))
                p = predictions[-1]
                print(
                    f"predict {p['input']} ({p['lines']:,} lines): peak RSS "
                    f"{mb(p['peak_rss_bytes'])}, {p['lines_per_second']:,.0f} lines/s",
                    flush=True,
                )
    reached = [r["epochs_run"] for r in runs if r["network_mcc"] >= r["svm_mcc"]]
    peaks = [r["peak_rss_bytes"] for r in runs + predictions]
    summary = {
        "docs": args.docs,
        "vocabulary": args.vocabulary,
        "analyzer": args.analyzer or "default",
        "linear_baselines": args.linear_baselines,
        "load_average": os.getloadavg(),
        "classify": runs,
        "predict": predictions,
        "epochs_to_reach_svm": min(reached) if reached else None,
        "peak_rss_bytes": max(peaks),
        "goal_met": max(peaks) < GOAL_BYTES,
    }
    print(f"goal: every peak RSS < 1.5 GB -> {'met' if summary['goal_met'] else 'NOT met'}")
    print(json.dumps(summary))
    return 0 if summary["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
