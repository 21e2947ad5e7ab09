"""Training curves: loss and metrics per epoch, with early-stopping marks."""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures.common import toolbar_clear
from core.figures.palette import (
    BEST_MARK_COLOUR,
    STOP_MARK_COLOUR,
    TRAIN_COLOUR,
    VALIDATION_COLOUR,
)

CURVE_NAMES = {
    "loss": "train loss",
    "val_loss": "validation loss",
    "accuracy": "train accuracy",
    "val_accuracy": "validation accuracy",
    "mse": "train MSE",
    "val_mse": "validation MSE",
}


@toolbar_clear
def curves_figure(
    history: dict[str, list[float]],
    keys: tuple[str, ...] = ("loss", "val_loss"),
    total_epochs: int | None = None,
    best_epoch: int | None = None,
    stopped_epoch: int | None = None,
    y_title: str = "loss",
    best_text: str | None = None,
    stopped_text: str | None = None,
) -> go.Figure:
    """Per-epoch curves (epochs count from 1), with the best and the stopping epoch marked;
    ``best_text`` and ``stopped_text`` replace the marks' labels (by default the ones of an
    early stop that restored the best weights)."""
    fig = go.Figure()
    for key in (k for k in keys if history.get(k)):
        values = history[key]
        # Validation (and Playground's test) curves in one colour, training curves in another.
        held_out = key.startswith(("val_", "test_"))
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=values,
                mode="lines+markers" if len(values) < 40 else "lines",
                name=CURVE_NAMES.get(key, key),
                line={"color": VALIDATION_COLOUR if held_out else TRAIN_COLOUR, "width": 2},
            )
        )
    if best_epoch:
        fig.add_vline(
            x=best_epoch,
            line_dash="dot",
            line_color=BEST_MARK_COLOUR,
            annotation_text=best_text or f"best epoch {best_epoch} (restored)",
        )
    if stopped_epoch:
        fig.add_vline(
            x=stopped_epoch,
            line_dash="dash",
            line_color=STOP_MARK_COLOUR,
            annotation_text=stopped_text or f"stopped at {stopped_epoch}",
            annotation_position="bottom right",
        )
    if total_epochs:
        fig.update_xaxes(range=[0.5, total_epochs + 0.5])
    if all(len(history[key]) == 1 for key in keys if history.get(key)):
        # One point per curve: Plotly would zoom on it and tick nonsense like 5.1281245M.
        fig.update_yaxes(rangemode="tozero")
    # Whole epochs only: with a few epochs Plotly would otherwise tick 0.5, 1.5, ...
    fig.update_xaxes(title="epoch", tickformat="d", dtick=1 if (total_epochs or 0) <= 12 else None)
    fig.update_yaxes(title=y_title)
    fig.update_layout(
        height=320, margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "h", "y": 1.12}
    )
    return fig
