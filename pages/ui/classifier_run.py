"""What the classifier training pages share: the data and split choice, the live training job
that trains the network and compares it with the tuned baselines, and its training curves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.classifier.report import TrainingRequest, train_and_compare
from core.classifier.settings_fields import DATA_CODES, DATASETS
from core.classifier.splits import TextSplit, split_by_group, split_summary, stratified_split
from core.classifier.train import ClassifierResult, ClassifierSettings
from core.data.datasets import LabelledText, pang_lee_polarity, youtube_spam
from core.errors import DataError
from core.figures.training import curves_figure
from core.nn.training import RunRecord, StopFlag
from pages.ui.links import PageLink
from pages.ui.uploads import show_data_error, upload_text

# The link fields that choose the data and its split (core.classifier.settings_fields.FIELDS).
DATA_FIELDS = ("data", "split", "video", "every_video", "test_share")


@dataclass(frozen=True)
class DataChoice:
    """The data a page trains on, as chosen on it: the dataset's display name, the texts, how
    they are split, and whether to hold each video out in turn."""

    dataset: str
    data: LabelledText
    split: TextSplit
    split_kind: str
    every_video: bool


def choose_data(link: PageLink, prefix: str = "clf_", every_video: bool = True) -> DataChoice:
    """Draws the data choice (YouTube with one video or a share held out, Pang & Lee, or an
    upload) from ``link``'s fields and returns the split; stops the page when there is no data
    yet or it cannot be split (with the reason shown). ``every_video=False`` leaves out the
    choice of holding each video out in turn."""
    dataset = DATA_CODES[link.draw("data")]
    data: LabelledText | None
    if dataset == DATASETS[0]:
        data = youtube_spam()
        left, right = st.columns(2)
        split_kind = link.draw("split", left)
        if split_kind == "one video":
            link.draw("video", right)
        else:
            link.draw("test_share", right)
        if every_video:
            link.draw("every_video")
    elif dataset == DATASETS[1]:
        data = pang_lee_polarity()
        split_kind = link.set("split", "a random share")
        link.draw("test_share", key=f"{prefix}test_share_pl")
    else:
        st.caption(":material/link: A link to this page keeps the settings, not the uploaded file.")
        upload = upload_text(
            "A labelled file: CSV, TSV or fastText", key=f"{prefix}upload", want="labelled"
        )
        data = upload if isinstance(upload, LabelledText) else None
        if data is None:
            st.stop()
        split_kind = link.set("split", "a random share")
        link.draw("test_share", key=f"{prefix}test_share_up")
    try:
        if split_kind == "one video":
            split = split_by_group(data, link["video"])
        else:
            split = stratified_split(data, link["test_share"], seed=0)
    except DataError as error:
        show_data_error(error)
        st.stop()
    st.caption(split_summary(split))
    every = every_video and dataset == DATASETS[0] and bool(link["every_video"])
    return DataChoice(dataset, data, split, split_kind, every)


def draw_training_curves(record: RunRecord, key_prefix: str) -> None:
    """The run's loss and accuracy per epoch, training and validation, side by side."""
    history = record.history
    if not history.get("loss"):
        # Vectorizing comes first: an empty chart would only show meaningless default axes.
        st.caption("Turning the texts into features; the curves start after the first epoch.")
        return
    loss_col, accuracy_col = st.columns(2)
    with loss_col:
        st.plotly_chart(
            curves_figure(
                history,
                ("loss", "val_loss"),
                record.total_epochs,
                record.best_epoch,
                record.stopped_epoch,
            ),
            key=f"{key_prefix}_loss",
        )
    with accuracy_col:
        st.plotly_chart(
            curves_figure(
                history, ("accuracy", "val_accuracy"), record.total_epochs, y_title="accuracy"
            ),
            key=f"{key_prefix}_accuracy",
        )


def train_network_and_baselines(record: RunRecord, stop_flag: StopFlag) -> None:
    """The live job of a classifier run: trains the network of ``record``'s
    :class:`ClassifierResult`, then scores it beside the tuned baselines, and keeps the trained
    classifier, the comparison or the data error in that result."""
    asked = record.result_as(ClassifierResult)
    run_settings: ClassifierSettings = asked.settings
    run_split = asked.split

    def keep(trained: Any) -> None:
        asked.trained = trained

    results = train_and_compare(
        TrainingRequest(run_split, run_settings, asked.word_vectors),
        record=record,
        stop_flag=stop_flag,
        on_trained=keep,
    )
    if (error := results.error) is not None:
        asked.error = error
        record.finish("failed", f"{error.message} {error.hint}")
    elif results.comparison is not None:
        asked.comparison = results.comparison
        record.metrics = results.headline
