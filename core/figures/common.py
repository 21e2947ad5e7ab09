"""Figure parts every topic shares: the palette's colours, a labelled heatmap and a bar chart.

Figures leave colours of the page (background, fonts) to the caller's theme, so they read well
in light and dark mode alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

# The colours live in core.figures.palette, one per meaning; these two stay importable here.
from core.figures.palette import LINE_COLOURS, PALETTE  # noqa: F401


def heatmap(
    matrix: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    colorbar_title: str = "",
    zmin: float | None = None,
    zmax: float | None = None,
    show_values: bool = True,
) -> go.Figure:
    """A labelled heatmap, with each cell's value written in it when ``show_values``."""
    values = np.asarray(matrix, dtype=float)
    text = None
    if show_values:
        text = [
            [f"{v:.2f}".rstrip("0").rstrip(".") if v % 1 else f"{int(v)}" for v in row]
            for row in values
        ]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=list(col_labels),
            y=list(row_labels),
            zmin=zmin,
            zmax=zmax,
            colorscale="Purples",
            text=text,
            texttemplate="%{text}" if show_values else None,
            colorbar={"title": {"text": colorbar_title}},
            hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 30, "b": 0}, height=max(260, 28 * len(row_labels) + 120)
    )
    return fig


def bar_chart(
    labels: Sequence[str], values: Sequence[float], x_title: str, horizontal: bool = True
) -> go.Figure:
    """Bars in the given order (first label on top when horizontal)."""
    if horizontal:
        trace = go.Bar(x=list(values), y=list(labels), orientation="h", marker_color=PALETTE[0])
    else:
        trace = go.Bar(x=list(labels), y=list(values), marker_color=PALETTE[0])
    fig = go.Figure(trace)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(title=x_title)
    else:
        fig.update_yaxes(title=x_title)
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        height=max(240, 22 * len(labels) + 60) if horizontal else 320,
    )
    return fig
