"""Stock price regression: the time split, the MSE, the naive baseline, the verdict, the page."""

import math
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from core.data import datasets
from core.errors import DataError
from core.nn import regression
from core.nn.networks import DenseLayer, OptimizerSpec
from core.nn.regression import RegressionSettings
from tests.app_pages import open_page


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return datasets.stocks()


@pytest.mark.parametrize("window", [1, 5, 12])
def test_split_is_chronological_with_the_right_sizes(prices, window):
    series = prices["AAPL"]
    split = regression.chronological_split(series, window)
    n_test = round(0.2 * len(series))
    assert len(split.y_test) == n_test
    assert len(split.y_train) + len(split.y_val) + len(split.y_test) == len(series) - window
    assert split.dates_train.max() < split.dates_val.min()
    assert split.dates_val.max() < split.dates_test.min()
    # The test targets are exactly the last 20% of the days, in order.
    assert list(split.dates_test) == list(series.index[-n_test:])
    # Each target is the price on its date; each window ends the step before it.
    for x, y, date in zip(split.x_test, split.y_test, split.dates_test, strict=True):
        position = series.index.get_loc(date)
        assert y == series.iloc[position]
        assert list(x) == list(series.iloc[position - window : position])


def test_training_part_ignores_the_test_period(prices):
    series = prices["GOOG"]
    split = regression.chronological_split(series, 5)
    changed = series.copy()
    changed.iloc[-len(split.y_test) :] *= 10  # a very different future
    other = regression.chronological_split(changed, 5)
    np.testing.assert_array_equal(split.x_train, other.x_train)
    np.testing.assert_array_equal(split.y_val, other.y_val)
    assert regression.Scaler.fit(split.x_train, split.y_train) == regression.Scaler.fit(
        other.x_train, other.y_train
    )
    assert not np.array_equal(split.y_test, other.y_test)


def test_too_long_a_window_is_a_clear_data_error(prices):
    with pytest.raises(DataError, match="shorter window"):
        regression.chronological_split(prices["GOOG"].iloc[:30], 20)


def test_mse_is_the_talks_formula():
    rng = np.random.default_rng(3)
    y, y_hat = rng.normal(size=17), rng.normal(size=17)
    by_hand = sum((a - b) ** 2 for a, b in zip(y, y_hat, strict=True)) / len(y)
    assert regression.mse(y, y_hat) == pytest.approx(by_hand, rel=1e-12)
    assert regression.mse([1.0, 2.0], [1.0, 4.0]) == 2.0
    with pytest.raises(ValueError):
        regression.mse([1.0], [1.0, 2.0])


def test_baseline_mse_is_the_mean_squared_step_change_on_the_test_period(prices):
    series = prices["NFLX"]
    split = regression.chronological_split(series, 5)
    baseline = regression.naive_forecast(split.x_test)
    steps = np.diff(series.to_numpy())[-len(split.y_test) :]
    assert regression.mse(split.y_test, baseline) == pytest.approx(np.mean(steps**2))


@pytest.mark.parametrize("target", ["price", "change"])
def test_scaling_round_trips_to_prices(prices, target):
    split = regression.chronological_split(prices["MSFT"], 4)
    scaler = regression.Scaler.fit(split.x_train, split.y_train)
    _, y_scaled = regression.model_inputs(split.x_test, split.y_test, scaler, target)
    back = regression.to_prices(y_scaled, split.x_test, scaler, target)
    np.testing.assert_allclose(back, split.y_test, rtol=1e-5)


def test_verdict_names_the_real_winner():
    baseline_wins = regression.verdict(network_mse=0.004, baseline_mse=0.001)
    assert baseline_wins.startswith("The baseline wins") and "network wins" not in baseline_wins
    assert "0.004" in baseline_wins and "0.001" in baseline_wins
    network_wins = regression.verdict(network_mse=0.001, baseline_mse=0.004)
    assert network_wins.startswith("The network wins") and "baseline wins" not in network_wins
    assert regression.verdict(0.002, 0.002).startswith("A tie")
    assert "baseline wins" in regression.verdict(math.nan, 0.002)


def test_training_reports_both_test_mses_in_price_units(prices):
    settings = RegressionSettings(ticker="AMZN", epochs=3, seed=1)
    record = regression.train_regression(settings, prices["AMZN"])
    assert record.status == "complete" and record.epochs_done == 3
    assert set(record.history) == {"loss", "val_loss"}
    result = record.result
    split = regression.chronological_split(prices["AMZN"], settings.window)
    np.testing.assert_array_equal(result.actual, split.y_test)
    assert result.network_mse == pytest.approx(regression.mse(result.actual, result.network))
    assert result.baseline_mse == pytest.approx(
        np.mean(np.diff(prices["AMZN"].to_numpy())[-len(split.y_test) :] ** 2)
    )
    assert (result.n_train, result.n_validation) == (len(split.y_train), len(split.y_val))


def test_settings_hold_typed_layer_and_optimizer_specs():
    layers = (DenseLayer(8, "tanh"), DenseLayer(4, "relu"))
    settings = RegressionSettings(hidden=layers, optimizer=OptimizerSpec("rmsprop", 0.003))
    assert settings.network().hidden == layers and settings.network().output_activation == "linear"
    assert "keras.optimizers.RMSprop(learning_rate=0.003)" in regression.regression_code(settings)
    assert RegressionSettings(hidden=()).network().hidden == ()
    assert RegressionSettings.from_dict(asdict(settings)) == settings
    with pytest.raises(ValueError, match="unknown optimizer"):
        RegressionSettings(optimizer=OptimizerSpec("adagrad"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="units"):
        RegressionSettings(hidden=(DenseLayer(0),))
    with pytest.raises(ValueError, match="hidden layers"):
        RegressionSettings(hidden=(DenseLayer(4),) * (regression.MAX_HIDDEN_LAYERS + 1))


def test_divergence_fails_with_advice_and_no_comparison(prices):
    settings = RegressionSettings(optimizer=OptimizerSpec("sgd", 10.0), epochs=20)
    record = regression.train_regression(settings, prices["GOOG"])
    assert record.status == "failed" and "learning rate" in record.message
    assert record.result is None


@pytest.mark.parametrize("target", ["price", "change"])
def test_show_the_code_runs_and_agrees_on_the_baseline(prices, target):
    settings = RegressionSettings(
        ticker="FB", window=6, target=target, epochs=2, hidden=(DenseLayer(16),) * 2
    )
    namespace: dict = {}
    exec(regression.regression_code(settings), namespace)
    split = regression.chronological_split(prices["FB"], 6)
    assert namespace["baseline_mse"] == pytest.approx(
        regression.mse(split.y_test, regression.naive_forecast(split.x_test))
    )
    assert np.isfinite(namespace["network_mse"])
    assert len(namespace["model"].layers) == 3


def test_page_renders_then_trains_and_states_the_winner():
    at = open_page("pages/stock_regression.py")
    assert not at.exception
    assert at.title[0].value == "Stock price regression"
    assert any("Train" in b.label for b in at.button)
    at.number_input(key="stock_epochs").set_value(2)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    alerts = [a.value for a in (*at.success, *at.warning)]
    assert any("Complete" in a for a in alerts), alerts
    assert any(a.startswith(("The baseline wins", "The network wins", "A tie")) for a in alerts)
    assert len(at.metric) == 2
    codes = [c.value for c in at.code]
    assert codes and "epochs=2" in codes[0]


def test_the_words_fit_weekly_prices(prices):
    steps = prices.index.to_series().diff().dropna().dt.days
    assert steps.median() == regression.PRICE_STEP_DAYS == 7
    assert "next week" in regression.BASELINE_NAME
    assert regression.BASELINE_NAME in regression.verdict(network_mse=0.004, baseline_mse=0.001)
    home = open_page("pages/home.py")
    text = " ".join(m.value for m in home.markdown)
    window = RegressionSettings().window
    assert f"the last {window} weekly prices" in text and "next week's price" in text
    assert "trading days" not in text and "tomorrow" not in text


def test_page_metrics_are_cores_test_mses():
    at = open_page("pages/stock_regression.py")
    at.number_input(key="stock_epochs").set_value(2)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["stock_run"].result
    shown = {m.label: m.value for m in at.metric}
    assert shown["Network test MSE"] == f"{result.network_mse:.4g}"
    assert shown[f"Baseline {regression.BASELINE_NAME} test MSE"] == f"{result.baseline_mse:.4g}"
    assert "tomorrow" not in " ".join(m.value for m in at.markdown)
