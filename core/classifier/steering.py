"""Validation rows, class weights and the callbacks that cut the rate and stop early.

What steers a classifier's training besides its settings, shared by the one-process and the
data-parallel path. Keras is imported inside the functions.
"""

from __future__ import annotations

import math

import numpy as np


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """``n / (k × count)`` per class: scikit-learn's "balanced" weights."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    return {i: float(len(y) / (n_classes * c)) if c else 0.0 for i, c in enumerate(counts)}


def validation_split(
    y: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Stratified training and validation indices, or ``None`` when too small to split.

    Keras's own ``validation_split`` takes the last rows, which in a file sorted by source
    (a video, a date) is not a sample of the rest.
    """
    from sklearn.model_selection import train_test_split

    n_classes = len(np.unique(y))
    n_val = math.ceil(share * len(y))
    if share <= 0 or n_val < n_classes or len(y) - n_val < n_classes:
        return None
    if np.bincount(y).min() < 2:
        return None
    train, val = train_test_split(np.arange(len(y)), test_size=n_val, random_state=seed, stratify=y)
    return np.sort(train), np.sort(val)


# Adam's steps stay the same size once the loss is small, so on large data the weights keep
# stepping across the best boundary; a smaller step after a stall lets them settle on it.
LR_FACTOR = 0.3


def lr_patience(patience: int) -> int:
    """Epochs of stalled validation loss before the learning rate is cut: half the
    early-stopping ``patience`` (at least one), so a cut comes before training stops."""
    return max(1, patience // 2)


def cuts_learning_rate(input_kind: str) -> bool:
    """Whether a network on ``input_kind`` inputs has its learning rate cut after a stall: on
    sparse term features, where it was measured to help. Networks reading token ids often sit
    on a plateau before they learn, and a cut there stalls them for good."""
    return input_kind == "sparse"


def validation_callbacks(patience: int, cut_rate: bool = True) -> list:
    """With ``cut_rate``, ``ReduceLROnPlateau``, which cuts the learning rate by
    :data:`LR_FACTOR` once the validation loss stalls for :func:`lr_patience` epochs; then
    ``EarlyStopping`` on the validation loss after ``patience`` epochs, restoring the best
    weights."""
    import keras

    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    if not cut_rate:
        return [stop]
    cut = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=LR_FACTOR, patience=lr_patience(patience)
    )
    return [cut, stop]
