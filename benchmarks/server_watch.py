"""Watching a Streamlit server under load: its memory and CPU from /proc, and a newcomer's home
page timed in Chromium against a bare app on a second server.

Shared by the load benchmarks (concurrency.py, class_load.py). Linux only (/proc).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

HOME_SELECTORS = [
    "h1:has-text('Deep Text Lab')",
    "a:has-text('A text classifier on your data, against classical ML')",
]

# The reference: a bare app on a server of its own, opened by the same browser at the same
# moments, so the time that Streamlit's front end costs on this machine is measured with ours.
BARE_APP = """import streamlit as st

st.title("Deep Text Lab")
st.markdown("[A text classifier on your data, against classical ML](#)")
"""


# ---------------------------------------------------------------- memory and CPU of the server


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from the parent ids in /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name is in parentheses and may hold spaces: split after the last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (VmRSS), 0 if it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """Sums the RSS of a process tree every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self._stop_event.is_set():
            total = sum(rss_mb(pid) for pid in process_tree(self.pid))
            self.samples.append((time.monotonic() - start, total))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    @property
    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system, in seconds) used so far by ``pid`` and its descendants that
    are still running; 0 for a process that has gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state is field 3 of stat; utime and stime are fields 14, 15.
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def thread_count(pid: int) -> int:
    """How many threads ``pid`` runs now (0 if it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------- a newcomer's page


# Where a page load's time went, from the browser's own Resource Timing entries: the time
# waiting for the server's first byte, summed over the files, and when the last file arrived.
RESOURCE_TIMES_JS = """() => {
  const entries = performance.getEntriesByType('resource');
  const nav = performance.getEntriesByType('navigation')[0];
  const waits = entries.map(e => e.responseStart - e.requestStart).filter(w => w > 0);
  return {
    files: entries.length,
    server_wait_sum_ms: waits.reduce((a, b) => a + b, 0),
    server_wait_max_ms: Math.max(0, ...waits),
    last_file_ms: Math.max(0, ...entries.map(e => e.responseEnd)),
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : 0,
  };
}"""


def time_home(
    browser, url: str, diagnostics: dict | None = None, titles: list[float] | None = None
) -> tuple[float, float]:
    """Seconds from asking for the home page to its title and last link on screen: in a new
    context (an empty browser cache, so the server also sends Streamlit's scripts), then once
    more in the same context (scripts cached: mostly the server running the page). ``titles``,
    if given, gets the seconds to the title alone of the first (new-context) load."""
    context = browser.new_context()
    page = context.new_page()
    times = []
    diagnostics = {} if diagnostics is None else diagnostics
    for attempt in range(2):
        start = time.perf_counter()
        page.goto(url)
        for selector in HOME_SELECTORS:
            page.locator(selector).first.wait_for(state="visible", timeout=60_000)
            if titles is not None and attempt == 0 and selector == HOME_SELECTORS[0]:
                titles.append(time.perf_counter() - start)
        times.append(time.perf_counter() - start)
        if not diagnostics:
            diagnostics.update(page.evaluate(RESOURCE_TIMES_JS))
    context.close()
    return times[0], times[1]
