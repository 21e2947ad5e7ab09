"""The real app in headless Chromium: every page of the navigation, and bad uploads.

Screenshots land in tests/artifacts/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import pytest

from tests.hostile_files import hostile_files, utf16_corpus
from tests.streamlit_server import CHROMIUM, launch_chromium, running_app, wait_idle
from tests.test_pages import PAGES

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    tab = context.new_page()
    yield tab
    context.close()


def url_path(page_file: str) -> str:
    return "" if page_file == "pages/home.py" else Path(page_file).stem


def assert_no_exception(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()


@pytest.mark.parametrize("page_file,title", PAGES.items())
def test_every_page_opens_without_exception(app_url, page, page_file, title):
    page.goto(f"{app_url}/{url_path(page_file)}")
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
    assert page.locator('[data-testid="stSidebarNav"]').is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{url_path(page_file) or 'home'}.png"))


def test_deep_link_on_a_fresh_server_uses_the_apps_navigation(page):
    # Its own server: the first request a process sees decides how Streamlit treats pages/.
    with running_app() as url:
        page.goto(f"{url}/datasets?dataset=digits")
        page.get_by_role("heading", name="Datasets: X → Y", level=1).wait_for(timeout=60_000)
        page.get_by_text("Handwritten digits").wait_for(timeout=60_000)
        wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Home: the map of the talk" in nav and "widgets" not in nav
        assert_no_exception(page)


def test_home_links_open_the_matching_dataset(app_url, page):
    page.goto(app_url)
    page.get_by_role("link", name="See the price windows").click()
    page.get_by_role("heading", name="Datasets: X → Y", level=1).wait_for(timeout=60_000)
    page.get_by_text("Weekly stock prices").wait_for(timeout=60_000)
    assert "dataset=stocks" in page.url
    assert_no_exception(page)


def upload(page, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator('input[type="file"]').first.set_input_files(str(path))
    wait_idle(page)


BAD_UPLOADS = [
    ("empty.txt", "is empty"),
    ("binary.txt", "NUL bytes"),
    ("random.bin", "looks like a binary file"),
    ("long_line.txt", "Line 1 of long_line.txt has"),
    ("wide.csv", "5,000 columns"),
    ("one_class.csv", "one class only"),
    ("no_text_column.csv", "no text column"),
    ("unbalanced.csv", "unbalanced quote"),
]


def test_bad_uploads_get_clear_messages_and_the_page_stays_usable(app_url, page, tmp_path):
    page.goto(f"{app_url}/datasets?dataset=upload")
    page.get_by_text("Check your own file").wait_for(timeout=60_000)
    files = hostile_files()
    for name, message in BAD_UPLOADS:
        upload(page, tmp_path, name, files[name])
        # Wait for this file's message: the previous file's error may still be on screen.
        error = page.locator('[data-testid="stAlertContentError"]').filter(has_text=message)
        error.first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 1, name
        assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bad_upload.png"))

    # A benign UTF-16 file is read, and replaces the error.
    upload(page, tmp_path, "utf16.txt", utf16_corpus())
    success = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="3 documents")
    success.first.wait_for(timeout=30_000)
    assert "3 documents" in success.first.inner_text()
    assert "UTF-16 with BOM" in success.first.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0

    # The rest of the page still answers.
    page.get_by_role("radio", name=re.compile("Spam comments")).click()
    page.get_by_text("YouTube Spam Collection").first.wait_for(timeout=30_000)
    assert_no_exception(page)


def test_text_page_upload_error_then_good_file(app_url, page, tmp_path):
    page.goto(f"{app_url}/text_to_numbers")
    page.get_by_role("heading", name="Text → numbers", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Upload a file", exact=True).click()
    wait_idle(page)
    upload(page, tmp_path, "binary.txt", hostile_files()["binary.txt"])
    page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=30_000)
    assert_no_exception(page)
    good = "\n".join(["the cat sat", "the dog sat", "orange apple grape"]).encode()
    upload(page, tmp_path, "good.txt", good)
    page.get_by_text("Read 3 documents").wait_for(timeout=30_000)
    page.get_by_text("7 terms").wait_for(timeout=30_000)
    assert_no_exception(page)


def set_number(page, label: str, value: int) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.blur()


def test_training_runs_live_then_stops_on_request(app_url, page):
    page.goto(f"{app_url}/playground")
    page.get_by_role("heading", name="Playground", level=1).wait_for(timeout=60_000)
    wait_idle(page)

    # A short run completes, with its curves and boundary drawn.
    set_number(page, "Epochs", 8)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete")
    done.first.wait_for(timeout=120_000)
    wait_idle(page)
    assert "8 of 8 epochs" in done.first.inner_text()
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "playground_trained.png"))

    # A long run shows its progress while it trains, and Stop ends it as stopped, not complete.
    set_number(page, "Epochs", 300)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    page.get_by_text(re.compile(r"Epoch [2-9]\d* of 300")).first.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "playground_training.png"))
    page.get_by_role("button", name=re.compile("Stop training")).click()
    stopped = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Stopped")
    stopped.first.wait_for(timeout=60_000)
    wait_idle(page)
    assert "of 300 epochs" in stopped.first.inner_text()
    assert (
        page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete").count()
        == 0
    )
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "playground_stopped.png"))
