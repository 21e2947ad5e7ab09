"""The real app in headless Chromium: every page of the navigation, and bad uploads.

Screenshots land in tests/artifacts/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import pytest

from tests.app_pages import PAGES
from tests.hostile_files import hostile_files, hostile_vector_files, utf16_corpus
from tests.streamlit_server import CHROMIUM, running_app, wait_idle

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

SHOTS = Path(__file__).parent / "artifacts" / "screenshots"


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


def test_a_comparison_shows_its_progress_and_stops_on_request(app_url, page):
    # Overfitting's four variants train one after the other; Stop ends the comparison there.
    page.goto(f"{app_url}/overfitting")
    page.get_by_role("heading", name="Overfitting and early stopping", level=1).wait_for(
        timeout=60_000
    )
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Compare the four")).click()
    # 4 variants × 150 epochs: progress counts over all of them
    page.get_by_text(re.compile(r"Epoch [1-9]\d* of 600")).first.wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "overfitting_comparing.png"))
    page.get_by_role("button", name=re.compile("Stop training")).click()
    stopped = page.locator('[data-testid="stAlertContentWarning"]').filter(
        has_text="before the comparison was complete"
    )
    stopped.first.wait_for(timeout=60_000)
    wait_idle(page)
    # The variants not begun are listed with no epochs, never as complete.
    assert "Dropout: 0 of 150 epochs" in stopped.first.inner_text()
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "overfitting_compare_stopped.png"))


# ---------------------------------------------------------------- embeddings and classifier


def set_slider(page, label: str, value: float) -> None:
    """Move a slider with the keyboard until it shows ``value`` (inside a form: no rerun)."""
    thumb = page.locator(f'input[type="range"][aria-label="{label}"]')
    thumb.focus()
    for _ in range(500):
        current = float(thumb.get_attribute("value"))
        if abs(current - value) < 1e-9:
            break
        page.keyboard.press("ArrowRight" if current < value else "ArrowLeft")
    assert float(thumb.get_attribute("value")) == value, label
    thumb.blur()


def open_from_sidebar(page, title: str) -> None:
    """Follow a sidebar link: the session, and its vectors and classifier, come along."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    wait_idle(page)


def test_word2vec_stops_on_request_and_keeps_the_vectors(app_url, page):
    page.goto(f"{app_url}/word2vec_train")
    page.get_by_role("heading", name="Train word2vec", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    set_slider(page, "Epochs", 60)
    set_slider(page, "Vector size", 50)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    page.get_by_text(re.compile(r"Epoch [1-9]\d* of 60")).first.wait_for(timeout=120_000)
    page.get_by_role("button", name=re.compile("Stop training")).click()

    stopped = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Stopped")
    stopped.first.wait_for(timeout=60_000)
    wait_idle(page)
    assert "of 60 epochs" in stopped.first.inner_text()
    assert "60 of 60" not in stopped.first.inner_text()
    assert (
        page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete").count()
        == 0
    )
    saved = page.get_by_text("Saved in this session as")
    assert "(stopped at epoch" in saved.inner_text()
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "word2vec_stopped.png"))

    # The stopped model is in the session: the explore page offers it, with 50 dimensions.
    open_from_sidebar(page, "Explore word vectors")
    chosen = page.get_by_role("combobox", name="Word vectors").input_value()
    assert "d50" in chosen and "(stopped at epoch" in chosen
    page.get_by_text(re.compile(r"words × 50 dimensions")).first.wait_for(timeout=30_000)
    assert_no_exception(page)


def test_classifier_trains_compares_and_hands_its_model_on(app_url, page):
    page.goto(f"{app_url}/classifier_train")
    page.get_by_role("heading", name="Train a text classifier", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    units = page.get_by_label("Units", exact=True).first  # layer 1
    units.fill("8")
    units.blur()
    set_number(page, "Epochs (at most)", 3)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    page.get_by_role("tab", name="ML versus DL").wait_for(timeout=240_000)
    wait_idle(page)

    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Complete")
    assert "3 of 3 epochs" in done.first.inner_text()
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert {"Accuracy", "Precision", "Recall", "F1", "MCC", "ROC-AUC", "PR-AUC"} <= {
        label.strip() for label in labels
    }
    for value in page.locator('[data-testid="stMetricValue"]').all_inner_texts():
        assert 0.0 <= float(value) <= 1.0 or value.strip() == "–"
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "classifier_trained.png"))

    page.get_by_role("tab", name="ML versus DL").click()
    verdict = page.get_by_text(re.compile(r"^On MCC, .*(wins|tie)"))
    verdict.first.wait_for(timeout=30_000)
    for model in ("MultinomialNB", "LogisticRegression", "LinearSVC"):
        assert page.get_by_text(model).count() > 0, model
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / "classifier_versus.png"))

    # The trained network is this session's classifier on the next page.
    open_from_sidebar(page, "Try your own text")
    page.get_by_role("heading", name=re.compile(r"^Predicted: ")).wait_for(timeout=60_000)
    assert_no_exception(page)


def wait_for_error(page, message: str) -> None:
    """Wait until the one error on the page is this file's (an earlier one may linger)."""
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text=message)
    error.first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 1, message
    assert_no_exception(page)


def test_hostile_model_bundles_are_refused_and_a_good_one_loads(app_url, page, tmp_path):
    from tests.hostile_files import bundle_zip, hostile_bundles, tiny_bundle_parts

    bundles = hostile_bundles(include_keras=True)
    page.goto(f"{app_url}/classifier_bundles")
    page.get_by_role("heading", name="Save and load models", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    upload(page, tmp_path, "lambda_layer.keras", bundles["lambda_layer.keras"])
    wait_for_error(page, "Keras .keras archive")
    upload(page, tmp_path, "zip_bomb.zip", bundles["zip_bomb.zip"])
    wait_for_error(page, "zip bomb")
    assert "1,024 MB" in page.locator('[data-testid="stAlertContentError"]').inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bundle_refused.png"))

    # The page still works: a valid hand-made bundle loads and becomes the classifier.
    upload(page, tmp_path, "tiny.zip", bundle_zip(*tiny_bundle_parts()))
    loaded = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Loaded")
    loaded.first.wait_for(timeout=60_000)
    assert "ham · spam" in loaded.first.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.get_by_role("button", name=re.compile("Download the bundle")).wait_for(timeout=30_000)
    assert_no_exception(page)


def test_try_page_scores_a_labelled_file_and_downloads_escaped_predictions(app_url, page, tmp_path):
    import csv
    import io

    from tests.hostile_files import bundle_zip, tiny_bundle_parts

    page.goto(f"{app_url}/classifier_bundles")
    page.get_by_role("heading", name="Save and load models", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    upload(page, tmp_path, "tiny.zip", bundle_zip(*tiny_bundle_parts()))
    page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Loaded").first.wait_for(
        timeout=60_000
    )
    open_from_sidebar(page, "Try your own text")
    page.get_by_text("Score a file", exact=True).first.click()  # the mode control
    wait_idle(page)
    rows = [("spam", f"buy cheap now {i}") for i in range(6)]
    rows += [("ham", f"hello song {i}") for i in range(6)] + [("ham", "=cmd hello")]
    data = "".join(f"__label__{label} {text}\n" for label, text in rows).encode()
    upload(page, tmp_path, "labelled.txt", data)
    page.get_by_role("heading", name="Predictions for 13 texts").wait_for(timeout=60_000)
    wait_idle(page)
    labels = {t.strip() for t in page.locator('[data-testid="stMetricLabel"]').all_inner_texts()}
    assert {"Accuracy", "MCC", "ROC-AUC", "PR-AUC"} <= labels
    page.get_by_role("tab", name="Confusion matrix").click()
    assert page.locator(".js-plotly-plot").count() >= 1
    assert_no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "score_a_file.png"))
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name=re.compile("Download predictions")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == ["text", "predicted", "p(ham)", "p(spam)", "true label"]
    assert [r["true label"] for r in table] == [label for label, _ in rows]
    assert table[-1]["text"] == "'=cmd hello"  # escaped as every export is
    assert table[0]["predicted"] == "spam" and table[6]["predicted"] == "ham"


def test_hostile_vector_files_are_refused_and_a_good_one_loads(app_url, page, tmp_path):
    files = hostile_vector_files()
    page.goto(f"{app_url}/word_vectors_io")
    page.get_by_role("heading", name="Import and export vectors", level=1).wait_for(timeout=60_000)
    wait_idle(page)
    for name in ("vectors.bin", "ragged.txt"):
        data, message = files[name]
        upload(page, tmp_path, name, data)
        wait_for_error(page, message)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "vectors_refused.png"))

    good = "3 4\nking 0.5 0.1 0.2 0.3\nqueen 0.5 0.1 0.2 0.4\napple -0.3 0.9 0.1 0.0\n"
    upload(page, tmp_path, "good.txt", good.encode())
    loaded = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Loaded")
    loaded.first.wait_for(timeout=60_000)
    assert "3 words × 4 dimensions" in loaded.first.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert_no_exception(page)
