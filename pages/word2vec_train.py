"""Train word2vec: gensim on a bundled or uploaded corpus, with the loss of every epoch live."""

import pandas as pd
import streamlit as st

from core.data.datasets import GENSIM_CORPORA, Corpus, LabelledText, gensim_corpus
from core.data.links import Field
from core.embeddings.word2vec import (
    Word2VecRunResult,
    Word2VecSettings,
    corpus_sentences,
    train_vector_set,
    word2vec_code,
)
from core.errors import DataError
from core.figures.training import curves_figure
from core.nn.training import RunRecord, StopFlag
from pages.ui.display import show_code
from pages.ui.links import PageLink
from pages.ui.live_jobs import run_live_training, show_run_status
from pages.ui.patches import require_navigation
from pages.ui.stores import add_vector_set
from pages.ui.uploads import show_data_error, upload_text

RUN_KEY = "word2vec_run"
TRAIN_REQUEST = "word2vec_train_requested"
UPLOAD = "Upload a file"


def request_training() -> None:
    st.session_state[TRAIN_REQUEST] = True


@st.cache_data(show_spinner="Tokenizing the corpus…", max_entries=8)
def tokenized(documents: tuple[str, ...]) -> list[list[str]]:
    # Keyed by the documents themselves, so one user's upload can only answer the same text.
    return corpus_sentences(documents)


require_navigation()

st.title("Train word2vec")
st.markdown(
    "Word2vec learns a vector for each word from the words around it. **Skip-gram** predicts the "
    "neighbours of a word from the word; **CBOW** predicts a word from its neighbours (see "
    "*Skip-gram and CBOW pairs* for the examples each one builds). Training here is gensim's "
    "`Word2Vec`, one epoch at a time, so you see the loss of every epoch as it comes and can stop "
    "between epochs. The vectors stay in your session for the explore, evaluate, project and "
    "export pages."
)

defaults = Word2VecSettings()
CORPUS_CODES = {
    "lee": list(GENSIM_CORPORA)[0],
    "head500": list(GENSIM_CORPORA)[1],
    "upload": UPLOAD,
}
# The settings travel in the page's address, so a copied link opens the same experiment.
FIELDS = {
    "corpus": Field(
        "choice",
        "lee",
        options=tuple(CORPUS_CODES),
        label="Corpus",
        widget="radio",
        horizontal=True,
        widget_values=CORPUS_CODES,
    ),
    "sg": Field(
        "choice",
        defaults.sg,
        options=(1, 0),
        label="Architecture (sg)",
        widget="radio",
        format={1: "Skip-gram (sg=1)", 0: "CBOW (sg=0)"},
    ),
    "vector_size": Field(
        "int",
        defaults.vector_size,
        10,
        300,
        label="Vector size",
        widget="slider",
        step=10,
        key="w2v_dim",
    ),
    "window": Field("int", defaults.window, 1, 15, label="Window", widget="slider"),
    "min_count": Field(
        "int", defaults.min_count, 1, 100_000, label="min_count (ignore rarer words)"
    ),
    "objective": Field(
        "choice",
        "negative",
        options=("negative", "hs"),
        label="Output layer",
        widget="radio",
        format={"negative": "Negative sampling", "hs": "Hierarchical softmax (hs=1)"},
    ),
    "negative": Field(
        "int", defaults.negative, 1, 25, label="Negative samples per pair", widget="slider"
    ),
    "sample": Field(
        "choice",
        defaults.sample,
        options=(0.0, 1e-5, 1e-4, 1e-3, 1e-2),
        label="sample (down-sample frequent words)",
        widget="select_slider",
        format=lambda v: "off" if v == 0 else f"{v:g}",
    ),
    "epochs": Field("int", 10, 1, 100, label="Epochs", widget="slider"),
    "workers": Field("int", 1, 1, 8, label="Worker threads", widget="slider"),
    "seed": Field("int", defaults.seed, 0, 2**31 - 1, label="Seed"),
}
link = PageLink(FIELDS, key_prefix="w2v_")
corpus_name = CORPUS_CODES[link.draw("corpus")]
if corpus_name == UPLOAD:
    st.caption(":material/link: A link to this page keeps the settings, not the uploaded file.")
    data = upload_text(
        "A text file (one sentence or document per line) or a labelled file (its text column)",
        key="w2v_upload",
    )
    if data is None:
        st.stop()
    corpus = data if isinstance(data, Corpus) else Corpus(data.texts, data.source, data.format)
    if isinstance(data, LabelledText):
        st.caption("A labelled file: word2vec trains on its text column; labels are not used.")
    label = "upload"
else:
    corpus = gensim_corpus(corpus_name)
    label = GENSIM_CORPORA[corpus_name].removesuffix(".cor")

sentences = tokenized(corpus.documents)
n_words = sum(len(s) for s in sentences)
st.caption(
    f"{len(sentences):,} documents · {n_words:,} tokens (lower-cased words, numbers and "
    "inner apostrophes)."
)

with st.form("w2v_settings"):
    model_col, objective_col, run_col = st.columns(3, gap="medium")
    with model_col:
        st.markdown("**Model**")
        sg = link.draw("sg")
        vector_size = link.draw("vector_size")
        window = link.draw("window")
        min_count = link.draw("min_count")
    with objective_col:
        st.markdown("**Objective**")
        objective = link.draw("objective")
        negative = link.draw("negative")
        sample = link.draw("sample")
    with run_col:
        st.markdown("**Run**")
        epochs = link.draw("epochs")
        workers = link.draw("workers")
        seed = link.draw("seed")
        st.caption(
            "One worker gives the same vectors for the same seed and an exact loss; more "
            "workers are faster, but gensim then under-counts the loss."
        )
    st.form_submit_button(
        "Train", type="primary", icon=":material/play_arrow:", on_click=request_training
    )
submitted = st.session_state.pop(TRAIN_REQUEST, False)
link.write()

try:
    settings = Word2VecSettings(
        vector_size=int(vector_size),
        window=int(window),
        min_count=int(min_count),
        sg=int(sg),
        negative=int(negative) if objective == "negative" else 0,
        hs=1 if objective == "hs" else 0,
        sample=float(sample),
        epochs=int(epochs),
        workers=int(workers),
        seed=int(seed),
    )
except ValueError as error:
    st.error(f"These settings cannot be used: {error}", icon=":material/error:")
    st.stop()


def draw(record: RunRecord, key_prefix: str) -> None:
    history = record.history
    if not history.get("loss"):
        # Before the first epoch an empty chart would show meaningless default axes.
        st.caption("Building the vocabulary; the loss curve starts after the first epoch.")
        return
    loss_col, speed_col = st.columns([2, 1])
    with loss_col:
        st.plotly_chart(
            curves_figure(
                history,
                keys=("loss",),
                total_epochs=record.total_epochs,
                y_title="loss of the epoch (gensim)",
            ),
            key=f"{key_prefix}_loss",
        )
    with speed_col:
        if history.get("words_per_second"):
            st.metric("Words per second (last epoch)", f"{history['words_per_second'][-1]:,.0f}")
            st.metric("Epochs done", f"{record.epochs_done} of {record.total_epochs}")


def train(record: RunRecord, stop_flag: StopFlag) -> None:
    asked = record.result_as(Word2VecRunResult)
    run_settings = asked.settings
    record.total_epochs = run_settings.epochs
    record.device = f"CPU ({run_settings.workers} worker{'s' * (run_settings.workers > 1)})"

    def on_epoch(epoch: int, result) -> None:
        seconds = result.epoch_seconds[-1]
        record.add_epoch(
            {
                "loss": result.epoch_losses[-1],
                "words_per_second": result.epoch_words[-1] / seconds if seconds else 0.0,
            }
        )

    try:
        vector_set, result = train_vector_set(
            asked.sentences,
            asked.corpus_name,
            run_settings,
            should_stop=stop_flag.is_set,
            on_epoch=on_epoch,
        )
    except DataError as error:
        asked.error = error
        record.finish("failed", f"{error.message} {error.hint}")
        return
    asked.vector_set = vector_set
    asked.training = result
    record.metrics = result.flat()
    if result.stopped:
        vector_set.name += f" (stopped at epoch {record.epochs_done})"
        record.finish(
            "stopped",
            f"Stopped after epoch {record.epochs_done}; the vectors so far are kept.",
        )
    else:
        record.finish(
            "complete",
            f"{result.vocab_size:,} words in the vocabulary, "
            f"{result.words_per_second:,.0f} words per second.",
        )


if submitted:
    new_record = RunRecord(
        kind="word2vec",
        settings={"corpus": label, **settings.gensim_kwargs()},
        result=Word2VecRunResult(settings, sentences, label),
    )
    run_live_training(train, new_record, draw, key=RUN_KEY)

record: RunRecord | None = st.session_state.get(RUN_KEY)
if record is None:
    st.info(
        "Pick the settings and press **Train**. The defaults train a skip-gram model of the "
        "Lee news corpus in a few seconds.",
        icon=":material/info:",
    )
else:
    run = record.result_as(Word2VecRunResult)
    if run.error is not None:
        show_data_error(run.error)
    else:
        show_run_status(record)
    if (run.settings, run.corpus_name) != (settings, label):
        st.caption(
            ":material/history: The results below are from the last run, on "
            f"{run.corpus_name}; the settings above have changed since."
        )
    vector_set = run.vector_set
    # Kept here, after the run has settled: Stop reruns the page before the training run's
    # own script gets past run_live_training, so that run never reaches this point.
    if vector_set is not None and not run.kept:
        add_vector_set(vector_set)
        run.kept = True
    if vector_set is not None and run.training is not None:
        result = run.training
        cols = st.columns(4)
        cols[0].metric("Vocabulary", f"{result.vocab_size:,} words")
        cols[1].metric("Dimensions", result.settings.vector_size)
        cols[2].metric(
            "Words per second",
            f"{result.words_per_second:,.0f}",
            help="Over the whole run: corpus words × epochs ÷ training time.",
        )
        cols[3].metric("Training time", f"{result.train_seconds:.1f} s")
        st.markdown(
            f"Saved in this session as **{vector_set.name}**. Next: look up neighbours and "
            "analogies, evaluate it, project it, or export it."
        )
        link_cols = st.columns(4)
        link_cols[0].page_link(
            "pages/word_vectors_explore.py", label="Explore", icon=":material/explore:"
        )
        link_cols[1].page_link(
            "pages/word_vectors_evaluate.py", label="Evaluate", icon=":material/fact_check:"
        )
        link_cols[2].page_link(
            "pages/word_vectors_projection.py", label="Project", icon=":material/bubble_chart:"
        )
        link_cols[3].page_link(
            "pages/word_vectors_io.py", label="Export", icon=":material/import_export:"
        )
    if record.history.get("loss"):
        st.subheader("Loss per epoch")
        draw(record, "w2v_final")
        st.caption(
            "gensim's loss is the summed error of the epoch's training examples, so it scales "
            "with the corpus; compare its shape, not its size, across corpora."
        )
        with st.expander("Curve data"):
            st.dataframe(pd.DataFrame(record.history).rename_axis("epoch").rename(lambda i: i + 1))

show_code(word2vec_code(settings, label if corpus_name != UPLOAD else "path/to/your.txt"))
