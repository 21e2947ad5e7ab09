"""Score a file on the page: an upload scored by the session's classifier, in chunks.

A progress bar while it scores, a preview, the predictions as an escaped CSV download and, with
labels, the measures.
"""

from __future__ import annotations

import streamlit as st

from core.classifier.scoring import Scores, score_texts
from core.data.datasets import LabelledText
from core.data.export import escape_table, to_csv_bytes
from core.errors import DataError
from pages.ui.measures import show_confusion, show_curves, show_headline, threshold_slider
from pages.ui.uploads import show_data_error, upload_text

UPLOAD_KEY = "score_upload"
SCORES_KEY = "score_result"
PREVIEW_ROWS = 200


def scored(trained, data) -> Scores | None:
    """The scores of ``data`` by ``trained``, computed once per upload and classifier (with a
    progress bar) and kept in this session; ``None`` after showing why it could not be."""
    kept = st.session_state.get(SCORES_KEY)
    if kept is not None and kept[0] is data and kept[1] is trained:
        return kept[2]
    labelled = isinstance(data, LabelledText)
    texts = data.texts if labelled else data.documents
    bar = st.progress(0.0, text=f"Scoring {len(texts):,} texts…")

    def progress(done: int, total: int | None) -> None:
        bar.progress(done / (total or done), text=f"Scored {done:,} of {total or done:,} texts")

    try:
        scores = score_texts(
            trained,
            texts,
            data.labels if labelled else None,
            on_progress=progress,
            source=data.source,
        )
    except DataError as error:
        bar.empty()
        show_data_error(error)
        return None
    bar.empty()
    st.session_state[SCORES_KEY] = (data, trained, scores)
    return scores


def show_file_scoring(trained) -> None:
    """The "Score a file" mode: upload, score, preview, download and, with labels, measures."""
    st.markdown(
        "Upload a file of messages, labelled or not, in any format the app reads. Each text "
        "gets the predicted class and each class's probability; with labels, the page also "
        "measures the classifier on them, as the training page does on its test texts."
    )
    data = upload_text("A file to score", UPLOAD_KEY)
    if data is None:
        return
    scores = scored(trained, data)
    if scores is None:
        return
    threshold = threshold_slider(scores.label_names, "score_threshold")
    table = scores.table(threshold)
    st.subheader(f"Predictions for {len(table):,} texts")
    st.dataframe(escape_table(table.head(PREVIEW_ROWS)), height=300)
    if len(table) > PREVIEW_ROWS:
        st.caption(f"The first {PREVIEW_ROWS:,} are shown; the download holds them all.")
    st.download_button(
        "Download predictions (CSV)",
        to_csv_bytes(list(table.columns), table.itertuples(index=False)),
        file_name="predictions.csv",
        mime="text/csv",
        icon=":material/download:",
        key="score_download",
    )
    if scores.y is None:
        st.caption("The file has no labels, so there is nothing to measure the predictions by.")
        return
    st.subheader("How well it does on these labels")
    view = scores.view(threshold)
    show_headline(view)
    curves_tab, confusion_tab = st.tabs(["Curves", "Confusion matrix"])
    with curves_tab:
        show_curves(view, scores.y, scores.label_names, "score")
    with confusion_tab:
        show_confusion(view, "score")
