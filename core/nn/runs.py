"""Runs: every training of a session as a comparable, exportable row.

A run is a :class:`~core.nn.training.RunRecord`. This module turns a list of them into what the
Runs page shows: one table row per run (status, duration, device, flattened settings, final
metrics), the settings that differ between the selected runs, and CSV or JSON exports.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from core.data.export import json_number
from core.nn.training import RunRecord

BASE_COLUMNS = ("run", "kind", "status", "epochs", "seconds", "device", "started")


def _plain(value: Any) -> Any:
    """A settings value as JSON-able plain data (dataclasses and tuples included)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return json_number(value)
    if isinstance(value, str):
        return value
    return str(value)


def flatten_settings(settings: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings → one level with dotted keys (``data.noise``). Lists become compact
    JSON text, so two runs' settings compare cell by cell."""
    flat: dict[str, Any] = {}
    for key, value in _plain(dict(settings)).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_settings(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def final_metrics(record: RunRecord) -> dict[str, float]:
    """The run's own final metrics, else the last value of each curve (``final loss``…)."""
    if record.metrics:
        return dict(record.metrics)
    return {f"final {name}": values[-1] for name, values in record.history.items() if values}


def run_label(record: RunRecord, number: int) -> str:
    """``#3 classifier``: the run's number in the session and its kind."""
    return f"#{number} {record.kind}"


# Settings that best tell two runs of one kind apart, shown first in their labels.
TELLING_SETTINGS = ("variant", "data", "data file", "corpus", "features.kind", "features.analyzer")
ALL_KINDS = "all kinds"


def run_kinds(records: Sequence[RunRecord]) -> list[str]:
    """The kinds of ``records``, the latest run's kind first, then by their latest run."""
    kinds: list[str] = []
    for record in reversed(records):
        if record.kind not in kinds:
            kinds.append(record.kind)
    return kinds


def of_kind(records: Sequence[RunRecord], kind: str) -> list[RunRecord]:
    """The runs of ``kind`` in their order (every run for :data:`ALL_KINDS`)."""
    return [r for r in records if kind == ALL_KINDS or r.kind == kind]


def telling_labels(
    records: Sequence[RunRecord], numbers: Sequence[int], most: int = 2
) -> dict[str, str]:
    """``{run_id: "#3 overfitting · variant L2"}``: each run's number and kind, then the values
    of up to ``most`` settings that differ between ``records`` (the data, the variant, the
    features first), so runs that would otherwise read alike can be told apart."""
    flat = [flatten_settings(r.settings) for r in records]
    keys = {key for settings in flat for key in settings}
    differing = [key for key in keys if varies([settings.get(key) for settings in flat])]
    order = {key: i for i, key in enumerate(TELLING_SETTINGS)}
    differing.sort(key=lambda key: (order.get(key, len(order)), key))
    labels = {}
    for record, number, settings in zip(records, numbers, flat, strict=True):
        parts = [run_label(record, number)]
        parts += [f"{key} {settings[key]}" for key in differing[:most] if key in settings]
        labels[record.run_id] = " · ".join(str(part) for part in parts)
    return labels


def run_row(record: RunRecord, number: int) -> dict[str, Any]:
    """One row of the runs table: the base columns, then metrics, then settings."""
    row: dict[str, Any] = {
        "run": run_label(record, number),
        "kind": record.kind,
        "status": record.status,
        "epochs": record.epochs_done,
        "seconds": round(record.duration, 2),
        "device": record.device,
        "started": datetime.fromtimestamp(record.started, UTC).strftime("%H:%M:%S"),
    }
    row.update({f"metric: {k}": v for k, v in final_metrics(record).items()})
    row.update({f"setting: {k}": v for k, v in flatten_settings(record.settings).items()})
    return row


def runs_frame(records: Sequence[RunRecord], numbers: Sequence[int] | None = None):
    """A DataFrame with one row per run, indexed by its label; missing settings are blank."""
    import pandas as pd

    numbers = list(numbers) if numbers is not None else list(range(1, len(records) + 1))
    rows = [run_row(r, n) for r, n in zip(records, numbers, strict=True)]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=list(BASE_COLUMNS)).set_index("run")
    # A setting or metric none of these runs has (another kind's) is left out.
    return frame.dropna(axis="columns", how="all").set_index("run")


def varies(values: Sequence[Any]) -> bool:
    """Whether ``values`` (settings of several runs, lists and dicts included) are not all the
    same, compared as JSON text."""
    return len({json.dumps(value, default=str) for value in values}) > 1


def differing_settings(frame) -> list[str]:
    """The ``setting:`` columns whose values are not all the same across the rows."""
    out = []
    for column in frame.columns:
        if not str(column).startswith("setting: "):
            continue
        if varies(frame[column].tolist()):
            out.append(column)
    return out


def runs_json(records: Sequence[RunRecord], numbers: Sequence[int] | None = None) -> bytes:
    """Every run with its settings, metrics and per-epoch curves, as a JSON document."""
    numbers = list(numbers) if numbers is not None else list(range(1, len(records) + 1))
    runs = [
        {
            "run": run_label(record, number),
            "id": record.run_id,
            "kind": record.kind,
            "status": record.status,
            "message": record.message,
            "device": record.device,
            "started": datetime.fromtimestamp(record.started, UTC).isoformat(),
            "seconds": record.duration,
            "epochs": record.epochs_done,
            "best_epoch": record.best_epoch,
            "stopped_epoch": record.stopped_epoch,
            "settings": _plain(record.settings),
            "metrics": _plain(final_metrics(record)),
            "curves": _plain(record.history),
        }
        for record, number in zip(records, numbers, strict=True)
    ]
    return json.dumps({"runs": runs}, indent=1, ensure_ascii=False).encode("utf-8")


def runs_csv(records: Sequence[RunRecord], numbers: Sequence[int] | None = None) -> bytes:
    """The runs table as CSV, cells escaped against formula injection."""
    from core.data.export import frame_to_csv_bytes

    return frame_to_csv_bytes(runs_frame(records, numbers).reset_index())


def labelled_curves(
    runs: Mapping[str, RunRecord], names: Sequence[str] = ("loss", "val_loss")
) -> dict[str, list[float]]:
    """``{"<label> · <curve>": per-epoch values}`` for each labelled run and each of ``names``
    it has recorded, in the order given: the input of the overlay chart and its table."""
    return {
        f"{label} · {name}": list(run.history[name])
        for label, run in runs.items()
        for name in names
        if run.history.get(name)
    }


def curves_frame(curves: Mapping[str, Sequence[float]]):
    """Curves of different lengths side by side: a column each, one row per epoch (counted from
    1, the index), blank past the end of a shorter curve."""
    import pandas as pd

    frame = pd.DataFrame({name: pd.Series(list(v), dtype=float) for name, v in curves.items()})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame
