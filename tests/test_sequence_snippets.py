""" "Show the code" for the sequence models: the code runs on its own and builds the same layers
as the app."""

from __future__ import annotations

import contextlib
import io

import pytest

from core.classifier.features import FeatureSettings
from core.classifier.model import ClassifierNet, SequenceLayer, build_classifier_model
from core.classifier.snippets import classifier_code, model_code
from core.classifier.train import ClassifierSettings
from core.nn.networks import DenseLayer

VALUES = {"data": "youtube", "split": "one video", "video": "Shakira", "test_share": 0}
FEATURES = FeatureSettings(kind="embedding", sequence_length=20, embedding_dim=8)
CASES = {
    "cnn": SequenceLayer("cnn", filters=4, kernel_sizes=(3,)),
    "cnn branches": SequenceLayer("cnn", filters=4, kernel_sizes=(2, 4)),
    "bidirectional gru": SequenceLayer("gru", units=4, bidirectional=True),
}


def settings_for(layer: SequenceLayer) -> ClassifierSettings:
    return ClassifierSettings(
        features=FEATURES, hidden=(DenseLayer(4, dropout=0.2),), sequence=layer, epochs=1
    )


def app_layer_types(settings: ClassifierSettings, vocab_size: int) -> list[str]:
    net = ClassifierNet(
        "sequence",
        settings.features.sequence_length,
        2,
        settings.hidden,
        vocab_size=vocab_size,
        embedding_dim=settings.features.embedding_dim,
        sequence=settings.sequence,
    )
    return [type(layer).__name__ for layer in build_classifier_model(net, seed=0).layers]


def run(code: str) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, "<snippet>", "exec"), namespace)
    assert "test accuracy:" in out.getvalue()
    return namespace


@pytest.mark.parametrize("case", list(CASES))
def test_sequence_code_runs_and_builds_the_apps_layers(case):
    settings = settings_for(CASES[case])
    code = classifier_code(settings, VALUES, 2)
    namespace = run(code)
    model = namespace["model"]
    types = [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]
    expected = app_layer_types(settings, len(namespace["featurizer"].vocabulary))
    assert sorted(types) == sorted(t for t in expected if t != "InputLayer")
    if case == "cnn branches":
        assert "keras.Model(inputs, h)" in code and "for size in (2, 4)" in code
    else:
        assert "keras.Sequential([" in code


def test_pooled_code_is_the_order_blind_reference():
    code = model_code(settings_for(SequenceLayer()), 2)
    assert "GlobalAveragePooling1D()" in code and "mask_zero=True" in code


def test_code_starts_the_embedding_from_the_sessions_vectors_frozen():
    from core.embeddings.word2vec import quick_vector_set

    vector_set = quick_vector_set()
    settings = settings_for(SequenceLayer("lstm", units=4, freeze_embedding=True))
    code = classifier_code(settings, VALUES, 2, vector_set)
    assert "embedding_start(featurizer" in code and "weights=[start.matrix]" in code
    assert f"embedding_dim={vector_set.dimension}" in code and "trainable=False" in code
    namespace = run(code)
    embedding = namespace["model"].layers[0]
    assert not embedding.trainable
    assert embedding.get_weights()[0].shape == namespace["start"].matrix.shape
    assert (embedding.get_weights()[0] == namespace["start"].matrix).all()  # frozen, unchanged
