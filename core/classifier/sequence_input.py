"""Token sequences for the sequence models: a padding length chosen from the data, and an
``Embedding`` that starts from word vectors, with how much of the vocabulary they cover.

Texts become token ids with the app's own tokenizer (:meth:`Featurizer.transform`): ids are
written from the left, the rest of the row is padding (id 0), words outside the vocabulary get
id 1, and a text longer than the sequence length loses its end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.classifier.features import OOV, PAD, FeatureSettings, Featurizer

LENGTH_QUANTILE = 0.95
MAX_PROPOSED_LENGTH = 400  # recurrent layers run step by step: longer rows cost time
EMBEDDING_INIT_RANGE = 0.05  # unknown words start like the Embedding layer's own rows


@dataclass(frozen=True)
class LengthReport:
    """How long the training texts are in tokens, and the sequence length proposed for them.

    ``counts`` holds each text's token count; ``length`` is the ``quantile`` of the counts,
    at least 1 and at most ``cap``.
    """

    counts: np.ndarray
    length: int
    quantile: float
    cap: int

    def texts_cut(self, length: int | None = None) -> float:
        """The share of texts longer than ``length`` (default: the proposed one), which lose
        their end."""
        length = self.length if length is None else length
        return float((self.counts > length).mean()) if len(self.counts) else 0.0

    def tokens_cut(self, length: int | None = None) -> float:
        """The share of all tokens that fall beyond ``length`` and are cut."""
        length = self.length if length is None else length
        total = int(self.counts.sum())
        return float(np.clip(self.counts - length, 0, None).sum() / total) if total else 0.0

    def summary(self, length: int | None = None) -> str:
        """One sentence for display: the length and how much of the texts it cuts."""
        length = self.length if length is None else length
        return (
            f"Sequence length {length}: {self.texts_cut(length):.1%} of the texts are cut, "
            f"losing {self.tokens_cut(length):.1%} of all tokens."
        )


def token_counts(texts: Sequence[str], features: FeatureSettings | None = None) -> np.ndarray:
    """The number of tokens the app's tokenizer (``features.text``, default settings when
    ``None``) finds in each text."""
    probe = Featurizer(features or FeatureSettings(kind="embedding"), [])
    return np.array([len(probe.tokens(text)) for text in texts], dtype=np.int64)


def propose_sequence_length(
    texts: Sequence[str],
    features: FeatureSettings | None = None,
    quantile: float = LENGTH_QUANTILE,
    cap: int = MAX_PROPOSED_LENGTH,
) -> LengthReport:
    """The sequence length for ``texts`` (the training texts): the ``quantile`` of their token
    counts, rounded up, from 1 to ``cap``; with the counts, to show what it cuts."""
    if not 0.0 < quantile <= 1.0 or cap < 1:
        raise ValueError("quantile must be in (0, 1] and cap at least 1")
    counts = token_counts(texts, features)
    raw = float(np.quantile(counts, quantile)) if len(counts) else 1.0
    length = int(min(max(np.ceil(raw), 1), cap))
    return LengthReport(counts, length, quantile, cap)


@dataclass(frozen=True)
class VectorCoverage:
    """How much of a featurizer's vocabulary the word vectors know.

    ``known`` of ``words`` vocabulary words (padding and out-of-vocabulary ids not counted)
    have a vector; ``token_share`` is the share of token occurrences in the training texts
    that get one of those vectors.
    """

    known: int
    words: int
    token_share: float

    @property
    def vocabulary_share(self) -> float:
        return self.known / self.words if self.words else 0.0

    def summary(self) -> str:
        return (
            f"The word vectors cover {self.known:,} of {self.words:,} words "
            f"({self.vocabulary_share:.1%}) and {self.token_share:.1%} of the tokens."
        )


@dataclass(frozen=True)
class EmbeddingStart:
    """The ``Embedding`` layer's starting rows (one per vocabulary id) and their coverage."""

    matrix: np.ndarray
    coverage: VectorCoverage


def embedding_matrix(
    vocabulary: Sequence[str], vectors: Any, seed: int = 0
) -> tuple[np.ndarray, list[bool]]:
    """Rows for an ``Embedding`` over ``vocabulary`` (ids as in :class:`Featurizer`) from
    gensim ``KeyedVectors``: a known word's row is its vector, the padding row is zeros, every
    other row small seeded uniform numbers. Returns the float32 matrix and, per id, whether the
    vectors knew it."""
    dim = int(vectors.vector_size)
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(-EMBEDDING_INIT_RANGE, EMBEDDING_INIT_RANGE, (len(vocabulary), dim))
    matrix = matrix.astype(np.float32)
    matrix[PAD] = 0.0
    index = vectors.key_to_index
    known = [i > OOV and word in index for i, word in enumerate(vocabulary)]
    for i, word in enumerate(vocabulary):
        if known[i]:
            matrix[i] = np.asarray(vectors[word], dtype=np.float32)
    return matrix, known


def embedding_start(
    featurizer: Featurizer, texts: Sequence[str], vectors: Any, seed: int = 0
) -> EmbeddingStart:
    """The starting rows for ``featurizer``'s ``Embedding`` from ``vectors`` and their
    coverage of the vocabulary and of the tokens of ``texts`` (the training texts)."""
    matrix, known = embedding_matrix(featurizer.vocabulary, vectors, seed)
    known_words = {w for w, k in zip(featurizer.vocabulary, known, strict=True) if k}
    occurrences = Counter(t for text in texts for t in featurizer.tokens(text))
    total = sum(occurrences.values())
    covered = sum(n for word, n in occurrences.items() if word in known_words)
    coverage = VectorCoverage(
        known=len(known_words),
        words=max(len(featurizer.vocabulary) - 2, 0),
        token_share=covered / total if total else 0.0,
    )
    return EmbeddingStart(matrix, coverage)
