"""Text → numbers figures: cosine similarity between documents."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import heatmap, toolbar_clear


@toolbar_clear
def cosine_heatmap(similarity: np.ndarray, labels: Sequence[str]) -> go.Figure:
    """Pairwise cosine similarity between documents, on a fixed 0..1 scale."""
    return heatmap(
        similarity, labels, labels, "cosine", zmin=0.0, zmax=1.0, show_values=len(labels) <= 15
    )
