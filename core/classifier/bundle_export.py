"""Model bundles out: a trained classifier as plain JSON and arrays, and a ``.keras`` copy.

:func:`export_bundle` writes the zip that :func:`core.classifier.bundle.import_bundle` reads
back (its members are described in :mod:`core.classifier.bundle_format`). :func:`export_keras`
writes a plain ``.keras`` file for use outside the app; the app never imports one.
"""

from __future__ import annotations

import io
import json
import math
import platform
import tempfile
import tomllib
import zipfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from core.classifier.bundle_format import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    FEATURES_NAME,
    SPEC_NAME,
    WEIGHTS_NAME,
    BundleResult,
)
from core.classifier.features import Featurizer
from core.classifier.train import TrainedClassifier
from core.data.datasets import PROJECT_ROOT
from core.errors import DataError
from core.nn.training import RunRecord


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
        WEIGHTS_NAME: savez(*weights),
    }
    if features:
        members[FEATURES_NAME] = savez(**features)
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
            "sequence": _plain(net.sequence),
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


def savez(*arrays: np.ndarray, **named: np.ndarray) -> bytes:
    """The bytes of an ``.npz`` holding ``arrays`` (as ``arr_0`` …) and ``named`` arrays."""
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
