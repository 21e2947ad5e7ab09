"""Figures for word2vec's training examples: the sliding window and how pair counts grow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear

TARGET_COLOUR = PALETTE[3]
CONTEXT_COLOUR = PALETTE[4]
OTHER_COLOUR = "#BBBBBB"
SKIPGRAM_COLOUR = PALETTE[0]
CBOW_COLOUR = PALETTE[5]


BASE = 0.2  # arcs start just above or below the word markers


def _arc_height(distance: int) -> float:
    # Farther neighbours get taller arcs, so arcs on the same side never hide each other.
    return 0.15 + 0.12 * distance


def _arc(
    x0: float, x1: float, base: float, height: float, points: int = 40
) -> tuple[np.ndarray, np.ndarray]:
    """A half-ellipse from (x0, base) to (x1, base) rising by ``height`` (negative: down)."""
    t = np.linspace(0.0, np.pi, points)
    xs = (x0 + x1) / 2 - (x1 - x0) / 2 * np.cos(t)
    ys = base + height * np.sin(t)
    return xs, ys


def _shorten(word: str, max_chars: int | None) -> str:
    if max_chars is None or len(word) <= max_chars:
        return word
    return word[: max(max_chars - 1, 1)] + "…"


@toolbar_clear
def window_figure(tokens: Sequence[str], position: int, context: Sequence[int]) -> go.Figure:
    """The sentence in a row with the target at ``position`` and its ``context`` positions
    highlighted, skip-gram's arrows target -> context above the words and CBOW's arrows
    context -> target below them. The shaded band is the window."""
    n = len(tokens)
    fig = go.Figure()
    if context:
        low, high = min(min(context), position), max(max(context), position)
        fig.add_shape(
            type="rect",
            x0=low - 0.45,
            x1=high + 0.45,
            y0=-0.16,
            y1=0.16,
            fillcolor=CONTEXT_COLOUR,
            opacity=0.15,
            line={"color": CONTEXT_COLOUR, "width": 1, "dash": "dot"},
            layer="below",
        )
    arrows = (
        (1, SKIPGRAM_COLOUR, "skip-gram: target → context"),
        (-1, CBOW_COLOUR, "CBOW: context → target"),
    )
    for sign, colour, name in arrows:
        first = True
        for j in context:
            xs, ys = _arc(position, j, sign * BASE, sign * _arc_height(abs(j - position)))
            if sign < 0:
                xs, ys = xs[::-1], ys[::-1]  # CBOW runs from the context word to the target
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": colour, "width": 2},
                    name=name,
                    legendgroup=name,
                    showlegend=first,
                    hoverinfo="skip",
                )
            )
            first = False
            fig.add_annotation(
                x=xs[-1],
                y=ys[-1],
                ax=xs[-4],
                ay=ys[-4],
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.3,
                arrowwidth=2,
                arrowcolor=colour,
                text="",
            )
    in_context = set(context)
    roles = [
        "target" if i == position else "context" if i in in_context else "outside" for i in range(n)
    ]
    colours = {"target": TARGET_COLOUR, "context": CONTEXT_COLOUR, "outside": OTHER_COLOUR}
    font_size = 15 if n <= 12 else 12 if n <= 20 else 10
    # Long sentences leave each word a narrow box: shorten its label, the hover has it whole.
    max_chars = 180 // n if n > 12 else None
    labels = {"target": "target", "context": "context", "outside": "outside window"}
    for role, label in labels.items():
        idx = [i for i in range(n) if roles[i] == role]
        if not idx:
            continue
        # A box per word behind its label: a marker would sit on top of the text.
        for i in idx:
            fig.add_shape(
                type="rect",
                x0=i - 0.46,
                x1=i + 0.46,
                y0=-0.1,
                y1=0.1,
                fillcolor=colours[role],
                opacity=0.9 if role != "outside" else 0.5,
                line={"width": 0},
                layer="below",
            )
        fig.add_trace(
            go.Scatter(
                x=idx,
                y=[0] * len(idx),
                mode="text",
                text=[_shorten(tokens[i], max_chars) for i in idx],
                textposition="middle center",
                textfont={"size": font_size, "color": "#111111"},
                customdata=[[i, tokens[i]] for i in idx],
                hovertemplate="position %{customdata[0]}: %{customdata[1]}<extra>"
                + label
                + "</extra>",
                name=label,
                # The legend entry below shows the box colour; this trace's text is black.
                legendgroup=label,
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 12, "color": colours[role]},
                name=label,
                legendgroup=label,
                hoverinfo="skip",
            )
        )
    reach = BASE + _arc_height(max((abs(j - position) for j in context), default=1))
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(n)),
            "ticktext": [str(i) for i in range(n)],
            "title": {"text": "position in the sentence"},
            "range": [-0.8, n - 0.2],
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={"visible": False, "range": [-reach - 0.15, reach + 0.15]},
    )
    return fig


@toolbar_clear
def pair_growth_figure(counts: Mapping[int, int], current: int) -> go.Figure:
    """Bars of skip-gram pair count per window size, the ``current`` window highlighted."""
    windows = list(counts)
    fig = go.Figure(
        go.Bar(
            x=windows,
            y=[counts[w] for w in windows],
            text=[counts[w] for w in windows],
            textposition="outside",
            marker={"color": [TARGET_COLOUR if w == current else SKIPGRAM_COLOUR for w in windows]},
            hovertemplate="window %{x}: %{y} skip-gram pairs<extra></extra>",
            name="skip-gram pairs",
        )
    )
    top = max(counts.values(), default=0)
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        xaxis={"title": {"text": "window size"}, "tickmode": "array", "tickvals": windows},
        yaxis={"title": {"text": "skip-gram pairs"}, "range": [0, max(top, 1) * 1.2]},
        showlegend=False,
    )
    return fig
