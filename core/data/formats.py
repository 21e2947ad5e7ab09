"""Labelled-file formats read row by row: CSV and TSV tables, label<TAB>text lines and fastText.

Every reader keeps each row's line number and gives back, next to the rows it read, every row it
could not read as (line number, reason): nothing is dropped or cut without a word.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from core.errors import DataError

TEXT_COLUMNS = ("text", "content", "message", "v2", "comment", "sentence", "body", "review")
LABEL_COLUMNS = ("label", "class", "category", "v1", "target", "sentiment")
FASTTEXT_PREFIX = "__label__"
MAX_COLUMNS = 1_000
MAX_LABEL_CHARS = 40
SAMPLE_LINES = 200
# Only these end a line: what the csv module counts and what editors number. str.splitlines
# would also break at U+2028 or at \x85, which is "…" in a cp1252 file read as latin-1.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class ReadRows:
    """What a reader found, before validation.

    ``texts``, ``labels`` and ``lines`` hold one entry per row (``None`` where the row lacks
    that field); ``labels`` is ``None`` for a file with no labels at all. ``skipped`` lists rows
    the reader could not read as (line number, reason); ``no_label`` is the reason given later for
    a row without a label.
    """

    format: str
    texts: list[str | None] = field(default_factory=list)
    labels: list[str | None] | None = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    no_label: str = "no label"

    def add(self, line: int, text: str | None, label: str | None = None) -> None:
        """Keep one row read from ``line``."""
        self.lines.append(line)
        self.texts.append(text)
        if self.labels is not None:
            self.labels.append(label)

    def skip(self, line: int, reason: str) -> None:
        """Report the row at ``line`` as not read, and why."""
        self.skipped.append((line, reason))


def split_lines(text: str) -> list[str]:
    """Text -> its lines, split at ``\\r\\n``, ``\\r`` or ``\\n`` only; line *n* is item *n - 1*."""
    lines = LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()  # the break that ends the last line starts no new one
    return lines


def line_list(numbers: list[int], shown: int = 5) -> str:
    """Line numbers in words: ``"lines 3, 8 and 12"``, the first ``shown`` and how many more."""
    if len(numbers) == 1:
        return f"line {numbers[0]:,}"
    head = [f"{n:,}" for n in numbers[:shown]]
    if len(numbers) > shown:
        return f"lines {', '.join(head)} and {len(numbers) - shown:,} more"
    return f"lines {', '.join(head[:-1])} and {head[-1]}"


def nonblank(lines: list[str], limit: int = SAMPLE_LINES) -> list[str]:
    """The first ``limit`` lines that hold more than white space."""
    return list(islice((line for line in lines if line.strip()), limit))


def find_column(header: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first header cell named one of ``names`` (case and spaces ignored), or None."""
    lowered = [h.strip().lower() for h in header]
    for wanted in names:
        if wanted in lowered:
            return lowered.index(wanted)
    return None


# ---------------------------------------------------------------- fastText


def looks_fasttext(lines: list[str]) -> bool:
    """Whether nine lines in ten (blank lines aside) start with ``__label__``."""
    filled = [line for line in lines if line.strip()]
    if not filled:
        return False
    hits = sum(1 for line in filled if line.lstrip().startswith(FASTTEXT_PREFIX))
    return hits / len(filled) >= 0.9


def read_fasttext(lines: list[str]) -> ReadRows:
    """fastText lines -> rows: the first ``__label__`` tag is the label, the other words the text
    (joined by single spaces). A line without a tag keeps its text and has no label."""
    rows = ReadRows("fastText labels", no_label=f"no {FASTTEXT_PREFIX} tag")
    several: list[int] = []
    for number, line in enumerate(lines, start=1):
        words = line.split()
        if not words:
            continue
        tags = [w[len(FASTTEXT_PREFIX) :] for w in words if w.startswith(FASTTEXT_PREFIX)]
        rest = [w for w in words if not w.startswith(FASTTEXT_PREFIX)]
        if len(tags) > 1:
            several.append(number)
        rows.add(number, " ".join(rest), tags[0] if tags else None)
    if several:
        rows.warnings.append(
            f"{len(several):,} lines carry more than one label; each keeps its first, as the lab "
            f"trains single-label classifiers ({line_list(several)})."
        )
    return rows


# ---------------------------------------------------------------- label<TAB>text


def names_a_text_column(line: str) -> bool:
    """Whether a tab-separated cell of ``line`` is a text column's name: the line is a header."""
    return any(c.strip().strip('"').lower() in TEXT_COLUMNS for c in line.split("\t"))


def looks_label_tab_text(lines: list[str], name: str) -> bool:
    """Whether the file is ``label<TAB>text`` lines without a header (the SMS Spam Collection).

    Nine lines in ten hold a tab, nine in ten of those have a short first field (at most
    ``MAX_LABEL_CHARS`` characters), and the first line names no text column, as a TSV header
    would. A ``.csv`` file never is: its name says commas.
    """
    sample = nonblank(lines)
    if not sample or name.lower().endswith(".csv") or names_a_text_column(sample[0]):
        return False
    firsts = [line.partition("\t")[0].strip() for line in sample if "\t" in line]
    if len(firsts) < 0.9 * len(sample):
        return False
    short = sum(1 for first in firsts if 0 < len(first) <= MAX_LABEL_CHARS)
    return short >= 0.9 * len(firsts)


def read_label_tab_text(lines: list[str]) -> ReadRows:
    """``label<TAB>text`` lines read literally: the label, one tab, then the rest of the line as
    it stands, quotes and further tabs included. Each non-blank line is one row.

    A first line whose label is a label column's name (``label``, ``class``…) that the lines
    after it do not use is a header and is passed over, with a warning.
    """
    rows = ReadRows("UCI TSV (label<TAB>text, read literally)")
    filled = [n for n, line in enumerate(lines, start=1) if line.strip()]
    header = 0
    if filled:
        first = lines[filled[0] - 1].partition("\t")[0].strip()
        later = {line.partition("\t")[0].strip() for line in nonblank(lines[filled[0] :])}
        if first.lower() in LABEL_COLUMNS and first not in later:
            header = filled[0]
            rows.warnings.append(f"Line {header} names the columns, so it was read as a header.")
    for number in filled:
        if number == header:
            continue
        label, tab, text = lines[number - 1].partition("\t")
        if not tab:
            rows.skip(number, "no tab between the label and the text")
            continue
        rows.add(number, text, label)
    return rows


# ---------------------------------------------------------------- CSV and TSV with a header


def csv_records(text: str, delimiter: str, name: str) -> tuple[list, list[tuple[int, str]]]:
    """Text -> ``[(first line number, cells)]`` read by the csv module (quotes honoured), and the
    rows whose quotes break CSV's rules as (line number, reason).

    Raises :class:`DataError` for a quote left open to the end of the file, a field over the csv
    module's size limit, or too many columns.
    """
    records: list[tuple[int, list[str]]] = []
    broken: list[tuple[int, str]] = []
    for start, cells, reason in iter_csv_records(io.StringIO(text, newline=""), delimiter, name):
        if cells is None:
            broken.append((start, reason))
        else:
            records.append((start, cells))
    return records, broken


def iter_csv_records(
    lines: Iterable[str], delimiter: str, name: str
) -> Iterator[tuple[int, list[str] | None, str]]:
    """Lines (with their line breaks) -> ``(first line number, cells, "")`` per record, or
    ``(line number, None, reason)`` for a record whose quotes break CSV's rules, one at a time,
    so a file of any length is read in bounded memory. Raises as :func:`csv_records`.
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise DataError(
                    f"{name} has an unbalanced quote that starts near line {start} ({exc}).",
                    'Close every opening " in that row, or double a quote inside a field ("").',
                ) from exc
            if "expected after" not in str(exc):
                raise DataError(f"{name} is not valid CSV near line {start}: {exc}.") from exc
            end = reader.line_num
            through = f" (it runs to line {end:,})" if end > start else ""
            yield start, None, f'a " that breaks CSV quoting{through}'
            continue
        check_width(cells, start, name)
        yield start, cells, ""


def literal_records(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Non-blank lines split at every tab, quotes kept as they stand."""
    return [(n, line.split("\t")) for n, line in enumerate(lines, start=1) if line.strip()]


def check_width(cells: list[str], line: int, name: str) -> None:
    """Raise :class:`DataError` when a row has more than ``MAX_COLUMNS`` fields."""
    if len(cells) > MAX_COLUMNS:
        raise DataError(
            f"{name} has {len(cells):,} columns on line {line}; the limit is {MAX_COLUMNS:,}.",
            "Keep only the text column and the label column.",
        )


def read_table(text: str, lines: list[str], delimiter: str, name: str) -> ReadRows:
    """A CSV or TSV file with a header row -> rows of its text and label columns.

    Quotes follow CSV's rules; a CSV row that breaks them is reported and the rest is read. A TSV
    whose quotes break them is read again without quoting, one row a line, since TSV files are
    often written that way.
    """
    kind = "TSV" if delimiter == "\t" else "CSV"
    try:
        records, broken = csv_records(text, delimiter, name)
        quoting_broken = bool(broken)
    except DataError:
        if kind == "CSV":
            raise
        records, broken, quoting_broken = [], [], True
    literal = kind == "TSV" and quoting_broken
    if literal:
        records, broken = literal_records(lines), []
        for number, cells in records:
            check_width(cells, number, name)
    rows = table_rows(records, delimiter, name)
    if literal:
        rows.format += ", quotes read literally"
        rows.warnings.append(
            f"The quotes in {name} do not follow CSV's rules, so each line was read as one row "
            "split at tabs, with its quotes kept as they stand."
        )
    rows.skipped.extend(broken)
    return rows


def table_rows(records: list[tuple[int, list[str]]], delimiter: str, name: str) -> ReadRows:
    """Records whose first is the header -> rows of the text and label columns.

    When the text column is the last named one (``v1,v2,,,`` or ``label,text``), fields after it
    are text that an unquoted delimiter split: they are joined back to it, delimiters restored,
    with a warning. Otherwise a row with more filled fields than the header is reported, not read.
    """
    kind = "TSV" if delimiter == "\t" else "CSV"
    if not records:
        raise DataError(f"{name} has no rows.", "Upload a file with at least one row of text.")
    header = records[0][1]
    text_col = find_column(header, TEXT_COLUMNS)
    label_col = find_column(header, LABEL_COLUMNS)
    if text_col is None:
        shown = ", ".join(repr(h) for h in header[:8]) + (" ..." if len(header) > 8 else "")
        raise DataError(
            f"{name} has no text column (its {len(header):,} columns are {shown}).",
            f"Name the column that holds the text one of: {', '.join(TEXT_COLUMNS)}; for "
            "labelled text add a label column (label, class, category, v1), or write "
            "label<TAB>text lines without a header.",
        )
    fmt = f"{kind} (text column '{header[text_col]}'"
    fmt += f", label column '{header[label_col]}')" if label_col is not None else ")"
    rows = ReadRows(fmt, labels=[] if label_col is not None else None)
    width = len(header)
    rejoin = not any(h.strip() for h in header[text_col + 1 :])
    restored: list[int] = []
    for number, cells in records[1:]:
        if len(cells) <= 1 and not any(c.strip() for c in cells):
            continue  # a blank line
        text = cells[text_col] if text_col < len(cells) else None
        if rejoin:
            spill = trailing_filled(cells[text_col + 1 :])
            if spill:
                text = delimiter.join([text or "", *spill])
                restored.append(number)
        elif any(c.strip() for c in cells[width:]):
            rows.skip(number, f"{len(cells)} fields where the header has {width}")
            continue
        label = None
        if label_col is not None and label_col < len(cells):
            label = cells[label_col]
        rows.add(number, text, label)
    if restored:
        mark = "tabs" if kind == "TSV" else "commas"
        rows.warnings.append(
            f"{len(restored):,} rows had their text split at {mark} into the columns after "
            f"'{header[text_col]}'; the pieces were joined back with the {mark} restored "
            f"({line_list(restored)})."
        )
    return rows


def trailing_filled(cells: list[str]) -> list[str]:
    """``cells`` up to the last one that holds more than white space (nothing if none does)."""
    for end in range(len(cells), 0, -1):
        if cells[end - 1].strip():
            return cells[:end]
    return []
