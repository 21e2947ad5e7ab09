"""Word vectors as text: word2vec text (a "words dimensions" header) and GloVe (none), line by line.

Every refusal names the line, the word and what is wrong with it.
"""

from __future__ import annotations

import numpy as np

from core.data.reading import decode_bytes
from core.embeddings.vector_rows import (
    HEADER,
    MAX_DIMENSION,
    MAX_HEADER_BYTES,
    Rows,
    check_declared_size,
    check_value_budget,
    preview,
)
from core.errors import DataError


def decode_text(name: str, raw: bytes, warnings: list[str]) -> str:
    """A vector file's bytes as text (see :func:`core.data.reading.decode_bytes`); the
    decoder's warnings are added to ``warnings``."""
    try:
        decoded = decode_bytes(raw, name)
    except DataError as error:
        raise DataError(
            error.message,
            "Upload word vectors as word2vec text (a 'words dimensions' line, then one word and "
            "its numbers per line), GloVe text (the same without the first line) or word2vec "
            "binary.",
        ) from error
    warnings.extend(decoded.warnings)
    return decoded.text


def parse_text(name: str, text: str, has_header: bool, limit: int) -> Rows:
    """Rows of ``word v1 v2 ...`` separated by spaces or tabs; blank lines are skipped."""
    lines = text.split("\n")
    declared: int | None = None
    dimension: int | None = None
    first_row_line = 1
    start = 0
    if has_header:
        if len(lines[0]) > MAX_HEADER_BYTES:
            # Also keeps int() away from numbers of thousands of digits (Python refuses them).
            raise DataError(
                f"Line 1 of {name} is {len(lines[0]):,} characters long, too long for the "
                "word2vec header 'words dimensions' (for example: 71291 100).",
                "A file without that first line is GloVe text: choose 'GloVe text' or "
                "'detect from the file'.",
            )
        match = HEADER.fullmatch(lines[0].encode("ascii", "replace"))
        if match is None:
            raise DataError(
                f"Line 1 of {name} should be the word2vec header 'words dimensions' (for "
                f"example: 71291 100), but it is {preview(lines[0])}.",
                "A file without that first line is GloVe text: choose 'GloVe text' or "
                "'detect from the file'.",
            )
        declared, dimension = int(match.group(1)), int(match.group(2))
        body = sum(len(line) + 1 for line in lines[1:])
        check_declared_size(name, declared, dimension, body, binary=False)
        check_value_budget(name, min(declared, limit), dimension)
        start = 1
    wanted = limit if declared is None else min(declared, limit)

    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    duplicates: list[tuple[str, str]] = []
    rows_read = 0
    last_line = 1
    truncated = False
    for index in range(start, len(lines)):
        line = lines[index].strip(" \t\r")
        if not line:
            continue
        number = index + 1
        if rows_read == wanted:
            if declared is not None and wanted == declared:
                rest = sum(1 for extra in lines[index:] if extra.strip(" \t\r"))
                raise DataError(
                    f"The header on line 1 of {name} declares {declared:,} words, but line "
                    f"{number} holds word number {declared + 1:,} and the file has "
                    f"{declared + rest:,} in all.",
                    f"Make the header's first number {declared + rest:,}, or remove the extra "
                    "lines.",
                )
            truncated = True
            break
        fields = _split_fields(line)
        word, values = fields[0], fields[1:]
        if dimension is None:
            dimension, first_row_line = _first_glove_dimension(name, number, word, values)
            check_value_budget(name, min(limit, len(lines)), dimension)
        if len(values) != dimension:
            raise DataError(
                *_ragged_message(
                    name,
                    number,
                    word,
                    len(values),
                    dimension,
                    lines[0],
                    declared is not None,
                    first_row_line,
                )
            )
        vector = _to_floats(name, f"line {number}", word, values)
        rows_read += 1
        last_line = number
        if word in seen:
            duplicates.append((f"line {number}", word))
            continue
        seen.add(word)
        words.append(word)
        rows.append(vector)

    if declared is not None and rows_read < declared and not truncated:
        raise DataError(
            f"The header on line 1 of {name} declares {declared:,} words, but the file has "
            + (f"only {rows_read:,} (the last on line {last_line:,})." if rows_read else "none."),
            f"The file may be cut short (an interrupted download?); if it is complete, make "
            f"the header's first number {rows_read:,}.",
        )
    if not rows:
        raise DataError(f"{name} has no vector rows.", "Each line must be a word and its numbers.")
    assert dimension is not None
    return Rows(words, np.vstack(rows), rows_read, truncated, duplicates)


def _split_fields(line: str) -> list[str]:
    """Fields separated by runs of spaces or tabs (only those: a word may hold other spaces)."""
    if "\t" in line:
        line = line.replace("\t", " ")
    fields = line.split(" ")
    return [field for field in fields if field] if "" in fields else fields


def _first_glove_dimension(name: str, number: int, word: str, values: list[str]) -> tuple[int, int]:
    if not values:
        raise DataError(
            f"Line {number} of {name} holds {preview(word)} and no numbers.",
            "Each line must be a word followed by its vector's numbers, separated by spaces.",
        )
    if len(values) > MAX_DIMENSION:
        raise DataError(
            f"Line {number} of {name} has {len(values):,} numbers; the app reads vectors of at "
            f"most {MAX_DIMENSION:,} dimensions.",
            "Check that the file holds one word and its vector per line.",
        )
    return len(values), number


def _ragged_message(
    name: str,
    number: int,
    word: str,
    count: int,
    dimension: int,
    first_line: str,
    has_header: bool,
    first_row_line: int,
) -> tuple[str, str]:
    hint = (
        f"Every line must be one word and exactly {dimension:,} numbers separated by spaces. "
        "A word that contains a space gives a line with too many values: word2vec and GloVe "
        "files cannot hold such words."
    )
    if has_header:
        message = (
            f"Line {number} of {name} ({preview(word)}) has {count:,} numbers, but the header "
            f"on line 1 declares {dimension:,} dimensions."
        )
        hint += " If every line has the same count, the header's second number is wrong."
    else:
        message = (
            f"Line {number} of {name} ({preview(word)}) has {count:,} numbers, but line "
            f"{first_row_line} has {dimension:,}."
        )
        if first_row_line == 1 and HEADER.fullmatch(first_line.encode("ascii", "replace")):
            hint += (
                " Line 1 looks like a word2vec header ('words dimensions'): choose "
                "'word2vec text' or 'detect from the file'."
            )
    return message, hint


def _to_floats(name: str, where: str, word: str, values: list[str]) -> np.ndarray:
    """Numbers of one row as float32; a bad or non-finite value is named with its position."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            vector = np.asarray(values, dtype=np.float32)
    except ValueError:
        # Python's float() is the judge of what a number is; numpy accepts a little less.
        numbers = []
        for position, value in enumerate(values, start=1):
            try:
                numbers.append(float(value))
            except ValueError:
                raise DataError(
                    f"{where.capitalize()} of {name} ({preview(word)}): value {position} is "
                    f"{preview(value)}, which is not a number.",
                    "Numbers use a dot for decimals (0.25, -1.5e-3) and are separated by spaces.",
                ) from None
        with np.errstate(over="ignore"):
            vector = np.asarray(numbers, dtype=np.float32)
    finite = np.isfinite(vector)
    if not finite.all():
        position = int(np.argmin(finite)) + 1
        raise DataError(
            f"{where.capitalize()} of {name} ({preview(word)}): value {position} is "
            f"{preview(values[position - 1])}, which is not a finite float32 number (NaN, "
            "infinity, or beyond ±3.4e38).",
            "Word vectors must hold ordinary numbers: retrain or fix the vector of that word.",
        )
    return vector
