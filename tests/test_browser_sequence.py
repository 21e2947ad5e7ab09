"""The Sequence models page in headless Chromium: the three model kinds trained live, one after
the other, on a small slice of the YouTube comments."""

import re
from pathlib import Path

import pytest

from core.classifier.model import SEQUENCE_KINDS
from core.classifier.sequence_fields import KIND_LABELS
from tests.streamlit_server import CHROMIUM, wait_idle
from tests.test_sequence_page import slice_csv

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"


def assert_no_exception(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def test_the_three_kinds_train_live_and_are_judged(app_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    page.goto(f"{app_url}/sequence_models?data=upload&epochs=2")
    page.get_by_role("heading", name="Sequence models", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    upload = tmp_path / "slice.csv"
    upload.write_bytes(slice_csv())
    page.locator('input[type="file"]').first.set_input_files(str(upload))
    page.get_by_text(re.compile(r"Sequence length \d+:")).first.wait_for(timeout=60_000)
    wait_idle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for kind in ("cnn", "pooled", "lstm"):
        name = SEQUENCE_KINDS[kind]
        if kind != "cnn":  # the default
            # The segmented control's options are radio buttons.
            page.get_by_role("radio", name=KIND_LABELS[kind], exact=True).click()
            wait_idle(page)
        page.get_by_role("button", name=re.compile(r"Train$")).click()
        page.get_by_text(re.compile(r"Epoch \d of 2")).first.wait_for(timeout=120_000)
        page.get_by_role("heading", name=f"Results: {name}").wait_for(timeout=240_000)
        wait_idle(page)
        done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete")
        assert "2 of 2 epochs" in done.first.inner_text()
        labels = {
            t.strip() for t in page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        }
        assert {"Accuracy", "MCC", "ROC-AUC"} <= labels
        assert page.get_by_text(re.compile(r"^On MCC, ")).count() > 0  # the verdict
        assert page.get_by_text("The prediction as the words arrive.").count() > 0
        assert (page.get_by_text("What the filters respond to.").count() > 0) == (kind == "cnn")
        assert_no_exception(page)
        page.screenshot(path=str(SHOTS / f"sequence_{kind}.png"), full_page=True)
    context.close()
