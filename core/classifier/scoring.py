"""Scoring texts with a trained classifier: a table of predictions, and its measures with labels.

:func:`score_texts` scores texts held in memory (the page's upload) chunk by chunk, calling
``on_progress(done, total)`` between chunks. :func:`score_file` scores a file of any length from
:mod:`core.data.streaming`, handing each chunk's predictions to a writer as it goes, so only one
chunk of text is ever held; with labels it keeps each row's class probabilities (8 bytes per
class per row) for the measures and curves. Binary problems are cut at a threshold on the
positive class's probability, as the training page's slider does; the measures are those of
``classify``'s JSON ``model`` (:func:`metrics_summary`).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pandas as pd

from core.classifier.metrics import METRIC_COLUMNS, Metrics, predictions_at
from core.classifier.report import ThresholdView, labelled_view
from core.classifier.train import TrainedClassifier
from core.data.export import escape_cell, json_number
from core.data.streaming import ChunkedFile
from core.errors import DataError

DEFAULT_CHUNK_ROWS = 2_000
TEXT, PREDICTED, TRUE_LABEL = "text", "predicted", "true label"
SKIPPED_KEPT = 100  # rows left out that a file's score lists by line; the count says the rest
Progress = Callable[[int, int | None], None]


def probability_columns(label_names: Sequence[str]) -> list[str]:
    """The table's probability columns, one per class: ``p(spam)``."""
    return [f"p({name})" for name in label_names]


def encode_labels(labels: Sequence[str], label_names: Sequence[str], source: str) -> np.ndarray:
    """True labels -> class indices in ``label_names`` order; a label the classifier does not
    know raises :class:`DataError` naming it."""
    index = {name: i for i, name in enumerate(label_names)}
    unknown = sorted({label for label in labels if label not in index})
    if unknown:
        shown = ", ".join(repr(label) for label in unknown[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        raise DataError(
            f"{source} has labels the classifier does not know: {shown}{more}.",
            f"Its classes are {', '.join(map(repr, label_names))}: use those label names, or "
            "score the file without its label column.",
        )
    return np.fromiter((index[label] for label in labels), dtype=np.int64, count=len(labels))


def predictions_frame(
    texts: Sequence[str],
    proba: np.ndarray,
    label_names: Sequence[str],
    threshold: float = 0.5,
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per text: the text, the predicted class (binary: the positive class when its
    probability is at least ``threshold``), each class's probability and, given ``labels``,
    the true label. Cells are raw: escape them to show or export them."""
    predicted = predictions_at(proba, threshold)
    columns: dict[str, object] = {
        TEXT: list(texts),
        PREDICTED: [label_names[i] for i in predicted],
    }
    for i, column in enumerate(probability_columns(label_names)):
        columns[column] = proba[:, i]
    if labels is not None:
        columns[TRUE_LABEL] = list(labels)
    return pd.DataFrame(columns)


def metrics_summary(metrics: Metrics) -> dict[str, object]:
    """The measures of ``classify``'s JSON ``model`` (accuracy, precision, recall, F1, MCC,
    ROC-AUC, PR-AUC; NaN -> ``None``), with the threshold, rows and rows per class."""
    return {
        **{name: json_number(getattr(metrics, name)) for name in METRIC_COLUMNS},
        "threshold": metrics.threshold,
        "n": metrics.n,
        "support": dict(zip(metrics.label_names, metrics.support, strict=True)),
    }


@dataclass
class Scores:
    """Texts scored by one classifier: class probabilities ``(n, k)`` in ``label_names`` order
    and, for labelled texts, the true labels and their class indices ``y``."""

    texts: list[str]
    proba: np.ndarray
    label_names: tuple[str, ...]
    labels: list[str] | None = None
    y: np.ndarray | None = None

    @property
    def labelled(self) -> bool:
        return self.y is not None

    @property
    def binary(self) -> bool:
        return len(self.label_names) == 2

    def table(self, threshold: float = 0.5) -> pd.DataFrame:
        """The predictions at ``threshold`` (see :func:`predictions_frame`)."""
        return predictions_frame(self.texts, self.proba, self.label_names, threshold, self.labels)

    def view(self, threshold: float = 0.5) -> ThresholdView:
        """Measures, confusion matrix and curves at ``threshold``; labelled texts only."""
        if self.y is None:
            raise ValueError("measures need the true labels")
        return labelled_view(self.proba, self.y, self.label_names, threshold)


def score_texts(
    trained: TrainedClassifier,
    texts: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_progress: Progress | None = None,
    source: str = "The file",
) -> Scores:
    """Score ``texts`` ``chunk_rows`` at a time, calling ``on_progress(done, total)`` after each
    chunk. A label in ``labels`` that ``trained`` does not know raises :class:`DataError`."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    if not texts:
        raise DataError(f"{source} has no texts to score.", "Give a file with text in it.")
    names = tuple(trained.label_names)
    y = encode_labels(labels, names, source) if labels is not None else None
    parts = []
    for start in range(0, len(texts), chunk_rows):
        parts.append(trained.predict_proba(texts[start : start + chunk_rows]))
        if on_progress is not None:
            on_progress(min(start + chunk_rows, len(texts)), len(texts))
    proba = np.concatenate(parts)
    return Scores(list(texts), proba, names, None if labels is None else list(labels), y)


class PredictionWriter:
    """Prediction tables appended to an open text file as CSV, the header once, every text
    cell escaped against formula injection as every export is."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._header_written = False

    def write(self, frame: pd.DataFrame) -> None:
        if not self._header_written:
            self._writer.writerow([escape_cell(str(c)) for c in frame.columns])
            self._header_written = True
        for row in frame.itertuples(index=False):
            self._writer.writerow([escape_cell(cell) for cell in row])


@dataclass
class FileScore:
    """What scoring a file gave: rows scored, rows left out (the first ``SKIPPED_KEPT`` by
    line), seconds, and for a labelled file the probabilities and true class indices."""

    source: str
    format: str
    label_names: tuple[str, ...]
    rows: int = 0
    skipped: int = 0
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    proba: np.ndarray | None = None
    y: np.ndarray | None = None

    @property
    def labelled(self) -> bool:
        return self.y is not None

    def view(self, threshold: float = 0.5) -> ThresholdView:
        """Measures, confusion matrix and curves at ``threshold``; labelled files only."""
        if self.y is None or self.proba is None:
            raise ValueError("measures need the true labels")
        return labelled_view(self.proba, self.y, self.label_names, threshold)


def score_file(
    trained: TrainedClassifier,
    source: ChunkedFile,
    write: Callable[[pd.DataFrame], None],
    threshold: float = 0.5,
    on_progress: Progress | None = None,
) -> FileScore:
    """Score every chunk of ``source`` and hand each chunk's :func:`predictions_frame` (with a
    ``line`` column first) to ``write``; ``on_progress(rows so far, None)`` after each chunk.

    Raises :class:`DataError` for anything wrong with the file, a label ``trained`` does not
    know among them (found in the chunk that holds it; earlier chunks are already written).
    """
    names = tuple(trained.label_names)
    score = FileScore(source.name, source.format, names)
    probas: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    started = time.perf_counter()
    for chunk in source.chunks():
        score.skipped += len(chunk.skipped)
        room = SKIPPED_KEPT - len(score.skipped_rows)
        score.skipped_rows.extend(chunk.skipped[: max(room, 0)])
        if not chunk.texts:
            continue
        where = f"{source.name} (lines {chunk.lines[0]:,} to {chunk.lines[-1]:,})"
        y = encode_labels(chunk.labels, names, where) if chunk.labels is not None else None
        proba = trained.predict_proba(chunk.texts)
        frame = predictions_frame(chunk.texts, proba, names, threshold, chunk.labels)
        frame.insert(0, "line", chunk.lines)
        write(frame)
        score.rows += len(chunk.texts)
        if y is not None:
            probas.append(proba)
            ys.append(y)
        if on_progress is not None:
            on_progress(score.rows, None)
    score.seconds = time.perf_counter() - started
    if source.labelled and ys:
        score.proba, score.y = np.concatenate(probas), np.concatenate(ys)
    return score
