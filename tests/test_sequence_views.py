"""What a trained sequence model does with one text: its filters' responses position by
position, its prediction as the words arrive, and word-vector coverage before training."""

import numpy as np
import pytest

from core.classifier.features import OOV, FeatureSettings, fit_featurizer
from core.classifier.model import SequenceLayer
from core.classifier.sequence_views import (
    UNKNOWN_MARK,
    filter_responses,
    prefix_predictions,
    read_text,
    vector_coverage,
)
from core.classifier.splits import TextSplit, split_by_group
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam
from core.errors import DataError
from core.nn.networks import DenseLayer

FEATURES = FeatureSettings(kind="embedding", max_tokens=1_500, sequence_length=12, embedding_dim=6)
TEXT = "check out my channel please subscribe to my new video now"


@pytest.fixture(scope="module")
def split():
    full = split_by_group(youtube_spam(), "Shakira")
    return TextSplit(
        full.train_texts[::4],
        full.train_labels[::4],
        full.test_texts[:20],
        full.test_labels[:20],
        full.label_names,
        full.description,
    )


def train(split, sequence: SequenceLayer):
    settings = ClassifierSettings(
        features=FEATURES, hidden=(DenseLayer(4),), sequence=sequence, epochs=1
    )
    return train_classifier(split, settings)


@pytest.fixture(scope="module")
def cnn(split):
    return train(split, SequenceLayer("cnn", filters=5, kernel_sizes=(2, 3)))


@pytest.fixture(scope="module")
def lstm(split):
    return train(split, SequenceLayer("lstm", units=4))


def test_the_text_is_read_up_to_the_sequence_length(cnn):
    long_text = " ".join(["subscribe"] * 15 + ["zzzunknownword"])
    read = read_text(cnn, long_text)
    assert len(read.words) == len(read.ids) == 12 and read.cut == 4
    unknown = read_text(cnn, "subscribe zzzunknownword")
    assert unknown.ids[1] == OOV and unknown.labels[1] == f"2: zzzunknownword{UNKNOWN_MARK}"
    assert not unknown.labels[0].endswith(UNKNOWN_MARK)
    with pytest.raises(DataError, match="no words"):
        read_text(cnn, "   !!! ")


def test_filter_responses_are_the_convolution_worked_out_by_hand(cnn):
    responses = filter_responses(cnn, TEXT, kernel_size=3, top=5)
    read = read_text(cnn, TEXT)
    assert responses.windows[0] == "1: " + " ".join(read.words[:3])
    assert len(responses.windows) == len(read.words) - 2
    table = cnn.model.get_layer("embedding").get_weights()[0]
    kernel, bias = cnn.model.get_layer("conv_3").get_weights()  # (3, dim, filters), (filters,)
    embedded = table[read.ids]
    for row, f in enumerate(responses.filters):
        for p in range(len(responses.windows)):
            by_hand = max(float(np.sum(embedded[p : p + 3] * kernel[:, :, f]) + bias[f]), 0.0)
            assert responses.activations[row, p] == pytest.approx(by_hand, abs=1e-5)
    peaks = responses.activations.max(axis=1)
    assert list(peaks) == sorted(peaks, reverse=True)  # strongest filter first
    assert filter_responses(cnn, TEXT).kernel_size == 2  # the first size by default


def test_filters_need_a_convolution_of_that_size(cnn, lstm):
    with pytest.raises(DataError, match="no convolution"):
        filter_responses(lstm, TEXT)
    with pytest.raises(DataError, match="size 4"):
        filter_responses(cnn, TEXT, kernel_size=4)


def test_the_prediction_as_words_arrive_ends_at_the_whole_text(lstm):
    prefixes = prefix_predictions(lstm, TEXT)
    words = read_text(lstm, TEXT).words
    assert prefixes.words == words and prefixes.proba.shape == (len(words), 2)
    np.testing.assert_allclose(prefixes.proba[-1], lstm.predict_proba([TEXT])[0], atol=1e-6)
    first_two = " ".join(words[:2])
    np.testing.assert_allclose(prefixes.proba[1], lstm.predict_proba([first_two])[0], atol=1e-6)
    spam = prefixes.probabilities_of(lstm.label_names[1])
    assert spam == pytest.approx(list(prefixes.proba[:, 1]))


def test_a_bag_of_words_classifier_has_no_sequence_to_show(split):
    bag = train_classifier(
        split, ClassifierSettings(features=FeatureSettings(kind="bow"), hidden=(), epochs=1)
    )
    with pytest.raises(DataError, match="bag of words"):
        prefix_predictions(bag, TEXT)


def test_coverage_counts_the_vocabulary_words_the_vectors_know():
    from gensim.models import KeyedVectors

    texts = ["the cat sat", "the dog sat", "a bird flew"]
    vectors = KeyedVectors(vector_size=3)
    vectors.add_vectors(["the", "sat", "bird", "elsewhere"], np.ones((4, 3), dtype=np.float32))
    coverage = vector_coverage(texts, vectors)
    vocabulary = fit_featurizer(FeatureSettings(kind="embedding"), texts).vocabulary
    assert coverage.words == len(vocabulary) - 2 == 7  # padding and unknown not counted
    assert coverage.known == 3
    assert coverage.token_share == pytest.approx(5 / 9)  # the ×2, sat ×2, bird of 9 tokens


def test_the_probe_runs_model_by_model_and_a_bag_of_words_answers_twins_alike():
    from core.classifier.sequence_views import probe_examples, probe_steps
    from core.classifier.word_order import ProbeSettings

    settings = ProbeSettings(n_pairs=24, models=("logistic", "bow"), epochs=2)
    sizes = []
    for result in probe_steps(settings):  # the same result, one row more each time
        sizes.append(len(result.rows))
    assert sizes == [1, 2]
    assert [row.model for row in result.rows] == ["logistic", "bow"]
    examples = probe_examples(result, n_pairs=3)
    assert len(examples) == 6 and {e["label"] for e in examples} == {"positive", "negative"}
    bow = "Bag-of-words network (Dense)"
    for first, second in zip(examples[::2], examples[1::2], strict=True):
        assert first["pair"] == second["pair"] and first[bow] == second[bow]
        assert sorted(first["text"].split()) == sorted(second["text"].split())
    assert "Logistic regression on a bag of words" not in examples[0]  # not a network


def test_the_figures_show_what_is_kept_and_cut():
    from core.figures.sequences import filter_figure, length_figure, prefix_figure, probe_figure

    counts = np.array([1, 2, 2, 3, 5, 8, 13])
    figure = length_figure(counts, length=4, proposed=6)
    kept, cut = figure.data
    assert sum(kept.y) == 4 and sum(cut.y) == 3  # texts of up to 4 tokens, and the rest
    heat = filter_figure(np.array([[1.0, 0.0], [0.5, 2.0]]), [3, 0], ["1: a b", "2: b c"])
    assert list(heat.data[0].y) == ["filter 4", "filter 1"]
    line = prefix_figure(["1: not", "2: bad"], [0.2, 0.9], "positive")
    assert list(line.data[0].y) == [0.2, 0.9]
    bars = probe_figure({"bag": 0.5, "cnn": 1.0}, 0.5, "test accuracy")
    assert list(bars.data[0].x) == ["bag", "cnn"]


def test_filter_windows_on_a_probe_model_name_the_words_they_cover():
    from core.classifier.word_order import word_order_split

    settings = ClassifierSettings(
        features=FEATURES,
        hidden=(DenseLayer(4),),
        sequence=SequenceLayer("cnn", filters=5, kernel_sizes=(3,)),
        epochs=1,
    )
    model = train_classifier(word_order_split(20, seed=4), settings)
    text = "the film was not bad and really good"
    responses = filter_responses(model, text, top=5)
    assert responses.words == text.split() and responses.activations.shape == (5, 6)
    assert responses.windows[3] == "4: not bad and"
    assert sorted(responses.filters) == [0, 1, 2, 3, 4]
