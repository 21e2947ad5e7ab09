"""Figures for sequence models: text lengths against the sequence length, what convolution
filters respond to along a text, a prediction as the words arrive, and the word-order probe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import LINE_COLOURS, PALETTE, heatmap, toolbar_clear

CUT_COLOUR = "#E4572E"


@toolbar_clear
def length_figure(counts: np.ndarray, length: int, proposed: int | None = None) -> go.Figure:
    """A histogram of the texts' token counts, the kept part and the cut part in two colours,
    with the sequence length (and the proposed one, when different) marked."""
    counts = np.asarray(counts, dtype=np.int64)
    top = int(counts.max()) if len(counts) else 1
    bins = max(1, int(np.ceil((top + 1) / 60)))  # at most about 60 bars
    edges = np.arange(0, top + bins + 1, bins)
    hist, _ = np.histogram(counts, bins=edges)
    starts = edges[:-1]
    kept = starts < length
    fig = go.Figure()
    for name, mask, colour in (
        ("kept whole", kept, PALETTE[0]),
        ("cut at the end", ~kept, CUT_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                x=starts[mask] + bins / 2,
                y=hist[mask],
                width=bins,
                name=name,
                marker_color=colour,
                hovertemplate="%{y} texts of about %{x:.0f} tokens<extra></extra>",
            )
        )
    fig.add_vline(
        x=length, line_dash="dash", line_color=CUT_COLOUR, annotation_text=f"length {length}"
    )
    if proposed is not None and proposed != length:
        fig.add_vline(
            x=proposed,
            line_dash="dot",
            line_color=LINE_COLOURS[6],
            annotation_text=f"proposed {proposed}",
            annotation_position="bottom right",
        )
    fig.update_xaxes(title="tokens in a training text")
    fig.update_yaxes(title="texts")
    fig.update_layout(
        barmode="overlay",
        height=300,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        legend={"orientation": "h", "y": 1.12, "x": 0},
    )
    return fig


@toolbar_clear
def filter_figure(
    activations: np.ndarray, filters: Sequence[int], windows: Sequence[str]
) -> go.Figure:
    """A heatmap: one row per filter, one column per window of words along the text."""
    rows = [f"filter {f + 1}" for f in filters]
    fig = heatmap(
        activations,
        rows,
        list(windows),
        colorbar_title="activation",
        zmin=0.0,
        show_values=len(windows) <= 20,
    )
    fig.update_xaxes(title="window of words, by its first word's position")
    return fig


@toolbar_clear
def prefix_figure(labels: Sequence[str], probabilities: Sequence[float], label: str) -> go.Figure:
    """A line: the probability of ``label`` after each word (``labels`` along the axis)."""
    fig = go.Figure(
        go.Scatter(
            x=list(labels),
            y=list(probabilities),
            mode="lines+markers",
            name=f"P({label})",
            line={"color": LINE_COLOURS[0], "width": 2},
            hovertemplate="after %{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.add_hline(y=0.5, line_dash="dot", line_color=LINE_COLOURS[6])
    fig.update_xaxes(title="words read so far", type="category", tickangle=-45)
    fig.update_yaxes(title=f"probability of {label!r}", range=[-0.02, 1.02])
    fig.update_layout(height=340, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig


@toolbar_clear
def probe_figure(scores: Mapping[str, float], chance: float, measure: str) -> go.Figure:
    """Bars of each model's ``measure`` on the word-order probe, with chance marked."""
    names = list(scores)
    colours = [PALETTE[0] if i % 2 == 0 else PALETTE[4] for i in range(len(names))]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=[scores[n] for n in names],
            marker_color=colours,
            text=[f"{scores[n]:.2f}" for n in names],
            textposition="outside",
            hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.add_hline(
        y=chance, line_dash="dash", line_color=CUT_COLOUR, annotation_text=f"chance {chance:.2f}"
    )
    fig.update_yaxes(title=measure, range=[0, 1.1])
    fig.update_layout(height=320, margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return fig
