"""Word vectors as word2vec binary: a text header, then each word, a space and its float32s.

:func:`fits_binary` tells, without allocating, whether bytes after a header are exactly the
declared binary entries; :func:`parse_binary` reads them.
"""

from __future__ import annotations

import numpy as np

from core.embeddings.vector_rows import (
    MAX_DIMENSION,
    MAX_WORD_BYTES,
    MAX_WORDS,
    Rows,
    check_declared_size,
    check_value_budget,
    looks_binary,
    preview,
)
from core.errors import DataError


def parse_binary(
    name: str, raw: bytes, header: tuple[int, int, int], limit: int, warnings: list[str]
) -> Rows:
    """Entries of ``word`` + space + ``dimension`` little-endian float32, after a text header."""
    declared, dimension, offset = header
    check_declared_size(name, declared, dimension, len(raw) - offset, binary=True)
    wanted = min(declared, limit)
    check_value_budget(name, wanted, dimension)
    width = 4 * dimension
    vectors = np.empty((wanted, dimension), dtype=np.float32)
    words: list[str] = []
    seen: set[str] = set()
    duplicates: list[tuple[str, str]] = []
    latin1 = 0
    position = offset
    kept = 0
    for entry in range(1, wanted + 1):
        # The original word2vec tool writes a newline after each vector; gensim writes none.
        while position < len(raw) and raw[position] in b"\n\r":
            position += 1
        where = f"entry {entry} (byte {position:,})"
        if position >= len(raw):
            raise _binary_short(name, declared, entry - 1)
        space = raw.find(b" ", position, position + MAX_WORD_BYTES + 1)
        if space < 0:
            if len(raw) - position <= MAX_WORD_BYTES:
                raise _binary_short(name, declared, entry - 1)
            raise DataError(
                f"{where.capitalize()} of {name} has no space within {MAX_WORD_BYTES:,} bytes, "
                "so no word can be read there.",
                _misaligned_hint(dimension),
            )
        token = raw[position:space]
        if not token or looks_binary(token):
            raise DataError(
                f"{where.capitalize()} of {name} is not a word: it "
                + ("is empty." if not token else "holds control bytes."),
                _misaligned_hint(dimension),
            )
        try:
            word = token.decode("utf-8")
        except UnicodeDecodeError:
            word = token.decode("latin-1")
            latin1 += 1
        if space + 1 + width > len(raw):
            raise DataError(
                f"{where.capitalize()} of {name} ({preview(word)}) needs {width:,} bytes of "
                f"numbers, but the file ends after {len(raw) - space - 1:,}.",
                "The file is cut short, or the header's dimension is wrong.",
            )
        vector = np.frombuffer(raw, dtype="<f4", count=dimension, offset=space + 1)
        if not np.isfinite(vector).all():
            bad = int(np.argmin(np.isfinite(vector))) + 1
            raise DataError(
                f"{where.capitalize()} of {name} ({preview(word)}): value {bad} is "
                f"{float(vector[bad - 1])}, which is not a finite number.",
                "Word vectors must hold ordinary numbers: retrain or fix the vector of that word.",
            )
        position = space + 1 + width
        if word in seen:
            duplicates.append((f"entry {entry}", word))
            continue
        seen.add(word)
        words.append(word)
        vectors[kept] = vector
        kept += 1

    truncated = wanted < declared
    if not truncated:
        rest = raw[position:].strip(b"\n\r\t ")
        if rest:
            raise DataError(
                f"The header on line 1 of {name} declares {declared:,} words, but "
                f"{len(rest):,} more bytes follow the last of them (from byte {position:,}).",
                "The header's word count is too small, or its dimension is wrong: fix the "
                "header, or export the file again.",
            )
    if latin1:
        warnings.append(
            f"{latin1:,} word(s) are not valid UTF-8 and were read as latin-1, so some "
            "characters may be wrong."
        )
    return Rows(words, vectors[:kept], wanted, truncated, duplicates)


def fits_binary(raw: bytes, header: tuple[int, int, int]) -> bool:
    """Whether the bytes after the header are exactly the declared binary entries.

    Each entry is a word (no control bytes, no space), a space, ``4 * dimension`` bytes and
    an optional newline; the entries must end where the file ends. Nothing is allocated, and a
    text file fails within its first lines.
    """
    declared, dimension, position = header
    width = 4 * dimension
    if not (0 < declared <= MAX_WORDS and 0 < dimension <= MAX_DIMENSION):
        return False
    if declared * (2 + width) > len(raw) - position:
        return False
    for _ in range(declared):
        space = raw.find(b" ", position, position + MAX_WORD_BYTES + 1)
        if space <= position or _has_control_byte(raw[position:space]):
            return False
        position = space + 1 + width
        if position > len(raw):
            return False
        if raw[position : position + 1] == b"\n":
            position += 1
    return position == len(raw)


def _has_control_byte(token: bytes) -> bool:
    return any(b < 0x20 or b == 0x7F for b in token)


def _binary_short(name: str, declared: int, complete: int) -> DataError:
    return DataError(
        f"The header on line 1 of {name} declares {declared:,} words, but the file ends after "
        f"{complete:,}.",
        f"The file may be cut short (an interrupted download?); if it is complete, make the "
        f"header's first number {complete:,}.",
    )


def _misaligned_hint(dimension: int) -> str:
    return (
        f"The header says each vector has {dimension:,} numbers ({4 * dimension:,} bytes); if "
        "that is wrong, every word after the first is read from the wrong place. Check the "
        "header, or choose the format the file is really in."
    )
