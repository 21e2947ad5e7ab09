"""Five people training at once on one `streamlit run app.py`, and a sixth opening the home page.

One server, six headless Chromium contexts (each its own Streamlit session):
- five start a training within a second of each other, alternating the Playground (a small
  network, few epochs) and the text classifier (one layer of 8 units, 3 epochs, on the YouTube
  spam comments); each must finish with a correct result: "Complete" and a test accuracy on the
  Playground, "Complete" and the ML-versus-DL verdict on the classifier;
- while they train, a sixth opens the home page again and again (``--visits``, each in a new
  browser context, so Streamlit's front end is fetched anew), timed from the request to its
  title and its last link on screen; the same visit is also made just before anyone trains;
- the reference: right after each visit, the same browser opens a bare two-line Streamlit app
  served by a second server on the same machine, which none of the five uses. What the bare
  app takes is what Streamlit's front end costs on this machine under this load;
- the resident memory of the server (its process and any children, from /proc) is sampled
  every 0.5 s throughout.
Goals: all five correct, server peak RSS < 2.5 GB, sixth home page < 3 s (the median of the
visits made while they train; every visit is printed). Exit status 1 if a goal is missed.
Only 127.0.0.1 is used.

Everything runs on one machine here, while in use each person's browser runs on their own
computer. So that the five trainers' browsers do not take the CPU that the server and the sixth
person's browser would have to themselves, the five run in a Chromium started at a lower
priority (``nice``, ``--browser-niceness``; 0 runs them at the same priority as everything
else). The sixth person's browser is a Chromium of its own at normal priority.
Usage: python benchmarks/concurrency.py [--users 5] [--playground-epochs 30] [--visits 6]
       [--browser-niceness 10]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The browser harness lives in tests/, which is not installed; `core` comes from the install.
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.server_watch import BARE_APP, RssSampler, time_home  # noqa: E402
from tests.streamlit_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE_JS,
    free_port,
    launch_chromium,
    start_server,
    wait_healthy,
)

RSS_GOAL_MB = 2.5 * 1024
HOME_GOAL_S = 3.0
TRAIN_TIMEOUT_S = 480
SUCCESS = '[data-testid="stAlertContentSuccess"]'
PROBLEM = (
    '[data-testid="stException"], [data-testid="stAlertContentError"], '
    '[data-testid="stAlertContentWarning"]:has-text("Stopped")'
)


# ---------------------------------------------------------------- the people


@dataclass
class Visit:
    """The sixth person opening the home page (and then the bare app) during the trainings."""

    at: float  # seconds after the five pressed Train
    training: int  # how many of the five had not finished yet
    new_context: float
    reloaded: float
    bare_new_context: float


@dataclass
class User:
    """One browser context training on one page, and what it ended with."""

    number: int
    kind: str  # "playground" or "classifier"
    page: object = None
    started: float = 0.0
    finished: float | None = None
    result: str = ""
    problem: str = ""
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.finished is not None and not self.problem


def settle(page, timeout_ms: float = 120_000) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def set_number(page, label: str, value: int) -> None:
    field_ = page.get_by_label(label, exact=True).first
    field_.fill(str(value))
    field_.blur()


def prepare(user: User, url: str, playground_epochs: int) -> None:
    """Open the user's page and fill in small settings (inside the form: nothing runs yet)."""
    page = user.page
    if user.kind == "playground":
        page.goto(f"{url}/playground")
        page.get_by_role("heading", name="Playground", level=1).wait_for(timeout=120_000)
        settle(page)
        set_number(page, "Epochs", playground_epochs)
    else:
        page.goto(f"{url}/classifier_train")
        page.get_by_role("heading", name="Train a text classifier", level=1).wait_for(
            timeout=120_000
        )
        settle(page)
        set_number(page, "Units", 8)
        set_number(page, "Epochs (at most)", 3)


def check_finished(user: User, playground_epochs: int) -> bool:
    """True once the user's run has ended; fills in ``result``/``problem`` then."""
    page = user.page
    problem = page.locator(PROBLEM)
    if problem.count():
        user.problem = problem.first.inner_text()[:300]
        user.finished = time.monotonic()
        return True
    done = page.locator(SUCCESS).filter(has_text="Complete")
    if user.kind == "classifier":
        ready = page.get_by_role("tab", name="ML versus DL")
        if not (done.count() and ready.count()):
            return False
        user.finished = time.monotonic()
        settle(page)
        status = done.first.inner_text()
        if "3 of 3 epochs" not in status:
            user.problem = f"unexpected status: {status[:200]}"
        ready.click()
        verdict = page.get_by_text(re.compile(r"^On MCC, .*(wins|tie)"))
        verdict.first.wait_for(timeout=60_000)
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        numbers = [float(v) for v in values if v.strip() not in ("–", "")]
        if not numbers or not all(0.0 <= v <= 1.0 for v in numbers):
            user.problem = f"metrics out of range: {values}"
        user.result = verdict.first.inner_text().splitlines()[0][:120]
        return True
    if not done.count():
        return False
    user.finished = time.monotonic()
    settle(page)
    status = done.first.inner_text()
    if f"{playground_epochs} of {playground_epochs} epochs" not in status:
        user.problem = f"unexpected status: {status[:200]}"
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy")
    metric.first.wait_for(timeout=30_000)
    value = metric.first.locator('[data-testid="stMetricValue"]').inner_text()
    accuracy = float(value.strip().rstrip("%")) / 100
    if not 0.5 <= accuracy <= 1.0:  # two balanced classes: a trained net beats chance
        user.problem = f"test accuracy {value} is no better than chance"
    user.result = f"test accuracy {value}"
    return True


def niced_chromium(playwright, niceness: int, folder: Path):
    """A Chromium whose processes all run at ``niceness`` (they inherit it from the first)."""
    if niceness <= 0:
        return launch_chromium(playwright)
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {niceness} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return playwright.chromium.launch(executable_path=str(wrapper), args=CHROMIUM_ARGS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--playground-epochs", type=int, default=30)
    parser.add_argument("--browser-niceness", type=int, default=10)
    parser.add_argument("--visits", type=int, default=6, help="home page visits while they train")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_server(ROOT / "app.py", port)
    bare_folder = tempfile.TemporaryDirectory()
    (Path(bare_folder.name) / "bare.py").write_text(BARE_APP)
    bare_port = free_port()
    bare_url = f"http://127.0.0.1:{bare_port}"
    bare = start_server(Path(bare_folder.name) / "bare.py", bare_port, cwd=Path(bare_folder.name))
    sampler = RssSampler(process.pid)
    users = [User(i + 1, "playground" if i % 2 == 0 else "classifier") for i in range(args.users)]
    home_quiet_s = bare_quiet_s = (float("nan"), float("nan"))
    visits: list[Visit] = []
    quiet_detail: dict = {}
    busy_detail: dict = {}
    load_before = os.getloadavg()
    try:
        wait_healthy(port, process)
        wait_healthy(bare_port, bare)
        sampler.start()
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
            browser = niced_chromium(playwright, args.browser_niceness, Path(scratch))
            sixth = launch_chromium(playwright)
            for user in users:
                user.page = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
                prepare(user, url, args.playground_epochs)
            idle_mb = sampler.peak
            # The same visit before anyone trains: the home page of a warm, quiet server.
            time_home(sixth, bare_url)  # the sixth browser's first page ever: not counted
            home_quiet_s = time_home(sixth, url, quiet_detail)
            bare_quiet_s = time_home(sixth, bare_url)
            # Everyone presses Train within a moment of each other.
            for user in users:
                user.page.get_by_role("button", name=re.compile(r"Train$")).click()
                user.started = time.monotonic()
            # The sixth person arrives while all five are training.
            for user in users:
                user.page.get_by_role("button", name=re.compile("Stop training")).wait_for(
                    timeout=120_000
                )
            # The sixth person opens the home page again and again while they train (a new
            # browser context each time), and so does the bare app, right after each visit.
            trained_from = time.monotonic()
            deadline = trained_from + TRAIN_TIMEOUT_S
            waiting = list(users)
            while waiting and time.monotonic() < deadline:
                if len(visits) < args.visits:
                    at = time.monotonic() - trained_from
                    training = len(waiting)
                    ours = time_home(sixth, url, busy_detail if not visits else None)
                    reference = time_home(sixth, bare_url)
                    visits.append(Visit(at, training, ours[0], ours[1], reference[0]))
                waiting = [u for u in waiting if not check_finished(u, args.playground_epochs)]
                time.sleep(0.5)
            for user in waiting:
                user.problem = f"not finished after {TRAIN_TIMEOUT_S} s"
            browser.close()
            sixth.close()
    finally:
        sampler.stop()
        bare.terminate()
        bare_folder.cleanup()
        process.terminate()
        try:
            process.wait(timeout=15)
        except Exception:
            process.kill()

    print(f"users: {len(users)} training at once on one server ({os.cpu_count()} CPU cores); "
          f"their browsers at nice {max(args.browser_niceness, 0)}")  # fmt: skip
    for user in users:
        took = f"{user.finished - user.started:6.1f} s" if user.finished else "   --   "
        verdict = "ok" if user.ok else f"FAILED: {user.problem}"
        print(f"  #{user.number} {user.kind:<10} {took}  {user.result:<60} {verdict}")
    peak = sampler.peak
    print(f"server RSS: idle with 5 pages open {idle_mb:,.0f} MB, peak {peak:,.0f} MB "
          f"({len(sampler.samples)} samples every 0.5 s)")  # fmt: skip
    during = [v for v in visits if v.training]
    print("the sixth person's home page, seconds to its title and last link on screen:")
    print(f"  before anyone trained: {home_quiet_s[0]:.2f} new context, {home_quiet_s[1]:.2f} "
          f"reloaded; the bare app {bare_quiet_s[0]:.2f} new context")  # fmt: skip
    for v in visits:
        print(f"  {v.at:5.1f} s after Train, {v.training} of {len(users)} still training: "
              f"{v.new_context:.2f} new context, {v.reloaded:.2f} reloaded; the bare app "
              f"{v.bare_new_context:.2f} new context")  # fmt: skip
    median_new = statistics.median(v.new_context for v in during) if during else float("nan")
    worst_new = max((v.new_context for v in during), default=float("nan"))
    median_bare = statistics.median(v.bare_new_context for v in during) if during else 1.0
    print(f"  while training ({len(during)} visits): median {median_new:.2f} s, worst "
          f"{worst_new:.2f} s; the bare app's median {median_bare:.2f} s; ratio of medians "
          f"ours / bare {median_new / median_bare:.2f}")  # fmt: skip
    for when, detail in (("before", quiet_detail), ("while training, first visit", busy_detail)):
        if detail:
            print(f"  new context {when}: {detail['files']} files, the last at "
                  f"{detail['last_file_ms'] / 1000:.2f} s; waiting for the server "
                  f"{detail['server_wait_sum_ms'] / 1000:.2f} s in all "
                  f"(at most {detail['server_wait_max_ms']:.0f} ms for one file)")  # fmt: skip
    print("machine load average (1, 5, 15 min) before: "
          + ", ".join(f"{v:.1f}" for v in load_before)
          + "; after: " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))  # fmt: skip
    goals = {
        "all users finished with correct results": all(u.ok for u in users),
        f"server peak RSS < {RSS_GOAL_MB:,.0f} MB": peak < RSS_GOAL_MB,
        f"home page < {HOME_GOAL_S:.0f} s while they train (median of new contexts)": median_new
        < HOME_GOAL_S,
    }
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
