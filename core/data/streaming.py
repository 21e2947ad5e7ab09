"""Reading a text file of any length in chunks of rows, so that a million lines fit in bounded memory.

:func:`open_chunked` detects the format from the file's first 256 KB as
:func:`core.data.reading.parse_upload` does (CSV or TSV with a header, ``label<TAB>text`` lines,
fastText lines, plain lines; optionally gzipped; UTF-8, UTF-16 with BOM or latin-1) and then
hands out :class:`RowChunk` after :class:`RowChunk`, never more than one chunk of the file in
memory. Rows that cannot be read are reported by line number, as in the rest of the data layer.
A TSV file whose first 256 KB break CSV's quoting is read literally, one row a line, throughout.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from core.data.formats import (
    ReadRows,
    check_width,
    csv_records,
    iter_csv_records,
    looks_fasttext,
    looks_label_tab_text,
    read_fasttext,
    read_label_tab_text,
    split_lines,
    table_rows,
)
from core.data.reading import MAX_LINE_CHARS, decode_bytes, guess_delimiter
from core.errors import DataError

SAMPLE_BYTES = 256 * 1024
DEFAULT_CHUNK_ROWS = 5_000
CODECS = {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8-sig", "UTF-16 with BOM": "utf-16"}


@dataclass
class RowChunk:
    """The rows read from one stretch of the file: their texts, labels (``None`` for a file
    without labels) and line numbers, and the rows left out there as (line number, reason)."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None
    lines: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class FileLayout:
    """What the first stretch of a file said about all of it."""

    kind: str  # "plain", "fasttext", "label-tab", "table" or "literal-tsv"
    format: str  # in words, as LabelledText.format
    labelled: bool
    delimiter: str = ""


class ChunkedFile:
    """An open text file read chunk by chunk; use :func:`open_chunked` and ``with``.

    ``format`` and ``labelled`` are known once it is open; ``warnings`` grows as chunks are read
    (each distinct warning once); :meth:`chunks` yields :class:`RowChunk` of at most
    ``chunk_rows`` lines each and raises :class:`DataError` when the file holds no row at all.
    """

    def __init__(self, path: Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        self.path, self.name, self.chunk_rows = path, path.name, chunk_rows
        self.warnings: list[str] = []
        self._raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            self._binary, gzipped = self._unzipped()
            encoding, sample = self._sample()
            suffix = f", {encoding}" + (", gzip" if gzipped else "")
            self.layout = detect_layout(self.name, sample, suffix)
            self.codec = CODECS.get(encoding, "latin-1")
        except BaseException:
            self.close()
            raise

    @property
    def format(self) -> str:
        return self.layout.format

    @property
    def labelled(self) -> bool:
        return self.layout.labelled

    def __enter__(self) -> ChunkedFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def _unzipped(self) -> tuple[IO[bytes], bool]:
        """The file's bytes, through gzip when it starts with gzip's magic number."""
        if self._raw.read(2) != b"\x1f\x8b":
            self._raw.seek(0)
            return self._raw, False
        self._raw.seek(0)
        return gzip.GzipFile(fileobj=self._raw), True

    def _sample(self) -> tuple[str, list[str]]:
        """The encoding and the first lines (up to ``SAMPLE_BYTES``), checked as uploads are."""
        data = self._read_bytes(SAMPLE_BYTES)
        if not data:
            raise DataError(f"{self.name} is empty.", "Give a file with at least one line of text.")
        if len(data) == SAMPLE_BYTES:  # more follows: end the sample where a line ends
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                data = data[: len(data) - len(data) % 2]
            elif b"\n" in data:
                data = data[: data.rindex(b"\n") + 1]
        decoded = decode_bytes(data, self.name)
        self.warnings.extend(decoded.warnings)
        self._seek_start()
        return decoded.encoding, split_lines(decoded.text)

    def _read_bytes(self, size: int) -> bytes:
        try:
            return self._binary.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(
                f"{self.name} looks gzip-compressed but could not be decompressed ({exc}).",
                "Re-compress it with gzip, or give the plain text file.",
            ) from exc

    def _seek_start(self) -> None:
        self._binary.seek(0)

    def _text_lines(self) -> Iterator[str]:
        """The file's lines with their line breaks, each checked against ``MAX_LINE_CHARS``
        before a longer one is read whole."""
        raw = io.BufferedReader(_Unclosed(self._binary))
        stream = io.TextIOWrapper(raw, encoding=self.codec, newline="")
        number = 0
        while True:
            line = stream.readline(MAX_LINE_CHARS + 2)
            if not line:
                return
            number += 1
            if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                raise DataError(
                    f"Line {number:,} of {self.name} has more than {MAX_LINE_CHARS:,} characters.",
                    "Put one document per line, or split the long line.",
                )
            yield line

    def chunks(self) -> Iterator[RowChunk]:
        """The file's rows, ``chunk_rows`` lines at a time (see the class)."""
        rows = 0
        try:
            for chunk in self._chunks():
                rows += len(chunk)
                yield chunk
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{self.name} is not valid {self.codec} after its first lines ({exc.reason}).",
                "Save the whole file as UTF-8.",
            ) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(
                f"{self.name} could not be read to the end ({exc}).",
                "Check that the file is whole (re-compress it if it is gzipped).",
            ) from exc
        if rows == 0:
            raise DataError(f"{self.name} has no text to score.", "Give a file with text in it.")

    def _chunks(self) -> Iterator[RowChunk]:
        self._seek_start()
        lines = self._text_lines()
        kind = self.layout.kind
        if kind == "table":
            yield from self._table_chunks(iter_csv_records(lines, self.layout.delimiter, self.name))
            return
        if kind == "literal-tsv":
            yield from self._table_chunks(self._literal_records(lines))
            return
        for first, batch in batches(enumerate(lines, start=1), self.chunk_rows):
            bodies = [without_break(line) for _, line in batch]
            if kind == "plain":
                yield plain_chunk(bodies, first)
                continue
            if kind == "fasttext":
                read = read_fasttext(bodies)
            elif first == 1:  # label<TAB>text: only the first line can be a header
                read = read_label_tab_text(bodies)
            else:
                read = label_tab_rows(bodies, self.layout.format)
            yield self._validated(read, first - 1)

    def _literal_records(self, lines: Iterable[str]) -> Iterator[tuple[int, list[str], str]]:
        """A TSV's non-blank lines split at every tab, quotes kept as they stand."""
        for number, line in enumerate(lines, start=1):
            if line.strip():
                cells = without_break(line).split("\t")
                check_width(cells, number, self.name)
                yield number, cells, ""

    def _table_chunks(
        self, records: Iterable[tuple[int, list[str] | None, str]]
    ) -> Iterator[RowChunk]:
        """Table records (the header first) -> chunks of the text and label columns' rows."""
        delimiter = self.layout.delimiter
        header: tuple[int, list[str]] | None = None
        for _, batch in batches(records, self.chunk_rows):
            good = [(start, cells) for start, cells, _ in batch if cells is not None]
            broken = [(start, reason) for start, cells, reason in batch if cells is None]
            if header is None:
                if not good:
                    continue
                header, good = good[0], good[1:]
            read = table_rows([header, *good], delimiter, self.name)
            read.skipped.extend(broken)
            yield self._validated(read, 0)

    def _validated(self, read: ReadRows, offset: int) -> RowChunk:
        """Rows read from a chunk whose first line is line ``offset + 1`` -> a RowChunk: rows
        without text (or, in a labelled file, without a label) are left out with the reason."""
        for warning in read.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
        chunk = RowChunk(labels=[] if self.labelled else None)
        chunk.skipped = [(line + offset, reason) for line, reason in read.skipped]
        labels = read.labels if read.labels is not None else [None] * len(read.texts)
        for line, text, label in zip(read.lines, read.texts, labels, strict=True):
            text, label = (text or "").strip(), (label or "").strip()
            if not text or (self.labelled and not label):
                reason = "no text" if not text else read.no_label
                chunk.skipped.append((line + offset, reason))
                continue
            chunk.texts.append(text)
            chunk.lines.append(line + offset)
            if chunk.labels is not None:
                chunk.labels.append(label)
        chunk.skipped.sort()
        return chunk


class _Unclosed(io.RawIOBase):
    """A read-only view of a binary stream that leaves it open when the text wrapper closes."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_chunked(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> ChunkedFile:
    """Open a text file for reading in chunks; raises :class:`DataError` for a missing, empty,
    binary or unreadable file and for a table without a text column."""
    file = Path(path)
    if not file.is_file():
        raise DataError(
            f"No file at {path}.",
            "Give the path of a CSV, TSV, fastText or plain text file (optionally .gz).",
        )
    return ChunkedFile(file, chunk_rows)


def detect_layout(name: str, lines: list[str], suffix: str) -> FileLayout:
    """The layout of a file from its first ``lines``, detected as uploads are; ``suffix`` ends
    the format's description (encoding, gzip)."""
    display = name[:-3] if name.lower().endswith(".gz") else name
    if not any(line.strip() for line in lines):
        raise DataError(f"{name} starts with only blank space.", "Give a file with text in it.")
    if looks_fasttext(lines):
        return FileLayout("fasttext", read_fasttext([]).format + suffix, True)
    if looks_label_tab_text(lines, display):
        return FileLayout("label-tab", read_label_tab_text([]).format + suffix, True)
    delimiter = guess_delimiter(display, lines)
    if delimiter is None:
        return FileLayout("plain", "plain text, one document per line" + suffix, False)
    text = "".join(line + "\n" for line in lines)
    literal = False
    try:
        records, broken = csv_records(text, delimiter, name)
        literal = delimiter == "\t" and bool(broken)
    except DataError:
        if delimiter != "\t":
            raise
        records, literal = [], True
    if literal:
        records = [(1, next(line for line in lines if line.strip()).split("\t"))]
    if not records:
        raise DataError(f"{name} has no rows.", "Give a file with at least one row of text.")
    header = table_rows(records[:1], delimiter, name)  # raises when no column holds text
    if literal:
        fmt = header.format + ", quotes read literally" + suffix
        return FileLayout("literal-tsv", fmt, header.labels is not None, "\t")
    return FileLayout("table", header.format + suffix, header.labels is not None, delimiter)


def batches(items: Iterable, size: int) -> Iterator[tuple[int, list]]:
    """``items`` in lists of ``size`` (the last may be shorter), each with the 1-based position
    of its first item."""
    batch: list = []
    first = 1
    for position, item in enumerate(items, start=1):
        if not batch:
            first = position
        batch.append(item)
        if len(batch) == size:
            yield first, batch
            batch = []
    if batch:
        yield first, batch


def without_break(line: str) -> str:
    """A line without the ``\\r\\n``, ``\\r`` or ``\\n`` that ends it."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


def plain_chunk(lines: list[str], first: int) -> RowChunk:
    """Plain lines from line ``first`` on: each non-blank line, stripped, is one text."""
    chunk = RowChunk()
    for number, line in enumerate(lines, start=first):
        if line.strip():
            chunk.texts.append(line.strip())
            chunk.lines.append(number)
    return chunk


def label_tab_rows(lines: list[str], fmt: str) -> ReadRows:
    """``label<TAB>text`` lines after the first chunk, read literally (no header here)."""
    rows = ReadRows(fmt)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab:
            rows.skip(number, "no tab between the label and the text")
            continue
        rows.add(number, text, label)
    return rows
