"""Model bundles: a trained classifier as plain JSON and arrays, and a safe way back in.

A bundle is a zip with three members:

- ``spec.json``: the class names, the network's shape, every feature setting with the
  vocabulary, a summary of training, the library versions and a manifest of the weights;
- ``weights.npz``: the arrays of ``model.get_weights()`` as ``arr_0`` … ``arr_n``;
- ``features.npz`` (only when needed): ``idf`` for TF-IDF, ``word_vectors`` for mean word2vec.

:func:`import_bundle` never hands a user's file to Keras's loader: ``.keras`` and ``.h5``
files can run code when loaded (Lambda layers; ``safe_mode`` has been bypassed,
CVE-2025-1550 and CVE-2025-9906, and ``.h5`` ignores it, CVE-2025-9905). Instead it checks
the zip before unpacking anything (size, member names, sizes, compression ratio), reads each
member with a hard cap, validates the spec against the schema by hand, rebuilds the network
with :func:`core.classifier.model.build_classifier_model` and only then copies the weights in. Arrays
are read with ``allow_pickle=False`` after their ``.npy`` headers were checked; nothing is
ever unpickled. Every refusal is a :class:`~core.errors.DataError`.

:func:`export_keras` writes a plain ``.keras`` file for use outside the app; the app never
imports one.
"""

from __future__ import annotations

import io
import json
import math
import platform
import stat
import tempfile
import tomllib
import types
import typing
import zipfile
import zlib
from dataclasses import asdict, dataclass, fields, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from core.classifier.features import FeatureSettings, Featurizer
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.train import ClassifierSettings, TrainedClassifier, make_net
from core.data.datasets import MAX_UPLOAD_BYTES, PROJECT_ROOT
from core.errors import DataError
from core.nn.networks import DenseLayer, OptimizerSpec
from core.nn.training import RunRecord

BUNDLE_FORMAT = "deep-text-lab/classifier"
BUNDLE_VERSION = 1
SPEC_NAME, WEIGHTS_NAME, FEATURES_NAME = "spec.json", "weights.npz", "features.npz"
BUNDLE_MEMBERS = (SPEC_NAME, WEIGHTS_NAME, FEATURES_NAME)
LAYER_TYPES = ("Dense",)

MAX_BUNDLE_MEMBERS = len(BUNDLE_MEMBERS)
MAX_SPEC_BYTES = 32 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # all members together, once inflated
MAX_COMPRESSION_RATIO = 200
# Below this size a member cannot hurt, whatever its ratio; a short JSON may compress well.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_WEIGHT_ARRAYS = 32
MAX_TERM_CHARS = 100_000
MAX_LABEL_CHARS = 1_000
MAX_NAME_CHARS = 500
# A zip whose bytes hold more central-directory signatures than this is refused before
# zipfile parses it, so a file of millions of tiny entries never becomes millions of objects.
MAX_DIRECTORY_SIGNATURES = 1_000

KERAS_ARCHIVE_NAMES = frozenset({"config.json", "metadata.json", "model.weights.h5"})
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
NPY_MAGIC = b"\x93NUMPY"
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")
EXPORT_HINT = "Export a Deep Text Lab bundle from the Save and load models page instead."
CHANGED_HINT = (
    "The bundle may have been edited or made by another program. "
    "Export it again from the Save and load models page."
)
_FEATURE_ARRAYS = {"idf": "float64", "word_vectors": "float32"}
_VERSION_KEYS = (
    "python",
    "keras",
    "keras_backend",
    "tensorflow",
    "scikit-learn",
    "gensim",
    "numpy",
    "deep-text-lab",
)


# ---------------------------------------------------------------- export


def export_bundle(trained: TrainedClassifier) -> bytes:
    """A trained classifier → the bytes of a bundle zip (``spec.json``, ``weights.npz`` and,
    for TF-IDF or word2vec features, ``features.npz``).

    The zip's timestamps are fixed, so the same classifier always gives the same bytes.
    Raises :class:`DataError` when a weight is NaN or infinite (a diverged run).
    """
    weights = [np.asarray(w) for w in trained.model.get_weights()]
    names = [variable.path for variable in trained.model.weights]
    if any(not np.isfinite(w).all() for w in weights):
        raise DataError(
            "Some of this model's weights are NaN or infinite, so there is nothing useful to "
            "export.",
            "Train again with a smaller learning rate.",
        )
    spec = bundle_spec(trained, names, weights)
    features = feature_arrays(trained.featurizer)
    members = {
        SPEC_NAME: json.dumps(spec, indent=1, ensure_ascii=False, allow_nan=False).encode(),
        WEIGHTS_NAME: _savez(*weights),
    }
    if features:
        members[FEATURES_NAME] = _savez(**features)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return out.getvalue()


def bundle_spec(
    trained: TrainedClassifier, names: list[str], weights: list[np.ndarray]
) -> dict[str, Any]:
    """The ``spec.json`` document of a bundle, as plain JSON data."""
    net = trained.net
    settings = trained.settings
    features = _plain(trained.featurizer.settings)
    features["vocabulary"] = [str(term) for term in trained.featurizer.vocabulary]
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "labels": [str(label) for label in trained.label_names],
        "network": {
            "input_kind": net.input_kind,
            "input_dim": net.input_dim,
            "n_classes": net.n_classes,
            "vocab_size": net.vocab_size,
            "embedding_dim": net.embedding_dim,
            "layers": [{"type": "Dense", **_plain(layer)} for layer in net.hidden],
        },
        "features": features,
        "training": {
            "optimizer": _plain(settings.optimizer),
            "epochs": settings.epochs,
            "batch_size": settings.batch_size,
            "seed": settings.seed,
            "class_weight": settings.class_weight,
            "validation_split": settings.validation_split,
            "patience": settings.patience,
            "mixed_precision": settings.mixed_precision,
            **final_metrics(trained.record),
        },
        "versions": library_versions(),
        "weights": [
            {"name": name, "shape": list(w.shape), "dtype": str(w.dtype)}
            for name, w in zip(names, weights, strict=True)
        ],
    }


def final_metrics(record: RunRecord) -> dict[str, Any]:
    """``epochs_done``, ``metrics_epoch`` and ``metrics`` (loss, accuracy… of the epoch whose
    weights the model holds: the best one when early stopping restored it, else the last).

    A classifier that was itself imported passes on the metrics its bundle carried.
    """
    imported = record.result.training if isinstance(record.result, BundleResult) else None
    if not record.history and isinstance(imported, dict):
        return {
            "epochs_done": imported.get("epochs_done"),
            "metrics_epoch": imported.get("metrics_epoch"),
            "metrics": dict(imported.get("metrics") or {}),
        }
    done = record.epochs_done
    epoch = record.best_epoch if record.best_epoch and record.best_epoch <= done else done
    metrics: dict[str, float | None] = {}
    if epoch:
        for key, values in record.history.items():
            if len(values) >= epoch:
                value = float(values[epoch - 1])
                metrics[str(key)] = value if math.isfinite(value) else None
    return {"epochs_done": done, "metrics_epoch": epoch or None, "metrics": metrics}


def feature_arrays(featurizer: Featurizer) -> dict[str, np.ndarray]:
    """The featurizer's arrays by name: ``idf`` and/or ``word_vectors`` when it has them."""
    arrays = {}
    if featurizer.idf is not None:
        arrays["idf"] = np.asarray(featurizer.idf, dtype=np.float64)
    if featurizer.word_vectors is not None:
        arrays["word_vectors"] = np.asarray(featurizer.word_vectors, dtype=np.float32)
    return arrays


def library_versions() -> dict[str, str | None]:
    """Versions of Python, Keras (and its backend), TensorFlow, scikit-learn, gensim, numpy
    and Deep Text Lab; ``None`` for a library that is not installed."""
    import keras

    def installed(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "tensorflow": installed("tensorflow"),
        "scikit-learn": installed("scikit-learn"),
        "gensim": installed("gensim"),
        "numpy": np.__version__,
        "deep-text-lab": _project_version(),
    }


def _project_version() -> str | None:
    try:
        project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
        return str(project["project"]["version"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return None


def _plain(settings: Any) -> dict[str, Any]:
    """A frozen settings dataclass → JSON-ready dict (tuples become lists, nesting kept)."""
    return json.loads(json.dumps(asdict(settings)))


def _savez(*arrays: np.ndarray, **named: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays, **named)
    return buffer.getvalue()


def export_keras(trained: TrainedClassifier) -> bytes:
    """The model alone as a ``.keras`` file, for use in Keras outside the app.

    The app never imports ``.keras`` files (see :func:`import_bundle`): use
    :func:`export_bundle` for a file to load back in. The featurizer is not included.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "classifier.keras"
        trained.model.save(path)
        return path.read_bytes()


# ---------------------------------------------------------------- import


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


@dataclass(frozen=True)
class BundleResult:
    """The run of an imported classifier: its bundle's summary of training (epochs, metrics…)
    and the library versions it was trained with."""

    training: dict[str, Any]
    versions: dict[str, str | None]


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
        required=(SPEC_NAME, WEIGHTS_NAME),
        optional=(FEATURES_NAME,),
        caps={SPEC_NAME: MAX_SPEC_BYTES},
        outer=True,
    )
    spec = parse_spec(members[SPEC_NAME])
    expected = expected_weights(spec.net)
    _check_manifest(spec, expected)
    weights = read_npz(
        members[WEIGHTS_NAME],
        WEIGHTS_NAME,
        {f"arr_{i}": (shape, dtype) for i, (_, shape, dtype) in enumerate(spec.weights)},
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
    """Refuse, by their first bytes, files that are no bundle and must never be opened:
    HDF5 (``.h5``) Keras files, pickles, numpy arrays; then empty, oversized and non-zip files."""
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
    lower = name.lower()
    if data.startswith(HDF5_MAGIC) or lower.endswith((".h5", ".hdf5")):
        raise DataError(
            "This is an HDF5 (.h5) Keras file; it is not loaded because Keras ignores "
            "safe_mode for .h5 files, so loading one can run code (CVE-2025-9905).",
            EXPORT_HINT,
        )
    if (
        data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")
    ) or lower.endswith(PICKLE_SUFFIXES):
        raise DataError(
            "This is a Python pickle; it is not loaded because unpickling a file can run any "
            "code its author wrote.",
            EXPORT_HINT,
        )
    if data.startswith(NPY_MAGIC):
        raise DataError("This is a numpy .npy array, not a Deep Text Lab bundle.", EXPORT_HINT)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK\x03\x04"):
            raise DataError(
                f"{name} starts like a zip archive but its end is missing: the file was cut short.",
                "Download or export the bundle again and upload the whole file.",
            )
        raise DataError(
            f"{name} is not a Deep Text Lab bundle: bundles are zip archives.", EXPORT_HINT
        )


def read_zip_members(
    data: bytes,
    what: str,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    caps: dict[str, int] | None = None,
    outer: bool = False,
) -> dict[str, bytes]:
    """The members of the zip ``data`` by name, after checking its directory first.

    Exactly the ``required`` names and any of ``optional`` are accepted: no other names, no
    folders, links or encrypted members. Sizes declared in the central directory must stay
    under ``caps[name]`` (else :data:`MAX_UNCOMPRESSED_BYTES`) and in total under
    :data:`MAX_UNCOMPRESSED_BYTES`, with a compression ratio of at most
    :data:`MAX_COMPRESSION_RATIO`. Reading then stops at the cap whatever the header said.
    ``outer`` marks the uploaded file itself, where a Keras archive gets its own message.
    """
    caps = caps or {}
    allowed = (*required, *optional)
    if data.count(b"PK\x01\x02") > MAX_DIRECTORY_SIGNATURES:
        raise _too_many(what, f"more than {MAX_DIRECTORY_SIGNATURES:,}", len(allowed))
    with _open_zip(data, what) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if outer and KERAS_ARCHIVE_NAMES & set(names):
            raise DataError(
                "This is a Keras .keras archive; it is not loaded because Keras archives can run "
                "code when loaded (Lambda layers, CVE-2025-1550).",
                EXPORT_HINT,
            )
        if len(infos) > len(allowed):
            raise _too_many(what, f"{len(infos):,}", len(allowed))
        for info in infos:
            _check_member_name(info, what, allowed)
        if len(set(names)) != len(names):
            raise DataError(f"{what} holds two files of the same name.", CHANGED_HINT)
        total = 0
        for info in infos:
            cap = min(caps.get(info.filename, MAX_UNCOMPRESSED_BYTES), MAX_UNCOMPRESSED_BYTES)
            _check_member_size(info, what, cap)
            total += info.file_size
            if total > MAX_UNCOMPRESSED_BYTES:
                raise DataError(
                    f"{what} would unpack to more than {_mb(MAX_UNCOMPRESSED_BYTES)}, the limit "
                    "for a bundle.",
                    "This looks like a zip bomb; it is not unpacked.",
                )
        missing = [n for n in required if n not in names]
        if missing:
            raise DataError(
                f"{what} has no {', '.join(missing)}, which every bundle holds.", CHANGED_HINT
            )
        return {info.filename: _read_member(archive, info, what, caps) for info in infos}


def _open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The zip archive in ``data``; a damaged directory or an unsupported feature is a DataError.

    ``is_zipfile`` only finds the end record, so a bad central directory still fails here.
    """
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError) as error:
        raise DataError(
            f"{what} is damaged or uses a zip feature this app does not read ({str(error)[:200]}).",
            "Download or export the bundle again and upload the whole file.",
        ) from None


def _too_many(what: str, count: str, allowed: int) -> DataError:
    return DataError(f"{what} holds {count} files; a bundle holds at most {allowed}.", CHANGED_HINT)


def _check_member_name(info: zipfile.ZipInfo, what: str, allowed: tuple[str, ...]) -> None:
    name = info.filename
    if not name:
        # Checked first: ZipInfo.is_dir() looks at name[-1] and fails on an empty name.
        raise DataError(f"{what} holds a file with an empty name.", CHANGED_HINT)
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise DataError(
            f"{what} holds a file named {name[:MAX_NAME_CHARS]!r}, a path outside the archive; "
            "it is not unpacked.",
            CHANGED_HINT,
        )
    if info.is_dir():
        raise DataError(f"{what} holds a folder ({name[:MAX_NAME_CHARS]!r}).", CHANGED_HINT)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise DataError(
            f"{what} holds {name[:MAX_NAME_CHARS]!r} as a symbolic link; links are not followed.",
            CHANGED_HINT,
        )
    if name not in allowed:
        raise DataError(
            f"{what} holds an unexpected file {name[:MAX_NAME_CHARS]!r}; a bundle holds only "
            f"{', '.join(allowed)}.",
            CHANGED_HINT,
        )
    if info.flag_bits & 0x1:
        raise DataError(f"{what}: {name} is encrypted.", CHANGED_HINT)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataError(
            f"{what}: {name} uses a compression method the app does not read "
            f"(number {info.compress_type}).",
            CHANGED_HINT,
        )


def _check_member_size(info: zipfile.ZipInfo, what: str, cap: int) -> None:
    if info.file_size > cap:
        raise DataError(
            f"{what}: {info.filename} would unpack to {_mb(info.file_size)}; the limit is "
            f"{_mb(cap)}.",
            "This looks like a zip bomb; it is not unpacked.",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
        raise DataError(
            f"{what}: {info.filename} is compressed {ratio:,.0f} to 1; a bundle's members are "
            f"at most {MAX_COMPRESSION_RATIO} to 1.",
            "This looks like a zip bomb; it is not unpacked.",
        )


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, caps: dict[str, int]
) -> bytes:
    """Inflate one member, reading at most one byte past its declared size and its cap."""
    cap = min(caps.get(info.filename, MAX_UNCOMPRESSED_BYTES), MAX_UNCOMPRESSED_BYTES)
    limit = min(info.file_size, cap)
    try:
        with archive.open(info) as stream:
            payload = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise DataError(
            f"{what}: {info.filename} is damaged ({str(error)[:200]}).",
            "Download or export the bundle again and upload the whole file.",
        ) from None
    if len(payload) > limit:
        raise DataError(
            f"{what}: {info.filename} unpacks to more than its directory entry says.",
            "This looks like a zip bomb; it is not unpacked.",
        )
    return payload


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


# ------------------------------------------------ the spec


def parse_spec(raw: bytes) -> BundleSpec:
    """``spec.json`` bytes → a :class:`BundleSpec`, checking format, version, known keys,
    types and ranges at every level. Raises :class:`DataError` naming what is wrong."""
    try:
        document = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise DataError(
            f"spec.json is not valid JSON ({str(error)[:200]}).", CHANGED_HINT
        ) from None
    top = _object(
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
    settings, training = _training(top["training"], features, net.hidden)
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


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _no_constants(constant: str) -> None:
    raise ValueError(f"{constant} is not a number JSON allows")


def _object(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """``value`` as a dict with exactly ``keys``: unknown and missing keys are refused."""
    if not isinstance(value, dict):
        raise DataError(f"{where} must be a JSON object.", CHANGED_HINT)
    unknown = [key for key in value if key not in keys]
    if unknown:
        shown = ", ".join(repr(k[:100]) for k in unknown[:5])
        raise DataError(
            f"{where} has unknown keys {shown}; the known ones are {', '.join(keys)}.",
            CHANGED_HINT,
        )
    missing = [key for key in keys if key not in value]
    if missing:
        raise DataError(f"{where} lacks {', '.join(missing)}.", CHANGED_HINT)
    return value


def _value(hint: Any, value: Any, where: str) -> Any:
    """``value`` checked against the type ``hint`` (bool, int, float, str, a ``Literal``,
    ``X | None``, ``tuple[int, int]`` or a settings dataclass); lists become tuples."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        if value not in typing.get_args(hint) or isinstance(value, bool):
            choices = ", ".join(repr(c) for c in typing.get_args(hint))
            raise DataError(
                f"{where} is {_show(value)}; it must be one of {choices}.", CHANGED_HINT
            )
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _value(inner, value, where)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list) or len(value) != len(args):
            raise DataError(f"{where} must be a list of {len(args)} values.", CHANGED_HINT)
        return tuple(
            _value(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if is_dataclass(hint):
        return _dataclass(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise DataError(f"{where} must be true or false, not {_show(value)}.", CHANGED_HINT)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DataError(f"{where} must be a whole number, not {_show(value)}.", CHANGED_HINT)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataError(f"{where} must be a number, not {_show(value)}.", CHANGED_HINT)
        if not math.isfinite(value):
            raise DataError(f"{where} must be a finite number.", CHANGED_HINT)
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise DataError(f"{where} must be a string, not {_show(value)}.", CHANGED_HINT)
        return value
    raise TypeError(f"no JSON check for {hint!r}")  # a programming error, not the file's


def _dataclass(cls: type, value: Any, where: str, skip: tuple[str, ...] = ()) -> Any:
    """A settings dataclass from a JSON object with exactly its fields (plus ``skip`` keys,
    left for the caller); the dataclass's own checks turn into :class:`DataError`."""
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls) if f.init and not f.name.startswith("_"))
    obj = _object(value, where, (*names, *skip))
    kwargs = {name: _value(hints[name], obj[name], f"{where}.{name}") for name in names}
    return _construct(cls, where, **kwargs)


def _construct(cls: type, where: str, **kwargs: Any) -> Any:
    try:
        return cls(**kwargs)
    except ValueError as error:
        text = str(error).rstrip(".")
        raise DataError(f"{where}: {text}.", CHANGED_HINT) from None


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


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
    obj = _object(
        value,
        where,
        ("input_kind", "input_dim", "n_classes", "vocab_size", "embedding_dim", "layers"),
    )
    hints = typing.get_type_hints(ClassifierNet)
    plain = {
        key: _value(hints[key], obj[key], f"{where}.{key}")
        for key in ("input_kind", "input_dim", "n_classes", "vocab_size", "embedding_dim")
    }
    layers = obj["layers"]
    if not isinstance(layers, list):
        raise DataError(f"{where}.layers must be a list.", CHANGED_HINT)
    if len(layers) > 8:
        raise DataError(f"The network has {len(layers)} hidden layers; at most 8.", CHANGED_HINT)
    hidden = tuple(_layer(layer, i) for i, layer in enumerate(layers, start=1))
    return _construct(ClassifierNet, where, hidden=hidden, **plain)


def _layer(value: Any, number: int) -> DenseLayer:
    where = f"spec.json hidden layer {number}"
    if not isinstance(value, dict):
        raise DataError(f"{where} must be a JSON object.", CHANGED_HINT)
    kind = value.get("type")
    if kind not in LAYER_TYPES:
        raise DataError(
            f"Hidden layer {number} has type {_show(kind)}, which Deep Text Lab does not build; "
            f"the known layer types are: {', '.join(LAYER_TYPES)}.",
            "Bundles hold only the layers the Classifier page builds; layers such as Lambda "
            "could run code, so they are never loaded.",
        )
    return _dataclass(DenseLayer, value, where, skip=("type",))


def _features(value: Any) -> tuple[FeatureSettings, list[str]]:
    settings = _dataclass(FeatureSettings, value, "spec.json features", skip=("vocabulary",))
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
                f"characters; found {_show(term)}.",
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
    value: Any, features: FeatureSettings, hidden: tuple[DenseLayer, ...]
) -> tuple[ClassifierSettings, dict[str, Any]]:
    where = "spec.json training"
    obj = _object(value, where, _TRAINING_KEYS)
    hints = typing.get_type_hints(ClassifierSettings)
    kwargs = {
        key: _value(hints[key], obj[key], f"{where}.{key}")
        for key in _TRAINING_KEYS[:8]
        if key != "optimizer"
    }
    optimizer = _dataclass(OptimizerSpec, obj["optimizer"], f"{where}.optimizer")
    settings = _construct(
        ClassifierSettings, where, features=features, hidden=hidden, optimizer=optimizer, **kwargs
    )
    done = _value(int | None, obj["epochs_done"], f"{where}.epochs_done")
    epoch = _value(int | None, obj["metrics_epoch"], f"{where}.metrics_epoch")
    metrics = obj["metrics"]
    if not isinstance(metrics, dict) or len(metrics) > 100:
        raise DataError(f"{where}.metrics must be an object of at most 100 numbers.", CHANGED_HINT)
    for key, number in metrics.items():
        if len(key) > 100:
            raise DataError(f"{where}.metrics has a name longer than 100 characters.", CHANGED_HINT)
        _value(float | None, number, f"{where}.metrics.{key}")
    summary = {"epochs_done": done, "metrics_epoch": epoch, "metrics": dict(metrics)}
    return settings, summary


def _versions(value: Any) -> dict[str, str | None]:
    obj = _object(value, "spec.json versions", _VERSION_KEYS)
    out = {}
    for key in _VERSION_KEYS:
        text = _value(str | None, obj[key], f"spec.json versions.{key}")
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
        obj = _object(entry, where, ("name", "shape", "dtype"))
        name = _value(str, obj["name"], f"{where}.name")[:MAX_NAME_CHARS]
        shape = obj["shape"]
        if not isinstance(shape, list) or len(shape) > 2:
            raise DataError(f"{where}.shape must be a list of at most 2 sizes.", CHANGED_HINT)
        dims = tuple(_value(int, d, f"{where}.shape") for d in shape)
        if any(d < 0 for d in dims):
            raise DataError(f"{where}.shape has a negative size.", CHANGED_HINT)
        dtype = _value(str, obj["dtype"], f"{where}.dtype")
        entries.append((name, dims, dtype[:20]))
    return tuple(entries)


# ------------------------------------------------ weights and features


def expected_weights(net: ClassifierNet) -> list[tuple[str, str, tuple[int, ...]]]:
    """(layer, weight, shape) of every array :func:`build_classifier_model` creates for
    ``net``, in ``get_weights()`` order; worked out without building the model, so a spec that
    asks for a huge network is refused before anything is allocated."""
    shapes: list[tuple[str, str, tuple[int, ...]]] = []
    width = net.input_dim
    if net.input_kind == "sequence":
        shapes.append(("embedding", "embeddings", (net.vocab_size, net.embedding_dim)))
        width = net.embedding_dim
    for index, layer in enumerate(net.hidden, start=1):
        shapes.append((f"dense_{index}", "kernel", (width, layer.units)))
        shapes.append((f"dense_{index}", "bias", (layer.units,)))
        width = layer.units
    shapes.append(("output", "kernel", (width, net.output_units)))
    shapes.append(("output", "bias", (net.output_units,)))
    return shapes


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


def read_npz(
    raw: bytes,
    what: str,
    expected: dict[str, tuple[tuple[int, ...] | None, str]],
    labels: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` (itself a zip) by key, each checked against
    ``expected[key] = (shape or None for any, dtype)`` from its ``.npy`` header *before* its
    data is read. Loaded with ``allow_pickle=False``. ``labels[key]`` names an array in
    messages (``"the kernel of layer 'dense_1'"``)."""
    members = read_zip_members(raw, what, required=tuple(f"{key}.npy" for key in expected))
    arrays = {}
    for key, (shape, dtype) in expected.items():
        payload = members[f"{key}.npy"]
        label = (labels or {}).get(key)
        where = f"{what}: {key}" + (f" ({label})" if label else "")
        _check_npy_header(payload, where, shape, dtype)
        arrays[key] = np.load(io.BytesIO(payload), allow_pickle=False)
    return arrays


def _check_npy_header(
    payload: bytes, where: str, shape: tuple[int, ...] | None, dtype: str
) -> tuple[int, ...]:
    from numpy.lib import format as npy

    stream = io.BytesIO(payload)
    major, _ = npy.read_magic(stream)
    if major == 1:
        found_shape, _, found_dtype = npy.read_array_header_1_0(stream)
    elif major in (2, 3):
        found_shape, _, found_dtype = npy.read_array_header_2_0(stream)
    else:
        raise DataError(f"{where} has an unknown .npy version {major}.", CHANGED_HINT)
    if found_dtype.hasobject or found_dtype != np.dtype(dtype):
        raise DataError(f"{where} holds {found_dtype} values; expected {dtype}.", CHANGED_HINT)
    if shape is not None and tuple(found_shape) != tuple(shape):
        raise DataError(
            f"{where} has shape {tuple(found_shape)}; expected {tuple(shape)}.", CHANGED_HINT
        )
    size = math.prod(found_shape) * found_dtype.itemsize
    if size != len(payload) - stream.tell():
        raise DataError(
            f"{where} holds {len(payload) - stream.tell():,} bytes of data; its "
            f"header says {size:,}.",
            CHANGED_HINT,
        )
    return tuple(found_shape)


def rebuild_featurizer(spec: BundleSpec, features_npz: bytes | None) -> Featurizer:
    """The :class:`Featurizer` of the spec, with ``idf`` / ``word_vectors`` read from
    ``features.npz`` when its feature kind needs them (and refused when it does not)."""
    settings, vocabulary, net = spec.features, spec.vocabulary, spec.net
    size = len(vocabulary)
    needed: dict[str, tuple[tuple[int, ...] | None, str]] = {}
    if settings.kind == "tfidf":
        needed["idf"] = ((size,), _FEATURE_ARRAYS["idf"])
    elif settings.kind == "word2vec":
        needed["word_vectors"] = ((size, net.input_dim), _FEATURE_ARRAYS["word_vectors"])
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
    arrays = read_npz(features_npz, FEATURES_NAME, needed) if needed else {}
    for key, array in arrays.items():
        if not np.isfinite(array).all():
            raise DataError(f"{FEATURES_NAME}: {key} holds NaN or infinite values.", CHANGED_HINT)
    featurizer = Featurizer(
        settings, list(vocabulary), idf=arrays.get("idf"), word_vectors=arrays.get("word_vectors")
    )
    if make_net(featurizer, len(spec.labels), spec.net.hidden) != spec.net:
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
