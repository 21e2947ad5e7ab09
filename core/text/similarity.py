"""Cosine similarity between vectors and between the documents of a bag of words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.text.bagofwords import BagOfWords


def _row_normalize(matrix):
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1, copy=True)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """cos(theta) = a.b / (|a| |b|) for two dense vectors; 0.0 when either is all zeros."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    norms = np.linalg.norm(x) * np.linalg.norm(y)
    return float(x @ y / norms) if norms else 0.0


def cosine_matrix(matrix, max_docs: int = 200) -> np.ndarray:
    """Pairwise cosine similarity of the first ``max_docs`` rows (a small dense square)."""
    rows = _row_normalize(matrix[:max_docs])
    return (rows @ rows.T).toarray()


def most_similar(bow: BagOfWords, query: str | int, topn: int = 5) -> list[tuple[int, float]]:
    """Documents closest to ``query`` (a new text, or the index of a document), best first.

    Returns ``(document index, cosine)`` pairs, skipping the query document itself. Sparse
    throughout: one sparse matrix-vector product, whatever the corpus size.
    """
    if isinstance(query, int):
        vector = bow.matrix[query]
        skip = query
    else:
        vector = bow.transform([query])
        skip = -1
    if vector.nnz == 0:
        return []
    scores = np.asarray((_row_normalize(bow.matrix) @ _row_normalize(vector).T).todense()).ravel()
    order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order if i != skip][:topn]


@dataclass(frozen=True)
class CosineParts:
    """The pieces of cos(theta) = a.b / (|a| |b|), to show the arithmetic."""

    dot: float
    norm_a: float
    norm_b: float
    cosine: float


def cosine_parts(a: Sequence[float], b: Sequence[float]) -> CosineParts:
    """The dot product, both norms and their ratio for two dense vectors."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return CosineParts(
        float(x @ y), float(np.linalg.norm(x)), float(np.linalg.norm(y)), cosine(x, y)
    )
