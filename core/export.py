"""Exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with a single quote; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Rows -> UTF-8 CSV bytes, every text cell escaped against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def frame_to_csv_bytes(frame) -> bytes:
    """A pandas DataFrame (index included as the first column) -> escaped CSV bytes."""
    index_name = frame.index.name or ""
    header = [str(index_name), *map(str, frame.columns)]
    rows = (
        [idx, *values]
        for idx, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return to_csv_bytes(header, rows)
