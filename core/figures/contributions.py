"""Figures for explaining one prediction: class probabilities and each word's contribution.

Words and labels come from users, so they are HTML-escaped: Plotly reads tags such as ``<a>``
and ``<b>`` in labels and hover text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from core.classifier.contributions import SCALES, WordContribution
from core.classifier.contributions_display import largest_abs, shade, top_contributions
from core.figures.common import PALETTE, toolbar_clear


@toolbar_clear
def probabilities_figure(probabilities: Sequence[tuple[str, float]]) -> go.Figure:
    """Horizontal bars of ``(label, probability)`` pairs on a fixed 0..1 axis, first on top."""
    labels = [html.escape(label) for label, _ in probabilities]
    values = [p for _, p in probabilities]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=[PALETTE[0]] + [PALETTE[1]] * (len(values) - 1),
            text=[f"{p:.1%}" for p in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="probability", range=[0, 1])
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=max(160, 34 * len(labels) + 80)
    )
    return fig


def contribution_axis_title(target_label: str, scale: str = "log_odds") -> str:
    """What the bars measure: the change in the target's log-odds or in its probability."""
    target = html.escape(target_label)
    if scale == "probability":
        return f"contribution to p({target})"
    return f"contribution to the log-odds of {target}"


@toolbar_clear
def contributions_figure(
    contributions: Sequence[WordContribution],
    target_label: str,
    n: int = 15,
    scale: str = "log_odds",
) -> go.Figure:
    """The ``n`` word occurrences with the largest absolute contribution as horizontal bars,
    largest on top, each in the shade its word has in the highlighted text (the same
    :func:`~core.classifier.contributions_display.shade`): warm towards ``target_label``, teal
    away from it. Each bar is named ``position. word`` so repeated words stay apart; the axis
    names the ``scale`` (one of ``core.classifier.contributions.SCALES``)."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {list(SCALES)}")
    shown = top_contributions(contributions, n)
    names = [f"{c.position + 1}. {html.escape(c.word)}" for c in shown]
    values = [c.contribution for c in shown]
    strongest = largest_abs(contributions)
    colours = [shade(v, strongest) for v in values]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=colours,
            customdata=[html.escape(c.term) for c in shown],
            hovertemplate="%{y} (term %{customdata}): %{x:+.4f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_width=1, line_color="#888888")
    fig.update_yaxes(autorange="reversed", type="category")
    # Powers of ten, not SI prefixes: "20µ" reads as a unit, not as a change in probability.
    fig.update_xaxes(
        title=contribution_axis_title(target_label, scale),
        zeroline=False,
        exponentformat="power",
    )
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=max(220, 24 * len(names) + 80)
    )
    return fig
