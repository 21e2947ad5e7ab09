"""Work in a worker thread, as the page that started it sees it: one typed handle per job.

- :class:`LiveJob` holds the thread, its stop flag, its latest progress (a message and a
  fraction), when it started, and its result or error, which the work hands back by returning or
  raising. Trainings and projections both run this way; a page follows the job with
  :meth:`LiveJob.follow` and settles it with :meth:`LiveJob.stop`.
- A job may wait its turn in :class:`core.nn.pool.JobPool` first: it is then ``queued`` (and
  counts as running for the page), and :meth:`LiveJob.stop` takes it out of the queue.
- :func:`training_work` wraps a training so that its record always ends.
- :class:`LiveCount` counts jobs in progress over all sessions of a server (a count, no data).
- Each job's work runs at a lower priority (:func:`core.nn.sharing.yield_cpu_to_pages`), so
  page loads stay quick.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import DataError
from core.nn.sharing import yield_cpu_to_pages
from core.nn.training import ComparisonResult, RunRecord, StopFlag

log = logging.getLogger(__name__)

QUEUED_POLL_SECONDS = 1.0  # how often a page looks up its queued job's place


class JobStopped(Exception):
    """Raised inside a job's work, at a stage boundary, once its stop flag is set
    (:meth:`LiveJob.report_or_stop`): work with no batches of its own ends there."""


@dataclass(eq=False)
class LiveJob:
    """One piece of work in a worker thread: its stop flag, progress, and result or error.

    ``name`` names the thread (and the job in the log). Made first and started with
    :meth:`start`, so that a page can wire its Stop button to ``stop_flag`` before the work
    begins. ``message`` and ``fraction`` (0 to 1) are the work's latest stage, set through
    :meth:`report`; ``started`` is a ``time.monotonic()`` reading taken at :meth:`start`.
    """

    name: str = "job"
    stop_flag: StopFlag = field(default_factory=StopFlag)
    message: str = "Starting"
    fraction: float = 0.0
    started: float = field(default_factory=time.monotonic)
    result: Any = None
    error: Exception | None = None
    thread: threading.Thread | None = field(default=None, repr=False)
    # Set by a pool while the job waits for its turn; leave_queue takes it out of that queue.
    queued: bool = False
    leave_queue: Callable[[], object] | None = field(default=None, repr=False)

    def start(self, work: Callable[[LiveJob], Any]) -> LiveJob:
        """Run ``work(self)`` in a daemon thread and return this job at once.

        What ``work`` returns becomes :attr:`result`; an exception it raises becomes
        :attr:`error` (and is logged, unless it is a :class:`~core.errors.DataError`, which
        says what to fix), so the thread never dies silently.
        """
        if self.thread is not None:
            raise RuntimeError(f"The job {self.name!r} has already been started.")

        def run() -> None:
            try:
                self.result = work(self)
            except Exception as error:  # handed to the page, which shows it
                if not isinstance(error, DataError | JobStopped):
                    log.exception("%s failed", self.name)
                self.error = error

        self.started = time.monotonic()
        self.thread = threading.Thread(target=run, name=self.name, daemon=True)
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        """Whether the work is still going on or waiting in a pool's queue (``False`` before
        :meth:`start` or a pool's submit)."""
        return self.queued or (self.thread is not None and self.thread.is_alive())

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started

    def report(self, message: str, fraction: float) -> None:
        """The work's latest stage: called from the worker thread, read by the page."""
        self.message, self.fraction = message, fraction

    def report_or_stop(self, message: str, fraction: float) -> None:
        """:meth:`report`, then raise :class:`JobStopped` if the job was asked to stop: for
        work that has no stop flag of its own (a projection's stages)."""
        self.report(message, fraction)
        if self.stop_flag.is_set():
            raise JobStopped(f"{self.name} was stopped at {message!r}")

    def follow(self, show: Callable[[LiveJob], None], poll_seconds: float = 0.25) -> None:
        """Call ``show(self)`` every ``poll_seconds`` while the work goes on; return when it
        has ended. Exceptions of ``show`` (a page's script being stopped) pass through."""
        while self.running:
            show(self)
            # A queued job's place changes only when another job ends: thirty waiting pages
            # polling four times a second would take CPU from the training that runs.
            time.sleep(max(poll_seconds, QUEUED_POLL_SECONDS) if self.queued else poll_seconds)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (``None``: as long as it takes) for the work to end;
        ``True`` once it has. A queued job is waited for until it has left the queue and run."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.queued:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        if self.thread is not None:
            self.thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not self.running

    def stop(self, timeout: float | None = 60) -> bool:
        """Ask the work to stop (it checks :attr:`stop_flag`) and wait up to ``timeout``
        seconds for it; ``True`` once it has ended. A queued job leaves its queue at once."""
        self.stop_flag.request()
        if self.queued and self.leave_queue is not None:
            self.leave_queue()
        return self.wait(timeout)

    def take_result(self) -> Any:
        """The finished work's result, handed over once: the job lets go of it, so later calls
        give ``None``. Raises RuntimeError while the work is still going on."""
        if self.running:
            raise RuntimeError(f"The job {self.name!r} has not finished yet.")
        result, self.result = self.result, None
        return result


def training_work(
    train: Callable[[RunRecord, StopFlag], None], record: RunRecord
) -> Callable[[LiveJob], RunRecord]:
    """The work of a job that runs ``train(record, job.stop_flag)``, for :meth:`LiveJob.start`
    or a pool.

    The record's clock starts when the work does (time spent waiting in a queue is not
    training time), and the record always ends: ``failed`` with the message when ``train``
    raises, ``complete`` when it returns with the record still running.
    """

    def work(job: LiveJob) -> RunRecord:
        yield_cpu_to_pages()
        record.started = time.time()
        try:
            train(record, job.stop_flag)
        except Exception as error:  # the page shows the message; the thread must not die silently
            log.exception("training failed")
            record.finish("failed", f"Training failed: {error}")
        finally:
            if record.status == "running":
                record.finish("complete")
        return record

    return work


def stop_before_start(record: RunRecord) -> None:
    """End a run that left the queue before it began: ``stopped`` with 0 epochs, and so are the
    runs of a comparison (a :class:`~core.nn.training.ComparisonResult`) it groups."""
    message = "Stopped while it waited for its turn, before its first epoch."
    if isinstance(record.result, ComparisonResult):
        for part in record.result.parts.values():
            if part.status == "running":
                part.finish("stopped", message)
    if record.status == "running":
        record.finish("stopped", message)
        record.duration = 0.0


class LiveCount:
    """How many jobs of one kind are in progress, over all sessions of a server.

    Used as a context manager around following one job: the count goes back down even when the
    page's script is interrupted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __enter__(self) -> LiveCount:
        with self._lock:
            self.count += 1
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self.count -= 1
