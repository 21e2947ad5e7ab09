"""A sparse vocabulary learnt from many texts in bounded memory, and transforms done in chunks.

scikit-learn's vectorizers hold every distinct term of the training texts (at 200,000 short
texts, millions of word pairs and character n-grams) and one Python integer per term occurrence
before they prune to ``max_features``. Here the terms are counted chunk by chunk and the counts
are pruned while counting: when more than ``max_terms`` distinct terms are held, the rarest are
dropped (lossy counting). The kept terms are then chosen exactly as scikit-learn chooses them
(``min_df``, then the ``max_features`` most frequent, sorted by term), so when nothing was pruned
the vocabulary is scikit-learn's own. A term dropped while counting and seen again later starts
from zero, so its count can fall short by at most the sum of the prune thresholds
(:attr:`TermCounts.max_undercount`); only terms near the ``max_features`` cut-off can change.

The inverse document frequencies of the kept terms are counted exactly in a second pass, and
:func:`transform_in_chunks` builds a CSR matrix a chunk of texts at a time, so no step holds one
Python object per term occurrence of the whole corpus. NumPy and SciPy only; the vectorizers are
passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHUNK_TEXTS = 10_000  # texts analysed at a time
TERMS_PER_FEATURE = 10  # distinct terms held while counting, per feature kept


@dataclass(frozen=True)
class TermCounts:
    """Term → occurrences (``tf``) and, when asked for, → texts holding it (``df``), over
    ``texts`` texts. ``prunes``: how many times the counts were cut back; ``max_undercount``:
    the most any kept count can fall short of the true one (0 when nothing was pruned)."""

    tf: dict[str, int]
    df: dict[str, int] | None
    texts: int
    prunes: int = 0
    max_undercount: int = 0


def _prune(tf: Counter, df: Counter | None, keep: int) -> int:
    """Drop every term whose count is at most that of the ``keep``-th most frequent; returns
    that threshold (the most a dropped term had)."""
    counts = np.fromiter(tf.values(), dtype=np.int64, count=len(tf))
    threshold = int(np.partition(counts, len(counts) - keep)[len(counts) - keep])
    for term in [t for t, n in tf.items() if n <= threshold]:
        del tf[term]
        if df is not None:
            df.pop(term, None)
    return threshold


def count_terms(
    analyzer: Callable[[str], list[str]],
    texts: Iterable[str],
    *,
    max_terms: int,
    chunk: int = CHUNK_TEXTS,
    with_df: bool = False,
) -> TermCounts:
    """Count ``analyzer``'s terms over ``texts``, holding at most about ``max_terms`` distinct
    terms: after each ``chunk`` of texts, if more are held, the rarer half is dropped. Document
    frequencies are counted too when ``with_df`` (for ``min_df`` above 1)."""
    if max_terms < 2 or chunk < 1:
        raise ValueError("max_terms must be at least 2 and chunk at least 1")
    tf: Counter = Counter()
    df: Counter | None = Counter() if with_df else None
    seen = prunes = undercount = 0
    for text in texts:
        terms = analyzer(text)
        tf.update(terms)
        if df is not None:
            df.update(set(terms))
        seen += 1
        if seen % chunk == 0 and len(tf) > max_terms:
            undercount += _prune(tf, df, max_terms // 2)
            prunes += 1
    return TermCounts(dict(tf), None if df is None else dict(df), seen, prunes, undercount)


def select_terms(counts: TermCounts, *, min_df: int = 1, max_features: int | None = None):
    """The vocabulary scikit-learn's vectorizers keep from these counts: terms in at least
    ``min_df`` texts, then the ``max_features`` most frequent (ties broken as scikit-learn
    breaks them), in sorted order."""
    terms = sorted(counts.tf)
    mask = np.ones(len(terms), dtype=bool)
    if min_df > 1:
        if counts.df is None:
            raise ValueError("min_df above 1 needs document frequencies (with_df=True)")
        mask &= np.array([counts.df.get(t, 0) for t in terms], dtype=np.int64) >= min_df
    if max_features is not None and mask.sum() > max_features:
        tfs = np.fromiter((counts.tf[t] for t in terms), dtype=np.int64, count=len(terms))
        # The same call on the same arrays as scikit-learn's _limit_features, so ties agree.
        chosen = (-tfs[mask]).argsort()[:max_features]
        limited = np.zeros(len(terms), dtype=bool)
        limited[np.where(mask)[0][chosen]] = True
        mask = limited
    return [term for term, keep in zip(terms, mask, strict=True) if keep]


def chunks(texts: Sequence[str], size: int = CHUNK_TEXTS) -> Iterable[Sequence[str]]:
    """``texts`` in consecutive slices of at most ``size``."""
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def smooth_idf(counter: Any, texts: Sequence[str], n_terms: int, chunk: int = CHUNK_TEXTS):
    """scikit-learn's smoothed idf, ``ln((1 + n) / (1 + df)) + 1``, of each of ``n_terms``
    columns of ``counter`` (a fitted count vectorizer) over ``texts``, counted a chunk at a
    time."""
    df = np.zeros(n_terms, dtype=np.int64)
    for part in chunks(texts, chunk):
        x = counter.transform(part).tocsr()
        x.sum_duplicates()
        df += np.bincount(x.indices, minlength=n_terms)
    return np.log((1 + len(texts)) / (1 + df)) + 1.0


def transform_in_chunks(transform: Callable[[Sequence[str]], Any], texts: Sequence[str],
                        chunk: int = CHUNK_TEXTS):  # fmt: skip
    """``transform`` (texts → sparse rows) applied a chunk at a time and stacked as one float32
    CSR matrix (:func:`stack_rows`)."""
    if len(texts) <= chunk:
        return transform(texts).astype(np.float32).tocsr()
    return stack_rows([transform(part).astype(np.float32).tocsr() for part in chunks(texts, chunk)])


def stack_rows(parts: list) -> Any:
    """The CSR matrices ``parts`` (same columns) stacked as one float32 CSR matrix, as
    ``scipy.sparse.vstack`` stacks them; ``parts`` is emptied on the way.

    Each part is copied into the result and let go at once, and the freed heap handed back to
    the system, so the peak is about one matrix and one part, where ``vstack`` holds every part
    and the whole result together (twice the matrix: 770 MB at 180,000 texts of the default
    features)."""
    import scipy.sparse as sp

    from core.classifier.memory import trim_heap

    n_rows, nnz = sum(p.shape[0] for p in parts), sum(p.nnz for p in parts)
    index = np.int32 if max(nnz, n_rows) < np.iinfo(np.int32).max else np.int64
    data, indices = np.empty(nnz, np.float32), np.empty(nnz, index)
    indptr = np.zeros(n_rows + 1, index)
    shape = (n_rows, parts[0].shape[1])
    parts.reverse()  # pop() from the end takes them in order
    row = at = 0
    while parts:
        part = parts.pop()
        rows, size = part.shape[0], part.nnz
        data[at : at + size] = part.data
        indices[at : at + size] = part.indices
        indptr[row + 1 : row + rows + 1] = part.indptr[1:] + at
        row, at = row + rows, at + size
        del part
        trim_heap()
    return sp.csr_matrix((data, indices, indptr), shape=shape)
