"""Device check and speed figure for the text classifier: the app's own Keras code on a sparse
bag of words, on whatever device the Keras backend finds.

Builds ``core.classifier``'s network (sparse input -> Dense 64 ReLU -> sigmoid) for a random
sparse 200k x 50k bag of words with 20 words per document, trains it with
``core.nn.training.fit_live`` and reports seconds per epoch (the first epoch, which compiles, is
reported apart) and documents per second. ``--mixed-precision`` repeats it in float16. Sparse
input trains on one device, as in the app (``core.classifier.train.data_parallel_devices``): JAX's
``DataParallel`` cannot place SciPy batches on several devices.

Usage: KERAS_BACKEND=jax python scripts/gpu_classifier_check.py [--docs 200000] [--epochs 3]
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


def run(docs: int, vocabulary: int, words: int, epochs: int, batch: int, mixed: bool) -> dict:
    import keras

    from core.classifier.model import ClassifierNet, build_classifier_model
    from core.nn.networks import DenseLayer
    from core.nn.training import fit_live, training_device

    x, y = sparse_bag_of_words(docs, vocabulary, words)
    net = ClassifierNet("sparse", vocabulary, 2, hidden=(DenseLayer(64, "relu"),))
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
        "backend": keras.backend.backend(),
        "device": training_device(),
        "devices_used": 1,
        "mixed_precision": mixed,
        "shape": [docs, vocabulary],
        "words_per_doc": words,
        "batch_size": batch,
        "status": record.status,
        "first_epoch_seconds": round(per_epoch[0], 3),
        "seconds_per_epoch": round(seconds, 3),
        "docs_per_second": round(docs / seconds),
        "final_accuracy": round(record.history["accuracy"][-1], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--mixed-precision", action="store_true", help="also run in float16")
    args = parser.parse_args()
    results = [run(args.docs, args.vocabulary, args.words, args.epochs, args.batch_size, False)]
    if args.mixed_precision:
        results.append(
            run(args.docs, args.vocabulary, args.words, args.epochs, args.batch_size, True)
        )
    for result in results:
        print(json.dumps(result))
    ok = all(r["status"] == "complete" and r["final_accuracy"] > 0.9 for r in results)
    print("CLASSIFIER DEVICE CHECK", "PASSED" if ok else "FAILED", "on", results[0]["device"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
