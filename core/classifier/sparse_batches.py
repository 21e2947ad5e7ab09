"""Large sparse inputs fed to Keras one batch at a time, so training holds no second copy.

Given a SciPy CSR matrix, Keras converts the whole of it to a TensorFlow sparse tensor before
the first step (int64 coordinates and float32 values: 20 bytes a non-zero, against the CSR's 8),
with more copies while converting; for 180,000 texts of words and character n-grams that is
gigabytes. :class:`SparseBatches` keeps the CSR matrix and converts one shuffled batch at a time.
Class weights become per-row sample weights, which is what Keras makes of ``class_weight``.
Used for the TensorFlow backend from :data:`BATCHES_FROM` non-zeros; smaller inputs (every
page's) train exactly as before. Keras and TensorFlow are imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BATCHES_FROM = 5_000_000  # non-zeros of the training rows
VALIDATION_BATCH = 1_024


def wants_batches(x: Any) -> bool:
    """Whether ``x`` (training inputs) should go to Keras batch by batch: a SciPy sparse matrix
    of at least :data:`BATCHES_FROM` non-zeros, on the TensorFlow backend."""
    import keras

    return hasattr(x, "tocsr") and x.nnz >= BATCHES_FROM and keras.backend.backend() == "tensorflow"


def _sparse_batch_class():
    import keras

    class SparseBatches(keras.utils.PyDataset):
        """Rows of CSR ``x`` with labels ``y`` (and ``weights``, or none) in batches of
        ``batch_size``, as TensorFlow sparse tensors; shuffled anew every epoch with ``seed``
        when ``shuffle``."""

        def __init__(self, x, y, weights=None, batch_size=32, seed=0, shuffle=True) -> None:
            super().__init__()
            self.x, self.y, self.weights = x.tocsr(), np.asarray(y), weights
            self.batch_size, self.shuffle = int(batch_size), shuffle
            self.rng = np.random.default_rng(seed)
            self.order = self._order()

        def _order(self) -> np.ndarray:
            rows = self.x.shape[0]
            return self.rng.permutation(rows) if self.shuffle else np.arange(rows)

        def __len__(self) -> int:
            return -(-self.x.shape[0] // self.batch_size)

        def __getitem__(self, index: int):
            import tensorflow as tf

            rows = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
            part = self.x[rows].tocoo()
            coordinates = np.stack([part.row, part.col], axis=1).astype(np.int64)
            batch = tf.sparse.SparseTensor(coordinates, part.data, part.shape)
            if self.weights is None:
                return batch, self.y[rows]
            return batch, self.y[rows], self.weights[rows]

        def on_epoch_end(self) -> None:
            self.order = self._order()

    return SparseBatches


def sparse_batches(x, y, batch_size: int, seed: int, fit_kwargs: dict[str, Any]):
    """``(inputs, fit_kwargs)`` for ``model.fit`` with ``x``/``y`` as shuffled batches: the
    ``class_weight`` of ``fit_kwargs`` turned into sample weights, its ``validation_data``
    batched too (in order), and no ``batch_size``/``shuffle`` left to pass."""
    batches = _sparse_batch_class()
    kwargs = {k: v for k, v in fit_kwargs.items() if k not in ("class_weight", "shuffle")}
    weights = None
    if fit_kwargs.get("class_weight"):
        table = fit_kwargs["class_weight"]
        weights = np.array([table[int(label)] for label in np.asarray(y)], dtype=np.float32)
    if "validation_data" in fit_kwargs:
        x_val, y_val = fit_kwargs["validation_data"]
        kwargs["validation_data"] = batches(x_val, y_val, None, VALIDATION_BATCH, shuffle=False)
    return batches(x, y, weights, batch_size, seed), kwargs
