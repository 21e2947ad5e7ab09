"""Playground figures: the decision boundary with the data on top, and train/test loss curves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import toolbar_clear
from core.figures.palette import CLASS_COLOURS
from core.figures.palette import CLASS_SCALE as PROBABILITY_SCALE
from core.figures.training import curves_figure

# Orange for class 0, blue for class 1 (the palette's, as in the TensorFlow Playground); white
# in between marks where the model is unsure, so the boundary stands out in either theme.


def _points_trace(
    x: np.ndarray, y: np.ndarray, label: int, split: str, symbol: str, show: bool
) -> go.Scatter:
    chosen = np.asarray(y).ravel() == label
    test = split == "test"
    return go.Scatter(
        x=x[chosen, 0],
        y=x[chosen, 1],
        mode="markers",
        name=f"{split}, class {label}",
        showlegend=show,
        marker={
            "symbol": symbol,
            "size": 8 if test else 6,
            "color": CLASS_COLOURS[label],
            # Test points get a dark outline so they stay distinct from training points.
            "line": {"width": 1.5 if test else 0.6, "color": "#222222" if test else "#FFFFFF"},
        },
        hovertemplate=f"{split}, class {label}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}<extra></extra>",
    )


@toolbar_clear
def boundary_figure(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    xs: np.ndarray | None = None,
    ys: np.ndarray | None = None,
    probability: np.ndarray | None = None,
    title: str = "",
    height: int = 460,
    show_legend: bool = True,
) -> go.Figure:
    """The model's probability of class 1 as a heatmap (with its 0.5 line), and the points on top.

    ``probability[i, j]`` belongs to ``(xs[j], ys[i])``; without it only the points are drawn.
    Training points are circles, test points outlined diamonds; colour is the true class.
    """
    fig = go.Figure()
    if probability is not None and xs is not None and ys is not None:
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=ys,
                z=probability,
                zmin=0.0,
                zmax=1.0,
                zsmooth="best",
                colorscale=PROBABILITY_SCALE,
                colorbar={"title": {"text": "P(class 1)"}, "len": 0.8, "thickness": 14},
                hovertemplate="x1=%{x:.2f}, x2=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Contour(
                x=xs,
                y=ys,
                z=probability,
                contours={"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "none"},
                line={"color": "#333333", "width": 2, "dash": "dot"},
                showscale=False,
                hoverinfo="skip",
                name="boundary (P = 0.5)",
                showlegend=False,
            )
        )
    for label in (0, 1):
        fig.add_trace(_points_trace(x_train, y_train, label, "train", "circle", show_legend))
    for label in (0, 1):
        fig.add_trace(_points_trace(x_test, y_test, label, "test", "diamond", show_legend))
    limit = 1.1 if xs is None else float(max(np.abs(xs).max(), 1.0))
    fig.update_xaxes(title="x1", range=[-limit, limit], constrain="domain")
    fig.update_yaxes(title="x2", range=[-limit, limit], scaleanchor="x", constrain="domain")
    fig.update_layout(
        height=height,
        title={"text": title, "x": 0.0, "font": {"size": 15}} if title else None,
        margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


@toolbar_clear
def loss_curves_figure(
    history: dict[str, list[float]], total_epochs: int | None = None
) -> go.Figure:
    """Train and test loss per epoch (the test split is what Keras calls validation data here)."""
    fig = curves_figure(history, keys=("loss", "val_loss"), total_epochs=total_epochs)
    fig.for_each_trace(lambda trace: trace.update(name=trace.name.replace("validation", "test")))
    return fig
