"""Sequence models: a convolution, an LSTM or a GRU reads the words in order, against the
order-blind pooled embedding and the tuned baselines, on the text classifier's data."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from core.classifier.features import FeatureSettings
from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.model import SEQUENCE_KINDS
from core.classifier.report import view_at_threshold
from core.classifier.sequence_fields import FIELDS, chosen_length, sequence_settings
from core.classifier.sequence_input import propose_sequence_length
from core.classifier.sequence_snippets import sequence_classifier_code
from core.classifier.sequence_views import (
    conv_kernel_sizes,
    filter_responses,
    prefix_predictions,
    vector_coverage,
)
from core.classifier.train import ClassifierResult
from core.errors import DataError
from core.figures.classifier import metrics_bar_figure
from core.figures.sequences import filter_figure, length_figure, prefix_figure
from core.nn.training import RunRecord
from pages.ui.classifier_run import choose_data, draw_training_curves, train_network_and_baselines
from pages.ui.display import show_code
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_run_status
from pages.ui.patches import require_navigation
from pages.ui.stores import show_device_in_sidebar, vector_sets
from pages.ui.uploads import show_data_error

RUN_KEY = "sequence_run"
TRAIN_REQUEST = "sequence_train_requested"
RANDOM_START = "Random numbers (trained from scratch)"
EXAMPLE = "Check out my new video and subscribe to my channel, it is not bad at all"


def request_training() -> None:
    st.session_state[TRAIN_REQUEST] = True


@st.cache_data(show_spinner=False, max_entries=8)
def length_report(texts: tuple[str, ...]):
    return propose_sequence_length(texts)


require_navigation()

st.title("Sequence models")
st.markdown(
    "The talk closes with **convolutional** and **recurrent** networks, the ones used for "
    "language. Every other classifier in this lab reads a *bag* of words: shuffle a text's words "
    "and it gives the same answer. Here the words stay in order. Each text becomes a row of "
    "token ids, padded or cut to one length; an `Embedding` turns each id into a vector; then "
    "a `Conv1D` slides filters over a few words at a time, or an `LSTM`/`GRU` reads the words "
    "one by one, before the same `Dense` layers, the same splits and the same tuned baselines "
    "as **Train a text classifier**."
)

# ---------------------------------------------------------------- data and length

link = PageLink(FIELDS, key_prefix="seq_")
choice = choose_data(link, prefix="seq_", every_video=False)
split = choice.split
report = length_report(tuple(split.train_texts))

kind = link.draw("model")
sets = vector_sets()
with st.form("seq_settings"):
    reader_col, embedding_col, training_col = st.columns([1, 1.2, 1], gap="medium")
    with reader_col:
        st.markdown(f"**{SEQUENCE_KINDS[kind]}**")
        if kind == "cnn":
            link.draw("kernels")
            link.draw("filters")
        elif kind in ("lstm", "gru"):
            link.draw("units")
            link.draw("bidirectional")
        else:
            st.caption("The mean of the words' vectors: the order-blind reference.")
        link.draw("dense")
        link.draw("dropout")
    with embedding_col:
        st.markdown("**Words → vectors**")
        link.draw("length")
        start_name = st.selectbox(
            "Embedding starts from",
            [RANDOM_START, *sets],
            key="seq_vectors",
            help="Word vectors of this session (Train word2vec, or Import and export vectors): "
            "a known word's row starts as its vector, the others at random.",
        )
        if start_name == RANDOM_START:
            link.draw("embedding_dim")
        else:
            link.draw("freeze")
        if not sets:
            st.caption("Train word2vec or load vectors to start the Embedding from them.")
    with training_col:
        st.markdown("**Training**")
        for name in ("optimizer", "lr", "batch", "epochs", "validation", "patience", "seed"):
            link.draw(name)
        link.draw("class_weight")
    st.form_submit_button(
        "Train", type="primary", icon=":material/play_arrow:", on_click=request_training
    )
submitted = st.session_state.pop(TRAIN_REQUEST, False)
link.write()

length = chosen_length(link.values, report.length)
st.plotly_chart(length_figure(report.counts, length, report.length), key="seq_length_chart")
st.caption(
    f"{report.summary(length)} The proposed length, {report.length}, is the 95th percentile "
    "of the training texts' token counts: a few long texts lose their end, and most rows "
    "are not mostly padding."
)
word_vectors = sets.get(start_name)
if word_vectors is not None:
    coverage = vector_coverage(
        split.train_texts, word_vectors.vectors, FeatureSettings(kind="embedding")
    )
    frozen = "frozen" if link["freeze"] else "fine-tuned while training"
    st.caption(f"**{word_vectors.name}**: {coverage.summary()} Their rows are {frozen}.")
try:
    settings = sequence_settings(
        link.values, length, word_vectors.dimension if word_vectors is not None else None
    )
except ValueError as error:
    st.error(f"**These settings cannot be used:** {error}", icon=":material/error:")
    st.stop()
show_code(sequence_classifier_code(settings, link.values, split.n_classes, word_vectors))

if submitted:
    new_record = RunRecord(
        kind="sequence classifier",
        settings={"data": choice.dataset, "split": split.description, **asdict(settings)},
        result=ClassifierResult(
            settings, split, word_vectors.vectors if word_vectors is not None else None
        ),
    )
    new_record.total_epochs = settings.epochs
    run_live_training(train_network_and_baselines, new_record, draw_training_curves, key=RUN_KEY)

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Press **Train**. The convolution trains in well under a minute here; an LSTM or GRU "
        "reads word by word and takes longer.",
        icon=":material/info:",
    )
    show_device_in_sidebar()
    st.stop()

run = record.result_as(ClassifierResult)
if run.error is not None:
    show_data_error(run.error)
else:
    show_run_status(record)
trained, comparison = run.trained, run.comparison
if trained is None or comparison is None:
    if record.history.get("loss"):
        draw_training_curves(record, "seq_partial")
    show_device_in_sidebar()
    st.stop()

# ---------------------------------------------------------------- results

trained_kind = SEQUENCE_KINDS[trained.net.sequence.kind]
st.header(f"Results: {trained_kind}")
view = view_at_threshold(comparison.network.prediction.proba, run.split, 0.5)
headline = view.metrics.headline()
for column, (name, value) in zip(st.columns(len(headline)), headline.items(), strict=True):
    column.metric(METRIC_COLUMNS[name], "–" if pd.isna(value) else f"{value:.3f}")
if trained.coverage is not None:
    st.caption(f"Embedding start: {trained.coverage.summary()}")
versus_tab, curves_tab = st.tabs(["ML versus DL", "Training"])
with versus_tab:
    st.markdown(f"**{comparison.verdict}**")
    st.caption(comparison.scoring_note())
    st.plotly_chart(metrics_bar_figure(comparison.table), key="seq_versus_chart")
    st.dataframe(comparison.table.drop(columns=["Note"], errors="ignore"))
with curves_tab:
    draw_training_curves(record, "seq_final")
    st.caption(
        f"Input: {trained.net.input_dim} token ids per text, a vocabulary of "
        f"{trained.net.vocab_size:,}; training took {trained.timings['train']:.1f} s."
    )

# ---------------------------------------------------------------- one sentence

st.header("What the model does with a sentence")
sentence = st.text_input("Type a sentence", EXAMPLE, key="seq_sentence")
try:
    prefixes = prefix_predictions(trained, sentence)
    sizes = conv_kernel_sizes(trained)
    if sizes:
        st.markdown(
            "**What the filters respond to.** Each row is one filter, each column a window of "
            "words; the colour is the filter's output there. Global max pooling keeps each "
            "filter's brightest cell, wherever it is in the text: the filters rank highest "
            "first."
        )
        size = (
            st.radio("Kernel size", sizes, horizontal=True, key="seq_kernel")
            if len(sizes) > 1
            else sizes[0]
        )
        responses = filter_responses(trained, sentence, size)
        st.plotly_chart(
            filter_figure(responses.activations, responses.filters, responses.windows),
            key="seq_filter_chart",
        )
    label = run.split.label_names[1] if run.split.binary else trained.predict([sentence])[0]
    st.markdown(
        f"**The prediction as the words arrive.** The probability of {label!r} from the first "
        "word alone, the first two, and so on: a recurrent model's state after each word."
    )
    st.plotly_chart(
        prefix_figure(prefixes.labels, prefixes.probabilities_of(label), label),
        key="seq_prefix_chart",
    )
except DataError as error:
    show_data_error(error)
show_device_in_sidebar()
