"""The server's bounded pool of jobs (trainings, projections): at most N run at once, the rest
wait in a queue that is fair between sessions, and memory is checked before a job starts.

- **Slots.** At most ``PoolSettings.slots`` jobs run at once. By default one per core but one,
  which is left to page loads (:func:`default_slots`); the environment variable
  ``DEEP_TEXT_LAB_SLOTS`` sets another number.
- **Fair order.** Each owner (a browser session) has its own queue, served in order of arrival.
  The next job to start is the head of the owner served least recently (never served first,
  then by the head's arrival): round-robin over sessions, so one person pressing Train five
  times does not push four others back.
- **Memory.** A job declares an estimate (:func:`core.nn.memory.memory_estimate_mb`). It starts
  only if the server's resident memory, plus the estimates of the jobs already running, plus
  its own stays within ``PoolSettings.memory_budget_mb`` (``DEEP_TEXT_LAB_MEMORY_MB``, default
  2200). Running jobs are counted twice once their memory shows in the resident size: the rule
  errs on the side of waiting. A job always starts when nothing runs, since waiting could not
  free anything then.
- **Owners gone.** ``is_alive(owner)`` says whether an owner is still there; :meth:`JobPool.sweep`
  (run by a light watcher thread) takes the queued jobs of a gone owner out of the queue and
  asks its running jobs to stop at their next batch; their results are dropped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import DataError
from core.nn.jobs import LiveJob
from core.nn.memory import JOB_BASE_MB, current_rss_mb

log = logging.getLogger(__name__)

SLOTS_ENV = "DEEP_TEXT_LAB_SLOTS"
MEMORY_ENV = "DEEP_TEXT_LAB_MEMORY_MB"
DEFAULT_MEMORY_BUDGET_MB = 2200.0


def default_slots(cores: int | None = None) -> int:
    """How many jobs run at once on ``cores`` cores (this machine's by default): one per core
    but one, which is left to page loads (``benchmarks/class_load.py``: on 2 cores, two at
    once made a newcomer's page 1.48 times as slow as a bare app's, one at once 1.17 times)."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores - 1)


@dataclass
class PoolSettings:
    """How many jobs run at once (``slots``) and the memory budget of the server in MB."""

    slots: int = field(default_factory=default_slots)
    memory_budget_mb: float = DEFAULT_MEMORY_BUDGET_MB


def settings_from_env(environ: Mapping[str, str] | None = None) -> PoolSettings:
    """The pool's settings from ``DEEP_TEXT_LAB_SLOTS`` and ``DEEP_TEXT_LAB_MEMORY_MB`` (the
    defaults where unset). Raises :class:`DataError` for a value that is not a positive number."""
    environ = os.environ if environ is None else environ
    settings = PoolSettings()
    slots = environ.get(SLOTS_ENV, "").strip()
    if slots:
        if not slots.isdigit() or int(slots) < 1:
            raise DataError(
                f"{SLOTS_ENV}={slots!r} is not a number of trainings.",
                f"Set {SLOTS_ENV} to a whole number of 1 or more, or unset it to use "
                f"{default_slots()} (from the cores).",
            )
        settings.slots = int(slots)
    budget = environ.get(MEMORY_ENV, "").strip()
    if budget:
        try:
            settings.memory_budget_mb = float(budget)
        except ValueError:
            settings.memory_budget_mb = -1.0
        if not settings.memory_budget_mb > 0:
            raise DataError(
                f"{MEMORY_ENV}={budget!r} is not an amount of memory.",
                f"Set {MEMORY_ENV} to megabytes above 0 (for example 2200), or unset it.",
            )
    return settings


@dataclass(frozen=True)
class Place:
    """Where a job stands: ``state``, and while queued, how many jobs start before it
    (``ahead``) and whether memory rather than a free slot holds the queue (``for_memory``)."""

    state: Literal["queued", "running", "ended"]
    ahead: int = 0
    for_memory: bool = False


def waiting_text(place: Place, slots: int, noun: str = "training") -> str:
    """The words a page shows for a queued job, e.g. ``Waiting: 4 trainings ahead of yours``."""
    if place.ahead == 0:
        ahead = f"yours is next, when a running {noun} ends"
    else:
        ahead = f"{place.ahead} {noun}{'' if place.ahead == 1 else 's'} ahead of yours"
    if place.for_memory:
        return f"Waiting for memory: {ahead} (the server is near its memory budget)"
    return f"Waiting: {ahead} ({slots} run at once on this server)"


@dataclass(eq=False)
class PoolEntry:
    """A job the pool holds: its work, its owner, its memory estimate in MB, what to do if it
    leaves the queue unstarted, and the order it arrived in."""

    job: LiveJob
    work: Callable[[LiveJob], Any] | None
    owner: Hashable
    estimate_mb: float
    on_withdraw: Callable[[], None] | None
    arrival: int
    orphaned: bool = False


class JobPool:
    """At most ``settings.slots`` jobs at once; see the module's description for the order,
    the memory rule and gone owners. ``is_alive(owner)`` and ``rss_mb()`` are injected, so the
    pool is testable without a server."""

    def __init__(
        self,
        settings: PoolSettings | None = None,
        is_alive: Callable[[Hashable], bool] = lambda owner: True,
        rss_mb: Callable[[], float] = current_rss_mb,
    ) -> None:
        self.settings = settings or PoolSettings()
        self.is_alive = is_alive
        self.rss_mb = rss_mb
        self._lock = threading.RLock()
        self._queues: dict[Hashable, list[PoolEntry]] = {}
        self._running: dict[LiveJob, PoolEntry] = {}
        self._last_served: dict[Hashable, int] = {}
        self._counter = 0
        self._memory_blocked = False
        self._watcher: threading.Thread | None = None

    # ------------------------------------------------------------ what pages call

    def submit(
        self,
        job: LiveJob,
        work: Callable[[LiveJob], Any],
        owner: Hashable,
        estimate_mb: float = JOB_BASE_MB,
        on_withdraw: Callable[[], None] | None = None,
    ) -> Place:
        """Queue ``job`` (which runs ``work(job)`` once its turn comes) for ``owner``, start
        what can start, and return where it stands. ``on_withdraw()`` is called if the job
        leaves the queue unstarted (stopped, or its owner gone)."""
        with self._lock:
            self._counter += 1
            entry = PoolEntry(job, work, owner, estimate_mb, on_withdraw, self._counter)
            job.queued = True
            job.leave_queue = lambda: self.withdraw(job)
            self._queues.setdefault(owner, []).append(entry)
        self.dispatch()
        return self.place(job)

    def place(self, job: LiveJob) -> Place:
        """Where ``job`` stands now (the queue is moved on first: memory may have come free)."""
        self.dispatch()
        with self._lock:
            if job in self._running:
                return Place("running")
            order = self.queue_order()
            for ahead, entry in enumerate(order):
                if entry.job is job:
                    return Place("queued", ahead, self._memory_blocked)
        return Place("running" if job.running else "ended")

    def withdraw(self, job: LiveJob) -> bool:
        """Take ``job`` out of the queue unstarted (its ``on_withdraw`` is called); ``False``
        if it was not queued (already running or ended)."""
        with self._lock:
            entry = self._remove_queued(job)
        if entry is None:
            return False
        self._withdrawn([entry])
        return True

    # ------------------------------------------------------------ counts and order

    @property
    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def queued_count(self) -> int:
        with self._lock:
            return sum(len(queue) for queue in self._queues.values())

    def owner_jobs(self, owner: Hashable) -> list[LiveJob]:
        """The jobs of ``owner`` running or queued, running ones first."""
        with self._lock:
            running = [e.job for e in self._running.values() if e.owner == owner]
            return running + [e.job for e in self._queues.get(owner, [])]

    def queue_order(self) -> list[PoolEntry]:
        """The queued jobs in the order they will start (round-robin over owners)."""
        with self._lock:
            queues = {owner: list(queue) for owner, queue in self._queues.items() if queue}
            served = dict(self._last_served)
            order: list[PoolEntry] = []
            turn = self._counter
            while queues:
                owner = min(queues, key=lambda o: (served.get(o, -1), queues[o][0].arrival))
                order.append(queues[owner].pop(0))
                if not queues[owner]:
                    del queues[owner]
                turn += 1
                served[owner] = turn
            return order

    # ------------------------------------------------------------ moving the queue

    def dispatch(self) -> int:
        """Start queued jobs while a slot is free and memory allows; return how many started.
        Queued jobs whose stop flag is set leave the queue first."""
        withdrawn: list[PoolEntry] = []
        started = 0
        with self._lock:
            for queue in self._queues.values():
                for entry in [e for e in queue if e.job.stop_flag.is_set()]:
                    queue.remove(entry)
                    withdrawn.append(entry)
            self._drop_empty_queues()
            self._memory_blocked = False
            while self._queues and len(self._running) < self.settings.slots:
                entry = self.queue_order()[0]
                if not self._memory_allows(entry):
                    self._memory_blocked = True
                    break
                self._start(entry)
                started += 1
        self._withdrawn(withdrawn)
        return started

    def sweep(self) -> list[LiveJob]:
        """Stop the jobs of owners that are gone: queued ones leave the queue, running ones are
        asked to stop at their next batch (their slot frees when they end, their result is
        dropped). Then move the queue. Returns the jobs stopped."""
        with self._lock:
            owners = set(self._queues) | {e.owner for e in self._running.values()}
        gone = {owner for owner in owners if not self._alive(owner)}
        if not gone:
            self.dispatch()
            return []
        stopped: list[LiveJob] = []
        withdrawn: list[PoolEntry] = []
        with self._lock:
            for owner in gone:
                for entry in self._queues.pop(owner, []):
                    entry.orphaned = True
                    withdrawn.append(entry)
                for entry in self._running.values():
                    if entry.owner == owner and not entry.orphaned:
                        entry.orphaned = True
                        entry.job.stop_flag.request()
                        stopped.append(entry.job)
                self._last_served.pop(owner, None)
        for entry in withdrawn:
            entry.job.stop_flag.request()
        self._withdrawn(withdrawn)
        self.dispatch()
        if stopped or withdrawn:
            log.info(
                "stopped %d jobs of %d gone sessions", len(stopped) + len(withdrawn), len(gone)
            )
        return stopped + [entry.job for entry in withdrawn]

    def start_watcher(self, interval_s: float = 2.0) -> None:
        """Run :meth:`sweep` every ``interval_s`` seconds in a daemon thread (once per pool)."""
        with self._lock:
            if self._watcher is not None:
                return

            def watch() -> None:
                while True:
                    time.sleep(interval_s)
                    try:
                        self.sweep()
                    except Exception:  # the watcher must outlive one bad check
                        log.exception("the job pool's sweep failed")

            self._watcher = threading.Thread(target=watch, name="job-pool-watcher", daemon=True)
            self._watcher.start()

    # ------------------------------------------------------------ inside

    def _alive(self, owner: Hashable) -> bool:
        try:
            return bool(self.is_alive(owner))
        except Exception:  # an owner we cannot check is kept: stopping it would lose work
            log.exception("could not check whether %r is still there", owner)
            return True

    def _memory_allows(self, entry: PoolEntry) -> bool:
        if not self._running:
            return True
        reserved = sum(e.estimate_mb for e in self._running.values())
        return self.rss_mb() + reserved + entry.estimate_mb <= self.settings.memory_budget_mb

    def _start(self, entry: PoolEntry) -> None:
        """Start ``entry``'s job (the lock is held); its slot frees when the work ends."""
        queue = self._queues[entry.owner]
        queue.remove(entry)
        self._drop_empty_queues()
        self._counter += 1
        self._last_served[entry.owner] = self._counter
        self._running[entry.job] = entry
        work, entry.work = entry.work, None  # the pool keeps no reference to the work's data

        def run(job: LiveJob) -> Any:
            try:
                result = work(job)
            finally:
                self._finished(entry)
            return None if entry.orphaned else result  # nobody will read it: let it go

        entry.job.leave_queue = None
        # Started before it stops counting as queued: a wait() in between would otherwise find
        # neither a queue nor a started thread, and return early or join an unstarted thread.
        entry.job.start(run)
        entry.job.queued = False

    def _finished(self, entry: PoolEntry) -> None:
        with self._lock:
            self._running.pop(entry.job, None)
        with contextlib.suppress(Exception):  # a dispatch error must not fail the finished job
            self.dispatch()

    def _remove_queued(self, job: LiveJob) -> PoolEntry | None:
        for queue in self._queues.values():
            for entry in queue:
                if entry.job is job:
                    queue.remove(entry)
                    self._drop_empty_queues()
                    return entry
        return None

    def _drop_empty_queues(self) -> None:
        for owner in [owner for owner, queue in self._queues.items() if not queue]:
            del self._queues[owner]

    def _withdrawn(self, entries: list[PoolEntry]) -> None:
        """Settle jobs that left the queue unstarted (outside the lock: callbacks may be slow)."""
        for entry in entries:
            entry.work = None
            entry.job.leave_queue = None
            if entry.on_withdraw is not None:
                try:
                    entry.on_withdraw()
                except Exception:
                    log.exception("settling a job that left the queue failed")
            entry.job.queued = False
