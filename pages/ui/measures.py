"""A classifier's measures, curves and confusion matrix at a threshold, drawn alike on every page.

The training page and the scoring of a labelled file both draw them with these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.report import ThresholdView
from core.data.export import escape_table
from core.figures.classifier import (
    confusion_figure,
    pr_figure,
    probability_histogram,
    roc_figure,
)


def decimals(frame: pd.DataFrame, digits: int = 3) -> dict:
    """A column_config showing every float column of ``frame`` with ``digits`` decimals."""
    return {
        column: st.column_config.NumberColumn(format=f"%.{digits}f")
        for column in frame.columns
        if pd.api.types.is_float_dtype(frame[column])
    }


def threshold_slider(label_names: Sequence[str], key: str) -> float:
    """The decision threshold on the positive class's probability for two classes; 0.5 (unused:
    the most probable class wins) for more."""
    if len(label_names) != 2:
        return 0.5
    return st.slider(
        f"Decision threshold: a text counts as {label_names[1]!r} when its "
        "probability is at least this",
        0.01,
        0.99,
        0.5,
        0.01,
        key=key,
    )


def show_headline(view: ThresholdView) -> None:
    """The headline measures side by side, then any notes on them."""
    headline = view.metrics.headline()
    columns = st.columns(len(headline))
    for column, (name, value) in zip(columns, headline.items(), strict=True):
        column.metric(METRIC_COLUMNS[name], "–" if pd.isna(value) else f"{value:.3f}")
    for note in view.metrics.notes:
        st.caption(note)


def show_curves(
    view: ThresholdView, y: np.ndarray, label_names: Sequence[str], key_prefix: str
) -> None:
    """ROC and precision-recall curves with the operating point (binary only), then the
    histogram of the probabilities by true class."""
    if view.curves is not None:
        roc_col, pr_col = st.columns(2)
        roc_col.plotly_chart(
            roc_figure(view.curves.roc, view.curves.roc_auc, view.curves.point, "Keras network"),
            key=f"{key_prefix}_roc",
        )
        pr_col.plotly_chart(
            pr_figure(
                view.curves.pr,
                view.curves.pr_auc,
                view.curves.point,
                view.curves.prevalence,
                "Keras network",
            ),
            key=f"{key_prefix}_pr",
        )
    st.plotly_chart(
        probability_histogram(view.proba, y, label_names, view.threshold),
        key=f"{key_prefix}_histogram",
    )


def show_confusion(view: ThresholdView, key_prefix: str) -> None:
    """The confusion matrix as a chart and a table, then precision, recall and F1 per class."""
    st.plotly_chart(confusion_figure(view.confusion), key=f"{key_prefix}_confusion")
    with st.expander("Confusion matrix as a table"):
        st.dataframe(escape_table(view.confusion))
    st.markdown("**Per class**, at this threshold")
    per_class = escape_table(view.metrics.per_class_table())
    st.dataframe(per_class, column_config=decimals(per_class))
