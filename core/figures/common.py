"""Figures shared by several pages: the map of the talk, heatmaps, bars, datasets.

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


def _ellipse_path(cx: float, cy: float, rx: float, ry: float, points: int = 90) -> str:
    angles = np.linspace(0, 2 * np.pi, points)
    xs = cx + rx * np.cos(angles)
    ys = cy + ry * np.sin(angles)
    return "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in zip(xs, ys, strict=True)) + " Z"


def ai_ml_dl_figure() -> go.Figure:
    """Three nested regions: deep learning inside machine learning inside artificial intelligence."""
    rings = [
        (
            "Artificial intelligence",
            "Any technique that lets computers mimic human behaviour",
            (0.0, 0.0, 3.0, 2.0),
            PALETTE[2],
        ),
        (
            "Machine learning",
            "Learns from data without being explicitly programmed",
            (0.45, -0.25, 2.1, 1.45),
            PALETTE[1],
        ),
        (
            "Deep learning",
            "Neural networks that extract patterns from data",
            (0.9, -0.5, 1.2, 0.85),
            PALETTE[0],
        ),
    ]
    fig = go.Figure()
    for name, blurb, (cx, cy, rx, ry), colour in rings:
        fig.add_shape(
            type="path",
            path=_ellipse_path(cx, cy, rx, ry),
            fillcolor=colour,
            # Nearly opaque, so each label sits on its ring's own pale or dark colour whatever
            # the page behind: at 0.55 the rings turned murky grey on a dark page.
            opacity=0.9,
            layer="below",
            line={"color": colour, "width": 2},
        )
        # The label sits in the band between this ring's top and the next ring's, centred, so
        # it never spills off the ring onto the page. It carries the hover text.
        fig.add_trace(
            go.Scatter(
                x=[cx],
                y=[cy + ry - 0.4 if name != "Deep learning" else cy],
                mode="text",
                text=[f"<b>{name}</b>"],
                textposition="middle center",
                # Dark text on the pale rings, white on the dark inner one, in either theme.
                textfont={
                    "size": 16 if name != "Deep learning" else 15,
                    "color": "#FFFFFF" if name == "Deep learning" else "#2B1A5A",
                },
                hovertext=[blurb],
                hoverinfo="text",
                name=name,
            )
        )
    fig.update_xaxes(visible=False, range=[-3.2, 3.2])
    fig.update_yaxes(visible=False, range=[-2.2, 2.2], scaleanchor="x")
    fig.update_layout(showlegend=False, height=360, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig


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


def cosine_heatmap(similarity: np.ndarray, labels: Sequence[str]) -> go.Figure:
    """Pairwise cosine similarity between documents, on a fixed 0..1 scale."""
    return heatmap(
        similarity, labels, labels, "cosine", zmin=0.0, zmax=1.0, show_values=len(labels) <= 15
    )


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


def digits_figure(images: np.ndarray, labels: Sequence[int], columns: int = 10) -> go.Figure:
    """A grid of 8x8 digit images, each titled with its label (the Y for that X)."""
    from plotly.subplots import make_subplots

    count = len(images)
    rows = int(np.ceil(count / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[f"Y = {label}" for label in labels],
        horizontal_spacing=0.01,
        vertical_spacing=0.08,
    )
    for i, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(
                z=image,
                colorscale="gray_r",
                showscale=False,
                hovertemplate="pixel (%{y}, %{x}) = %{z}<extra></extra>",
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_layout(height=130 * rows + 40, margin={"l": 0, "r": 0, "t": 30, "b": 0})
    return fig
