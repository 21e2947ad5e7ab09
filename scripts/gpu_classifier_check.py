"""Device check and speed figures for the text classifier: the app's own Keras code on a sparse
bag of words, and its convolution and LSTM on token ids, on whatever device the backend finds.

Builds ``core.classifier``'s network (sparse input -> Dense 64 ReLU -> sigmoid) for a random
sparse 200k x 50k bag of words with 20 words per document, trains it with
``core.nn.training.fit_live`` and reports seconds per epoch (the first epoch, which compiles, is
reported apart) and documents per second. ``--mixed-precision`` repeats it in float16. Sparse
input trains on one device, as in the app (``core.classifier.train.data_parallel_devices``): JAX's
``DataParallel`` cannot place SciPy batches on several devices.

``--models bow cnn lstm`` (the default) also trains the sequence models on random token-id
sequences of ``--length`` ids (Embedding 64 -> Conv1D 64x3 + global max pooling, or LSTM 64,
cuDNN-compatible), with the same time per epoch. ``--tiny`` shrinks everything so the check
runs in seconds on a CPU.

Usage: KERAS_BACKEND=jax python scripts/gpu_classifier_check.py [--docs 200000] [--epochs 3]
       python scripts/gpu_classifier_check.py --tiny   # a quick run anywhere
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def sparse_bag_of_words(docs: int, vocabulary: int, words: int, seed: int = 0):
    """A CSR matrix of ``docs`` rows with ``words`` random columns each, and labels that depend
    on whether a document holds any of the first 1% of columns (learnable, about 18% positive)."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    columns = rng.integers(0, vocabulary, size=(docs, words))
    rows = np.repeat(np.arange(docs), words)
    x = sp.csr_matrix(
        (np.ones(docs * words, dtype=np.float32), (rows, columns.ravel())),
        shape=(docs, vocabulary),
    )
    x.sum_duplicates()
    y = (columns < vocabulary // 100).any(axis=1).astype(np.int32)
    return x, y


def token_sequences(docs: int, vocabulary: int, length: int, seed: int = 0):
    """Right-padded token ids (``docs`` x ``length``, ids from 2, each text 40-100% of the
    length) and labels that say whether a text holds one of the first 1% of word ids after the
    padding and out-of-vocabulary ids (learnable by looking at each word)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.integers(2, vocabulary, size=(docs, length)).astype(np.int32)
    lengths = rng.integers(max(1, int(0.4 * length)), length + 1, size=docs)
    x[np.arange(length)[None, :] >= lengths[:, None]] = 0
    y = ((x >= 2) & (x < 2 + max(1, vocabulary // 100))).any(axis=1).astype(np.int32)
    return x, y


def network(kind: str, vocabulary: int, length: int):
    """The classifier network of ``kind`` (``bow``, ``cnn``, ``lstm``) for the check."""
    from core.classifier.model import ClassifierNet, SequenceLayer
    from core.nn.networks import DenseLayer

    hidden = (DenseLayer(64, "relu"),)
    if kind == "bow":
        return ClassifierNet("sparse", vocabulary, 2, hidden=hidden)
    layer = SequenceLayer("cnn", filters=64, kernel_sizes=(3,)) if kind == "cnn" else None
    layer = layer or SequenceLayer("lstm", units=64)
    return ClassifierNet(
        "sequence", length, 2, hidden, vocab_size=vocabulary, embedding_dim=64, sequence=layer
    )


def run(
    docs: int,
    vocabulary: int,
    words: int,
    epochs: int,
    batch: int,
    mixed: bool,
    kind: str = "bow",
    length: int = 100,
) -> dict:
    import keras

    from core.classifier.model import build_classifier_model
    from core.nn.training import fit_live, training_device

    if kind == "bow":
        x, y = sparse_bag_of_words(docs, vocabulary, words)
    else:
        x, y = token_sequences(docs, vocabulary, length)
    net = network(kind, vocabulary, length)
    model = build_classifier_model(net, seed=0, mixed_precision=mixed)
    model.compile(optimizer="adam", loss=net.loss, metrics=["accuracy"])
    stamps: list[float] = []
    start = time.perf_counter()
    record = fit_live(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch,
        on_epoch=lambda epoch, logs: stamps.append(time.perf_counter()),
    )
    per_epoch = [b - a for a, b in zip([start, *stamps], stamps, strict=False)]
    steady = per_epoch[1:] or per_epoch
    seconds = sum(steady) / len(steady)
    return {
        "model": kind,
        "backend": keras.backend.backend(),
        "device": training_device(),
        "devices_used": 1,
        "mixed_precision": mixed,
        "shape": [docs, vocabulary if kind == "bow" else length],
        "words_per_doc": words,
        "batch_size": batch,
        "status": record.status,
        "first_epoch_seconds": round(per_epoch[0], 3),
        "seconds_per_epoch": round(seconds, 3),
        "docs_per_second": round(docs / seconds),
        "final_accuracy": round(record.history["accuracy"][-1], 4),
    }


TINY = {"docs": 2_000, "vocabulary": 2_000, "words": 20, "length": 20, "epochs": 2}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=20)
    parser.add_argument("--length", type=int, default=100, help="token ids per text (cnn, lstm)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--models", nargs="+", choices=["bow", "cnn", "lstm"], default=["bow", "cnn", "lstm"]
    )
    parser.add_argument("--mixed-precision", action="store_true", help="also run in float16")
    parser.add_argument("--tiny", action="store_true", help="a few seconds' check, on any device")
    args = parser.parse_args(argv)
    if args.tiny:
        for key, value in TINY.items():
            setattr(args, key, value)
    results = []
    for kind in args.models:
        for mixed in (False, True) if args.mixed_precision else (False,):
            results.append(
                run(
                    args.docs,
                    args.vocabulary,
                    args.words,
                    args.epochs,
                    args.batch_size,
                    mixed,
                    kind,
                    args.length,
                )  # fmt: skip
            )
    for result in results:
        print(json.dumps(result))
    # The tiny run is too short to learn: it checks that every model trains, not how well.
    wanted = 0.0 if args.tiny else 0.9
    ok = all(r["status"] == "complete" and r["final_accuracy"] > wanted for r in results)
    for result in results:
        print(f"{result['model']}: {result['seconds_per_epoch']} s per epoch on {result['device']}")
    print("CLASSIFIER DEVICE CHECK", "PASSED" if ok else "FAILED", "on", results[0]["device"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
