"""The map of the talk: AI ⊃ ML ⊃ DL drawn as three nested regions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear


@toolbar_clear
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


def _ellipse_path(cx: float, cy: float, rx: float, ry: float, points: int = 90) -> str:
    angles = np.linspace(0, 2 * np.pi, points)
    xs = cx + rx * np.cos(angles)
    ys = cy + ry * np.sin(angles)
    return "M " + " L ".join(f"{x:.3f},{y:.3f}" for x, y in zip(xs, ys, strict=True)) + " Z"
