"""Settings that survive navigation, and Text → numbers following your text, in headless Chromium.

Streamlit forgets the widgets of a page that is not drawn; these tests change settings on every
training page, go elsewhere through the sidebar, come back, and read the settings off the page.
Screenshots land in tests/artifacts/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import pytest

from tests.streamlit_server import CHROMIUM, wait_idle
from tests.test_browser import assert_no_exception, open_from_sidebar, set_number, set_slider

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"
ELSEWHERE = "Activation functions"  # a page with no training, to look at in between


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    tab = context.new_page()
    yield tab
    context.close()


def slider_text(page, label: str) -> str:
    """What the slider ``label`` shows (a select slider's option as text)."""
    thumb = page.locator(f'input[type="range"][aria-label="{label}"]')
    return thumb.get_attribute("aria-valuetext")


def number_value(page, label: str) -> float:
    return float(page.get_by_label(label, exact=True).input_value())


def is_picked(page, option: str) -> bool:
    """Whether the radio option whose label starts with ``option`` is the one chosen."""
    return page.get_by_role("radio", name=re.compile("^" + re.escape(option))).is_checked()


def pick(page, option: str) -> None:
    """Choose a radio option by its label (inside a form this waits for nothing)."""
    page.get_by_role("radio", name=re.compile("^" + re.escape(option))).check(force=True)


def train_and_wait(page, button: str = "Train", timeout_ms: float = 180_000) -> None:
    """Press the form's button and wait until its run is reported complete."""
    page.get_by_role("button", name=re.compile(f"{button}$")).click()
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete")
    done.first.wait_for(timeout=timeout_ms)
    wait_idle(page)
    assert_no_exception(page)


def labelled_csv(path: Path) -> Path:
    """A small two-class CSV of short messages, written to ``path``."""
    spam = ["win a free prize now", "cheap pills click here", "free money call now"]
    ham = ["see you at lunch", "the meeting moved to ten", "thanks for the notes"]
    rows = ["text,label"]
    for index in range(8):
        rows += [f"{spam[index % 3]} {index},spam", f"{ham[index % 3]} {index},ham"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def change_training_pages(page, csv: Path) -> None:
    """Change one or two settings on every training page, training where that is cheap."""
    open_from_sidebar(page, "Playground")
    set_number(page, "Epochs", 2)
    set_number(page, "Batch size", 16)
    train_and_wait(page)

    open_from_sidebar(page, "Gradient descent")  # no form: each change reruns the page
    # Outside a form every key press reruns the page; the runs must not push older values back.
    set_slider(page, "Steps N (loop and optimizers)", 45)
    wait_idle(page)
    assert slider_text(page, "Steps N (loop and optimizers)") == "45"
    set_number(page, "Start w", 2)
    wait_idle(page)

    open_from_sidebar(page, "Overfitting and early stopping")
    set_number(page, "Epochs", 10)
    pick(page, "L2 penalty")
    train_and_wait(page)

    open_from_sidebar(page, "Stock price regression")
    set_slider(page, "Window: the last N prices", 7)
    set_number(page, "Epochs", 2)
    train_and_wait(page)

    open_from_sidebar(page, "Image classification")
    set_slider(page, "Hidden units", 36)
    set_number(page, "Epochs", 1)
    train_and_wait(page)

    open_from_sidebar(page, "Train word2vec")
    pick(page, "Wikipedia head 500")  # the data choice, outside the form
    wait_idle(page)
    set_slider(page, "Epochs", 1)
    train_and_wait(page)

    open_from_sidebar(page, "Project word vectors")  # the vectors just trained
    pick(page, "3D")
    set_number(page, "Words to show (the most frequent)", 200)
    page.get_by_role("button", name=re.compile("Project$")).click()
    wait_idle(page)
    assert_no_exception(page)

    open_from_sidebar(page, "Train a text classifier")
    pick(page, "Upload a file")
    wait_idle(page)
    page.locator('input[type="file"]').first.set_input_files(str(csv))
    page.get_by_text("16 labelled texts").first.wait_for(timeout=60_000)
    wait_idle(page)
    set_slider(page, "Test share", 0.4)
    wait_idle(page)
    assert_no_exception(page)


def come_back(page, title: str) -> None:
    """Open ``title`` from the sidebar, check it drew without error, and keep a screenshot."""
    open_from_sidebar(page, title)
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W+", "_", title.lower()).strip("_")
    page.screenshot(path=str(SHOTS / f"kept_{name}.png"))


def check_training_pages(page, csv_name: str) -> None:
    """Come back to each training page through the sidebar and find its settings as left."""
    come_back(page, "Playground")
    assert number_value(page, "Epochs") == 2
    assert number_value(page, "Batch size") == 16
    assert (
        "2 of 2 epochs" in page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    )

    come_back(page, "Gradient descent")
    assert slider_text(page, "Steps N (loop and optimizers)") == "45"
    assert number_value(page, "Start w") == 2

    come_back(page, "Overfitting and early stopping")
    assert number_value(page, "Epochs") == 10
    assert is_picked(page, "L2 penalty") and not is_picked(page, "Early stopping")

    come_back(page, "Stock price regression")
    assert slider_text(page, "Window: the last N prices") == "7"
    assert number_value(page, "Epochs") == 2
    assert page.get_by_text("the settings above have changed").count() == 0

    come_back(page, "Image classification")
    assert slider_text(page, "Hidden units") == "36"
    assert number_value(page, "Epochs") == 1
    assert page.get_by_text("the settings above have changed").count() == 0

    come_back(page, "Train word2vec")
    assert is_picked(page, "Wikipedia head 500") and not is_picked(page, "Lee background")
    assert slider_text(page, "Epochs") == "1"
    # The run's results still belong to the settings shown, so they are not marked as older.
    assert page.get_by_text("the settings above have changed since").count() == 0

    come_back(page, "Project word vectors")
    assert is_picked(page, "3D") and not is_picked(page, "2D")
    assert number_value(page, "Words to show (the most frequent)") == 200

    come_back(page, "Train a text classifier")
    assert is_picked(page, "Upload a file") and not is_picked(page, "YouTube")
    note = page.locator('[data-testid="stAlertContentInfo"]').filter(has_text="uploaded earlier")
    assert csv_name in note.first.inner_text()
    page.get_by_text("16 labelled texts").first.wait_for(timeout=30_000)
    assert float(slider_text(page, "Test share")) == 0.4
    assert page.get_by_role("button", name="Forget this file").is_visible()


def test_every_training_page_keeps_its_settings_across_navigation(app_url, page, tmp_path):
    page.goto(f"{app_url}/activations")
    page.get_by_role("heading", name=ELSEWHERE, level=1).wait_for(timeout=60_000)
    wait_idle(page)
    csv = labelled_csv(tmp_path / "my_messages.csv")
    change_training_pages(page, csv)
    open_from_sidebar(page, ELSEWHERE)
    check_training_pages(page, csv.name)


def test_text_to_numbers_follows_your_own_lines(app_url, page):
    page.goto(f"{app_url}/text_to_numbers")
    page.get_by_role("heading", name="Text → numbers", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    lines = page.get_by_label("One document per line", exact=True)
    lines.fill("dogs bark at the postman\ncats purr on the warm sofa\nbirds sing at dawn")
    lines.blur()
    wait_idle(page)

    picker = page.get_by_role("combobox", name="Document to take apart")
    query = page.get_by_label("Query text", exact=True)
    assert picker.input_value() == "doc 0: dogs bark at the postman"
    assert query.input_value() == "dogs bark at the postman"

    picker.click()
    page.get_by_role("option", name="doc 1: cats purr on the warm sofa").click()
    wait_idle(page)
    assert picker.input_value() == "doc 1: cats purr on the warm sofa"
    assert query.input_value() == "cats purr on the warm sofa"
    # The query's best match is the document it came from.
    best = page.get_by_text(re.compile(r"^1\.000 · doc 1: cats purr"))
    best.first.wait_for(timeout=30_000)
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    query.scroll_into_view_if_needed()  # the app scrolls inside its own container
    page.screenshot(path=str(SHOTS / "text_to_numbers_follows.png"))
