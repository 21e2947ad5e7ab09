"""Stock price regression: last weekly prices -> next week's price, against the naive forecast."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.data import datasets
from core.data.links import Field
from core.errors import DataError
from core.figures.regression import mse_bars, predictions_figure
from core.figures.training import curves_figure
from core.nn.fields import activation_field, batch_size_field, learning_rate_field, optimizer_field
from core.nn.networks import DenseLayer, OptimizerSpec
from core.nn.regression import (
    BASELINE_NAME,
    TARGETS,
    RegressionResult,
    RegressionSettings,
    chronological_split,
    regression_code,
    train_regression,
    verdict,
)
from core.nn.training import RunRecord
from pages.ui.display import show_code
from pages.ui.job_pool import warm_up_training
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_last_run
from pages.ui.patches import require_navigation
from pages.ui.uploads import show_data_error

require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

RUN_KEY = "stock_run"

st.title("Stock price regression")
st.markdown(
    "The talk's second example: **X** = the last stock prices, **Y** = the next one. The "
    "talk speaks of days; this sample has one price a week, so here **X** = the last weekly "
    "prices and **Y** = next week's price. A network that outputs a number is trained with "
    "the mean squared error, $\\frac{1}{n} \\sum_{i=1}^n (Y_i - \\hat{Y}_i)^2$. The honest "
    "question is whether it beats the simplest forecast there is: *next week's price = this "
    "week's price*."
)
st.caption(
    "Data: plotly's sample stock prices, 2018-2019. They hold one price per week, each "
    "divided by the price of 2018-01-01, so the MSE is in those units."
)


@st.cache_data(show_spinner=False)
def load_prices() -> pd.DataFrame:
    return datasets.stocks()


prices = load_prices()

# The settings travel in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "ticker": Field("choice", prices.columns[0], options=tuple(prices.columns), label="Ticker"),
    "window": Field("int", 5, 1, 30, label="Window: the last N prices", widget="slider"),
    "target": Field(
        "choice",
        list(TARGETS)[0],
        options=tuple(TARGETS),
        label="The network predicts",
        widget="radio",
        format=TARGETS,
    ),
    "layers": Field("int", 1, 0, 3, label="Hidden layers", widget="slider"),
    "units": Field("int", 16, 1, 128, label="Units per hidden layer", widget="slider"),
    "activation": activation_field(),
    "optimizer": optimizer_field(),
    "rate": learning_rate_field(0.01, 0.0001, 10.0),
    "epochs": Field("int", 50, 1, 1000, label="Epochs"),
    "batch": batch_size_field(16, 4, 64),
}
link = PageLink(FIELDS, key_prefix="stock_")
with st.form("stock_settings"):
    left, middle, right = st.columns(3)
    ticker = link.draw("ticker", left)
    window = link.draw("window", left)
    target = link.draw("target", left)
    layers = link.draw("layers", middle)
    units = link.draw("units", middle)
    activation = link.draw("activation", middle)
    optimizer = link.draw("optimizer", right)
    rate = link.draw("rate", right)
    epochs = link.draw("epochs", right)
    batch = link.draw("batch", right)
    submitted = st.form_submit_button("Train", icon=":material/play_arrow:", type="primary")
link.write()

try:
    settings = RegressionSettings(
        ticker=ticker,
        window=int(window),
        hidden=(DenseLayer(int(units), activation),) * int(layers),
        target=target,
        optimizer=OptimizerSpec(optimizer, float(rate)),
        epochs=int(epochs),
        batch_size=int(batch),
    )
    split = chronological_split(prices[ticker], settings.window)
except DataError as error:
    show_data_error(error)
    st.stop()
except ValueError as error:
    st.error(f"**These settings cannot be used:** {error}", icon=":material/error:")
    st.stop()

n_days = len(prices[ticker].dropna())
st.markdown(
    f"**Split by time, never shuffled across it.** {n_days} prices give "
    f"{len(split.y_train) + len(split.y_val) + len(split.y_test)} windows: "
    f"**{len(split.y_train)} to train** (up to {split.dates_train[-1]:%Y-%m-%d}), "
    f"**{len(split.y_val)} to validate** (the end of the training period, to "
    f"{split.dates_val[-1]:%Y-%m-%d}) and **{len(split.y_test)} to test** (the last 20% of the "
    f"weeks, from {split.dates_test[0]:%Y-%m-%d}). Scaling is fitted on the training windows only."
)


def draw(record: RunRecord, key_prefix: str) -> None:
    st.plotly_chart(
        curves_figure(
            record.history, total_epochs=record.total_epochs, y_title="MSE (scaled prices)"
        ),
        key=f"{key_prefix}_curves",
    )


if submitted:
    run_live_training(
        lambda record, stop: train_regression(settings, prices[ticker], record, stop),
        RunRecord(kind="stock regression", settings=asdict(settings)),
        draw,
        key=RUN_KEY,
    )

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info("Choose the settings and press **Train**.", icon=":material/info:")
    show_code(regression_code(settings))
else:
    shown = RegressionSettings.from_dict(record.settings)
    show_last_run(record, shown != settings, draw, "stock_final")
    result = record.result
    if isinstance(result, RegressionResult):
        st.subheader("Test period: network against the baseline")
        winner_is_network = result.network_mse < result.baseline_mse
        message = verdict(result.network_mse, result.baseline_mse)
        if winner_is_network:
            st.success(message, icon=":material/trending_up:")
        else:
            st.warning(message, icon=":material/balance:")
        a, b = st.columns(2)
        a.metric("Network test MSE", f"{result.network_mse:.4g}")
        b.metric(f"Baseline {BASELINE_NAME} test MSE", f"{result.baseline_mse:.4g}")
        st.plotly_chart(mse_bars(result.network_mse, result.baseline_mse), key="stock_mse_bars")
        series = prices[shown.ticker].dropna()
        st.plotly_chart(
            predictions_figure(
                series.index,
                series.to_numpy(),
                result.dates,
                result.network,
                result.baseline,
                shown.ticker,
            ),
            key="stock_predictions",
        )
        with st.expander("Test predictions as a table"):
            table = result.table()
            table.index = table.index.strftime("%Y-%m-%d")
            table["network error²"] = (table["actual"] - table["network"]) ** 2
            table["baseline error²"] = (table["actual"] - table["baseline (last price)"]) ** 2
            st.dataframe(table, width="stretch")
        st.caption(
            "Why the baseline is hard to beat: from one week to the next, a price mostly moves "
            "by chance, so the last price already carries most of what the past can say. A "
            "network with a few dozen training windows tends to learn a smoothed version of it, "
            "which lags behind the moves."
        )
    show_code(regression_code(shown))
