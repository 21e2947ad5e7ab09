"""What t-SNE and UMAP need to run in a page's worker thread: their printed progress read, and
UMAP imported without TensorFlow.

Neither library has a progress callback, but both can report progress as text: t-SNE prints its
iteration and error every 50 steps (``verbose=2``), UMAP draws a tqdm bar per epoch.
:func:`printed_by_this_thread` sends what one thread prints to a callback, leaving every other
thread's output alone; :class:`TsneLog` and :class:`EpochWriter` turn those texts into calls of
``progress(message, fraction)``. :func:`umap_estimator` imports umap-learn's ``UMAP`` without
the TensorFlow its package would load, and :func:`idle_cores` says how many cores t-SNE may use.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import re
import sys
import threading
from collections.abc import Callable

Progress = Callable[[str, float], None]


class _ThreadOutput:
    """Stands in for ``sys.stdout``: what registered threads print goes to their own callback,
    what any other thread prints goes to the real stream unchanged."""

    def __init__(self, original) -> None:
        self.original = original
        self.targets: dict[int, Callable[[str], None]] = {}

    def write(self, text: str) -> int:
        target = self.targets.get(threading.get_ident())
        if target is None:
            return self.original.write(text)
        target(text)
        return len(text)

    def flush(self) -> None:
        if threading.get_ident() not in self.targets:
            self.original.flush()

    def __getattr__(self, name: str):
        return getattr(self.original, name)


_OUTPUT_LOCK = threading.Lock()


@contextlib.contextmanager
def printed_by_this_thread(callback: Callable[[str], None]):
    """Send what this thread prints to ``callback`` for the duration of the block."""
    ident = threading.get_ident()
    with _OUTPUT_LOCK:
        router = sys.stdout if isinstance(sys.stdout, _ThreadOutput) else _ThreadOutput(sys.stdout)
        sys.stdout = router
        router.targets[ident] = callback
    try:
        yield
    finally:
        with _OUTPUT_LOCK:
            router.targets.pop(ident, None)
            # Someone may have wrapped sys.stdout since: then the router stays, passing through.
            if not router.targets and sys.stdout is router:
                sys.stdout = router.original


class TsneLog:
    """Reads t-SNE's verbose lines ("[t-SNE] Iteration 350: error = 1.23, ...") and reports
    the iteration reached and the KL divergence."""

    def __init__(self, report: Progress, max_iter: int, start: float, end: float) -> None:
        self.report = report
        self.max_iter = max_iter
        self.start = start
        self.end = end
        self.pending = ""

    def __call__(self, text: str) -> None:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._line(line)

    def _line(self, line: str) -> None:
        match = re.search(r"Iteration (\d+): error = ([0-9.eE+-]+)", line)
        if not match:
            return
        done = int(match.group(1))
        phase = " (early exaggeration)" if done <= 250 else ""
        self.report(
            f"t-SNE: step {done:,} of {self.max_iter:,}, "
            f"KL divergence {float(match.group(2)):.3f}{phase}",
            self.start + (self.end - self.start) * min(done / self.max_iter, 1.0),
        )


def idle_cores() -> int | None:
    """How many cores the last minute's load left idle (at least 1); ``None`` where the
    system does not say (Windows)."""
    import os

    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
    cores = os.cpu_count() or 1
    return max(1, min(cores, int(cores - load + 0.5)))


class _RefuseInThisThread(importlib.abc.MetaPathFinder):
    """Fails imports of some top-level packages, in one thread only.

    umap's package ``__init__`` tries to import TensorFlow for ParametricUMAP, which this app
    never uses: about 3 s and 500 MB. Other threads (another user training a Keras model, say)
    are not affected, and a package already imported is returned as usual.
    """

    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = packages
        self.thread = threading.get_ident()

    def find_spec(self, fullname, path=None, target=None):
        if threading.get_ident() == self.thread and fullname.partition(".")[0] in self.packages:
            raise ImportError(f"{fullname} is not needed for UMAP here")
        return None


_UMAP_IMPORT_LOCK = threading.Lock()


def umap_estimator() -> type:
    """umap-learn's ``UMAP`` class, imported without TensorFlow when TensorFlow is not loaded yet
    (``umap.ParametricUMAP`` then stays umap's placeholder that explains it is unavailable)."""
    with _UMAP_IMPORT_LOCK:
        if "umap.umap_" in sys.modules or "tensorflow" in sys.modules:
            from umap.umap_ import UMAP

            return UMAP
        finder = _RefuseInThisThread(("tensorflow", "keras", "torch"))
        sys.meta_path.insert(0, finder)
        try:
            from umap.umap_ import UMAP
        finally:
            sys.meta_path.remove(finder)
        return UMAP


class EpochWriter:
    """A file for UMAP's tqdm bar: reads "done/total" off each update and reports it."""

    def __init__(self, report: Progress, start: float, end: float) -> None:
        self.report = report
        self.start = start
        self.end = end

    def write(self, text: str) -> int:
        for part in text.replace("\r", "\n").split("\n"):
            done, _, total = part.strip().partition("/")
            if done.isdigit() and total.isdigit() and int(total) > 0:
                fraction = int(done) / int(total)
                self.report(
                    f"UMAP: optimising the layout, epoch {int(done):,} of {int(total):,}",
                    self.start + (self.end - self.start) * fraction,
                )
        return len(text)

    def flush(self) -> None:
        return None
