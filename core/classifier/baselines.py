"""Classical baselines for the text classifier, and a fair comparison with the network.

The baselines get exactly the features the Keras network gets (the same fitted
:class:`~core.classifier.features.Featurizer`) and, like the network's default, balanced class
weights where the model has them. Each is tuned as a practitioner would, on the training split
only (:mod:`core.classifier.tuning`): ``C`` of LogisticRegression and LinearSVC, and ``alpha`` of
MultinomialNB and ComplementNB together with whether they read TF-IDF or counts of the same
words, by cross-validated MCC. On large training data (:mod:`core.classifier.sgd_baselines`)
SGD linear models, named as such, stand in for LogisticRegression and LinearSVC and are tuned
over ``alpha``. The network gets the same treatment where it is cheap: its
validation split picks the epoch (early stopping restores the best weights).

A page's flow::

    featurizer, note = baseline_featurizer(split, trained.featurizer)
    x_train = featurizer.transform(split.train_texts)
    x_test = featurizer.transform(split.test_texts)
    weighted = naive_bayes_inputs(featurizer, split, (x_train, x_test))  # core.classifier.tuning
    results = run_baselines(
        x_train, split.y_train, x_test, split.y_test, split.label_names, nb_inputs=weighted
    )
    network = evaluate_network(trained, split.test_texts, split.y_test, threshold)
    table = comparison_table(
        network.metrics, (network.train_seconds, network.predict_seconds), results
    )
    verdict(table, "mcc")

scikit-learn is imported inside the functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from core.classifier.metrics import METRIC_COLUMNS, Metrics, Prediction, classification_metrics
from core.classifier.sgd_baselines import (
    SGD_BASELINES,
    SGD_DESCRIPTIONS,
    SGD_FROM,
    at_scale,
    stored_values,
)
from core.classifier.tuning import ALPHA_GRID, C_GRID, INPUT, SGD_ALPHA_GRID, Tuning, tune

if TYPE_CHECKING:
    from core.classifier.features import Featurizer
    from core.classifier.splits import TextSplit
    from core.classifier.train import TrainedClassifier

NETWORK_NAME = "Keras network"
TIE = 0.005  # differences up to this are ties in verdict()
CHOSEN = "Chosen by CV"  # the comparison table's column of tuned values


def _multinomial_nb(seed: int, class_weight: bool) -> Any:
    """MultinomialNB, Laplace smoothing (alpha=1.0) until tuned, class priors from the training
    data (it has no class weights). Needs non-negative features: counts or TF-IDF."""
    from sklearn.naive_bayes import MultinomialNB

    return MultinomialNB(alpha=1.0)


def _complement_nb(seed: int, class_weight: bool) -> Any:
    """ComplementNB (alpha=1.0 until tuned): naive Bayes estimated from each class's complement,
    steadier than MultinomialNB when classes are unbalanced. Needs non-negative features."""
    from sklearn.naive_bayes import ComplementNB

    return ComplementNB(alpha=1.0)


def _logistic_regression(seed: int, class_weight: bool) -> Any:
    """LogisticRegression(lbfgs, max_iter=2000), C=1.0 until tuned: scikit-learn's defaults,
    with enough iterations to converge on tens of thousands of sparse columns."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=1.0,
        max_iter=2000,
        class_weight="balanced" if class_weight else None,
        random_state=seed,
    )


def _linear_svc(seed: int, class_weight: bool) -> Any:
    """LinearSVC, C=1.0 until tuned: scikit-learn's defaults (squared hinge, L2), more
    iterations so dense inputs converge. No probabilities: it ranks texts by its decision
    function."""
    from sklearn.svm import LinearSVC

    return LinearSVC(
        C=1.0,
        max_iter=10_000,
        class_weight="balanced" if class_weight else None,
        random_state=seed,
    )


# name → factory(seed, class_weight) → an unfitted scikit-learn estimator
BASELINES: dict[str, Callable[[int, bool], Any]] = {
    "MultinomialNB": _multinomial_nb,
    "ComplementNB": _complement_nb,
    "LogisticRegression": _logistic_regression,
    "LinearSVC": _linear_svc,
}
BASELINE_DESCRIPTIONS: dict[str, str] = {
    "MultinomialNB": "naive Bayes over word weights (alpha chosen by cross-validation)",
    "ComplementNB": "naive Bayes from each class's complement (alpha chosen by cross-validation)",
    "LogisticRegression": (
        "a linear model fitted by maximum likelihood (C chosen by cross-validation)"
    ),
    "LinearSVC": "a linear support vector machine (C chosen by cross-validation)",
}
# name → the one parameter its search tries, strongest regularisation first
BASELINE_GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    "MultinomialNB": {"alpha": ALPHA_GRID},
    "ComplementNB": {"alpha": ALPHA_GRID},
    "LogisticRegression": {"C": C_GRID},
    "LinearSVC": {"C": C_GRID},
}
BASELINE_DESCRIPTIONS |= SGD_DESCRIPTIONS
BASELINE_GRIDS |= {name: {"alpha": SGD_ALPHA_GRID} for name in SGD_BASELINES}
NAIVE_BAYES = ("MultinomialNB", "ComplementNB")  # they need non-negative word weights
# ComplementNB ignores class priors, so a text with no known word sits at exactly P = 0.5, which
# a 0.5 threshold would call positive; it is scored by its own rule (scikit-learn's predict), as
# its search scored it.
OWN_RULE = ("ComplementNB",)


@dataclass(frozen=True, eq=False)
class BaselineResult:
    """One model's result on the test set. ``skipped`` holds the reason when the model could
    not run on these features (then ``metrics`` and ``prediction`` are ``None``).
    ``kind`` is ``"baseline"``, or ``"network"`` for :func:`evaluate_network`. ``tuning`` is
    what the search on the training split chose (``None`` for the network and a model skipped
    before its search); ``train_seconds`` is the final fit alone, the search took
    ``tuning.seconds``."""

    name: str
    metrics: Metrics | None
    train_seconds: float
    predict_seconds: float
    prediction: Prediction | None
    skipped: str | None = None
    model: Any = None
    kind: Literal["baseline", "network"] = "baseline"
    tuning: Tuning | None = None

    @property
    def params(self) -> dict[str, Any]:
        """The values the search chose (or the defaults it fell back to); empty if none."""
        return dict(self.tuning.params) if self.tuning is not None else {}


def baseline_featurizer(split: TextSplit, featurizer: Featurizer) -> tuple[Featurizer, str]:
    """The featurizer the baselines read for ``split``, and a note for the page.

    Sparse and dense features are the network's own ``featurizer``. Token ids (the
    ``embedding`` kind) are positions in a vocabulary, not features a linear model can weigh, so
    then TF-IDF of the same tokens is fitted on the training texts instead, and the note says so.
    """
    from dataclasses import replace

    from core.classifier.features import fit_featurizer

    if featurizer.input_kind != "sequence":
        return featurizer, ""
    settings = replace(featurizer.settings, kind="tfidf", analyzer="word", ngram_range=(1, 1))
    note = (
        "The network reads token ids through an Embedding layer; ids are not features a "
        "linear model can weigh, so the baselines get TF-IDF of the same words."
    )
    return fit_featurizer(settings, split.train_texts), note


def baseline_inputs(split: TextSplit, featurizer: Featurizer) -> tuple[Any, Any, str]:
    """The baselines' training and test inputs for ``split`` (from :func:`baseline_featurizer`),
    and its note for the page."""
    featurizer, note = baseline_featurizer(split, featurizer)
    return featurizer.transform(split.train_texts), featurizer.transform(split.test_texts), note


def _negative_entries(x: Any) -> bool:
    values = x.data if hasattr(x, "tocsr") else np.asarray(x)
    return bool(values.size) and float(values.min()) < 0


def _full_columns(output: np.ndarray, classes: np.ndarray, n_classes: int, fill: float):
    """Spread a model's per-class columns over all ``n_classes`` (a class absent from training
    gets ``fill``)."""
    if output.ndim == 1 or len(classes) == n_classes:
        return output
    full = np.full((len(output), n_classes), fill, dtype=np.float64)
    full[:, classes] = output
    return full


def _predict(
    model: Any, x: Any, n_classes: int, threshold: float, own_rule: bool = False
) -> Prediction:
    classes = np.asarray(model.classes_)
    if hasattr(model, "predict_proba"):
        proba = _full_columns(model.predict_proba(x), classes, n_classes, 0.0)
        if own_rule:  # the most probable class, the first on a tie, as model.predict says
            return Prediction.from_scores(proba, proba.argmax(axis=1), n_classes, "probability")
        return Prediction.from_proba(proba, threshold)
    scores = np.asarray(model.decision_function(x), dtype=np.float64)
    if scores.ndim == 1:  # scikit-learn's binary rule: classes_[1] when the margin is > 0
        labels = classes[(scores > 0).astype(int)]
    else:
        labels = classes[scores.argmax(axis=1)]
        scores = _full_columns(scores, classes, n_classes, scores.min() - 1.0)
    return Prediction.from_scores(scores, labels, n_classes)


def run_baselines(
    x_train: Any,
    y_train: np.ndarray,
    x_test: Any,
    y_test: np.ndarray,
    label_names: Sequence[str],
    names: Sequence[str] | None = None,
    seed: int = 0,
    class_weight: bool = True,
    threshold: float = 0.5,
    nb_inputs: Mapping[str, tuple[Any, Any]] | None = None,
    sgd_from: int | None = SGD_FROM,
) -> list[BaselineResult]:
    """Tune each baseline in ``names`` (all of :data:`BASELINES` when ``None``) on the training
    rows, fit the chosen values on all of them and score the model on the test rows.

    ``x_train``/``x_test``: the network's features (CSR or dense float rows, see
    :func:`baseline_inputs`); ``y_*``: class indices into ``label_names``. ``class_weight``
    mirrors :class:`~core.classifier.train.ClassifierSettings.class_weight` ("balanced" weights).
    ``threshold`` cuts P(positive) for the models with probabilities in a binary problem.
    ``nb_inputs``: name → (training rows, test rows) that naive Bayes chooses between
    (:func:`~core.classifier.tuning.naive_bayes_inputs`); ``x_train``/``x_test`` alone when
    ``None`` or empty. The test rows never reach the search
    (:func:`~core.classifier.tuning.tune`, seeded with ``seed``).
    From ``sgd_from`` values in ``x_train`` (:data:`SGD_FROM`; ``None``: never), LinearSVC and
    LogisticRegression give way to SGD (:func:`at_scale`), whose names say so; the naive Bayes
    inputs are let go once the last naive Bayes model has run.
    Fit time and predict time are wall-clock seconds. A model that cannot use these features
    (naive Bayes on negative values) comes back with ``skipped`` set instead of raising.
    """
    names = list(BASELINES) if names is None else list(names)
    unknown = [n for n in names if n not in BASELINES and n not in SGD_BASELINES]
    if unknown:
        raise ValueError(f"unknown baselines {unknown}; choose from {list(BASELINES)}")
    names = at_scale(names, stored_values(x_train), sgd_from)
    if not hasattr(x_train, "tocsr") and np.issubdtype(np.asarray(x_train).dtype, np.integer):
        raise ValueError("token ids are not features for these models; use baseline_inputs()")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    features = {"features": (x_train, x_test)}
    weighted = {
        key: pair
        for key, pair in (nb_inputs or features).items()
        if not (_negative_entries(pair[0]) or _negative_entries(pair[1]))
    }
    del nb_inputs  # only ``weighted`` holds the naive Bayes inputs now, and lets them go below
    last_nb = max((i for i, name in enumerate(names) if name in NAIVE_BAYES), default=-1)
    results = []
    for index, name in enumerate(names):
        inputs = weighted if name in NAIVE_BAYES else features
        if index > last_nb:  # the counts are a second matrix: free them for the linear models
            weighted = {}
        if not inputs:
            reason = (
                f"{name} needs non-negative features such as counts or TF-IDF; these "
                "features have negative values (mean word2vec vectors do)."
            )
            results.append(BaselineResult(name, None, 0.0, 0.0, None, skipped=reason))
            continue
        model = (BASELINES | SGD_BASELINES)[name](seed, class_weight)
        results.append(
            _tune_fit_score(name, model, inputs, y_train, y_test, label_names, seed, threshold)
        )
        del inputs
    return results


def _tune_fit_score(
    name: str,
    model: Any,
    inputs: Mapping[str, tuple[Any, Any]],
    y_train: np.ndarray,
    y_test: np.ndarray,
    label_names: Sequence[str],
    seed: int,
    threshold: float,
) -> BaselineResult:
    """One baseline: search its grid on the training rows of ``inputs``, fit the chosen values
    on all of them, then time and score its predictions on the test rows of the chosen input."""
    training = {key: pair[0] for key, pair in inputs.items()}
    additive = name in NAIVE_BAYES  # their fits sum over rows: folds need no copies
    tuning = tune(model, BASELINE_GRIDS[name], training, y_train, seed, additive=additive)
    x_train, x_test = inputs[tuning.params.get(INPUT, next(iter(inputs)))]
    model.set_params(**{key: value for key, value in tuning.params.items() if key != INPUT})
    started = time.perf_counter()
    try:
        model.fit(x_train, y_train)
    except ValueError as error:  # e.g. a single class in the training labels
        return BaselineResult(name, None, 0.0, 0.0, None, skipped=str(error), tuning=tuning)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    prediction = _predict(model, x_test, len(label_names), threshold, name in OWN_RULE)
    predict_seconds = time.perf_counter() - started
    metrics = classification_metrics(y_test, prediction, label_names)
    return BaselineResult(
        name, metrics, train_seconds, predict_seconds, prediction, model=model, tuning=tuning
    )


def evaluate_network(
    trained: TrainedClassifier,
    texts: Sequence[str],
    y_true: np.ndarray,
    threshold: float = 0.5,
    name: str = NETWORK_NAME,
) -> BaselineResult:
    """Score a trained network on ``texts`` like a baseline: its :class:`Metrics`, its training
    time (``trained.timings["train"]``) and the seconds to predict from features.

    Featurizing is left out of the predict time, as it is for the baselines; a one-row warm-up
    call first keeps Keras's one-off graph building out of it too.
    """
    x = trained.featurizer.transform(list(texts))
    trained.predict_proba_features(x[:1])
    started = time.perf_counter()
    proba = trained.predict_proba_features(x)
    predict_seconds = time.perf_counter() - started
    prediction = Prediction.from_proba(proba, threshold)
    metrics = classification_metrics(y_true, prediction, trained.label_names)
    return BaselineResult(
        name,
        metrics,
        float(trained.timings.get("train", float("nan"))),
        predict_seconds,
        prediction,
        model=trained,
        kind="network",
    )


def comparison_table(
    keras_metrics: Metrics,
    keras_seconds: tuple[float, float] | Mapping[str, float],
    baselines: Sequence[BaselineResult],
    keras_name: str = NETWORK_NAME,
    keras_chosen: str = "",
) -> pd.DataFrame:
    """One row per model (the network first), indexed by model name.

    Columns: ``Kind`` (``network``/``baseline``), the headline measures (``Accuracy``,
    ``Precision``, ``Recall``, ``F1``, ``MCC``, ``ROC-AUC``, ``PR-AUC``), ``Train s``,
    ``Predict s``, ``Chosen by CV`` (what the search on the training split chose, such as
    ``C=10``; ``keras_chosen`` for the network) and ``Note`` (why a model was skipped or left
    untuned, or empty). ``keras_seconds`` is ``(train, predict)`` or a mapping with ``train``
    and ``predict`` keys. Skipped models have NaN measures.
    """
    if isinstance(keras_seconds, Mapping):
        keras_seconds = (
            keras_seconds.get("train", float("nan")),
            keras_seconds.get("predict", float("nan")),
        )
    rows = [_row(keras_name, "network", keras_metrics, *keras_seconds, "", keras_chosen)]
    for result in baselines:
        tuning = result.tuning
        note = " ".join(filter(None, [result.skipped, tuning.note if tuning else ""]))
        rows.append(
            _row(
                result.name,
                result.kind,
                result.metrics,
                result.train_seconds,
                result.predict_seconds,
                note,
                tuning.describe() if tuning is not None else "",
            )
        )
    table = pd.DataFrame(rows).set_index("model")
    return table


def _row(
    name: str,
    kind: str,
    metrics: Metrics | None,
    train: float,
    predict: float,
    note: str,
    chosen: str = "",
) -> dict[str, Any]:
    nan = float("nan")
    values = metrics.headline() if metrics is not None else dict.fromkeys(METRIC_COLUMNS, nan)
    skipped = metrics is None
    return {
        "model": name,
        "Kind": kind,
        **{METRIC_COLUMNS[k]: float(v) for k, v in values.items()},
        "Train s": nan if skipped else float(train),
        "Predict s": nan if skipped else float(predict),
        CHOSEN: chosen,
        "Note": note,
    }


def metric_column(metric: str) -> str:
    """A measure's table column from its field name (``mcc``) or display name (``MCC``)."""
    if metric in METRIC_COLUMNS:
        return METRIC_COLUMNS[metric]
    if metric in METRIC_COLUMNS.values():
        return metric
    raise ValueError(f"unknown metric {metric!r}; choose from {list(METRIC_COLUMNS)}")
