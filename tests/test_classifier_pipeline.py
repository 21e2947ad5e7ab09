"""What the classifier page runs, without Streamlit: settings from the form, the shared training
preparation, train-then-compare, and the tables and notes shown after training."""

import json

import numpy as np
import pandas as pd
import pytest

from core.classifier import report
from core.classifier.features import FeatureSettings, feature_settings_for, ngram_range_for
from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.report import (
    TrainingRequest,
    mistakes_at,
    probability_table,
    train_and_compare,
    view_at_threshold,
)
from core.classifier.splits import TextSplit, split_by_group, split_summary
from core.classifier.train import ClassifierSettings, prepare_training
from core.data.datasets import youtube_spam
from core.errors import DataError
from core.nn.networks import DenseLayer
from core.nn.training import RunRecord

TINY = ClassifierSettings(hidden=(DenseLayer(8, "relu"),), epochs=2, batch_size=64, seed=1)


def toy_split(
    train_labels, test_labels=("ham", "spam", "ham", "spam"), names=("ham", "spam")
) -> TextSplit:
    return TextSplit(
        train_texts=tuple(f"{label} text {i}" for i, label in enumerate(train_labels)),
        train_labels=tuple(train_labels),
        test_texts=tuple(f"test text {i}" for i in range(len(test_labels))),
        test_labels=tuple(test_labels),
        label_names=tuple(names),
        description="a toy split",
    )


# ---------------------------------------------------------------- settings from the form


def test_character_ngrams_start_at_pairs_and_words_at_singles():
    assert ngram_range_for("word", 3) == (1, 3)
    assert ngram_range_for("word", 1) == (1, 1)
    assert ngram_range_for("char_wb", 4) == (2, 4)
    assert ngram_range_for("char_wb", 1) == (1, 1)  # a lone character when only that is asked


def test_feature_settings_take_only_the_chosen_kinds_choices():
    choices = dict(
        analyzer="char_wb",
        longest_ngram=3,
        max_features=1_000,
        min_df=2,
        embedding_dim=16,
        sequence_length=32,
    )
    tfidf = feature_settings_for("tfidf", **choices)
    assert tfidf == FeatureSettings(
        kind="tfidf", analyzer="char_wb", ngram_range=(2, 3), max_features=1_000, min_df=2
    )
    assert feature_settings_for("bow", **choices).kind == "bow"
    assert feature_settings_for("word2vec", **choices) == FeatureSettings(kind="word2vec")
    assert feature_settings_for("embedding", **choices) == FeatureSettings(
        kind="embedding", embedding_dim=16, sequence_length=32
    )
    with pytest.raises(ValueError):
        feature_settings_for("tfidf", longest_ngram=9)


def test_split_summary_counts_classes_most_first_with_labels_escaped():
    split = toy_split(["=cmd", "spam", "=cmd", "=cmd", "spam"], ("=cmd", "spam"), ("=cmd", "spam"))
    assert split_summary(split) == (
        "5 training and 2 test texts (a toy split). Training classes: '=cmd 3, spam 2"
    )


# ---------------------------------------------------------------- one preparation for both paths


def test_preparation_fits_features_and_chooses_stratified_validation_rows():
    split = split_by_group(youtube_spam(), "Shakira")
    prepared = prepare_training(split, TINY)
    assert prepared.net.n_classes == 2 and prepared.net.input_dim == prepared.featurizer.input_dim
    assert np.array_equal(prepared.y, split.y_train)
    train, val = prepared.train_rows, prepared.val_rows
    assert val is not None and not set(train) & set(val)
    assert len(train) + len(val) == len(split.train_texts)
    assert [type(c).__name__ for c in prepared.callbacks()] == [
        "ReduceLROnPlateau",
        "EarlyStopping",
    ]
    weights = prepared.class_weight(train)
    counts = np.bincount(split.y_train[train])
    assert weights == pytest.approx({c: len(train) / (2 * n) for c, n in enumerate(counts)})

    alone = prepared.without_validation()
    assert alone.val_rows is None and np.array_equal(alone.train_rows, np.arange(len(prepared.y)))
    assert alone.callbacks() == []


def test_preparation_without_a_split_or_weights():
    split = toy_split(["ham", "spam", "ham", "spam"])
    settings = ClassifierSettings(class_weight=False, validation_split=0.0)
    prepared = prepare_training(split, settings)
    assert prepared.val_rows is None and np.array_equal(prepared.train_rows, np.arange(4))
    assert prepared.class_weight(prepared.train_rows) is None


# ---------------------------------------------------------------- train, then compare


def test_train_and_compare_trains_hands_the_network_on_then_scores_the_baselines():
    split = split_by_group(youtube_spam(["Psy", "Shakira"]), "Shakira")
    record = RunRecord(kind="classifier")
    handed = []
    results = train_and_compare(
        TrainingRequest(split, TINY), record=record, on_trained=handed.append
    )
    assert results.error is None and handed == [results.trained]
    assert results.trained.label_names == split.label_names
    assert results.comparison.network.name == report.NETWORK_NAME
    assert len(results.comparison.baselines) == 4 and "MCC" in results.comparison.verdict
    headline = results.comparison.network.metrics.headline()
    assert results.headline == {METRIC_COLUMNS[k]: v for k, v in headline.items()}
    assert "Accuracy" in results.headline and "ROC-AUC" in results.headline


def test_the_comparison_shows_and_reports_what_was_chosen_on_the_training_texts():
    split = split_by_group(youtube_spam(["Psy", "Shakira"]), "Shakira")
    settings = ClassifierSettings(hidden=(DenseLayer(8, "relu"),), epochs=4, seed=1)
    comparison = train_and_compare(TrainingRequest(split, settings)).comparison
    record = comparison.network.model.record
    kept = int(np.argmin(record.history["val_loss"])) + 1
    assert report.kept_epoch(comparison.network.model) == kept
    chosen = comparison.table["Chosen by CV"]
    assert chosen[report.NETWORK_NAME] == f"epoch {kept} of {record.epochs_done} (validation loss)"
    summary = comparison.as_json()
    assert summary["model"]["params"] == {"epoch": kept}
    for baseline, row in zip(summary["baselines"], comparison.baselines, strict=True):
        assert baseline["params"] == row.params and baseline["params"]
        assert chosen[row.name] == row.tuning.describe() and not chosen[row.name].startswith(
            "defaults"
        )
        (parameter, values), *_ = baseline["grid"].items()
        assert baseline["params"][parameter] in values and baseline["folds"] == 5
        assert baseline["cv_mcc"] == row.tuning.cv_mcc and baseline["tune_seconds"] > 0
    naive = {b["name"]: b for b in summary["baselines"]}["MultinomialNB"]
    assert naive["grid"]["input"] == ["tfidf", "counts"]
    assert naive["params"]["input"] in ("tfidf", "counts")
    json.dumps(summary)  # plain JSON all through


def test_train_and_compare_returns_a_data_error_and_leaves_the_record_running():
    split = toy_split(["ham", "spam", "ham", "spam"])
    settings = ClassifierSettings(features=FeatureSettings(min_df=50), epochs=1)
    record = RunRecord(kind="classifier")
    results = train_and_compare(TrainingRequest(split, settings), record=record)
    assert isinstance(results.error, DataError) and results.trained is None
    assert record.status == "running"


def test_a_failed_run_gives_no_network_and_no_comparison(monkeypatch):
    def failing(split, settings, *, record, stop_flag, word_vectors):
        record.finish("failed", "NaN loss")
        return object()

    monkeypatch.setattr(report, "train_classifier", failing)
    handed = []
    record = RunRecord(kind="classifier")
    split = toy_split(["ham", "spam", "ham", "spam"])
    results = train_and_compare(
        TrainingRequest(split, TINY), record=record, on_trained=handed.append
    )
    assert results == report.TrainingResults() and handed == []


# ---------------------------------------------------------------- tables and notes after training


def test_probability_table_and_mistakes_at_a_threshold():
    split = toy_split(["ham", "spam", "ham", "spam"], ("ham", "ham", "spam", "spam"))
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    table = probability_table(proba, split)
    assert list(table.columns) == ["p(ham)", "p(spam)", "true class"]
    assert table["true class"].tolist() == ["ham", "ham", "spam", "spam"]

    view = view_at_threshold(proba, split, 0.5)
    mistakes = mistakes_at(view, split)
    assert mistakes.n_wrong == 2 and mistakes.all_listed
    assert sorted(mistakes.table.index) == [1, 2]
    assert "p(spam)" in mistakes.table.columns and "p(positive)" not in mistakes.table.columns
    assert mistakes_at(view_at_threshold(proba, split, 0.35), split).n_wrong == 1


def test_mistakes_keep_p_positive_when_a_class_is_called_predicted():
    names = ("ham", "predicted")
    split = toy_split(["ham", "predicted"] * 2, ("ham", "ham", "predicted", "predicted"), names)
    proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    mistakes = mistakes_at(view_at_threshold(proba, split, 0.5), split)
    # "p(predicted)" is already the predicted class's probability: the positive one keeps its name.
    assert {"p(predicted)", "p(positive)"} <= set(mistakes.table.columns)


def test_scoring_note_mentions_a_moved_threshold_only():
    comparison = report.Comparison(None, [], pd.DataFrame(), "verdict", "Same features.")
    note = comparison.scoring_note(0.5)
    assert note.startswith("Every model learned") and note.endswith("Same features.")
    assert "cross-validation on the training texts alone" in note and "validation loss" in note
    assert "slider" not in note and "slider" not in comparison.scoring_note(None)
    assert "The threshold slider above (0.80) does not apply here." in comparison.scoring_note(0.8)
