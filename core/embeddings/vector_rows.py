"""What the word-vector parsers share: the limits, the header line, rows as read, size checks.

Both parsers (:mod:`core.embeddings.vector_text` and :mod:`core.embeddings.vector_binary`)
refuse a header whose counts are absurd, and a read that would need too much memory, before
anything is allocated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.errors import DataError

MAX_DIMENSION = 10_000
MAX_WORDS = 1_000_000


# 50 million float32 values are 200 MB: more than any upload the app accepts can hold.
MAX_VALUES = 50_000_000
MAX_WORD_BYTES = 1_000


# A header line is two numbers; anything longer than this on line 1 is a vector row.
MAX_HEADER_BYTES = 100
HEADER = re.compile(rb"\s*(\d+)[ \t]+(\d+)\s*")


@dataclass
class Rows:
    """Words and vectors as they are read, before they become gensim ``KeyedVectors``."""

    words: list[str]
    vectors: np.ndarray
    rows_read: int
    truncated: bool
    duplicates: list[tuple[str, str]]  # (where, word)


def read_header(raw: bytes) -> tuple[int, int, int] | None:
    """``(words, dimensions, offset of the first row)`` from a ``"V D"`` first line, else None."""
    end = raw.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0:
        if len(raw) > MAX_HEADER_BYTES:
            return None
        first, offset = raw, len(raw)
    else:
        first, offset = raw[:end], end + 1
    match = HEADER.fullmatch(first)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), offset


def check_declared_size(name: str, words: int, dimension: int, body_bytes: int, binary: bool):
    """Refuse a header whose word and dimension counts are absurd, before anything is allocated."""
    where = f"The header on line 1 of {name}"
    if words == 0 or dimension == 0:
        raise DataError(
            f"{where} declares {words:,} words of {dimension:,} dimensions: there are no vectors.",
            "The first line must hold the number of words and the number of dimensions, "
            "both above zero.",
        )
    if dimension > MAX_DIMENSION:
        raise DataError(
            f"{where} declares {dimension:,} dimensions; the app reads at most {MAX_DIMENSION:,}.",
            "Check that line 1 is 'words dimensions' in that order.",
        )
    # The least a row can take: a one-byte word, a separator, then 4-byte floats (binary) or
    # one-character numbers each after a space, and a line end (text).
    least = words * (2 + 4 * dimension) if binary else words * (2 * dimension + 1)
    if least > body_bytes + 1:
        raise DataError(
            f"{where} declares {words:,} words × {dimension:,} dimensions, which needs at least "
            f"{least:,} bytes, but the file has only {body_bytes:,} after its header.",
            "The header is wrong or the file is cut short: make the first number the count of "
            "vector lines and the second the count of numbers on each.",
        )


def check_value_budget(name: str, rows: int, dimension: int) -> None:
    """Refuse reading ``rows`` × ``dimension`` numbers when that is over :data:`MAX_VALUES`."""
    if rows * dimension > MAX_VALUES:
        raise DataError(
            f"Reading {rows:,} words × {dimension:,} dimensions of {name} would need "
            f"{rows * dimension * 4 / 1024 / 1024:,.0f} MB of memory; the app reads at most "
            f"{MAX_VALUES:,} numbers.",
            "Set 'read only the first N words' to a smaller number.",
        )


def looks_binary(sample: bytes) -> bool:
    """Whether bytes hold control characters that text never has (float32 data almost always)."""
    return any(b < 0x20 and b not in b"\t\n\r" or b == 0x7F for b in sample)


def preview(text: str, limit: int = 40) -> str:
    """A quoted, shortened piece of the file for a message."""
    return repr(text if len(text) <= limit else text[:limit] + "…")
