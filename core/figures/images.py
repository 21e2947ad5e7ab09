"""Image classification figures: the confusion matrix, digit grids and first-layer features."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import heatmap, toolbar_clear


@toolbar_clear
def confusion_figure(matrix: np.ndarray) -> go.Figure:
    """The 10x10 confusion matrix as a heatmap: rows true digits, columns predicted ones."""
    labels = [str(d) for d in range(len(matrix))]
    fig = heatmap(matrix, labels, labels, "test images")
    fig.update_xaxes(title="predicted digit", tickangle=0)
    fig.update_yaxes(title="true digit")
    fig.update_layout(height=420)
    return fig


@toolbar_clear
def image_grid(
    images: np.ndarray,
    titles: Sequence[str],
    columns: int = 8,
    colorscale: str = "gray_r",
    symmetric: bool = False,
    hover: str = "pixel (%{y}, %{x}) = %{z:.2f}",
) -> go.Figure:
    """Small images in a grid, each with its title; ``symmetric`` centres the colours on 0."""
    from plotly.subplots import make_subplots

    images = np.asarray(images, dtype=float)
    count = len(images)
    columns = max(1, min(columns, count))
    rows = max(1, int(np.ceil(count / columns)))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=list(titles),
        horizontal_spacing=0.02,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )
    limit = float(np.abs(images).max()) if count and symmetric else None
    for i, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(
                z=image,
                colorscale=colorscale,
                zmid=0.0 if symmetric else None,
                zmin=-limit if limit else None,
                zmax=limit if limit else None,
                showscale=False,
                hovertemplate=hover + "<extra></extra>",
            ),
            row=i // columns + 1,
            col=i % columns + 1,
        )
    fig.update_yaxes(autorange="reversed", visible=False, scaleanchor="x")
    fig.update_xaxes(visible=False)
    fig.update_annotations(font_size=12)
    fig.update_layout(height=150 * rows + 30, margin={"l": 0, "r": 0, "t": 30, "b": 0})
    return fig


@toolbar_clear
def weights_figure(weights: np.ndarray, columns: int = 8) -> go.Figure:
    """First-layer weights, one 8x8 image per hidden unit: red adds to the unit, blue takes away."""
    titles = [f"unit {i + 1}" for i in range(len(weights))]
    return image_grid(
        weights, titles, columns, colorscale="RdBu_r", symmetric=True, hover="weight %{z:.3f}"
    )


@toolbar_clear
def misclassified_figure(
    images: np.ndarray, true: Sequence[int], predicted: Sequence[int], columns: int = 8
) -> go.Figure:
    """Test images the network got wrong, titled with the true and the predicted digit."""
    titles = [f"true {t} · pred {p}" for t, p in zip(true, predicted, strict=True)]
    return image_grid(images, titles, columns)


@toolbar_clear
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
