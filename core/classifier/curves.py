"""The ROC and precision-recall curves of a binary classifier, and where a threshold puts it.

Class 1 is the positive class, and a text counts as positive when its score is at least the
threshold (``>=``, scikit-learn's rule, so the :class:`OperatingPoint` of a threshold lies on
both curves). Scores come as a :class:`~core.classifier.metrics.Prediction`, as ``(n, 2)``
probabilities or as ``(n,)`` scores. The curves come from ``sklearn.metrics`` (imported inside
the functions).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.classifier.metrics import Prediction, check_labels, scores_for_auc


def positive_scores(output: np.ndarray | Prediction) -> np.ndarray:
    """Binary ranking scores ``(n,)`` from a Prediction, ``(n, 2)`` probabilities or ``(n,)``."""
    if isinstance(output, Prediction):
        if not output.binary:
            raise ValueError("ROC and precision-recall curves here are for two classes")
        return output.scores
    return scores_for_auc(output, 2)


def roc_points(y_true: Sequence[int] | np.ndarray, scores: np.ndarray | Prediction) -> pd.DataFrame:
    """The ROC curve of a binary problem: columns ``fpr``, ``tpr``, ``threshold`` (a text is
    positive when its score ≥ threshold; the first row's threshold is infinite)."""
    from sklearn.metrics import roc_curve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a single class: scikit-learn returns NaN rates
        fpr, tpr, thresholds = roc_curve(check_labels(y_true, 2), positive_scores(scores))
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": thresholds})


def pr_points(y_true: Sequence[int] | np.ndarray, scores: np.ndarray | Prediction) -> pd.DataFrame:
    """The precision-recall curve of a binary problem: columns ``recall``, ``precision``,
    ``threshold``, by rising threshold. The last row is scikit-learn's end point (recall 0,
    precision 1) and has no threshold (NaN)."""
    from sklearn.metrics import precision_recall_curve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no positives: the curve is still drawn, flat
        precision, recall, thresholds = precision_recall_curve(
            check_labels(y_true, 2), positive_scores(scores)
        )
    return pd.DataFrame(
        {"recall": recall, "precision": precision, "threshold": [*thresholds, np.nan]}
    )


@dataclass(frozen=True)
class OperatingPoint:
    """Where one threshold puts a binary classifier: its confusion counts and rates.

    ``precision`` is 1.0 when nothing is predicted positive (the end point of scikit-learn's
    precision-recall curve); ``fpr`` or ``recall`` is NaN when the test set has no negatives or
    no positives.
    """

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def fpr(self) -> float:
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else float("nan")

    @property
    def tpr(self) -> float:
        positives = self.tp + self.fn
        return self.tp / positives if positives else float("nan")

    @property
    def recall(self) -> float:
        return self.tpr

    @property
    def precision(self) -> float:
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else 1.0


def operating_point(
    y_true: Sequence[int] | np.ndarray, scores: np.ndarray | Prediction, threshold: float
) -> OperatingPoint:
    """The confusion counts when texts with score ≥ ``threshold`` are called positive; the
    point lies on both :func:`roc_points` and :func:`pr_points`."""
    y = check_labels(y_true, 2) == 1
    predicted = positive_scores(scores) >= threshold
    return OperatingPoint(
        threshold=float(threshold),
        tp=int(np.sum(predicted & y)),
        fp=int(np.sum(predicted & ~y)),
        tn=int(np.sum(~predicted & ~y)),
        fn=int(np.sum(~predicted & y)),
    )


@dataclass(frozen=True, eq=False)
class BinaryCurves:
    """Everything the ROC and PR figures of one binary model need."""

    roc: pd.DataFrame
    pr: pd.DataFrame
    point: OperatingPoint
    roc_auc: float
    pr_auc: float
    prevalence: float  # share of positives: the PR curve of a random ranking


def binary_curves(
    y_true: Sequence[int] | np.ndarray, scores: np.ndarray | Prediction, threshold: float
) -> BinaryCurves:
    """ROC and PR points, their areas and the operating point at ``threshold``, in one call."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = check_labels(y_true, 2)
    s = positive_scores(scores)
    both = 0 < y.sum() < len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        roc_auc = float(roc_auc_score(y, s)) if both else float("nan")
        pr_auc = float(average_precision_score(y, s)) if y.sum() else float("nan")
    return BinaryCurves(
        roc=roc_points(y, s),
        pr=pr_points(y, s),
        point=operating_point(y, s, threshold),
        roc_auc=roc_auc,
        pr_auc=pr_auc,
        prevalence=float(y.mean()),
    )
