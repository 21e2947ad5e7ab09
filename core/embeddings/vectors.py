"""Word vectors kept apart from their trainer: a gensim ``KeyedVectors`` with a name and origin.

A :class:`VectorSet` is what the embeddings pages pass around: trained on the Train page,
loaded from a word2vec or GloVe file, then explored, evaluated, projected and exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class VectorSet:
    """Named word vectors. ``has_counts`` says whether per-word corpus counts are real.

    Vectors from training know how often each word occurred; vectors loaded from a file only
    know their order, which by convention runs from the most to the least frequent word.
    """

    name: str
    vectors: Any  # gensim.models.KeyedVectors
    source: str
    settings: dict[str, Any] = field(default_factory=dict)
    has_counts: bool = False
    corpus: str = ""  # what it was trained on (a gensim file's stem, or "upload"); "" if loaded

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def dimension(self) -> int:
        return int(self.vectors.vector_size)

    def count(self, word: str) -> int | None:
        """How often ``word`` occurred in the training corpus, or ``None`` when unknown."""
        if not self.has_counts or word not in self.vectors.key_to_index:
            return None
        return int(self.vectors.get_vecattr(word, "count"))

    def top_words(self, n: int) -> list[str]:
        """The ``n`` most frequent words (gensim keeps its vocabulary sorted by frequency)."""
        return list(self.vectors.index_to_key[: max(0, n)])
