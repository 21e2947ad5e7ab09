"""Every code block a page shows runs on its own, in a fresh namespace, as a reader would run it.

Each page is opened through app.py's navigation with AppTest (with its default settings, and
the training pages once more with changed settings in their link), every ``st.code`` block on it
is collected, and each one is executed in an empty namespace: a snippet that uses a name it
does not define, or calls ``core`` wrongly, fails here.
"""

import re
from dataclasses import dataclass, field

import pytest
from streamlit.testing.v1 import AppTest

from core.classifier.bundle_export import export_bundle
from core.classifier.snippets import BUNDLE_FILE, data_values
from core.classifier.splits import share_split_description, split_by_group, stratified_split
from core.data.datasets import YOUTUBE_VIDEOS, youtube_spam
from core.data.snippets import import_lines, script, settings_call
from core.embeddings.snippets import evaluation_code, vector_set_code
from core.embeddings.vector_write import to_word2vec_text
from core.embeddings.word2vec import Word2VecSettings, corpus_sentences, train_vector_set
from core.nn.tape_loop import AS_WRITTEN, NO_GRADIENTS
from pages.ui.stores import CLASSIFIER_KEY
from tests.app_pages import PAGES
from tests.conftest import ROOT

SHOW_THE_CODE = "Show the code"
# The home page is the talk's map and Runs lists this session's runs: nothing there to script.
WITHOUT_SNIPPETS = {"pages/home.py", "pages/runs.py"}
QUICK_EPOCHS = 2


@dataclass(frozen=True)
class Scenario:
    """A page as a visitor finds it: ``params`` in its link, the session's ``state``
    (``vectors``, ``classifier`` or ``bundle``), and text each snippet must then contain."""

    path: str
    params: dict = field(default_factory=dict)
    state: str = ""
    expect: tuple[str, ...] = ()
    cap_epochs: bool = False  # the defaults train too long for a test: run with fewer epochs

    @property
    def name(self) -> str:
        page = self.path.removeprefix("pages/").removesuffix(".py")
        extra = [f"{k}={v}" for k, v in self.params.items()] + ([self.state] if self.state else [])
        return page + (f"[{','.join(extra)}]" if extra else "")


DEFAULTS = [Scenario(path) for path in PAGES if path not in WITHOUT_SNIPPETS]
VECTOR_PAGES = [
    "pages/word_vectors_explore.py",
    "pages/word_vectors_evaluate.py",
    "pages/word_vectors_projection.py",
    "pages/word_vectors_io.py",
]
CHANGED = [
    Scenario("pages/datasets.py", {"dataset": "stocks"}, expect=("stocks()",)),
    Scenario("pages/datasets.py", {"dataset": "digits"}, expect=("digits()",)),
    Scenario("pages/datasets.py", {"dataset": "corpora"}, expect=("pang_lee_polarity()",)),
    Scenario("pages/datasets.py", {"dataset": "upload"}, expect=("parse_upload(",)),
    Scenario(
        "pages/playground.py",
        {"dataset": "moons", "layers": 1, "units_1": 4, "epochs": 3},
        expect=("make_moons(", "Dense(4,", "epochs=3"),
    ),
    Scenario("pages/gradient_descent.py", {"lr": 0.3, "steps": 5}, expect=("range(5)", "0.3")),
    Scenario(
        "pages/overfitting.py",
        {"variant": "dropout", "epochs": 20},
        expect=("Dropout(0.2)", "epochs=20"),
    ),
    Scenario(
        "pages/stock_regression.py",
        {"target": "change", "layers": 2, "units": 4, "epochs": 5},
        expect=("Dense(4,", "epochs=5", "the change from the last price"),
    ),
    Scenario("pages/digits.py", {"units": 8, "epochs": 3}, expect=("Dense(8,", "epochs=3")),
    Scenario(
        "pages/word2vec_train.py",
        {"corpus": "head500", "sg": 0, "epochs": 2},
        expect=("stream_corpus('head500')", "sg=0", "epochs=2"),
    ),
    Scenario(
        "pages/classifier_train.py",
        {"units_1": 8, "epochs": QUICK_EPOCHS},
        expect=("Dense(8,", f"epochs={QUICK_EPOCHS}"),
    ),
    Scenario(
        "pages/classifier_train.py",
        {"data": "pang_lee", "features": "embedding", "epochs": QUICK_EPOCHS},
        expect=("pang_lee_polarity()", "keras.layers.Embedding("),
    ),
    Scenario(
        "pages/sequence_models.py",
        {"model": "lstm", "bidirectional": True, "length": 20, "epochs": QUICK_EPOCHS},
        expect=("keras.layers.Bidirectional(keras.layers.LSTM(32))", "shape=(20,)"),
    ),
    Scenario(
        "pages/sequence_models.py",
        {"model": "cnn", "kernels": "3", "dense": 0, "epochs": QUICK_EPOCHS},
        expect=("keras.layers.Conv1D(32, 3,", "keras.Sequential(["),
    ),
    *(Scenario(path, state="vectors") for path in VECTOR_PAGES),
    Scenario("pages/classifier_try.py", state="classifier", expect=("train_classifier(",)),
    Scenario("pages/classifier_bundles.py", state="classifier", expect=("train_classifier(",)),
    Scenario("pages/classifier_bundles.py", state="bundle", expect=("'model.zip'",)),
]
# The defaults of these pages train for too long for a test: their snippets run 2 epochs.
CAPPED = {"pages/classifier_train.py", "pages/sequence_models.py"}
# Opened bare, these pages have nothing to work on yet and stop before their snippet; bare,
# the bundles page's snippet reads a saved bundle (test_a_bundle_snippet_without_a_classifier…).
WITH_STATE_ONLY = {"pages/classifier_try.py", "pages/classifier_bundles.py"} | (
    set(VECTOR_PAGES) - {"pages/word_vectors_io.py"}
)
DEFAULTS = [
    Scenario(s.path, cap_epochs=s.path in CAPPED) for s in DEFAULTS if s.path not in WITH_STATE_ONLY
]


def open_page_with(path: str, params: dict) -> AppTest:
    """``path`` through app.py's navigation, its link holding ``params``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    for key, value in params.items():
        at.query_params[key] = str(value)
    if path != "pages/home.py":
        at.switch_page(path).run()
    return at


def shown_snippets(at: AppTest) -> list[str]:
    """The code in the page's "Show the code" expanders."""
    return [c.value for e in at.expander if e.label == SHOW_THE_CODE for c in e.code]


def run_snippet(code: str, where: str) -> dict:
    """``code`` executed in a namespace of its own; returns what it defined."""
    namespace: dict = {"__name__": "__snippet__"}
    exec(compile(code, where, "exec"), namespace)  # noqa: S102 - the app's own snippets
    return namespace


def with_epochs(code: str, epochs: int) -> str:
    """``code`` with every ``epochs=N`` made ``epochs=epochs``; it must have one at least."""
    changed, count = re.subn(r"\bepochs=\d+", f"epochs={epochs}", code)
    assert count, "no epochs= to lower in this snippet"
    return changed


@pytest.fixture(scope="module")
def quick_vectors():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


@pytest.fixture(scope="module")
def trained_on_page():
    """A classifier trained on the Train page with small settings, as a visitor would."""
    at = open_page_with("pages/classifier_train.py", {"units_1": 8, "epochs": QUICK_EPOCHS})
    at.button[0].click()  # the form's Train button
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[CLASSIFIER_KEY]


def prepare(scenario: Scenario, request, monkeypatch, tmp_path) -> AppTest:
    """The page of ``scenario`` opened with its session state in place."""
    monkeypatch.chdir(tmp_path)  # where a snippet finds the files it names
    at = open_page_with(scenario.path, scenario.params)
    if scenario.state == "vectors":
        vs = request.getfixturevalue("quick_vectors")
        at.session_state["word_vectors"] = {vs.name: vs}
        at.session_state["word_vectors_current"] = vs.name
        at.run()
    elif scenario.state == "classifier":
        at.session_state[CLASSIFIER_KEY] = request.getfixturevalue("trained_on_page")
        at.run()
    elif scenario.state == "bundle":
        bundle = export_bundle(request.getfixturevalue("trained_on_page"))
        (tmp_path / "model.zip").write_bytes(bundle)
        at.file_uploader(key="bundle_upload").set_value(("model.zip", bundle, "application/zip"))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("scenario", DEFAULTS + CHANGED, ids=lambda s: s.name)
def test_every_snippet_on_the_page_runs_on_its_own(scenario, request, monkeypatch, tmp_path):
    at = prepare(scenario, request, monkeypatch, tmp_path)
    snippets = shown_snippets(at)
    assert snippets, f"{scenario.path} shows no code"
    for expected in scenario.expect:
        assert any(expected in code for code in snippets), expected
    # Every code block on the page, in an expander or not, runs as shown; the talk's loop as
    # the slide writes it is shown to fail, and must fail the way the page says.
    for index, block in enumerate(at.code):
        code = with_epochs(block.value, QUICK_EPOCHS) if scenario.cap_epochs else block.value
        if AS_WRITTEN in code:
            with pytest.raises(ValueError, match=NO_GRADIENTS):
                run_snippet(code, f"<{scenario.name} code {index}>")
            continue
        run_snippet(code, f"<{scenario.name} code {index}>")


def test_every_page_but_the_map_and_the_runs_shows_code():
    tested = {s.path for s in DEFAULTS + CHANGED}
    assert tested == set(PAGES) - WITHOUT_SNIPPETS


def test_the_classifier_snippet_follows_the_settings_on_screen():
    default = shown_snippets(open_page_with("pages/classifier_train.py", {}))
    assert len(default) == 1
    assert "keras.Sequential([" in default[0] and "keras.layers.Dense(64" in default[0]
    assert "split_by_group(youtube_spam(), 'Shakira')" in default[0]
    changed = shown_snippets(
        open_page_with("pages/classifier_train.py", {"layers": 0, "video": "Psy", "batch": 64})
    )[0]
    assert "Dense(64" not in changed and "'Psy'" in changed and "batch_size=64" in changed


def test_a_bundle_snippet_without_a_classifier_reads_the_downloaded_file(
    trained_on_page, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / BUNDLE_FILE).write_bytes(export_bundle(trained_on_page))
    at = open_page_with("pages/classifier_bundles.py", {})
    [code] = shown_snippets(at)
    assert f"open('{BUNDLE_FILE}', 'rb')" in code
    namespace = run_snippet(code, "<bundle snippet>")
    texts = ["subscribe to my channel", "great song"]
    assert namespace["trained"].predict(texts) == trained_on_page.predict(texts)


# ---------------------------------------------------------------- the pieces


def test_settings_are_written_with_their_changes_only():
    names: set = set()
    call = settings_call(Word2VecSettings(sg=0, epochs=3), names)
    assert call == "Word2VecSettings(sg=0, epochs=3)"
    assert import_lines(names) == "from core.embeddings.word2vec import Word2VecSettings"
    assert settings_call(Word2VecSettings()) == "Word2VecSettings()"
    assert script([("m", "b"), "import x", ("m", "a")], "y = 1", "") == (
        "import x\nfrom m import a, b\n\ny = 1\n"
    )


@pytest.mark.parametrize("video", YOUTUBE_VIDEOS)
def test_the_data_of_a_trained_classifier_is_told_from_its_split(video):
    split = split_by_group(youtube_spam(), video)
    values = data_values("YouTube Spam Collection", split.description)
    assert values == {"data": "youtube", "split": "one video", "video": video, "test_share": 0}


def test_a_random_split_is_told_by_its_share():
    split = stratified_split(youtube_spam(), 0.35, seed=0)
    assert split.description == share_split_description(0.35)
    values = data_values("Pang & Lee movie reviews (gensim)", split.description)
    assert values["data"] == "pang_lee" and values["test_share"] == 0.35
    assert data_values("Upload a file", "something else") is None


def test_vectors_trained_with_other_settings_are_trained_again_the_same_way(quick_vectors):
    settings = Word2VecSettings(vector_size=10, min_count=3, epochs=1, workers=1)
    sentences = corpus_sentences(["the cat sat on the mat", "the dog sat on the log"] * 3)
    small, _ = train_vector_set(sentences, "head500.noblanks", settings)
    imports, make = vector_set_code(small, "model_b")
    assert "gensim_corpus('head500.noblanks.cor')" in make
    assert "Word2VecSettings(vector_size=10, min_count=3, epochs=1, workers=1)" in make
    namespace = run_snippet(evaluation_code(quick_vectors, small, 10_000), "<evaluation>")
    assert namespace["model_b"].settings == small.settings
    assert len(namespace["model_a"]) == len(quick_vectors)


def test_loaded_vectors_are_read_from_their_file(quick_vectors, monkeypatch, tmp_path):
    from core.embeddings.vector_read import load_vectors

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.txt").write_bytes(to_word2vec_text(quick_vectors))
    loaded = load_vectors("mine.txt", (tmp_path / "mine.txt").read_bytes(), max_words=100)
    imports, make = vector_set_code(loaded)
    namespace = run_snippet(script(imports, make), "<loaded vectors>")
    assert namespace["vector_set"].top_words(100) == loaded.top_words(100)
    assert len(namespace["vector_set"]) == 100
