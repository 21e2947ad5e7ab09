"""The ``classify`` command's model options: ``--model dense|cnn|lstm|gru``,
``--bidirectional``, ``--init-vectors``, ``--freeze-vectors`` and ``--sequence-length``, turned
into classifier settings, checked together, and reported in the JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import DataError

MODEL_CHOICES = ("dense", "cnn", "lstm", "gru")


def model_settings(args: argparse.Namespace, settings):
    """``settings`` with the features and sequence layer of ``--model`` (``dense``: the
    ``--features`` kind, TF-IDF by default; ``cnn``, ``lstm``, ``gru``: token ids read by
    that layer). Bad combinations of the model flags are a :class:`DataError` with a hint."""
    from dataclasses import replace

    from core.classifier.model import SequenceLayer

    sequence = args.model != "dense"
    if sequence and args.features not in (None, "embedding"):
        raise DataError(
            f"--model {args.model} reads token ids, so it cannot use --features {args.features}.",
            f"Drop --features (it uses a trainable Embedding), or use --model dense with "
            f"--features {args.features}.",
        )
    if args.bidirectional and args.model not in ("lstm", "gru"):
        raise DataError(
            "--bidirectional applies to recurrent layers only.",
            "Use it with --model lstm or --model gru.",
        )
    kind = "embedding" if sequence else (args.features or "tfidf")
    if args.init_vectors and kind not in ("embedding", "word2vec"):
        raise DataError(
            f"--init-vectors gives word vectors, which {kind} features do not use.",
            "Use --model cnn, lstm or gru, or --features embedding or word2vec.",
        )
    if args.freeze_vectors and not args.init_vectors:
        raise DataError(
            "--freeze-vectors keeps the starting word vectors fixed, but none were given.",
            "Add --init-vectors FILE (word2vec text or binary).",
        )
    if args.freeze_vectors and kind != "embedding":
        raise DataError(
            "--freeze-vectors freezes an Embedding layer; mean word2vec features have none.",
            "Use --model cnn, lstm or gru, or --features embedding.",
        )
    if args.sequence_length is not None and kind != "embedding":
        raise DataError(
            "--sequence-length sizes token-id sequences, which these features are not.",
            "Use --model cnn, lstm or gru, or --features embedding.",
        )
    layer = SequenceLayer(
        kind=args.model if sequence else "pooled",
        bidirectional=args.bidirectional,
        freeze_embedding=args.freeze_vectors,
    )
    features = replace(settings.features, kind=kind, analyzer=args.analyzer)
    return replace(settings, features=features, sequence=layer)


def with_sequence_length(args: argparse.Namespace, settings, texts) -> tuple:
    """``settings`` with the sequence length of ``--sequence-length``, or one proposed from
    the training ``texts`` (their 95th percentile of token counts), and the length report
    (``None`` for features that are not token ids)."""
    from dataclasses import replace

    from core.classifier.sequence_input import propose_sequence_length

    if settings.features.kind != "embedding":
        return settings, None
    report = propose_sequence_length(texts, settings.features)
    length = args.sequence_length or report.length
    if settings.sequence.kind == "cnn":
        length = max(length, max(settings.sequence.kernel_sizes))
    features = replace(settings.features, sequence_length=length)
    return replace(settings, features=features), report


def read_init_vectors(path: str | None):
    """The gensim ``KeyedVectors`` of a word2vec text or binary file, read by the app's safe
    reader, or ``None`` without a path."""
    if path is None:
        return None
    from core.embeddings.vector_read import read_vectors

    file = Path(path)
    if not file.is_file():
        raise DataError(
            f"No file at {path}.", "Give the path of a word2vec text or binary vectors file."
        )
    loaded = read_vectors(file.name, file.read_bytes())
    for warning in loaded.warnings:
        print(f"warning: {path}: {warning}", file=sys.stderr)
    return loaded.vector_set.vectors


def sequence_summary(trained, report, args: argparse.Namespace) -> dict:
    """What JSON says of a sequence model: the layer, the sequence length and what it cuts,
    and the word vectors' coverage when the Embedding started from them."""
    if report is None:
        return {}
    length = trained.settings.features.sequence_length
    out: dict = {
        "sequence": {
            "layer": trained.net.sequence.kind,
            "bidirectional": trained.net.sequence.bidirectional,
            "length": length,
            "texts_cut": report.texts_cut(length),
            "tokens_cut": report.tokens_cut(length),
            "embedding_dim": trained.net.embedding_dim,
        }
    }
    if trained.coverage is not None:
        out["init_vectors"] = {
            "file": args.init_vectors,
            "frozen": trained.net.sequence.freeze_embedding,
            "vocabulary_share": trained.coverage.vocabulary_share,
            "token_share": trained.coverage.token_share,
        }
    return out


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model options to the ``classify`` parser."""
    parser.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default="dense",
        help="dense: Dense layers on --features; cnn: Conv1D with global max pooling; lstm, "
        "gru: a recurrent layer; the last three over an Embedding of token ids",
    )
    parser.add_argument(
        "--bidirectional", action="store_true", help="run the LSTM or GRU in both directions"
    )
    parser.add_argument(
        "--init-vectors",
        metavar="FILE",
        help="word2vec text or binary file: the Embedding starts from these vectors (its "
        "size follows them); with --features word2vec, the documents' mean vectors",
    )
    parser.add_argument(
        "--freeze-vectors",
        action="store_true",
        help="keep the --init-vectors rows fixed while training (default: fine-tune them)",
    )
    parser.add_argument(
        "--sequence-length",
        type=int,
        metavar="N",
        help="tokens per text for token-id models (default: the 95th percentile of the "
        "training texts' token counts, at most 400); longer texts lose their end",
    )
