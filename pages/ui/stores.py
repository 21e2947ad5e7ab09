"""What one session keeps: its word vectors, its classifier and its runs, each bounded.

A session keeps at most :data:`MAX_VECTOR_SETS` vector sets, one classifier and
:data:`MAX_RUNS` runs; past that the oldest entry is dropped (a run still training never is) and
a toast says so, so that a class of thirty stays within the server's memory.
"""

from __future__ import annotations

import streamlit as st

from core.nn.memory import drop_oldest
from core.nn.training import RunRecord

VECTORS_KEY = "word_vectors"
CURRENT_VECTORS_KEY = "word_vectors_current"
MAX_VECTOR_SETS = 5  # vector sets one session keeps; the oldest goes first
MAX_RUNS = 25  # runs one session keeps on the Runs page; the oldest finished one goes first


def vector_sets() -> dict:
    """This session's word vectors by name (trained or loaded); never shared between users."""
    return st.session_state.setdefault(VECTORS_KEY, {})


def add_vector_set(vector_set) -> str:
    """Keep ``vector_set`` in this session under a unique name, make it the current one, and
    return that name (a second model with the same settings gets " (2)", and so on)."""
    sets = vector_sets()
    name = base = vector_set.name
    n = 2
    while name in sets:
        name = f"{base} ({n})"
        n += 1
    vector_set.name = name
    sets[name] = vector_set
    st.session_state[CURRENT_VECTORS_KEY] = name
    for dropped in drop_oldest(sets, MAX_VECTOR_SETS):
        st.toast(
            f"Dropped the word vectors **{dropped.name}** to save memory: a session keeps "
            f"the {MAX_VECTOR_SETS} latest sets. Export a set first to keep it.",
            icon=":material/delete_sweep:",
        )
    return name


def _train_quick_vectors() -> None:
    from core.embeddings.word2vec import quick_vector_set

    with st.spinner("Training a small skip-gram model on the Lee corpus…"):
        add_vector_set(quick_vector_set())


NO_VECTORS_HINT = (
    "No word vectors in this session yet. Train some on **Train word2vec**, load a word2vec or "
    "GloVe file on **Import and export vectors**, or start with a small model of the Lee news "
    "corpus (skip-gram, 50 dimensions, a few seconds)."
)


def choose_vector_set(
    label: str = "Word vectors", key: str = "vectors_choice", empty_hint: str = NO_VECTORS_HINT
):
    """A select box over this session's vectors, defaulting to the latest trained or loaded.

    With none yet, shows ``empty_hint`` (where vectors come from), offers a quick model, and
    returns ``None``.
    """
    sets = vector_sets()
    if not sets:
        st.info(empty_hint, icon=":material/info:")
        st.button(
            "Train a quick model",
            key=f"{key}_quick",
            on_click=_train_quick_vectors,
            icon=":material/bolt:",
        )
        return None
    names = list(sets)
    current = st.session_state.get(CURRENT_VECTORS_KEY)
    index = names.index(current) if current in names else len(names) - 1
    name = st.selectbox(label, names, index=index, key=key)
    vector_set = sets[name]
    st.caption(
        f"{len(vector_set):,} words × {vector_set.dimension} dimensions · {vector_set.source}"
    )
    return vector_set


CLASSIFIER_KEY = "classifier_current"


@st.cache_resource(show_spinner=False)
def _training_device() -> str:
    from core.nn.training import training_device

    return training_device()


def show_device_in_sidebar() -> None:
    """Where Keras trains on this server (GPU or CPU), in the sidebar of the training pages.

    Called at the end of a page, so importing the Keras backend never delays what is above it.
    """
    st.sidebar.caption(f"**Training device:** {_training_device()}")


def current_classifier():
    """This session's last trained or imported classifier, or ``None``."""
    return st.session_state.get(CLASSIFIER_KEY)


RUNS_KEY = "runs"


def session_runs() -> list[RunRecord]:
    """Every training run of this session, oldest first (the Runs page compares them)."""
    return st.session_state.setdefault(RUNS_KEY, [])


def register_run(record: RunRecord) -> None:
    """Add ``record`` to this session's runs once; it fills in as training goes on."""
    runs = session_runs()
    if all(r.run_id != record.run_id for r in runs):
        if record.number is None:
            record.number = st.session_state.get("runs_counter", 0) + 1
        st.session_state["runs_counter"] = record.number
        runs.append(record)
        for dropped in drop_oldest(runs, MAX_RUNS, keep=lambda run: run.status == "running"):
            st.toast(
                f"Dropped run {dropped.number} ({dropped.kind}) from **Runs** to save memory: "
                f"a session keeps its {MAX_RUNS} latest runs.",
                icon=":material/delete_sweep:",
            )
