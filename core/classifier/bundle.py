"""Model bundles in: a bundle zip checked, then the classifier rebuilt from it, never unpickled.

:func:`import_bundle` never hands a user's file to Keras's loader: ``.keras`` and ``.h5``
files can run code when loaded (Lambda layers; ``safe_mode`` has been bypassed,
CVE-2025-1550 and CVE-2025-9906, and ``.h5`` ignores it, CVE-2025-9905). Instead it checks
the zip before unpacking anything (size, member names, sizes, compression ratio), reads each
member with a hard cap, validates the spec against the schema by hand, rebuilds the network
with :func:`core.classifier.model.build_classifier_model` and only then copies the weights in. Arrays
are read with ``allow_pickle=False`` after their ``.npy`` headers were checked; nothing is
ever unpickled. Every refusal is a :class:`~core.errors.DataError`.

What a bundle holds is in :mod:`core.classifier.bundle_format`; writing one is
:mod:`core.classifier.bundle_export`; the hardened readers are in :mod:`core.safe_files`.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

from core.classifier.bundle_format import (
    CHANGED_HINT,
    EXPORT_HINT,
    FEATURE_ARRAYS,
    FEATURES_NAME,
    SPEC_NAME,
    WEIGHTS_NAME,
    BundleResult,
    BundleSpec,
    parse_spec,
)
from core.classifier.features import Featurizer
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.train import TrainedClassifier, make_net
from core.data.datasets import MAX_UPLOAD_BYTES
from core.errors import DataError
from core.nn.training import RunRecord
from core.safe_files.arrays import read_npz
from core.safe_files.unsafe import (
    ZIP_MAGIC,
    Found,
    UnsafeRules,
    refuse_keras_archive,
    refuse_unsafe,
)
from core.safe_files.zips import ZipRules, read_zip_members

MAX_SPEC_BYTES = 32 * 1024 * 1024
DAMAGED_HINT = "Download or export the bundle again and upload the whole file."
BUNDLE_ZIP = ZipRules(kind="bundle", changed_hint=CHANGED_HINT, damaged_hint=DAMAGED_HINT)


def _unsafe_message(name: str, found: Found) -> str:
    """The refusal of an upload that is no bundle, by what it is."""
    unsafe = found.unsafe
    if unsafe.danger:
        return f"This is {unsafe.what}; it is not loaded because {unsafe.danger}."
    return f"This is {unsafe.what}, not a Deep Text Lab bundle."


# HDF5 first: a .h5 name is told as HDF5 whatever its bytes. A .npy name alone is no reason
# to refuse (the zip check decides); its magic is.
BUNDLE_UNSAFE = UnsafeRules(
    checks=(("hdf5", "either"), ("pickle", "either"), ("npy", "bytes")),
    message=_unsafe_message,
    hint=EXPORT_HINT,
)


def import_bundle(data: bytes, name: str = "bundle.zip") -> TrainedClassifier:
    """Bundle bytes → a :class:`TrainedClassifier` that predicts exactly as the exported one.

    ``name`` is the uploaded file's name, used in messages and in the run record.
    Raises :class:`DataError`, and only that, for anything wrong with the file: Keras
    archives, HDF5 files, pickles, zips that are too large, inflate too much or hold other
    files, a spec that does not match the schema, or weights that do not fit the network.
    """
    name = str(name)[:200]
    try:
        return _import_bundle(data, name)
    except DataError:
        raise
    except Exception as error:  # the contract is DataError only, whatever broke inside
        raise DataError(
            f"{name} could not be read as a Deep Text Lab bundle "
            f"({type(error).__name__}: {str(error)[:200]}).",
            CHANGED_HINT,
        ) from None


def _import_bundle(data: bytes, name: str) -> TrainedClassifier:
    data = bytes(data)  # a memoryview or bytearray from an upload widget works too
    refuse_unsafe_upload(data, name)
    members = read_zip_members(
        data,
        name,
        BUNDLE_ZIP,
        required=(SPEC_NAME, WEIGHTS_NAME),
        optional=(FEATURES_NAME,),
        caps={SPEC_NAME: MAX_SPEC_BYTES},
        check_names=lambda names: refuse_keras_archive(name, names, BUNDLE_UNSAFE),
    )
    spec = parse_spec(members[SPEC_NAME])
    expected = expected_weights(spec.net)
    _check_manifest(spec, expected)
    weights = read_npz(
        members[WEIGHTS_NAME],
        WEIGHTS_NAME,
        {f"arr_{i}": (shape, dtype) for i, (_, shape, dtype) in enumerate(spec.weights)},
        BUNDLE_ZIP,
        {f"arr_{i}": f"the {w} of layer {layer!r}" for i, (layer, w, _) in enumerate(expected)},
    )
    for (layer, _, _), array in zip(expected, weights.values(), strict=True):
        if not np.isfinite(array).all():
            raise DataError(
                f"The weights of layer {layer!r} hold NaN or infinite values.", CHANGED_HINT
            )
    featurizer = rebuild_featurizer(spec, members.get(FEATURES_NAME))
    model = _rebuild_model(spec, list(weights.values()), expected)
    record = RunRecord(
        kind="classifier",
        settings={"features": spec.features.kind},
        total_epochs=spec.settings.epochs,
        status="complete",
        message=f"imported from {name}",
        result=BundleResult(spec.training, spec.versions),
    )
    return TrainedClassifier(featurizer, model, spec.labels, spec.net, spec.settings, record)


# ------------------------------------------------ before unpacking


def refuse_unsafe_upload(data: bytes, name: str) -> None:
    """Refuse empty and oversized files; then, by their first bytes or names, files that are
    no bundle and must never be opened (HDF5 ``.h5`` Keras files, pickles, numpy arrays, see
    :data:`BUNDLE_UNSAFE`); then files that are not zips."""
    if not data:
        raise DataError(
            f"{name} is empty.", "Upload a bundle exported from the Save and load models page."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
            "Export a smaller model (fewer features or hidden units).",
        )
    refuse_unsafe(name, data, BUNDLE_UNSAFE)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(ZIP_MAGIC):
            raise DataError(
                f"{name} starts like a zip archive but its end is missing: the file was cut short.",
                DAMAGED_HINT,
            )
        raise DataError(
            f"{name} is not a Deep Text Lab bundle: bundles are zip archives.", EXPORT_HINT
        )


# ------------------------------------------------ weights and features


def expected_weights(net: ClassifierNet) -> list[tuple[str, str, tuple[int, ...]]]:
    """(layer, weight, shape) of every array :func:`build_classifier_model` creates for
    ``net``, in ``get_weights()`` order; worked out without building the model, so a spec that
    asks for a huge network is refused before anything is allocated."""
    shapes: list[tuple[str, str, tuple[int, ...]]] = []
    width = net.input_dim
    if net.input_kind == "sequence":
        shapes.append(("embedding", "embeddings", (net.vocab_size, net.embedding_dim)))
        shapes.extend(sequence_weights(net))
        width = net.sequence_width
    for index, layer in enumerate(net.hidden, start=1):
        shapes.append((f"dense_{index}", "kernel", (width, layer.units)))
        shapes.append((f"dense_{index}", "bias", (layer.units,)))
        width = layer.units
    shapes.append(("output", "kernel", (width, net.output_units)))
    shapes.append(("output", "bias", (net.output_units,)))
    return shapes


def sequence_weights(net: ClassifierNet) -> list[tuple[str, str, tuple[int, ...]]]:
    """(layer, weight, shape) of the sequence layer's arrays: a kernel and bias per
    convolution, or kernel, recurrent kernel and bias per recurrent direction."""
    seq, dim = net.sequence, net.embedding_dim
    if seq.kind == "cnn":
        shapes = []
        for size in seq.kernel_sizes:
            shapes.append((f"conv_{size}", "kernel", (size, dim, seq.filters)))
            shapes.append((f"conv_{size}", "bias", (seq.filters,)))
        return shapes
    if seq.kind == "pooled":
        return []
    gates = 4 if seq.kind == "lstm" else 3
    bias = (gates * seq.units,) if seq.kind == "lstm" else (2, gates * seq.units)  # reset_after
    names = [seq.kind] if not seq.bidirectional else [f"forward {seq.kind}", f"backward {seq.kind}"]
    return [
        (name, weight, shape)
        for name in names
        for weight, shape in (
            ("kernel", (dim, gates * seq.units)),
            ("recurrent kernel", (seq.units, gates * seq.units)),
            ("bias", bias),
        )
    ]


def _check_manifest(spec: BundleSpec, expected: list[tuple[str, str, tuple[int, ...]]]) -> None:
    if len(spec.weights) != len(expected):
        raise DataError(
            f"spec.json lists {len(spec.weights)} weight arrays; the network it describes has "
            f"{len(expected)}.",
            CHANGED_HINT,
        )
    for (layer, weight, shape), (_, listed, dtype) in zip(expected, spec.weights, strict=True):
        if listed != shape:
            raise DataError(
                f"Layer {layer!r} needs a {weight} of shape {shape}; spec.json lists {listed}.",
                CHANGED_HINT,
            )
        if dtype != "float32":
            raise DataError(
                f"Layer {layer!r}: the {weight} is listed as {dtype}; weights are float32.",
                CHANGED_HINT,
            )


def rebuild_featurizer(spec: BundleSpec, features_npz: bytes | None) -> Featurizer:
    """The :class:`Featurizer` of the spec, with ``idf`` / ``word_vectors`` read from
    ``features.npz`` when its feature kind needs them (and refused when it does not)."""
    settings, vocabulary, net = spec.features, spec.vocabulary, spec.net
    size = len(vocabulary)
    needed: dict[str, tuple[tuple[int, ...] | None, str]] = {}
    if settings.kind == "tfidf":
        needed["idf"] = ((size,), FEATURE_ARRAYS["idf"])
    elif settings.kind == "word2vec":
        needed["word_vectors"] = ((size, net.input_dim), FEATURE_ARRAYS["word_vectors"])
    if needed and features_npz is None:
        raise DataError(
            f"{settings.kind} features need {', '.join(needed)}, but the bundle has no "
            f"{FEATURES_NAME}.",
            CHANGED_HINT,
        )
    if not needed and features_npz is not None:
        raise DataError(
            f"{settings.kind} features need no arrays, but the bundle has a {FEATURES_NAME}.",
            CHANGED_HINT,
        )
    if settings.input_kind != net.input_kind:
        raise DataError(
            f"{settings.kind} features give {settings.input_kind} input, but the network "
            f"expects {net.input_kind} input.",
            CHANGED_HINT,
        )
    if settings.input_kind == "sparse" and size != net.input_dim:
        raise DataError(
            f"The vocabulary has {size:,} terms but the network expects {net.input_dim:,} "
            "features.",
            CHANGED_HINT,
        )
    if settings.input_kind == "sequence":
        if size != net.vocab_size or size > settings.max_tokens:
            raise DataError(
                f"The vocabulary has {size:,} tokens; the Embedding layer expects "
                f"{net.vocab_size:,} (and at most max_tokens = {settings.max_tokens:,}).",
                CHANGED_HINT,
            )
        if (net.input_dim, net.embedding_dim) != (settings.sequence_length, settings.embedding_dim):
            raise DataError(
                "The network's sequence length or embedding size differs from the feature "
                "settings.",
                CHANGED_HINT,
            )
    arrays = read_npz(features_npz, FEATURES_NAME, needed, BUNDLE_ZIP) if needed else {}
    for key, array in arrays.items():
        if not np.isfinite(array).all():
            raise DataError(f"{FEATURES_NAME}: {key} holds NaN or infinite values.", CHANGED_HINT)
    featurizer = Featurizer(
        settings, list(vocabulary), idf=arrays.get("idf"), word_vectors=arrays.get("word_vectors")
    )
    if make_net(featurizer, len(spec.labels), spec.net.hidden, spec.net.sequence) != spec.net:
        raise DataError("The network described does not fit its features.", CHANGED_HINT)
    return featurizer


def _rebuild_model(
    spec: BundleSpec,
    weights: list[np.ndarray],
    expected: list[tuple[str, str, tuple[int, ...]]],
):
    """Build the network from the spec alone, check every array against the model's own
    weights, then copy them in. The model is compiled as training compiled it."""
    from core.nn.networks import make_optimizer

    model = build_classifier_model(
        spec.net, seed=spec.settings.seed, mixed_precision=spec.settings.mixed_precision
    )
    own = model.weights
    if len(own) != len(weights):
        raise DataError(
            f"The rebuilt network has {len(own)} weight arrays; the bundle has {len(weights)}.",
            CHANGED_HINT,
        )
    for (layer, weight, _), variable, array in zip(expected, own, weights, strict=True):
        if tuple(variable.shape) != array.shape or np.dtype(variable.dtype) != array.dtype:
            raise DataError(
                f"Layer {layer!r}: the {weight} in the bundle is {array.dtype} {array.shape}; "
                f"the network needs {np.dtype(variable.dtype)} {tuple(variable.shape)}.",
                CHANGED_HINT,
            )
    model.set_weights(weights)
    model.compile(
        optimizer=make_optimizer(spec.settings.optimizer), loss=spec.net.loss, metrics=["accuracy"]
    )
    return model
