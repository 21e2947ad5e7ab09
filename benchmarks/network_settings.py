"""Which network settings bring the classifier level with the linear SVM on the scale data?

The texts are ``classifier_scale.py``'s (the first tenth is the test set), featurized once with
the classifier's default features and cached in ``--cache``. Then one network per ``--variant``
trains on them, with the classifier's validation rows and class weights, and the test MCC at
threshold 0.5 is printed after every epoch as a JSON line. Batches are densified one at a time,
so the script runs on any Keras backend (the settings table in RESULTS.md ran on JAX on a GPU,
several variants at once as separate processes).

A variant is ``name:units:dropout:l2:optimizer:learning_rate:batch[:plateau]``; ``units`` 0
trains no hidden layer, and ``plateau`` cuts the learning rate by 0.3 after one epoch of stalled
training loss.

Usage: python benchmarks/network_settings.py [--docs 200000] [--epochs 10]
    --variant default:64:0.5:0:adam:0.001:32 --variant l2:64:0.5:1e-5:adam:0.001:32:plateau
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def featurize(docs: int, cache: Path) -> None:
    """Fit the default features on the training texts; save both matrices and the rows."""
    from classifier_scale import make_data

    from core.classifier.splits import TextSplit, label_order
    from core.classifier.train import ClassifierSettings, prepare_training

    texts, labels = make_data(docs, 50_000)
    held = docs // 10
    names = label_order(labels[held:])
    split = TextSplit(texts[held:], labels[held:], texts[:held], labels[:held], names, "scale")
    prepared = prepare_training(split, ClassifierSettings())
    cache.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", split.train_texts), ("test", split.test_texts)):
        matrix = prepared.featurizer.transform(rows).astype(np.float32)
        sp.save_npz(cache / f"{name}.npz", matrix, compressed=False)
    np.savez(
        cache / "rows.npz",
        y=prepared.y,
        y_test=split.y_test,
        train=prepared.train_rows,
        val=prepared.val_rows,
        positive=list(names).index("spam"),
    )


def train_variant(spec: str, epochs: int, cache: Path) -> None:
    """Train the network ``spec`` describes; one JSON line per epoch on stdout."""
    import keras
    from sklearn.metrics import matthews_corrcoef

    from core.classifier.model import ClassifierNet, build_classifier_model
    from core.classifier.steering import class_weights
    from core.nn.networks import DenseLayer, OptimizerSpec, make_optimizer

    name, units, dropout, l2, optimizer, rate, batch, *extra = spec.split(":")
    x = sp.load_npz(cache / "train.npz").tocsr()
    x_test = sp.load_npz(cache / "test.npz").tocsr()
    rows = np.load(cache / "rows.npz")
    y, train, positive = rows["y"], rows["train"], int(rows["positive"])
    hidden = (DenseLayer(int(units), "relu", float(dropout), float(l2)),) if int(units) else ()
    net = ClassifierNet("sparse", x.shape[1], 2, hidden)
    keras.utils.set_random_seed(0)
    model = build_classifier_model(net, seed=0)
    optimizer = make_optimizer(OptimizerSpec(optimizer, float(rate)))
    model.compile(optimizer=optimizer, loss=net.loss, metrics=["accuracy"])
    table = class_weights(y[train], 2)
    weights = np.array([table[int(label)] for label in y], dtype=np.float32)
    truth = (rows["y_test"] == positive).astype(int)

    class Dense(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__()
            self.rng = np.random.default_rng(0)
            self.order = self.rng.permutation(train)

        def __len__(self) -> int:
            return -(-len(train) // int(batch))

        def __getitem__(self, index: int):
            part = np.sort(self.order[index * int(batch) : (index + 1) * int(batch)])
            return x[part].toarray(), y[part], weights[part]

        def on_epoch_end(self) -> None:
            self.order = self.rng.permutation(train)

    started = time.perf_counter()

    class TestScore(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None) -> None:
            chunks = [x_test[i : i + 4096].toarray() for i in range(0, x_test.shape[0], 4096)]
            proba = np.concatenate([np.ravel(model.predict_on_batch(c)) for c in chunks])
            spam = (proba if positive == 1 else 1 - proba) >= 0.5
            record = {
                "variant": name,
                "epoch": epoch + 1,
                "test_mcc": round(float(matthews_corrcoef(truth, spam)), 4),
                "false_positives": int((spam & (truth == 0)).sum()),
                "false_negatives": int((~spam & (truth == 1)).sum()),
                "loss": round(float(logs["loss"]), 5),
                "seconds": round(time.perf_counter() - started),
            }
            print(json.dumps(record), flush=True)

    callbacks = [TestScore()]
    if extra == ["plateau"]:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.3, patience=1))
    model.fit(Dense(), epochs=epochs, verbose=0, callbacks=callbacks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/network-settings"))
    parser.add_argument("--variant", action="append", default=[])
    args = parser.parse_args()
    if not (args.cache / "rows.npz").is_file():
        featurize(args.docs, args.cache)
    for spec in args.variant:
        train_variant(spec, args.epochs, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
