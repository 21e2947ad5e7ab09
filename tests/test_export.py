"""Exports safe to open in a spreadsheet: escaped CSV cells and strict JSON numbers."""

import csv
import io

import pandas as pd

from core.data.export import escape_cell, frame_to_csv_bytes, json_number, to_csv_bytes


def test_formula_prefixes_are_escaped():
    for bad in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("x")']:
        assert escape_cell(bad) == "'" + bad
    assert escape_cell("hello = world") == "hello = world"
    assert escape_cell(-3) == -3 and escape_cell(2.5) == 2.5


def test_csv_round_trip_keeps_text_and_escapes():
    data = to_csv_bytes(["text", "label"], [["=cmd|' /C calc'!A0", "spam"], ['say "hi", ok', 1]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows == [["text", "label"], ["'=cmd|' /C calc'!A0", "spam"], ['say "hi", ok', "1"]]


def test_frame_export_escapes_index_columns_and_cells():
    frame = pd.DataFrame({"=x": [1, 2]}, index=["@a", "b"])
    rows = list(csv.reader(io.StringIO(frame_to_csv_bytes(frame).decode())))
    assert rows == [["", "'=x"], ["'@a", "1"], ["b", "2"]]


def test_escape_table_for_display():
    from core.data.export import escape_table

    shown = escape_table({"text": ["=1+1", "fine", 3], "@label": ["-x", "y", "z"]})
    assert shown == {"text": ["'=1+1", "fine", 3], "'@label": ["'-x", "y", "z"]}
    frame = pd.DataFrame({"=c": ["+a", "b"], "n": [-1, 2]}, index=["@r", "s"])
    safe = escape_table(frame)
    assert list(safe.columns) == ["'=c", "n"] and list(safe.index) == ["'@r", "s"]
    assert safe["'=c"].tolist() == ["'+a", "b"] and safe["n"].tolist() == [-1, 2]
    assert list(frame.columns) == ["=c", "n"]  # the original is left alone


def test_json_number_turns_what_json_cannot_hold_into_null():
    import json
    import math

    import numpy as np

    values = [
        0.5,
        np.float32(0.25),
        3,
        True,
        None,
        math.nan,
        np.float64("nan"),
        math.inf,
        -math.inf,
    ]
    converted = [json_number(v) for v in values]
    assert converted == [0.5, 0.25, 3, True, None, None, None, None, None]
    assert type(converted[1]) is float and type(converted[2]) is int
    # strict JSON: no NaN or Infinity anywhere
    json.dumps(converted, allow_nan=False)
