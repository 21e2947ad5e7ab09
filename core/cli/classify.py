"""The ``classify`` command: read labelled files, train the Keras text classifier (once, over
seeds and folds, or data-parallel) and score it against the tuned baselines."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.cli.sequence_options import (
    add_model_arguments,
    model_settings,
    read_init_vectors,
    sequence_summary,
    with_sequence_length,
)
from core.errors import DataError


def read_labelled(path: str):
    """A labelled file in any format the app reads (CSV, TSV, fastText), or ``youtube``."""
    from core.data.datasets import LabelledText, youtube_spam
    from core.data.reading import parse_upload, skipped_summary

    if path == "youtube":
        return youtube_spam()
    file = Path(path)
    if not file.is_file():
        raise DataError(
            f"No file at {path}.", "Give the path of a labelled CSV, TSV or fastText file."
        )
    data = parse_upload(file.name, file.read_bytes(), want="labelled")
    assert isinstance(data, LabelledText)
    for warning in data.warnings:
        print(f"warning: {path}: {warning}", file=sys.stderr)
    if data.skipped:
        print(f"warning: {path}: {skipped_summary(data.skipped)}", file=sys.stderr)
    return data


def data_summary(data) -> dict:
    """What was read from one labelled file, for JSON: its format, rows, warnings and the rows
    left out as ``{"line": n, "reason": ...}``."""
    return {
        "format": data.format,
        "rows": len(data),
        "warnings": list(data.warnings),
        "skipped_rows": [{"line": line, "reason": reason} for line, reason in data.skipped],
    }


def cluster_from_args(args: argparse.Namespace):
    """The ``Cluster`` of ``--processes``/``--process-id``/``--coordinator``, or ``None`` for
    the ordinary one-process run (no ``--processes``)."""
    if args.processes is None:
        if args.process_id is not None or args.coordinator is not None:
            raise DataError(
                "--process-id and --coordinator only make sense with --processes.",
                "Add --processes N (the number of processes in the run).",
            )
        return None
    from core.classifier.distributed import Cluster, require_jax_backend

    cluster = Cluster(args.processes, args.process_id or 0, args.coordinator)
    require_jax_backend()  # before reading any data: TensorFlow is refused straight away
    return cluster


def data_parallel_summary(record) -> dict:
    """How a data-parallel run was spread, for JSON; empty for an ordinary run."""
    from core.classifier.distributed import DataParallelResult

    result = record.result
    if not isinstance(result, DataParallelResult) or result.weights_sha256 is None:
        return {}
    return {"data_parallel": result.flat(), "history": record.history}


def repeat_from_args(args: argparse.Namespace, settings, train, split, vectors=None):
    """The :class:`~core.classifier.repeats.RepeatResult` that ``--seeds``/``--folds`` ask for
    (every seed on the split, or on each group held out in turn, with ``vectors`` as
    pretrained word vectors), or ``None`` without them."""
    from core.classifier.repeats import Fold, RepeatResult, group_folds

    if args.seeds is None and not args.folds:
        return None
    if args.linear_baselines != "auto":
        raise DataError(
            "--linear-baselines chooses the solver of a single run; --seeds and --folds "
            "repeat runs with the automatic choice.",
            "Drop --linear-baselines, or drop --seeds and --folds.",
        )
    if args.processes is not None:
        raise DataError(
            "--seeds and --folds repeat runs in this one process; they cannot be spread over "
            "--processes.",
            "Drop --processes, or drop --seeds and --folds.",
        )
    if args.folds:
        if args.test or not train.groups:
            raise DataError(
                "--folds holds each group of the training texts out in turn, and "
                + ("a --test file is a split of its own." if args.test else "these have none."),
                "Use --train youtube (its five videos are the groups) without --test, or drop "
                "--folds to repeat over seeds on one split.",
            )
        folds = group_folds(train)
    else:
        folds = [Fold("test file" if args.test else "random split", split)]
    return RepeatResult(settings, folds, tuple(args.seeds or (settings.seed,)), vectors)


def run_repeat(repeat) -> tuple:
    """Run every (seed, fold) of ``repeat``, each reported on stderr; returns the first run's
    trained network and comparison. A failed repeat raises :class:`DataError`."""
    from core.classifier.repeats import run_repeats

    first: list = []

    def report(run, results) -> None:
        first.append(results)
        scores = run.table["MCC"]
        print(
            f"run {len(first)}/{repeat.total_runs} (seed {run.seed}, test {run.fold}): "
            + ", ".join(f"{name} MCC {value:.3f}" for name, value in scores.items()),
            file=sys.stderr,
        )

    record = run_repeats(repeat, on_run=report)
    if record.status == "failed":
        raise DataError(record.message)
    return first[0].trained, first[0].comparison


def bundle_path(args: argparse.Namespace) -> Path | None:
    """Where ``--save-bundle`` writes, checked before any training; ``None`` without it.

    With ``--seeds``/``--folds`` the first run's network is saved (the one ``model`` reports);
    a data-parallel run (``--processes``) is refused, as its weights live on every process.
    """
    if args.save_bundle is None:
        return None
    if args.processes is not None:
        raise DataError(
            "--save-bundle cannot save a data-parallel run (--processes).",
            "Train without --processes to save a bundle.",
        )
    path = Path(args.save_bundle)
    if not path.parent.is_dir() or path.is_dir():
        raise DataError(
            f"--save-bundle {args.save_bundle} is not a file in an existing folder.",
            "Give a path such as model.zip in a folder that exists.",
        )
    return path


def save_bundle(trained, path: Path) -> dict:
    """Write ``trained``'s bundle through the page's export code; its path and size for JSON."""
    from core.classifier.bundle_export import export_bundle

    data = export_bundle(trained)
    path.write_bytes(data)
    return {"path": str(path), "bytes": len(data)}


def sgd_from_args(args: argparse.Namespace) -> int | None:
    """From how many training non-zeros ``--linear-baselines`` wants the SGD linear models:
    the default threshold (``auto``), never (``liblinear``) or always (``sgd``)."""
    from core.classifier.baselines import SGD_FROM

    return {"auto": SGD_FROM, "liblinear": None, "sgd": 0}[args.linear_baselines]


def baselines_then_network(split, settings, on_epoch, vectors=None, sgd_from=None) -> tuple:
    """The one-process run: ``(trained, comparison)`` for ``split`` and ``settings``.

    The features are fitted once, then the baselines are tuned and scored (SGD linear models
    from ``sgd_from`` training non-zeros, liblinear's with ``None``) and their matrices let
    go *before* Keras and TensorFlow are imported and the network trains, so the baselines'
    peak and TensorFlow's memory do not stack. A failed training raises :class:`DataError`.
    """
    from core.classifier.baselines import evaluate_network
    from core.classifier.memory import release_freed_memory
    from core.classifier.report import comparison_of, tuned_baselines
    from core.classifier.train import prepare_training, train_classifier

    started = time.perf_counter()
    prepared = prepare_training(split, settings, vectors)
    fit_seconds = time.perf_counter() - started
    baselines, note = tuned_baselines(
        split, prepared.featurizer, settings.seed, settings.class_weight, sgd_from
    )
    release_freed_memory()  # the fold copies and fitted searches, before TensorFlow's import
    trained = train_classifier(
        split, settings, on_epoch=on_epoch, word_vectors=vectors, prepared=prepared
    )
    trained.timings["vectorize"] += fit_seconds
    if trained.record.status == "failed":
        raise DataError(trained.record.message)
    network = evaluate_network(trained, split.test_texts, split.y_test)
    return trained, comparison_of(trained, network, baselines, note)


def run_classify(args: argparse.Namespace) -> dict:
    from dataclasses import replace

    from core.classifier.repeats import check_seeds
    from core.classifier.report import compare_with_baselines
    from core.classifier.splits import TextSplit, label_order, stratified_split
    from core.classifier.train import ClassifierSettings

    defaults = ClassifierSettings()
    seeds = check_seeds(args.seeds) if args.seeds is not None else (defaults.seed,)
    if args.seed is not None and args.seeds is not None:
        raise DataError(
            "Give --seed or --seeds, not both.", "For repeats, list them: --seeds 0 1 2."
        )
    settings = replace(
        model_settings(args, defaults),
        epochs=args.epochs if args.epochs is not None else defaults.epochs,
        seed=args.seed if args.seed is not None else seeds[0],
        batch_size=args.batch_size if args.batch_size is not None else defaults.batch_size,
        refit=args.refit,
    )
    for name in ("dropout", "l2"):
        if getattr(args, name) is not None:
            value = {name: getattr(args, name)}
            settings = replace(settings, hidden=tuple(replace(h, **value) for h in settings.hidden))
    saved_to = bundle_path(args)
    cluster = cluster_from_args(args)
    if args.report:
        from core.classifier.html_report import check_report_path

        check_report_path(args.report)
    started = time.perf_counter()
    vectors = read_init_vectors(args.init_vectors)
    train = read_labelled(args.train)
    if args.test:
        test = read_labelled(args.test)
        unseen = sorted(set(test.labels) - set(train.labels))
        if unseen:
            raise DataError(
                f"The test file has labels the training file lacks: {unseen}.",
                "Use the same label names in both files.",
            )
        split = TextSplit(
            train.texts, train.labels, test.texts, test.labels,
            label_order(train.labels), f"trained on {args.train}, tested on {args.test}",
        )  # fmt: skip
    else:
        split = stratified_split(train, args.test_share, seed=settings.seed)
    read_seconds = time.perf_counter() - started
    settings, lengths = with_sequence_length(args, settings, split.train_texts)

    def report(epoch: int, logs: dict) -> None:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in logs.items())
        print(f"epoch {epoch}: {shown}", file=sys.stderr)

    repeat = repeat_from_args(args, settings, train, split, vectors)
    if repeat is not None:
        split = repeat.folds[0].split
        trained, comparison = run_repeat(repeat)
    elif cluster is None:
        trained, comparison = baselines_then_network(
            split, settings, report, vectors, sgd_from_args(args)
        )
    else:
        from core.classifier.distributed import train_data_parallel

        trained = train_data_parallel(
            split, settings, cluster, on_epoch=report, word_vectors=vectors
        )
    if trained.record.status == "failed":
        raise DataError(trained.record.message)
    if repeat is None and cluster is not None:
        comparison = compare_with_baselines(trained, split, settings.seed, sgd_from_args(args))
    summary = comparison.as_json()
    if saved_to is not None:
        summary["bundle"] = save_bundle(trained, saved_to)
    if repeat is not None:
        summary |= {"verdict": repeat.verdict().sentence, "repeats": repeat.as_json()}
        if args.folds:  # summary's keys come after "test" below, so this one is shown
            summary["test"] = "each group held out in turn"
    if args.report:
        from core.classifier.html_report import ReportInputs, write_report
        from core.classifier.report_facts import data_facts

        facts = data_facts(
            train,
            test if args.test else None,
            train_name=None if args.train == "youtube" else args.train,
            test_name=args.test,
            folds=args.folds,
        )
        write_report(args.report, ReportInputs(trained, comparison, split, facts, repeat=repeat))
        summary["report"] = args.report
        print(f"report written to {args.report}", file=sys.stderr)
    return {
        "train": args.train,
        "test": args.test or f"stratified {args.test_share:.0%} of the training file",
        "classes": list(split.label_names),
        "train_texts": len(split.train_texts),
        "test_texts": len(split.test_texts),
        "data": {
            "train": data_summary(train),
            **({"test": data_summary(test)} if args.test else {}),
        },
        "model_kind": args.model,  # "model" holds the network's measures
        "features": settings.features.kind,
        **sequence_summary(trained, lengths, args),
        "inputs": trained.net.input_dim,
        "epochs_run": trained.record.epochs_done,
        "status": trained.record.status,
        "message": trained.record.message,
        **summary,
        "device": trained.record.device,
        **data_parallel_summary(trained.record),
        "timings": {
            "read": read_seconds,
            "vectorize": trained.timings["vectorize"],
            "train": trained.timings["train"],
            "predict": comparison.network.predict_seconds,
        },
    }


def add_parser(commands) -> None:
    """Add the ``classify`` command and its options to the CLI's subparsers."""
    from core.classifier.features import ANALYZERS, FEATURE_KINDS, FeatureSettings

    classify = commands.add_parser(
        "classify", help="train the Keras text classifier and score it against baselines"
    )
    classify.add_argument(
        "--train", required=True, help="labelled file (CSV, TSV, fastText) or youtube"
    )
    classify.add_argument("--test", help="labelled test file; without it, a stratified split")
    classify.add_argument("--test-share", type=float, default=0.25)
    classify.add_argument(
        "--features",
        choices=list(FEATURE_KINDS),
        help="what --model dense reads (default tfidf); the other models read token ids",
    )
    classify.add_argument(
        "--analyzer",
        choices=list(ANALYZERS),
        default=FeatureSettings().analyzer,
        help="terms of tfidf and bow features: words, character n-grams, or both",
    )
    add_model_arguments(classify)
    classify.add_argument("--epochs", type=int, help="at most this many (early stopping)")
    classify.add_argument("--seed", type=int)
    classify.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        help="repeat the whole comparison once per seed; JSON gains repeats (mean and sd)",
    )
    classify.add_argument(
        "--folds",
        action="store_true",
        help="with grouped data (youtube), hold each group out in turn as the test set",
    )
    classify.add_argument(
        "--batch-size", type=int, help="rows per step (with --processes, over all processes)"
    )
    classify.add_argument(
        "--refit",
        action="store_true",
        help="after early stopping, train afresh on every training text for the chosen epochs",
    )
    classify.add_argument(
        "--dropout", type=float, help="dropout rate of the hidden layers (0 turns it off)"
    )
    classify.add_argument(
        "--l2", type=float, help="L2 penalty on the hidden layers' weights (0 turns it off)"
    )
    scale = classify.add_argument_group(
        "data-parallel training (JAX backend: pip install -r requirements-scale.txt and set "
        "KERAS_BACKEND=jax)"
    )
    scale.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="processes taking part, each running this command; 1 uses this machine's devices",
    )
    scale.add_argument(
        "--process-id", type=int, metavar="I", help="this process's number, 0 to N-1"
    )
    scale.add_argument(
        "--coordinator", metavar="HOST:PORT", help="where process 0 listens (same in every process)"
    )
    classify.add_argument(
        "--report",
        metavar="FILE.html",
        help="write one self-contained HTML report (data, settings, measures, charts, "
        "baselines, mistakes, limits) that opens offline",
    )
    classify.add_argument(
        "--save-bundle",
        metavar="PATH",
        help="write the trained network as a bundle zip (with --seeds/--folds, the first run's)",
    )
    classify.add_argument(
        "--linear-baselines",
        choices=["auto", "liblinear", "sgd"],
        default="auto",
        help="the linear baselines: auto (SGD from 20 million training non-zeros, else "
        "LinearSVC and LogisticRegression), liblinear (always those two) or sgd (always SGD, "
        "which copies no features)",
    )
    classify.add_argument("--json", action="store_true", help="end with one JSON object")
    classify.set_defaults(run=run_classify)
