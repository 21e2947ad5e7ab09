"""Figures for the perceptron and its activations: the decision line, and g with g'."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear
from core.figures.palette import CLASS_COLOURS, PALE_CLASS_SCALE
from core.nn.perceptron import ACTIVATION_NAMES, Clusters, classify, decision_line, region_grid

EXTENT = 3.5


@toolbar_clear
def decision_figure(
    clusters: Clusters,
    w: tuple[float, float],
    w0: float,
    activation_name: str,
    x: tuple[float, float] | None = None,
) -> go.Figure:
    """Points by class over g(z) on the plane, the line w0 + w1 x1 + w2 x2 = 0 and, if given, x.

    Misclassified points are drawn as crosses, so moving the line shows what it fixes.
    """
    axis, values = region_grid(w, w0, activation_name, EXTENT)
    name = ACTIVATION_NAMES[activation_name]
    fig = go.Figure(
        go.Heatmap(
            x=axis,
            y=axis,
            z=values,
            colorscale=PALE_CLASS_SCALE,
            # Centred on the value at the line, so the two sides get the two colours.
            zmid={"sigmoid": 0.5, "tanh": 0.0, "step": 0.5}.get(activation_name),
            opacity=0.8,
            colorbar={"title": {"text": f"ŷ = {name}(z)"}},
            hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}: ŷ = %{z:.3f}<extra></extra>",
            name="perceptron output",
        )
    )
    predicted = classify(clusters.points, w, w0)
    for label in (0, 1):
        for right in (True, False):
            mask = (clusters.labels == label) & ((predicted == label) == right)
            fig.add_trace(
                go.Scatter(
                    x=clusters.points[mask, 0],
                    y=clusters.points[mask, 1],
                    mode="markers",
                    name=f"class {label}, " + ("correct" if right else "wrong"),
                    marker={
                        "color": CLASS_COLOURS[label],
                        "size": 9 if right else 11,
                        "symbol": "circle" if right else "x",
                        "line": {"width": 1, "color": "#333333"},
                    },
                    hovertemplate=f"class {label}: (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
                )
            )
    line = decision_line(w, w0, EXTENT)
    if line is not None:
        fig.add_trace(
            go.Scatter(
                x=line[0],
                y=line[1],
                mode="lines",
                name="w0 + w1·x1 + w2·x2 = 0",
                line={"color": "#222222", "width": 3},
            )
        )
    if x is not None:
        fig.add_trace(
            go.Scatter(
                x=[x[0]],
                y=[x[1]],
                mode="markers",
                name="your input (x1, x2)",
                marker={"symbol": "star", "size": 16, "color": PALETTE[0]},
            )
        )
    # No locked aspect ratio: it would shrink the plot and strand the colour bar far away.
    fig.update_xaxes(title="x1", range=[-EXTENT, EXTENT])
    fig.update_yaxes(title="x2", range=[-EXTENT, EXTENT])
    fig.update_layout(
        height=520,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


@toolbar_clear
def activation_figure(
    z: np.ndarray,
    g: np.ndarray,
    closed_form: np.ndarray,
    autodiff: np.ndarray,
    name: str,
    threshold: float | None = None,
) -> go.Figure:
    """g(z), the closed-form g'(z) and the autodiff g'(z) (dotted, on top) against z.

    With ``threshold``, the stretches of z where g' < threshold are shaded: learning stalls there.
    """
    label = ACTIVATION_NAMES.get(name, name)
    fig = go.Figure()
    if threshold is not None:
        small = np.asarray(closed_form) < threshold
        for start, stop in _runs(small):
            fig.add_vrect(
                x0=float(z[start]),
                x1=float(z[stop]),
                fillcolor=PALETTE[5],
                opacity=0.12,
                line_width=0,
                layer="below",
            )
    fig.add_trace(
        go.Scatter(x=z, y=g, mode="lines", name=f"g = {label}", line={"color": PALETTE[0]})
    )
    fig.add_trace(
        go.Scatter(
            x=z,
            y=closed_form,
            mode="lines",
            name="g' formula",
            line={"color": PALETTE[3], "width": 4},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=z,
            y=autodiff,
            mode="lines",
            name="g' GradientTape",
            line={"color": "#222222", "width": 2, "dash": "dot"},
        )
    )
    fig.update_xaxes(title="z")
    fig.update_layout(
        height=340,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": -0.25},
        hovermode="x unified",
    )
    return fig


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in ``mask``."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(np.asarray(mask, dtype=bool)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs
