"""One-hot vectors versus word embeddings: vectors, cosine similarity, lookup and memory.

The talk's slide contrasts the 1-hot representation o_w (naive, no similarity information:
"soft", "teddy bear" and "book" sit on orthogonal axes) with the word embedding e_w (takes
word similarity into account). Everything here is plain numpy, so tests can check it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

SLIDE_WORDS: tuple[str, ...] = ("soft", "teddy bear", "book")
DEFAULT_WORDS: tuple[str, ...] = (*SLIDE_WORDS, "cute", "reading", "cat", "dog")
MAX_WORDS = 40
FLOAT32_BYTES = 4

# A hand-made 3-D embedding, chosen by hand (not learned) so the slide's picture holds:
# soft / teddy bear / cute point one way, book / reading another, cat / dog a third.
# The three axes are given loose meanings only to make the numbers readable; a learned
# embedding (word2vec) has no named axes and usually 50-300 of them.
EMBEDDING_AXES: tuple[str, ...] = ("cuddly", "alive", "reading")
HAND_MADE_EMBEDDING: dict[str, tuple[float, float, float]] = {
    "soft": (0.95, 0.15, 0.10),
    "teddy bear": (0.80, 0.45, 0.10),
    "cute": (0.85, 0.35, 0.05),
    "book": (0.10, -0.30, 0.95),
    "reading": (0.05, -0.20, 0.90),
    "cat": (0.45, 0.85, 0.05),
    "dog": (0.35, 0.90, 0.10),
}


@dataclass(frozen=True)
class WordList:
    """The vocabulary read from the user's text: distinct words in order, and what was dropped."""

    words: tuple[str, ...]
    duplicates: tuple[str, ...] = ()
    truncated: int = 0

    @property
    def size(self) -> int:
        """V, the number of distinct words, which is also the length of a one-hot vector."""
        return len(self.words)


def parse_words(text: str, limit: int = MAX_WORDS) -> WordList:
    """Comma- or newline-separated words -> distinct lower-case words in first-seen order.

    Multi-word entries such as "teddy bear" stay one vocabulary item; inner spaces are
    collapsed. Words past ``limit`` are dropped and counted in ``truncated``.
    """
    words: list[str] = []
    duplicates: list[str] = []
    for raw in re.split(r"[,;\n]", text):
        word = " ".join(raw.lower().split())
        if not word:
            continue
        if word in words:
            duplicates.append(word)
        else:
            words.append(word)
    return WordList(tuple(words[:limit]), tuple(duplicates), max(0, len(words) - limit))


def one_hot_matrix(size: int) -> np.ndarray:
    """The V x V matrix whose row i is o_w for word i: a single 1 at position i."""
    return np.eye(size, dtype=np.float32)


def one_hot(word: str, words: Sequence[str]) -> np.ndarray:
    """o_w: a vector of len(words) zeros with a 1 at the word's index."""
    vector = np.zeros(len(words), dtype=np.float32)
    vector[list(words).index(word)] = 1.0
    return vector


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows: (n x k) -> (n x n), values in [-1, 1]."""
    matrix = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("A zero vector has no direction, so its cosine is undefined.")
    unit = matrix / norms
    return np.clip(unit @ unit.T, -1.0, 1.0)


@dataclass(frozen=True)
class EmbeddingTable:
    """E restricted to the words that have a hand-made vector, plus the words that have none."""

    words: tuple[str, ...]
    matrix: np.ndarray = field(repr=False)
    missing: tuple[str, ...] = ()

    @property
    def dim(self) -> int:
        """d, the length of each dense vector."""
        return int(self.matrix.shape[1])


def embedding_table(words: Sequence[str]) -> EmbeddingTable:
    """The hand-made vectors for ``words`` (V_known x d); words without one are listed apart."""
    known = tuple(w for w in words if w in HAND_MADE_EMBEDDING)
    missing = tuple(w for w in words if w not in HAND_MADE_EMBEDDING)
    matrix = np.array([HAND_MADE_EMBEDDING[w] for w in known], dtype=np.float32).reshape(
        len(known), len(EMBEDDING_AXES)
    )
    return EmbeddingTable(known, matrix, missing)


@dataclass(frozen=True)
class Lookup:
    """The embedding lookup o_w x E = e_w, with every term kept for display."""

    word: str
    index: int
    one_hot: np.ndarray
    table: np.ndarray
    product: np.ndarray

    @property
    def row(self) -> np.ndarray:
        """Row ``index`` of E, which the product must equal."""
        return self.table[self.index]


def lookup(word: str, table: EmbeddingTable) -> Lookup:
    """Multiply the word's one-hot row vector by E: the result selects E's row for the word."""
    if word not in table.words:
        raise ValueError(f"'{word}' has no row in the embedding table.")
    o_w = one_hot(word, table.words)
    return Lookup(word, table.words.index(word), o_w, table.matrix, o_w @ table.matrix)


@dataclass(frozen=True)
class MemorySettings:
    """Vocabulary size V and embedding dimension d for the memory comparison."""

    vocab_size: int = 10_000
    dim: int = 128

    def __post_init__(self) -> None:
        if self.vocab_size < 1 or self.dim < 1:
            raise ValueError("V and d must both be at least 1.")


@dataclass(frozen=True)
class MemoryCost:
    """Bytes of float32 storage for one vector and for the whole table, one-hot and dense."""

    one_hot_vector: int
    dense_vector: int
    one_hot_table: int
    dense_table: int

    @property
    def ratio(self) -> float:
        """How many times more memory the one-hot table takes than the dense one (V / d)."""
        return self.one_hot_table / self.dense_table


def memory_cost(settings: MemorySettings) -> MemoryCost:
    """One-hot: V numbers per word, V x V in all. Dense: d per word, V x d in all. 4 bytes each."""
    v, d = settings.vocab_size, settings.dim
    return MemoryCost(
        one_hot_vector=v * FLOAT32_BYTES,
        dense_vector=d * FLOAT32_BYTES,
        one_hot_table=v * v * FLOAT32_BYTES,
        dense_table=v * d * FLOAT32_BYTES,
    )


VOCAB_CHOICES: tuple[int, ...] = tuple(
    int(m * 10**e) for e in range(3, 7) for m in (1, 2, 5) if m * 10**e <= 10**6
)
DIM_CHOICES: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024)


def memory_curve(dim: int, vocab_sizes: Sequence[int] = VOCAB_CHOICES) -> dict[str, list[int]]:
    """Table bytes over a range of V at dimension ``dim``: columns V, one-hot, dense."""
    costs = [memory_cost(MemorySettings(v, dim)) for v in vocab_sizes]
    return {
        "V": list(vocab_sizes),
        "one-hot table (bytes)": [c.one_hot_table for c in costs],
        "dense table (bytes)": [c.dense_table for c in costs],
    }


def human_bytes(count: float) -> str:
    """A byte count in binary units: 4096 -> '4 KiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def lookup_code(table: EmbeddingTable, word: str, settings: MemorySettings) -> str:
    """The numpy and keras.layers.Embedding code for this page's lookup, settings filled in."""
    rows = ",\n".join(
        f"    {[round(float(x), 4) for x in row]},  # {w}"
        for w, row in zip(table.words, table.matrix, strict=True)
    )
    return f"""import numpy as np

words = {list(table.words)!r}
E = np.array([
{rows}
], dtype="float32")  # V x d = {len(table.words)} x {table.dim}

# One-hot vectors o_w: the rows of the V x V identity. Cosine is 0 for every pair of words.
O = np.eye(len(words), dtype="float32")
print("one-hot cosine:\\n", O @ O.T)

# Dense vectors e_w: cosine now says which words are alike.
unit = E / np.linalg.norm(E, axis=1, keepdims=True)
print("embedding cosine:\\n", np.round(unit @ unit.T, 2))

# The lookup: o_w times E picks out E's row for the word.
i = words.index({word!r})
o_w = O[i]
e_w = o_w @ E
assert np.allclose(e_w, E[i])
print({word!r}, "->", e_w)

# Keras does the same lookup without building o_w: an Embedding layer indexes its V x d weights.
import keras

layer = keras.layers.Embedding(input_dim=len(words), output_dim=E.shape[1])
layer.build((None,))
layer.set_weights([E])
keras_e_w = keras.ops.convert_to_numpy(layer(np.array([i])))[0]
assert np.allclose(keras_e_w, e_w)

# float32 memory for V words at dimension d: one-hot V*V*4 bytes, dense V*d*4 bytes.
V, d = {settings.vocab_size}, {settings.dim}
print("one-hot table:", V * V * 4, "bytes; dense table:", V * d * 4, "bytes")
"""
