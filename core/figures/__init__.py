"""Plotly figure builders, one module per topic: plain values in, ``go.Figure`` out.

No Streamlit here. Figures leave the page's colours (background, fonts) to the caller's theme.
"""

from core.figures.common import (
    PALETTE,
    ai_ml_dl_figure,
    bar_chart,
    cosine_heatmap,
    digits_figure,
    heatmap,
    stock_window_figure,
)
from core.figures.training import curves_figure

__all__ = [
    "PALETTE",
    "ai_ml_dl_figure",
    "bar_chart",
    "cosine_heatmap",
    "curves_figure",
    "digits_figure",
    "heatmap",
    "stock_window_figure",
]
