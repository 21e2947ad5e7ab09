"""The server's job pool seen from the pages: a queued training shows its place in the queue,
a stopped one leaves it, and the pool's owners are Streamlit sessions."""

import threading
import time

import pytest
from streamlit.delta_generator import DeltaGenerator

from core.nn.jobs import LiveJob
from pages.ui.job_pool import NO_SESSION, SERVER_POOL, session_alive, session_owner
from tests.app_pages import open_page


@pytest.fixture
def full_pool(monkeypatch):
    """The server's pool with one slot, taken by a blocker of another session, and a second
    blocker queued: yields the two blockers' release events (set at the end in any case)."""
    monkeypatch.setattr(SERVER_POOL.settings, "slots", 1)
    monkeypatch.setattr(SERVER_POOL.settings, "memory_budget_mb", 1e9)
    releases = [threading.Event(), threading.Event()]
    blockers = [LiveJob(name=f"blocker-{i}") for i in range(2)]
    for i, (job, release) in enumerate(zip(blockers, releases, strict=True)):
        SERVER_POOL.submit(job, lambda job, release=release: release.wait(60), f"other-{i}")
    yield releases
    for job, release in zip(blockers, releases, strict=True):
        release.set()
        job.stop(timeout=10)


class RecordedTexts(list):
    """Texts in order, with a side list ``live``."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[int] = []


@pytest.fixture
def progress_texts(monkeypatch):
    """Every text a page puts on a progress bar after making it, in order; for waiting texts,
    how many trainings the server counted as drawing live then (in ``texts.live``)."""
    from pages.ui.live_jobs import LIVE_TRAININGS

    texts = RecordedTexts()
    original = DeltaGenerator.progress

    def progress(self, value, text=None, **kwargs):
        if text:
            texts.append(text)
            if text.startswith("Waiting"):
                texts.live.append(LIVE_TRAININGS.count)
        return original(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", progress)
    return texts


def release_when_shown(texts, wanted_and_release, timeout=60.0):
    """In a thread: each time the page has shown a wanted text, set its event."""

    def watch():
        deadline = time.monotonic() + timeout
        for wanted, release in wanted_and_release:
            while not any(wanted in text for text in texts) and time.monotonic() < deadline:
                time.sleep(0.02)
            release.set()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_training_page_shows_its_place_in_the_queue_and_trains_when_its_turn_comes(
    full_pool, progress_texts
):
    at = open_page("pages/playground.py")
    at.number_input(key="epochs").set_value(2)
    at.slider(key="n_samples").set_value(200)
    first, second = full_pool
    watcher = release_when_shown(
        progress_texts,
        [("Waiting: 1 training ahead of yours", first), ("Waiting: yours is next", second)],
    )
    next(b for b in at.button if b.label == "Train").click().run()
    watcher.join(5)
    assert not at.exception, [e.value for e in at.exception]
    waiting = [t for t in progress_texts if t.startswith("Waiting")]
    assert waiting[0] == "Waiting: 1 training ahead of yours (1 run at once on this server)"
    assert (
        waiting[-1]
        == "Waiting: yours is next, when a running training ends (1 run at once on this server)"
    )
    # A training that waits does not slow the redraws of those that run.
    assert progress_texts.live and set(progress_texts.live) == {0}
    # Once started, the bar counts epochs, and the run ends complete.
    assert any(t.startswith("Epoch") for t in progress_texts[progress_texts.index(waiting[-1]) :])
    assert any("Complete" in s.value and "2 of 2 epochs" in s.value for s in at.success)


def _queued_then_stopped():
    """A page run whose training waits behind a full pool and is stopped while it waits."""
    import streamlit as st

    from core.nn.jobs import LiveJob
    from core.nn.training import RunRecord
    from pages.ui.job_pool import SERVER_POOL, session_owner
    from pages.ui.live_jobs import TRAININGS, session_jobs, settle_run, start_training

    trained = []
    record = RunRecord(kind="queued")
    job = start_training(lambda r, flag: trained.append(1), record, LiveJob(name="train-q"))
    queued = SERVER_POOL.place(job).state
    settle_run(record)  # what the next run of the page does after an interruption
    st.session_state["outcome"] = {
        "queued": queued,
        "status": record.status,
        "epochs": record.epochs_done,
        "message": record.message,
        "trained": trained,
        "left": len(session_jobs(TRAININGS)),
        "in_pool": len(SERVER_POOL.owner_jobs(session_owner())),
    }


def test_a_training_stopped_while_queued_leaves_the_queue_stopped_with_no_epochs(full_pool):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_queued_then_stopped, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    outcome = at.session_state["outcome"]
    assert outcome["queued"] == "queued"
    assert outcome["status"] == "stopped" and outcome["epochs"] == 0
    assert "waited for its turn" in outcome["message"]
    assert outcome["trained"] == [] and outcome["left"] == 0 and outcome["in_pool"] == 0
    assert SERVER_POOL.queued_count == 1  # only the other session's blocker still waits


def test_without_a_runtime_every_session_counts_as_there():
    assert session_owner() == NO_SESSION  # outside a page run
    assert session_alive("any-session-id") and session_alive(NO_SESSION)


def _stores_filled_past_their_bounds():
    """More vector sets and runs than a session keeps, one run still training."""
    from types import SimpleNamespace

    import streamlit as st

    from core.nn.training import RunRecord
    from pages.ui.stores import MAX_RUNS, MAX_VECTOR_SETS, add_vector_set, register_run

    for i in range(MAX_VECTOR_SETS + 2):
        add_vector_set(SimpleNamespace(name=f"set {i}"))
    training = RunRecord(kind="still training")
    register_run(training)
    for _ in range(MAX_RUNS + 1):
        register_run(RunRecord(kind="done", status="complete"))
    st.session_state["training"] = training


def test_session_stores_keep_their_latest_entries_and_say_what_they_dropped():
    from streamlit.testing.v1 import AppTest

    from pages.ui.stores import MAX_RUNS, MAX_VECTOR_SETS

    at = AppTest.from_function(_stores_filled_past_their_bounds, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    sets = at.session_state["word_vectors"]
    assert list(sets) == [f"set {i}" for i in range(2, MAX_VECTOR_SETS + 2)]
    assert at.session_state["word_vectors_current"] == f"set {MAX_VECTOR_SETS + 1}"
    runs = at.session_state["runs"]
    assert len(runs) == MAX_RUNS and runs[0] is at.session_state["training"]
    assert [r.number for r in runs[1:]] == list(range(4, MAX_RUNS + 3))  # runs 2 and 3 dropped
    toasts = [t.value for t in at.toast]
    assert sum("Dropped the word vectors" in t for t in toasts) == 2
    assert any("Dropped run 2 (done)" in t for t in toasts)
    assert any("Dropped run 3 (done)" in t for t in toasts)


def test_a_session_no_longer_connected_counts_as_gone(monkeypatch):
    from types import SimpleNamespace

    from streamlit.runtime import Runtime

    connected = {"here": object()}
    fake = SimpleNamespace(get_client=connected.get)
    monkeypatch.setattr(Runtime, "_instance", fake)
    assert session_alive("here") and not session_alive("closed-tab")
    assert session_alive(NO_SESSION)
