"""Overfitting on purpose: a network far too big for 30 noisy points of y = sin(x) + noise.

Four ways to train the same network on the same data: plain, with early stopping, with an L2
penalty, and with dropout. The data goes through ``tf.data`` (cached): with a few dozen points,
Keras's per-epoch overhead on NumPy arrays would cost more than the training itself.
TensorFlow and Keras are imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from core.nn.networks import DenseLayer, NetworkSpec, OptimizerSpec, keras_code
from core.nn.training import ComparisonResult, RunRecord, StopFlag, train_in_turn

VARIANTS = {
    "plain": "Plain",
    "early_stopping": "Early stopping",
    "l2": "L2 penalty",
    "dropout": "Dropout",
}
X_RANGE = 3.0  # x is drawn from [-3, 3]: about one period of sin(x)
# The per-epoch curves every chart and table here reads: the training loss (what the optimizer
# minimises, with the L2 penalty and under dropout) and the validation MSE (no penalty, no
# dropout), the number that measures the fit. Keras's val_loss adds the L2 penalty.
TRAIN_CURVE, VALIDATION_CURVE = "loss", "val_mse"


@dataclass(frozen=True)
class OverfitSettings:
    """Data, network and training settings shared by all four variants."""

    n_train: int = 30
    n_val: int = 30
    # Defaults under which plain training visibly overfits: validation MSE is lowest within
    # the first 50 epochs and rises by a third or more by the last (tests/test_overfitting.py).
    noise: float = 0.4
    units: int = 128
    layers: int = 2
    epochs: int = 200
    batch_size: int = 5
    learning_rate: float = 0.003
    patience: int = 15
    l2: float = 0.01
    dropout: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if not 5 <= self.n_train <= 2000 or not 5 <= self.n_val <= 2000:
            raise ValueError("Use between 5 and 2,000 training and validation points.")
        if not (math.isfinite(self.noise) and 0 <= self.noise <= 5):
            raise ValueError("The noise must be between 0 and 5.")
        if not 1 <= self.units <= 1024 or not 1 <= self.layers <= 5:
            raise ValueError("Use 1 to 5 hidden layers of 1 to 1,024 units.")
        if not 1 <= self.epochs <= 2000:
            raise ValueError("The number of epochs must be between 1 and 2,000.")
        if not 1 <= self.batch_size <= self.n_train:
            raise ValueError("The batch size must be between 1 and the number of training points.")
        if not (math.isfinite(self.learning_rate) and 0 < self.learning_rate <= 1):
            raise ValueError("The learning rate must be above 0 and at most 1.")
        if not 1 <= self.patience <= 1000:
            raise ValueError("The patience must be between 1 and 1,000 epochs.")
        if not (math.isfinite(self.l2) and 0 < self.l2 <= 1):
            raise ValueError("The L2 factor must be above 0 and at most 1.")
        if not 0 < self.dropout < 1:
            raise ValueError("The dropout rate must be between 0 and 1 (exclusive).")


@dataclass(frozen=True)
class SineData:
    """Training and validation points, and the true function on a fine grid for drawing."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_grid: np.ndarray
    y_true: np.ndarray


@dataclass
class VariantResult:
    """One trained variant: its run, its fitted curve on the grid, and its final MSEs.

    It is also that run's ``record.result``.
    """

    variant: str
    record: RunRecord
    prediction: list[float]
    train_mse: float
    val_mse: float


@dataclass
class OverfittingComparison(ComparisonResult):
    """The four variants compared: their runs, by variant, and the settings they share."""

    settings: OverfitSettings


def make_sine_data(settings: OverfitSettings) -> SineData:
    """y = sin(x) + Gaussian noise (sd ``noise``), x uniform in [-3, 3]; float32, seeded."""
    s = settings
    rng = np.random.default_rng(s.seed)
    x_train = rng.uniform(-X_RANGE, X_RANGE, (s.n_train, 1)).astype("float32")
    y_train = (np.sin(x_train) + rng.normal(0, s.noise, (s.n_train, 1))).astype("float32")
    x_val = rng.uniform(-X_RANGE, X_RANGE, (s.n_val, 1)).astype("float32")
    y_val = (np.sin(x_val) + rng.normal(0, s.noise, (s.n_val, 1))).astype("float32")
    x_grid = np.linspace(-X_RANGE, X_RANGE, 200, dtype="float32").reshape(-1, 1)
    return SineData(x_train, y_train, x_val, y_val, x_grid, np.sin(x_grid))


def network_spec(settings: OverfitSettings, variant: str) -> NetworkSpec:
    """The same ReLU stack for every variant; L2 or dropout added only where the variant says."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    l2 = settings.l2 if variant == "l2" else 0.0
    dropout = settings.dropout if variant == "dropout" else 0.0
    layer = DenseLayer(settings.units, "relu", dropout=dropout, l2=l2)
    return NetworkSpec(1, (layer,) * settings.layers, 1, "linear")


def parameter_count(settings: OverfitSettings) -> int:
    """How many weights and biases the network has (L2 and dropout add none)."""
    units, layers = settings.units, settings.layers
    return 2 * units + (layers - 1) * (units * units + units) + units + 1


def datasets(settings: OverfitSettings, data: SineData):
    """(train, validation) as ``tf.data`` pipelines: train cached, reshuffled each epoch."""
    import tensorflow as tf

    train = (
        tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train))
        .cache()
        .shuffle(len(data.x_train), seed=settings.seed)
        .batch(settings.batch_size)
    )
    val = tf.data.Dataset.from_tensor_slices((data.x_val, data.y_val)).batch(len(data.x_val))
    return train, val


def build_model(settings: OverfitSettings, variant: str):
    """A compiled Keras model for ``variant`` (Adam, MSE loss), seeded."""
    from core.nn.networks import build_dense_model, make_optimizer

    model = build_dense_model(network_spec(settings, variant), seed=settings.seed)
    model.compile(
        optimizer=make_optimizer(OptimizerSpec("adam", settings.learning_rate)),
        loss="mse",
        metrics=["mse"],  # the validation MSE per epoch, without the L2 penalty
    )
    return model


def early_stopping_epochs(val_losses: list[float], patience: int) -> tuple[int, int | None]:
    """Where Keras's ``EarlyStopping(patience, restore_best_weights=True)`` would act on this
    validation curve: ``(best epoch, stopping epoch)``, 1-based; the stopping epoch is ``None``
    when the curve ends before the patience runs out. As Keras does, a value counts as better
    only when strictly lower than the best so far, and the first epoch of a tie is kept."""
    if not val_losses:
        raise ValueError("there is no validation curve yet")
    best, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best + 1, epoch + 1
    return best + 1, None


def train_variant(
    settings: OverfitSettings,
    variant: str,
    data: SineData | None = None,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
):
    """Trains one variant with ``fit_live``; returns (VariantResult, the trained model).

    The result is also the record's ``result``.

    Early stopping uses ``EarlyStopping(patience, restore_best_weights=True)`` on val_loss.
    The result's MSEs come from the final (for early stopping: restored) weights, without
    dropout or the L2 penalty, so the four variants compare fairly.
    """
    import keras

    from core.nn.training import fit_live, seed_everything

    data = data or make_sine_data(settings)
    seed_everything(settings.seed)
    model = build_model(settings, variant)
    train, val = datasets(settings, data)
    callbacks = []
    if variant == "early_stopping":
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=settings.patience, restore_best_weights=True
            )
        )
    record = record or RunRecord(kind="overfitting", settings={"variant": variant})
    record = fit_live(
        model,
        train,
        epochs=settings.epochs,
        batch_size=None,  # the dataset is already batched
        record=record,
        stop_flag=stop_flag,
        on_epoch=on_epoch,
        callbacks=callbacks,
        validation_data=val,
        shuffle=False,  # the dataset reshuffles itself
    )
    prediction = model.predict(data.x_grid, verbose=0).ravel()
    train_pred = model.predict(data.x_train, verbose=0)
    val_pred = model.predict(data.x_val, verbose=0)
    result = VariantResult(
        variant=variant,
        record=record,
        prediction=[float(v) for v in prediction],
        train_mse=float(np.mean((train_pred - data.y_train) ** 2)),
        val_mse=float(np.mean((val_pred - data.y_val) ** 2)),
    )
    record.result = result
    return result, model


def variant_runs(settings: OverfitSettings) -> dict[str, RunRecord]:
    """One empty run per variant, ready to be listed before any of them trains."""
    return {
        variant: RunRecord(
            kind="overfitting",
            settings={"variant": variant, **asdict(settings)},
            total_epochs=settings.epochs,
        )
        for variant in VARIANTS
    }


def compare_variants(
    settings: OverfitSettings,
    runs: dict[str, RunRecord] | None = None,
    stop_flag: StopFlag | None = None,
) -> list[VariantResult]:
    """All four variants on the same data, one after the other.

    ``runs`` (from :func:`variant_runs`) receive the curves as they train, and each trained run
    gets its :class:`VariantResult` as its ``result``. Once ``stop_flag`` is set, the
    variant in progress stops at its next batch and its result is of the weights reached; the
    variants not begun have none. Returns the results there are, in :data:`VARIANTS` order.
    """
    data = make_sine_data(settings)
    runs = runs or variant_runs(settings)

    def train_part(variant: str, record: RunRecord, flag: StopFlag) -> None:
        train_variant(settings, variant, data, record, flag)

    train_in_turn(runs, train_part, stop_flag or StopFlag())
    return [run.result for run in runs.values() if isinstance(run.result, VariantResult)]


def overfitting_code(settings: OverfitSettings, variant: str) -> str:
    """Keras code equivalent to :func:`train_variant` for these settings and this variant."""
    s = settings
    model = keras_code(
        network_spec(s, variant), OptimizerSpec("adam", s.learning_rate), "mse", ["mse"]
    ).removeprefix("import keras\n\n")
    callbacks = "[]"
    stopper = ""
    if variant == "early_stopping":
        stopper = (
            "early_stopping = keras.callbacks.EarlyStopping(\n"
            f'    monitor="val_loss", patience={s.patience}, restore_best_weights=True\n'
            ")\n"
        )
        callbacks = "[early_stopping]"
    return f"""import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed({s.seed})
rng = np.random.default_rng({s.seed})
# y = sin(x) + noise: {s.n_train} training and {s.n_val} validation points
x_train = rng.uniform(-{X_RANGE}, {X_RANGE}, ({s.n_train}, 1)).astype("float32")
y_train = (np.sin(x_train) + rng.normal(0, {s.noise}, ({s.n_train}, 1))).astype("float32")
x_val = rng.uniform(-{X_RANGE}, {X_RANGE}, ({s.n_val}, 1)).astype("float32")
y_val = (np.sin(x_val) + rng.normal(0, {s.noise}, ({s.n_val}, 1))).astype("float32")
train = (
    tf.data.Dataset.from_tensor_slices((x_train, y_train))
    .cache()
    .shuffle({s.n_train}, seed={s.seed})
    .batch({s.batch_size})
)
val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch({s.n_val})

{model}
{stopper}history = model.fit(
    train,
    validation_data=val,
    epochs={s.epochs},
    callbacks={callbacks},
    shuffle=False,  # the dataset reshuffles itself each epoch
    verbose=0,
)
print("lowest validation MSE:", min(history.history["val_mse"]))
"""
