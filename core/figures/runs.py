"""Runs overlaid: one curve per selected run, so their training can be compared by eye."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from core.figures.common import toolbar_clear
from core.figures.palette import LINE_COLOURS

# One colour per run, readable on the light page and the dark one alike.
RUN_COLOURS = LINE_COLOURS


@toolbar_clear
def runs_overlay_figure(
    curves: Mapping[str, Sequence[float]],
    y_title: str = "loss",
    dashed: Sequence[str] = (),
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """``curves`` maps a trace name (``#2 playground · val_loss``) to its per-epoch values.

    Epochs count from 1. Names listed in ``dashed`` are drawn dashed (validation curves). A
    run's curves share a colour: ``colours[run label]`` when given (the part of the name before
    `` · ``), else the next of :data:`RUN_COLOURS`.
    """
    fig = go.Figure()
    run_colour: dict[str, str] = dict(colours or {})
    assigned = 0
    for name, values in curves.items():
        run = name.split(" · ")[0]
        if run not in run_colour:
            run_colour[run] = RUN_COLOURS[assigned % len(RUN_COLOURS)]
            assigned += 1
        colour = run_colour[run]
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=list(values),
                mode="lines+markers" if len(values) < 40 else "lines",
                name=name,
                line={"color": colour, "width": 2, "dash": "dash" if name in dashed else "solid"},
            )
        )
    longest = max((len(values) for values in curves.values()), default=0)
    # Whole epochs only: with a few epochs Plotly would otherwise tick 1.5, 2.5, ...
    fig.update_xaxes(title="epoch", tickformat="d", dtick=1 if longest <= 12 else None)
    fig.update_yaxes(title=y_title)
    fig.update_layout(
        height=380, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": -0.2}
    )
    return fig
