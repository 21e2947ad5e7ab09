"""Reading a person's file: bytes decoded, the format detected, labelled rows validated.

Every problem becomes a :class:`~core.errors.DataError` whose message a person can act on.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass, field

from core.data.datasets import MAX_UPLOAD_BYTES, Corpus, LabelledText
from core.errors import DataError

TEXT_COLUMNS = ("text", "content", "message", "v2", "comment", "sentence", "body", "review")
LABEL_COLUMNS = ("label", "class", "category", "v1", "target", "sentiment")
FASTTEXT_PREFIX = "__label__"
MAX_LINE_CHARS = 100_000
MAX_COLUMNS = 1_000
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


def _find_column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for wanted in names:
        if wanted in lowered:
            return lowered.index(wanted)
    return None


def _read_delimited(text: str, delimiter: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise DataError(
                    f"{name} has {len(row):,} columns on line {reader.line_num}; the limit is "
                    f"{MAX_COLUMNS:,}.",
                    "Keep only the text column and the label column.",
                )
            if any(cell.strip() for cell in row):
                rows.append(row)
    except csv.Error as exc:
        if "end of data" in str(exc) or "quote" in str(exc):
            raise DataError(
                f"{name} has an unbalanced quote that starts near line {reader.line_num} ({exc}).",
                'Close every opening " in that row, or double a quote inside a field ("").',
            ) from exc
        raise DataError(f"{name} is not valid CSV near line {reader.line_num}: {exc}.") from exc
    return rows


def _looks_fasttext(lines: list[str]) -> bool:
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return False
    hits = sum(1 for line in nonblank if line.lstrip().startswith(FASTTEXT_PREFIX))
    return hits / len(nonblank) >= 0.9


def _parse_fasttext(lines: list[str]) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for line in lines:
        words = line.split()
        if not words:
            continue
        tags = [w[len(FASTTEXT_PREFIX) :] for w in words if w.startswith(FASTTEXT_PREFIX)]
        rest = [w for w in words if not w.startswith(FASTTEXT_PREFIX)]
        if not tags or not rest:
            continue
        # A line with several labels keeps its first: the lab trains single-label classifiers.
        labels.append(tags[0])
        texts.append(" ".join(rest))
    return texts, labels


def _guess_delimiter(name: str, lines: list[str]) -> str | None:
    lower = name.lower()
    if lower.endswith((".tsv", ".tab")):
        return "\t"
    if lower.endswith(".csv"):
        return ","
    head = [line for line in lines[:50] if line.strip()]
    if not head:
        return None
    if sum("\t" in line for line in head) / len(head) >= 0.9:
        return "\t"
    first = head[0].lower()
    header_cells = [c.strip().strip('"') for c in first.split(",")]
    if len(header_cells) > 1 and any(c in TEXT_COLUMNS for c in header_cells):
        return ","
    return None


def parse_upload(
    name: str,
    data: bytes,
    want: str = "any",
    max_bytes: int | None = None,
) -> LabelledText | Corpus:
    """Detect and parse an uploaded file.

    ``want`` is ``"any"`` (labelled text if labels are found, else a corpus), ``"labelled"``
    (labels required) or ``"corpus"`` (texts only; a labelled file gives its text column).
    Formats: UCI-style TSV (``label<TAB>text``), CSV or TSV with named text and label columns,
    fastText lines (``__label__x text``) and plain text, one document per line, optionally gzipped.
    Raises :class:`DataError` with a message for people on anything it cannot use.
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
    lines = decoded.text.splitlines()
    _check_lines(lines, name)
    fmt_suffix = f", {decoded.encoding}" + (", gzip" if raw is not data else "")

    texts: list[str] | None = None
    labels: list[str] | None = None
    fmt = ""
    if _looks_fasttext(lines):
        texts, labels = _parse_fasttext(lines)
        fmt = "fastText labels"
    else:
        delimiter = _guess_delimiter(display, lines)
        if delimiter is not None:
            texts, labels, fmt = _parse_table(decoded.text, delimiter, name)

    if texts is None:
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

    if labels is None or want == "corpus":
        if want == "labelled":
            raise DataError(
                f"{name} has a text column but no label column.",
                f"Name the label column one of: {', '.join(LABEL_COLUMNS)}.",
            )
        docs = tuple(t.strip() for t in texts if t.strip())
        if not docs:
            raise DataError(f"{name} has no non-empty text.", "Check the text column.")
        return Corpus(docs, name, fmt + fmt_suffix, decoded.warnings)

    return _validate_labelled(texts, labels, name, fmt + fmt_suffix, decoded.warnings)


def _parse_table(text: str, delimiter: str, name: str) -> tuple[list[str], list[str] | None, str]:
    kind = "TSV" if delimiter == "\t" else "CSV"
    rows = _read_delimited(text, delimiter, name)
    if not rows:
        raise DataError(f"{name} has no rows.", "Upload a file with at least one row of text.")
    header = rows[0]
    text_col = _find_column(header, TEXT_COLUMNS)
    label_col = _find_column(header, LABEL_COLUMNS)
    if text_col is not None:
        body = rows[1:]
        width = len(header)
        texts = [row[text_col] if text_col < len(row) else "" for row in body]
        labels = None
        if label_col is not None:
            labels = [row[label_col].strip() if label_col < len(row) else "" for row in body]
        short = sum(1 for row in body if len(row) != width)
        fmt = f"{kind} (text column '{header[text_col]}'"
        fmt += f", label column '{header[label_col]}')" if label_col is not None else ")"
        if short:
            fmt += f" [{short} rows with a different number of fields]"
        return texts, labels, fmt
    if kind == "TSV" and all(len(row) == 2 for row in rows[:50]):
        # UCI style, no header: label<TAB>text (the SMS Spam Collection's layout).
        labels = [row[0].strip() for row in rows]
        texts = [row[1] if len(row) > 1 else "" for row in rows]
        return texts, labels, "UCI TSV (label<TAB>text)"
    shown = ", ".join(repr(h) for h in header[:8]) + (" ..." if len(header) > 8 else "")
    raise DataError(
        f"{name} has no text column (its {len(header):,} columns are {shown}).",
        f"Name the column that holds the text one of: {', '.join(TEXT_COLUMNS)}; for "
        "labelled text add a label column (label, class, category, v1).",
    )


def _validate_labelled(
    texts: list[str], labels: list[str], name: str, fmt: str, warnings: tuple[str, ...]
) -> LabelledText:
    pairs = [(t.strip(), label) for t, label in zip(texts, labels, strict=True)]
    kept = [(t, label) for t, label in pairs if t and label]
    dropped = len(pairs) - len(kept)
    if dropped:
        warnings = (*warnings, f"{dropped} rows with an empty text or label were skipped.")
    if len(kept) < MIN_LABELLED_ROWS:
        raise DataError(
            f"{name} has {len(kept)} usable labelled rows; at least {MIN_LABELLED_ROWS} are needed.",
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
        tuple(t for t, _ in kept), tuple(label for _, label in kept), name, fmt, warnings=warnings
    )
