"""The classifier pages through app.py's navigation: train, try your own text, save and load."""

import numpy as np
import pytest

from core.classifier.baselines import BASELINES
from core.classifier.bundle_export import export_bundle
from core.classifier.splits import split_by_group
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam
from core.nn.networks import DenseLayer
from pages.ui.stores import CLASSIFIER_KEY
from tests.app_pages import open_page
from tests.conftest import ROOT
from tests.hostile_files import hostile_files


@pytest.fixture(scope="module")
def trained():
    split = split_by_group(youtube_spam(), "Shakira")
    return train_classifier(split, ClassifierSettings(hidden=(DenseLayer(8),), epochs=3, seed=1))


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_training_page_trains_then_compares_with_baselines():
    at = open_page("pages/classifier_train.py")
    assert not at.exception
    at.number_input(key="clf_units_1").set_value(8)
    at.number_input(key="clf_epochs").set_value(3)
    at.button[0].click()  # the form's Train button
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value or "Stopped" in s.value for s in [*at.success, *at.warning])
    labels = [m.label for m in at.metric]
    assert {"Accuracy", "MCC", "ROC-AUC", "PR-AUC"} <= set(labels)
    page = texts(at)
    # The verdict names a winner in words, whoever it is.
    assert "LinearSVC" in page and "MCC" in page
    # The versus table says what cross-validation chose for each baseline.
    versus = next(d.value for d in at.dataframe if "Chosen by CV" in d.value.columns)
    assert versus["Chosen by CV"]["LinearSVC"].startswith("C=")
    assert versus["Chosen by CV"]["ComplementNB"].startswith("alpha=")
    assert "(validation loss)" in versus["Chosen by CV"]["Keras network"]
    assert at.session_state[CLASSIFIER_KEY].label_names == ("not spam", "spam")
    # Moving the threshold re-cuts the results without retraining.
    before = [m.value for m in at.metric]
    at.slider(key="clf_threshold").set_value(0.9).run()
    assert not at.exception
    assert [m.value for m in at.metric] != before


def test_training_page_repeats_over_seeds_and_shows_mean_and_sd():
    at = open_page("pages/classifier_train.py")
    at.checkbox(key="clf_every_video").check().run()
    assert "each of the five videos" in texts(at)
    at.checkbox(key="clf_every_video").uncheck()
    at.number_input(key="clf_units_1").set_value(8)
    at.number_input(key="clf_epochs").set_value(2)
    at.number_input(key="clf_repeats").set_value(2)
    at.button[0].click()  # the form's Train button
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value and "2 runs" in s.value for s in at.success)
    page = texts(at)
    assert "Over 2 runs" in page and "95% interval" in page
    # The verdict names the best baseline of these runs, whichever it is.
    assert any(name in page for name in BASELINES), page
    shown = at.dataframe[0].value
    assert shown.index[0] == "Keras network" and list(shown.columns[:3]) == ["Kind", "Runs", "MCC"]
    assert "±" in shown.loc["Keras network", "MCC"] and shown.loc["LinearSVC", "Runs"] == 2
    assert len(at.dataframe[1].value) == 2 * len(shown)  # every run, every model


def test_impossible_split_on_an_upload_gets_a_message():
    at = open_page("pages/classifier_train.py")
    at.radio(key="clf_dataset").set_value("Upload a file").run()
    data = hostile_files()["one_class.csv"]
    at.file_uploader(key="clf_upload").set_value(("one.csv", data, "text/csv")).run()
    assert not at.exception
    assert at.error, "a one-class file must be explained"


def test_an_upload_lists_the_rows_it_could_not_read():
    lines = [f'{"spam" if i % 3 == 0 else "ham"}\t"Quoted {i}" and "unbalanced' for i in range(40)]
    lines[4] = "a line without a tab"
    lines[9] = "spam\t "
    data = "\n".join(lines).encode()
    at = open_page("pages/classifier_train.py")
    at.radio(key="clf_dataset").set_value("Upload a file").run()
    at.file_uploader(key="clf_upload").set_value(("SMSSpamCollection", data, "text/plain")).run()
    assert not at.exception and not at.error
    assert "38 labelled texts" in at.success[0].value
    assert any(
        "2 rows could not be read" in w.value and "lines 5 and 10" in w.value for w in at.warning
    )
    box = next(e for e in at.expander if e.label == "Rows left out (2)")
    listed = " ".join(m.value for m in box.markdown)
    assert "line 5: no tab between the label and the text" in listed
    assert "line 10: no text" in listed


def test_try_page_needs_a_model_then_explains_words(trained):
    at = open_page("pages/classifier_try.py")
    assert not at.exception
    assert "No classifier" in at.info[0].value
    at = open_page("pages/classifier_try.py")
    at.session_state[CLASSIFIER_KEY] = trained
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value.startswith("Predicted: spam")
    at.text_area(key="try_text").set_value("   ")
    at.button[0].click().run()
    assert not at.exception and at.error  # blank text is explained, not a traceback
    at.text_area(key="try_text").set_value("I love this song <b>so much</b>")
    at.radio(key="try_method").set_value("gradient")
    at.button[0].click().run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Predicted:")


def test_bundle_page_loads_a_bundle_and_refuses_a_keras_file(trained, tmp_path):
    at = open_page("pages/classifier_bundles.py")
    assert not at.exception
    bundle = export_bundle(trained)
    at.file_uploader(key="bundle_upload").set_value(("model.zip", bundle, "application/zip"))
    at.run()
    assert not at.exception
    assert "Loaded" in at.success[0].value
    loaded = at.session_state[CLASSIFIER_KEY]
    assert loaded.predict(["subscribe to my channel"]) == trained.predict(
        ["subscribe to my channel"]
    )
    at.file_uploader(key="bundle_upload").set_value(("x.zip", b"PK\x05\x06" + b"\0" * 18, "x"))
    at.run()
    assert not at.exception and at.error
    assert at.session_state[CLASSIFIER_KEY] is loaded  # nothing lost


def test_pages_listed_in_the_navigation():
    listed = (ROOT / "app.py").read_text()
    for page in ("classifier_train", "classifier_try", "classifier_bundles"):
        assert f'"pages/{page}.py"' in listed


def scoring_page(trained):
    """The try page with ``trained`` as the session's classifier, in Score a file mode."""
    at = open_page("pages/classifier_try.py")
    at.session_state[CLASSIFIER_KEY] = trained
    at.run()
    at.segmented_control(key="try_mode").set_value("Score a file").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_try_page_scores_a_labelled_file_with_measures_and_a_threshold(trained):
    data = youtube_spam(["Shakira"])
    rows = "".join(
        f"{label}\t{' '.join(text.split())}\n"
        for text, label in zip(data.texts[:120], data.labels[:120], strict=True)
    )
    at = scoring_page(trained)
    assert not at.text_area  # the text mode's form is gone
    upload = ("shakira.tsv", ("label\ttext\n" + rows).encode(), "text/tab-separated-values")
    at.file_uploader(key="score_upload").set_value(upload).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Predictions for 120 texts" in [s.value for s in at.subheader]
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["text", "predicted", "p(not spam)", "p(spam)", "true label"]
    assert list(preview["true label"]) == list(data.labels[:120])
    assert at.download_button[0].label == "Download predictions (CSV)"
    labels = [m.label for m in at.metric]
    assert {"Accuracy", "MCC", "ROC-AUC", "PR-AUC"} <= set(labels)
    expected = trained.predict_proba(list(data.texts[:120]))[:, 1]
    np.testing.assert_allclose(preview["p(spam)"], expected, rtol=1e-6)
    # The threshold re-cuts the predictions and the measures.
    before = [m.value for m in at.metric]
    at.slider(key="score_threshold").set_value(0.95).run()
    assert not at.exception
    assert [m.value for m in at.metric] != before
    spam = at.dataframe[0].value["predicted"] == "spam"
    assert list(spam) == list(expected >= 0.95)


def test_try_page_scores_an_unlabelled_file_and_refuses_unknown_labels(trained):
    at = scoring_page(trained)
    lines = "=1+1 check my channel\n\nlovely song\nsubscribe for free gifts http://x.co\n"
    at.file_uploader(key="score_upload").set_value(("new.txt", lines.encode(), "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["text", "predicted", "p(not spam)", "p(spam)"]
    assert list(preview["text"]) == ["'=1+1 check my channel", "lovely song",
                                     "subscribe for free gifts http://x.co"]  # fmt: skip
    assert not at.metric and "no labels" in texts(at)
    colours = "".join(
        f"__label__{c} a {c} message {i}\n" for i in range(10) for c in ("red", "blue")
    )
    at.file_uploader(key="score_upload").set_value(("c.txt", colours.encode(), "text/plain")).run()
    assert not at.exception
    assert "does not know" in at.error[0].value and not at.dataframe
