"""The job pool (core.nn.pool) and memory helpers (core.nn.memory): order, fairness between
sessions, stopping while queued, gone owners, memory admission, bounded stores."""

import threading
import time

import pytest

from core.errors import DataError
from core.nn.jobs import LiveJob, stop_before_start, training_work
from core.nn.memory import (
    JOB_BASE_MB,
    MB,
    current_rss_mb,
    drop_oldest,
    memory_estimate_mb,
    text_training_estimate_mb,
)
from core.nn.pool import (
    JobPool,
    Place,
    PoolSettings,
    default_slots,
    settings_from_env,
    waiting_text,
)
from core.nn.training import ComparisonResult, RunRecord


class Gate:
    """Work that records when it starts and runs until released (or its stop flag is set)."""

    def __init__(self, log: list, name: str) -> None:
        self.log, self.name, self.release = log, name, threading.Event()

    def __call__(self, job: LiveJob) -> str:
        self.log.append(self.name)
        while not self.release.is_set() and not job.stop_flag.is_set():
            time.sleep(0.005)
        return self.name


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def jobs():
    """Submitted gates, all released at the end so no thread outlives the test."""
    gates: list[tuple[LiveJob, Gate]] = []
    yield gates
    for job, gate in gates:
        gate.release.set()
        job.stop_flag.request()
        if job.leave_queue is not None:
            job.leave_queue()
        job.wait(10)


def submit(pool, jobs, started, owner, name, estimate_mb=JOB_BASE_MB):
    job, gate = LiveJob(name=name), Gate(started, name)
    jobs.append((job, gate))
    place = pool.submit(job, gate, owner, estimate_mb)
    return job, gate, place


def release_in_turn(pool, jobs, started, count):
    """Release the running job, one at a time, until ``count`` jobs have started."""
    by_name = {gate.name: gate for _, gate in jobs}
    done = 0
    while len(started) < count:
        wait_until(lambda done=done: len(started) > done)
        by_name[started[done]].release.set()
        done += 1
    wait_until(lambda: pool.running_count <= 1)


# ---------------------------------------------------------------- order and fairness


def test_one_owners_jobs_start_in_order_of_arrival_within_the_slots(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=2, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    places = [submit(pool, jobs, started, "a", f"a{i}")[2] for i in range(5)]
    assert [p.state for p in places] == ["running", "running", "queued", "queued", "queued"]
    assert [p.ahead for p in places[2:]] == [0, 1, 2]
    wait_until(lambda: len(started) == 2)
    assert pool.running_count == 2 and pool.queued_count == 3
    release_in_turn(pool, jobs, started, 5)
    assert started == ["a0", "a1", "a2", "a3", "a4"]


def test_one_person_pressing_five_times_does_not_push_four_others_back(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    a_jobs = [submit(pool, jobs, started, "a", f"a{i}")[0] for i in range(5)]
    others = [submit(pool, jobs, started, owner, f"{owner}0")[0] for owner in "bcde"]
    # a0 runs; each other person is one turn away at most, a's next jobs wait for their turns.
    assert [pool.place(job).ahead for job in others] == [0, 1, 2, 3]
    assert [pool.place(job).ahead for job in a_jobs[1:]] == [4, 5, 6, 7]
    release_in_turn(pool, jobs, started, 9)
    assert started == ["a0", "b0", "c0", "d0", "e0", "a1", "a2", "a3", "a4"]


def test_round_robin_between_two_busy_sessions(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    for i in range(3):
        submit(pool, jobs, started, "a", f"a{i}")
    for i in range(3):
        submit(pool, jobs, started, "b", f"b{i}")
    release_in_turn(pool, jobs, started, 6)
    assert started == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_the_queue_position_moves_as_jobs_ahead_end(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    first = [submit(pool, jobs, started, owner, owner)[1] for owner in "abc"]
    mine, _, place = submit(pool, jobs, started, "me", "mine")
    assert place == Place("queued", 2)
    assert (
        waiting_text(place, 1)
        == "Waiting: 2 trainings ahead of yours (1 run at once on this server)"
    )
    first[0].release.set()
    wait_until(lambda: pool.place(mine).ahead == 1)
    assert "1 training ahead of yours" in waiting_text(pool.place(mine), 1)
    first[1].release.set()
    first[2].release.set()
    wait_until(lambda: pool.place(mine).state == "running")
    assert started[-1] == "mine"


# ---------------------------------------------------------------- stopping


def test_stop_while_queued_leaves_the_queue_and_the_run_ends_stopped_with_no_epochs(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    blocker, gate, _ = submit(pool, jobs, started, "other", "blocker")
    trained = []
    record = RunRecord(kind="test")
    job = LiveJob(name="queued")
    work = training_work(lambda record, stop_flag: trained.append(1), record)
    place = pool.submit(job, work, "me", on_withdraw=lambda: stop_before_start(record))
    assert place.state == "queued" and job.running
    assert job.stop(timeout=5)
    assert not job.running and pool.queued_count == 0
    assert record.status == "stopped" and record.epochs_done == 0 and "waited" in record.message
    gate.release.set()
    assert blocker.wait(10)
    time.sleep(0.05)
    assert trained == [] and job.thread is None  # it never ran


def test_a_stop_flag_set_while_queued_takes_the_job_out_at_the_next_move(jobs):
    started = []
    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    submit(pool, jobs, started, "other", "blocker")
    job, _, _ = submit(pool, jobs, started, "me", "queued")
    job.stop_flag.request()  # what the page's Stop button does
    assert pool.place(job).state == "ended" and not job.running


def test_a_stopped_comparison_ends_its_runs_too():
    parts = {"a": RunRecord(kind="x"), "b": RunRecord(kind="x")}
    group = RunRecord(kind="compare", result=ComparisonResult(parts))
    stop_before_start(group)
    assert group.status == "stopped"
    assert all(p.status == "stopped" and p.epochs_done == 0 for p in parts.values())


# ---------------------------------------------------------------- owners gone


def test_the_jobs_of_a_gone_session_are_stopped_and_their_slots_freed(jobs):
    started = []
    alive = {"gone": True, "here": True}
    pool = JobPool(
        PoolSettings(slots=1, memory_budget_mb=1e9), is_alive=alive.get, rss_mb=lambda: 0.0
    )
    running, _, _ = submit(pool, jobs, started, "gone", "gone0")
    queued, _, _ = submit(pool, jobs, started, "gone", "gone1")
    mine, _, _ = submit(pool, jobs, started, "here", "mine")
    withdrawn = []
    queued_entry = pool.queue_order()[1]
    queued_entry.on_withdraw = lambda: withdrawn.append("gone1")
    assert pool.sweep() == []  # everyone still there
    alive["gone"] = False
    stopped = pool.sweep()
    assert set(stopped) == {running, queued}
    assert running.stop_flag.is_set() and withdrawn == ["gone1"]
    assert running.wait(10) and running.result is None  # its result is let go
    wait_until(lambda: pool.place(mine).state == "running")
    assert started == ["gone0", "mine"] and pool.owner_jobs("gone") == []


def test_an_owner_that_cannot_be_checked_is_kept(jobs):
    def broken(owner):
        raise RuntimeError("no runtime")

    pool = JobPool(PoolSettings(slots=1), is_alive=broken, rss_mb=lambda: 0.0)
    job, _, _ = submit(pool, jobs, [], "me", "mine")
    assert pool.sweep() == [] and not job.stop_flag.is_set()


# ---------------------------------------------------------------- memory


def test_a_job_waits_for_memory_when_it_would_pass_the_budget(jobs):
    started = []
    rss = {"mb": 500.0}
    pool = JobPool(PoolSettings(slots=4, memory_budget_mb=800.0), rss_mb=lambda: rss["mb"])
    first, gate, place = submit(pool, jobs, started, "a", "first", estimate_mb=200.0)
    assert place.state == "running"  # 500 + 200 fits, and nothing else runs
    second, _, place = submit(pool, jobs, started, "b", "second", estimate_mb=200.0)
    # 500 now + 200 reserved for the first + 200 > 800: it waits, and says why.
    assert place == Place("queued", 0, for_memory=True)
    assert waiting_text(place, 4).startswith("Waiting for memory: yours is next")
    rss["mb"] = 350.0
    assert pool.place(second).state == "running"
    gate.release.set()
    assert first.wait(10)


def test_a_job_always_starts_when_nothing_runs_even_above_the_budget(jobs):
    pool = JobPool(PoolSettings(slots=2, memory_budget_mb=100.0), rss_mb=lambda: 5000.0)
    _, _, place = submit(pool, jobs, [], "a", "alone", estimate_mb=50.0)
    assert place.state == "running"


def test_memory_estimates_grow_with_data_and_weights():
    assert memory_estimate_mb() == JOB_BASE_MB
    data = memory_estimate_mb(data_values=MB)  # a million float32 numbers, three copies
    assert data == pytest.approx(JOB_BASE_MB + 12.0)
    assert memory_estimate_mb(weights=MB) == pytest.approx(JOB_BASE_MB + 16.0)
    with pytest.raises(ValueError):
        memory_estimate_mb(data_values=-1)


def test_a_text_classifiers_estimate_counts_its_characters_and_first_layer():
    small = text_training_estimate_mb(["spam spam"] * 10, 1000, 8)
    assert small == pytest.approx(memory_estimate_mb(9 * 10 * 5 * 2, 1000 * 8))
    assert text_training_estimate_mb(["spam spam"] * 10_000, 1000, 8) > small
    # The default classifier on a few thousand comments: well under the default budget.
    assert text_training_estimate_mb(["x" * 100] * 2000, 50_000, 64) < 300


def test_the_resident_size_is_read_from_proc(tmp_path):
    statm = tmp_path / "statm"
    statm.write_text("1000 256 10 1 0 100 0\n")
    import os

    assert current_rss_mb(str(statm)) == 256 * os.sysconf("SC_PAGE_SIZE") / MB
    assert current_rss_mb(str(tmp_path / "missing")) == 0.0
    assert current_rss_mb() > 10  # this test process


# ---------------------------------------------------------------- settings


def test_slots_come_from_the_cores_and_the_environment():
    assert [default_slots(c) for c in (1, 2, 3, 4, 16)] == [1, 1, 2, 3, 15]
    assert settings_from_env({}).memory_budget_mb == 2200.0
    settings = settings_from_env({"DEEP_TEXT_LAB_SLOTS": "3", "DEEP_TEXT_LAB_MEMORY_MB": "900"})
    assert settings == PoolSettings(slots=3, memory_budget_mb=900.0)
    for bad in ({"DEEP_TEXT_LAB_SLOTS": "0"}, {"DEEP_TEXT_LAB_SLOTS": "two"}):
        with pytest.raises(DataError, match="DEEP_TEXT_LAB_SLOTS") as error:
            settings_from_env(bad)
        assert "whole number" in error.value.hint
    with pytest.raises(DataError, match="DEEP_TEXT_LAB_MEMORY_MB"):
        settings_from_env({"DEEP_TEXT_LAB_MEMORY_MB": "lots"})


# ---------------------------------------------------------------- bounded stores


def test_bounded_stores_drop_their_oldest_entries_but_keep_what_is_in_use():
    store = {f"v{i}": i for i in range(5)}
    assert drop_oldest(store, 3) == [0, 1] and list(store) == ["v2", "v3", "v4"]
    runs = [RunRecord(kind="x", status="complete") for _ in range(4)]
    runs[0].status = "running"
    first = runs[0]
    dropped = drop_oldest(runs, 2, keep=lambda r: r.status == "running")
    assert len(dropped) == 2 and runs[0] is first and len(runs) == 2
    assert drop_oldest(runs, 5) == []


def test_a_projection_stopped_in_its_worker_ends_at_its_next_stage():
    import numpy as np

    from core.embeddings.projection import ProjectionSettings, run_projection
    from core.nn.jobs import JobStopped

    settings = ProjectionSettings(method="tsne", n_words=40, perplexity=10.0, max_iter=1000)
    matrix = np.random.default_rng(3).normal(size=(40, 5))
    seen = []

    def work(job):
        def progress(message, fraction):
            seen.append(message)
            if message.startswith("t-SNE: step"):
                job.stop_flag.request()  # as the pool does when the session has gone
            job.report_or_stop(message, fraction)

        return run_projection(matrix, settings, progress)

    job = LiveJob(name="projection").start(work)
    assert job.wait(60)
    assert isinstance(job.error, JobStopped) and job.take_result() is None
    steps = [m for m in seen if m.startswith("t-SNE: step")]
    assert steps == [steps[0]] and steps[0].startswith("t-SNE: step 50 of 1,000")


def test_a_job_leaving_the_queue_is_never_seen_neither_queued_nor_started():
    """wait() between 'no longer queued' and 'thread started' used to return early or join an
    unstarted thread: the pool now starts a job's thread before it stops counting as queued."""
    import threading

    from core.nn.jobs import LiveJob

    class Watched(LiveJob):
        seen: list

        def start(self, work):
            started = super().start(work)
            # What another thread's wait() would see right after start().
            self.seen.append((self.queued, self.thread.ident is not None))
            return started

    pool = JobPool(PoolSettings(slots=1, memory_budget_mb=1e9), rss_mb=lambda: 0.0)
    gate = threading.Event()
    first, second = Watched(name="first"), Watched(name="second")
    first.seen, second.seen = [], []
    pool.submit(first, lambda job: gate.wait(5), owner="a")
    pool.submit(second, lambda job: None, owner="b")
    assert second.queued and second.seen == []
    gate.set()
    assert first.wait(5) and second.wait(5)
    assert second.seen == [(True, True)]  # started while still marked queued, never in between
    assert not second.queued
