"""The linear baselines for large training data: SGD in place of LinearSVC and LogisticRegression.

scikit-learn's ``SGDClassifier`` stands in for liblinear's LinearSVC and lbfgs's
LogisticRegression, which copy the features as float64 (and liblinear once more).

From :data:`SGD_FROM` non-zeros in the training rows, :func:`at_scale` swaps the two for an SGD
linear SVM (hinge loss) and an SGD logistic regression (log loss), l2 penalty, tuned over
``alpha`` (:data:`~core.classifier.tuning.SGD_ALPHA_GRID`). SGD reads the float32 CSR features
where they lie; the names in :data:`SGD_STANDINS` say which solver ran, so a table never claims
liblinear when SGD ran. scikit-learn is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def sgd_factory(loss: str) -> Callable[[int, bool], Any]:
    """A factory of ``SGDClassifier(loss=loss)``, l2 penalty, ``alpha`` 1e-4 until tuned: the
    linear models at scale. SGD reads a float32 or float64 CSR matrix where it lies, where
    liblinear makes a float64 copy and then a copy of its own (28 bytes a non-zero)."""

    def factory(seed: int, class_weight: bool) -> Any:
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss=loss,
            penalty="l2",
            alpha=1e-4,
            class_weight="balanced" if class_weight else None,
            random_state=seed,
        )

    return factory


# From this many non-zeros in the training rows, LinearSVC and LogisticRegression give way to
# SGD. Both make a float64 copy of each cross-validation fold (12 bytes a non-zero) and liblinear
# (LinearSVC) then one of its own (16 bytes): at 20 million non-zeros (about 75,000 texts of the
# default word and character features) that passes 500 MB on top of the matrix (8 bytes a
# non-zero), its fold copy and the naive Bayes counts. Below it (every page's data) nothing
# changes.
SGD_FROM = 20_000_000
SVM_SGD = "Linear SVM (SGD, hinge)"
LOGISTIC_SGD = "Logistic regression (SGD, log loss)"
# liblinear name → the SGD model that stands in for it on large training rows
SGD_STANDINS: dict[str, str] = {"LogisticRegression": LOGISTIC_SGD, "LinearSVC": SVM_SGD}
SGD_BASELINES: dict[str, Callable[[int, bool], Any]] = {
    LOGISTIC_SGD: sgd_factory("log_loss"),
    SVM_SGD: sgd_factory("hinge"),
}
SGD_DESCRIPTIONS: dict[str, str] = {
    LOGISTIC_SGD: (
        "logistic regression fitted by stochastic gradient descent, for large training data "
        "(alpha chosen by cross-validation)"
    ),
    SVM_SGD: (
        "a linear support vector machine fitted by stochastic gradient descent (hinge loss), "
        "for large training data (alpha chosen by cross-validation)"
    ),
}


def stored_values(x: Any) -> int:
    """The values a model reads from ``x``: a sparse matrix's non-zeros, a dense array's size."""
    return int(x.nnz) if hasattr(x, "nnz") else int(np.asarray(x).size)


def at_scale(names: Sequence[str], values: int, sgd_from: int | None = SGD_FROM) -> list[str]:
    """``names`` with LinearSVC and LogisticRegression replaced by their SGD stand-ins
    (:data:`SGD_STANDINS`) when the training rows hold ``values`` of at least ``sgd_from``
    (``None``: never); otherwise ``names`` as they are."""
    if sgd_from is None or values < sgd_from:
        return list(names)
    return [SGD_STANDINS.get(name, name) for name in names]
