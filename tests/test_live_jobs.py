"""Live jobs: core.nn.jobs.LiveJob on its own, and pages.ui.live_jobs settling trainings."""

import logging
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import DataError
from core.nn.jobs import LiveCount, LiveJob

# ---------------------------------------------------------------- the handle


def test_a_finished_jobs_result_is_read_once():
    job = LiveJob(name="sum").start(lambda job: sum(range(10)))
    assert job.wait(10)
    assert not job.running and job.error is None
    assert job.take_result() == 45
    assert job.take_result() is None and job.result is None


def test_the_result_cannot_be_taken_while_the_work_goes_on():
    release = threading.Event()
    job = LiveJob(name="slow").start(lambda job: release.wait(10))
    try:
        assert job.running
        with pytest.raises(RuntimeError, match="not finished"):
            job.take_result()
    finally:
        release.set()
    assert job.wait(10) and job.take_result() is True


def test_a_job_starts_once():
    job = LiveJob(name="once").start(lambda job: None)
    with pytest.raises(RuntimeError, match="already been started"):
        job.start(lambda job: None)
    job.wait(10)


def test_an_error_is_kept_for_the_page_and_logged_unless_it_says_what_to_fix(caplog):
    def fail(job):
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="core.nn.jobs"):
        broken = LiveJob(name="broken").start(fail)
        broken.wait(10)
    assert isinstance(broken.error, ValueError) and broken.take_result() is None
    assert "broken failed" in caplog.text

    caplog.clear()

    def refuse(job):
        raise DataError("Too few words.", "Show more words.")

    with caplog.at_level(logging.ERROR, logger="core.nn.jobs"):
        refused = LiveJob(name="refused").start(refuse)
        refused.wait(10)
    assert isinstance(refused.error, DataError)
    assert caplog.text == ""


def test_stop_asks_the_work_to_end_and_waits_for_it():
    def count(job):
        steps = 0
        while not job.stop_flag.is_set():
            steps += 1
            job.report(f"step {steps}", 0.5)
            time.sleep(0.01)
        return steps

    job = LiveJob(name="counter").start(count)
    assert job.running
    assert job.stop(timeout=10)
    assert not job.running and job.stop_flag.is_set()
    assert job.take_result() >= 1
    assert job.message.startswith("step ") and job.fraction == 0.5


def test_follow_shows_the_job_until_it_ends():
    release = threading.Event()
    job = LiveJob(name="followed").start(lambda job: release.wait(10))
    seen = []

    def show(job):
        seen.append(job.elapsed)
        if len(seen) == 3:
            release.set()

    job.follow(show, poll_seconds=0.01)
    assert not job.running and len(seen) >= 3
    assert seen == sorted(seen)


def test_the_live_count_goes_back_down_when_the_block_fails():
    count = LiveCount()
    with pytest.raises(KeyboardInterrupt), count:
        assert count.count == 1
        raise KeyboardInterrupt
    assert count.count == 0


# ---------------------------------------------------------------- trainings on a page


def _training_left_running_then_settled():
    """A page run that starts a training, never follows it (its script was interrupted), and
    settles it as the next run of the page does."""
    import time

    import streamlit as st

    from core.nn.jobs import LiveJob
    from core.nn.training import RunRecord
    from pages.ui.live_jobs import TRAININGS, session_jobs, settle_run, start_training

    def train(record, stop_flag):
        # Like fit_live: an epoch at a time, ending "stopped" at the flag.
        record.total_epochs = 1000
        for _ in range(record.total_epochs):
            if stop_flag.is_set():
                record.finish("stopped", "Stopped by request.")
                return
            time.sleep(0.01)
            record.add_epoch({"loss": 1.0})

    record = RunRecord(kind="test")
    job = start_training(train, record, LiveJob(name="test"))
    while record.epochs_done < 2:
        time.sleep(0.01)
    kept = session_jobs(TRAININGS).get(record.run_id) is job
    settle_run(record)
    st.session_state["outcome"] = {
        "kept": kept,
        "running": job.running,
        "status": record.status,
        "epochs": record.epochs_done,
        "forgotten": record.run_id not in session_jobs(TRAININGS),
    }


def test_a_training_left_running_is_stopped_and_settled_as_stopped():
    at = AppTest.from_function(_training_left_running_then_settled, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    outcome = at.session_state["outcome"]
    assert outcome["kept"] and not outcome["running"] and outcome["forgotten"]
    assert outcome["status"] == "stopped"
    assert 2 <= outcome["epochs"] < 1000


def _trainings_that_ended():
    """Trainings that completed, failed, or never had a job (a part of a comparison)."""
    import streamlit as st

    from core.nn.jobs import LiveJob
    from core.nn.training import RunRecord
    from pages.ui.live_jobs import TRAININGS, session_jobs, settle_run, start_training

    def train(record, stop_flag):
        record.add_epoch({"loss": 1.0})

    def fail(record, stop_flag):
        raise ValueError("no data")

    done, failed, orphan = RunRecord(kind="done"), RunRecord(kind="failed"), RunRecord(kind="x")
    for record, work in ((done, train), (failed, fail)):
        start_training(work, record, LiveJob(name=record.kind)).wait(10)
        settle_run(record)
    settle_run(orphan)
    st.session_state["outcome"] = {
        record.kind: (record.status, record.message) for record in (done, failed, orphan)
    }
    st.session_state["left"] = len(session_jobs(TRAININGS))


def test_settling_keeps_how_a_training_ended_and_forgets_its_job():
    at = AppTest.from_function(_trainings_that_ended, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    outcome = at.session_state["outcome"]
    assert outcome["done"] == ("complete", "")
    assert outcome["failed"] == ("failed", "Training failed: no data")
    assert outcome["x"] == (
        "stopped",
        "Stopped when the page was left or its settings changed.",
    )
    assert at.session_state["left"] == 0


def _live_training_followed():
    """run_live_training with a small training that is not Keras: drawn as it goes."""
    import time

    import streamlit as st

    from core.nn.training import RunRecord
    from pages.ui.live_jobs import LIVE_TRAININGS, TRAININGS, run_live_training, session_jobs

    drawn = []

    def train(record, stop_flag):
        record.total_epochs = 3
        for _ in range(3):
            time.sleep(0.05)
            record.add_epoch({"loss": 1.0})

    record = run_live_training(
        train,
        RunRecord(kind="small"),
        lambda record, key: drawn.append(key),
        key="small_run",
        poll_seconds=0.01,
        redraw_seconds=0.0,
    )
    st.session_state["outcome"] = {
        "status": record.status,
        "epochs": record.epochs_done,
        "drawn": drawn,
        "jobs": len(session_jobs(TRAININGS)),
        "live": LIVE_TRAININGS.count,
        "registered": [r.run_id for r in st.session_state["runs"]] == [record.run_id],
    }


def test_a_followed_training_is_drawn_as_it_goes_and_ends_complete():
    at = AppTest.from_function(_live_training_followed, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    outcome = at.session_state["outcome"]
    assert outcome["status"] == "complete" and outcome["epochs"] == 3
    assert outcome["drawn"] and outcome["drawn"][-1].startswith("small_run_live_")
    assert outcome["jobs"] == 0 and outcome["live"] == 0 and outcome["registered"]
    assert at.session_state["small_run"].run_id


def _same_training_started_twice():
    """A training left running by a run of the page that has not finished unwinding, then the
    same page's training started again: the first is stopped before the second begins."""
    import threading
    import time

    import streamlit as st

    from core.nn.jobs import LiveJob
    from core.nn.training import RunRecord
    from pages.ui.job_pool import SERVER_POOL, session_owner
    from pages.ui.live_jobs import run_live_training, start_training

    lock, active, most, in_pool = threading.Lock(), [0], [0], []
    owner = session_owner()  # this script's session; the worker threads have none

    def train(record, stop_flag):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            record.total_epochs = 200
            for _ in range(record.total_epochs):
                if stop_flag.is_set():
                    record.finish("stopped", "Stopped by request.")
                    return
                in_pool.append(len(SERVER_POOL.owner_jobs(owner)))
                time.sleep(0.01)
                record.add_epoch({"loss": 1.0})
                if record.kind == "second" and record.epochs_done == 5:
                    return
        finally:
            with lock:
                active[0] -= 1

    first = RunRecord(kind="first")
    start_training(train, first, LiveJob(name="train-same"))
    while first.epochs_done < 2:
        time.sleep(0.01)
    second = run_live_training(
        train, RunRecord(kind="second"), lambda r, k: None, key="same", poll_seconds=0.01
    )
    st.session_state["outcome"] = {
        "first": first.status,
        "second": (second.status, second.epochs_done),
        "most": most[0],
        "in_pool": max(in_pool),
    }


def test_a_page_never_trains_the_same_training_twice_at_once():
    at = AppTest.from_function(_same_training_started_twice, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    outcome = at.session_state["outcome"]
    assert outcome["first"] == "stopped" and outcome["second"] == ("complete", 5)
    assert outcome["most"] == 1 and outcome["in_pool"] == 1


def test_work_without_batches_ends_at_its_next_stage_once_stopped(caplog):
    from core.nn.jobs import JobStopped

    stages = []

    def stages_of_work(job):
        for stage in range(1000):
            job.report_or_stop(f"stage {stage}", stage / 1000)
            stages.append(stage)
            time.sleep(0.005)
        return "done"

    with caplog.at_level(logging.ERROR, logger="core.nn.jobs"):
        job = LiveJob(name="stages").start(stages_of_work)
        while len(stages) < 3:
            time.sleep(0.005)
        assert job.stop(timeout=10)
    assert isinstance(job.error, JobStopped) and job.take_result() is None
    assert 3 <= len(stages) < 1000 and caplog.text == ""  # a stop is no failure to log
