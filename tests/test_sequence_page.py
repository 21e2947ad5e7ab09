"""The Sequence models page through app.py's navigation: the length chosen from the data, each
model kind trained live on a small slice, word vectors as the Embedding's start, the probe."""

import csv
import io

import pytest

from core.classifier.sequence_input import propose_sequence_length
from core.classifier.splits import split_by_group
from core.data.datasets import youtube_spam
from tests.app_pages import open_page

PAGE = "pages/sequence_models.py"


def slice_csv(step: int = 6) -> bytes:
    """Every ``step``-th YouTube comment as an uploaded CSV: a small slice that trains fast."""
    data = youtube_spam()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text", "label"])
    writer.writerows(list(zip(data.texts, data.labels, strict=True))[::step])
    return buffer.getvalue().encode()


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def open_with_slice(kind: str):
    at = open_page(PAGE)
    at.segmented_control(key="seq_model_kind").set_value(kind)
    at.radio(key="seq_data").set_value("Upload a file").run()
    at.file_uploader(key="seq_upload").set_value(("slice.csv", slice_csv(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="seq_epochs").set_value(2)
    return at


def test_the_page_proposes_the_length_from_the_training_texts():
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Sequence models"
    report = propose_sequence_length(split_by_group(youtube_spam(), "Shakira").train_texts)
    assert report.summary() in texts(at)
    [code] = [c.value for e in at.expander if e.label == "Show the code" for c in e.code]
    assert f'keras.Input(shape=({report.length},), dtype="int32")' in code
    assert "keras.layers.Conv1D(" in code  # the default reader
    # A length asked for in the link replaces the proposed one, and the chart says what it cuts.
    at.number_input(key="seq_length").set_value(10)
    at.button[0].click().run(timeout=300)  # the form's Train applies it
    assert report.summary(10) in texts(at)


@pytest.mark.parametrize("kind", ["pooled", "cnn", "lstm"])
def test_each_kind_trains_live_and_meets_the_baselines(kind):
    at = open_with_slice(kind)
    at.button[0].click()  # the form's Train button
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value for s in at.success), [s.value for s in at.success]
    assert {"Accuracy", "MCC", "ROC-AUC"} <= {m.label for m in at.metric}
    page = texts(at)
    assert "LinearSVC" in page and "MCC" in page  # the verdict, whoever wins
    versus = next(d.value for d in at.dataframe if "Chosen by CV" in d.value.columns)
    assert "Keras network" in versus.index
    charts = {chart.proto.id for chart in at.get("plotly_chart")}
    assert any("seq_prefix_chart" in c for c in charts)
    assert any("seq_filter_chart" in c for c in charts) == (kind == "cnn")
    # Another sentence redraws the views without training again.
    at.text_input(key="seq_sentence").input("great song, not spam at all").run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_embedding_starts_from_the_sessions_word_vectors():
    from core.embeddings.word2vec import quick_vector_set

    vector_set = quick_vector_set()
    at = open_with_slice("cnn")
    at.session_state["word_vectors"] = {vector_set.name: vector_set}
    at.run()
    at.selectbox(key="seq_vectors").set_value(vector_set.name).run()
    at.checkbox(key="seq_freeze").check()
    at.button[0].click()
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "The word vectors cover" in page and "frozen" in page
    assert "Embedding start: The word vectors cover" in page  # after training, from the run
    [code] = [c.value for e in at.expander if e.label == "Show the code" for c in e.code]
    assert "weights=[start.matrix]" in code and "trainable=False" in code
    assert f"keras.layers.Embedding(len(featurizer.vocabulary), {vector_set.dimension}" in code


def test_the_probe_puts_a_bag_of_words_at_chance_and_a_convolution_above_it():
    at = open_page(PAGE)
    at.multiselect(key="seq_probe_models").set_value(["bow", "cnn"])
    next(b for b in at.button if b.label == "Run the probe").click()
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "sees word order" in d.value.columns)
    accuracy = dict(zip(table["model"], table["test accuracy"], strict=True))
    assert accuracy["Bag-of-words network (Dense)"] <= 0.6
    assert accuracy["Convolution (Conv1D)"] >= 0.85
    shown = {m.label: m.value for m in at.metric}
    assert shown["Convolution (Conv1D)"] == f"{accuracy['Convolution (Conv1D)']:.0%}"


def test_the_home_page_and_the_readme_list_the_page():
    from tests.conftest import ROOT

    at = open_page("pages/home.py")
    assert "sequence_models" in [link.proto.page for link in at.get("page_link")]
    assert "| Classifier | **Sequence models** |" in (ROOT / "README.md").read_text()


def test_the_page_quotes_the_transfer_numbers_measured_in_results():
    """Every MCC the page quotes for transfer is one that benchmarks/RESULTS.md measured."""
    import re

    from tests.conftest import ROOT

    page = (ROOT / "pages" / "sequence_models.py").read_text(encoding="utf-8")
    quoted = page[page.index("TRANSFER_MEASURED = (") : page.index("def show_results")]
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    section = results[results.index("## Sequence models and transfer") :]
    numbers = re.findall(r"0\.\d{3}", quoted)
    assert len(numbers) >= 6
    for number in numbers:
        assert number in section, number
