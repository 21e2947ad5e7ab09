"""Cold start: `streamlit run app.py` to the first rendered home page in headless Chromium,
against a bare one-line Streamlit app, in the same run. Goal: ours / bare <= 1.3.

Each round starts a fresh server process and a fresh browser context for each app (alternating,
so all see the same machine load) and times two milestones from process start:
- page: every text element of the page is on screen (for the home page: its title and its last
  link). The goal is measured here.
- chart: the first Plotly chart is drawn. plotly.js is a large bundle that Streamlit's front end
  loads only when a page first shows a Plotly chart, so a third app, the bare one plus one Plotly
  chart, shows what that costs any app.
Usage: python benchmarks/cold_start.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The browser harness lives in tests/, which is not installed; `core` comes from the install.
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.streamlit_server import (  # noqa: E402
    free_port,
    launch_chromium,
    start_server,
    wait_healthy,
)

GOAL = 1.3
BARE = 'import streamlit as st\nst.title("Bare app")\n'
BARE_PLOTLY = BARE + (
    "import plotly.graph_objects as go\n"
    "st.plotly_chart(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])))\n"
)
CHART = "[data-testid='stPlotlyChart'] .main-svg"


def time_cold_start(browser, script: Path, cwd: Path, page_selectors: list[str], chart: bool):
    """Seconds from `streamlit run` to the page's text, and to its first chart (or None)."""
    port = free_port()
    start = time.perf_counter()
    process = start_server(script, port, cwd)
    try:
        wait_healthy(port, process)
        context = browser.new_context()  # an empty cache, as for a first visit
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        for selector in page_selectors:
            page.locator(selector).first.wait_for(state="visible", timeout=120_000)
        page_s = time.perf_counter() - start
        chart_s = None
        if chart:
            page.locator(CHART).first.wait_for(state="visible", timeout=120_000)
            chart_s = time.perf_counter() - start
        context.close()
        return page_s, chart_s
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        bare_dir = Path(tmp)
        (bare_dir / "bare.py").write_text(BARE)
        (bare_dir / "bare_plotly.py").write_text(BARE_PLOTLY)
        bare_title = ["h1:has-text('Bare app')"]
        apps = {
            "bare one-line app": (bare_dir / "bare.py", bare_dir, bare_title, False),
            "bare + one Plotly chart": (bare_dir / "bare_plotly.py", bare_dir, bare_title, True),
            "Deep Text Lab home": (
                ROOT / "app.py",
                ROOT,
                ["h1:has-text('Deep Text Lab')", "a:has-text('A text classifier on your data')"],
                True,
            ),
        }
        browser = launch_chromium(playwright)
        for spec in apps.values():  # warm the disk cache; not counted
            time_cold_start(browser, *spec)
        pages: dict[str, list[float]] = {name: [] for name in apps}
        charts: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(args.rounds):
            for name, spec in apps.items():
                page_s, chart_s = time_cold_start(browser, *spec)
                pages[name].append(page_s)
                if chart_s is not None:
                    charts[name].append(chart_s)
        browser.close()
    print(f"{'app':<26}{'page (median)':>15}{'chart (median)':>16}   page runs")
    for name in apps:
        chart = f"{statistics.median(charts[name]):.2f} s" if charts[name] else "-"
        runs = " ".join(f"{v:.2f}" for v in pages[name])
        print(f"{name:<26}{statistics.median(pages[name]):>13.2f} s{chart:>16}   {runs}")
    ratio = statistics.median(pages["Deep Text Lab home"]) / statistics.median(
        pages["bare one-line app"]
    )
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"page ratio ours/bare = {ratio:.2f}; goal <= {GOAL} -> {verdict}")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
