"""Sequence models: a convolution, an LSTM or a GRU reads the words in order, against the
order-blind pooled embedding and the tuned baselines, on the text classifier's data."""

from dataclasses import asdict

import numpy as np
import streamlit as st

from core.classifier.features import FeatureSettings
from core.classifier.model import SEQUENCE_KINDS
from core.classifier.report import view_at_threshold
from core.classifier.sequence_fields import FIELDS, chosen_length, sequence_settings
from core.classifier.sequence_input import propose_sequence_length
from core.classifier.sequence_views import (
    conv_kernel_sizes,
    filter_responses,
    prefix_predictions,
    probe_examples,
    probe_steps,
    vector_coverage,
)
from core.classifier.snippets import classifier_code
from core.classifier.train import ClassifierResult
from core.classifier.word_order import PROBE_MODELS, ProbeSettings, twin_texts
from core.errors import DataError
from core.figures.classifier import metrics_bar_figure
from core.figures.sequences import filter_figure, length_figure, prefix_figure, probe_figure
from core.nn.training import RunRecord
from pages.ui.classifier_run import choose_data, draw_training_curves, train_network_and_baselines
from pages.ui.display import show_code
from pages.ui.job_pool import warm_up_training
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_run_status
from pages.ui.measures import show_headline
from pages.ui.patches import require_navigation
from pages.ui.stores import show_device_in_sidebar, vector_sets
from pages.ui.uploads import show_data_error

RUN_KEY = "sequence_run"
PROBE_KEY = "sequence_probe"
PROBE_DEFAULT = ("bow", "logistic", "cnn", "lstm")
TRAIN_REQUEST = "sequence_train_requested"
RANDOM_START = "Random numbers (trained from scratch)"
EXAMPLE = "Check out my new video and subscribe to my channel, it is not bad at all"


def request_training() -> None:
    st.session_state[TRAIN_REQUEST] = True


@st.cache_data(show_spinner=False, max_entries=8)
def length_report(texts: tuple[str, ...]):
    return propose_sequence_length(texts)


require_navigation()
warm_up_training()  # in the background: the first Train finds Keras loaded

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
# Filled once the form below has given the length: the distribution reads before the settings.
length_slot = st.container()

kind_col, start_col = st.columns([1.4, 1], gap="medium")
kind = link.draw("model", kind_col)
sets = vector_sets()
start_name = start_col.selectbox(
    "The Embedding starts from",
    [RANDOM_START, *sets],
    key="seq_vectors",
    help="Word vectors of this session (Train word2vec, or Import and export vectors): "
    "a known word's row starts as its vector, the others at random.",
)
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
with length_slot:
    st.plotly_chart(length_figure(report.counts, length, report.length), key="seq_length_chart")
    st.caption(
        f"{report.summary(length)} The proposed length, {report.length}, is the 95th "
        "percentile of the training texts' token counts: a few long texts lose their end, and "
        "most rows are not mostly padding."
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
show_code(classifier_code(settings, link.values, split.n_classes, word_vectors))

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


# What benchmarks/sequence_transfer.py measured (benchmarks/RESULTS.md), said where it matters.
TRANSFER_MEASURED = (
    "Measured on the YouTube data, each video held out in turn at 3 seeds (benchmarks/"
    "RESULTS.md): **no sequence model beats the tuned logistic regression (MCC 0.881) or the "
    "bag-of-words network (0.871)** on these short comments. The best, the convolution started "
    "from word2vec of the training texts, is level with the bag of words (0.869); the "
    "convolution is well ahead of the order-blind pooled embedding (0.857 against 0.779 from "
    "random); word2vec of the training texts is the start that pays (the GRU goes from 0.763 to "
    "0.844 frozen); vectors of another corpus (gensim's Lee news) hurt, most when frozen."
)


def show_results(record: RunRecord) -> None:
    """How the last run ended, its measures beside the baselines, and what it does with a
    typed sentence."""
    run = record.result_as(ClassifierResult)
    if run.error is not None:
        show_data_error(run.error)
    else:
        show_run_status(record, answer=run.comparison.verdict if run.comparison else None)
    trained, comparison = run.trained, run.comparison
    if trained is None or comparison is None:
        if record.history.get("loss"):
            draw_training_curves(record, "seq_partial")
        return
    st.header(f"Results: {SEQUENCE_KINDS[trained.net.sequence.kind]}")
    view = view_at_threshold(comparison.network.prediction.proba, run.split, 0.5)
    show_headline(view)
    if trained.coverage is not None:
        st.caption(f"Embedding start: {trained.coverage.summary()}")
    versus_tab, curves_tab = st.tabs(["ML versus DL", "Training"])
    with versus_tab:
        st.markdown(f"**{comparison.verdict}**")
        st.caption(comparison.scoring_note())
        st.plotly_chart(metrics_bar_figure(comparison.table), key="seq_versus_chart")
        st.dataframe(comparison.table.drop(columns=["Note"], errors="ignore"))
        st.caption(TRANSFER_MEASURED)
    with curves_tab:
        draw_training_curves(record, "seq_final")
        st.caption(
            f"Input: {trained.net.input_dim} token ids per text, a vocabulary of "
            f"{trained.net.vocab_size:,}; training took {trained.timings['train']:.1f} s."
        )
    show_sentence(trained, run.split)


def show_sentence(trained, split) -> None:
    """For a typed sentence: the convolution's filters along it, and the prediction as its
    words arrive."""
    st.subheader("What the model does with a sentence")
    sentence = st.text_input("Type a sentence", EXAMPLE, key="seq_sentence")
    try:
        prefixes = prefix_predictions(trained, sentence)
        sizes = conv_kernel_sizes(trained)
        if sizes:
            st.markdown(
                "**What the filters respond to.** Each row is one filter, each column a window "
                "of words; the colour is the filter's output there. Global max pooling keeps "
                "each filter's brightest cell, wherever it is in the text; the filters with "
                "the brightest cells come first."
            )
            size = sizes[0]
            if len(sizes) > 1:
                size = st.radio("Kernel size", sizes, horizontal=True, key="seq_kernel")
            responses = filter_responses(trained, sentence, size)
            st.plotly_chart(
                filter_figure(responses.activations, responses.filters, responses.windows),
                key="seq_filter_chart",
            )
        label = split.label_names[1] if split.binary else trained.predict([sentence])[0]
        st.markdown(
            f"**The prediction as the words arrive.** The probability of {label!r} from the "
            "first word alone, the first two, and so on: a recurrent model's state after each "
            "word."
        )
        st.plotly_chart(
            prefix_figure(prefixes.labels, prefixes.probabilities_of(label), label),
            key="seq_prefix_chart",
        )
    except DataError as error:
        show_data_error(error)


record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Press **Train**. The convolution trains in well under a minute here; an LSTM or GRU "
        "reads word by word and takes longer.",
        icon=":material/info:",
    )
else:
    show_results(record)

# ---------------------------------------------------------------- the word-order probe

st.header("Word order: a probe a bag of words cannot solve")
example = twin_texts(np.random.default_rng(1))
st.markdown(
    "Made-up reviews in twins: *“" + example[0] + "”* is **positive** (not bad, then good), and "
    "its twin *“" + example[1] + "”* is **negative**. The twins hold exactly the same words, "
    "so a model that sees a bag of single words gives both the same answer and gets one "
    "wrong: on whole test pairs it scores 50%, whatever it learns. A convolution sees which "
    "word follows *not*; a recurrent layer reads *not* before the adjective."
)
with st.form("seq_probe_form"):
    chosen = st.multiselect(
        "Models",
        list(PROBE_MODELS),
        default=list(PROBE_DEFAULT),
        format_func=PROBE_MODELS.get,
        key="seq_probe_models",
    )
    run_probe = st.form_submit_button("Run the probe", icon=":material/science:")
if run_probe:
    if not chosen:
        st.error("Choose at least one model for the probe.", icon=":material/error:")
    else:
        settings_probe = ProbeSettings(models=tuple(chosen))
        progress = st.progress(0.0, text="Training on the twins…")
        for done, partial in enumerate(probe_steps(settings_probe), start=1):
            progress.progress(
                done / len(chosen), text=f"{partial.rows[-1].name}: done ({done} of {len(chosen)})"
            )
        progress.empty()
        st.session_state[PROBE_KEY] = partial
probe = st.session_state.get(PROBE_KEY)
if probe is not None:
    blind, aware = st.columns(2)
    for column, order_aware, title in ((blind, False, "Order-blind"), (aware, True, "Order-aware")):
        with column:
            st.markdown(f"**{title}**")
            for row in probe.rows:
                if row.order_aware == order_aware:
                    st.metric(row.name, f"{row.accuracy:.0%}", help="test accuracy on the twins")
    st.plotly_chart(
        probe_figure({row.name: row.accuracy for row in probe.rows}, 0.5, "test accuracy"),
        key="seq_probe_chart",
    )
    st.caption(probe.split.description)
    st.dataframe(probe.table(), hide_index=True)
    with st.expander("Test twins and each network's answers"):
        st.dataframe(probe_examples(probe), hide_index=True)
show_device_in_sidebar()
