"""Word vectors out of the app: word2vec text and binary, and the projector's TSV files."""

from __future__ import annotations

import re

import numpy as np

from core.data.export import to_csv_bytes
from core.embeddings.vector_rows import preview
from core.embeddings.vectors import VectorSet
from core.errors import DataError

# What a word may not contain on export: whitespace ends a word2vec word and breaks TSV rows,
# and control characters are how the binary reader spots a misaligned file.
# C1 controls (U+0080-U+009F) count too: the text reader takes a file with many of them for binary.
_UNSAFE_IN_WORD = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_VALUE_FORMAT = "%.9g"  # nine significant digits round-trip every float32 exactly


def export_words(vector_set: VectorSet, words: list[str] | None = None) -> list[str]:
    """The words as they will be written: whitespace and control characters become ``_``.

    ``words`` picks and orders the words to export (default: all, in the set's order).
    Raises :class:`DataError` for unknown or empty words, and when two words would become one.
    """
    keys = _chosen_keys(vector_set, words)
    labels: list[str] = []
    first_key: dict[str, str] = {}
    for key in keys:
        label = _UNSAFE_IN_WORD.sub("_", key)
        if not label:
            raise DataError(
                "The vectors hold an empty word, which no word-vector file can store.",
                "Leave it out of the export.",
            )
        if label in first_key:
            raise DataError(
                f"The words {preview(first_key[label])} and {preview(key)} would both be "
                f"written as {preview(label)}: spaces and control characters cannot appear in "
                "an exported word, so they become _.",
                "Rename or drop one of the two words before exporting.",
            )
        first_key[label] = key
        labels.append(label)
    return labels


def renamed_words(vector_set: VectorSet) -> list[tuple[str, str]]:
    """``(word, as written)`` for every word that export changes; raises like :func:`export_words`."""
    keys = [str(key) for key in vector_set.vectors.index_to_key]
    labels = export_words(vector_set)
    return [(key, label) for key, label in zip(keys, labels, strict=True) if key != label]


def _chosen_keys(vector_set: VectorSet, words: list[str] | None) -> list[str]:
    keyed = vector_set.vectors
    if words is None:
        return [str(key) for key in keyed.index_to_key]
    unknown = [w for w in words if w not in keyed.key_to_index]
    if unknown:
        raise DataError(
            f"{len(unknown):,} word(s) are not in {vector_set.name}: "
            + ", ".join(preview(w) for w in unknown[:5])
            + ("…" if len(unknown) > 5 else "."),
            "Export only words of the vocabulary.",
        )
    return list(words)


def _matrix(vector_set: VectorSet, keys: list[str]) -> np.ndarray:
    keyed = vector_set.vectors
    if keys == list(keyed.index_to_key):
        return np.asarray(keyed.vectors, dtype=np.float32)
    return np.asarray(keyed[keys], dtype=np.float32)


def _number_lines(matrix: np.ndarray, separator: str) -> list[str]:
    template = separator.join([_VALUE_FORMAT] * matrix.shape[1])
    return [template % tuple(row) for row in matrix.tolist()]


def to_word2vec_text(vector_set: VectorSet) -> bytes:
    """word2vec text: a ``"words dimensions"`` line, then ``word v1 v2 ...`` per line (UTF-8).

    Values have nine significant digits, so float32 vectors read back exactly.
    """
    labels = export_words(vector_set)
    matrix = _matrix(vector_set, list(map(str, vector_set.vectors.index_to_key)))
    lines = [f"{len(labels)} {vector_set.dimension}"]
    lines += [f"{w} {values}" for w, values in zip(labels, _number_lines(matrix, " "), strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_word2vec_binary(vector_set: VectorSet) -> bytes:
    """word2vec binary: a text header, then per word its UTF-8 bytes, a space, ``dimension``
    little-endian float32 values and a newline (as the original word2vec tool writes them)."""
    labels = export_words(vector_set)
    matrix = _matrix(vector_set, list(map(str, vector_set.vectors.index_to_key))).astype("<f4")
    parts = [f"{len(labels)} {vector_set.dimension}\n".encode("ascii")]
    for label, row in zip(labels, matrix, strict=True):
        parts.append(label.encode("utf-8") + b" " + row.tobytes() + b"\n")
    return b"".join(parts)


def to_projector_tsv(vector_set: VectorSet, words: list[str] | None = None) -> tuple[bytes, bytes]:
    """``(vectors.tsv, metadata.tsv)`` for the TensorFlow Embedding Projector.

    vectors.tsv: one row of tab-separated numbers per word, no header. metadata.tsv: one word
    per line without a header, because the projector reads a single column as labels; with
    real counts, a ``word<TAB>count`` header and two columns. Words are not formula-escaped:
    the projector shows them verbatim (the CSV exports are escaped).
    """
    keys = _chosen_keys(vector_set, words)
    labels = export_words(vector_set, keys)
    if vector_set.dimension < 2:
        raise DataError(
            "The Embedding Projector needs vectors of at least 2 dimensions.",
            "Export these vectors as word2vec text instead.",
        )
    vectors_tsv = "".join(line + "\n" for line in _number_lines(_matrix(vector_set, keys), "\t"))
    if vector_set.has_counts:
        rows = [
            f"{label}\t{vector_set.count(key)}" for label, key in zip(labels, keys, strict=True)
        ]
        metadata = "word\tcount\n" + "".join(row + "\n" for row in rows)
    else:
        metadata = "".join(label + "\n" for label in labels)
    return vectors_tsv.encode("utf-8"), metadata.encode("utf-8")


def coordinates_csv(words, coords, counts=None) -> bytes:
    """Projected coordinates as CSV: ``word,x,y[,z][,count]``, words escaped for spreadsheets.

    ``coords`` is an array of shape (words, 2) or (words, 3); ``counts`` is optional.
    """
    points = np.asarray(coords, dtype=float)
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise ValueError(f"coords must have 2 or 3 columns, got shape {points.shape}")
    if len(words) != len(points) or (counts is not None and len(counts) != len(points)):
        raise ValueError("words, coords and counts must have the same length")
    header = ["word", *"xyz"[: points.shape[1]]] + (["count"] if counts is not None else [])
    rows = (
        [str(word), *row] + ([counts[i]] if counts is not None else [])
        for i, (word, row) in enumerate(zip(words, points.tolist(), strict=True))
    )
    return to_csv_bytes(header, rows)


def export_file_stem(name: str) -> str:
    """A file-name-safe stem for a vector set's name, without a vector file's extension.

    ``skip-gram d50 w5`` -> ``skip-gram_d50_w5``; ``glove.6B.50d.txt`` -> ``glove.6B.50d``.
    """
    stem = re.sub(r"[^\w.-]+", "_", name)
    stem = re.sub(r"(\.(txt|bin|vec|tsv|gz))+$", "", stem, flags=re.IGNORECASE).strip("._")
    return stem[:80] or "vectors"
