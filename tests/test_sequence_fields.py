"""The Sequence models page's link fields and the settings they make."""

import pytest

from core.classifier.sequence_fields import (
    FIELDS,
    PROPOSED,
    chosen_length,
    kernel_sizes,
    sequence_settings,
)
from core.data.links import parse_params

DEFAULTS, _ = parse_params({}, FIELDS)


def values(**changes):
    return {**DEFAULTS, **changes}


def test_kernel_sizes_and_settings_that_cannot_run():
    assert kernel_sizes("2,3,4") == (2, 3, 4) and kernel_sizes("5") == (5,)
    with pytest.raises(ValueError, match="kernel"):
        sequence_settings(values(model="cnn", kernels="5"), length=3)


def test_the_settings_follow_the_fields():
    settings = sequence_settings(values(model="gru", units=16, bidirectional=True), 30)
    assert settings.features.kind == "embedding" and settings.features.sequence_length == 30
    assert settings.sequence.kind == "gru" and settings.sequence.units == 16
    assert settings.sequence.bidirectional
    # Bidirectional is a recurrent setting: a convolution ignores it; no Dense units, no layer.
    cnn = sequence_settings(values(model="cnn", bidirectional=True, dense=0), 30)
    assert not cnn.sequence.bidirectional and cnn.hidden == ()
    assert cnn.sequence.kernel_sizes == kernel_sizes(DEFAULTS["kernels"])


def test_freezing_applies_to_word_vectors_only():
    assert not sequence_settings(values(freeze=True), 10).sequence.freeze_embedding
    from_vectors = sequence_settings(values(freeze=True), 10, vector_size=50)
    assert from_vectors.sequence.freeze_embedding and from_vectors.features.embedding_dim == 50


def test_the_length_is_proposed_unless_one_is_asked_for():
    assert chosen_length(values(length=PROPOSED), proposed=57) == 57
    assert chosen_length(values(length=12), proposed=57) == 12
