"""Image classification: 8x8 digit images (X, 64 pixel values) -> the digit 0-9 (Y).

A Dense network learns from the pixels directly; its first layer's weights, drawn as 8x8 images,
are the features it learned from the data. Keras is imported inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.nn.networks import (
    DenseLayer,
    NetworkSpec,
    OptimizerSpec,
    build_dense_model,
    keras_code,
    make_optimizer,
)
from core.nn.training import RunRecord, StopFlag, fit_live, seed_everything

IMAGE_SIDE = 8
PIXELS = IMAGE_SIDE * IMAGE_SIDE
CLASSES = 10
# scikit-learn's digits count ink in 0..16; dividing keeps inputs in [0, 1].
PIXEL_MAX = 16.0
MAX_WEIGHT_IMAGES = 16


@dataclass(frozen=True)
class DigitsSettings:
    """Everything one run of the image page depends on; the layer and optimizer check
    themselves."""

    hidden: DenseLayer = DenseLayer(32, "relu")
    optimizer: OptimizerSpec = OptimizerSpec("adam", 0.01)
    epochs: int = 20
    batch_size: int = 32
    test_fraction: float = 0.25
    validation_fraction: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("Epochs and batch size must be at least 1.")
        if not 0.05 <= self.test_fraction <= 0.5 or not 0 <= self.validation_fraction <= 0.5:
            raise ValueError("Use a test share of 5-50% and a validation share of 0-50%.")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> DigitsSettings:
        """The settings back from ``dataclasses.asdict`` (as a run's record keeps them)."""
        return cls(
            **{
                **values,
                "hidden": DenseLayer(**values["hidden"]),
                "optimizer": OptimizerSpec(**values["optimizer"]),
            }
        )

    def network(self) -> NetworkSpec:
        """Input 64 -> Dense hidden -> Dense 10 softmax."""
        return NetworkSpec(PIXELS, (self.hidden,), CLASSES, "softmax")


@dataclass(frozen=True)
class DigitsSplit:
    """Flattened, scaled pixels and labels; ``images_test`` keeps the 8x8 test images to draw."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    images_test: np.ndarray


def count_test_images(n_images: int, test_fraction: float) -> int:
    """How many images the split puts in the test set (scikit-learn rounds up)."""
    return math.ceil(n_images * test_fraction)


def split_digits(
    images: np.ndarray, labels: np.ndarray, test_fraction: float = 0.25, seed: int = 0
) -> DigitsSplit:
    """(n, 8, 8) images and labels -> a stratified train/test split of 64-pixel rows in [0, 1]."""
    from sklearn.model_selection import train_test_split

    images = np.asarray(images, dtype=float)
    labels = np.asarray(labels, dtype=int)
    x = (images.reshape(len(images), -1) / PIXEL_MAX).astype("float32")
    x_train, x_test, y_train, y_test, _, img_test = train_test_split(
        x, labels, images, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return DigitsSplit(x_train, y_train, x_test, y_test, img_test)


def confusion(y_true, y_pred) -> np.ndarray:
    """The 10x10 confusion matrix: rows are true digits, columns predicted ones."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(range(CLASSES)))


def weight_images(kernel: np.ndarray) -> np.ndarray:
    """A first-layer kernel of shape (64, units) -> one 8x8 image per hidden unit: (units, 8, 8)."""
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2 or kernel.shape[0] != PIXELS:
        raise ValueError(f"expected a kernel of shape (64, units), got {kernel.shape}")
    return kernel.T.reshape(kernel.shape[1], IMAGE_SIDE, IMAGE_SIDE)


@dataclass(frozen=True)
class DigitsResult:
    """What the trained network does on the test set, what its first layer learned, and how
    many images it trained on."""

    y_test: np.ndarray
    y_pred: np.ndarray
    images_test: np.ndarray
    matrix: np.ndarray
    weights: np.ndarray  # (units, 8, 8)
    n_train: int

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.y_test == self.y_pred))

    @property
    def correct(self) -> int:
        return int(np.sum(self.y_test == self.y_pred))

    @property
    def misclassified(self) -> np.ndarray:
        """Indices into the test set where the prediction is wrong."""
        return np.flatnonzero(self.y_test != self.y_pred)

    def flat(self) -> dict[str, float]:
        """The final results by display name (the Runs table's metrics): the test accuracy."""
        return {"test accuracy": self.accuracy}


def train_digits(
    settings: DigitsSettings,
    images: np.ndarray,
    labels: np.ndarray,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
) -> RunRecord:
    """Train the network live; ``record.result`` becomes its :class:`DigitsResult`.

    No result is stored when training failed (NaN or exploding loss). A stopped run is still
    evaluated with the weights it reached.
    """
    split = split_digits(images, labels, settings.test_fraction, settings.seed)
    seed_everything(settings.seed)
    model = build_dense_model(settings.network(), seed=settings.seed)
    model.compile(
        optimizer=make_optimizer(settings.optimizer),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    record = record or RunRecord(kind="digits")
    extra = (
        {"validation_split": settings.validation_fraction} if settings.validation_fraction else {}
    )
    fit_live(
        model,
        split.x_train,
        split.y_train,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        record=record,
        stop_flag=stop_flag,
        **extra,
    )
    if record.status == "failed":
        return record
    probabilities = model.predict(split.x_test, verbose=0)
    if not np.all(np.isfinite(probabilities)):
        record.finish("failed", "The network output NaN: is the learning rate too high?")
        return record
    y_pred = probabilities.argmax(axis=1)
    kernel = model.layers[0].get_weights()[0]
    result = record.result = DigitsResult(
        split.y_test,
        y_pred,
        split.images_test,
        confusion(split.y_test, y_pred),
        weight_images(kernel),
        n_train=len(split.y_train),
    )
    record.metrics = result.flat()
    return record


def digits_code(settings: DigitsSettings) -> str:
    """A stand-alone script doing what the page ran, with these settings filled in."""
    model = keras_code(
        settings.network(),
        settings.optimizer,
        "sparse_categorical_crossentropy",
        ["accuracy"],
    ).replace("import keras\n\n", "")
    validation = (
        f"validation_split={settings.validation_fraction}, " if settings.validation_fraction else ""
    )
    return f"""import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split

keras.utils.set_random_seed({settings.seed})
digits = load_digits()
x = digits.images.reshape(len(digits.images), 64) / 16.0  # X = 64 pixel values in [0, 1]
y = digits.target  # Y = the digit 0-9
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size={settings.test_fraction}, random_state={settings.seed}, stratify=y
)

{model}
model.fit(x_train, y_train, epochs={settings.epochs}, batch_size={settings.batch_size},
          {validation}callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)

y_pred = model.predict(x_test, verbose=0).argmax(axis=1)
print("test accuracy:", np.mean(y_pred == y_test))
print(confusion_matrix(y_test, y_pred))
# The first layer's weights as 8x8 images: one learned feature per hidden unit
features = model.layers[0].get_weights()[0].T.reshape(-1, 8, 8)
"""
