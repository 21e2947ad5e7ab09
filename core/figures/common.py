"""Figure parts every topic shares: the palettes, a labelled heatmap and a bar chart.

Figures leave colours of the page (background, fonts) to the caller's theme, so they read well
in light and dark mode alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

PALETTE = ["#6C4AB6", "#8D72E1", "#B9E0FF", "#F4A261", "#2A9D8F", "#E76F51"]

# Colours for lines and curves drawn straight on the page: each has a contrast of at least 3
# against both Streamlit's white page and its dark one (relative luminance between about 0.13
# and 0.30), so a curve reads in either theme. Some of PALETTE's are too dark (#6C4AB6) or too
# pale (#B9E0FF, #F4A261) for one of the two; they stay for fills and areas.
LINE_COLOURS = [
    "#7A5CCF",  # purple
    "#E4572E",  # orange-red
    "#2A9D8F",  # teal
    "#3D8BD9",  # blue
    "#B5479B",  # magenta
    "#4F9D69",  # green
    "#7C7C7C",  # grey
    "#8C564B",  # brown
]


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
