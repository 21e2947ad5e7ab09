"""Classical baselines against the network: the models, the comparison and the verdict."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from core.classifier.baselines import (
    BASELINE_GRIDS,
    BASELINES,
    NETWORK_NAME,
    BaselineResult,
    baseline_inputs,
    comparison_table,
    evaluate_network,
    run_baselines,
)
from core.classifier.features import FeatureSettings, fit_featurizer
from core.classifier.metrics import METRIC_COLUMNS, classification_metrics
from core.classifier.splits import split_by_group
from core.classifier.spread import SINGLE_RUN_NOTE, verdict
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam
from core.nn.networks import DenseLayer


@pytest.fixture(scope="module")
def youtube_results(split, tfidf):
    _, x_train, x_test, _ = tfidf
    return run_baselines(x_train, split.y_train, x_test, split.y_test, split.label_names)


def test_baselines_use_the_networks_tfidf_features(split, tfidf):
    featurizer, x_train, x_test, note = tfidf
    assert note == ""
    assert sparse.issparse(x_train) and x_train.shape == (
        len(split.train_texts),
        featurizer.input_dim,
    )
    assert x_test.shape == (len(split.test_texts), featurizer.input_dim)


def test_all_baselines_run_on_youtube_and_linear_svc_is_strong(split, tfidf, youtube_results):
    assert [r.name for r in youtube_results] == list(BASELINES)
    for result in youtube_results:
        assert result.skipped is None and result.kind == "baseline"
        assert result.train_seconds > 0 and result.predict_seconds > 0
        assert len(result.prediction) == len(split.test_texts)
        assert result.metrics.accuracy > 0.5  # far above chance on a 47% spam test video
    svc = {r.name: r for r in youtube_results}["LinearSVC"]
    assert svc.prediction.kind == "decision"
    assert svc.metrics.mcc > 0.7
    # The metrics are those of the fitted model's own predictions.
    svc_labels = svc.model.predict(tfidf[2])
    assert np.array_equal(svc.prediction.labels, svc_labels)
    nb = {r.name: r for r in youtube_results}["MultinomialNB"]
    assert nb.prediction.kind == "probability" and nb.metrics.threshold == 0.5


def test_each_baseline_is_tuned_on_youtube_and_the_table_shows_the_choice(split, youtube_results):
    for result in youtube_results:
        tuning = result.tuning
        assert tuning.searched and tuning.folds == 5 and tuning.note == ""
        (parameter, values), *_ = BASELINE_GRIDS[result.name].items()
        assert result.params[parameter] in values and tuning.grid[parameter] == list(values)
        assert -1 <= tuning.cv_mcc <= 1 and tuning.seconds > 0
        # The fitted model carries the chosen value, not scikit-learn's default.
        assert result.model.get_params()[parameter] == result.params[parameter]
    table = comparison_table(
        youtube_results[0].metrics, (1.0, 0.1), youtube_results, keras_chosen="epoch 3 of 5"
    )
    assert table.loc[NETWORK_NAME, "Chosen by CV"] == "epoch 3 of 5"
    svc = {r.name: r for r in youtube_results}["LinearSVC"]
    assert table.loc["LinearSVC", "Chosen by CV"] == f"C={svc.params['C']:g}"
    assert table.loc["MultinomialNB", "Chosen by CV"].startswith("alpha=")


def test_complement_nb_is_scored_by_its_own_rule_on_texts_without_known_words():
    # Texts with no known word sit at exactly P = 0.5 for ComplementNB (it has no priors).
    x = np.array([[3.0, 0.0], [2.0, 1.0], [0.0, 3.0], [1.0, 2.0]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    empty = np.zeros((3, 2))
    results = run_baselines(
        x, y, empty, np.array([0, 0, 1]), ("ham", "spam"), names=["ComplementNB", "MultinomialNB"]
    )
    complement, multinomial = results
    assert np.allclose(complement.model.predict_proba(empty)[:, 1], 0.5)
    assert np.array_equal(complement.prediction.labels, complement.model.predict(empty))
    assert list(complement.prediction.labels) == [0, 0, 0]  # a tie goes to the first class
    assert multinomial.prediction.kind == complement.prediction.kind == "probability"


def test_naive_bayes_is_skipped_on_negative_features():
    rng = np.random.default_rng(0)
    y = np.array([0, 1] * 30)
    x = rng.normal(size=(60, 5)).astype(np.float32) + y[:, None]  # mean-word2vec-like: signed
    results = run_baselines(x[:40], y[:40], x[40:], y[40:], ("ham", "spam"))
    by_name = {r.name: r for r in results}
    assert by_name["MultinomialNB"].skipped and "non-negative" in by_name["MultinomialNB"].skipped
    assert by_name["MultinomialNB"].metrics is None
    assert by_name["LogisticRegression"].metrics.accuracy > 0.6
    assert by_name["LinearSVC"].skipped is None


def test_token_ids_are_refused_and_baseline_inputs_swaps_in_tfidf(split):
    settings = FeatureSettings(kind="embedding", sequence_length=16)
    featurizer = fit_featurizer(settings, split.train_texts[:200])
    ids = featurizer.transform(split.train_texts[:10])
    with pytest.raises(ValueError, match="token ids"):
        run_baselines(ids, split.y_train[:10], ids, split.y_train[:10], split.label_names)
    small = split_by_group(youtube_spam(["Shakira", "Psy"]), "Shakira")
    x_train, x_test, note = baseline_inputs(small, featurizer)
    assert sparse.issparse(x_train) and "TF-IDF" in note
    assert x_train.shape[0] == len(small.train_texts) and x_test.shape[1] == x_train.shape[1]


def test_three_classes_and_unknown_names():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 20)
    x = np.abs(rng.normal(size=(60, 6))) + 3 * np.eye(3, 6)[y]  # non-negative, separable
    order = rng.permutation(60)
    x, y = x[order], y[order]
    results = run_baselines(x[:45], y[:45], x[45:], y[45:], ("a", "b", "c"))
    for result in results:
        assert result.metrics.average == "macro" and result.metrics.accuracy > 0.8
    assert {r.name: r for r in results}["LinearSVC"].prediction.scores.shape == (15, 3)
    with pytest.raises(ValueError, match="unknown"):
        run_baselines(x, y, x, y, ("a", "b", "c"), names=["XGBoost"])


# ---------------------------------------------------------------- table and verdict


def table_with(values: dict[str, float], network: str = NETWORK_NAME) -> pd.DataFrame:
    """A comparison table where each model has the given MCC (other columns filler)."""
    rows = []
    for name, mcc in values.items():
        row = dict.fromkeys(METRIC_COLUMNS.values(), 0.5)
        row.update({"MCC": mcc, "Kind": "network" if name == network else "baseline"})
        rows.append(pd.Series(row, name=name))
    return pd.DataFrame(rows)


def test_verdict_names_a_baseline_that_beats_the_network():
    sentence = verdict(table_with({NETWORK_NAME: 0.70, "LinearSVC": 0.80, "MultinomialNB": 0.60}))
    assert sentence.startswith(
        "On MCC, LinearSVC wins with 0.800, 0.100 ahead of the Keras network"
    )
    assert f"{NETWORK_NAME} wins" not in sentence and "tie" not in sentence


def test_verdict_names_the_network_only_when_it_is_ahead():
    sentence = verdict(table_with({NETWORK_NAME: 0.83, "LinearSVC": 0.80}))
    assert sentence.startswith(
        "On MCC, the Keras network wins with 0.830, 0.030 ahead of LinearSVC"
    )


def test_a_verdict_says_it_is_a_single_run():
    for scores in ({NETWORK_NAME: 0.83, "LinearSVC": 0.80}, {NETWORK_NAME: 0.8, "LinearSVC": 0.8}):
        sentence = verdict(table_with(scores))
        assert sentence.endswith(SINGLE_RUN_NOTE) and "single run" in sentence


def test_verdict_mentions_a_network_that_came_third():
    sentence = verdict(table_with({NETWORK_NAME: 0.5, "LinearSVC": 0.8, "LogisticRegression": 0.7}))
    assert (
        "LinearSVC wins" in sentence and "The Keras network scored 0.500, 0.300 behind" in sentence
    )


@pytest.mark.parametrize("gap", [0.0, 0.003, 0.005])
def test_close_scores_are_a_tie_either_way(gap):
    for ahead in (NETWORK_NAME, "LinearSVC"):
        behind = "LinearSVC" if ahead == NETWORK_NAME else NETWORK_NAME
        sentence = verdict(table_with({ahead: 0.80, behind: 0.80 - gap, "MultinomialNB": 0.5}))
        assert "tie" in sentence and "wins" not in sentence
        assert "LinearSVC" in sentence and "Keras network" in sentence


def test_verdict_on_another_metric_and_skipped_models():
    table = table_with({NETWORK_NAME: 0.7, "LinearSVC": 0.6})
    table.loc["LinearSVC", "ROC-AUC"] = 0.9
    table.loc["MultinomialNB"] = dict.fromkeys(table.columns, np.nan) | {"Kind": "baseline"}
    assert verdict(table, "roc_auc").startswith("On ROC-AUC, LinearSVC wins with 0.900")
    assert "MultinomialNB" not in verdict(table, "MCC")
    with pytest.raises(ValueError):
        verdict(table, "loss")


def test_comparison_table_rows_and_columns(split, youtube_results):
    svc = youtube_results[-1]
    nb_skipped = BaselineResult("MultinomialNB", None, 0.0, 0.0, None, skipped="negative")
    table = comparison_table(svc.metrics, (1.5, 0.25), [svc, nb_skipped])
    assert list(table.index) == [NETWORK_NAME, "LinearSVC", "MultinomialNB"]
    assert list(table.columns) == [
        "Kind",
        *METRIC_COLUMNS.values(),
        "Train s",
        "Predict s",
        "Chosen by CV",
        "Note",
    ]
    assert (
        table.loc[NETWORK_NAME, "Train s"] == 1.5 and table.loc[NETWORK_NAME, "Kind"] == "network"
    )
    assert table.loc["LinearSVC", "MCC"] == pytest.approx(svc.metrics.mcc)
    assert np.isnan(table.loc["MultinomialNB", "MCC"]) and table.loc["MultinomialNB", "Note"]
    # Same metrics on both rows: a tie, not a win for either.
    assert "tie" in verdict(table)
    mapping = comparison_table(svc.metrics, {"train": 2.0}, [])
    assert mapping.loc[NETWORK_NAME, "Train s"] == 2.0
    assert np.isnan(mapping.loc[NETWORK_NAME, "Predict s"])


def test_evaluate_network_scores_a_trained_model_like_a_baseline():
    # Two videos and unigrams keep this one Keras run short.
    split = split_by_group(youtube_spam(["Psy", "Shakira"]), "Shakira")
    settings = ClassifierSettings(
        features=FeatureSettings(ngram_range=(1, 1), min_df=2),
        hidden=(DenseLayer(8),),
        epochs=2,
        validation_split=0.0,
    )
    trained = train_classifier(split, settings)
    result = evaluate_network(trained, split.test_texts, split.y_test, threshold=0.5)
    assert result.kind == "network" and result.name == NETWORK_NAME
    assert result.train_seconds == trained.timings["train"] and result.predict_seconds > 0
    proba = trained.predict_proba(split.test_texts)
    expected = classification_metrics(split.y_test, proba, split.label_names)
    assert result.metrics.accuracy == pytest.approx(expected.accuracy)
    assert result.metrics.roc_auc == pytest.approx(expected.roc_auc, abs=1e-6)
