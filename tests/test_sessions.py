"""Several people on one server, training cut short, and hostile files on every upload box.

Each browser context is one person: its own cookies, its own websocket, its own Streamlit
session. Within a context the tests move between pages through the sidebar only, because
loading a URL afresh starts a new session (and would make isolation trivially true).
"""

import csv
import io
import re
from pathlib import Path

import pytest

from tests.hostile_files import (
    bundle_zip,
    hostile_bundles,
    hostile_files,
    hostile_vector_files,
    tiny_bundle_parts,
    utf16_corpus,
)
from tests.streamlit_server import (
    CHROMIUM,
    IDLE_JS,
    wait_idle,
)

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: scripts/test.sh installs it", allow_module_level=True)

from tests.test_browser import (  # noqa: E402  (after the skips: it needs Chromium too)
    assert_no_exception,
    open_from_sidebar,
    set_number,
    set_slider,
)

ERROR = '[data-testid="stAlertContentError"]'
WARNING = '[data-testid="stAlertContentWarning"]'
SUCCESS = '[data-testid="stAlertContentSuccess"]'
GOOD_VECTORS = b"3 4\nking 0.5 0.1 0.2 0.3\nqueen 0.5 0.1 0.2 0.4\napple -0.3 0.9 0.1 0.0\n"


@pytest.fixture
def new_page(browser):
    """Opens tabs in contexts of their own (one per person); closes them all afterwards."""
    contexts = []

    def open_tab():
        context = browser.new_context(viewport={"width": 1400, "height": 2000})
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def open_app(page, app_url: str, path: str, title: str) -> None:
    """Start this person's session on a page (the only URL load of the session)."""
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
    wait_idle(page)


def upload(page, folder: Path, name: str, data: bytes) -> None:
    """Put a file in the page's (only) upload box and wait until the browser has sent it.

    The caller then waits for what the page says about this file: a fixed pause per file
    would cost more than the whole check.
    """
    path = folder / name
    path.write_bytes(data)
    page.locator('input[type="file"]').first.set_input_files(str(path))
    page.locator('[data-testid="stFileChipName"]').filter(has_text=name).first.wait_for(
        timeout=60_000
    )


def wait_settled(page) -> None:
    """Until the script run in progress has finished (no running icon, no skeletons)."""
    page.wait_for_function(IDLE_JS, timeout=90_000)


def alert_texts(page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def runs_csv(page) -> list[dict]:
    """The Runs page's CSV download, parsed: what this session's runs really are."""
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name=re.compile("Runs as CSV")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_good_vectors(page, folder: Path) -> str:
    """Load a three-word vector file on the import page; returns its name in the session."""
    upload(page, folder, "good_vectors.txt", GOOD_VECTORS)
    loaded = page.locator(SUCCESS).filter(has_text="Loaded")
    loaded.first.wait_for(timeout=60_000)
    text = loaded.first.inner_text()
    assert "3 words × 4 dimensions" in text
    return re.search(r" as (.+?) · ", text).group(1)


def assert_vectors_kept(page, name: str) -> None:
    """The session's vector set ``name`` is still offered on the explore page."""
    open_from_sidebar(page, "Explore word vectors")
    assert page.get_by_role("combobox", name="Word vectors").input_value() == name
    page.get_by_text("3 words × 4 dimensions").first.wait_for(timeout=30_000)
    assert_no_exception(page)


# ---------------------------------------------------------------- isolation (two people)

MARKER_A = "zorblaxian"
MARKER_B = "quintessor"


def marked_corpus(marker: str, lines: int = 120) -> bytes:
    """A corpus whose every line carries ``marker``, so word2vec keeps it (min_count 5)."""
    rows = [
        f"{marker} line {i} the cat sat on the mat near the {marker} tree" for i in range(lines)
    ]
    return ("\n".join(rows) + "\n").encode()


def choose_upload_source(page) -> None:
    page.get_by_text("Upload a file", exact=True).click()
    wait_idle(page)


def test_two_people_never_see_each_others_uploads_runs_or_vectors(app_url, new_page, tmp_path):
    alice, bob = new_page(), new_page()
    open_app(alice, app_url, "word2vec_train", "Train word2vec")
    open_app(bob, app_url, "", "Deep Text Lab")

    # Alice trains word2vec on her own file, and reads it on Text -> numbers.
    choose_upload_source(alice)
    upload(alice, tmp_path, "alice.txt", marked_corpus(MARKER_A))
    alice.get_by_text("Read 120 documents").first.wait_for(timeout=30_000)
    set_slider(alice, "Epochs", 2)
    set_slider(alice, "Vector size", 20)
    alice.get_by_role("button", name=re.compile(r"Train$")).click()
    done = alice.locator(SUCCESS).filter(has_text="Complete")
    done.first.wait_for(timeout=120_000)
    wait_idle(alice)
    assert "2 of 2 epochs" in done.first.inner_text()
    alice.get_by_text("Saved in this session as").wait_for(timeout=30_000)
    open_from_sidebar(alice, "Text → numbers")
    choose_upload_source(alice)
    upload(alice, tmp_path, "alice.txt", marked_corpus(MARKER_A))
    alice.get_by_text(MARKER_A).first.wait_for(timeout=30_000)

    # Bob, on the same server at the same time, sees none of it.
    open_from_sidebar(bob, "Explore word vectors")
    bob.get_by_text("No word vectors in this session yet").wait_for(timeout=30_000)
    assert bob.get_by_role("combobox", name="Word vectors").count() == 0
    open_from_sidebar(bob, "Runs")
    bob.get_by_text("No runs yet").wait_for(timeout=30_000)
    open_from_sidebar(bob, "Train word2vec")
    choose_upload_source(bob)
    assert bob.locator('[data-testid="stFileChip"]').count() == 0
    assert bob.locator(SUCCESS).count() == 0
    open_from_sidebar(bob, "Text → numbers")
    choose_upload_source(bob)
    assert bob.locator('[data-testid="stFileChip"]').count() == 0
    assert MARKER_A not in bob.locator("body").inner_text()
    assert_no_exception(bob)

    # Bob's own file, with the same name, answers Bob only; Alice keeps hers.
    upload(bob, tmp_path, "alice.txt", marked_corpus(MARKER_B, lines=7))
    bob.get_by_text("Read 7 documents").first.wait_for(timeout=30_000)
    bob.get_by_text(MARKER_B).first.wait_for(timeout=30_000)
    assert MARKER_A not in bob.locator("body").inner_text()

    # Alice sends her file again under the same name, after Bob's: she gets her text back.
    upload(alice, tmp_path, "alice.txt", marked_corpus(MARKER_A))
    alice.get_by_text("Read 120 documents").first.wait_for(timeout=30_000)
    wait_idle(alice)
    assert MARKER_A in alice.locator("body").inner_text()
    assert MARKER_B not in alice.locator("body").inner_text()
    open_from_sidebar(alice, "Explore word vectors")
    assert "upload" in alice.get_by_role("combobox", name="Word vectors").input_value()
    open_from_sidebar(alice, "Runs")
    runs = runs_csv(alice)
    assert [(r["kind"], r["status"]) for r in runs] == [("word2vec", "complete")]
    assert_no_exception(alice)


# ---------------------------------------------------------------- interruptions


def test_leaving_the_page_mid_training_stops_the_run_and_the_app_goes_on(app_url, new_page):
    page = new_page()
    open_app(page, app_url, "playground", "Playground")
    set_number(page, "Epochs", 300)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    page.get_by_text(re.compile(r"Epoch [2-9]\d* of 300")).first.wait_for(timeout=120_000)

    # Away to another page while it trains: the run ends as stopped, never complete.
    open_from_sidebar(page, "Runs")
    (run,) = runs_csv(page)
    assert run["kind"] == "playground" and run["status"] == "stopped"
    assert 2 <= int(run["epochs"]) < 300
    assert_no_exception(page)

    open_from_sidebar(page, "Playground")
    stopped = page.locator(WARNING).filter(has_text="Stopped")
    stopped.first.wait_for(timeout=30_000)
    assert "of 300 epochs" in stopped.first.inner_text()
    assert page.locator(SUCCESS).filter(has_text="Complete").count() == 0

    # The app still trains: a short run completes and reports its test accuracy.
    set_number(page, "Epochs", 4)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    done = page.locator(SUCCESS).filter(has_text="Complete")
    done.first.wait_for(timeout=120_000)
    wait_idle(page)
    assert "4 of 4 epochs" in done.first.inner_text()
    page.get_by_text("Test accuracy").first.wait_for(timeout=30_000)
    open_from_sidebar(page, "Runs")
    assert [(r["status"], r["epochs"]) for r in runs_csv(page)] == [
        ("stopped", run["epochs"]),
        ("complete", "4"),
    ]
    assert_no_exception(page)


def test_changing_the_corpus_mid_training_stops_word2vec(app_url, new_page):
    page = new_page()
    open_app(page, app_url, "word2vec_train", "Train word2vec")
    set_slider(page, "Epochs", 80)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    page.get_by_text(re.compile(r"Epoch [1-9]\d* of 80")).first.wait_for(timeout=120_000)

    # A setting outside the form reruns the page at once, which interrupts the training run.
    page.get_by_text("Wikipedia head 500 (250 docs)", exact=True).click()
    stopped = page.locator(WARNING).filter(has_text="Stopped")
    stopped.first.wait_for(timeout=60_000)
    wait_idle(page)
    assert "of 80 epochs" in stopped.first.inner_text()
    assert "80 of 80" not in stopped.first.inner_text()
    assert page.locator(SUCCESS).filter(has_text="Complete").count() == 0
    open_from_sidebar(page, "Runs")
    (run,) = runs_csv(page)
    assert run["status"] == "stopped" and int(run["epochs"]) < 80
    assert_no_exception(page)


# ---------------------------------------------------------------- hostile uploads everywhere


def nasty_files() -> dict[str, bytes]:
    """Every kind of bad (or merely unusual) file, offered to every upload box."""
    files = dict(hostile_files())
    formula_rows = [
        '"=HYPERLINK(""http://example.invalid"",""click me"")",spam',
        "+cmd|' /C calc'!A0,spam",
        "-2+3 is five,ham",
        "@SUM(A1:A9) totals,ham",
    ] * 3
    files.update(
        {
            "nul_bytes.txt": b"first line\x00 with a NUL\nsecond line\n",
            "utf16.txt": utf16_corpus(),
            "formula.csv": ("text,label\n" + "\n".join(formula_rows) + "\n").encode(),
            "emoji_cjk.txt": "I love this song \U0001f600\n東京は大きい\n你好世界 and more\n".encode(),
            "pickle_vectors.bin": hostile_vector_files()["vectors.bin"][0],
        }
    )
    return files


@pytest.fixture(scope="module")
def all_nasty_files() -> dict[str, bytes]:
    """The files in the order they are tried: the dangerous ones first, so that they are the
    ones tried when several files draw the same verdict on a page."""
    bundles = hostile_bundles(include_keras=True)
    files = nasty_files()
    first = {
        "pickle_vectors.bin": files.pop("pickle_vectors.bin"),
        "zip_bomb.zip": bundles["zip_bomb.zip"],
        "lambda_layer.keras": bundles["lambda_layer.keras"],
        "nul_bytes.txt": files.pop("nul_bytes.txt"),
    }
    return {**first, **files}


def text_verdict(want: str):
    def verdict(name: str, data: bytes) -> str:
        from core.data.datasets import LabelledText
        from core.data.reading import parse_upload
        from core.errors import DataError

        try:
            data = parse_upload(name, data, want=want)
        except DataError as error:
            return error.message
        what = "labelled texts" if isinstance(data, LabelledText) else "documents"
        return SUCCESS_PREFIX + f"{len(data):,} {what} · format: {data.format}"

    return verdict


def vectors_verdict(name: str, data: bytes) -> str | None:
    from core.embeddings.vector_read import read_vectors
    from core.errors import DataError

    try:
        read_vectors(name, data)
    except DataError as error:
        return error.message
    return None


def bundle_verdict(name: str, data: bytes) -> str | None:
    from core.classifier.bundle import import_bundle
    from core.errors import DataError

    try:
        import_bundle(data, name)
    except DataError as error:
        return error.message
    return None


def open_datasets_upload(page) -> None:
    page.get_by_text("Your file", exact=True).click()
    page.get_by_text("Check your own file").wait_for(timeout=30_000)
    wait_idle(page)


SUCCESS_PREFIX = "read: "
# page title, how to reach its upload box, and what core says about a file: its error message,
# or SUCCESS_PREFIX and the summary the page shows of what it read
UPLOAD_BOXES = {
    "word_vectors_io": ("Import and export vectors", None, vectors_verdict),
    "classifier_bundles": ("Save and load models", None, bundle_verdict),
    "datasets": ("Datasets: X → Y", open_datasets_upload, text_verdict("any")),
    "text_to_numbers": ("Text → numbers", choose_upload_source, text_verdict("corpus")),
    "word2vec_train": ("Train word2vec", choose_upload_source, text_verdict("any")),
    "classifier_train": ("Train a text classifier", choose_upload_source, text_verdict("labelled")),
}
# What the page adds to a refused file's error when the session already holds a result of its kind
KEPT_NOTES = {
    "word_vectors_io": "The vectors already in this session are unchanged",
    "classifier_bundles": "The classifier already in this session is unchanged",
}


def distinct_verdicts(files: dict[str, bytes], verdict) -> list[tuple[str, bytes, str]]:
    """(name, bytes, core's verdict) for the files read, and for the refused files that draw
    an error no earlier file drew.

    A page handles two files refused for the same reason (say, "X is not a bundle", quoted words
    and numbers aside) identically, so the browser tries one of each: the pages and their error
    paths are what is under test here; core's tests hold every file against the parsers.
    """
    seen, chosen = set(), []
    for name, data in files.items():
        message = verdict(name, data)
        # Quoted words and numbers vary with the file, not with the check that refused it.
        template = re.sub(r"'[^']*'|\d[\d,.]*", "#", message.replace(name, "{name}"))
        # A file that is read is always tried: what it shows depends on its content.
        if template not in seen or message.startswith(SUCCESS_PREFIX):
            seen.add(template)
            chosen.append((name, data, message))
    return chosen


def expect_verdict(page, name: str, message: str | None) -> None:
    """The page shows core's own verdict on the file: its error, or what it read."""
    if message is None:
        raise AssertionError(f"{name}: this page would load it, which no test file should do")
    if message.startswith(SUCCESS_PREFIX):
        summary = message.removeprefix(SUCCESS_PREFIX)
        page.locator(SUCCESS).filter(has_text=summary).first.wait_for(timeout=90_000)
        wait_settled(page)
        assert page.locator(ERROR).count() == 0, (name, alert_texts(page, ERROR))
    else:
        shown = " ".join(message.split())[:60]
        page.locator(ERROR).filter(has_text=shown).first.wait_for(timeout=90_000)
        wait_settled(page)
        errors = alert_texts(page, ERROR)
        assert len(errors) == 1, (name, errors)
        assert " ".join(message.split()) in " ".join(errors[0].split()), (name, errors, message)
    assert_no_exception(page)


def test_hostile_files_on_every_upload_box_never_cost_the_session_its_results(
    app_url, new_page, tmp_path, all_nasty_files
):
    # One person's session takes every box in turn, so the results gained at the start (word
    # vectors, a classifier) must survive every bad file of every page.
    page = new_page()
    open_app(page, app_url, "word_vectors_io", "Import and export vectors")
    vectors = load_good_vectors(page, tmp_path)
    for box, (title, reach, verdict) in UPLOAD_BOXES.items():
        if box != "word_vectors_io":
            open_from_sidebar(page, title)
        if box == "classifier_bundles":
            upload(page, tmp_path, "tiny.zip", bundle_zip(*tiny_bundle_parts()))
            page.locator(SUCCESS).filter(has_text="Loaded").first.wait_for(timeout=60_000)
        if reach is not None:
            reach(page)
        unchanged = KEPT_NOTES.get(box)
        for name, data, message in distinct_verdicts(all_nasty_files, verdict):
            upload(page, tmp_path, name, data)
            expect_verdict(page, f"{box}: {name}", message)
            if unchanged:
                # in the error's own alert, so it can never lag behind it
                assert unchanged in " ".join(alert_texts(page, ERROR)), (box, name)

    open_from_sidebar(page, "Try your own text")
    page.get_by_role("heading", name=re.compile(r"^Predicted: ")).wait_for(timeout=60_000)
    assert_vectors_kept(page, vectors)
