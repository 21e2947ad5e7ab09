"""Figure parts every topic shares: the palette's colours, a labelled heatmap and a bar chart.

Figures leave colours of the page (background, fonts) to the caller's theme, so they read well
in light and dark mode alike.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

# The colours live in core.figures.palette, one per meaning; these two stay importable here.
from core.figures.palette import LINE_COLOURS, PALETTE  # noqa: F401

# Plotly draws its toolbar (zoom, download…) over the top right of a chart. Every figure gets a
# strip this tall above everything it draws, so the toolbar covers no title, legend, colour-bar
# title, bar label or curve top.
TOOLBAR_STRIP = 32
# Plotly's top margin when a figure sets none.
PLOTLY_TOP_MARGIN = 100


def clear_of_toolbar(fig: go.Figure) -> go.Figure:
    """``fig`` with :data:`TOOLBAR_STRIP` pixels added to its top margin (and to its height, so
    the plot keeps its size), and its title anchored to the plot, below the strip. Applying it
    again to the same figure adds nothing, unless the margin was set anew in between."""
    layout = fig.layout
    meta = dict(layout.meta) if isinstance(layout.meta, dict) else {}
    top = layout.margin.t
    if top is not None and meta.get("toolbar_top") == top:
        return fig
    new_top = (PLOTLY_TOP_MARGIN if top is None else top) + TOOLBAR_STRIP
    update: dict = {"margin": {"t": new_top}, "meta": {**meta, "toolbar_top": new_top}}
    if layout.height is not None:
        update["height"] = layout.height + TOOLBAR_STRIP
    if layout.title.text:
        update["title"] = {"yref": "paper", "y": 1, "yanchor": "bottom", "x": 0, "xanchor": "left"}
    fig.update_layout(**update)
    return fig


def toolbar_clear(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Decorator for figure builders: their figure comes back :func:`clear_of_toolbar`."""

    @functools.wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        return clear_of_toolbar(builder(*args, **kwargs))

    build.toolbar_clear = True  # type: ignore[attr-defined]
    return build


def decade_ticks(values: Sequence[float]) -> dict:
    """Axis settings for a log axis labelled at powers of ten only (``1, 10, 100`` or
    ``10⁻³ … 10¹²``), with unlabelled minor ticks between. When fewer than two powers of ten fall
    within the finite positive ``values``, 2× and 5× steps are labelled too, so the axis is
    never bare."""
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    settings: dict = {"type": "log", "exponentformat": "power", "minor": {"ticks": "outside"}}
    if not finite:
        return settings
    low, high = min(finite), max(finite)
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [10.0**k for k in powers if low <= 10.0**k <= high]
    if len(ticks) < 2:
        steps = [m * 10.0**k for k in powers for m in (1, 2, 5)]
        ticks = [t for t in steps if low <= t <= high] or [10.0 ** powers[0]]
    return {**settings, "tickvals": ticks}


@toolbar_clear
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


@toolbar_clear
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
