"""What a convolution's filters respond to in a typed text, and a model's prediction as the
words arrive."""

from __future__ import annotations

import numpy as np
import pytest

from core.classifier.features import FeatureSettings
from core.classifier.model import SequenceLayer
from core.classifier.sequence_views import filter_responses, predictions_as_words_arrive
from core.classifier.train import ClassifierSettings, train_classifier
from core.classifier.word_order import word_order_split
from core.errors import DataError
from core.nn.networks import DenseLayer

TEXT = "the film was not bad and really good"


def small_model(layer: SequenceLayer, kind: str = "embedding"):
    features = FeatureSettings(kind=kind, sequence_length=12, embedding_dim=6)
    if kind != "embedding":
        features = FeatureSettings(kind=kind)
    settings = ClassifierSettings(
        features=features, hidden=(DenseLayer(4),), sequence=layer, epochs=1
    )
    return train_classifier(word_order_split(20, seed=4), settings)


@pytest.fixture(scope="module")
def cnn():
    return small_model(SequenceLayer("cnn", filters=5, kernel_sizes=(2, 3)))


def test_filter_responses_are_the_convolution_of_the_embedded_words(cnn):
    responses = filter_responses(cnn, TEXT, kernel_size=3)
    ids = cnn.featurizer.transform([TEXT])[0]
    rows = cnn.model.get_layer("embedding").get_weights()[0][ids]
    kernel, bias = cnn.model.get_layer("conv_3").get_weights()
    n_tokens = len(TEXT.split())
    assert responses.tokens == TEXT.split() and responses.activations.shape == (n_tokens - 2, 5)
    for start in range(n_tokens - 2):
        by_hand = np.maximum(np.einsum("kd,kdf->f", rows[start : start + 3], kernel) + bias, 0)
        np.testing.assert_allclose(responses.activations[start], by_hand, rtol=1e-5, atol=1e-6)
    assert responses.windows()[3] == "not bad and"
    (first, window, value), *_ = responses.strongest(2)
    assert value == responses.activations.max()
    assert window == responses.windows()[int(responses.activations[:, first].argmax())]


def test_filter_responses_refuse_what_has_no_convolution(cnn):
    with pytest.raises(DataError, match="kernel size 4"):
        filter_responses(cnn, TEXT, kernel_size=4)
    with pytest.raises(DataError, match="no words"):
        filter_responses(cnn, "!!!")
    lstm = small_model(SequenceLayer("lstm", units=3))
    with pytest.raises(DataError, match="no convolution"):
        filter_responses(lstm, TEXT)
    steps = predictions_as_words_arrive(lstm, TEXT)
    assert steps.proba.shape == (8, 2)
    np.testing.assert_allclose(steps.proba[-1], lstm.predict_proba([TEXT])[0], rtol=1e-5)
    np.testing.assert_allclose(steps.proba[2], lstm.predict_proba(["the film was"])[0], rtol=1e-5)


def test_bag_of_words_models_have_no_word_steps():
    bow = small_model(SequenceLayer(), kind="bow")
    with pytest.raises(DataError, match="bag of words"):
        predictions_as_words_arrive(bow, TEXT)
