"""Figures for judging a text classifier: confusion matrix, ROC and precision-recall curves
with the current threshold marked, scores by true class, and models side by side.

Inputs are the plain tables and numbers from :mod:`core.classifier.metrics`,
:mod:`core.classifier.curves` and :mod:`core.classifier.baselines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.classifier.curves import OperatingPoint
from core.figures.common import PALETTE, toolbar_clear
from core.figures.palette import BASELINE_COLOURS, CLASS_COLOURS, NETWORK_COLOUR

MODEL_COLOUR = NETWORK_COLOUR
POINT_COLOUR = PALETTE[3]
CHANCE_COLOUR = "#999999"
# Other models' curves and bars: the baselines' colours, never the network's.
OTHER_COLOURS = list(BASELINE_COLOURS)


@toolbar_clear
def confusion_figure(table: pd.DataFrame) -> go.Figure:
    """A confusion matrix (true classes as rows, predicted as columns, as from
    :func:`core.classifier.metrics.confusion`). Each cell shows its count and its share of the true class's
    row; colour follows that share, so a rare class's errors show as clearly as a common one's."""
    counts = table.to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    text = [
        [f"{int(c)}<br>{s:.1%}" for c, s in zip(row_c, row_s, strict=True)]
        for row_c, row_s in zip(counts, share, strict=True)
    ]
    rows = [str(r) for r in table.index]
    columns = [str(c) for c in table.columns]
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=columns,
            y=rows,
            zmin=0.0,
            zmax=1.0,
            colorscale="Purples",
            text=text,
            texttemplate="%{text}",
            customdata=counts,
            colorbar={"title": {"text": "share of row"}, "tickformat": ".0%"},
            hovertemplate=(
                "true %{y}, predicted %{x}: %{customdata:.0f} texts (%{z:.1%} of the row)"
                "<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", title="true class")
    fig.update_xaxes(type="category", title="predicted class", side="bottom")
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=max(300, 60 * len(rows) + 140)
    )
    return fig


def _point_label(point: OperatingPoint) -> str:
    return f"threshold {point.threshold:.2f}"


@toolbar_clear
def roc_figure(
    points: pd.DataFrame,
    auc: float,
    point: OperatingPoint | None = None,
    name: str = "model",
    others: Mapping[str, tuple[pd.DataFrame, float]] | None = None,
) -> go.Figure:
    """ROC curve (``points`` from :func:`core.classifier.curves.roc_points`) with its AUC in the legend,
    the chance diagonal, and a marker where ``point`` (the current threshold) sits. ``others``:
    more models' ``(points, auc)`` drawn thinner for comparison."""
    fig = go.Figure(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="chance (AUC 0.5)",
            line={"color": CHANCE_COLOUR, "dash": "dash", "width": 1},
            hoverinfo="skip",
        )
    )
    for index, (other, (other_points, other_auc)) in enumerate((others or {}).items()):
        fig.add_trace(
            _curve(other_points["fpr"], other_points["tpr"], None, other, "AUC", other_auc, index)
        )
    fig.add_trace(_curve(points["fpr"], points["tpr"], points["threshold"], name, "AUC", auc))
    if point is not None:
        fig.add_trace(
            _marker(
                point.fpr,
                point.tpr,
                _point_label(point),
                f"FPR {point.fpr:.3f}, TPR {point.tpr:.3f}",
            )
        )
    fig.update_xaxes(title="false positive rate", range=[-0.02, 1.02])
    fig.update_yaxes(title="true positive rate (recall)", range=[-0.02, 1.02])
    return _curve_layout(fig)


@toolbar_clear
def pr_figure(
    points: pd.DataFrame,
    average_precision: float,
    point: OperatingPoint | None = None,
    prevalence: float | None = None,
    name: str = "model",
    others: Mapping[str, tuple[pd.DataFrame, float]] | None = None,
) -> go.Figure:
    """Precision-recall curve (``points`` from :func:`core.classifier.curves.pr_points`) with its average
    precision in the legend, a marker at ``point`` (the current threshold), and the level a
    random ranking would get (``prevalence``, the share of positives) when given."""
    fig = go.Figure()
    if prevalence is not None:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[prevalence, prevalence],
                mode="lines",
                name=f"chance (AP {prevalence:.2f})",
                line={"color": CHANCE_COLOUR, "dash": "dash", "width": 1},
                hoverinfo="skip",
            )
        )
    for index, (other, (other_points, other_ap)) in enumerate((others or {}).items()):
        fig.add_trace(
            _curve(
                other_points["recall"],
                other_points["precision"],
                None,
                other,
                "AP",
                other_ap,
                index,
            )
        )
    fig.add_trace(
        _curve(
            points["recall"],
            points["precision"],
            points["threshold"],
            name,
            "AP",
            average_precision,
        )
    )
    if point is not None:
        fig.add_trace(
            _marker(
                point.recall,
                point.precision,
                _point_label(point),
                f"recall {point.recall:.3f}, precision {point.precision:.3f}",
            )
        )
    fig.update_xaxes(title="recall", range=[-0.02, 1.02])
    fig.update_yaxes(title="precision", range=[-0.02, 1.02])
    return _curve_layout(fig)


def _curve(x, y, thresholds, name: str, area: str, value: float, other: int | None = None):
    label = f"{name} ({area} {value:.3f})" if np.isfinite(value) else f"{name} ({area} undefined)"
    main = other is None
    trace = go.Scatter(
        x=np.asarray(x, dtype=float),
        y=np.asarray(y, dtype=float),
        mode="lines",
        name=label,
        line={
            "color": MODEL_COLOUR if main else OTHER_COLOURS[other % len(OTHER_COLOURS)],
            "width": 3 if main else 1.5,
            "shape": "hv" if area == "AP" else "linear",
        },
    )
    if thresholds is not None:
        trace.customdata = np.asarray(thresholds, dtype=float)
        trace.hovertemplate = "(%{x:.3f}, %{y:.3f}) at threshold %{customdata:.3f}<extra></extra>"
    else:
        trace.hovertemplate = "(%{x:.3f}, %{y:.3f})<extra>" + name + "</extra>"
    return trace


def _marker(x: float, y: float, name: str, hover: str) -> go.Scatter:
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers",
        name=name,
        marker={"color": POINT_COLOUR, "size": 14, "line": {"color": "#000000", "width": 1}},
        hovertemplate=f"{name}: {hover}<extra></extra>",
    )


def _curve_layout(fig: go.Figure) -> go.Figure:
    fig.update_layout(
        height=420,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    return fig


@toolbar_clear
def probability_histogram(
    scores: np.ndarray,
    y_true: Sequence[int] | np.ndarray,
    label_names: Sequence[str],
    threshold: float | None = 0.5,
    bins: int = 20,
    x_title: str | None = None,
) -> go.Figure:
    """How the scores fall for each true class, one overlaid histogram per class.

    Binary: ``scores`` is P(positive) ``(n,)`` (or ``(n, 2)`` probabilities); a vertical line
    marks ``threshold``, texts right of it are predicted positive. More classes: ``scores`` is
    ``(n, k)`` and each text is placed at the probability it gave its true class (no threshold).
    """
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y_true)
    names = [str(n) for n in label_names]
    binary = len(names) == 2
    if binary:
        values = scores[:, 1] if scores.ndim == 2 else scores
        title = x_title or f"P({names[1]})"
    else:
        values = scores[np.arange(len(y)), y]
        title = x_title or "probability given to the true class"
    low, high = (
        (0.0, 1.0)
        if values.size and values.min() >= 0 and values.max() <= 1
        else (
            float(values.min(initial=0.0)),
            float(values.max(initial=1.0)),
        )
    )
    size = (high - low) / bins or 1.0
    fig = go.Figure()
    for c, name in enumerate(names):
        fig.add_trace(
            go.Histogram(
                x=values[y == c],
                name=f"true: {name}",
                xbins={"start": low, "end": high + 1e-9, "size": size},
                marker_color=CLASS_COLOURS[c % len(CLASS_COLOURS)],
                opacity=0.65,
                hovertemplate="%{x}: %{y} texts<extra>" + f"true {name}" + "</extra>",
            )
        )
    if binary and threshold is not None:
        fig.add_vline(
            x=threshold,
            line={"color": POINT_COLOUR, "width": 3, "dash": "dash"},
            annotation_text=f"threshold {threshold:.2f}",
            annotation_position="top",
        )
    fig.update_layout(
        barmode="overlay",
        height=340,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        # Below the chart: above it, the threshold's label would run into it at low thresholds.
        legend={"orientation": "h", "y": -0.3, "x": 0},
    )
    fig.update_xaxes(title=title, range=[low, high] if (low, high) == (0.0, 1.0) else None)
    fig.update_yaxes(title="texts")
    return fig


DEFAULT_BAR_METRICS = ("Accuracy", "F1", "MCC", "ROC-AUC", "PR-AUC")


@toolbar_clear
def metrics_bar_figure(
    table: pd.DataFrame, metrics: Sequence[str] = DEFAULT_BAR_METRICS
) -> go.Figure:
    """Grouped bars: one group per measure, one bar per model of a
    :func:`core.classifier.baselines.comparison_table`. The network (``Kind`` = ``network``) keeps the
    house purple; skipped models (NaN) are left out."""
    fig = go.Figure()
    others = 0
    for model, row in table.iterrows():
        values = pd.to_numeric(row[list(metrics)], errors="coerce")
        if values.isna().all():
            continue
        network = row.get("Kind") == "network"
        colour = MODEL_COLOUR if network else OTHER_COLOURS[others % len(OTHER_COLOURS)]
        others += 0 if network else 1
        fig.add_trace(
            go.Bar(
                x=list(metrics),
                y=values.to_numpy(dtype=float),
                name=str(model),
                marker_color=colour,
                text=[f"{v:.2f}" if np.isfinite(v) else "" for v in values],
                textposition="outside",
                hovertemplate="%{x}: %{y:.3f}<extra>" + str(model) + "</extra>",
            )
        )
    low = min(0.0, float(np.nanmin(table[list(metrics)].to_numpy(dtype=float), initial=0.0)))
    fig.update_yaxes(range=[low, 1.08], title="score")
    fig.update_layout(
        barmode="group",
        height=380,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": -0.12, "x": 0},
        uniformtext={"minsize": 8, "mode": "hide"},
    )
    return fig
