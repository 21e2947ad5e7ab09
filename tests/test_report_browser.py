"""The classifier's HTML report in headless Chromium with the network off: every chart drawn.

The screenshot lands in tests/artifacts/screenshots/ for a person to look at.
"""

from pathlib import Path

import pytest

from core.classifier.html_report import write_report
from tests.report_html import SCRIPT_TEXT, hostile_report_inputs
from tests.streamlit_server import CHROMIUM

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"
# Plotly draws several svg.main-svg layers per chart, so charts are counted by their div: a
# chart is drawn when its div holds a main-svg and at least one trace or heatmap.
DRAWN_JS = """() => [...document.querySelectorAll('.plotly-graph-div')].filter(
  d => d.querySelector('.main-svg') && d.querySelectorAll('.trace, .hm').length
).length"""


def wait_drawn(page, figures: int, timeout_s: float = 30) -> int:
    """The charts drawn once ``figures`` are, or however many are after ``timeout_s``. Polled
    from Python: the report's Content-Security-Policy forbids the eval of wait_for_function."""
    for _ in range(int(timeout_s / 0.2)):
        drawn = page.evaluate(DRAWN_JS)
        if drawn >= figures:
            break
        page.wait_for_timeout(200)
    return drawn


def test_report_draws_every_chart_offline(browser, tmp_path):
    inputs = hostile_report_inputs()
    path = write_report(tmp_path / "report.html", inputs)
    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 1000})
    asked = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        figures = int(page.locator("body").get_attribute("data-figures"))
        drawn = wait_drawn(page, figures)
        assert drawn == figures == 6  # ROC, precision-recall, scores, confusion, versus, loss
        assert page.locator(".plotly-graph-div").count() == figures
        assert errors == [] and asked == []
        # The comment holding a <script> is shown as text and never ran.
        assert page.title() == inputs.title
        assert page.get_by_text(SCRIPT_TEXT).count() == 1
        page.wait_for_timeout(1_000)  # responsive charts settle their size before the shot
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "classifier_report.png"), full_page=True)
    finally:
        context.close()
