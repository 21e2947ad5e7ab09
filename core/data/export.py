"""Exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def json_number(value: float | int | None) -> float | int | None:
    """A number as JSON can hold it: NaN and the infinities, which JSON has no words for (a
    metric that could not be computed), become ``None``; integers stay integers."""
    if value is None or isinstance(value, bool | int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


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


def escape_table(data):
    """A copy of a table for display, text cells, labels and headers escaped like :func:`escape_cell`.

    Streamlit's dataframe toolbar can download any shown table as CSV without escaping it, so
    tables holding users' text are shown escaped. Takes a pandas DataFrame or a dict of columns.
    """
    if isinstance(data, dict):
        return {
            escape_cell(str(name)): [escape_cell(value) for value in values]
            for name, values in data.items()
        }
    frame = data.copy()
    frame.columns = [escape_cell(c) for c in frame.columns]
    frame.index = [escape_cell(i) for i in frame.index]
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
            frame[column] = frame[column].map(escape_cell)
    return frame
