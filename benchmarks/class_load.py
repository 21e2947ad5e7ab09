"""A class at once: thirty sessions press Train on one `streamlit run app.py` within thirty seconds.

Each session is driven over Streamlit's own websocket protocol (tests/streamlit_session.py: the
``rerun_script`` BackMsg a browser sends, the ForwardMsg deltas it draws), which is light enough
for thirty on two cores; a browser per session is not. The settings travel in the page's address,
as a link an instructor shares would carry them. Two thirds train the Playground (few epochs),
one third the text classifier on the YouTube comments (one small hidden layer, few epochs).
Each presses Train at its moment in ``--press-window`` seconds.

Measured:
- each press's time to first feedback: the first progress bar or "waiting"/"queued" words that
  a run of the page started by the press draws;
- each result's time and correctness: the Playground's "Complete" and a test accuracy better than
  chance; the classifier's "Complete", its metrics and the ML-versus-DL verdict;
- the server's peak RSS (process and children, sampled every 0.5 s from /proc);
- a newcomer's home page (Chromium, a new context each visit) while the class trains, against a
  bare app on a second server visited right after (benchmarks/server_watch.py): the time to its
  title (the issue's measure) and to the whole page (title and last link);
- the total time of the class (first press to last result) against the same trainings run one
  after another in one process (this script's ``--serial`` mode, calling the same core functions,
  run before the servers start).
Goals (the issue's "Done when"): all completed and correct, every press answered within 1 s, peak
RSS < 2.5 GB, newcomer's title within 1.3x the bare app's, the class no slower than 1.2x serial. Exit 1 when
one is missed. The last line printed is one JSON object (``--json``: only that line).

``--close-tabs K``: K of the sessions train long (``--orphan-epochs``) and close their websocket
once their training is under way (or, still waiting, after ``--close-after-s``), as a closed
tab does. When the others have their results, the
server must go idle (its CPU over 2 s under a quarter of what it used while the class trained,
and under a quarter of a core) within ``--settle-s``: trainings
left running for closed tabs would keep it busy. Lines of the server's log matching
``--orphan-log`` are counted too. Only 127.0.0.1 is used.

Usage: python benchmarks/class_load.py [--sessions 30] [--json] [--close-tabs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The harnesses live in tests/ and benchmarks/, which are not installed.
sys.path.insert(0, str(ROOT))

from benchmarks.server_watch import (  # noqa: E402
    BARE_APP,
    RssSampler,
    cpu_seconds,
    process_tree,
    rss_mb,
    thread_count,
    time_home,
)
from tests.streamlit_server import free_port, start_server, wait_healthy  # noqa: E402
from tests.streamlit_session import PageView, Session, Shown  # noqa: E402

RSS_GOAL_MB = 2.5 * 1024
FEEDBACK_GOAL_S = 1.0
NEWCOMER_GOAL = 1.3
SERIAL_GOAL = 1.2
IDLE_CORES = 0.25
# What a page shows once a press is answered: queued ("waiting: 4 trainings ahead of yours") or
# started (the progress bar's "Starting…", "Epoch 1 of 10").
FEEDBACK = re.compile(r"waiting|queued|ahead of yours|starting|epoch \d", re.IGNORECASE)
UNDER_WAY = re.compile(r"epoch [1-9]", re.IGNORECASE)
VERDICT = re.compile(r"On MCC, .*(wins|tie)")
# Each kind of session: its page's URL path and title.
PAGES = {
    "playground": ("playground", "Playground"),
    "classifier": ("classifier_train", "Train a text classifier"),
}


@dataclass
class LoadSettings:
    """One load run: how many sessions, how much each trains, and when they press."""

    sessions: int = 30
    playground_epochs: int = 10
    classifier_units: int = 8
    classifier_epochs: int = 3
    press_window_s: float = 20.0
    load_timeout_s: float = 300.0
    train_timeout_s: float = 1200.0
    visits: int = 4
    close_tabs: int = 0
    orphan_epochs: int = 300
    close_after_s: float = 60.0
    settle_s: float = 60.0
    orphan_log: str = r"orphan|gone session"
    client_niceness: int = 10


@dataclass
class Trainee:
    """One person of the class: the page they train on, its settings, and what they saw."""

    number: int
    kind: str  # "playground" or "classifier"
    query: str
    press_at: float  # seconds after the class starts pressing
    closes: bool = False  # closes the tab mid-training (--close-tabs)
    pressed: float | None = None
    feedback_s: float | None = None
    feedback: str = ""
    result_s: float | None = None
    result: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.result_s is not None and not self.problem


def plan(settings: LoadSettings) -> list[Trainee]:
    """The class: every third session trains the classifier, the others the Playground; presses
    spread evenly over the press window; the tabs that close are spread over both kinds."""
    n = settings.sessions
    k = min(settings.close_tabs, n)
    # Spread over the class and shifted by one each time, so that both kinds close.
    closing = {min(n - 1, j * n // k + j % 3) for j in range(k)} if k else set()
    people = []
    for i in range(n):
        kind = "classifier" if i % 3 == 2 else "playground"
        long = i in closing
        if kind == "playground":
            epochs = settings.orphan_epochs if long else settings.playground_epochs
            query = f"epochs={epochs}"
        else:
            epochs = settings.orphan_epochs if long else settings.classifier_epochs
            query = f"units_1={settings.classifier_units}&epochs={epochs}"
            if long:
                query += "&patience=50"  # early stopping must not end the long run by itself
        at = settings.press_window_s * i / max(1, n - 1)
        people.append(Trainee(i + 1, kind, query, at, closes=long))
    return people


def epochs_of(person: Trainee) -> int:
    return int(re.search(r"epochs=(\d+)", person.query).group(1))


# ---------------------------------------------------------------- judging a page


def problem_on(view: PageView, after_runs: int) -> str:
    """An exception, an error or a "Stopped" warning drawn since the press, else ""."""
    for shown in view.shown(after_runs=after_runs):
        stopped = shown.alert == "warning" and "Stopped" in shown.text
        if shown.kind == "exception" or shown.alert == "error" or stopped:
            return shown.text[:300] or shown.kind
    return ""


def outcome(person: Trainee, view: PageView, after_runs: int) -> tuple[str, str] | None:
    """(result, problem) once the page shows how the press ended, else None."""
    if not view.finished_since(after_runs):
        return None
    if problem := problem_on(view, after_runs):
        return "", problem
    complete = [
        s.text
        for s in view.shown("alert", after_runs)
        if s.alert == "success" and "Complete" in s.text
    ]
    if not complete:
        return None  # a run cut short by a rerun of the page: the training's own run is to come
    epochs = epochs_of(person)
    if f"{epochs} of {epochs} epochs" not in complete[0]:
        return "", f"unexpected status: {complete[0][:200]}"
    metrics = {s.proto.label: s.proto.body for s in view.shown("metric", after_runs)}
    if person.kind == "playground":
        value = metrics.get("Test accuracy", "")
        if not value.endswith("%"):
            return "", f"no test accuracy: {metrics}"
        if not 50 <= float(value.rstrip("%")) <= 100:  # two balanced classes: beat chance
            return "", f"test accuracy {value} is no better than chance"
        return f"test accuracy {value}", ""
    verdict = [t for t in view.texts(after_runs) if VERDICT.search(t)]
    numbers = {k: float(v) for k, v in metrics.items() if re.fullmatch(r"-?\d+(\.\d+)?", v)}
    if not verdict or "MCC" not in numbers:
        return "", f"no verdict or MCC: {metrics}"
    if not all(-1 <= v <= 1 for v in numbers.values()) or numbers.get("Accuracy", 0) < 0.5:
        return "", f"metrics out of range: {numbers}"
    return verdict[0].strip("*")[:100], ""


# ---------------------------------------------------------------- one session


async def load(session: Session, title: str, timeout: float) -> bool:
    """Run the session's page once; True when it finished showing ``title`` and a Train button."""
    first = await session.rerun()

    def loaded(view: PageView, _) -> bool:
        headings = [e.text for e in view.shown("heading")]
        return view.finished_since(first) and title in headings and bool(view.button("Train"))

    return await session.wait_for(loaded, timeout)


async def open_once(port: int, timeout: float) -> None:
    """The instructor opens each page the class will use before sharing the link: the server's
    first run of the app (which settles its navigation) is not a race between thirty."""
    for page, title in PAGES.values():
        session = Session(port, page)
        try:
            await session.open()
            if not await load(session, title, timeout):
                raise RuntimeError(f"the page {page!r} did not load: {session.view.texts()[:3]}")
        finally:
            await session.close()


@dataclass
class Start:
    """When the class starts pressing: set once every page has loaded (or the wait ran out)."""

    event: asyncio.Event
    at: float = 0.0


async def take_part(
    person: Trainee, port: int, settings: LoadSettings, loaded: asyncio.Event, start: Start
) -> None:
    """Open the person's page, press Train at their moment, and follow it to its result (or,
    for a tab that closes, until the training is under way)."""
    page, title = PAGES[person.kind]
    session = Session(port, page, person.query)
    try:
        await session.open()
        if not await load(session, title, settings.load_timeout_s):
            person.problem = f"the page did not load: {session.view.texts()[:3]}"
            return
        loaded.set()
        await start.event.wait()
        await asyncio.sleep(max(0.0, start.at + person.press_at - time.monotonic()))
        before = await session.press("Train")
        person.pressed = time.monotonic()

        def watch(view: PageView, shown: Shown | None) -> bool:
            fresh = shown is not None and shown.run_id in view.runs[before:]
            answer = fresh and (shown.kind == "progress" or FEEDBACK.search(shown.text))
            if answer and person.feedback_s is None:
                person.feedback_s = shown.at - person.pressed
                person.feedback = shown.text[:80]
            if person.closes:
                return fresh and shown.kind == "progress" and bool(UNDER_WAY.search(shown.text))
            ended = outcome(person, view, before)
            if ended is not None:
                person.result, person.problem = ended
                person.result_s = time.monotonic() - person.pressed
            return ended is not None

        if person.closes:
            # Closed once its training is under way, or while still waiting after a while.
            under_way = await session.wait_for(watch, settings.close_after_s)
            person.result = "closed mid-training" if under_way else "closed while waiting"
        elif not await session.wait_for(watch, settings.train_timeout_s):
            shows = "; ".join(session.view.texts(before)[-3:])[:150]
            runs = list(session.view.finished.values())
            person.problem = person.problem or (
                f"no result within {settings.train_timeout_s:.0f} s (runs ended {runs}; "
                f"the page shows: {shows})"
            )
    except Exception as error:  # one person's failure is reported, the class goes on
        person.problem = f"{type(error).__name__}: {error}"[:300]
    finally:
        loaded.set()  # a page that failed to load does not hold the others back
        await session.close()


async def run_class(
    people: list[Trainee], port: int, settings: LoadSettings, before_pressing
) -> float:
    """All sessions: every page loaded, then ``before_pressing()`` (run in a thread), then the
    presses over the window, each followed to its end. Returns when the pressing began."""
    await open_once(port, settings.load_timeout_s)
    loaded = [asyncio.Event() for _ in people]
    start = Start(asyncio.Event())
    tasks = [
        asyncio.create_task(take_part(person, port, settings, event, start))
        for person, event in zip(people, loaded, strict=True)
    ]
    waits = [asyncio.create_task(event.wait()) for event in loaded]
    await asyncio.wait(waits, timeout=settings.load_timeout_s)
    await asyncio.to_thread(before_pressing)
    start.at = time.monotonic()
    start.event.set()
    await asyncio.wait(tasks, timeout=settings.press_window_s + settings.train_timeout_s + 60)
    for task in [*tasks, *waits]:
        task.cancel()
    return start.at


# ---------------------------------------------------------------- the newcomer


@dataclass
class Visit:
    """The newcomer's home page and the bare app's, timed one right after the other."""

    at: float  # seconds after the class started pressing
    training: int  # how many were still waiting for a result when the visit ended
    ours: float
    bare: float
    ours_title: float = float("nan")  # the title alone on screen, the issue's own measure
    bare_title: float = float("nan")


class Newcomer(threading.Thread):
    """A person who opens the home page while the class trains, in a Chromium of their own at
    normal priority; first once with the class's pages open and before anyone presses
    (``quiet``), then up to ``visits`` times while results are pending."""

    def __init__(self, url: str, bare_url: str, visits: int, pending, timeout: float) -> None:
        super().__init__(daemon=True)
        self.url, self.bare_url, self.visits_wanted = url, bare_url, visits
        self.pending, self.timeout = pending, timeout
        self.quiet: tuple[float, float] = (float("nan"), float("nan"))
        self.visits: list[Visit] = []
        self.error = ""
        self.opened = threading.Event()  # the class's pages are open
        self.ready = threading.Event()  # the quiet visit is done
        self.go = threading.Event()  # the class has started pressing
        self.started_at = 0.0

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        from tests.streamlit_server import launch_chromium

        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                time_home(browser, self.bare_url)  # the browser's first page ever: not counted
                self.opened.wait(self.timeout)
                self.quiet = (time_home(browser, self.url)[0], time_home(browser, self.bare_url)[0])
                self.ready.set()
                self.go.wait(self.timeout)
                deadline = time.monotonic() + self.timeout
                while len(self.visits) < self.visits_wanted and time.monotonic() < deadline:
                    if not self.pending():
                        break
                    titles: list[float] = []
                    ours = time_home(browser, self.url, titles=titles)[0]
                    bare = time_home(browser, self.bare_url, titles=titles)[0]
                    at = time.monotonic() - self.started_at
                    self.visits.append(Visit(at, self.pending(), ours, bare, *titles))
                browser.close()
        except Exception as error:  # reported; the class's own figures still stand
            self.error = f"{type(error).__name__}: {error}"[:300]
        finally:
            self.ready.set()

    def ratio(self, title: bool = False) -> float | None:
        """Median of our home page over median of the bare app's (to the title alone with
        ``title``), over visits made while results were pending; None without such visits."""
        during = [v for v in self.visits if v.training]
        if not during:
            return None
        ours = statistics.median(v.ours_title if title else v.ours for v in during)
        return ours / statistics.median(v.bare_title if title else v.bare for v in during)


# ---------------------------------------------------------------- the same work, one after another


def run_serial(people: list[Trainee], settings: LoadSettings) -> dict:
    """The class's trainings one after another in this process, through the core functions the
    pages call, with the settings the pages read from the same query strings. Returns the
    seconds they took (from the first training's start, imports and data excluded) and how many
    ended correct."""
    from dataclasses import replace

    from core.classifier.report import TrainingRequest, train_and_compare
    from core.classifier.settings_fields import FIELDS, classifier_settings
    from core.classifier.splits import split_by_group
    from core.data.datasets import youtube_spam
    from core.nn.playground import PlaygroundSettings, make_dataset, train_playground
    from core.nn.training import RunRecord, StopFlag

    defaults = {name: field.default for name, field in FIELDS.items()}
    split = split_by_group(youtube_spam(), defaults["video"])
    playground = replace(PlaygroundSettings(), epochs=settings.playground_epochs)
    data = make_dataset(playground.data)
    classifier = classifier_settings(
        defaults | {"units_1": settings.classifier_units, "epochs": settings.classifier_epochs}
    )
    correct = 0
    start = time.perf_counter()
    for person in people:
        if person.kind == "playground":
            record = train_playground(playground, data, RunRecord(kind="playground"), StopFlag())
            correct += 0.5 <= (record.result.test_accuracy or 0) <= 1
        else:
            record = RunRecord(kind="classifier", total_epochs=classifier.epochs)
            results = train_and_compare(
                TrainingRequest(split, classifier), record=record, stop_flag=StopFlag()
            )
            correct += results.error is None and results.comparison is not None
    return {"serial_s": time.perf_counter() - start, "correct": int(correct), "runs": len(people)}


def serial_baseline(settings: LoadSettings) -> dict:
    """:func:`run_serial` in a fresh subprocess (a process of its own, as the server is)."""
    command = [sys.executable, __file__, "--serial", *settings_arguments(settings)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=settings.train_timeout_s * 2
    )
    if done.returncode != 0:
        raise RuntimeError(f"the serial run failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the server


class LogWatch(threading.Thread):
    """Reads the server's stderr (so its pipe never fills) and keeps its lines, at most 20,000."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.lines = stream, []

    def run(self) -> None:
        for line in self.stream:
            if len(self.lines) < 20_000:
                self.lines.append(line.rstrip())

    def count(self, pattern: str) -> int:
        return sum(1 for line in self.lines if re.search(pattern, line, re.IGNORECASE))


def wait_idle(pid: int, within_s: float, busy_cores: float, window_s: float = 2.0) -> float | None:
    """Seconds until the server's CPU use over ``window_s`` falls under a quarter of what it
    used while the class trained (``busy_cores``; on a machine shared with others a training
    may get little CPU, so no fixed threshold would do) and under :data:`IDLE_CORES`; None if
    it does not within ``within_s``."""
    threshold = min(IDLE_CORES, busy_cores / 4)
    start = time.monotonic()
    while time.monotonic() - start < within_s:
        used = cpu_seconds(pid)
        time.sleep(window_s)
        if (cpu_seconds(pid) - used) / window_s < threshold:
            return time.monotonic() - start
    return None


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


# ---------------------------------------------------------------- the run


def parse_args(argv: list[str] | None = None) -> tuple[LoadSettings, argparse.Namespace]:
    """The settings from the command line (every :class:`LoadSettings` field is an option)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in vars(LoadSettings()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--serial", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fields = vars(LoadSettings())
    return LoadSettings(**{k: v for k, v in vars(args).items() if k in fields}), args


def settings_arguments(settings: LoadSettings) -> list[str]:
    """Command-line options that give back ``settings``."""
    return [f"--{k.replace('_', '-')}={v}" for k, v in vars(settings).items()]


def run(settings: LoadSettings) -> dict:
    """One load run; its figures and details, as :func:`report` prints them."""
    people = plan(settings)
    figures: dict = {"load_before": os.getloadavg()}
    if not settings.close_tabs:
        figures["serial"] = serial_baseline(settings)
    port, bare_port = free_port(), free_port()
    server = start_server(ROOT / "app.py", port)
    log = LogWatch(server.stderr)
    log.start()
    bare_folder = tempfile.TemporaryDirectory()
    (Path(bare_folder.name) / "bare.py").write_text(BARE_APP)
    bare = start_server(Path(bare_folder.name) / "bare.py", bare_port, cwd=Path(bare_folder.name))
    sampler = RssSampler(server.pid)

    def pending() -> int:
        return sum(1 for p in people if p.result_s is None and not p.problem and not p.closes)

    newcomer = Newcomer(
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{bare_port}",
        settings.visits,
        pending,
        settings.train_timeout_s,
    )
    try:
        wait_healthy(port, server)
        wait_healthy(bare_port, bare)
        sampler.start()
        if settings.visits:
            newcomer.start()  # before this thread lowers its priority: Chromium keeps normal
        # The class's front ends would run on their own computers: here they give way.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), settings.client_niceness)

        def before_pressing() -> None:
            figures["idle_rss_mb"] = sampler.peak
            figures["threads_before"] = thread_count(server.pid)
            figures["cpu_before"] = cpu_seconds(server.pid)
            if settings.visits:
                newcomer.opened.set()
                newcomer.ready.wait(120)
            newcomer.started_at = time.monotonic()
            newcomer.go.set()

        started = asyncio.run(run_class(people, port, settings, before_pressing))
        ends = [p.pressed + p.result_s for p in people if p.result_s and p.pressed]
        figures["total_s"] = (max(ends) - started) if ends else None
        if settings.close_tabs:
            busy = (cpu_seconds(server.pid) - figures["cpu_before"]) / (time.monotonic() - started)
            figures["busy_cores"] = busy
            figures["idle_after_s"] = wait_idle(server.pid, settings.settle_s, busy)
            figures["threads_after"] = thread_count(server.pid)
            figures["rss_after_mb"] = sum(rss_mb(pid) for pid in process_tree(server.pid))
        if settings.visits:
            newcomer.join(timeout=120)
    finally:
        sampler.stop()
        stop(bare)
        stop(server)
        bare_folder.cleanup()
    figures.update(
        people=people,
        peak_rss_mb=sampler.peak,
        newcomer=newcomer,
        orphan_log_lines=log.count(settings.orphan_log),
        load_after=os.getloadavg(),
    )
    return figures


def summary(settings: LoadSettings, figures: dict) -> tuple[dict, dict[str, bool]]:
    """The JSON line's fields, and each goal with whether it was met."""
    people = figures["people"]
    stayed = [p for p in people if not p.closes]
    feedback = [p.feedback_s for p in people if p.feedback_s is not None]
    answered = all(p.feedback_s is not None for p in people if p.pressed)
    serial = figures.get("serial", {}).get("serial_s")
    ratio = figures["newcomer"].ratio()
    title_ratio = figures["newcomer"].ratio(title=True)
    total = figures.get("total_s")
    line = {
        "sessions": len(people),
        "completed": sum(p.result_s is not None for p in stayed),
        "correct": sum(p.ok for p in stayed),
        "max_feedback_s": round(max(feedback), 3) if feedback and answered else None,
        "peak_rss_mb": round(figures["peak_rss_mb"]),
        # The newcomer measure, the time to the page's title; then the whole page.
        "newcomer_ratio": None if title_ratio is None else round(title_ratio, 2),
        "newcomer_page_ratio": None if ratio is None else round(ratio, 2),
        "total_vs_serial": round(total / serial, 2) if total and serial else None,
        "total_s": total and round(total, 1),
        "serial_s": serial and round(serial, 1),
        "load_average": [round(v, 2) for v in figures["load_before"]],
        "cores": os.cpu_count(),
    }
    goals = {
        f"all {len(stayed)} completed and correct": line["correct"] == len(stayed),
        f"every press answered within {FEEDBACK_GOAL_S:.0f} s": line["max_feedback_s"] is not None
        and line["max_feedback_s"] <= FEEDBACK_GOAL_S,
        f"peak RSS < {RSS_GOAL_MB:,.0f} MB": line["peak_rss_mb"] < RSS_GOAL_MB,
    }
    if settings.visits:
        # The measure: the time to the page's title. The whole page (title and last
        # link) is in the JSON line too ("newcomer_page_ratio").
        goals[f"newcomer's title within {NEWCOMER_GOAL}x the bare app's"] = (
            title_ratio is not None and title_ratio <= NEWCOMER_GOAL
        )
    if settings.close_tabs:
        line.update(
            closed=sum(p.closes and p.result.startswith("closed") for p in people),
            closed_mid_training=sum(p.result == "closed mid-training" for p in people),
            slots_freed=figures["idle_after_s"] is not None,
            idle_after_s=figures["idle_after_s"] and round(figures["idle_after_s"], 1),
            busy_cores=round(figures["busy_cores"], 2),
            orphan_log_lines=figures["orphan_log_lines"],
            threads_before=figures.get("threads_before"),
            threads_after=figures.get("threads_after"),
            rss_after_mb=round(figures.get("rss_after_mb", 0)),
        )
        goals[f"server idle within {settings.settle_s:.0f} s of the last result"] = line[
            "slots_freed"
        ]
    else:
        goals[f"together no slower than {SERIAL_GOAL}x one after another"] = (
            line["total_vs_serial"] is not None and line["total_vs_serial"] <= SERIAL_GOAL
        )
    return line, goals


def report(settings: LoadSettings, figures: dict, goals: dict[str, bool]) -> None:
    """The run in words: each person, the server, the newcomer, the goals."""
    people, newcomer = figures["people"], figures["newcomer"]
    print(f"{len(people)} sessions on one server ({os.cpu_count()} cores), pressing Train over "
          f"{settings.press_window_s:.0f} s; Playground {settings.playground_epochs} epochs, "
          f"classifier {settings.classifier_units} units {settings.classifier_epochs} epochs")  # fmt: skip
    for p in people:
        fb = f"{p.feedback_s:5.2f} s" if p.feedback_s is not None else "  --   "
        took = f"{p.result_s:6.1f} s" if p.result_s is not None else "   --   "
        verdict = "closed" if p.closes and not p.problem else ("ok" if p.ok else p.problem)
        print(f"  #{p.number:<2} {p.kind:<10} pressed at {p.press_at:4.1f} s  feedback {fb} "
              f"({p.feedback[:28]:<28}) result {took}  {p.result[:50]:<50} {verdict}")  # fmt: skip
    if "serial" in figures:
        s = figures["serial"]
        print(f"the same {s['runs']} trainings one after another: {s['serial_s']:.1f} s "
              f"({s['correct']} correct); together: {figures['total_s'] or float('nan'):.1f} s")  # fmt: skip
    print(f"server RSS: {figures.get('idle_rss_mb', 0):,.0f} MB with every page open, peak "
          f"{figures['peak_rss_mb']:,.0f} MB")  # fmt: skip
    q = newcomer.quiet
    print(f"newcomer's home page before anyone pressed: {q[0]:.2f} s, bare app {q[1]:.2f} s"
          + (f" ({newcomer.error})" if newcomer.error else ""))  # fmt: skip
    for v in newcomer.visits:
        print(f"  {v.at:6.1f} s after the first press, {v.training} awaiting results: "
              f"{v.ours:.2f} s, bare app {v.bare:.2f} s (title {v.ours_title:.2f} s, "
              f"{v.bare_title:.2f} s)")  # fmt: skip
    if settings.close_tabs:
        idle = figures["idle_after_s"]
        print(f"closed tabs: server idle {'NOT' if idle is None else f'after {idle:.1f} s'} "
              f"(it used {figures['busy_cores']:.2f} cores while the class trained) "
              f"once the others had their results; threads {figures.get('threads_before')} "
              f"before the presses, {figures.get('threads_after')} then; RSS then "
              f"{figures.get('rss_after_mb', 0):,.0f} MB; "
              f"{figures['orphan_log_lines']} log lines match {settings.orphan_log!r}")  # fmt: skip
    print("machine load average (1, 5, 15 min) before: "
          + ", ".join(f"{v:.1f}" for v in figures["load_before"])
          + "; after: " + ", ".join(f"{v:.1f}" for v in figures["load_after"]))  # fmt: skip
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    settings, args = parse_args(argv)
    # Stopped from outside (timeout, kill): still end the servers this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.serial:
        print(json.dumps(run_serial(plan(settings), settings)))
        return 0
    figures = run(settings)
    line, goals = summary(settings, figures)
    if not args.json:
        report(settings, figures, goals)
    print(json.dumps(line))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
