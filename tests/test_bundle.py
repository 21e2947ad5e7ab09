"""Model bundles: exact round trips, and refusal of every hostile file with a clear message."""

from __future__ import annotations

import io
import json
import pickle
import time
import zipfile

import numpy as np
import pytest

import core.classifier.bundle as bundle
from core.classifier.bundle import expected_weights, import_bundle
from core.classifier.bundle_export import export_bundle, export_keras, savez
from core.classifier.bundle_format import FEATURES_NAME, parse_spec
from core.classifier.features import FeatureSettings
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.splits import split_by_group
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam
from core.embeddings.word2vec import Word2VecSettings
from core.errors import DataError
from core.nn.networks import DenseLayer
from core.text.analysis import TextSettings
from tests.hostile_files import bundle_zip, hostile_bundles, tiny_bundle_parts

KEEP_OUT = "Shakira"
FEATURES = {
    "tfidf": FeatureSettings(kind="tfidf", ngram_range=(1, 2), max_features=3_000),
    "embedding": FeatureSettings(
        kind="embedding", max_tokens=2_000, sequence_length=32, embedding_dim=8
    ),
    "word2vec": FeatureSettings(
        kind="word2vec",
        word2vec=Word2VecSettings(
            vector_size=16, min_count=2, epochs=2, workers=1, compute_loss=False
        ),
    ),
    "bow": FeatureSettings(kind="bow", analyzer="char_wb", ngram_range=(2, 3), max_features=2_000),
    "words and chars": FeatureSettings(
        analyzer="word+char_wb", char_ngram_range=(2, 4), max_features=3_000
    ),
}


@pytest.fixture(scope="module")
def split():
    return split_by_group(youtube_spam(), KEEP_OUT)


@pytest.fixture(scope="module", params=list(FEATURES))
def trained(request, split):
    settings = ClassifierSettings(
        features=FEATURES[request.param], hidden=(DenseLayer(8, dropout=0.2),), epochs=2
    )
    return train_classifier(split, settings)


@pytest.fixture(scope="module")
def tiny_bundle() -> bytes:
    spec, weights = tiny_bundle_parts()
    return bundle_zip(spec, weights)


def spec_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("spec.json"))


def members_of(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


# ---------------------------------------------------------------- round trips


def test_round_trip_predicts_exactly_the_same(trained, split):
    back = import_bundle(export_bundle(trained), "model.zip")
    np.testing.assert_array_equal(
        back.predict_proba(split.test_texts), trained.predict_proba(split.test_texts)
    )
    for ours, theirs in zip(back.model.get_weights(), trained.model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
    assert back.label_names == trained.label_names
    assert back.net == trained.net
    assert back.settings == trained.settings
    assert back.featurizer.vocabulary == trained.featurizer.vocabulary
    assert back.record.status == "complete"
    assert back.record.message == "imported from model.zip"


def test_features_arrays_travel_only_when_needed(trained):
    data = export_bundle(trained)
    back = import_bundle(data)
    kind = trained.featurizer.settings.kind
    assert (FEATURES_NAME in members_of(data)) == (kind in ("tfidf", "word2vec"))
    for name in ("idf", "word_vectors"):
        ours, theirs = getattr(back.featurizer, name), getattr(trained.featurizer, name)
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            np.testing.assert_array_equal(ours, theirs)


def test_export_is_deterministic_and_survives_a_second_trip(trained):
    data = export_bundle(trained)
    assert export_bundle(trained) == data
    # An imported classifier carries the metrics of its bundle, so exporting it again gives
    # the very same file.
    assert export_bundle(import_bundle(data)) == data


def test_spec_describes_network_features_training_and_weights(trained):
    spec = spec_of(export_bundle(trained))
    assert spec["format"] == "deep-text-lab/classifier" and spec["version"] == 1
    assert spec["labels"] == list(trained.label_names)
    network = spec["network"]
    assert network["layers"] == [
        {"type": "Dense", "units": 8, "activation": "relu", "dropout": 0.2, "l2": 0.0}
    ]
    assert network["input_dim"] == trained.net.input_dim
    features = spec["features"]
    assert features["vocabulary"] == trained.featurizer.vocabulary
    assert set(features) == {
        *FeatureSettings.__dataclass_fields__,
        "vocabulary",
    }
    assert set(features["text"]) == set(TextSettings.__dataclass_fields__)
    assert features["word2vec"]["vector_size"] == trained.featurizer.settings.word2vec.vector_size
    training = spec["training"]
    assert training["optimizer"] == {"name": "adam", "learning_rate": 0.001}
    assert training["epochs"] == 2 and training["epochs_done"] == trained.record.epochs_done
    epoch = training["metrics_epoch"]
    assert training["metrics"]["loss"] == trained.record.history["loss"][epoch - 1]
    assert spec["versions"]["keras"] and spec["versions"]["numpy"] == np.__version__
    assert [(w["shape"], w["dtype"]) for w in spec["weights"]] == [
        (list(w.shape), str(w.dtype)) for w in trained.model.get_weights()
    ]


def test_import_never_calls_keras_loaders_or_unpickles(trained, split, monkeypatch):
    import keras

    def forbidden(*args, **kwargs):
        raise AssertionError("a loader that can run code was called")

    for owner, name in [
        (keras.models, "load_model"),
        (keras.saving, "load_model"),
        (pickle, "load"),
        (pickle, "loads"),
    ]:
        monkeypatch.setattr(owner, name, forbidden)
    real_load = np.load
    calls = []

    def checked_load(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", checked_load)
    back = import_bundle(export_bundle(trained))
    assert back.predict_proba(split.test_texts[:3]).shape == (3, 2)
    assert calls and all(flag is False for flag in calls)


def test_expected_weights_match_what_the_builder_creates():
    nets = [
        ClassifierNet("sequence", 16, 3, (DenseLayer(8),), vocab_size=30, embedding_dim=5),
        ClassifierNet("sparse", 50, 2, (DenseLayer(8, dropout=0.5), DenseLayer(4, l2=0.01))),
        ClassifierNet("dense", 7, 4, ()),
    ]
    for net in nets:
        model = build_classifier_model(net, seed=0)
        assert [shape for _, _, shape in expected_weights(net)] == [
            tuple(w.shape) for w in model.weights
        ]


def test_hand_built_bundle_predicts_what_its_weights_say(tiny_bundle):
    back = import_bundle(tiny_bundle, "tiny.zip")
    spec, (w1, b1, w2, b2) = tiny_bundle_parts()
    texts = ["buy cheap now", "hello song", "nothing known here"]
    counts = back.featurizer.transform(texts).toarray()
    vocabulary = spec["features"]["vocabulary"]
    assert counts[0].tolist() == [float(w in ("buy", "cheap", "now")) for w in vocabulary]
    hidden = np.maximum(counts @ w1 + b1, 0.0)
    spam = 1.0 / (1.0 + np.exp(-(hidden @ w2 + b2).ravel()))
    np.testing.assert_allclose(back.predict_proba(texts)[:, 1], spam, rtol=1e-6)
    assert back.predict(texts) == ["spam", "ham", "ham"]


# ---------------------------------------------------------------- refusals

KERAS_MESSAGE = (
    "This is a Keras .keras archive; it is not loaded because Keras archives can run code when "
    "loaded (Lambda layers, CVE-2025-1550). Export a Deep Text Lab bundle from the Save and load "
    "models page instead."
)
# What each refusal must say, as a regular expression.
REFUSALS = {
    "empty.zip": "is empty",
    "random_bytes.zip": "not a Deep Text Lab bundle: bundles are zip archives",
    "pickle_renamed.zip": "Python pickle; it is not loaded",
    "model.h5": r"HDF5 \(\.h5\) Keras file.*CVE-2025-9905",
    "truncated.zip": "cut short",
    "keras_lookalike.zip": "Keras .keras archive",
    "plain_npz.zip": "holds 4 files; a bundle holds at most 3",
    "unknown_layer_lambda.zip": 'type "Lambda".*known layer types are: Dense',
    "unknown_layer_tfoplambda.zip": 'type "TFOpLambda".*known layer types are: Dense',
    "unknown_key.zip": "unknown keys 'code'",
    "wrong_format.zip": "format 'keras'",
    "wrong_version.zip": "format version 99",
    "spec_not_json.zip": "not valid JSON",
    "duplicate_vocabulary.zip": "lists a term twice",
    "vocabulary_too_short.zip": "vocabulary has 3 terms but the network expects 5",
    "bad_activation.zip": "unknown activation 'exec'",
    "wrong_manifest_shape.zip": r"Layer 'dense_1' needs a kernel of shape \(5, 2\)",
    "wrong_weight_shape.zip": r"kernel of layer 'dense_1'\) has shape \(4, 2\); expected \(5, 2\)",
    "nan_weight.zip": "layer 'dense_1' hold NaN",
    "huge_network.zip": r"needs a kernel of shape \(5000000, 2\)",
    "object_array.zip": "holds object values; expected float32",
    "path_traversal.zip": "'../../evil.py', a path outside the archive",
    "absolute_path.zip": "'/etc/cron.d/evil', a path outside the archive",
    "symlink.zip": "symbolic link",
    "folder.zip": "holds a folder",
    "too_many_members.zip": "holds 51 files; a bundle holds at most 3",
    "zip_bomb.zip": "weights.npz would unpack to 1,024 MB; the limit is 256 MB.*zip bomb",
    "high_ratio.zip": "compressed 1,011 to 1.*zip bomb",
    "nested_bomb.zip": "weights.npz: arr_0.npy would unpack to 1,024 MB.*zip bomb",
    "lying_sizes.zip": "weights.npz is damaged",
}


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return hostile_bundles(include_keras=False)


def test_every_hostile_bundle_has_an_expected_message(hostile):
    assert set(REFUSALS) == set(hostile)


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_hostile_bundle_is_refused_with_a_clear_message(hostile, name):
    with pytest.raises(DataError, match=REFUSALS[name]) as caught:
        import_bundle(hostile[name], name)
    assert caught.value.hint


def test_hostile_bundles_are_quick_to_build(hostile):
    started = time.perf_counter()
    hostile_bundles(include_keras=False)
    assert time.perf_counter() - started < 2.0


def test_a_real_keras_file_with_a_lambda_layer_is_refused_unopened(monkeypatch):
    import keras

    data = hostile_bundles()["lambda_layer.keras"]
    # The fixture is what it claims: a Keras archive whose config holds a Lambda layer
    # (read as JSON from the zip, never loaded).
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "Lambda" in archive.read("config.json").decode()

    def forbidden(*args, **kwargs):
        raise AssertionError("load_model must not be called")

    monkeypatch.setattr(keras.models, "load_model", forbidden)
    monkeypatch.setattr(keras.saving, "load_model", forbidden)
    with pytest.raises(DataError) as caught:
        import_bundle(data, "lambda_layer.keras")
    assert str(caught.value) == KERAS_MESSAGE


def test_export_keras_writes_a_keras_archive_that_import_refuses(tiny_bundle):
    data = export_keras(import_bundle(tiny_bundle))
    assert {"config.json", "model.weights.h5"} <= set(members_of(data))
    with pytest.raises(DataError, match="Keras .keras archive"):
        import_bundle(data, "classifier.keras")


def test_upload_over_the_limit_is_refused(tiny_bundle, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_UPLOAD_BYTES", len(tiny_bundle) - 1)
    with pytest.raises(DataError, match="the limit is"):
        import_bundle(tiny_bundle)


def test_member_bigger_than_its_cap_is_refused(tiny_bundle, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_SPEC_BYTES", 100)
    with pytest.raises(DataError, match="spec.json would unpack to"):
        import_bundle(tiny_bundle)


def mutated(change) -> bytes:
    spec, weights = tiny_bundle_parts()
    change(spec)
    return bundle_zip(spec, weights)


SPEC_MUTATIONS = {
    "labels twice": (lambda s: s.update(labels=["spam", "spam"]), "same class twice"),
    "three labels for two classes": (
        lambda s: s.update(labels=["a", "b", "c"]),
        "2 classes but the bundle names 3",
    ),
    "units as text": (
        lambda s: s["network"]["layers"][0].update(units="2"),
        "units must be a whole number",
    ),
    "bool for int": (lambda s: s["network"].update(input_dim=True), "must be a whole number"),
    "unknown feature key": (
        lambda s: s["features"].update(pickle_path="x"),
        "unknown keys 'pickle_path'",
    ),
    "unknown text key": (lambda s: s["features"]["text"].update(eval="1"), "unknown keys 'eval'"),
    "missing optimizer": (lambda s: s["training"].pop("optimizer"), "lacks optimizer"),
    "bad tokenizer": (
        lambda s: s["features"]["text"].update(tokenizer="bash"),
        'tokenizer is "bash"; it must be one of',
    ),
    "out of range dropout": (
        lambda s: s["network"]["layers"][0].update(dropout=1.5),
        r"dropout must be in \[0, 1\)",
    ),
    "kind and input disagree": (
        lambda s: s["features"].update(kind="embedding"),
        "features give sequence input, but the network expects sparse",
    ),
    "non-string term": (
        lambda s: s["features"].update(vocabulary=["buy", 3, "hello", "now", "song"]),
        "found 3",
    ),
    "float16 manifest": (lambda s: s["weights"][1].update(dtype="float16"), "weights are float32"),
    "nine hidden layers": (
        lambda s: s["network"].update(layers=s["network"]["layers"] * 9),
        "9 hidden layers; at most 8",
    ),
}


@pytest.mark.parametrize("case", sorted(SPEC_MUTATIONS))
def test_spec_that_breaks_the_schema_is_refused(case):
    change, pattern = SPEC_MUTATIONS[case]
    with pytest.raises(DataError, match=pattern):
        import_bundle(mutated(change))


def test_features_file_that_bow_does_not_need_is_refused():
    spec, weights = tiny_bundle_parts()
    members = {
        "spec.json": json.dumps(spec).encode(),
        "weights.npz": savez(*weights),
        "features.npz": savez(idf=np.ones(5)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    with pytest.raises(DataError, match="need no arrays"):
        import_bundle(out.getvalue())


def test_parse_spec_rejects_duplicate_keys_and_nan():
    spec, _ = tiny_bundle_parts()
    text = json.dumps(spec)
    with pytest.raises(DataError, match="appears twice"):
        parse_spec(text.replace('"version": 1', '"version": 1, "version": 1').encode())
    with pytest.raises(DataError, match="NaN is not a number"):
        parse_spec(text.replace('"loss": 0.5', '"loss": NaN').encode())


def test_damaged_bundles_only_ever_raise_data_error(tiny_bundle):
    rng = np.random.default_rng(0)
    refused = 0
    for _ in range(60):
        data = bytearray(tiny_bundle)
        for position in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[position] = int(rng.integers(0, 256))
        cut = int(rng.integers(len(data) // 2, len(data) + 1))
        try:
            import_bundle(bytes(data[:cut]))
        except DataError as error:
            refused += 1
            assert error.message
    assert refused > 0


def _damaged_directory(offset: int, value: int) -> bytes:
    """The tiny bundle with one byte of its central directory (``offset`` into it) replaced."""
    data = bytearray(bundle_zip(*tiny_bundle_parts()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        start = archive.start_dir
    data[start + offset] = value
    return bytes(data)


DAMAGED_DIRECTORIES = {
    # the signature of the first directory entry: zipfile raises BadZipFile
    "bad directory signature": (0, 0x00, "damaged or uses a zip feature this app does not read"),
    # "version needed to extract" 25.5: zipfile raises NotImplementedError
    "unknown zip version": (6, 0xFF, r"does not read \(zip file version"),
    # the first byte of the first name: zipfile cuts a name at NUL, leaving it empty, and
    # ZipInfo.is_dir() raises IndexError on an empty name
    "empty member name": (46, 0x00, "a file with an empty name"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_DIRECTORIES))
def test_damaged_zip_directory_gets_a_clear_message(case):
    offset, value, pattern = DAMAGED_DIRECTORIES[case]
    with pytest.raises(DataError, match=pattern) as caught:
        import_bundle(_damaged_directory(offset, value), "upload.zip")
    assert "could not be read as a Deep Text Lab bundle" not in caught.value.message
    assert caught.value.message.startswith("upload.zip")


def test_unexpected_errors_inside_become_data_errors(tiny_bundle, monkeypatch):
    def broken(raw):
        raise KeyError("surprise")

    monkeypatch.setattr(bundle, "parse_spec", broken)
    with pytest.raises(DataError, match="could not be read as a Deep Text Lab bundle"):
        import_bundle(tiny_bundle)


def test_export_refuses_a_model_with_nan_weights(tiny_bundle):
    back = import_bundle(tiny_bundle)
    weights = back.model.get_weights()
    weights[0][0, 0] = np.nan
    back.model.set_weights(weights)
    with pytest.raises(DataError, match="NaN or infinite"):
        export_bundle(back)


def test_mixed_precision_bundle_is_rebuilt_in_mixed_precision(tiny_bundle):
    plain = import_bundle(tiny_bundle)
    mixed = import_bundle(mutated(lambda s: s["training"].update(mixed_precision=True)))
    assert mixed.settings.mixed_precision
    assert mixed.model.get_layer("dense_1").compute_dtype == "float16"
    texts = ["buy cheap now", "hello song"]
    np.testing.assert_allclose(mixed.predict_proba(texts), plain.predict_proba(texts), atol=2e-3)
