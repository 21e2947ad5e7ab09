"""Live jobs: work in a worker thread (a training, a projection), drawn as it goes, stoppable,
settled once.

Each job is a :class:`core.nn.jobs.LiveJob` kept in this session's store (:func:`session_jobs`)
under its kind and a key, so that the next run of a page finds the job its previous run started:
Streamlit may begin that run before the previous one has finished unwinding. Every training
waits its turn in the server's pool (:mod:`pages.ui.job_pool`); while it waits, its progress
bar says how many trainings are ahead of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable

import streamlit as st

from core.nn.jobs import LiveCount, LiveJob, stop_before_start, training_work
from core.nn.memory import JOB_BASE_MB
from core.nn.sharing import lower_priority
from core.nn.training import ComparisonResult, RunRecord, StopFlag, progress_in_turn
from pages.ui.job_pool import job_place_text, submit_job
from pages.ui.stores import register_run

log = logging.getLogger(__name__)

JOBS_KEY = "_live_jobs"  # this session's jobs, by kind, then by key
TRAININGS = "training"  # the kind of the jobs of run_live_training, keyed by run id

# How many trainings this server is drawing live, over all sessions (it paces chart redraws).
LIVE_TRAININGS = LiveCount()
# A live redraw waits at least this many times as long as the last one took: however slow
# the charts, following a training takes at most about a tenth of a core from page loads.
REDRAW_COST_FACTOR = 10


def session_jobs(kind: str) -> dict[Hashable, LiveJob]:
    """This session's jobs of one ``kind`` (running, or finished and not yet settled), by key."""
    return st.session_state.setdefault(JOBS_KEY, {}).setdefault(kind, {})


def start_training(
    train: Callable[[RunRecord, StopFlag], None],
    record: RunRecord,
    job: LiveJob,
    memory_mb: float = JOB_BASE_MB,
) -> LiveJob:
    """Queue ``train(record, job.stop_flag)`` as ``job`` in the server's pool (it starts at
    once when a slot is free), kept in this session under the run's id.

    Another training of this session under the same job name (the same page's, from a run
    that has not finished unwinding) is stopped first, so one page never trains twice at once.
    ``memory_mb`` is the training's memory estimate
    (:func:`core.nn.memory.memory_estimate_mb`). The record always ends: ``failed`` with the
    message when ``train`` raises, ``complete`` when it returns with the record still running,
    ``stopped`` with 0 epochs when it leaves the queue before its turn.
    """
    jobs = session_jobs(TRAININGS)
    for earlier in list(jobs.values()):
        if earlier.name == job.name and earlier is not job and earlier.running:
            log.info("stopping an earlier copy of %s", job.name)
            earlier.stop(timeout=60)
    jobs[record.run_id] = job
    submit_job(job, training_work(train, record), memory_mb, lambda: stop_before_start(record))
    return job


def run_live_training(
    train: Callable[[RunRecord, StopFlag], None],
    record: RunRecord,
    draw: Callable[[RunRecord, str], None],
    key: str,
    poll_seconds: float = 0.25,
    redraw_seconds: float = 1.0,
    progress_of: Callable[[RunRecord], tuple[int, int]] | None = None,
    register: bool = True,
    progress_text: Callable[[RunRecord], str] | None = None,
    memory_mb: float = JOB_BASE_MB,
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
    ``progress_text(record)`` words the progress bar (by default ``Epoch 3 of 30``).
    The training waits its turn in the server's pool (estimated at ``memory_mb``); meanwhile
    the bar says ``Waiting: 2 trainings ahead of yours``, and Stop takes it out of the queue.
    """
    job = LiveJob(name=f"train-{key}")
    st.session_state[key] = record
    if register:
        register_run(record)
    progress_of = progress_of or (lambda r: (r.epochs_done, r.total_epochs))

    stop_slot = st.empty()
    stop_slot.button(
        "Stop training",
        key=f"{key}_stop",
        on_click=job.stop_flag.request,
        icon=":material/stop_circle:",
    )
    progress = st.progress(0.0, text="Starting…")
    live = st.empty()
    start_training(train, record, job, memory_mb)
    waiting = job_place_text(job)
    if waiting:
        progress.progress(0.0, text=waiting)
    show = _training_progress(
        record, draw, key, progress, live, progress_of, redraw_seconds, progress_text
    )
    try:
        # Following is drawing: other people's page loads come first.
        with lower_priority():
            while job.queued:  # its place in the queue; only a started training paces redraws
                show(job)
                time.sleep(poll_seconds)
            with LIVE_TRAININGS:
                job.follow(show, poll_seconds)
    finally:
        if job.running:
            # This script was interrupted mid-training (Stop, another page, a changed widget).
            _stop_run(record)
    job.wait()
    session_jobs(TRAININGS).pop(record.run_id, None)
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


def redraw_interval(redraw_seconds: float, live_trainings: int, last_draw_seconds: float) -> float:
    """Seconds to wait before the next live redraw: ``redraw_seconds`` for each training the
    server draws live (at least one), and at least :data:`REDRAW_COST_FACTOR` times what the
    last redraw took, so that drawing takes at most about a tenth of the page's time."""
    return max(redraw_seconds * max(1, live_trainings), REDRAW_COST_FACTOR * last_draw_seconds)


def _training_progress(
    record: RunRecord,
    draw: Callable[[RunRecord, str], None],
    key: str,
    progress,
    live,
    progress_of: Callable[[RunRecord], tuple[int, int]],
    redraw_seconds: float,
    progress_text: Callable[[RunRecord], str] | None = None,
) -> Callable[[LiveJob], None]:
    """What :meth:`LiveJob.follow` shows of a training: its epochs on the progress bar, and its
    charts redrawn now and then.

    A chart needs a moment to draw in the browser, so it is redrawn at most every
    ``redraw_seconds``. Each redraw also costs the server (building and sending the figures),
    so that interval grows with the number of trainings the server draws at once, and with what
    the last redraw cost (:data:`REDRAW_COST_FACTOR`): page loads of other people stay quick
    while many train.
    """
    shown = -1
    drawn_at = 0.0
    draw_cost = 0.0
    waited = ""

    def show(job: LiveJob) -> None:
        nonlocal shown, drawn_at, draw_cost, waited
        if job.queued:
            text = job_place_text(job) or waited
            if text != waited:
                waited = text
                progress.progress(0.0, text=text)
            return
        done, total = progress_of(record)
        if done != shown:
            shown = done
            total = max(total, 1)  # set by the worker once fit starts
            text = progress_text(record) if progress_text else f"Epoch {done} of {total}"
            progress.progress(min(done / total, 1.0), text=text)
            interval = redraw_interval(redraw_seconds, LIVE_TRAININGS.count, draw_cost)
            if time.monotonic() - drawn_at >= interval:
                drawn_at = time.monotonic()
                with live.container():
                    draw(record, f"{key}_live_{done}")
                draw_cost = time.monotonic() - drawn_at

    return show


def settle_run(record: RunRecord) -> RunRecord:
    """Make sure ``record`` has ended: a run still training from an interrupted script is
    stopped at the end of its current batch and marked stopped, never complete."""
    job = session_jobs(TRAININGS).get(record.run_id)
    if job is not None and job.running:
        with st.spinner("Stopping the previous run at the end of its current batch…"):
            _stop_run(record)
    else:
        _stop_run(record)  # forgets a finished job; marks a record left "running" stopped
    return record


def _stop_run(record: RunRecord) -> None:
    """Set the run's stop flag, wait for its batch to end, and never leave it "running"."""
    jobs = session_jobs(TRAININGS)
    job = jobs.get(record.run_id)
    if job is not None and job.stop(timeout=60):
        jobs.pop(record.run_id, None)
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
        done = ", ".join(f"{name}: {p.progress_text()}" for name, p in parts.items())
        st.warning(
            f"**Stopped** before the comparison was complete ({done}). Runs with fewer epochs "
            "are partial; press the button again for the whole comparison.",
            icon=":material/stop_circle:",
        )


def show_run_status(record: RunRecord, answer: str | None = None) -> None:
    """How the run ended, in words: complete, stopped (partial curves) or failed (with advice).
    ``answer``, the run's result in one sentence with its numbers (a verdict), leads the banner
    of a complete run, before how it ran."""
    settle_run(record)
    done = f"{record.progress_text()} in {record.duration:.1f} s"
    if record.status == "failed":
        st.error(f"**Training failed** after {done}. {record.message}", icon=":material/error:")
    elif record.status == "stopped":
        st.warning(
            f"**Stopped**: {done}. {record.message} The curves below are partial.",
            icon=":material/stop_circle:",
        )
    elif record.status == "complete":
        lead = f"**{answer}**\n\n" if answer else ""
        st.success(
            f"{lead}**Complete**: {done} on {record.device}. {record.message}".strip(),
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
