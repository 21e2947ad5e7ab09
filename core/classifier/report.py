"""Everything the classifier page shows after training, computed in one place.

:func:`compare_with_baselines` scores the trained network and the three classical baselines on
the same split and the same features (ML versus DL). :func:`view_at_threshold` re-cuts the
network's probabilities at a threshold and returns the measures, confusion matrix, curves and
mistakes for it, so a threshold slider costs no retraining.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.classifier.baselines import (
    NETWORK_NAME,
    BaselineResult,
    baseline_inputs,
    comparison_table,
    evaluate_network,
    run_baselines,
    verdict,
)
from core.classifier.curves import BinaryCurves, binary_curves
from core.classifier.metrics import Metrics, classification_metrics, confusion
from core.classifier.splits import TextSplit
from core.classifier.train import TrainedClassifier


@dataclass
class Comparison:
    """The network and the baselines on one split: results, the table and who won."""

    network: BaselineResult
    baselines: list[BaselineResult]
    table: Any  # pandas DataFrame, one row per model
    verdict: str
    note: str

    def as_json(self) -> dict[str, Any]:
        """``model`` and ``baselines`` with accuracy, F1, MCC and ROC-AUC (NaN → ``None``)."""

        def summary(result: BaselineResult) -> dict[str, Any]:
            if result.metrics is None:
                return {"name": result.name, "skipped": result.skipped}
            values = result.metrics.as_dict()
            return {
                "name": result.name,
                **{k: values[k] for k in ("accuracy", "precision", "recall", "f1", "mcc")},
                "roc_auc": values["roc_auc"],
                "pr_auc": values["pr_auc"],
                "train_seconds": result.train_seconds,
                "predict_seconds": result.predict_seconds,
            }

        return {
            "model": summary(self.network),
            "baselines": [summary(b) for b in self.baselines],
            "verdict": self.verdict,
        }


def compare_with_baselines(
    trained: TrainedClassifier, split: TextSplit, seed: int = 0
) -> Comparison:
    """Score ``trained`` on the test texts, then MultinomialNB, LogisticRegression and LinearSVC
    on the same features (TF-IDF of the same words when the network reads token ids)."""
    network = evaluate_network(trained, split.test_texts, split.y_test)
    x_train, x_test, note = baseline_inputs(split, trained.featurizer)
    baselines = run_baselines(
        x_train,
        split.y_train,
        x_test,
        split.y_test,
        split.label_names,
        seed=seed,
        class_weight=trained.settings.class_weight,
    )
    table = comparison_table(
        network.metrics, (network.train_seconds, network.predict_seconds), baselines
    )
    return Comparison(network, baselines, table, verdict(table, "mcc"), note)


@dataclass
class ThresholdView:
    """The network's results when texts with P(positive) >= ``threshold`` count as positive."""

    threshold: float | None
    metrics: Metrics
    confusion: Any  # DataFrame, rows true and columns predicted
    curves: BinaryCurves | None  # binary problems only
    proba: np.ndarray  # (n, k)


def view_at_threshold(proba: np.ndarray, split: TextSplit, threshold: float = 0.5) -> ThresholdView:
    """Measures, confusion matrix and curves of probabilities ``proba`` at ``threshold``.

    In a multi-class problem the threshold does not apply (the most probable class wins).
    """
    from core.classifier.metrics import Prediction

    y = split.y_test
    if split.binary:
        prediction = Prediction.from_proba(proba, threshold)
        curves = binary_curves(y, proba[:, 1], threshold)
    else:
        prediction, curves, threshold = Prediction.from_proba(proba), None, None
    metrics = classification_metrics(y, prediction, split.label_names)
    table = confusion(y, prediction.labels, split.label_names)
    return ThresholdView(threshold, metrics, table, curves, proba)


__all__ = [
    "NETWORK_NAME",
    "Comparison",
    "ThresholdView",
    "compare_with_baselines",
    "view_at_threshold",
]
