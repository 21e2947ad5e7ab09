"""Figures for optimization: the loss surface with descent paths, loss per step, fitted curves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, decade_ticks, toolbar_clear
from core.figures.palette import REFERENCE_COLOUR, TRAIN_COLOUR, VALIDATION_COLOUR

# Paths cross the contours' dark valley and white slopes, and fitted curves sit on the page in
# either theme: no navy (#1D3557 vanished on the dark valley and on a dark page).
PATH_COLOURS = ["#E76F51", "#2A9D8F", "#F4A261", "#3D8BD9", "#8D72E1"]


def _finite(values: Sequence[float]) -> list[float | None]:
    # Plotly draws a gap at None; NaN or inf would break the axis range instead.
    return [v if v is not None and math.isfinite(v) else None for v in values]


@toolbar_clear
def surface_figure(
    ws: np.ndarray,
    bs: np.ndarray,
    grid: np.ndarray,
    paths: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    minimum: tuple[float, float],
    height: int = 460,
) -> go.Figure:
    """Contours of J(w, b) (log scale, so the valley floor shows) with paths drawn on top.

    ``paths`` maps a legend name to (ws, bs), start first. The axes stay on the grid, so a
    diverging path leaves the picture instead of squashing it.
    """
    fig = go.Figure(
        go.Contour(
            x=ws,
            y=bs,
            z=np.log10(np.maximum(grid, 1e-12)),
            customdata=grid,
            colorscale="Purples",
            reversescale=True,
            ncontours=24,
            colorbar={"title": {"text": "log10 J"}},
            hovertemplate="w = %{x:.2f}, b = %{y:.2f}<br>J = %{customdata:.4g}<extra></extra>",
            name="J(w, b)",
            showlegend=False,
        )
    )
    for index, (name, (path_w, path_b)) in enumerate(paths.items()):
        colour = PATH_COLOURS[index % len(PATH_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=_finite(path_w),
                y=_finite(path_b),
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 2},
                marker={"size": 6, "color": colour},
                hovertemplate=f"{name}<br>w = %{{x:.3f}}, b = %{{y:.3f}}<extra></extra>",
            )
        )
    if paths:
        first_w, first_b = next(iter(paths.values()))
        fig.add_trace(
            go.Scatter(
                x=[first_w[0]],
                y=[first_b[0]],
                mode="markers",
                name="start",
                marker={"size": 12, "color": "#FFFFFF", "line": {"color": "#000000", "width": 2}},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[minimum[0]],
            y=[minimum[1]],
            mode="markers",
            name="minimum W*",
            marker={"size": 16, "symbol": "star", "color": "#FFD166", "line": {"width": 1}},
        )
    )
    fig.update_xaxes(title="w (slope)", range=[float(ws[0]), float(ws[-1])])
    fig.update_yaxes(title="b (intercept)", range=[float(bs[0]), float(bs[-1])])
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        legend={"orientation": "h", "y": 1.08},
    )
    return fig


@toolbar_clear
def loss_steps_figure(losses: Mapping[str, Sequence[float]], log_y: bool = True) -> go.Figure:
    """Loss after each step (step 0 is the start), one line per run; log scale by default."""
    fig = go.Figure()
    for index, (name, values) in enumerate(losses.items()):
        fig.add_trace(
            go.Scatter(
                x=list(range(len(values))),
                y=_finite(values),
                mode="lines+markers" if len(values) <= 60 else "lines",
                name=name,
                line={"color": PATH_COLOURS[index % len(PATH_COLOURS)], "width": 2},
            )
        )
    fig.update_xaxes(title="step")
    if log_y:  # labelled at powers of ten only, not at every minor tick
        every = [v for values in losses.values() for v in values]
        fig.update_yaxes(title="loss J(w, b)", **decade_ticks(every))
    else:
        fig.update_yaxes(title="loss J(w, b)", type="linear")
    fig.update_layout(
        height=320, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": 1.12}
    )
    return fig


@toolbar_clear
def line_fit_figure(x: Sequence[float], y: Sequence[float], w: float, b: float) -> go.Figure:
    """The data points and the line y = w·x + b for the current weights."""
    xs = np.asarray(x, dtype=float)
    span = np.array([xs.min(), xs.max()])
    fig = go.Figure(
        go.Scatter(x=xs, y=y, mode="markers", name="data", marker={"color": PALETTE[0]})
    )
    fig.add_trace(
        go.Scatter(
            x=span,
            y=w * span + b,
            mode="lines",
            name=f"y = {w:.3g}·x + {b:.3g}",
            line={"color": PALETTE[5], "width": 3},
        )
    )
    fig.update_xaxes(title="x")
    fig.update_yaxes(title="y")
    fig.update_layout(
        height=320, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": 1.12}
    )
    return fig


@toolbar_clear
def fitted_curves_figure(
    x_train: Sequence[float],
    y_train: Sequence[float],
    x_val: Sequence[float],
    y_val: Sequence[float],
    x_grid: Sequence[float],
    y_true: Sequence[float],
    fits: Mapping[str, Sequence[float]],
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """Training and validation points (the palette's train and validation colours), the true
    function, and each model's fitted curve, in ``colours[name]`` when given (so a variant
    keeps the colour it has on the loss chart), else the next of :data:`PATH_COLOURS`."""
    colours = colours or {}
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(x_train),
            y=list(y_train),
            mode="markers",
            name="training points",
            marker={"color": TRAIN_COLOUR, "size": 8},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(x_val),
            y=list(y_val),
            mode="markers",
            name="validation points",
            marker={"color": VALIDATION_COLOUR, "size": 8, "symbol": "diamond-open"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(x_grid),
            y=list(y_true),
            mode="lines",
            name="true function sin(x)",
            line={"color": REFERENCE_COLOUR, "width": 2, "dash": "dash"},
        )
    )
    for index, (name, values) in enumerate(fits.items()):
        fig.add_trace(
            go.Scatter(
                x=list(x_grid),
                y=_finite(values),
                mode="lines",
                name=name,
                line={
                    "color": colours.get(name, PATH_COLOURS[index % len(PATH_COLOURS)]),
                    "width": 3,
                },
            )
        )
    fig.update_xaxes(title="x")
    fig.update_yaxes(title="y")
    fig.update_layout(
        height=380, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": 1.14}
    )
    return fig
