"""What a model bundle holds: its members and limits, and ``spec.json`` checked into a spec.

A bundle is a zip with three members:

- ``spec.json``: the class names, the network's shape, every feature setting with the
  vocabulary, a summary of training, the library versions and a manifest of the weights;
- ``weights.npz``: the arrays of ``model.get_weights()`` as ``arr_0`` … ``arr_n``;
- ``features.npz`` (only when needed): ``idf`` for TF-IDF, ``word_vectors`` for mean word2vec.

:func:`parse_spec` checks ``spec.json`` against the schema by hand, key by key, with the
validator of :mod:`core.safe_files.schema`: nothing in the file chooses what gets built.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from core.classifier.features import FeatureSettings
from core.classifier.model import ClassifierNet, SequenceLayer
from core.classifier.train import ClassifierSettings
from core.errors import DataError
from core.nn.networks import DenseLayer, OptimizerSpec
from core.safe_files.schema import JsonChecker, load_strict_json, show

BUNDLE_FORMAT = "deep-text-lab/classifier"
BUNDLE_VERSION = 1
SPEC_NAME, WEIGHTS_NAME, FEATURES_NAME = "spec.json", "weights.npz", "features.npz"
BUNDLE_MEMBERS = (SPEC_NAME, WEIGHTS_NAME, FEATURES_NAME)
LAYER_TYPES = ("Dense",)

MAX_BUNDLE_MEMBERS = len(BUNDLE_MEMBERS)
MAX_WEIGHT_ARRAYS = 32
MAX_TERM_CHARS = 100_000
MAX_LABEL_CHARS = 1_000
MAX_NAME_CHARS = 500

EXPORT_HINT = "Export a Deep Text Lab bundle from the Save and load models page instead."
CHANGED_HINT = (
    "The bundle may have been edited or made by another program. "
    "Export it again from the Save and load models page."
)
# The dtype of each array features.npz may hold.
FEATURE_ARRAYS = {"idf": "float64", "word_vectors": "float32"}
VERSION_KEYS = (
    "python",
    "keras",
    "keras_backend",
    "tensorflow",
    "scikit-learn",
    "gensim",
    "numpy",
    "deep-text-lab",
)
SPEC_CHECKER = JsonChecker(CHANGED_HINT)


@dataclass(frozen=True)
class BundleResult:
    """The run of an imported classifier: its bundle's summary of training (epochs, metrics…)
    and the library versions it was trained with."""

    training: dict[str, Any]
    versions: dict[str, str | None]


@dataclass(frozen=True)
class BundleSpec:
    """A validated ``spec.json``: everything needed to rebuild the classifier."""

    labels: tuple[str, ...]
    net: ClassifierNet
    features: FeatureSettings
    vocabulary: list[str]
    settings: ClassifierSettings
    training: dict[str, Any]
    versions: dict[str, str | None]
    weights: tuple[tuple[str, tuple[int, ...], str], ...]  # name, shape, dtype


def parse_spec(raw: bytes) -> BundleSpec:
    """``spec.json`` bytes → a :class:`BundleSpec`, checking format, version, known keys,
    types and ranges at every level. Raises :class:`DataError` naming what is wrong."""
    document = load_strict_json(raw, SPEC_NAME, CHANGED_HINT)
    top = SPEC_CHECKER.check_object(
        document,
        "spec.json",
        ("format", "version", "labels", "network", "features", "training", "versions", "weights"),
    )
    if top["format"] != BUNDLE_FORMAT:
        raise DataError(
            f"spec.json says format {str(top['format'])[:100]!r}; a classifier bundle says "
            f"{BUNDLE_FORMAT!r}.",
            CHANGED_HINT,
        )
    if top["version"] != BUNDLE_VERSION or isinstance(top["version"], bool):
        raise DataError(
            f"This bundle has format version {str(top['version'])[:20]}; this app reads version "
            f"{BUNDLE_VERSION}.",
            "Export the model again with this version of the app.",
        )
    labels = _labels(top["labels"])
    net = _network(top["network"])
    if net.n_classes != len(labels):
        raise DataError(
            f"The network has {net.n_classes} classes but the bundle names {len(labels)}.",
            CHANGED_HINT,
        )
    features, vocabulary = _features(top["features"])
    settings, training = _training(top["training"], features, net)
    return BundleSpec(
        labels=labels,
        net=net,
        features=features,
        vocabulary=vocabulary,
        settings=settings,
        training=training,
        versions=_versions(top["versions"]),
        weights=_manifest(top["weights"]),
    )


def _labels(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not 2 <= len(value) <= 1_000:
        raise DataError("spec.json labels must be a list of 2 to 1,000 class names.", CHANGED_HINT)
    for label in value:
        if not isinstance(label, str) or len(label) > MAX_LABEL_CHARS:
            raise DataError(
                f"Each class name must be a string of at most {MAX_LABEL_CHARS:,} characters.",
                CHANGED_HINT,
            )
    if len(set(value)) != len(value):
        raise DataError("The bundle names the same class twice.", CHANGED_HINT)
    return tuple(value)


def _network(value: Any) -> ClassifierNet:
    where = "spec.json network"
    keys = ("input_kind", "input_dim", "n_classes", "vocab_size", "embedding_dim", "layers")
    # Bundles from before sequence layers have no "sequence": theirs is the pooled default.
    if isinstance(value, dict) and "sequence" in value:
        keys = (*keys, "sequence")
    obj = SPEC_CHECKER.check_object(value, where, keys)
    hints = typing.get_type_hints(ClassifierNet)
    plain = {
        key: SPEC_CHECKER.check_value(hints[key], obj[key], f"{where}.{key}")
        for key in ("input_kind", "input_dim", "n_classes", "vocab_size", "embedding_dim")
    }
    layers = obj["layers"]
    if not isinstance(layers, list):
        raise DataError(f"{where}.layers must be a list.", CHANGED_HINT)
    if len(layers) > 8:
        raise DataError(f"The network has {len(layers)} hidden layers; at most 8.", CHANGED_HINT)
    hidden = tuple(_layer(layer, i) for i, layer in enumerate(layers, start=1))
    sequence = SequenceLayer()
    if "sequence" in obj:
        sequence = SPEC_CHECKER.check_dataclass(SequenceLayer, obj["sequence"], f"{where}.sequence")
    return SPEC_CHECKER.construct(ClassifierNet, where, hidden=hidden, sequence=sequence, **plain)


def _layer(value: Any, number: int) -> DenseLayer:
    where = f"spec.json hidden layer {number}"
    if not isinstance(value, dict):
        raise DataError(f"{where} must be a JSON object.", CHANGED_HINT)
    kind = value.get("type")
    if kind not in LAYER_TYPES:
        raise DataError(
            f"Hidden layer {number} has type {show(kind)}, which Deep Text Lab does not build; "
            f"the known layer types are: {', '.join(LAYER_TYPES)}.",
            "Bundles hold only the layers the Classifier page builds; layers such as Lambda "
            "could run code, so they are never loaded.",
        )
    return SPEC_CHECKER.check_dataclass(DenseLayer, value, where, skip=("type",))


def _features(value: Any) -> tuple[FeatureSettings, list[str]]:
    settings = SPEC_CHECKER.check_dataclass(
        FeatureSettings, value, "spec.json features", skip=("vocabulary",)
    )
    vocabulary = value["vocabulary"]
    if not isinstance(vocabulary, list) or not vocabulary:
        raise DataError("The bundle's vocabulary must be a non-empty list.", CHANGED_HINT)
    if len(vocabulary) > 5_000_000:
        raise DataError(
            f"The bundle's vocabulary has {len(vocabulary):,} terms; at most 5,000,000.",
            CHANGED_HINT,
        )
    for term in vocabulary:
        if not isinstance(term, str) or not term or len(term) > MAX_TERM_CHARS:
            raise DataError(
                f"Vocabulary entries must be non-empty strings of at most {MAX_TERM_CHARS:,} "
                f"characters; found {show(term)}.",
                CHANGED_HINT,
            )
    if len(set(vocabulary)) != len(vocabulary):
        raise DataError("The bundle's vocabulary lists a term twice.", CHANGED_HINT)
    return settings, vocabulary


_TRAINING_KEYS = (
    "optimizer",
    "epochs",
    "batch_size",
    "seed",
    "class_weight",
    "validation_split",
    "patience",
    "mixed_precision",
    "epochs_done",
    "metrics_epoch",
    "metrics",
)


def _training(
    value: Any, features: FeatureSettings, net: ClassifierNet
) -> tuple[ClassifierSettings, dict[str, Any]]:
    where = "spec.json training"
    obj = SPEC_CHECKER.check_object(value, where, _TRAINING_KEYS)
    hints = typing.get_type_hints(ClassifierSettings)
    kwargs = {
        key: SPEC_CHECKER.check_value(hints[key], obj[key], f"{where}.{key}")
        for key in _TRAINING_KEYS[:8]
        if key != "optimizer"
    }
    optimizer = SPEC_CHECKER.check_dataclass(OptimizerSpec, obj["optimizer"], f"{where}.optimizer")
    settings = SPEC_CHECKER.construct(
        ClassifierSettings,
        where,
        features=features,
        hidden=net.hidden,
        sequence=net.sequence,
        optimizer=optimizer,
        **kwargs,
    )
    done = SPEC_CHECKER.check_value(int | None, obj["epochs_done"], f"{where}.epochs_done")
    epoch = SPEC_CHECKER.check_value(int | None, obj["metrics_epoch"], f"{where}.metrics_epoch")
    metrics = obj["metrics"]
    if not isinstance(metrics, dict) or len(metrics) > 100:
        raise DataError(f"{where}.metrics must be an object of at most 100 numbers.", CHANGED_HINT)
    for key, number in metrics.items():
        if len(key) > 100:
            raise DataError(f"{where}.metrics has a name longer than 100 characters.", CHANGED_HINT)
        SPEC_CHECKER.check_value(float | None, number, f"{where}.metrics.{key}")
    summary = {"epochs_done": done, "metrics_epoch": epoch, "metrics": dict(metrics)}
    return settings, summary


def _versions(value: Any) -> dict[str, str | None]:
    obj = SPEC_CHECKER.check_object(value, "spec.json versions", VERSION_KEYS)
    out = {}
    for key in VERSION_KEYS:
        text = SPEC_CHECKER.check_value(str | None, obj[key], f"spec.json versions.{key}")
        if text is not None and len(text) > 100:
            raise DataError(f"spec.json versions.{key} is too long.", CHANGED_HINT)
        out[key] = text
    return out


def _manifest(value: Any) -> tuple[tuple[str, tuple[int, ...], str], ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_WEIGHT_ARRAYS:
        raise DataError(
            f"spec.json weights must list 1 to {MAX_WEIGHT_ARRAYS} arrays.", CHANGED_HINT
        )
    entries = []
    for i, entry in enumerate(value):
        where = f"spec.json weights[{i}]"
        obj = SPEC_CHECKER.check_object(entry, where, ("name", "shape", "dtype"))
        name = SPEC_CHECKER.check_value(str, obj["name"], f"{where}.name")[:MAX_NAME_CHARS]
        shape = obj["shape"]
        if not isinstance(shape, list) or len(shape) > 3:
            raise DataError(f"{where}.shape must be a list of at most 3 sizes.", CHANGED_HINT)
        dims = tuple(SPEC_CHECKER.check_value(int, d, f"{where}.shape") for d in shape)
        if any(d < 0 for d in dims):
            raise DataError(f"{where}.shape has a negative size.", CHANGED_HINT)
        dtype = SPEC_CHECKER.check_value(str, obj["dtype"], f"{where}.dtype")
        entries.append((name, dims, dtype[:20]))
    return tuple(entries)
