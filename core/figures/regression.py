"""Stock regression figures: the test period's predictions against the actual prices."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear
from core.figures.palette import NETWORK_COLOUR, REFERENCE_COLOUR, baseline_colour
from core.nn.regression import BASELINE_NAME


@toolbar_clear
def predictions_figure(
    dates: Sequence,
    prices: Sequence[float],
    test_dates: Sequence,
    network: Sequence[float],
    baseline: Sequence[float],
    ticker: str,
) -> go.Figure:
    """The whole price series, the start of the test period, and both forecasts on it."""
    fig = go.Figure(
        go.Scatter(
            x=list(dates),
            y=np.asarray(prices, dtype=float),
            mode="lines+markers",
            name=f"actual {ticker}",
            line={"color": REFERENCE_COLOUR, "width": 2},
            marker={"size": 4},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(test_dates),
            y=np.asarray(baseline, dtype=float),
            mode="lines+markers",
            name=f"baseline: {BASELINE_NAME}",
            line={"color": baseline_colour(0), "width": 2, "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(test_dates),
            y=np.asarray(network, dtype=float),
            mode="lines+markers",
            name="network",
            line={"color": NETWORK_COLOUR, "width": 2},
        )
    )
    if len(test_dates):
        fig.add_vline(x=list(test_dates)[0], line_dash="dash", line_color=PALETTE[4])
        fig.add_annotation(
            x=list(test_dates)[0],
            y=1,
            yref="paper",
            text="test period",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    fig.update_yaxes(title="price (1 = price on 2018-01-01)")
    fig.update_layout(
        height=380,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        legend={"orientation": "h", "y": 1.15},
        hovermode="x unified",
    )
    return fig


@toolbar_clear
def mse_bars(network_mse: float, baseline_mse: float) -> go.Figure:
    """Two bars: the test MSE of the network and of the baseline (lower is better)."""
    names = ["network", f"baseline {BASELINE_NAME}"]
    values = [network_mse, baseline_mse]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=[NETWORK_COLOUR, baseline_colour(0)],
            text=[f"{v:.4g}" for v in values],
            textposition="auto",
        )
    )
    fig.update_xaxes(title="test MSE (price units², lower is better)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=200, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig


@toolbar_clear
def stock_window_figure(prices, window: int, start: int, ticker: str) -> go.Figure:
    """A price series with one input window (X) and the next day (Y) highlighted."""
    values = np.asarray(prices, dtype=float)
    dates = list(prices.index) if hasattr(prices, "index") else list(range(len(values)))
    fig = go.Figure(
        go.Scatter(x=dates, y=values, mode="lines", name=ticker, line={"color": PALETTE[1]})
    )
    fig.add_trace(
        go.Scatter(
            x=dates[start : start + window],
            y=values[start : start + window],
            mode="markers",
            name="X: the last prices",
            marker={"size": 9, "color": PALETTE[0]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[dates[start + window]],
            y=[values[start + window]],
            mode="markers",
            name="Y: the next price",
            marker={"size": 13, "color": PALETTE[3], "symbol": "star"},
        )
    )
    fig.update_layout(
        height=320, margin={"l": 0, "r": 0, "t": 10, "b": 0}, legend={"orientation": "h", "y": 1.1}
    )
    return fig
