"""Word vectors into the app: word2vec text and binary, and GloVe text, checked line by line.

Pickles and gensim ``.model`` files are refused before a byte of them is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.data.datasets import MAX_UPLOAD_BYTES
from core.data.reading import decode_bytes, maybe_gunzip
from core.embeddings.vectors import VectorSet
from core.errors import DataError

VectorFormat = Literal["auto", "word2vec-text", "word2vec-binary", "glove"]
FORMAT_NAMES = {
    "auto": "detect from the file",
    "word2vec-text": "word2vec text",
    "word2vec-binary": "word2vec binary",
    "glove": "GloVe text",
}


MAX_DIMENSION = 10_000
MAX_WORDS = 1_000_000


# 50 million float32 values are 200 MB: more than any upload the app accepts can hold.
MAX_VALUES = 50_000_000
MAX_WORD_BYTES = 1_000


# A header line is two numbers; anything longer than this on line 1 is a vector row.
MAX_HEADER_BYTES = 100
PICKLE_SUFFIXES = (".model", ".pkl", ".pickle", ".npy", ".npz", ".joblib", ".kv")
PICKLE_HINT = (
    "Open it in your own Python session and export the vectors with "
    "model.wv.save_word2vec_format('vectors.txt') (or binary=True for a .bin file), "
    "then load that file here."
)


_HEADER = re.compile(rb"\s*(\d+)[ \t]+(\d+)\s*")


@dataclass(frozen=True)
class LoadedVectors:
    """The result of reading a file: the vectors plus what a person should know about it.

    ``rows_read`` counts vector rows read from the file, duplicates included; ``truncated`` is
    true when reading stopped at ``max_words`` before the end of the file.
    """

    vector_set: VectorSet
    format: str
    rows_read: int
    truncated: bool = False
    warnings: tuple[str, ...] = ()


@dataclass
class _Rows:
    """Words and vectors as they are read, before they become gensim ``KeyedVectors``."""

    words: list[str]
    vectors: np.ndarray
    rows_read: int
    truncated: bool
    duplicates: list[tuple[str, str]]  # (where, word)


def load_vectors(
    name: str,
    data: bytes,
    format: VectorFormat = "auto",
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_words: int | None = None,
) -> VectorSet:
    """Read word vectors from an uploaded file's bytes into a :class:`VectorSet`.

    ``format`` is ``"auto"`` (detected), ``"word2vec-text"``, ``"word2vec-binary"`` or
    ``"glove"``; ``max_words`` keeps only the first words of the file (by convention the most
    frequent). Raises :class:`DataError` for anything that cannot be read. See
    :func:`read_vectors` for the warnings too.
    """
    return read_vectors(name, data, format, max_bytes, max_words).vector_set


def read_vectors(
    name: str,
    data: bytes,
    format: VectorFormat = "auto",
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_words: int | None = None,
) -> LoadedVectors:
    """Like :func:`load_vectors`, returning the format found and any warnings as well."""
    if format not in FORMAT_NAMES:
        raise ValueError(f"format must be one of {list(FORMAT_NAMES)}, not {format!r}")
    if max_words is not None and not 1 <= max_words <= MAX_WORDS:
        raise ValueError(f"max_words must be from 1 to {MAX_WORDS:,}, got {max_words!r}")
    limit = MAX_WORDS if max_words is None else max_words
    if not data:
        raise DataError(f"{name} is empty.", "Upload a word2vec or GloVe file with vectors in it.")
    if len(data) > max_bytes:
        raise DataError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{max_bytes / 1024 / 1024:.0f} MB.",
            "Keep the most frequent words only, for example the first lines of a text file "
            "(head -n 50001 vectors.txt, then fix the header's word count).",
        )
    refuse_unsafe_file(name, data)
    raw = maybe_gunzip(name, data, max_bytes)
    gzipped = raw is not data
    display = name[:-3] if gzipped and name.lower().endswith(".gz") else name
    if gzipped:
        refuse_unsafe_file(display, raw)
    if not raw.strip():
        raise DataError(f"{name} holds no vectors, only blank space.", "Upload a non-empty file.")

    found = detect_format(raw) if format == "auto" else format
    header = _read_header(raw)
    warnings: list[str] = []
    if found == "word2vec-binary":
        if header is None:
            raise DataError(
                f"Line 1 of {display} is not a word2vec header: a binary word2vec file starts "
                "with a text line holding the number of words and the number of dimensions "
                "(for example: 71291 100).",
                "Choose the format the file is in, or 'detect from the file'.",
            )
        rows = _parse_chosen_binary(display, raw, header, limit, warnings)
    else:
        if header is not None and _looks_binary(raw[header[2] : header[2] + 4096]):
            raise _binary_not_text(display)
        try:
            text_warnings: list[str] = []
            text = _decode_text(display, raw, text_warnings)
            rows = _parse_text(display, text, found == "word2vec-text", limit)
            warnings.extend(text_warnings)
        except DataError:
            # Float bytes need not hold a control byte (0.05 is b"\xcd\xccL="), so a binary
            # file can look like text; it is binary when its entries fill the file exactly.
            if header is None or not _fits_binary(raw, header):
                raise
            if format != "auto":
                raise _binary_not_text(display) from None
            found = "word2vec-binary"
            rows = _parse_binary(display, raw, header, limit, warnings)

    if rows.duplicates:
        where, word = rows.duplicates[0]
        warnings.append(
            f"{len(rows.duplicates):,} word(s) appear more than once; the first vector of each "
            f"is kept (as gensim does). The first repeat is {word!r} on {where}."
        )
    if rows.truncated:
        warnings.append(
            f"Only the first {rows.rows_read:,} words were read"
            + (" (the limit you set)." if max_words is not None else " (the app's limit).")
        )
    description = FORMAT_NAMES[found] + (", gzip" if gzipped else "")
    vector_set = VectorSet(
        name=display if not rows.truncated else f"{display} (first {rows.rows_read:,})",
        vectors=_keyed_vectors(rows.words, rows.vectors),
        source=f"loaded from {display} ({description})",
        settings={"file": display, "format": found, "rows_read": rows.rows_read},
        has_counts=False,
    )
    return LoadedVectors(vector_set, found, rows.rows_read, rows.truncated, tuple(warnings))


def refuse_unsafe_file(name: str, data: bytes) -> None:
    """Raise :class:`DataError` for pickles, gensim ``.model`` files, numpy arrays and zips.

    They are refused by name or by their first bytes and never opened: unpickling an uploaded
    file can run any code its author wrote.
    """
    lower = name.lower().removesuffix(".gz")
    why = ""
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        why = "starts like a Python pickle"
    elif data.startswith(b"\x93NUMPY"):
        why = "is a numpy .npy array"
    elif data.startswith(b"PK\x03\x04"):
        why = "is a zip archive (.npz, .keras or similar)"
    elif lower.endswith(PICKLE_SUFFIXES):
        why = f"has a {lower[lower.rfind('.') :]} name, a kind of file saved with pickle"
    if why:
        raise DataError(
            f"{name} {why}: it looks like a gensim .model / Python pickle. It is not loaded, "
            "because unpickling an uploaded file can run code.",
            PICKLE_HINT,
        )


def detect_format(raw: bytes) -> str:
    """``"word2vec-text"``, ``"word2vec-binary"`` or ``"glove"`` for uncompressed file bytes.

    A first line of two whole numbers is a word2vec header; binary data right after it makes
    the file binary. Anything else is read as GloVe (word2vec text without a header).
    This looks at the first bytes only: :func:`read_vectors` still reads a "text" file as
    binary when the text cannot be parsed and the binary entries fill the file exactly.
    """
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        text = raw[:4096].decode(codec, errors="replace")
        first = text.split("\n", 1)[0].encode("ascii", "replace")
        return "word2vec-text" if _HEADER.fullmatch(first) else "glove"
    header = _read_header(raw)
    if header is None:
        return "glove"
    body = raw[header[2] : header[2] + 4096]
    return "word2vec-binary" if _looks_binary(body) else "word2vec-text"


def _read_header(raw: bytes) -> tuple[int, int, int] | None:
    """``(words, dimensions, offset of the first row)`` from a ``"V D"`` first line, else None."""
    end = raw.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0:
        if len(raw) > MAX_HEADER_BYTES:
            return None
        first, offset = raw, len(raw)
    else:
        first, offset = raw[:end], end + 1
    match = _HEADER.fullmatch(first)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), offset


def _fits_binary(raw: bytes, header: tuple[int, int, int]) -> bool:
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


def _binary_not_text(name: str) -> DataError:
    return DataError(
        f"{name} has a word2vec header but binary data after it, so it is a word2vec binary "
        "file, not text.",
        "Choose 'word2vec binary' or 'detect from the file'.",
    )


def _looks_binary(sample: bytes) -> bool:
    """Whether bytes hold control characters that text never has (float32 data almost always)."""
    return any(b < 0x20 and b not in b"\t\n\r" or b == 0x7F for b in sample)


def _decode_text(name: str, raw: bytes, warnings: list[str]) -> str:
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


def _check_declared_size(name: str, words: int, dimension: int, body_bytes: int, binary: bool):
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


def _check_value_budget(name: str, rows: int, dimension: int) -> None:
    if rows * dimension > MAX_VALUES:
        raise DataError(
            f"Reading {rows:,} words × {dimension:,} dimensions of {name} would need "
            f"{rows * dimension * 4 / 1024 / 1024:,.0f} MB of memory; the app reads at most "
            f"{MAX_VALUES:,} numbers.",
            "Set 'read only the first N words' to a smaller number.",
        )


def _parse_text(name: str, text: str, has_header: bool, limit: int) -> _Rows:
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
        match = _HEADER.fullmatch(lines[0].encode("ascii", "replace"))
        if match is None:
            raise DataError(
                f"Line 1 of {name} should be the word2vec header 'words dimensions' (for "
                f"example: 71291 100), but it is {preview(lines[0])}.",
                "A file without that first line is GloVe text: choose 'GloVe text' or "
                "'detect from the file'.",
            )
        declared, dimension = int(match.group(1)), int(match.group(2))
        body = sum(len(line) + 1 for line in lines[1:])
        _check_declared_size(name, declared, dimension, body, binary=False)
        _check_value_budget(name, min(declared, limit), dimension)
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
            _check_value_budget(name, min(limit, len(lines)), dimension)
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
    return _Rows(words, np.vstack(rows), rows_read, truncated, duplicates)


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
        if first_row_line == 1 and _HEADER.fullmatch(first_line.encode("ascii", "replace")):
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


def _parse_chosen_binary(
    name: str, raw: bytes, header: tuple[int, int, int], limit: int, warnings: list[str]
) -> _Rows:
    """:func:`_parse_binary`, but a file that fails as binary and reads as word2vec text is
    called text in the message. Text-like bytes alone are no reason to refuse: float bytes can
    look like text."""
    try:
        return _parse_binary(name, raw, header, limit, warnings)
    except DataError:
        body = raw[header[2] : header[2] + 4096]
        if body.strip() and not _looks_binary(body) and _reads_as_text(name, raw, limit):
            raise DataError(
                f"{name} has a word2vec header followed by text, so it is word2vec text, not "
                "binary.",
                "Choose 'word2vec text' or 'detect from the file'.",
            ) from None
        raise


def _reads_as_text(name: str, raw: bytes, limit: int) -> bool:
    try:
        _parse_text(name, _decode_text(name, raw, []), True, limit)
    except DataError:
        return False
    return True


def _parse_binary(
    name: str, raw: bytes, header: tuple[int, int, int], limit: int, warnings: list[str]
) -> _Rows:
    """Entries of ``word`` + space + ``dimension`` little-endian float32, after a text header."""
    declared, dimension, offset = header
    _check_declared_size(name, declared, dimension, len(raw) - offset, binary=True)
    wanted = min(declared, limit)
    _check_value_budget(name, wanted, dimension)
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
        if not token or _looks_binary(token):
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
    return _Rows(words, vectors[:kept], wanted, truncated, duplicates)


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


def preview(text: str, limit: int = 40) -> str:
    """A quoted, shortened piece of the file for a message."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _keyed_vectors(words: list[str], vectors: np.ndarray):
    from gensim.models import KeyedVectors

    keyed = KeyedVectors(vector_size=vectors.shape[1], count=0, dtype=np.float32)
    keyed.add_vectors(words, vectors)
    return keyed
