"""How good a text classifier is: scores, confusion and its most confident mistakes.

Every model in the app hands its output over as a :class:`Prediction`: the class it picked for
each text and a score that ranks texts for the ROC and precision-recall curves. The Keras network
and the probabilistic baselines give probabilities (:meth:`Prediction.from_proba`); LinearSVC gives
decision-function scores (:meth:`Prediction.from_scores`). Threshold-based measures (accuracy,
precision, recall, F1, MCC) use the picked classes; ROC-AUC and PR-AUC use only the ranking.

Binary problems: class 1 is the positive class (``spam``), and a text is predicted positive when
its score is at least the threshold (``>=``, the rule scikit-learn's curves use, so the operating
point lies on them). Multi-class problems: the highest score wins, precision, recall and F1 are
macro averages, and both AUCs are macro averages over one-vs-rest problems.

The ROC and precision-recall curves of a binary problem are in :mod:`core.classifier.curves`.
All numbers come from ``sklearn.metrics`` (imported inside the functions).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.data.export import escape_table, json_number

ScoreKind = Literal["probability", "decision"]
# Display names of the headline measures, in table order, by Metrics field.
METRIC_COLUMNS: dict[str, str] = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "mcc": "MCC",
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
}


# ---------------------------------------------------------------- predictions


@dataclass(frozen=True, eq=False)
class Prediction:
    """What a model said about each text.

    ``labels``: the predicted class index per text, shape ``(n,)``.
    ``scores``: what ranks texts for the curves: shape ``(n,)`` in a binary problem (higher means
    more positive), ``(n, k)`` otherwise (one column per class).
    ``kind``: ``"probability"`` (scores are probabilities) or ``"decision"`` (decision-function
    margins, any real number; LinearSVC). ``threshold``: the cut that made binary labels from
    scores, ``None`` when labels came from an argmax or from the model itself.
    """

    labels: np.ndarray
    scores: np.ndarray
    n_classes: int
    kind: ScoreKind = "probability"
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.n_classes < 2:
            raise ValueError("a classifier needs at least two classes")
        if self.labels.ndim != 1 or len(self.labels) != len(self.scores):
            raise ValueError("labels must be 1-D, one per row of scores")
        expected = 1 if self.binary else 2
        if self.scores.ndim != expected or (
            not self.binary and self.scores.shape[1] != self.n_classes
        ):
            raise ValueError(
                f"scores must have shape (n,) for two classes and (n, k) for k > 2; "
                f"got {self.scores.shape} for {self.n_classes} classes"
            )

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def from_proba(cls, proba: np.ndarray, threshold: float = 0.5) -> Prediction:
        """Class probabilities ``(n, k)`` (or P(positive) ``(n,)``) → a prediction.

        Binary: positive when P(class 1) ≥ ``threshold``. More classes: the most probable one,
        ``threshold`` unused.
        """
        proba = np.asarray(proba, dtype=np.float64)
        if proba.ndim == 1 or proba.shape[1] == 2:
            positive = proba if proba.ndim == 1 else proba[:, 1]
            labels = (positive >= threshold).astype(np.int64)
            return cls(labels, positive, 2, "probability", float(threshold))
        return cls(proba.argmax(axis=1).astype(np.int64), proba, proba.shape[1], "probability")

    @classmethod
    def from_scores(
        cls, scores: np.ndarray, labels: np.ndarray, n_classes: int, kind: ScoreKind = "decision"
    ) -> Prediction:
        """A model's own predicted ``labels`` with its ranking ``scores`` (see
        :func:`scores_for_auc`), e.g. LinearSVC's ``predict`` and ``decision_function``."""
        scores = scores_for_auc(scores, n_classes)
        return cls(np.asarray(labels, dtype=np.int64), scores, n_classes, kind)

    def at_threshold(self, threshold: float) -> Prediction:
        """The same scores cut at a new ``threshold`` (binary only; in score units, so a
        probability for probabilities). Multi-class predictions come back unchanged."""
        if not self.binary:
            return self
        labels = (self.scores >= threshold).astype(np.int64)
        return Prediction(labels, self.scores, 2, self.kind, float(threshold))

    @property
    def proba(self) -> np.ndarray | None:
        """Class probabilities ``(n, k)``, or ``None`` for decision scores."""
        if self.kind != "probability":
            return None
        if self.binary:
            return np.column_stack([1.0 - self.scores, self.scores])
        return self.scores

    def score_of(self, classes: np.ndarray) -> np.ndarray:
        """Each row's score for the class given in ``classes`` (one index per row). Binary
        probabilities give P(that class); binary decision scores give the margin towards it."""
        classes = np.asarray(classes)
        if self.binary:
            if self.kind == "probability":
                return np.where(classes == 1, self.scores, 1.0 - self.scores)
            return np.where(classes == 1, self.scores, -self.scores)
        return self.scores[np.arange(len(classes)), classes]


def scores_for_auc(output: np.ndarray, n_classes: int) -> np.ndarray:
    """A model's raw output → ranking scores: ``(n,)`` for two classes, ``(n, k)`` otherwise.

    Takes ``predict_proba`` output (``(n, 2)`` gives its positive column) or
    ``decision_function`` output (already ``(n,)`` for two classes in scikit-learn).
    """
    output = np.asarray(output, dtype=np.float64)
    if n_classes == 2 and output.ndim == 2:
        if output.shape[1] == 1:
            return output[:, 0]
        if output.shape[1] == 2:
            return output[:, 1]
        raise ValueError(f"a binary model's output has 1 or 2 columns, got {output.shape[1]}")
    return output


def predictions_at(proba: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Predicted class indices: P(positive) ≥ ``threshold`` for two classes (``proba`` of shape
    ``(n, 2)`` or ``(n,)``), the most probable class otherwise."""
    return Prediction.from_proba(proba, threshold).labels


def as_prediction(
    output: np.ndarray | Prediction, n_classes: int, threshold: float | None = None
) -> Prediction:
    """Probabilities or a :class:`Prediction` → a Prediction.

    Probabilities are cut at ``threshold`` (0.5 when ``None``). A Prediction keeps its own labels
    unless a ``threshold`` is given, which then re-cuts its binary scores.
    """
    if isinstance(output, Prediction):
        prediction = output if threshold is None else output.at_threshold(threshold)
    else:
        prediction = Prediction.from_proba(output, 0.5 if threshold is None else threshold)
    if prediction.n_classes != n_classes:
        raise ValueError(
            f"the model output has {prediction.n_classes} classes, the labels {n_classes}"
        )
    return prediction


# ---------------------------------------------------------------- headline metrics


@dataclass(frozen=True)
class Metrics:
    """Scores of one model on one test set.

    Binary: precision, recall and F1 are about the positive class ``label_names[1]``.
    Multi-class: macro averages. ``roc_auc`` and ``pr_auc`` (average precision) are NaN when
    undefined, with the reason in ``notes``. Per-class values are in the ``per_class_*`` tuples,
    ``support`` counts each class in the true labels.
    """

    label_names: tuple[str, ...]
    accuracy: float
    precision: float
    recall: float
    f1: float
    mcc: float
    roc_auc: float
    pr_auc: float
    support: tuple[int, ...]
    per_class_precision: tuple[float, ...]
    per_class_recall: tuple[float, ...]
    per_class_f1: tuple[float, ...]
    average: Literal["binary", "macro"]
    score_kind: ScoreKind = "probability"
    threshold: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(sum(self.support))

    @property
    def positive_label(self) -> str | None:
        return self.label_names[1] if self.average == "binary" else None

    def headline(self) -> dict[str, float]:
        """The seven headline measures by field name, in table order."""
        return {name: getattr(self, name) for name in METRIC_COLUMNS}

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values; NaN becomes ``None``."""
        return {
            "label_names": list(self.label_names),
            **{k: json_number(v) for k, v in self.headline().items()},
            "support": {n: c for n, c in zip(self.label_names, self.support, strict=True)},
            "per_class": {
                name: {
                    "precision": json_number(p),
                    "recall": json_number(r),
                    "f1": json_number(f),
                    "support": s,
                }
                for name, p, r, f, s in zip(
                    self.label_names,
                    self.per_class_precision,
                    self.per_class_recall,
                    self.per_class_f1,
                    self.support,
                    strict=True,
                )
            },
            "average": self.average,
            "positive_label": self.positive_label,
            "score_kind": self.score_kind,
            "threshold": self.threshold,
            "n": self.n,
            "notes": list(self.notes),
        }

    def table(self, name: str = "model") -> pd.DataFrame:
        """One row named ``name``, the headline measures as columns (display names)."""
        row = {METRIC_COLUMNS[k]: v for k, v in self.headline().items()}
        frame = pd.DataFrame([row], index=pd.Index([name], name="model"))
        return frame

    def per_class_table(self) -> pd.DataFrame:
        """One row per class: precision, recall, F1 and support. Labels are raw user text:
        pass the table through :func:`core.data.export.escape_table` to show it."""
        return pd.DataFrame(
            {
                "Precision": self.per_class_precision,
                "Recall": self.per_class_recall,
                "F1": self.per_class_f1,
                "Support": self.support,
            },
            index=pd.Index(list(self.label_names), name="class"),
        )


def classification_metrics(
    y_true: Sequence[int] | np.ndarray,
    proba: np.ndarray | Prediction,
    label_names: Sequence[str],
    threshold: float | None = None,
) -> Metrics:
    """Score a model's output against the true class indices.

    ``proba``: class probabilities ``(n, k)`` in ``label_names`` order (P(positive) ``(n,)`` is
    accepted for two classes), or a :class:`Prediction` (any model, decision scores included).
    ``threshold``: for binary probabilities the cut on P(positive), 0.5 when ``None``; for a
    Prediction, ``None`` keeps its labels and a number re-cuts its scores. Ignored for more than
    two classes (argmax). A test set with a single class gives NaN AUCs with a note, not an error.
    """
    from sklearn.metrics import (
        accuracy_score,
        matthews_corrcoef,
        precision_recall_fscore_support,
    )

    label_names = tuple(str(n) for n in label_names)
    k = len(label_names)
    y_true = check_labels(y_true, k)
    prediction = as_prediction(proba, k, threshold)
    if len(prediction) != len(y_true):
        raise ValueError(f"{len(y_true)} true labels but {len(prediction)} predictions")
    y_pred = prediction.labels
    classes = list(range(k))
    with warnings.catch_warnings():
        # Classes never predicted or never present make some ratios 0/0; zero_division says
        # what they become, so scikit-learn's warning adds nothing here.
        warnings.simplefilter("ignore")
        per_p, per_r, per_f, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=classes, average=None, zero_division=0.0
        )
        if k == 2:
            precision, recall, f1 = per_p[1], per_r[1], per_f[1]
        else:
            precision, recall, f1 = per_p.mean(), per_r.mean(), per_f.mean()
        mcc = matthews_corrcoef(y_true, y_pred)
    roc_auc, pr_auc, notes = _ranking_scores(y_true, prediction, label_names)
    return Metrics(
        label_names=label_names,
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        mcc=float(mcc),
        roc_auc=roc_auc,
        pr_auc=pr_auc,
        support=tuple(int(c) for c in np.bincount(y_true, minlength=k)),
        per_class_precision=tuple(float(v) for v in per_p),
        per_class_recall=tuple(float(v) for v in per_r),
        per_class_f1=tuple(float(v) for v in per_f),
        average="binary" if k == 2 else "macro",
        score_kind=prediction.kind,
        threshold=prediction.threshold,
        notes=tuple(notes),
    )


def check_labels(y_true: Sequence[int] | np.ndarray, k: int) -> np.ndarray:
    """``y_true`` as a 1-D int64 array of class indices from 0 to ``k - 1``; raises
    ``ValueError`` when it is empty, not integers or out of range."""
    y = np.asarray(y_true)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError("y_true must be a 1-D array of class indices")
    if len(y) == 0:
        raise ValueError("there are no true labels to score against")
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"class indices must be from 0 to {k - 1}")
    return y.astype(np.int64)


def _ranking_scores(
    y_true: np.ndarray, prediction: Prediction, label_names: tuple[str, ...]
) -> tuple[float, float, list[str]]:
    """ROC-AUC and average precision, one-vs-rest macro for more than two classes.

    A class that is absent from the test set (or is all of it) has no ROC curve; those classes
    are left out of the macro average, with a note, and with none left the AUC is NaN.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    notes: list[str] = []
    if prediction.binary:
        columns = [(1, prediction.scores)]
    else:
        columns = [(c, prediction.scores[:, c]) for c in range(prediction.n_classes)]
    roc, ap = [], []
    missing, only = [], []
    for c, score in columns:
        truth = y_true == c
        positives = int(truth.sum())
        if positives == 0:
            missing.append(label_names[c])
            continue
        ap.append(average_precision_score(truth, score))
        if positives == len(truth):
            only.append(label_names[c])
            continue
        roc.append(roc_auc_score(truth, score))
    present = sorted(set(label_names[c] for c in y_true))
    if len(present) == 1:
        notes.append(f"The test set holds only one class ({present[0]}), so ROC-AUC is undefined.")
        if prediction.binary and missing:
            notes.append(f"PR-AUC is undefined too: there is no {label_names[1]} to find.")
    elif not prediction.binary and missing:
        notes.append(
            f"Classes absent from the test set ({', '.join(missing)}) are left out of the "
            "macro-averaged ROC-AUC and PR-AUC."
        )
    return _mean(roc), _mean(ap), notes


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


# ---------------------------------------------------------------- confusion and mistakes


def confusion(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    label_names: Sequence[str],
) -> pd.DataFrame:
    """Counts with true classes as rows and predicted classes as columns, in ``label_names``
    order. Labels are raw user text: escape the frame with :func:`core.data.export.escape_table`
    before showing it as a table."""
    from sklearn.metrics import confusion_matrix

    names = [str(n) for n in label_names]
    matrix = confusion_matrix(
        check_labels(y_true, len(names)),
        check_labels(y_pred, len(names)),
        labels=list(range(len(names))),
    )
    return pd.DataFrame(
        matrix,
        index=pd.Index(names, name="true"),
        columns=pd.Index(names, name="predicted"),
    )


def misclassified(
    texts: Sequence[str],
    y_true: Sequence[int] | np.ndarray,
    proba: np.ndarray | Prediction,
    label_names: Sequence[str],
    threshold: float | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The wrongly classified texts, the most confident mistakes first, ready to show.

    Columns: ``text``, ``true``, ``predicted``, then the score of the predicted class and (binary
    only) of the positive class: ``p(predicted)`` and ``p(positive)`` for probabilities,
    ``score(predicted)`` and ``score(positive)`` for decision scores. The index (``row``) is each
    text's position in ``texts``. At most ``limit`` rows. Text and label cells are escaped here
    with :func:`core.data.export.escape_table`, since the table is for display.
    """
    names = [str(n) for n in label_names]
    y_true = check_labels(y_true, len(names))
    prediction = as_prediction(proba, len(names), threshold)
    if not len(texts) == len(y_true) == len(prediction):
        raise ValueError("texts, y_true and the predictions must have the same length")
    wrong = np.flatnonzero(prediction.labels != y_true)
    confidence = prediction.score_of(prediction.labels)[wrong]
    # A stable sort keeps equally confident mistakes in their original order.
    order = wrong[np.argsort(-confidence, kind="stable")][: max(limit, 0)]
    prefix = "p" if prediction.kind == "probability" else "score"
    columns: dict[str, Any] = {
        "text": [texts[i] for i in order],
        "true": [names[y_true[i]] for i in order],
        "predicted": [names[prediction.labels[i]] for i in order],
        f"{prefix}(predicted)": prediction.score_of(prediction.labels)[order],
    }
    if prediction.binary:
        columns[f"{prefix}(positive)"] = prediction.scores[order]
    frame = pd.DataFrame(columns, index=pd.Index(order, name="row"))
    return escape_table(frame).rename_axis("row")
