"""Word vectors into the app: the format detected, the file refused or read, and what it gave.

Pickles and gensim ``.model`` files are refused before a byte of them is parsed. The text
formats (word2vec text, GloVe) are parsed in :mod:`core.embeddings.vector_text`, word2vec
binary in :mod:`core.embeddings.vector_binary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.data.datasets import MAX_UPLOAD_BYTES
from core.data.reading import maybe_gunzip
from core.embeddings.vector_binary import fits_binary, parse_binary
from core.embeddings.vector_rows import HEADER, MAX_WORDS, Rows, looks_binary, read_header
from core.embeddings.vector_text import decode_text, parse_text
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from core.safe_files.unsafe import Found, UnsafeRules, refuse_unsafe

VectorFormat = Literal["auto", "word2vec-text", "word2vec-binary", "glove"]
FORMAT_NAMES = {
    "auto": "detect from the file",
    "word2vec-text": "word2vec text",
    "word2vec-binary": "word2vec binary",
    "glove": "GloVe text",
}


PICKLE_HINT = (
    "Open it in your own Python session and export the vectors with "
    "model.wv.save_word2vec_format('vectors.txt') (or binary=True for a .bin file), "
    "then load that file here."
)


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
    header = read_header(raw)
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
        if header is not None and looks_binary(raw[header[2] : header[2] + 4096]):
            raise _binary_not_text(display)
        try:
            text_warnings: list[str] = []
            text = decode_text(display, raw, text_warnings)
            rows = parse_text(display, text, found == "word2vec-text", limit)
            warnings.extend(text_warnings)
        except DataError:
            # Float bytes need not hold a control byte (0.05 is b"\xcd\xccL="), so a binary
            # file can look like text; it is binary when its entries fill the file exactly.
            if header is None or not fits_binary(raw, header):
                raise
            if format != "auto":
                raise _binary_not_text(display) from None
            found = "word2vec-binary"
            rows = parse_binary(display, raw, header, limit, warnings)

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


def _unsafe_message(name: str, found: Found) -> str:
    """The refusal of a vector upload that may be a pickle, by its first bytes or its name."""
    if found.suffix is not None:
        why = f"has a {found.suffix} name, a kind of file saved with pickle"
    else:
        why = found.unsafe.sign
    return (
        f"{name} {why}: it looks like a gensim .model / Python pickle. It is not loaded, "
        "because unpickling an uploaded file can run code."
    )


# First bytes before names: a pickle, an .npy array or any zip (.npz, .keras) by what it holds,
# then the names gensim and numpy files go by, gzipped or not.
VECTOR_UNSAFE = UnsafeRules(
    checks=(
        ("pickle", "bytes"),
        ("npy", "bytes"),
        ("zip", "bytes"),
        ("gensim", "name"),
        ("pickle", "name"),
        ("npy", "name"),
        ("npz", "name"),
    ),
    message=_unsafe_message,
    hint=PICKLE_HINT,
    ignore_suffixes=(".gz",),
)


def refuse_unsafe_file(name: str, data: bytes) -> None:
    """Raise :class:`DataError` for pickles, gensim ``.model`` files, numpy arrays and zips.

    They are refused by name or by their first bytes (see :data:`VECTOR_UNSAFE`) and never
    opened: unpickling an uploaded file can run any code its author wrote.
    """
    refuse_unsafe(name, data, VECTOR_UNSAFE)


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
        return "word2vec-text" if HEADER.fullmatch(first) else "glove"
    header = read_header(raw)
    if header is None:
        return "glove"
    body = raw[header[2] : header[2] + 4096]
    return "word2vec-binary" if looks_binary(body) else "word2vec-text"


def _binary_not_text(name: str) -> DataError:
    return DataError(
        f"{name} has a word2vec header but binary data after it, so it is a word2vec binary "
        "file, not text.",
        "Choose 'word2vec binary' or 'detect from the file'.",
    )


def _parse_chosen_binary(
    name: str, raw: bytes, header: tuple[int, int, int], limit: int, warnings: list[str]
) -> Rows:
    """:func:`parse_binary`, but a file that fails as binary and reads as word2vec text is
    called text in the message. Text-like bytes alone are no reason to refuse: float bytes can
    look like text."""
    try:
        return parse_binary(name, raw, header, limit, warnings)
    except DataError:
        body = raw[header[2] : header[2] + 4096]
        if body.strip() and not looks_binary(body) and _reads_as_text(name, raw, limit):
            raise DataError(
                f"{name} has a word2vec header followed by text, so it is word2vec text, not "
                "binary.",
                "Choose 'word2vec text' or 'detect from the file'.",
            ) from None
        raise


def _reads_as_text(name: str, raw: bytes, limit: int) -> bool:
    try:
        parse_text(name, decode_text(name, raw, []), True, limit)
    except DataError:
        return False
    return True


def _keyed_vectors(words: list[str], vectors: np.ndarray):
    from gensim.models import KeyedVectors

    keyed = KeyedVectors(vector_size=vectors.shape[1], count=0, dtype=np.float32)
    keyed.add_vectors(words, vectors)
    return keyed
