"""Live jobs: trainings run in a worker thread, drawn as they go, stoppable, settled once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import streamlit as st

from core.nn.training import ComparisonResult, RunRecord, StopFlag, progress_in_turn
from pages.ui.stores import register_run

log = logging.getLogger(__name__)


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

    ``group.result`` is a :class:`~core.nn.training.ComparisonResult` whose ``parts`` are the
    runs; ``compare(group, stop_flag)`` trains them (with
    :func:`core.nn.training.train_in_turn`). Each part is a run of its own on the Runs page, the
    progress bar counts the epochs of all of them, and Stop marks the comparison stopped.
    """
    for part in group.result_as(ComparisonResult).parts.values():
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
        progress_of=lambda g: progress_in_turn(g.result_as(ComparisonResult).parts),
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
    """How a comparison (runs trained in turn, a :class:`ComparisonResult`) ended, if not
    completely: stopped, with which runs are partial or missing, or failed parts with advice.
    ``labels`` names each part for people."""
    settle_run(record)
    parts = {labels[name]: part for name, part in record.result_as(ComparisonResult).parts.items()}
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
