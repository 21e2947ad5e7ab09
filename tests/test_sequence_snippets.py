"""The Sequence models page's "Show the code": the Keras model for the settings on screen runs,
and builds the layers the app builds."""

import numpy as np
import pytest

from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.sequence_fields import FIELDS, kernel_sizes, sequence_settings
from core.classifier.sequence_snippets import sequence_classifier_code, sequence_model_code
from core.data.links import parse_params
from tests.test_snippets import run_snippet

DEFAULTS, _ = parse_params({}, FIELDS)


def values(**changes):
    return {**DEFAULTS, **changes}


def layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "pooled"},
        {"model": "cnn", "kernels": "3"},
        {"model": "cnn", "kernels": "2,3,4"},
        {"model": "lstm"},
        {"model": "gru", "bidirectional": True},
    ],
    ids=lambda c: "-".join(str(v) for v in c.values()),
)
def test_the_snippet_model_has_the_apps_layers(changes):
    settings = sequence_settings(values(**changes), length=20)
    code = sequence_model_code(settings, 2)
    namespace = run_snippet(
        "import keras\nclass F:\n    vocabulary = ['<pad>', '<unk>'] + ['w'] * 48\n"
        f"featurizer = F()\n{code}",
        "<model>",
    )
    net = ClassifierNet(
        "sequence",
        20,
        2,
        settings.hidden,
        vocab_size=50,
        embedding_dim=32,
        sequence=settings.sequence,
    )
    app = build_classifier_model(net, seed=0)
    assert layer_types(namespace["model"]) == layer_types(app)
    assert namespace["model"].count_params() == app.count_params()


def test_kernel_sizes_and_bad_settings():
    assert kernel_sizes("2,3,4") == (2, 3, 4)
    with pytest.raises(ValueError, match="kernel"):
        sequence_settings(values(model="cnn", kernels="5"), length=3)
    frozen = sequence_settings(values(freeze=True), length=10)
    assert not frozen.sequence.freeze_embedding  # freezing random rows would make no sense
    assert sequence_settings(values(freeze=True), 10, vector_size=50).sequence.freeze_embedding


def test_the_snippet_starts_from_word_vectors_and_keeps_frozen_rows(monkeypatch, tmp_path):
    from core.embeddings.word2vec import quick_vector_set

    monkeypatch.chdir(tmp_path)
    vector_set = quick_vector_set()
    settings = sequence_settings(
        values(model="cnn", kernels="3", freeze=True, epochs=1, dense=0),
        length=16,
        vector_size=vector_set.dimension,
    )
    code = sequence_classifier_code(settings, DEFAULTS, 2, vector_set)
    namespace = run_snippet(code, "<vectors snippet>")
    start = namespace["start"].matrix
    rows = namespace["model"].get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(rows, start)  # frozen: trained, yet unchanged
    vocabulary = namespace["featurizer"].vocabulary
    known = [i for i, w in enumerate(vocabulary) if i > 1 and w in vector_set.vectors]
    assert len(known) > 100
    for i in known[:50]:
        np.testing.assert_allclose(rows[i], vector_set.vectors[vocabulary[i]], rtol=1e-6)
