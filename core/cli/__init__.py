"""Command line over the same ``core`` functions the pages call.

    python -m core word2vec --corpus lee --sg 1 --epochs 5 --json
    python -m core word2vec --corpus big.txt --out vectors.txt --workers 4
    python -m core classify --train train.csv --test test.tsv --features tfidf --json
    python -m core classify --train youtube --seeds 0 1 2 --folds --json  # mean ± sd, 15 runs
    python -m core classify --train train.csv --test test.csv --save-bundle model.zip
    python -m core predict --bundle model.zip --input new.csv --out predictions.csv --json
    KERAS_BACKEND=jax python -m core classify --train train.csv --processes 2 --process-id 0 \
        --coordinator 10.0.0.1:1234   # and --process-id 1 on the second machine

With ``--json`` the last line of output is one JSON object; progress goes to stderr. With
``--seeds`` (and ``--folds``), ``repeats`` holds each model's mean and sd per measure
(``repeats.models.<name>.mcc.mean``), every run and the spread-aware verdict, and the top-level
``verdict`` is that verdict's sentence; ``model``, ``baselines``, ``epochs_run`` and ``timings``
stay those of the first run (the first seed on the first fold), as does the bundle that
``--save-bundle`` writes. ``predict`` streams its input, so a file of any length scores in bounded
memory; with labels its ``metrics`` hold the measures of ``classify``'s ``model``.
"""

from __future__ import annotations

import argparse
import json
import sys

from core.errors import DataError


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m core`` parser with one subcommand per module of this package."""
    from core.cli import classify, predict, word2vec

    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    word2vec.add_parser(commands)
    classify.add_parser(commands)
    predict.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    import logging

    logging.getLogger("gensim").setLevel(logging.WARNING)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        summary = args.run(args)
    except (DataError, ValueError) as error:
        message = error.message if isinstance(error, DataError) else str(error)
        hint = error.hint if isinstance(error, DataError) else ""
        print(f"error: {message} {hint}".strip(), file=sys.stderr)
        if args.json:
            print(json.dumps({"error": message, "hint": hint}))
        return 2
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
