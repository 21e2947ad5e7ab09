"""Every page through the real navigation of app.py, with streamlit.testing.v1.AppTest."""

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_pages import PAGES, open_page
from tests.conftest import ROOT


@pytest.mark.parametrize("path,title", PAGES.items())
def test_every_page_renders_without_exception(path, title):
    at = open_page(path)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title


def test_app_lists_every_page_file():
    listed = (ROOT / "app.py").read_text()
    for page in (ROOT / "pages").glob("*.py"):
        assert f'"pages/{page.name}"' in listed, page.name
    assert set(PAGES) == {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}


def test_home_shows_the_three_examples_with_links():
    at = open_page("pages/home.py")
    text = " ".join(m.value for m in at.markdown)
    for example in ("Spam detection", "Stock price prediction", "Image classification"):
        assert example in text
    assert "mean squared error" in text


def test_text_page_reproduces_the_talk():
    at = open_page("pages/text_to_numbers.py")
    example1 = at.dataframe[0].value
    assert example1.to_numpy().tolist() == [
        [1, 1, 1, 0, 0, 0, 0],
        [1, 0, 1, 1, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 1],
    ]
    example2 = at.dataframe[1].value
    assert example2.to_numpy().tolist() == [[0, 0, 1, 1, 0, 1, 1, 1]]
    at.segmented_control(key="example2_weighting").set_value("count").run()
    assert at.dataframe[1].value["the"].tolist() == [2]
    assert any("*the* = 2" in c.value for c in at.caption)


def test_text_page_weighting_switch_and_empty_vocabulary():
    at = open_page("pages/text_to_numbers.py")
    at.segmented_control(key="weighting").set_value("tfidf").run()
    assert not at.exception
    at.text_area(key="pasted").set_value("the and of\nis it was").run()
    at.checkbox[1].check()
    at.button[0].click().run()  # the form's Apply button
    assert not at.exception
    assert any("No terms were left" in e.value for e in at.error)


def test_text_page_embedded_corpus_shows_top_terms_only():
    at = open_page("pages/text_to_numbers.py")
    at.radio(key="source").set_value("Embedded corpus").run()
    assert not at.exception
    assert any("heaviest" in c.value for c in at.caption)


@pytest.mark.parametrize("dataset", ["spam", "stocks", "digits", "corpora", "upload"])
def test_datasets_page_views(dataset):
    at = open_page("pages/datasets.py")
    at.segmented_control(key="dataset_choice").set_value(dataset).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["dataset"] in (dataset, [dataset])


def test_datasets_page_bad_query_parameter_falls_back():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.query_params["dataset"] = "<script>"
    at.switch_page("pages/datasets.py").run()
    assert not at.exception
    assert any("Unknown dataset" in w.value for w in at.warning)


def test_home_page_imports_no_tensorflow_or_gensim():
    # A fresh interpreter, so modules imported by other tests do not count.
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}).run();"
        "assert not at.exception;"
        "heavy = [m for m in ('tensorflow', 'keras', 'gensim', 'torch', 'jax') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_core_never_imports_streamlit():
    for path in (ROOT / "core").rglob("*.py"):
        source = path.read_text()
        assert "import streamlit" not in source and "from streamlit" not in source, path


def test_text_page_query_finds_the_closest_document():
    at = open_page("pages/text_to_numbers.py")
    at.text_input(key="query").set_value("orange grape").run()
    hits = [m.value for m in at.markdown if m.value.startswith("**") and " · doc " in m.value]
    assert hits and "Orange, apple, grape" in hits[0]


def test_the_count_of_live_trainings_goes_back_down_when_a_run_is_interrupted():
    from pages.ui.live_jobs import LIVE_TRAININGS

    before = LIVE_TRAININGS.count
    with pytest.raises(KeyboardInterrupt), LIVE_TRAININGS:
        assert LIVE_TRAININGS.count == before + 1
        raise KeyboardInterrupt  # what stopping a script looks like from inside it
    assert LIVE_TRAININGS.count == before


def test_a_page_run_leaves_keras_state_alone_for_the_trainings_of_other_sessions():
    # Streamlit clears Keras's global state after each script run; app.py turns that off, or
    # one person's page would reset the dtype policy or distribution under another's training.
    from keras.src.backend.common import global_state

    at = open_page("pages/home.py")
    global_state.set_global_attribute("deep_text_lab_probe", "kept")
    try:
        at.switch_page("pages/perceptron.py").run()
        assert not at.exception
        assert global_state.get_global_attribute("deep_text_lab_probe") == "kept"
    finally:
        global_state.set_global_attribute("deep_text_lab_probe", None)


def test_streamlit_clean_up_clears_keras_and_ours_keeps_it():
    # The page test above means something only because Streamlit's own clean-up clears Keras.
    from keras.src.backend.common import global_state
    from streamlit.runtime.scriptrunner import script_runner

    from pages.ui import patches

    assert patches.keep_keras_state_between_runs()
    try:
        global_state.set_global_attribute("deep_text_lab_probe", "set")
        script_runner._clean_problem_modules()  # what runs after every script run now
        assert global_state.get_global_attribute("deep_text_lab_probe") == "set"
        patches.STREAMLIT_CLEAN_UP()  # what Streamlit would have run
        assert global_state.get_global_attribute("deep_text_lab_probe") is None
    finally:
        global_state.set_global_attribute("deep_text_lab_probe", None)
