"""Everything the classifier page shows after training, computed in one place.

:func:`train_and_compare` is what the page's Train button runs: train the network, then score it
next to the baselines. :func:`compare_with_baselines` scores the trained network and the four
classical baselines, each tuned on the training split, on the same split and the same features
(ML versus DL).
:func:`view_at_threshold` re-cuts the network's probabilities at a threshold and returns the
measures, confusion matrix and curves for it, and :func:`mistakes_at` its mistakes, so a threshold
slider costs no retraining.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.classifier.baselines import (
    NETWORK_NAME,
    BaselineResult,
    baseline_featurizer,
    comparison_table,
    evaluate_network,
    run_baselines,
)
from core.classifier.curves import BinaryCurves, binary_curves
from core.classifier.features import Featurizer
from core.classifier.metrics import (
    METRIC_COLUMNS,
    Metrics,
    classification_metrics,
    confusion,
    misclassified,
)
from core.classifier.sgd_baselines import SGD_BASELINES, SGD_FROM, SVM_SGD
from core.classifier.splits import TextSplit
from core.classifier.spread import verdict
from core.classifier.train import ClassifierSettings, TrainedClassifier, train_classifier
from core.classifier.tuning import naive_bayes_inputs
from core.data.export import escape_cell, escape_table
from core.errors import DataError
from core.nn.training import RunRecord, StopFlag


@dataclass
class Comparison:
    """The network and the baselines on one split: results, the table and who won."""

    network: BaselineResult
    baselines: list[BaselineResult]
    table: Any  # pandas DataFrame, one row per model
    verdict: str
    note: str

    def scoring_note(self, threshold: float | None = None) -> str:
        """How the models were scored, in words, ending with ``note``. When the network is shown
        at a ``threshold`` other than 0.5, the note says that it does not apply to this table."""
        moved = threshold is not None and abs(threshold - 0.5) > 1e-9
        slider = (
            f"The threshold slider above ({threshold:.2f}) does not apply here. " if moved else ""
        )
        sgd = any(result.name in SGD_BASELINES for result in self.baselines)
        svm = SVM_SGD if sgd else "LinearSVC"
        linear = (
            "alpha for the SGD linear models (stochastic gradient descent, which stands in for "
            "LogisticRegression and LinearSVC on large training data)"
            if sgd
            else "C for LogisticRegression and LinearSVC"
        )
        return (
            "Every model learned from the same training texts and features and is scored on "
            f"the same test texts at a 0.5 threshold ({svm} and ComplementNB by their own "
            "decision rule). "
            "Each baseline's settings were chosen by stratified cross-validation on the training "
            f"texts alone, by MCC: {linear}, alpha and TF-IDF or "
            "counts of the same words for naive Bayes (column Chosen by CV). The network is "
            "tuned where it is cheap: its validation share of the training texts picks the "
            "epoch, as early stopping restores the weights of the epoch with the lowest "
            "validation loss. " + slider + self.note
        )

    def as_json(self) -> dict[str, Any]:
        """``model`` and ``baselines`` with accuracy, F1, MCC and ROC-AUC (NaN → ``None``).

        Each baseline also carries what its search chose (``params``), the ``grid`` searched,
        its cross-validated MCC (``cv_mcc``), ``folds``, ``tune_seconds`` and ``tuning_note``
        (see :meth:`~core.classifier.tuning.Tuning.as_json`); the network carries ``params``
        with the ``epoch`` whose weights it kept."""

        def summary(result: BaselineResult) -> dict[str, Any]:
            tuned = result.tuning.as_json() if result.tuning is not None else {}
            if result.kind == "network":
                tuned = {"params": {"epoch": kept_epoch(result.model)}}
            if result.metrics is None:
                return {"name": result.name, "skipped": result.skipped, **tuned}
            values = result.metrics.as_dict()
            return {
                "name": result.name,
                **{k: values[k] for k in ("accuracy", "precision", "recall", "f1", "mcc")},
                "roc_auc": values["roc_auc"],
                "pr_auc": values["pr_auc"],
                "train_seconds": result.train_seconds,
                "predict_seconds": result.predict_seconds,
                **tuned,
            }

        return {
            "model": summary(self.network),
            "baselines": [summary(b) for b in self.baselines],
            "verdict": self.verdict,
        }


def kept_epoch(trained: TrainedClassifier | None) -> int | None:
    """The epoch whose weights ``trained`` kept (1-based): with validation rows, the one with
    the lowest validation loss, which early stopping restores when training ends, early or not;
    otherwise the last that ran. ``None`` without a record or an epoch."""
    record = getattr(trained, "record", None)
    if record is None:
        return None
    losses = np.asarray(record.history.get("val_loss", []), dtype=float)
    if np.isfinite(losses).any():
        return int(np.nanargmin(losses)) + 1
    return record.epochs_done or None


def epochs_chosen(trained: TrainedClassifier) -> str:
    """How the network's epoch was chosen, for the table's ``Chosen by CV`` column:
    ``epoch 7 of 10 (validation loss)``, or ``all 10 epochs (no validation split)``."""
    done = trained.record.epochs_done
    if "val_loss" in trained.record.history:
        return f"epoch {kept_epoch(trained)} of {done} (validation loss)"
    return f"all {done} epochs (no validation split)"


def compare_with_baselines(
    trained: TrainedClassifier, split: TextSplit, seed: int = 0, sgd_from: int | None = SGD_FROM
) -> Comparison:
    """Score ``trained`` on the test texts, then MultinomialNB, ComplementNB, LogisticRegression
    and LinearSVC on the same features (TF-IDF of the same words when the network reads token
    ids), each tuned on the training texts alone with ``seed`` for its folds (SGD linear models
    from ``sgd_from`` training non-zeros, see :func:`tuned_baselines`)."""
    network = evaluate_network(trained, split.test_texts, split.y_test)
    baselines, note = tuned_baselines(
        split, trained.featurizer, seed, trained.settings.class_weight, sgd_from
    )
    return comparison_of(trained, network, baselines, note)


def tuned_baselines(
    split: TextSplit,
    featurizer: Featurizer,
    seed: int = 0,
    class_weight: bool = True,
    sgd_from: int | None = SGD_FROM,
) -> tuple[list[BaselineResult], str]:
    """The four baselines tuned and scored on ``split`` with the network's fitted
    ``featurizer`` (see :func:`~core.classifier.baselines.baseline_featurizer`), and the note
    on their features; from ``sgd_from`` non-zeros the linear ones are SGD's
    (:func:`~core.classifier.baselines.run_baselines`). Needs no network, so the command line
    runs it before Keras is imported; the feature matrices are let go when it returns."""
    featurizer, note = baseline_featurizer(split, featurizer)
    x_train = featurizer.transform(split.train_texts)
    x_test = featurizer.transform(split.test_texts)
    baselines = run_baselines(
        x_train,
        split.y_train,
        x_test,
        split.y_test,
        split.label_names,
        seed=seed,
        class_weight=class_weight,
        nb_inputs=naive_bayes_inputs(featurizer, split, (x_train, x_test)),
        sgd_from=sgd_from,
    )
    return baselines, note


def comparison_of(
    trained: TrainedClassifier,
    network: BaselineResult,
    baselines: list[BaselineResult],
    note: str,
) -> Comparison:
    """The :class:`Comparison` of ``trained``, scored as ``network``
    (:func:`~core.classifier.baselines.evaluate_network`), with ``baselines`` and their
    ``note`` from :func:`tuned_baselines`."""
    table = comparison_table(
        network.metrics,
        (network.train_seconds, network.predict_seconds),
        baselines,
        keras_chosen=epochs_chosen(trained),
    )
    return Comparison(network, baselines, table, verdict(table, "mcc"), note)


@dataclass(frozen=True)
class TrainingRequest:
    """One press of Train: the split, the settings, and pre-trained word vectors (or ``None``)."""

    split: TextSplit
    settings: ClassifierSettings
    word_vectors: Any = None


@dataclass
class TrainingResults:
    """What a training run gave: the network and its comparison with the baselines, or the
    :class:`DataError` that stopped it. Both are ``None`` after a failed or empty run."""

    trained: TrainedClassifier | None = None
    comparison: Comparison | None = None
    error: DataError | None = None
    # The network's headline measures at 0.5, by display name ("Accuracy", "MCC", …).
    headline: dict[str, float] = field(default_factory=dict)


def train_and_compare(
    request: TrainingRequest,
    *,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_trained: Callable[[TrainedClassifier], None] | None = None,
) -> TrainingResults:
    """Train the network live on ``request``, then score it next to the four tuned baselines.

    A :class:`DataError` from the data comes back in ``error`` (``record`` is left for the caller
    to finish). A run that ``record`` marks failed gives empty results. ``on_trained`` gets the
    network as soon as it is trained, before the baselines run, so a caller can hand it on even
    if the comparison never finishes.
    """
    record = record or RunRecord(kind="classifier")
    try:
        trained = train_classifier(
            request.split,
            request.settings,
            record=record,
            stop_flag=stop_flag,
            word_vectors=request.word_vectors,
        )
    except DataError as error:
        return TrainingResults(error=error)
    if record.status == "failed":
        return TrainingResults()
    if on_trained is not None:
        on_trained(trained)
    comparison = compare_with_baselines(trained, request.split, request.settings.seed)
    headline = {
        METRIC_COLUMNS[name]: value for name, value in comparison.network.metrics.headline().items()
    }
    return TrainingResults(trained, comparison, headline=headline)


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
    return labelled_view(proba, split.y_test, split.label_names, threshold)


def labelled_view(
    proba: np.ndarray, y: np.ndarray, label_names: tuple[str, ...], threshold: float = 0.5
) -> ThresholdView:
    """Measures, confusion matrix and curves of probabilities ``proba`` against the true class
    indices ``y`` at ``threshold``, as :func:`view_at_threshold` for any labelled texts."""
    from core.classifier.metrics import Prediction

    if len(label_names) == 2:
        prediction = Prediction.from_proba(proba, threshold)
        curves = binary_curves(y, proba[:, 1], threshold)
    else:
        prediction, curves, threshold = Prediction.from_proba(proba), None, None
    metrics = classification_metrics(y, prediction, label_names)
    table = confusion(y, prediction.labels, label_names)
    return ThresholdView(threshold, metrics, table, curves, proba)


def probability_table(proba: np.ndarray, split: TextSplit) -> pd.DataFrame:
    """One row per test text: its probability of each class (``p(name)`` columns) and its true
    class, escaped for display."""
    names = split.label_names
    columns = {f"p({name})": proba[:, i] for i, name in enumerate(names)}
    return escape_table(pd.DataFrame(columns | {"true class": [names[i] for i in split.y_test]}))


@dataclass
class Mistakes:
    """The test texts misclassified at one threshold: ``n_wrong`` in all, the most confident
    of them in ``table`` (escaped for display, at most a few hundred rows)."""

    table: pd.DataFrame
    n_wrong: int

    @property
    def all_listed(self) -> bool:
        return len(self.table) == self.n_wrong


def mistakes_at(view: ThresholdView, split: TextSplit) -> Mistakes:
    """The mistakes of ``view`` on ``split``'s test texts, most confident first. In a binary
    problem the positive class's probability column is named after it, ``p(spam)``."""
    table = misclassified(
        split.test_texts, split.y_test, view.proba, split.label_names, view.threshold
    )
    counts = view.confusion.to_numpy()
    if split.binary:
        positive = escape_cell(f"p({split.label_names[1]})")
        if positive not in table.columns:  # a class may be called "predicted"
            table = table.rename(columns={"p(positive)": positive})
    return Mistakes(table, int(counts.sum() - counts.trace()))


__all__ = [
    "NETWORK_NAME",
    "Comparison",
    "Mistakes",
    "ThresholdView",
    "TrainingRequest",
    "TrainingResults",
    "compare_with_baselines",
    "labelled_view",
    "mistakes_at",
    "probability_table",
    "train_and_compare",
    "view_at_threshold",
]
