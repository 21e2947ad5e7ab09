"""The ``predict`` command: score a file of any length with a saved bundle into a CSV.

It writes the predictions as it reads, and reports the measures when the file has labels.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from core.errors import DataError


def load_bundle(path: str):
    """The classifier in the bundle at ``path``, through the same checks as the page's upload
    (:func:`core.classifier.bundle.import_bundle`; Keras's own loader is never called)."""
    from core.classifier.bundle import import_bundle
    from core.data.datasets import MAX_UPLOAD_BYTES

    file = Path(path)
    if not file.is_file():
        raise DataError(
            f"No bundle at {path}.",
            "Give the zip that classify --save-bundle or the Save and load models page wrote.",
        )
    with open(file, "rb") as handle:  # one byte past the limit is enough to be refused by size
        data = handle.read(MAX_UPLOAD_BYTES + 1)
    return import_bundle(data, file.name)


def check_out_path(path: str) -> Path:
    """The output path, refused before any work when its folder does not exist."""
    out = Path(path)
    if not out.parent.is_dir():
        raise DataError(
            f"There is no folder {out.parent} to write {out.name} in.",
            "Create the folder first, or give another --out path.",
        )
    if out.is_dir():
        raise DataError(f"{path} is a folder.", "Give a file name for --out, e.g. predictions.csv.")
    return out


def check_threshold(threshold: float) -> float:
    """``threshold`` when it lies strictly between 0 and 1."""
    if not 0.0 < threshold < 1.0:
        raise DataError(
            f"--threshold {threshold} is not between 0 and 1.",
            "Give the probability at which a text counts as the positive class, e.g. 0.5.",
        )
    return threshold


def run_predict(args: argparse.Namespace) -> dict:
    from core.classifier.scoring import PredictionWriter, metrics_summary, score_file
    from core.data.streaming import open_chunked

    threshold = check_threshold(args.threshold)
    out = check_out_path(args.out)
    trained = load_bundle(args.bundle)

    def report(rows: int, _total) -> None:
        print(f"scored {rows:,} rows", file=sys.stderr)

    with open_chunked(args.input, args.chunk_rows) as source:
        # Written beside the output and renamed at the end, so a failed run leaves no half file.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed or removed below)
            "w", encoding="utf-8", newline="", dir=out.parent, suffix=".partial", delete=False
        )
        try:
            with handle:
                score = score_file(
                    trained, source, PredictionWriter(handle).write, threshold, report
                )
            os.replace(handle.name, out)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        warnings = list(source.warnings)
    for warning in warnings:
        print(f"warning: {args.input}: {warning}", file=sys.stderr)
    summary = {
        "bundle": args.bundle,
        "input": args.input,
        "format": score.format,
        "classes": list(score.label_names),
        "rows": score.rows,
        "out": str(out),
        "seconds": score.seconds,
        "lines_per_second": score.rows / score.seconds if score.seconds > 0 else None,
        "threshold": threshold if len(score.label_names) == 2 else None,
        "labelled": score.labelled,
        "warnings": warnings,
        "skipped": score.skipped,
        "skipped_rows": [{"line": n, "reason": reason} for n, reason in score.skipped_rows],
    }
    if score.labelled:
        summary["metrics"] = metrics_summary(score.view(threshold).metrics)
    return summary


def add_parser(commands) -> None:
    """Add the ``predict`` command and its options to the CLI's subparsers."""
    from core.data.streaming import DEFAULT_CHUNK_ROWS

    predict = commands.add_parser(
        "predict", help="score a file with a saved bundle, writing predictions as CSV"
    )
    predict.add_argument(
        "--bundle", required=True, help="bundle zip from classify --save-bundle or the page"
    )
    predict.add_argument(
        "--input",
        required=True,
        help="CSV, TSV, fastText or plain text file (optionally .gz), labelled or not",
    )
    predict.add_argument("--out", required=True, help="where to write the predictions (CSV)")
    predict.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="binary classes: a text is positive when its probability is at least this",
    )
    predict.add_argument(
        "--chunk-rows",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        help="lines read and scored at a time (memory grows with it)",
    )
    predict.add_argument("--json", action="store_true", help="end with one JSON object")
    predict.set_defaults(run=run_predict)
