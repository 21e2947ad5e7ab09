"""One-hot versus embedding: similarity heatmaps, 3-D word arrows and the memory chart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, heatmap, toolbar_clear


@toolbar_clear
def similarity_heatmap(similarity: np.ndarray, labels: Sequence[str]) -> go.Figure:
    """Pairwise cosine on a fixed -1..1 diverging scale, so 0 (unrelated) is always white."""
    fig = heatmap(
        similarity, labels, labels, "cosine", zmin=-1.0, zmax=1.0, show_values=len(labels) <= 15
    )
    fig.update_traces(colorscale="RdBu", zmid=0.0)
    return fig


@toolbar_clear
def word_arrows_figure(
    words: Sequence[str],
    vectors: np.ndarray,
    axis_titles: Sequence[str] = ("x", "y", "z"),
    height: int = 420,
) -> go.Figure:
    """Each word as an arrow from the origin to its 3-D vector, like the talk's slide."""
    points = np.asarray(vectors, dtype=float).reshape(len(words), 3)
    fig = go.Figure()
    for index, (word, (x, y, z)) in enumerate(zip(words, points, strict=True)):
        colour = PALETTE[index % len(PALETTE)] if index % len(PALETTE) != 2 else "#3A86FF"
        fig.add_trace(
            go.Scatter3d(
                x=[0, x],
                y=[0, y],
                z=[0, z],
                mode="lines+markers+text",
                line={"color": colour, "width": 6},
                marker={"size": [0, 5], "color": colour},
                text=["", word],
                textposition="top center",
                name=word,
                hovertemplate=f"{word}: (%{{x:.2f}}, %{{y:.2f}}, %{{z:.2f}})<extra></extra>",
            )
        )
        # A cone at the tip makes each line read as a direction, not a segment.
        fig.add_trace(
            go.Cone(
                x=[x],
                y=[y],
                z=[z],
                u=[x],
                v=[y],
                w=[z],
                sizemode="absolute",
                sizeref=0.12,
                anchor="tip",
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                hoverinfo="skip",
            )
        )
    low = float(min(0.0, points.min())) - 0.1 if len(points) else -0.1
    axis = {"range": [low, 1.1]}
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": 1.02},
        scene={
            "xaxis": {**axis, "title": {"text": axis_titles[0]}},
            "yaxis": {**axis, "title": {"text": axis_titles[1]}},
            "zaxis": {**axis, "title": {"text": axis_titles[2]}},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 1.6, "y": 1.4, "z": 0.9}},
        },
    )
    return fig


@toolbar_clear
def memory_figure(
    vocab_sizes: Sequence[int],
    one_hot_bytes: Sequence[float],
    dense_bytes: Sequence[float],
    chosen_vocab: int,
    dim: int,
) -> go.Figure:
    """Table size in bytes against V, log-log: one-hot grows as V^2, dense as V x d."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(vocab_sizes),
            y=list(one_hot_bytes),
            mode="lines",
            name="one-hot table, V x V x 4 bytes",
            line={"color": PALETTE[5], "width": 3},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(vocab_sizes),
            y=list(dense_bytes),
            mode="lines",
            name=f"dense table, V x {dim} x 4 bytes",
            line={"color": PALETTE[0], "width": 3},
        )
    )
    fig.add_vline(
        x=chosen_vocab,
        line_dash="dot",
        line_color=PALETTE[4],
        annotation_text=f"V = {chosen_vocab:,}",
    )
    # Plotly's own log ticks say "10B" for ten billion, which reads as ten bytes here.
    top = max([*one_hot_bytes, *dense_bytes, 1])
    powers = [k for k in range(1, 6) if 1024 ** (k - 1) <= top * 1024]
    units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
    fig.update_yaxes(
        type="log",
        title="table size (float32)",
        tickvals=[1024**k for k in powers],
        ticktext=[f"1 {units[k - 1]}" for k in powers],
    )
    decades = [10**e for e in range(0, 10) if min(vocab_sizes) <= 10**e <= max(vocab_sizes)]
    fig.update_xaxes(
        type="log",
        title="vocabulary size V",
        tickvals=decades,
        ticktext=[f"{v:,}" for v in decades],
    )
    fig.update_traces(hovertemplate="V = %{x:,}: %{y:,.0f} bytes")
    fig.update_layout(
        height=360, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": 1.15}
    )
    return fig
