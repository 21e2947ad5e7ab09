"""Tuning the classical baselines: the search follows the data and sees the training rows only."""

import json

import numpy as np
import pytest
from scipy import sparse

from core.classifier import tuning
from core.classifier.baselines import BASELINES, comparison_table, run_baselines
from core.classifier.tuning import (
    ALPHA_GRID,
    C_GRID,
    Tuning,
    best_candidate,
    cv_folds,
    naive_bayes_inputs,
    tune,
)

NAMES = ("a", "b")
LINEAR = ["LogisticRegression", "LinearSVC"]
NAIVE = ["MultinomialNB", "ComplementNB"]


def hidden_difference(seed: int, n: int = 200):
    """Clean, separable data where only a large C wins: the label is x0 - x1, and a shared
    nuisance with a wide spread hides it from the class means that a heavily regularised
    model follows. The features are small, so the weights must grow large."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    nuisance = rng.normal(scale=5.0, size=n)
    signal = np.where(y == 1, 1.0, -1.0) + rng.normal(scale=0.2, size=n)
    return 0.02 * np.column_stack([signal + nuisance, nuisance, rng.normal(size=(n, 3))]), y


def weak_and_flipped(seed: int, n: int = 80, p: int = 60):
    """Noisy data where a small C wins: a weak shift on every feature, a fifth of the labels
    flipped, and almost as many features as texts to overfit."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    x = rng.normal(size=(n, p)) + 0.25 * np.where(y == 1, 1.0, -1.0)[:, None]
    return x, np.where(rng.random(n) < 0.2, 1 - y, y)


def own_words(seed: int, n: int = 200, vocab: int = 400):
    """Clean counts where weak smoothing wins: 80/20 classes, each with its own words, three
    per text; heavy smoothing flattens the words until the prior calls every text the
    majority class."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    x = np.zeros((n, vocab))
    for row, label in enumerate(y):
        np.add.at(x[row], rng.integers(0, vocab // 2, size=3) + label * (vocab // 2), 1)
    return sparse.csr_matrix(x), y


def chance_words(seed: int, n: int = 200, vocab: int = 2000):
    """Noisy counts where heavy smoothing wins: forty chance words per text from a large
    vocabulary, each seen a few times, beside eight draws from ten common words that lean
    3:2 towards one class. Weak smoothing trusts the chance words' accidental counts."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    x = np.zeros((n, vocab))
    for row, label in enumerate(y):
        np.add.at(x[row], rng.integers(10, vocab, size=40), 1)
        lean = np.where((np.arange(10) < 5) == bool(label), 3.0, 2.0)
        np.add.at(x[row], rng.choice(10, size=8, p=lean / lean.sum()), 1)
    return sparse.csr_matrix(x), y


def chosen(x, y, names, parameter: str, seed: int = 0) -> dict[str, float]:
    results = run_baselines(x, y, x[:10], y[:10], NAMES, names=names, seed=seed)
    return {r.name: r.params[parameter] for r in results}


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_data_gets_a_larger_c_than_noisy_data(seed):
    clean = chosen(*hidden_difference(seed), LINEAR, "C", seed)
    noisy = chosen(*weak_and_flipped(seed), LINEAR, "C", seed)
    for name in LINEAR:
        assert noisy[name] < clean[name], (name, noisy, clean)
        assert clean[name] >= 10 and noisy[name] <= 1


@pytest.mark.parametrize("seed", [0, 1])
def test_noisy_counts_get_more_smoothing_than_clean_ones(seed):
    clean = chosen(*own_words(seed), NAIVE, "alpha", seed)
    noisy = chosen(*chance_words(seed), NAIVE, "alpha", seed)
    for name in NAIVE:
        assert noisy[name] > clean[name], (name, noisy, clean)
        assert noisy[name] >= 3 and clean[name] <= 1


def test_the_search_sees_the_training_rows_only(monkeypatch):
    from sklearn.model_selection import GridSearchCV

    x, y = weak_and_flipped(0, n=120)
    x_train, y_train, x_test, y_test = x[:80], y[:80], x[80:], y[80:]
    seen = []
    original = GridSearchCV.fit

    def spy(self, features, labels, **kwargs):
        seen.append((features, np.asarray(labels)))
        return original(self, features, labels, **kwargs)

    monkeypatch.setattr(GridSearchCV, "fit", spy)
    # naive Bayes is scored fold by fold without GridSearchCV (no row copies): watched too
    additive = tuning.additive_grid_scores

    def additive_spy(estimator, grid, features, labels, folds, seed):
        seen.append((features, np.asarray(labels)))
        return additive(estimator, grid, features, labels, folds, seed)

    monkeypatch.setattr(tuning, "additive_grid_scores", additive_spy)
    weights = np.abs(x)  # naive Bayes needs non-negative inputs
    inputs = {"plain": (weights[:80], weights[80:]), "squared": (weights[:80] ** 2, weights[80:])}
    results = run_baselines(x_train, y_train, x_test, y_test, NAMES, nb_inputs=inputs)
    assert len(seen) == 2 * 2 + 2  # each naive Bayes on both inputs, each linear model once
    for features, labels in seen:
        assert features.shape[0] == 80 and np.array_equal(labels, y_train)
        assert any(
            features is candidate for candidate in (x_train, *[v[0] for v in inputs.values()])
        )
    monkeypatch.undo()

    # Poisoned test rows change the scores but not a single choice.
    rng = np.random.default_rng(9)
    poisoned = {k: (v[0], rng.permutation(v[1])) for k, v in inputs.items()}
    again = run_baselines(
        x_train, y_train, rng.normal(size=x_test.shape), 1 - y_test, NAMES, nb_inputs=poisoned
    )
    for first, second in zip(results, again, strict=True):
        assert first.params == second.params and first.tuning.scores == second.tuning.scores
    assert [r.metrics.mcc for r in results] != [r.metrics.mcc for r in again]


def test_naive_bayes_chooses_its_input_and_is_scored_on_it():
    clean, y = own_words(0)
    noise = sparse.csr_matrix(np.random.default_rng(0).poisson(1.0, size=clean.shape))
    inputs = {"noise": (noise[:150], noise[150:]), "words": (clean[:150], clean[150:])}
    results = run_baselines(
        clean[:150], y[:150], clean[150:], y[150:], NAMES, names=NAIVE, nb_inputs=inputs
    )
    for result in results:
        assert result.params["input"] == "words" and result.tuning.grid["input"] == list(inputs)
        assert result.tuning.describe().endswith("on words")
        assert result.metrics.mcc > 0.9  # scored on the words, not on the noise
        assert max(result.tuning.scores["noise"]) < result.tuning.cv_mcc


@pytest.mark.parametrize(
    "labels, why",
    [([0, 0, 0, 0, 0, 0], "only one class"), ([0, 0, 0, 0, 0, 1], "only 1 training text")],
)
def test_tiny_or_one_class_training_sets_fall_back_to_defaults(labels, why):
    y = np.array(labels)
    x = np.abs(np.random.default_rng(0).normal(size=(len(y), 4)))
    results = run_baselines(x, y, x, y, NAMES)
    assert [r.name for r in results] == list(BASELINES)
    for result in results:
        assert not result.tuning.searched and why in result.tuning.note
        assert result.params == {"C": 1.0} or result.params == {"alpha": 1.0}
        assert result.tuning.describe().startswith("defaults (")
    table = comparison_table(results[0].metrics, (0.0, 0.0), results)
    assert table["Note"].str.contains("Not tuned").sum() == len(results)


def test_folds_follow_the_smallest_class():
    assert cv_folds(np.array([0] * 50 + [1] * 50)) == 5
    assert cv_folds(np.array([0] * 50 + [1] * 3)) == 3
    assert cv_folds(np.array([0] * 50 + [1] * 2 + [2] * 9)) == 2
    assert cv_folds(np.array([0] * 50 + [1])) == 0 and cv_folds(np.array([1] * 9)) == 0


def test_ties_go_to_the_first_input_and_the_strongest_regularisation():
    assert best_candidate({"tfidf": [0.5, 0.8, 0.8], "counts": [0.8, 0.1, 0.2]}) == ("tfidf", 1)
    assert best_candidate({"tfidf": [0.5, 0.8], "counts": [0.81, 0.1]}) == ("counts", 0)
    assert best_candidate({"x": [np.nan, 0.2, np.nan]}) == ("x", 1)
    assert best_candidate({"x": [np.nan, np.nan]}) is None
    assert list(C_GRID) == sorted(C_GRID) and list(ALPHA_GRID) == sorted(ALPHA_GRID, reverse=True)


def test_tune_returns_the_mean_fold_score_of_the_chosen_value():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import matthews_corrcoef
    from sklearn.model_selection import StratifiedKFold

    x, y = hidden_difference(3, n=100)
    result = tune(LogisticRegression(max_iter=2000), {"C": [0.1, 100.0]}, {"x": x}, y, seed=4)
    folds = StratifiedKFold(5, shuffle=True, random_state=4).split(x, y)
    by_hand = []
    for train, test in folds:
        model = LogisticRegression(C=result.params["C"], max_iter=2000).fit(x[train], y[train])
        by_hand.append(matthews_corrcoef(y[test], model.predict(x[test])))
    assert result.folds == 5 and result.cv_mcc == pytest.approx(np.mean(by_hand))
    assert result.scores["x"][1] == result.cv_mcc > result.scores["x"][0]


def test_tuning_as_json_is_plain_json():
    tuning = Tuning({"alpha": np.float64(0.1), "input": "counts"}, {"alpha": [1.0, 0.1]}, 0.8, 5)
    values = json.loads(json.dumps(tuning.as_json()))
    assert values["params"] == {"alpha": 0.1, "input": "counts"} and values["folds"] == 5
    assert values["grid"] == {"alpha": [1.0, 0.1]} and values["cv_mcc"] == 0.8
    assert tuning.describe() == "alpha=0.1"  # one input searched: nothing to name


def test_naive_bayes_gets_tfidf_and_counts_of_the_same_vocabulary():
    from core.classifier.features import FeatureSettings, Featurizer, fit_featurizer
    from core.classifier.splits import TextSplit

    train = ("free money now now", "see you at lunch", "win free cash", "lunch at noon?")
    split = TextSplit(train, ("spam", "ham", "spam", "ham"), ("free lunch now",), ("spam",),
                      ("ham", "spam"), "toy")  # fmt: skip
    for kind in ("tfidf", "bow"):
        featurizer = fit_featurizer(FeatureSettings(kind=kind, ngram_range=(1, 1)), train)
        own = (featurizer.transform(train), featurizer.transform(split.test_texts))
        inputs = naive_bayes_inputs(featurizer, split, own)
        assert list(inputs) == (["tfidf", "counts"] if kind == "tfidf" else ["counts", "tfidf"])
        counts = inputs["counts"][0].toarray()
        assert counts[0, featurizer.vocabulary.index("now")] == 2
        assert np.array_equal(counts, np.round(counts))
        tfidf = inputs["tfidf"][0].toarray()
        assert np.allclose(np.linalg.norm(tfidf, axis=1), 1.0)
        assert np.array_equal(tfidf > 0, counts > 0)  # the same words, weighted otherwise
        assert inputs["tfidf"][1].shape == inputs["counts"][1].shape == (1, counts.shape[1])
    dense = Featurizer(FeatureSettings(kind="word2vec"), ["free"], word_vectors=np.ones((1, 3)))
    assert naive_bayes_inputs(dense, split, (None, None)) == {}
