"""Figures for exploring and evaluating word vectors: neighbour cosines, the odd one out,
analogy accuracy per section and word-pair correlations, one colour per model."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear

MODEL_COLOURS = [PALETTE[0], PALETTE[3], PALETTE[4], PALETTE[5]]
ODD_COLOUR = PALETTE[5]


def _cosine_range(values: Sequence[float]) -> list[float]:
    """From 0 (or below, when a cosine is negative) to 1, with room for the labels."""
    low = min([0.0, *values])
    return [low - 0.05 if low < 0 else 0.0, 1.12]


@toolbar_clear
def neighbours_figure(neighbours: Sequence[tuple[str, float]], word: str) -> go.Figure:
    """Horizontal bars of each neighbour's cosine with ``word``, the closest on top."""
    words = [w for w, _ in neighbours]
    values = [s for _, s in neighbours]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=words,
            orientation="h",
            marker_color=PALETTE[0],
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"cos({word}, %{{y}}) = %{{x:.3f}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(
        title={"text": f"cosine similarity with '{word}'"}, range=_cosine_range(values)
    )
    fig.update_layout(
        height=max(240, 26 * len(words) + 80), margin={"l": 0, "r": 10, "t": 10, "b": 0}
    )
    return fig


@toolbar_clear
def odd_one_out_figure(scores: Sequence[tuple[str, float]], odd: str) -> go.Figure:
    """Each word's cosine with the mean of the others; the odd one (lowest) in its own colour."""
    words = [w for w, _ in scores]
    values = [s for _, s in scores]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=words,
            orientation="h",
            marker_color=[ODD_COLOUR if w == odd else PALETTE[1] for w in words],
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: cosine %{x:.3f} with the mean of the others<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(
        title={"text": "cosine with the mean of the other words"}, range=_cosine_range(values)
    )
    fig.update_layout(
        height=max(220, 30 * len(words) + 80), margin={"l": 0, "r": 10, "t": 10, "b": 0}
    )
    return fig


@toolbar_clear
def analogy_accuracy_figure(long_frame) -> go.Figure:
    """Horizontal grouped bars of analogy accuracy per section, one colour per model.

    ``long_frame`` has columns model, section, accuracy, asked, questions (see
    ``core.embeddings.evaluation.analogy_long``); sections run top to bottom in file order. A
    section where no question could be asked has no bar and says "none asked" instead of
    pretending to score zero.
    """
    fig = go.Figure()
    models = list(dict.fromkeys(long_frame["model"]))
    sections = list(dict.fromkeys(long_frame["section"]))
    for i, model in enumerate(models):
        rows = long_frame[long_frame["model"] == model]
        accuracy = [None if math.isnan(a) else a for a in rows["accuracy"]]
        fig.add_trace(
            go.Bar(
                y=list(rows["section"]),
                x=[a if a is not None else 0.0 for a in accuracy],
                orientation="h",
                name=model,
                marker_color=MODEL_COLOURS[i % len(MODEL_COLOURS)],
                text=[
                    f"{a:.0%} of {n:,} asked" if a is not None else "none asked"
                    for a, n in zip(accuracy, rows["asked"], strict=True)
                ],
                textposition="outside",
                textfont={"size": 11},
                constraintext="none",
                cliponaxis=False,
                customdata=list(zip(rows["asked"], rows["questions"], strict=True)),
                hovertemplate=(
                    "%{y}<br>accuracy %{x:.1%}<br>asked %{customdata[0]:,} of "
                    "%{customdata[1]:,} questions<extra>" + model.replace("<", "&lt;") + "</extra>"
                ),
            )
        )
    top = long_frame["accuracy"].max(skipna=True)
    top = 0.0 if top is None or math.isnan(top) else float(top)
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        height=80 + len(sections) * (14 * len(models) + 14),
        margin={"l": 0, "r": 10, "t": 40, "b": 0},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        xaxis={"title": {"text": "accuracy (share correct)"}, "tickformat": ".0%"},
        yaxis={"type": "category", "autorange": "reversed"},
    )
    # Room right of the longest bar for its label.
    fig.update_xaxes(range=[0, max(top * 1.4, 0.25)])
    return fig


@toolbar_clear
def pair_correlation_figure(long_frame) -> go.Figure:
    """Grouped bars of Spearman correlation per word-pair file, one colour per model."""
    fig = go.Figure()
    models = list(dict.fromkeys(long_frame["model"]))
    for i, model in enumerate(models):
        rows = long_frame[long_frame["model"] == model]
        rho = [None if math.isnan(v) else v for v in rows["Spearman"]]
        fig.add_trace(
            go.Bar(
                x=list(rows["dataset"]),
                y=[v if v is not None else 0.0 for v in rho],
                name=model,
                marker_color=MODEL_COLOURS[i % len(MODEL_COLOURS)],
                text=[f"{v:.2f}" if v is not None else "no pairs" for v in rho],
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(rows["scored"], rows["pairs"], strict=True)),
                hovertemplate=(
                    "%{x}<br>Spearman %{y:.3f}<br>%{customdata[0]:,} of %{customdata[1]:,} "
                    "pairs scored<extra>" + model.replace("<", "&lt;") + "</extra>"
                ),
            )
        )
    fig.update_layout(
        barmode="group",
        height=340,
        margin={"l": 0, "r": 10, "t": 40, "b": 0},
        legend={"orientation": "h", "y": 1.15, "x": 0},
        yaxis={"title": {"text": "Spearman correlation"}, "range": [-1, 1]},
    )
    fig.add_hline(y=0, line={"color": "#888888", "width": 1})
    return fig
