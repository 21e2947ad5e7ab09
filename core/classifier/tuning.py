"""Choosing a classical baseline's settings by cross-validation on the training split alone.

A practitioner tunes a baseline before comparing anything with it, so each baseline gets a small
grid: ``C`` of LogisticRegression and LinearSVC on a log scale (:data:`C_GRID`), and ``alpha`` of
the naive Bayes models (:data:`ALPHA_GRID`, finer because a naive Bayes fit takes milliseconds)
together with the input they read (TF-IDF or counts of the same words, from
:func:`naive_bayes_inputs`). Every candidate is scored by its mean MCC over stratified folds with
a fixed seed (``GridSearchCV``, one process). Grids list the strongest regularisation first, and
a tie goes to the first candidate, so equal scores keep the simpler model. Only the rows passed
in take part; the caller passes the training split and fits the chosen values once on all of it.
Too few texts per class to fold (or one class) fall back to scikit-learn's defaults with a note,
never an error.

scikit-learn is imported inside the functions.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core.classifier.features import Featurizer
    from core.classifier.splits import TextSplit

FOLDS = 5
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)  # strongest regularisation first
# SGDClassifier's alpha (the l2 penalty's weight, about 1 / (C × texts)) for the SGD linear
# models at scale, strongest regularisation first; scikit-learn's default 1e-4 is in the middle.
SGD_ALPHA_GRID = (1e-3, 1e-4, 1e-5, 1e-6, 1e-7)
ALPHA_GRID = (10.0, 3.0, 1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001)  # strongest smoothing first
INPUT = "input"  # the grid's key for the choice between inputs (TF-IDF or counts)


@dataclass(frozen=True)
class Tuning:
    """What the search chose for one model.

    ``params``: the chosen values (``{"C": 10.0}``, or ``{"alpha": 0.1, "input": "counts"}``);
    ``grid``: every value searched, by parameter; ``cv_mcc``: the chosen values' mean MCC over
    ``folds`` folds, ``None`` when nothing was searched (then ``params`` are the defaults and
    ``note`` says why); ``seconds``: the search's wall-clock time.
    """

    params: dict[str, Any]
    grid: dict[str, list[Any]]
    cv_mcc: float | None = None
    folds: int = 0
    seconds: float = 0.0
    note: str = ""
    scores: dict[str, list[float]] = field(default_factory=dict)  # input → mean MCC per value

    @property
    def searched(self) -> bool:
        return self.cv_mcc is not None

    def describe(self) -> str:
        """The chosen values in a few words: ``C=10``, ``alpha=0.1 on counts``, or
        ``defaults (C=1)`` when nothing was searched."""
        values = ", ".join(
            f"{name}={format_value(value)}" for name, value in self.params.items() if name != INPUT
        )
        if INPUT in self.params and len(self.grid.get(INPUT, [])) > 1:
            values += f" on {self.params[INPUT]}"
        return values if self.searched else f"defaults ({values})"

    def as_json(self) -> dict[str, Any]:
        """``params``, ``grid``, ``cv_mcc`` (``None`` if not searched), ``folds``,
        ``tune_seconds`` and ``tuning_note``: plain JSON values."""
        return {
            "params": {k: plain(v) for k, v in self.params.items()},
            "grid": {k: [plain(v) for v in values] for k, values in self.grid.items()},
            "cv_mcc": self.cv_mcc,
            "folds": self.folds,
            "tune_seconds": self.seconds,
            "tuning_note": self.note,
        }


def format_value(value: Any) -> str:
    """A grid value as people write it: ``0.01``, ``10``, ``counts``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python value JSON takes."""
    return value.item() if isinstance(value, np.generic) else value


def cv_folds(y: np.ndarray, folds: int = FOLDS) -> int:
    """How many stratified folds labels ``y`` allow: ``folds``, fewer when the smallest class
    has fewer texts, and 0 when a class has a single text or there is only one class."""
    counts = np.bincount(np.asarray(y))
    counts = counts[counts > 0]
    if len(counts) < 2 or counts.min() < 2:
        return 0
    return int(min(folds, counts.min()))


def too_few(y: np.ndarray) -> str:
    """Why labels ``y`` cannot be folded, in words."""
    counts = np.bincount(np.asarray(y))
    counts = counts[counts > 0]
    if len(counts) < 2:
        return "the training texts have only one class, so there is nothing to cross-validate"
    return f"the smallest class has only {int(counts.min())} training text, too few to fold"


def tune(
    estimator: Any,
    grid: Mapping[str, Sequence[Any]],
    inputs: Mapping[str, Any],
    y: np.ndarray,
    seed: int = 0,
    folds: int = FOLDS,
    additive: bool = False,
) -> Tuning:
    """Cross-validate ``estimator`` over ``grid`` on each of ``inputs`` and return the best.

    ``estimator``: an unfitted scikit-learn model whose own values are the defaults;
    ``grid``: one parameter → its values, strongest regularisation first; ``inputs``: name →
    training rows (the same texts weighted differently; the first is preferred on a tie);
    ``y``: their labels. Every input sees the same stratified folds, shuffled with ``seed``.
    The estimator is not fitted. When ``y`` cannot be folded or every candidate fails, the
    defaults come back with a note. ``additive``: the estimator's fit sums over rows (naive
    Bayes), so the folds are scored by :func:`additive_grid_scores`, without copying rows.
    """
    started = time.perf_counter()
    searched = {name: list(values) for name, values in grid.items()}
    if len(inputs) > 1:
        searched[INPUT] = list(inputs)
    defaults = {name: estimator.get_params()[name] for name in grid}
    if len(inputs) > 1:
        defaults[INPUT] = next(iter(inputs))
    k = cv_folds(y, folds)
    if k < 2:
        note = f"Not tuned: {too_few(y)}; scikit-learn's defaults were used."
        return Tuning(defaults, searched, note=note, seconds=time.perf_counter() - started)
    scorer = additive_grid_scores if additive else grid_scores
    scores = {name: scorer(estimator, grid, x, y, k, seed) for name, x in inputs.items()}
    best = best_candidate(scores)
    seconds = time.perf_counter() - started
    if best is None:
        note = "Not tuned: every candidate failed in cross-validation; the defaults were used."
        return Tuning(defaults, searched, folds=k, seconds=seconds, note=note, scores=scores)
    name, index = best
    (parameter, values), *_ = grid.items()
    params = {parameter: plain(values[index])}
    if len(inputs) > 1:
        params[INPUT] = name
    return Tuning(params, searched, float(scores[name][index]), k, seconds, scores=scores)


def grid_scores(
    estimator: Any, grid: Mapping[str, Sequence[Any]], x: Any, y: np.ndarray, folds: int, seed: int
) -> list[float]:
    """Mean MCC over ``folds`` stratified folds of each value of ``grid``'s one parameter, in
    grid order (NaN where a fit failed)."""
    from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
    from sklearn.metrics import make_scorer, matthews_corrcoef
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from threadpoolctl import threadpool_limits

    if len(grid) != 1:
        raise ValueError("tune() searches one parameter (and the input) at a time")
    (parameter, values), *_ = grid.items()
    search = GridSearchCV(
        estimator,
        {parameter: list(values)},
        scoring=make_scorer(matthews_corrcoef),
        cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
        n_jobs=1,
        refit=False,
        error_score=np.nan,
    )
    # One BLAS thread, like n_jobs=1: the fits are small, and threads fighting over a busy
    # machine's cores made them several times slower.
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        # A weakly regularised fit that stops short of convergence is still a candidate the
        # folds judge; failed fits score NaN and are reported through the note.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.filterwarnings("ignore", message="One or more of the test scores are non-finite")
        search.fit(x, y)
    order = [params[parameter] for params in search.cv_results_["params"]]
    means = search.cv_results_["mean_test_score"]
    return [float(means[order.index(value)]) for value in values]


def additive_grid_scores(
    estimator: Any, grid: Mapping[str, Sequence[Any]], x: Any, y: np.ndarray, folds: int, seed: int
) -> list[float]:
    """:func:`grid_scores` for a model whose fit sums over rows (naive Bayes), without a copy of
    any row: each fold's model is fitted on every row with the held-out rows weighted 0 (the
    same sums, so the same model, as a fit on the other rows) and scored on its predictions for
    the held-out rows. Same folds and scores as :func:`grid_scores`; at 180,000 texts of the
    default features it saves the 390 MB copy of the rows that every fold of a search makes."""
    from sklearn.base import clone
    from sklearn.metrics import matthews_corrcoef
    from sklearn.model_selection import StratifiedKFold

    if len(grid) != 1:
        raise ValueError("tune() searches one parameter (and the input) at a time")
    (parameter, values), *_ = grid.items()
    y = np.asarray(y)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(y, y))
    means = []
    for value in values:
        scores = []
        for train, test in splits:
            weight = np.zeros(len(y))
            weight[train] = 1.0
            model = clone(estimator).set_params(**{parameter: value})
            try:
                model.fit(x, y, sample_weight=weight)
                scores.append(matthews_corrcoef(y[test], model.predict(x)[test]))
            except ValueError:
                scores.append(np.nan)
        means.append(float(np.mean(scores)))
    return means


def best_candidate(scores: Mapping[str, Sequence[float]]) -> tuple[str, int] | None:
    """The (input, value index) with the highest mean score; the first on a tie (inputs in
    order, then values in grid order). ``None`` when every score is NaN."""
    best, best_score = None, -np.inf
    for name, values in scores.items():
        for index, score in enumerate(values):
            # A hair of slack so that floating-point noise in equal scores is still a tie.
            if np.isfinite(score) and score > best_score + 1e-12:
                best, best_score = (name, index), score
    return best


def naive_bayes_inputs(
    featurizer: Featurizer, split: TextSplit, features: tuple[Any, Any]
) -> dict[str, tuple[Any, Any]]:
    """The inputs naive Bayes may choose between: ``{"tfidf": …, "counts": …}``, each a
    (training rows, test rows) pair over ``featurizer``'s own vocabulary, its own weighting
    first. ``features`` are ``featurizer``'s transforms of ``split``, reused as they are.

    Counts are the same vectorizer with TF-IDF off; TF-IDF of counts features is fitted on the
    training rows. Empty for features that are not word weights (mean word2vec vectors).
    """
    from dataclasses import replace

    from sklearn.feature_extraction.text import TfidfTransformer

    from core.classifier.features import Featurizer

    settings = featurizer.settings
    if featurizer.input_kind != "sparse":
        return {}
    if settings.kind == "tfidf":
        counts = Featurizer(replace(settings, kind="bow"), featurizer.vocabulary)
        texts = (split.train_texts, split.test_texts)
        pairs = zip(texts, features, strict=True)
        return {"tfidf": features, "counts": tuple(counts_like(counts, t, x) for t, x in pairs)}
    weights = TfidfTransformer(sublinear_tf=settings.sublinear_tf).fit(features[0])
    tfidf = tuple(weights.transform(x).astype(np.float32) for x in features)
    return {"counts": features, "tfidf": tfidf}


def counts_like(counts: Featurizer, texts: Sequence[str], tfidf: Any) -> Any:
    """``counts.transform(texts)`` (word counts, CSR float32) sharing ``tfidf``'s column indices
    and row pointers: TF-IDF of the same vocabulary is non-zero exactly where the counts are,
    so only the values are new (4 bytes a non-zero instead of 8; 190 MB saved at 180,000 texts
    of the default features). Counted a chunk of texts at a time; should a chunk's layout
    differ from ``tfidf``'s, the counts come back as a matrix of their own."""
    import scipy.sparse as sp

    from core.classifier.vocabulary import CHUNK_TEXTS, chunks

    if not sp.issparse(tfidf) or tfidf.format != "csr" or not tfidf.has_canonical_format:
        return counts.transform(texts)
    values = np.empty(tfidf.nnz, np.float32)
    row = 0
    for part in chunks(texts, CHUNK_TEXTS):
        x = counts.transform(part)
        start, end = tfidf.indptr[row], tfidf.indptr[row + len(part)]
        same = np.array_equal(x.indptr + start, tfidf.indptr[row : row + len(part) + 1])
        if not (same and np.array_equal(x.indices, tfidf.indices[start:end])):
            return counts.transform(texts)
        values[start:end] = x.data
        row += len(part)
    return sp.csr_matrix((values, tfidf.indices, tfidf.indptr), shape=tfidf.shape)
