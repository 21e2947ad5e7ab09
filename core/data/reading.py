"""Reading a person's file: bytes decoded, the format detected, labelled rows validated.

Every problem becomes a :class:`~core.errors.DataError` whose message a person can act on; rows
that cannot be read are left out and reported by line number. The formats live in
:mod:`core.data.formats`.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field

from core.data.datasets import MAX_UPLOAD_BYTES, Corpus, LabelledText

# FASTTEXT_PREFIX is re-exported: callers and tests know it from here.
from core.data.formats import (
    FASTTEXT_PREFIX,  # noqa: F401
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ReadRows,
    line_list,
    looks_fasttext,
    looks_label_tab_text,
    nonblank,
    read_fasttext,
    read_label_tab_text,
    read_table,
    split_lines,
)
from core.errors import DataError

MAX_LINE_CHARS = 100_000
MIN_LABELLED_ROWS = 10
MIN_ROWS_PER_CLASS = 2


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    warnings: tuple[str, ...] = field(default=())


def maybe_gunzip(name: str, data: bytes, max_bytes: int) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    # Read one byte past the limit so a compressed bomb is refused without inflating it whole.
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            inflated = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"{name} looks gzip-compressed but could not be decompressed ({exc}).",
            "Re-compress it with gzip, or upload the plain text file.",
        ) from exc
    if len(inflated) > max_bytes:
        raise DataError(
            f"{name} decompresses to more than {max_bytes // (1024 * 1024)} MB.",
            "Upload a smaller file or split it.",
        )
    return inflated


def decode_bytes(data: bytes, name: str = "the file") -> DecodedText:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with BOM, else latin-1 with a warning.

    Raises :class:`DataError` for NUL bytes or other signs of a binary file.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        codec, label = "utf-8-sig", "UTF-8 with BOM"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec, label = "utf-16", "UTF-16 with BOM"
    else:
        if b"\x00" in data:
            raise DataError(
                f"{name} contains NUL bytes, so it looks binary, not text.",
                "Upload a text file (.txt, .csv, .tsv). If it is UTF-16, save it with a BOM or "
                "as UTF-8.",
            )
        codec, label = "utf-8", "UTF-8"
    try:
        text: str | None = data.decode(codec)
    except UnicodeDecodeError:
        text = None
    warnings: tuple[str, ...] = ()
    if text is None:
        if label.startswith("UTF-16"):
            raise DataError(
                f"{name} has a UTF-16 BOM but is not valid UTF-16.", "Save it as UTF-8."
            )
        text = data.decode("latin-1")
        label = "latin-1"
        warnings = (
            f"{name} is not valid UTF-8; it was read as latin-1, so some accented characters "
            "may be wrong. Save it as UTF-8 to be sure.",
        )
    if "\x00" in text:
        raise DataError(f"{name} contains NUL characters.", "Upload a plain text file.")
    _reject_binary(text, name)
    return DecodedText(text, label, warnings)


def _reject_binary(text: str, name: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    control = sum(
        1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F
    )
    if control / len(sample) > 0.05:
        raise DataError(
            f"{name} looks like a binary file ({control} control characters in its first "
            f"{len(sample)}).",
            "Upload plain text: a .txt corpus, or a .csv/.tsv/fastText file of labelled text.",
        )


def _check_lines(lines: list[str], name: str) -> None:
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DataError(
                f"Line {number} of {name} has {len(line):,} characters; the limit is "
                f"{MAX_LINE_CHARS:,}.",
                "Put one sentence or document per line, or split the long line.",
            )


def guess_delimiter(name: str, lines: list[str]) -> str | None:
    """The delimiter of a table file: tab or comma by its name or its first lines, else ``None``
    (not a table)."""
    lower = name.lower()
    if lower.endswith((".tsv", ".tab")):
        return "\t"
    if lower.endswith(".csv"):
        return ","
    head = nonblank(lines, 50)
    if not head:
        return None
    if sum("\t" in line for line in head) / len(head) >= 0.9:
        return "\t"
    first = head[0].lower()
    header_cells = [c.strip().strip('"') for c in first.split(",")]
    if len(header_cells) > 1 and any(c in TEXT_COLUMNS for c in header_cells):
        return ","
    return None


def skipped_summary(skipped: tuple[tuple[int, str], ...] | list[tuple[int, str]]) -> str:
    """Rows not read, in one sentence: how many, and the first few line numbers."""
    lines = line_list([line for line, _ in skipped])
    if len(skipped) == 1:
        return f"1 row could not be read and was left out ({lines})."
    return f"{len(skipped):,} rows could not be read and were left out ({lines})."


def parse_upload(
    name: str,
    data: bytes,
    want: str = "any",
    max_bytes: int | None = None,
) -> LabelledText | Corpus:
    """Detect and parse an uploaded file.

    ``want`` is ``"any"`` (labelled text if labels are found, else a corpus), ``"labelled"``
    (labels required) or ``"corpus"`` (texts only; a labelled file gives its text column).
    Formats: ``label<TAB>text`` lines without a header, read literally (the SMS Spam
    Collection's layout); CSV or TSV with named text and label columns; fastText lines
    (``__label__x text``); plain text, one document per line; any of them optionally gzipped.
    Rows that cannot be read are left out and listed in the result's ``skipped`` as
    (line number, reason). Raises :class:`DataError` with a message for people on anything it
    cannot use.
    """
    if want not in {"any", "labelled", "corpus"}:
        raise ValueError(f"want must be any, labelled or corpus, not {want!r}")
    limit = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if not data:
        raise DataError(f"{name} is empty.", "Upload a file with at least one line of text.")
    if len(data) > limit:
        raise DataError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit // (1024 * 1024)} MB.",
            "Upload a smaller sample of the file.",
        )
    raw = maybe_gunzip(name, data, limit)
    display = name[:-3] if name.lower().endswith(".gz") else name
    decoded = decode_bytes(raw, name)
    if not decoded.text.strip():
        raise DataError(f"{name} holds only blank space.", "Upload a file with text in it.")
    lines = split_lines(decoded.text)
    _check_lines(lines, name)
    fmt_suffix = f", {decoded.encoding}" + (", gzip" if raw is not data else "")

    rows: ReadRows | None = None
    if looks_fasttext(lines):
        rows = read_fasttext(lines)
    elif looks_label_tab_text(lines, display):
        rows = read_label_tab_text(lines)
    else:
        delimiter = guess_delimiter(display, lines)
        if delimiter is not None:
            rows = read_table(decoded.text, lines, delimiter, name)

    if rows is None:
        documents = tuple(line.strip() for line in lines if line.strip())
        if want == "labelled":
            raise DataError(
                f"{name} looks like plain text with no labels.",
                "For labelled text upload a CSV with 'text' and 'label' columns, a TSV of "
                "label<TAB>text lines, or fastText lines (__label__spam some text).",
            )
        return Corpus(
            documents, name, "plain text, one document per line" + fmt_suffix, decoded.warnings
        )

    warnings = (*decoded.warnings, *rows.warnings)
    if rows.labels is None or want == "corpus":
        if want == "labelled":
            raise DataError(
                f"{name} has a text column but no label column.",
                f"Name the label column one of: {', '.join(LABEL_COLUMNS)}.",
            )
        return _corpus_of(rows, name, rows.format + fmt_suffix, warnings)
    return _validate_labelled(rows, name, rows.format + fmt_suffix, warnings)


def _corpus_of(rows: ReadRows, name: str, fmt: str, warnings: tuple[str, ...]) -> Corpus:
    """The texts of ``rows`` as a corpus; rows without text are reported in ``skipped``."""
    documents: list[str] = []
    skipped = list(rows.skipped)
    for line, text in zip(rows.lines, rows.texts, strict=True):
        text = (text or "").strip()
        if text:
            documents.append(text)
        else:
            skipped.append((line, "no text"))
    if not documents:
        raise DataError(f"{name} has no non-empty text.", "Check the text column.")
    return Corpus(tuple(documents), name, fmt, warnings, skipped=tuple(sorted(skipped)))


def _validate_labelled(
    rows: ReadRows, name: str, fmt: str, warnings: tuple[str, ...]
) -> LabelledText:
    """Rows with a text and a label -> :class:`LabelledText`; the others go to ``skipped``.

    Raises :class:`DataError` when too few rows remain, or a class is too small to split.
    """
    assert rows.labels is not None
    kept: list[tuple[str, str]] = []
    skipped = list(rows.skipped)
    for line, text, label in zip(rows.lines, rows.texts, rows.labels, strict=True):
        text, label = (text or "").strip(), (label or "").strip()
        if text and label:
            kept.append((text, label))
        else:
            reason = (
                rows.no_label if text else "no text" if label else f"no text and {rows.no_label}"
            )
            skipped.append((line, reason))
    skipped.sort()
    if len(kept) < MIN_LABELLED_ROWS:
        lost = f" {skipped_summary(skipped)} The first: {skipped[0][1]}." if skipped else ""
        raise DataError(
            f"{name} has {len(kept)} usable labelled rows; at least {MIN_LABELLED_ROWS} are "
            f"needed.{lost}",
            "Add more labelled examples.",
        )
    counts: dict[str, int] = {}
    for _, label in kept:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        only = next(iter(counts))
        raise DataError(
            f"{name} has one class only ('{only}'); a classifier needs at least two.",
            "Add examples of another class, or check that the label column is the right one.",
        )
    rare = [label for label, n in counts.items() if n < MIN_ROWS_PER_CLASS]
    if rare:
        raise DataError(
            f"Class(es) {', '.join(map(repr, rare[:5]))} in {name} have fewer than "
            f"{MIN_ROWS_PER_CLASS} examples.",
            "Add examples of those classes or remove them.",
        )
    return LabelledText(
        tuple(t for t, _ in kept),
        tuple(label for _, label in kept),
        name,
        fmt,
        warnings=warnings,
        skipped=tuple(skipped),
    )
