"""Live-training overhead: `core.nn.training.fit_live` against plain `model.fit`, same model and data.

fit_live adds TerminateOnNaN, the stop-flag check at every batch end and the per-epoch record.
Both run in the same process, alternating, each on a freshly built model with the same seed.
Goal: fit_live / fit <= 1.15 (median of the rounds).
Usage: python benchmarks/callback_overhead.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from core.nn import networks, training

GOAL = 1.15
SPEC = networks.NetworkSpec(
    20, (networks.DenseLayer(64, "relu"), networks.DenseLayer(64, "relu")), 1, "sigmoid"
)


def fresh_model():
    import keras

    # Without this, every model built in the process leaves state behind and later fits slow down.
    keras.backend.clear_session()
    model = networks.build_dense_model(SPEC, seed=0)
    model.compile(
        optimizer=networks.make_optimizer(networks.OptimizerSpec("adam", 0.001)),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 20)).astype("float32")
    y = (x[:, :10].sum(axis=1) > 0).astype("float32")

    def plain() -> None:
        fresh_model().fit(x, y, epochs=args.epochs, batch_size=32, verbose=0)

    def live() -> None:
        record = training.fit_live(fresh_model(), x, y, epochs=args.epochs, batch_size=32)
        assert record.status == "complete", record.message

    plain(), live()  # warm up imports and kernels; not counted
    times: dict[str, list[float]] = {"model.fit": [], "fit_live": []}
    for _ in range(args.rounds):
        for name, run in (("model.fit", plain), ("fit_live", live)):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    for name, values in times.items():
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"{name:<10} median {statistics.median(values):.2f} s   runs {runs}")
    ratio = statistics.median(times["fit_live"]) / statistics.median(times["model.fit"])
    print(
        f"ratio fit_live/model.fit = {ratio:.3f}; goal <= {GOAL} -> "
        f"{'met' if ratio <= GOAL else 'NOT met'} ({training.training_device()})"
    )
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
