"""Widgets shared by several pages: the upload box and its messages. UI only; logic is in core."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import script_runner

from core.data.datasets import MAX_UPLOAD_MB, Corpus, LabelledText
from core.data.reading import parse_upload
from core.errors import DataError
from core.nn.training import RunRecord, StopFlag, progress_in_turn

log = logging.getLogger(__name__)
T = TypeVar("T")


class _LiveTrainings:
    """How many trainings this server is drawing live, over all sessions (a count, no data)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __enter__(self) -> _LiveTrainings:
        with self._lock:
            self.count += 1
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self.count -= 1


LIVE_TRAININGS = _LiveTrainings()

UPLOAD_HELP = (
    "Labelled text: CSV with a text column and a label column, UCI-style TSV (label<TAB>text) or "
    "fastText lines (__label__spam some text). Plain corpora: one sentence or document per line "
    f"(.txt, .cor, optionally .gz). Up to {MAX_UPLOAD_MB} MB; UTF-8, UTF-16 with BOM or latin-1."
)


def require_navigation() -> None:
    """Make sure this page runs inside app.py's navigation, even when it is the server's first run.

    Streamlit decides between the legacy ``pages/`` discovery and ``st.navigation`` on the first
    run of a server process. When that first run is a deep link (``/datasets``), it runs the page
    file on its own, with an auto-discovered menu and without app.py's config. Switching the
    legacy mode off and re-running sends the same URL through app.py's navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show_data_error(error: DataError, kept: str | None = None) -> None:
    """What is wrong, then how to fix it: never a traceback.

    ``kept`` says what the session still holds; it goes in the same alert, so the message and the
    reassurance always arrive together.
    """
    st.error(
        f"**{error.message}**"
        + (f"\n\n{error.hint}" if error.hint else "")
        + (f"\n\n{kept}" if kept else ""),
        icon=":material/error:",
    )


def read_once(
    uploaded,
    key: str,
    read: Callable[[str, bytes], T],
    hint: str,
    options: tuple = (),
) -> tuple[T | DataError, bool]:
    """Read an uploaded file once per upload (and per ``options``), keeping what it gave in this
    session, so reruns of the page do not parse it again and no other session sees it.

    ``read(file name, bytes)`` parses. Our :class:`DataError` is kept as the result; any other
    exception becomes a DataError that names the file, with ``hint`` on what files work, rather
    than a traceback. Returns (the result, whether it was read just now).
    """
    memo_key = f"_read_{key}"
    stamp = (uploaded.file_id, *options)
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] == stamp:
        return memo[1], False
    try:
        result: T | DataError = read(uploaded.name, uploaded.getvalue())
    except DataError as error:
        result = error
    except Exception as error:  # a bug of ours must not become a traceback on the page
        log.exception("unexpected error while reading %s", uploaded.name)
        result = DataError(f"{uploaded.name} could not be read ({type(error).__name__}).", hint)
    st.session_state[memo_key] = (stamp, result)
    return result, True


# ---------------------------------------------------------------- Keras state between script runs
# After every script run, Streamlit calls ``keras.backend.clear_session()`` once Keras is imported
# (``_clean_problem_modules`` in ``streamlit.runtime.scriptrunner.script_runner``). On a server
# where several people train at once, that call would reset Keras's global state (its dtype
# policy, distribution and name counters) under the trainings of other sessions, and run a full
# garbage collection that holds the interpreter for a quarter of a second or more with TensorFlow
# loaded, while every other session and every file sent to a browser waits. Nothing needs
# clearing: each run builds its models afresh and drops them when it ends. Streamlit's other
# clean-up there, closing Matplotlib's figures, is kept.

# Streamlit's own clean-up, kept for reference (and for the test that shows what it clears).
STREAMLIT_CLEAN_UP = getattr(script_runner, "_clean_problem_modules", None)


def _close_matplotlib_figures() -> None:
    """What Streamlit's clean-up does besides clearing Keras."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit clearing Keras after each script run. Returns whether the hook was found
    (a Streamlit without it clears nothing, or clears in a way this does not know about)."""
    if not callable(getattr(script_runner, "_clean_problem_modules", None)):
        return False
    script_runner._clean_problem_modules = _close_matplotlib_figures
    return True


def upload_text(label: str, key: str, want: str = "any") -> LabelledText | Corpus | None:
    """An upload box that parses the file once per upload and keeps the result in this session.

    Returns the parsed data, or ``None`` when nothing usable is uploaded (after showing why).
    Results live in ``st.session_state``, so one user's file never answers another's request.
    """
    uploaded = st.file_uploader(label, key=key, help=UPLOAD_HELP)
    if uploaded is None:
        return None
    result, _ = read_once(
        uploaded,
        key,
        lambda name, data: parse_upload(name, data, want=want),
        "Check that it is a text, CSV, TSV or fastText file; if it is, please report it.",
        options=(want,),
    )
    if isinstance(result, DataError):
        show_data_error(result)
        return None
    describe_upload(result)
    return result


def describe_upload(data: LabelledText | Corpus) -> None:
    """The detected format and size, plus any warnings from reading the file."""
    if isinstance(data, LabelledText):
        counts = ", ".join(f"{label}: {n:,}" for label, n in data.class_counts().items())
        st.success(f"Read **{len(data):,} labelled texts** · format: {data.format} · {counts}")
    else:
        st.success(f"Read **{len(data):,} documents** · format: {data.format}")
    for warning in data.warnings:
        st.warning(warning)


def chips(tokens: list[str], limit: int = 150) -> str:
    """Tokens as inline code, so spaces and punctuation inside a token stay visible."""
    shown = " ".join(f"`{t.replace('`', 'ˋ')}`" for t in tokens[:limit])
    return shown + (f" … and {len(tokens) - limit:,} more" if len(tokens) > limit else "")


def show_code(code: str, title: str = "Show the code") -> None:
    """An expander with the ``core`` calls behind a view, for readers who want to script it."""
    with st.expander(title):
        st.code(code.strip(), language="python")


def run_live_training(
    train: Callable[[RunRecord, StopFlag], None],
    record: RunRecord,
    draw: Callable[[RunRecord, str], None],
    key: str,
    poll_seconds: float = 0.25,
    redraw_seconds: float = 1.0,
    progress_of: Callable[[RunRecord], tuple[int, int]] | None = None,
    register: bool = True,
) -> RunRecord:
    """Run ``train(record, stop_flag)`` in a worker thread while this script draws its progress.

    ``draw(record, key_prefix)`` renders the curves so far; it is called again after each new
    epoch with a fresh ``key_prefix`` (Streamlit refuses two equal charts in one run). A Stop
    button sets the flag, which the Keras callback checks at the end of every batch. If this
    script is interrupted instead (the user clicks Stop, changes a widget or leaves the page),
    the flag is set as well and the run is recorded as stopped, never as complete.
    The record is kept in ``st.session_state[key]`` so the next run of the page can show it.

    ``progress_of(record)`` gives (epochs done, epochs planned), by default the record's own;
    ``register=False`` keeps the record off the Runs page (see :func:`run_live_comparison`).
    """
    stop_flag = StopFlag()
    st.session_state[key] = record
    if register:
        register_run(record)
    progress_of = progress_of or (lambda r: (r.epochs_done, r.total_epochs))

    def work() -> None:
        yield_cpu_to_pages()
        try:
            train(record, stop_flag)
        except Exception as error:  # the page shows the message; the thread must not die silently
            log.exception("training failed")
            record.finish("failed", f"Training failed: {error}")
        finally:
            if record.status == "running":
                record.finish("complete")

    stop_slot = st.empty()
    stop_slot.button(
        "Stop training",
        key=f"{key}_stop",
        on_click=stop_flag.request,
        icon=":material/stop_circle:",
    )
    progress = st.progress(0.0, text="Starting…")
    live = st.empty()
    worker = threading.Thread(target=work, name=f"train-{key}", daemon=True)
    # Streamlit may start the next run of the page before this one has finished unwinding,
    # so the record carries its worker and flag for show_run_status() to settle.
    record._live_worker = worker
    record._live_stop = stop_flag
    worker.start()
    try:
        with LIVE_TRAININGS:
            _follow(
                worker, record, draw, key, progress, live, progress_of, poll_seconds, redraw_seconds
            )
    finally:
        if worker.is_alive():
            # This script was interrupted mid-training (Stop, another page, a changed widget).
            _stop_run(record)
    worker.join()
    stop_slot.empty()
    progress.empty()
    live.empty()
    return record


def run_live_comparison(
    compare: Callable[[RunRecord, StopFlag], object],
    group: RunRecord,
    draw: Callable[[RunRecord, str], None],
    key: str,
) -> RunRecord:
    """:func:`run_live_training` for runs trained one after the other (a comparison).

    ``group.extra["parts"]`` holds the runs; ``compare(group, stop_flag)`` trains them (with
    :func:`core.nn.training.train_in_turn`). Each part is a run of its own on the Runs page, the
    progress bar counts the epochs of all of them, and Stop marks the comparison stopped.
    """
    for part in group.extra["parts"].values():
        register_run(part)

    def train(record: RunRecord, stop_flag: StopFlag) -> None:
        compare(record, stop_flag)
        if stop_flag.is_set():
            record.finish("stopped", "Stopped by request.")

    return run_live_training(
        train,
        group,
        draw,
        key,
        progress_of=lambda g: progress_in_turn(g.extra["parts"]),
        register=False,
    )


def _follow(
    worker: threading.Thread,
    record: RunRecord,
    draw: Callable[[RunRecord, str], None],
    key: str,
    progress,
    live,
    progress_of: Callable[[RunRecord], tuple[int, int]],
    poll_seconds: float,
    redraw_seconds: float,
) -> None:
    """Show the run's progress until its worker ends, and redraw its charts now and then.

    A chart needs a moment to draw in the browser, so it is redrawn at most every
    ``redraw_seconds``. Each redraw also costs the server (building and sending the figures),
    so that interval grows with the number of trainings the server draws at once: page loads of
    other people stay quick while many train.
    """
    shown = -1
    drawn_at = 0.0
    while worker.is_alive():
        done, total = progress_of(record)
        if done != shown:
            shown = done
            total = max(total, 1)  # set by the worker once fit starts
            progress.progress(min(done / total, 1.0), text=f"Epoch {done} of {total}")
            interval = redraw_seconds * max(1, LIVE_TRAININGS.count)
            if time.monotonic() - drawn_at >= interval:
                drawn_at = time.monotonic()
                with live.container():
                    draw(record, f"{key}_live_{done}")
        time.sleep(poll_seconds)


def yield_cpu_to_pages(niceness: int = 10) -> None:
    """Lower this thread's scheduling priority (Linux threads each have their own nice value,
    and threads they start inherit it), so that page loads of other users stay quick while
    trainings share the CPU. Training itself loses nothing when the CPU is otherwise idle."""
    import contextlib
    import os

    # Not Linux, or not allowed: the thread keeps its normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


def settle_run(record: RunRecord) -> RunRecord:
    """Make sure ``record`` has ended: a run still training from an interrupted script is
    stopped at the end of its current batch and marked stopped, never complete."""
    worker = getattr(record, "_live_worker", None)
    if worker is not None and worker.is_alive():
        with st.spinner("Stopping the previous run at the end of its current batch…"):
            _stop_run(record)
    elif record.status == "running":
        _stop_run(record)
    return record


def _stop_run(record: RunRecord) -> None:
    """Set the run's stop flag, wait for its batch to end, and never leave it "running"."""
    stop_flag = getattr(record, "_live_stop", None)
    worker = getattr(record, "_live_worker", None)
    if stop_flag is not None:
        stop_flag.request()
    if worker is not None:
        worker.join(timeout=60)
    if record.status == "running":
        record.finish("stopped", "Stopped when the page was left or its settings changed.")


def show_comparison_status(record: RunRecord, labels: dict[str, str]) -> None:
    """How a comparison (runs trained in turn, in ``record.extra["parts"]``) ended, if not
    completely: stopped, with which runs are partial or missing, or failed parts with advice.
    ``labels`` names each part for people."""
    settle_run(record)
    parts = {labels[name]: part for name, part in record.extra["parts"].items()}
    for name, part in parts.items():
        if part.status == "failed":
            st.error(f"**{name}** failed: {part.message}", icon=":material/error:")
    if record.status == "stopped" or any(p.status == "stopped" for p in parts.values()):
        done = ", ".join(
            f"{name}: {p.epochs_done} of {p.total_epochs} epochs" for name, p in parts.items()
        )
        st.warning(
            f"**Stopped** before the comparison was complete ({done}). Runs with fewer epochs "
            "are partial; press the button again for the whole comparison.",
            icon=":material/stop_circle:",
        )


def show_run_status(record: RunRecord) -> None:
    """How the run ended, in words: complete, stopped (partial curves) or failed (with advice)."""
    settle_run(record)
    done = f"{record.epochs_done} of {record.total_epochs} epochs in {record.duration:.1f} s"
    if record.status == "failed":
        st.error(f"**Training failed** after {done}. {record.message}", icon=":material/error:")
    elif record.status == "stopped":
        st.warning(
            f"**Stopped**: {done}. {record.message} The curves below are partial.",
            icon=":material/stop_circle:",
        )
    elif record.status == "complete":
        st.success(
            f"**Complete**: {done} on {record.device}. {record.message}".strip(),
            icon=":material/check_circle:",
        )


def show_last_run(record: RunRecord, settings_changed: bool, draw, key: str) -> None:
    """How the last run ended, a note when the settings moved on since, and its curves with data."""
    import pandas as pd

    show_run_status(record)
    if settings_changed:
        st.caption("The results below are from the last run; the settings above have changed.")
    st.subheader("Training curves")
    draw(record, key)
    with st.expander("Curve data"):
        st.dataframe(pd.DataFrame(record.history).rename_axis("epoch").rename(lambda i: i + 1))


# ---------------------------------------------------------------- word vectors of this session

VECTORS_KEY = "word_vectors"
CURRENT_VECTORS_KEY = "word_vectors_current"


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


# ---------------------------------------------------------------- classifier of this session

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


# ---------------------------------------------------------------- runs of this session

RUNS_KEY = "runs"


def session_runs() -> list[RunRecord]:
    """Every training run of this session, oldest first (the Runs page compares them)."""
    return st.session_state.setdefault(RUNS_KEY, [])


def register_run(record: RunRecord) -> None:
    """Add ``record`` to this session's runs once; it fills in as training goes on."""
    runs = session_runs()
    if all(r.run_id != record.run_id for r in runs):
        record.extra.setdefault("number", st.session_state.get("runs_counter", 0) + 1)
        st.session_state["runs_counter"] = record.extra["number"]
        runs.append(record)


# ---------------------------------------------------------------- shareable links


def linked_settings(fields: dict, note_upload: bool = False) -> dict:
    """The page's settings from the URL's query parameters, for use as widget defaults.

    Parameters that cannot be used fall back to their defaults with a warning; nothing in a
    link can raise. Call :func:`update_link` with the values the widgets return.
    """
    from core.data.links import parse_params

    values, problems = parse_params(st.query_params.to_dict(), fields)
    if problems:
        st.warning(
            "Some settings in this link could not be used, so their defaults are: "
            + "; ".join(problems)
            + ".",
            icon=":material/link_off:",
        )
    if note_upload:
        st.caption(
            ":material/link: The address of this page holds its settings: copy it to share "
            "the same experiment. Uploaded data is not part of a link."
        )
    return values


def update_link(values: dict, fields: dict) -> None:
    """Write the current settings into the address bar (defaults left out, so links stay short)."""
    from core.data.links import encode_params

    wanted = encode_params(values, fields)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def sync_link(fields: dict, keys: dict) -> None:
    """:func:`update_link` from widget state: ``keys`` maps each field to its widget's key."""
    update_link(
        {name: st.session_state[key] for name, key in keys.items() if key in st.session_state},
        fields,
    )
