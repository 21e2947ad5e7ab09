"""Stock price regression: last prices (X) -> the next price (Y), with the mean squared error.

The split is by time: the last part of the series is the test set, the validation set is the end
of the training period, and scaling is fitted on the training part only, so no future price
leaks into training. A naive forecast, "next week = this week" (the sample holds one price a
week), is the baseline to beat.
Keras is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.data.datasets import lagged_windows
from core.errors import DataError
from core.nn.networks import (
    DenseLayer,
    NetworkSpec,
    OptimizerSpec,
    build_dense_model,
    keras_code,
    make_optimizer,
)
from core.nn.training import RunRecord, StopFlag, fit_live, seed_everything

Target = Literal["price", "change"]
TARGETS = {
    "price": "the next price (scaled)",
    "change": "the change from the last price (scaled)",
}
# The naive forecast's name: plotly's sample holds one price per week, so "tomorrow" would be
# wrong. Every chart, metric and message names the baseline with this.
BASELINE_NAME = '"next week = this week"'
# How far apart the sample's prices are, in days: the words above hold while this does.
PRICE_STEP_DAYS = 7

# Fewer training windows than this cannot teach a network anything worth comparing.
MIN_TRAIN_SAMPLES = 10
MIN_VALIDATION_SAMPLES = 2
MAX_HIDDEN_LAYERS = 8


@dataclass(frozen=True)
class RegressionSettings:
    """Everything one run of the stock page depends on; the layers and optimizer check
    themselves."""

    ticker: str = "GOOG"
    window: int = 5
    hidden: tuple[DenseLayer, ...] = (DenseLayer(16, "relu"),)
    target: Target = "price"
    optimizer: OptimizerSpec = OptimizerSpec("adam", 0.01)
    epochs: int = 100
    batch_size: int = 16
    test_fraction: float = 0.2
    validation_fraction: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError("The window must be at least 1 price.")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"Use at most {MAX_HIDDEN_LAYERS} hidden layers.")
        if self.target not in TARGETS:
            raise ValueError(f"Unknown target {self.target!r}.")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("Epochs and batch size must be at least 1.")
        if not 0 < self.test_fraction < 1 or not 0 < self.validation_fraction < 1:
            raise ValueError("The test and validation fractions must be between 0 and 1.")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RegressionSettings:
        """The settings back from ``dataclasses.asdict`` (as a run's record keeps them)."""
        return cls(
            **{
                **values,
                "hidden": tuple(DenseLayer(**layer) for layer in values["hidden"]),
                "optimizer": OptimizerSpec(**values["optimizer"]),
            }
        )

    def network(self) -> NetworkSpec:
        """The Dense network: ``window`` inputs -> hidden layers -> one linear output."""
        return NetworkSpec(self.window, self.hidden, 1, "linear")


@dataclass(frozen=True)
class WindowSplit:
    """(X, y) windows split by time: train, then validation, then test; dates are target dates."""

    x_train: np.ndarray
    y_train: np.ndarray
    dates_train: pd.DatetimeIndex
    x_val: np.ndarray
    y_val: np.ndarray
    dates_val: pd.DatetimeIndex
    x_test: np.ndarray
    y_test: np.ndarray
    dates_test: pd.DatetimeIndex


def count_test_days(n_days: int, test_fraction: float = 0.2) -> int:
    """How many of the last days form the test set (at least one)."""
    return max(1, round(n_days * test_fraction))


def chronological_split(
    prices: pd.Series, window: int, test_fraction: float = 0.2, validation_fraction: float = 0.2
) -> WindowSplit:
    """A price series -> windows whose targets fall in train, validation or test periods.

    The test set is every window whose target is one of the last ``test_fraction`` of the days;
    its inputs may reach back into the training period, as they would on the day of a forecast.
    The validation set is the last ``validation_fraction`` of the remaining windows. Nothing is
    shuffled. Raises :class:`DataError` when too few training windows are left.
    """
    series = prices.dropna()
    x, y = lagged_windows(series.to_numpy(dtype=float), window)
    dates = pd.DatetimeIndex(series.index[window:])
    n_test = count_test_days(len(series), test_fraction)
    n_before = len(y) - n_test
    n_val = max(MIN_VALIDATION_SAMPLES, round(n_before * validation_fraction))
    n_train = n_before - n_val
    if n_train < MIN_TRAIN_SAMPLES:
        raise DataError(
            f"A window of {window} prices leaves {max(n_train, 0)} training windows out of "
            f"{len(series)} prices; at least {MIN_TRAIN_SAMPLES} are needed.",
            "Use a shorter window or a smaller test or validation share.",
        )
    cut_val, cut_test = n_train, n_before
    return WindowSplit(
        x[:cut_val],
        y[:cut_val],
        dates[:cut_val],
        x[cut_val:cut_test],
        y[cut_val:cut_test],
        dates[cut_val:cut_test],
        x[cut_test:],
        y[cut_test:],
        dates[cut_test:],
    )


def mse(y_true, y_pred) -> float:
    """The talk's loss: (1/n) Σ (Yi - Ŷi)², for two equal-length sequences."""
    true = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    if true.shape != pred.shape or true.size == 0:
        raise ValueError("mse needs two non-empty arrays of the same shape")
    return float(np.mean((true - pred) ** 2))


def naive_forecast(x: np.ndarray) -> np.ndarray:
    """The baseline "next week = this week": each window's last price."""
    return np.asarray(x, dtype=float)[:, -1].copy()


@dataclass(frozen=True)
class Scaler:
    """Standardisation fitted on training prices only: (price - mean) / std."""

    mean: float
    std: float

    @classmethod
    def fit(cls, x_train: np.ndarray, y_train: np.ndarray) -> Scaler:
        values = np.concatenate([np.ravel(x_train), np.ravel(y_train)])
        std = float(values.std())
        return cls(float(values.mean()), std if std > 0 else 1.0)


def model_inputs(
    x: np.ndarray, y: np.ndarray | None, scaler: Scaler, target: Target
) -> tuple[np.ndarray, np.ndarray | None]:
    """Prices -> what the network sees: scaled windows and the scaled target."""
    xs = ((x - scaler.mean) / scaler.std).astype("float32")
    if y is None:
        return xs, None
    # "change" measures the move from the last price, so the baseline is an output of zero.
    origin = x[:, -1] if target == "change" else scaler.mean
    ys = (y - origin) / scaler.std
    return xs, ys.astype("float32").reshape(-1, 1)


def to_prices(output: np.ndarray, x: np.ndarray, scaler: Scaler, target: Target) -> np.ndarray:
    """The network's scaled output -> prices, so MSEs are in price units."""
    out = np.ravel(output).astype(float) * scaler.std
    return out + (x[:, -1] if target == "change" else scaler.mean)


@dataclass(frozen=True)
class RegressionResult:
    """Test-period predictions and both test MSEs, in price units, and how many windows each
    part of the split held (the test windows are ``actual``'s)."""

    dates: pd.DatetimeIndex
    actual: np.ndarray
    network: np.ndarray
    baseline: np.ndarray
    network_mse: float
    baseline_mse: float
    n_train: int
    n_validation: int

    def flat(self) -> dict[str, float]:
        """The final results by display name (the Runs table's metrics): both test MSEs."""
        return {"test MSE": self.network_mse, "baseline MSE": self.baseline_mse}

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "actual": self.actual,
                "network": self.network,
                "baseline (last price)": self.baseline,
            },
            index=pd.Index(self.dates, name="date"),
        )


def verdict(network_mse: float, baseline_mse: float) -> str:
    """One plain sentence naming the model with the lower test MSE."""
    if not math.isfinite(network_mse):
        return (
            "The network's test MSE is not a number, so the baseline wins by default: "
            "lower the learning rate and train again."
        )
    if math.isclose(network_mse, baseline_mse, rel_tol=1e-9, abs_tol=0.0):
        return f"A tie: the network and the baseline have the same test MSE ({network_mse:.4g})."
    ratio = max(network_mse, baseline_mse) / max(min(network_mse, baseline_mse), 1e-300)
    if network_mse < baseline_mse:
        return (
            f"The network wins: its test MSE ({network_mse:.4g}) is lower than the baseline's "
            f"({baseline_mse:.4g}), {ratio:.2f}x lower."
        )
    return (
        f"The baseline wins: {BASELINE_NAME} has the lower test MSE ({baseline_mse:.4g}, "
        f"against {network_mse:.4g} for the network, {ratio:.2f}x higher). The network did "
        "not beat simply repeating the last price."
    )


def train_regression(
    settings: RegressionSettings,
    prices: pd.Series,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
) -> RunRecord:
    """Train the network on ``prices`` live; ``record.result`` becomes its :class:`RegressionResult`.

    The result is left out when training failed (a NaN or exploding loss): there is nothing
    meaningful to compare then. A stopped run is still evaluated, with the weights it reached.
    """
    split = chronological_split(
        prices, settings.window, settings.test_fraction, settings.validation_fraction
    )
    scaler = Scaler.fit(split.x_train, split.y_train)
    x_train, y_train = model_inputs(split.x_train, split.y_train, scaler, settings.target)
    x_val, y_val = model_inputs(split.x_val, split.y_val, scaler, settings.target)
    x_test, _ = model_inputs(split.x_test, None, scaler, settings.target)

    seed_everything(settings.seed)
    model = build_dense_model(settings.network(), seed=settings.seed)
    model.compile(optimizer=make_optimizer(settings.optimizer), loss="mse")
    record = record or RunRecord(kind="stock regression")
    fit_live(
        model,
        x_train,
        y_train,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        record=record,
        stop_flag=stop_flag,
        validation_data=(x_val, y_val),
        shuffle=True,  # shuffles within the training period only; the split is already by time
    )
    if record.status == "failed":
        return record
    predicted = to_prices(model.predict(x_test, verbose=0), split.x_test, scaler, settings.target)
    if not np.all(np.isfinite(predicted)):
        record.finish("failed", "The network predicted NaN prices: is the learning rate too high?")
        return record
    baseline = naive_forecast(split.x_test)
    result = record.result = RegressionResult(
        split.dates_test,
        split.y_test,
        predicted,
        baseline,
        mse(split.y_test, predicted),
        mse(split.y_test, baseline),
        n_train=len(split.y_train),
        n_validation=len(split.y_val),
    )
    record.metrics = result.flat()
    return record


def regression_code(settings: RegressionSettings) -> str:
    """A stand-alone script doing what the page ran, with these settings filled in."""
    model = keras_code(settings.network(), settings.optimizer, "mse", [])
    model = model.replace("import keras\n\n", "")
    if settings.target == "change":
        target_lines = (
            "y_train_s = (y_train - x_train[:, -1]) / std  # the change from the last price\n"
            "y_val_s = (y_val - x_val[:, -1]) / std"
        )
        back = (
            "pred = model.predict((x_test - mean) / std, verbose=0).ravel() * std + x_test[:, -1]"
        )
    else:
        target_lines = "y_train_s = (y_train - mean) / std\ny_val_s = (y_val - mean) / std"
        back = "pred = model.predict((x_test - mean) / std, verbose=0).ravel() * std + mean"
    return f'''import keras
import numpy as np
import plotly.data

keras.utils.set_random_seed({settings.seed})
prices = plotly.data.stocks()["{settings.ticker}"].to_numpy(dtype=float)
window = {settings.window}
# X = the last {settings.window} prices, y = the next one
x = np.lib.stride_tricks.sliding_window_view(prices[:-1], window)
y = prices[window:]

# Split by time: the last {settings.test_fraction:.0%} of the weeks are the test set
n_test = max(1, round(len(prices) * {settings.test_fraction}))
n_before = len(y) - n_test
n_val = max({MIN_VALIDATION_SAMPLES}, round(n_before * {settings.validation_fraction}))
n_train = n_before - n_val
x_train, y_train = x[:n_train], y[:n_train]
x_val, y_val = x[n_train:n_before], y[n_train:n_before]
x_test, y_test = x[n_before:], y[n_before:]

# Scaling fitted on the training part only
values = np.concatenate([x_train.ravel(), y_train])
mean, std = values.mean(), values.std()
{target_lines}

{model}
model.fit((x_train - mean) / std, y_train_s, epochs={settings.epochs},
          batch_size={settings.batch_size}, validation_data=((x_val - mean) / std, y_val_s),
          callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)

{back}
baseline = x_test[:, -1]  # next week = this week
network_mse = np.mean((y_test - pred) ** 2)
baseline_mse = np.mean((y_test - baseline) ** 2)
print(f"test MSE: network {{network_mse:.4g}}, baseline {{baseline_mse:.4g}}")
'''
