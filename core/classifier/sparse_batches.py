"""Large sparse inputs fed to Keras one batch at a time, so training holds no second copy.

Given a SciPy CSR matrix, Keras converts the whole of it to a TensorFlow sparse tensor before
the first step (int64 coordinates and float32 values: 20 bytes a non-zero, against the CSR's 8),
with more copies while converting; for 180,000 texts of words and character n-grams that is
gigabytes. :class:`SparseBatches` keeps the CSR matrix and converts one shuffled batch at a time.
Class weights become per-row sample weights, which is what Keras makes of ``class_weight``.
Used for the TensorFlow backend from :data:`BATCHES_FROM` non-zeros; smaller inputs (every
page's) train exactly as before. From :data:`TEXT_ROWS_FROM` non-zeros not even the CSR matrix
is kept: :class:`TextRows` featurizes each batch from its texts. Keras and TensorFlow are
imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BATCHES_FROM = 5_000_000  # non-zeros of the training rows
VALIDATION_BATCH = 1_024
# From this many non-zeros (estimated) the training rows are not kept as a matrix at all: each
# batch is featurized from its texts when Keras asks for it. At 180,000 texts of the default
# features the matrix is 390 MB, which with TensorFlow's 650 MB and its training buffers took
# the run past 1.5 GB; featurizing 32 texts costs a few milliseconds a batch.
TEXT_ROWS_FROM = 20_000_000


def wants_batches(x: Any) -> bool:
    """Whether ``x`` (training inputs) should go to Keras batch by batch: a SciPy sparse matrix
    of at least :data:`BATCHES_FROM` non-zeros, on the TensorFlow backend."""
    import keras

    return hasattr(x, "tocsr") and x.nnz >= BATCHES_FROM and keras.backend.backend() == "tensorflow"


class TextRows:
    """Feature rows made from ``texts`` only when asked: ``rows[indices]`` is
    ``transform`` of those texts (a CSR matrix), so no matrix of every row is held. Stands in
    for a CSR matrix in :func:`sparse_batches`, whose batches are then the same rows."""

    def __init__(self, texts, transform, n_columns: int) -> None:
        self.texts, self.transform = tuple(texts), transform
        self.shape = (len(self.texts), int(n_columns))

    def __getitem__(self, rows):
        return self.transform([self.texts[i] for i in np.asarray(rows)])

    def tocsr(self) -> TextRows:
        return self


def estimated_nonzeros(transform, texts, sample: int = 1_000) -> int:
    """The non-zeros ``transform`` would give all ``texts``, from an evenly spread ``sample``."""
    if not texts:
        return 0
    picked = list(texts[:: max(1, len(texts) // sample)])
    return int(transform(picked).nnz * len(texts) / len(picked))


def wants_text_rows(transform, texts) -> bool:
    """Whether the training ``texts`` should reach Keras featurized batch by batch
    (:class:`TextRows`): from :data:`TEXT_ROWS_FROM` estimated non-zeros, on the TensorFlow
    backend (Keras is imported only then, when no matrix is held)."""
    if estimated_nonzeros(transform, texts) < TEXT_ROWS_FROM:
        return False
    import keras

    return keras.backend.backend() == "tensorflow"


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
