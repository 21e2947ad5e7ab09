"""Sequence models: Conv1D, LSTM and GRU over token ids, their bundles, the padding length
chosen from the data, and an Embedding that starts from word vectors."""

from __future__ import annotations

import numpy as np
import pytest

from core.classifier.bundle import expected_weights, import_bundle
from core.classifier.bundle_export import export_bundle
from core.classifier.features import OOV, PAD, FeatureSettings, fit_featurizer
from core.classifier.model import ClassifierNet, SequenceLayer, build_classifier_model
from core.classifier.sequence_input import (
    embedding_matrix,
    embedding_start,
    propose_sequence_length,
    token_counts,
)
from core.classifier.splits import TextSplit, split_by_group
from core.classifier.train import ClassifierSettings, prepare_training, train_classifier
from core.data.datasets import youtube_spam
from core.nn.networks import DenseLayer, OptimizerSpec

FEATURES = FeatureSettings(kind="embedding", max_tokens=1_500, sequence_length=24, embedding_dim=8)
LAYERS = {
    "pooled": SequenceLayer(),
    "cnn": SequenceLayer("cnn", filters=6, kernel_sizes=(2, 3)),
    "lstm": SequenceLayer("lstm", units=6),
    "bigru": SequenceLayer("gru", units=5, bidirectional=True),
}


def keyed(words: list[str], dim: int, seed: int = 0):
    """Small gensim KeyedVectors with seeded random vectors."""
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(vector_size=dim)
    rng = np.random.default_rng(seed)
    vectors.add_vectors(words, rng.normal(size=(len(words), dim)).astype(np.float32))
    return vectors


@pytest.fixture(scope="module")
def split():
    data = youtube_spam()
    full = split_by_group(data, "Shakira")
    # A slice keeps the recurrent models quick: every 3rd training text, 60 test texts.
    return TextSplit(
        full.train_texts[::3],
        full.train_labels[::3],
        full.test_texts[:60],
        full.test_labels[:60],
        full.label_names,
        full.description,
    )


@pytest.fixture(scope="module", params=list(LAYERS))
def trained(request, split):
    settings = ClassifierSettings(
        features=FEATURES,
        hidden=(DenseLayer(8),),
        sequence=LAYERS[request.param],
        epochs=2,
    )
    return train_classifier(split, settings)


# ---------------------------------------------------------------- the networks


def test_each_kind_builds_the_layers_it_names():
    def layer_types(sequence: SequenceLayer) -> list[str]:
        net = ClassifierNet(
            "sequence", 20, 2, (), vocab_size=30, embedding_dim=4, sequence=sequence
        )
        return [type(layer).__name__ for layer in build_classifier_model(net, seed=0).layers]

    assert layer_types(SequenceLayer()) == ["Embedding", "GlobalAveragePooling1D", "Dense"]
    assert layer_types(SequenceLayer("cnn", kernel_sizes=(3,))) == [
        "Embedding",
        "Conv1D",
        "GlobalMaxPooling1D",
        "Dense",
    ]
    assert layer_types(SequenceLayer("lstm")) == ["Embedding", "LSTM", "Dense"]
    assert layer_types(SequenceLayer("gru", bidirectional=True)) == [
        "Embedding",
        "Bidirectional",
        "Dense",
    ]
    branches = layer_types(SequenceLayer("cnn", kernel_sizes=(2, 4)))
    assert branches.count("Conv1D") == 2 and "Concatenate" in branches


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_layers_keep_to_the_cudnn_settings(kind, bidirectional):
    net = ClassifierNet(
        "sequence",
        10,
        2,
        (),
        vocab_size=12,
        embedding_dim=4,
        sequence=SequenceLayer(kind, units=3, bidirectional=bidirectional),
    )
    model = build_classifier_model(net, seed=1)
    embedding = model.get_layer("embedding")
    assert embedding.mask_zero  # right-padded sequences, masked: still the cuDNN kernel
    layer = model.layers[1]
    recurrent = [layer.forward_layer, layer.backward_layer] if bidirectional else [layer]
    for one in recurrent:
        config = one.get_config()
        assert config["activation"] == "tanh"
        assert config["recurrent_activation"] == "sigmoid"
        assert config["recurrent_dropout"] == 0
        assert config["unroll"] is False and config["use_bias"] is True
        if kind == "gru":
            assert config["reset_after"] is True
    if bidirectional:  # the two directions start from different weights
        forward, backward = (r.get_weights()[0] for r in recurrent)
        assert not np.allclose(forward, backward)


def test_convolution_is_relu_with_global_max_pooling_and_no_mask():
    net = ClassifierNet(
        "sequence", 10, 3, (), vocab_size=12, embedding_dim=4, sequence=SequenceLayer("cnn")
    )
    model = build_classifier_model(net, seed=0)
    conv = model.get_layer("conv_3")
    assert conv.get_config()["activation"] == "relu" and conv.filters == 64
    assert not model.get_layer("embedding").mask_zero


def test_expected_weights_match_the_builder_for_every_sequence_layer():
    for sequence in [*LAYERS.values(), SequenceLayer("lstm", units=4, bidirectional=True)]:
        net = ClassifierNet(
            "sequence", 16, 3, (DenseLayer(8),), vocab_size=30, embedding_dim=5, sequence=sequence
        )
        model = build_classifier_model(net, seed=0)
        assert [shape for _, _, shape in expected_weights(net)] == [
            tuple(w.shape) for w in model.weights
        ]


def test_impossible_sequence_settings_are_refused():
    with pytest.raises(ValueError, match="lstm and gru"):
        SequenceLayer("cnn", bidirectional=True)
    with pytest.raises(ValueError, match="repeat"):
        SequenceLayer("cnn", kernel_sizes=(3, 3))
    with pytest.raises(ValueError, match="embedding"):
        ClassifierSettings(sequence=SequenceLayer("lstm"))  # TF-IDF features have no order
    with pytest.raises(ValueError, match="longer than the sequence"):
        ClassifierSettings(
            features=FeatureSettings(kind="embedding", sequence_length=4),
            sequence=SequenceLayer("cnn", kernel_sizes=(5,)),
        )


# ---------------------------------------------------------------- training and bundles


def test_every_kind_trains_through_the_classifier_path(trained, split):
    assert trained.record.status == "complete" and trained.record.epochs_done == 2
    assert trained.net.sequence == trained.settings.sequence
    proba = trained.predict_proba(split.test_texts)
    assert proba.shape == (60, 2) and np.allclose(proba.sum(axis=1), 1.0)


def test_bundle_round_trip_predicts_the_same(trained, split):
    data = export_bundle(trained)
    back = import_bundle(data)
    assert back.net == trained.net and back.settings.sequence == trained.settings.sequence
    np.testing.assert_array_equal(
        back.predict_proba(split.test_texts), trained.predict_proba(split.test_texts)
    )
    assert export_bundle(back) == data


# ---------------------------------------------------------------- padding and truncation


def test_token_ids_are_right_padded_with_zero_and_cut_at_the_end():
    featurizer = fit_featurizer(
        FeatureSettings(kind="embedding", sequence_length=4), ["a b c", "b c d e f"]
    )
    index = {word: i for i, word in enumerate(featurizer.vocabulary)}
    ids = featurizer.transform(["a b", "a zebra b", "f e d c b a", ""])
    assert PAD == 0 and OOV == 1
    assert ids[0].tolist() == [index["a"], index["b"], PAD, PAD]  # padding on the right
    assert ids[1].tolist() == [index["a"], OOV, index["b"], PAD]  # unknown word: OOV id
    assert ids[2].tolist() == [index["f"], index["e"], index["d"], index["c"]]  # end cut
    assert ids[3].tolist() == [OOV, PAD, PAD, PAD]  # an empty text keeps one step


def test_proposed_length_is_the_quantile_of_token_counts_capped():
    texts = [" ".join(["w"] * n) for n in range(1, 101)]  # 1 … 100 tokens
    report = propose_sequence_length(texts, quantile=0.9)
    assert report.counts.tolist() == list(range(1, 101))
    assert report.length == 91  # numpy's 0.9 quantile of 1…100 is 90.1, rounded up
    assert report.texts_cut() == pytest.approx(9 / 100)
    cut_tokens = sum(n - 91 for n in range(92, 101))
    assert report.tokens_cut() == pytest.approx(cut_tokens / sum(range(1, 101)))
    assert report.texts_cut(100) == 0.0 and report.tokens_cut(100) == 0.0
    assert propose_sequence_length(texts, cap=20).length == 20
    assert "9.0% of the texts" in report.summary()


def test_token_counts_use_the_apps_tokenizer():
    assert token_counts(["Don't stop, 2 times!", ""]).tolist() == [4, 0]


# ---------------------------------------------------------------- starting from word vectors


def test_embedding_rows_of_known_words_are_the_given_vectors():
    vocabulary = ["<pad>", "<oov>", "good", "bad", "unheard"]
    vectors = keyed(["good", "bad", "other"], dim=3)
    matrix, known = embedding_matrix(vocabulary, vectors, seed=0)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    assert known == [False, False, True, True, False]
    np.testing.assert_array_equal(matrix[2], vectors["good"])
    np.testing.assert_array_equal(matrix[3], vectors["bad"])
    assert not matrix[PAD].any()
    assert np.abs(matrix[[1, 4]]).max() <= 0.05 and matrix[4].any()


def test_coverage_counts_vocabulary_words_and_token_occurrences():
    texts = ["good good bad", "good unheard"]
    featurizer = fit_featurizer(FeatureSettings(kind="embedding"), texts)
    start = embedding_start(featurizer, texts, keyed(["good", "other"], dim=2))
    assert (start.coverage.known, start.coverage.words) == (1, 3)
    assert start.coverage.vocabulary_share == pytest.approx(1 / 3)
    assert start.coverage.token_share == pytest.approx(3 / 5)
    assert "1 of 3 words" in start.coverage.summary()


def test_embedding_dim_follows_the_vectors(split):
    words = list({t for text in split.train_texts[:50] for t in text.lower().split()})
    prepared = prepare_training(split, ClassifierSettings(features=FEATURES), keyed(words, 5))
    assert prepared.net.embedding_dim == 5 and prepared.settings.features.embedding_dim == 5
    assert prepared.embedding is not None and prepared.embedding.matrix.shape[1] == 5


@pytest.mark.parametrize("freeze", [True, False])
def test_frozen_rows_stay_equal_after_training_and_fine_tuned_rows_move(split, freeze):
    probe = fit_featurizer(FEATURES, split.train_texts)
    vectors = keyed(probe.vocabulary[2:300], dim=8, seed=3)
    settings = ClassifierSettings(
        features=FEATURES,
        hidden=(DenseLayer(4),),
        sequence=SequenceLayer("cnn", filters=4, kernel_sizes=(2,), freeze_embedding=freeze),
        epochs=2,
        optimizer=OptimizerSpec("adam", 0.01),
    )
    trained = train_classifier(split, settings, word_vectors=vectors)
    rows = trained.model.get_layer("embedding").get_weights()[0]
    index = {w: i for i, w in enumerate(trained.featurizer.vocabulary)}
    word = probe.vocabulary[2]  # the most frequent word, seen in every epoch
    assert trained.coverage is not None and trained.coverage.known == 298
    if freeze:
        np.testing.assert_array_equal(rows[index[word]], vectors[word])
        assert len(trained.model.trainable_weights) == len(trained.model.weights) - 1
    else:
        assert not np.allclose(rows[index[word]], vectors[word])


# ---------------------------------------------------------------- bundle specs


def rewritten(data: bytes, change) -> bytes:
    """The bundle ``data`` with ``change(spec)`` applied to its spec.json."""
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    spec = json.loads(members["spec.json"])
    change(spec)
    members["spec.json"] = json.dumps(spec).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return out.getvalue()


@pytest.fixture(scope="module")
def pooled_and_cnn(split):
    def train(layer):
        settings = ClassifierSettings(
            features=FEATURES, hidden=(DenseLayer(4),), sequence=layer, epochs=1
        )
        return export_bundle(train_classifier(split, settings))

    return train(SequenceLayer()), train(SequenceLayer("cnn", filters=3, kernel_sizes=(2, 4)))


def test_a_bundle_from_before_sequence_layers_loads_as_pooled(pooled_and_cnn, split):
    pooled, _ = pooled_and_cnn
    old = rewritten(pooled, lambda spec: spec["network"].pop("sequence"))
    np.testing.assert_array_equal(
        import_bundle(old).predict_proba(split.test_texts[:5]),
        import_bundle(pooled).predict_proba(split.test_texts[:5]),
    )
    assert import_bundle(old).net.sequence == SequenceLayer()


def sequence_change(**values):
    return lambda spec: spec["network"]["sequence"].update(values)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (sequence_change(kind="transformer"), "sequence.kind"),
        (sequence_change(kernel_sizes=list(range(1, 200))), "at most 100 values"),
        (sequence_change(kernel_sizes=[2, "4"]), "kernel_sizes[1] must be a whole number"),
        (sequence_change(kernel_sizes=[2, 5]), "conv_5"),
        (sequence_change(filters=4), "shape"),
        (sequence_change(kind="lstm"), "weight arrays"),
        (sequence_change(bidirectional=True), "lstm and gru only"),
        (sequence_change(code="import os"), "unknown keys 'code'"),
    ],
)
def test_sequence_specs_that_do_not_fit_are_refused(pooled_and_cnn, change, message):
    from core.errors import DataError

    _, cnn = pooled_and_cnn
    with pytest.raises(DataError) as caught:
        import_bundle(rewritten(cnn, change))
    assert message in caught.value.message
