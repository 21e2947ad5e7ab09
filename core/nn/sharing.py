"""How worker threads share a server's one Python interpreter with the page loads around it.

Trainings and projections run in threads of the server process, beside the thread that serves
every page (Streamlit's event loop). Two effects of sharing one interpreter made a newcomer's
page slow while a class trained (``benchmarks/class_load.py``), and each has a remedy here:

- **The GIL hand-over.** A worker busy in Python (counting n-grams, tuning the baselines) keeps
  the GIL until another thread has waited ``sys.getswitchinterval()`` (5 ms by default). The
  event loop needs the GIL back after every socket it serves, so a page of 70 files waited that
  long dozens of times. :func:`hand_over_often` shortens the interval.
- **Full garbage collections.** Python's oldest-generation collection walks every object the
  process holds; once TensorFlow and scikit-learn are imported that is about half a million,
  and each such collection stopped every thread of the server for 0.3 to 1.2 s.
  :class:`HeapFreezer` moves the objects that imports created out of the collector's walk
  (``gc.freeze``) once a job has imported new modules.

The page that follows a job also gives way: :func:`lower_priority` runs its live redraws below
the priority of other people's page loads.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# Measured with a Python-bound worker beside a thread that waits on a socket and then needs the
# GIL: at 5 ms the waiting thread took 6.7x as long as alone, at 0.5 ms 2.0x, while the worker's
# own throughput did not drop.
SWITCH_INTERVAL_S = 0.0005
# A job that imported this many modules (TensorFlow brings over a thousand, scikit-learn and
# gensim hundreds) has left long-lived objects behind that are worth freezing.
NEW_MODULES_TO_FREEZE = 50


def hand_over_often(interval_s: float = SWITCH_INTERVAL_S) -> float:
    """Make a thread that holds the GIL hand it over after ``interval_s`` seconds when another
    thread waits for it (never lengthens a shorter interval). Returns the interval before."""
    before = sys.getswitchinterval()
    if interval_s < before:
        sys.setswitchinterval(interval_s)
    return before


class HeapFreezer:
    """Freezes the objects alive after a job's imports, so full collections skip them.

    :meth:`settle` is called when a job ends. If at least ``min_new_modules`` modules were
    imported since the last freeze, it collects the garbage there is (one full collection, the
    last one this process pays at that size) and then freezes every object still alive.

    The cost: an object frozen while alive that later becomes part of unreachable cycles is
    never freed. Freezes happen only after a burst of imports (the first training imports
    TensorFlow, the first classifier scikit-learn): a few times in a server's life, so what can
    be kept that way is bounded by what those few moments held.
    """

    def __init__(
        self,
        min_new_modules: int = NEW_MODULES_TO_FREEZE,
        module_count: Callable[[], int] = lambda: len(sys.modules),
    ) -> None:
        self.min_new_modules = min_new_modules
        self.module_count = module_count
        self.modules_at_freeze = 0
        self.freezes = 0
        self._lock = threading.Lock()

    def settle(self) -> bool:
        """Freeze the heap if enough modules were imported since the last freeze; ``True`` if it
        froze. Safe to call from any thread; two calls at once freeze once."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            modules = self.module_count()
            if modules - self.modules_at_freeze < self.min_new_modules:
                return False
            gc.collect()
            gc.freeze()
            self.modules_at_freeze = modules
            self.freezes += 1
            log.info("froze %d objects after imports (%d modules)", gc.get_freeze_count(), modules)
            return True
        finally:
            self._lock.release()


def yield_cpu_to_pages(niceness: int = 10) -> int | None:
    """Lower this thread's scheduling priority to ``niceness`` for good (Linux threads each have
    their own nice value, and threads they start inherit it), so that page loads of other users
    stay quick while jobs share the CPU; a job loses nothing when the CPU is otherwise idle.
    Returns the nice value before, or ``None`` where it could not be changed (not Linux, or not
    allowed): the thread then keeps its priority."""
    thread = threading.get_native_id()
    try:
        before = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(before, niceness))
    except (AttributeError, OSError):
        return None
    return before


@contextlib.contextmanager
def lower_priority(niceness: int = 10) -> Iterator[bool]:
    """Run the block at a lower CPU priority for this thread (:func:`yield_cpu_to_pages`);
    yields whether it was lowered. On the way out the earlier priority is put back where the
    system allows it (raising a priority may need privileges; a thread that keeps the lower one
    only gives way to others sooner)."""
    before = yield_cpu_to_pages(niceness)
    try:
        yield before is not None
    finally:
        if before is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), before)


class WarmUp:
    """Imports what jobs will need, once, in a background thread at low priority, then freezes
    what the imports left behind (:class:`HeapFreezer`): the first training after a page was
    opened pays neither the imports nor the one full collection of the freeze."""

    def __init__(self, modules: tuple[str, ...], freezer: HeapFreezer) -> None:
        self.modules, self.freezer = modules, freezer
        self.thread: threading.Thread | None = None
        self.failed: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> bool:
        """Start the warm-up unless it has started before; ``True`` if this call started it."""
        with self._lock:
            if self.thread is not None:
                return False
            self.thread = threading.Thread(target=self._run, name="warm-up", daemon=True)
        self.thread.start()
        return True

    def _run(self) -> None:
        with lower_priority():
            for name in self.modules:
                try:
                    importlib.import_module(name)
                except Exception:  # the job that needs it will say what is wrong
                    log.exception("warming up: importing %s failed", name)
                    self.failed.append(name)
            self.freezer.settle()
