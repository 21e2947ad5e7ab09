"""The Playground's neuron pictures: one small heatmap per hidden unit, a row per layer."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.common import toolbar_clear
from core.nn.neurons import NeuronMaps

# Diverging around zero: a unit's sign matters (tanh, linear), and ReLU's zero reads as white.
NEURON_SCALE = [[0.0, "#B45F06"], [0.5, "#F7F7F7"], [1.0, "#0B5394"]]


@toolbar_clear
def neuron_maps_figure(maps: NeuronMaps) -> go.Figure:
    """A grid of small heatmaps: row ``k`` is hidden layer ``k``, each cell one unit's
    activation over the input square, each on its own colour range (what matters is where a
    unit is high or low, not how high)."""
    rows = len(maps.layers)
    cols = max((layer.shape[0] for layer in maps.layers), default=1)
    fig = make_subplots(
        rows=max(rows, 1),
        cols=cols,
        horizontal_spacing=0.02,
        vertical_spacing=0.08,
        row_titles=[
            f"layer {k + 1}"
            + (f" (first {layer.shape[0]} of {units})" if layer.shape[0] < units else "")
            for k, (layer, units) in enumerate(zip(maps.layers, maps.units, strict=True))
        ]
        or None,
    )
    for k, layer in enumerate(maps.layers):
        for u, grid in enumerate(layer):
            peak = float(abs(grid).max()) or 1.0
            fig.add_trace(
                go.Heatmap(
                    z=grid,
                    x=maps.axis,
                    y=maps.axis,
                    zmin=-peak,
                    zmax=peak,
                    colorscale=NEURON_SCALE,
                    showscale=False,
                    hovertemplate=f"layer {k + 1}, unit {u + 1}<br>x1=%{{x:.1f}}, x2=%{{y:.1f}}"
                    "<br>activation %{z:.3f}<extra></extra>",
                ),
                row=k + 1,
                col=u + 1,
            )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_layout(
        title={
            "text": f"What each hidden neuron responds to (epoch {maps.epoch})",
            "font": {"size": 14},
        },
        height=110 * max(rows, 1) + 60,
        margin={"l": 10, "r": 60, "t": 40, "b": 10},
        # Transparent, so the page's own colour shows around the squares in either theme.
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig
