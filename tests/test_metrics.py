"""Classifier metrics: scores, confusion, curves, operating points and their figures."""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn import metrics as skm

from core.classifier.curves import binary_curves, operating_point, pr_points, roc_points
from core.classifier.metrics import (
    Prediction,
    classification_metrics,
    confusion,
    misclassified,
    predictions_at,
    scores_for_auc,
)
from core.figures import classifier as figs

NAMES = ("ham", "spam")
# 6 negatives, 4 positives. At 0.5: TN 4, FP 2 (0.6, 0.7), FN 1 (0.35), TP 3.
Y10 = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
P10 = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.35, 0.55, 0.8, 0.9])
PROBA10 = np.column_stack([1 - P10, P10])


def test_binary_metrics_match_hand_counts_and_sklearn():
    m = classification_metrics(Y10, PROBA10, NAMES)
    tp, fp, tn, fn = 3, 2, 4, 1
    assert m.accuracy == pytest.approx((tp + tn) / 10)
    assert m.precision == pytest.approx(tp / (tp + fp))
    assert m.recall == pytest.approx(tp / (tp + fn))
    assert m.f1 == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))
    mcc = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert m.mcc == pytest.approx(mcc)
    # Positive-negative pairs ranked correctly: 0.35 beats 3 negatives, 0.55 beats 4, 0.8 and 0.9
    # beat all 6.
    assert m.roc_auc == pytest.approx((3 + 4 + 6 + 6) / 24)
    # Precision at each positive, walking down the ranking: 1/1, 2/2, 3/5, 4/7.
    assert m.pr_auc == pytest.approx((1 + 1 + 3 / 5 + 4 / 7) / 4)
    assert m.support == (6, 4) and m.n == 10 and m.positive_label == "spam"
    y_pred = (P10 >= 0.5).astype(int)
    assert m.mcc == pytest.approx(skm.matthews_corrcoef(Y10, y_pred))
    assert m.roc_auc == pytest.approx(skm.roc_auc_score(Y10, P10))
    assert m.pr_auc == pytest.approx(skm.average_precision_score(Y10, P10))
    assert m.per_class_recall == pytest.approx((4 / 6, 3 / 4))
    assert m.notes == ()


def test_positive_probability_vector_is_accepted_too():
    assert classification_metrics(Y10, P10, NAMES) == classification_metrics(Y10, PROBA10, NAMES)


def test_threshold_moves_the_confusion_matrix():
    at_half = confusion(Y10, predictions_at(PROBA10, 0.5), NAMES)
    assert at_half.to_numpy().tolist() == [[4, 2], [1, 3]]
    assert list(at_half.index) == list(NAMES) and at_half.index.name == "true"
    assert at_half.columns.name == "predicted"
    high = confusion(Y10, predictions_at(PROBA10, 0.65), NAMES)
    assert high.to_numpy().tolist() == [[5, 1], [2, 2]]
    low = confusion(Y10, predictions_at(PROBA10, 0.3), NAMES)  # 0.3 itself counts as positive
    assert low.to_numpy().tolist() == [[2, 4], [0, 4]]
    m = classification_metrics(Y10, PROBA10, NAMES, threshold=0.3)
    assert m.recall == 1.0 and m.precision == pytest.approx(4 / 8) and m.threshold == 0.3
    # Ranking measures do not depend on the threshold.
    assert m.roc_auc == classification_metrics(Y10, PROBA10, NAMES).roc_auc


def test_a_prediction_keeps_its_labels_unless_given_a_threshold():
    pred = Prediction.from_proba(PROBA10, 0.65)
    assert classification_metrics(Y10, pred, NAMES).accuracy == pytest.approx(0.7)
    assert classification_metrics(Y10, pred, NAMES, threshold=0.3).accuracy == pytest.approx(0.6)


MULTI_NAMES = ("a", "b", "c")
Y6 = np.array([0, 0, 1, 1, 2, 2])
PROBA6 = np.array(
    [
        [0.7, 0.2, 0.1],  # a, right
        [0.3, 0.6, 0.1],  # a, called b
        [0.2, 0.5, 0.3],  # b, right
        [0.1, 0.8, 0.1],  # b, right
        [0.1, 0.2, 0.7],  # c, right
        [0.5, 0.1, 0.4],  # c, called a
    ]
)


def test_three_classes_use_argmax_and_macro_averages():
    m = classification_metrics(Y6, PROBA6, MULTI_NAMES, threshold=0.99)  # threshold ignored
    assert m.average == "macro" and m.positive_label is None
    assert m.accuracy == pytest.approx(4 / 6)
    assert m.per_class_precision == pytest.approx((1 / 2, 2 / 3, 1.0))
    assert m.per_class_recall == pytest.approx((1 / 2, 1.0, 1 / 2))
    assert m.precision == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    # One-vs-rest: a ranks 7 of 8 pairs right, b 7 of 8, c all 8.
    assert m.roc_auc == pytest.approx((7 / 8 + 7 / 8 + 1) / 3)
    assert m.roc_auc == pytest.approx(
        skm.roc_auc_score(Y6, PROBA6, multi_class="ovr", average="macro")
    )
    one_hot = np.eye(3)[Y6]
    assert m.pr_auc == pytest.approx(skm.average_precision_score(one_hot, PROBA6, average="macro"))
    assert m.mcc == pytest.approx(skm.matthews_corrcoef(Y6, PROBA6.argmax(axis=1)))
    assert confusion(Y6, PROBA6.argmax(axis=1), MULTI_NAMES).to_numpy().tolist() == [
        [1, 1, 0],
        [0, 2, 0],
        [1, 0, 1],
    ]


def test_a_class_missing_from_the_test_set_is_noted_not_fatal():
    keep = Y6 != 2
    m = classification_metrics(Y6[keep], PROBA6[keep], MULTI_NAMES)
    assert np.isfinite(m.roc_auc) and m.support == (2, 2, 0)
    assert any("c" in note and "left out" in note for note in m.notes)


@pytest.mark.parametrize("only", [0, 1])
def test_single_class_test_set_gives_nan_auc_with_a_note(only):
    y = np.full(10, only)
    m = classification_metrics(y, PROBA10, NAMES)
    assert math.isnan(m.roc_auc)
    assert m.notes and "one class" in m.notes[0]
    assert m.as_dict()["roc_auc"] is None
    if only == 0:  # no spam to find: average precision is undefined as well
        assert math.isnan(m.pr_auc) and m.as_dict()["pr_auc"] is None
    else:
        assert m.pr_auc == pytest.approx(1.0)
    curves = binary_curves(y, P10, 0.5)
    assert math.isnan(curves.roc_auc) and len(curves.roc) > 0


def test_as_dict_and_tables():
    m = classification_metrics(Y10, PROBA10, NAMES)
    d = m.as_dict()
    assert d["support"] == {"ham": 6, "spam": 4} and d["per_class"]["spam"]["support"] == 4
    assert d["mcc"] == pytest.approx(m.mcc) and d["threshold"] == 0.5
    row = m.table("net")
    assert list(row.index) == ["net"]
    assert list(row.columns) == [
        "Accuracy",
        "Precision",
        "Recall",
        "F1",
        "MCC",
        "ROC-AUC",
        "PR-AUC",
    ]
    assert m.per_class_table().loc["spam", "Support"] == 4


def test_decision_scores_rank_and_labels_classify():
    # Log-odds rank texts like the probabilities, so the AUCs agree; the labels are the model's.
    logits = np.log(P10 / (1 - P10))
    labels = (logits > 0).astype(int)
    pred = Prediction.from_scores(logits, labels, 2)
    m = classification_metrics(Y10, pred, NAMES)
    assert m.score_kind == "decision" and m.threshold is None
    assert m.roc_auc == pytest.approx(19 / 24)
    assert m.accuracy == pytest.approx(0.7)
    flipped = Prediction.from_scores(logits, 1 - labels, 2)
    assert classification_metrics(Y10, flipped, NAMES).accuracy == pytest.approx(0.3)
    assert classification_metrics(Y10, flipped, NAMES).roc_auc == pytest.approx(19 / 24)
    assert pred.proba is None


def test_scores_for_auc_shapes():
    assert scores_for_auc(PROBA10, 2).tolist() == P10.tolist()
    assert scores_for_auc(P10, 2).tolist() == P10.tolist()
    assert scores_for_auc(PROBA6, 3).shape == (6, 3)
    with pytest.raises(ValueError):
        scores_for_auc(PROBA6, 2)
    with pytest.raises(ValueError):
        classification_metrics(Y10, PROBA6[:1].repeat(10, axis=0), NAMES)


def test_operating_points_lie_on_both_curves():
    roc = roc_points(Y10, PROBA10)
    assert list(roc.columns) == ["fpr", "tpr", "threshold"]
    for _, row in roc.iloc[1:].iterrows():
        point = operating_point(Y10, P10, row["threshold"])
        assert (point.fpr, point.tpr) == pytest.approx((row["fpr"], row["tpr"]))
    pr = pr_points(Y10, Prediction.from_proba(PROBA10))
    assert math.isnan(pr["threshold"].iloc[-1])
    for _, row in pr.iloc[:-1].iterrows():
        point = operating_point(Y10, P10, row["threshold"])
        assert (point.recall, point.precision) == pytest.approx((row["recall"], row["precision"]))
    point = operating_point(Y10, P10, 0.5)
    assert (point.tp, point.fp, point.tn, point.fn) == (3, 2, 4, 1)
    assert operating_point(Y10, P10, 2.0).precision == 1.0  # nothing predicted positive


def test_misclassified_most_confident_first_and_escaped():
    texts = [f"text {i}" for i in range(10)]
    texts[5] = "=HYPERLINK(1)"
    table = misclassified(texts, Y10, PROBA10, NAMES)
    # Mistakes at 0.5: rows 4 (0.6), 5 (0.7) called spam, row 6 (0.35) called ham (P(ham) 0.65).
    assert list(table.index) == [5, 6, 4] and table.index.name == "row"
    assert table.loc[5, "text"] == "'=HYPERLINK(1)"
    assert table["p(predicted)"].tolist() == pytest.approx([0.7, 0.65, 0.6])
    assert table["p(positive)"].tolist() == pytest.approx([0.7, 0.35, 0.6])
    assert table.loc[6, "true"] == "spam" and table.loc[6, "predicted"] == "ham"
    assert len(misclassified(texts, Y10, PROBA10, NAMES, limit=2)) == 2
    assert list(misclassified(texts, Y10, PROBA10, NAMES, threshold=0.65).index) == [5, 6, 7]
    multi = misclassified([f"t{i}" for i in range(6)], Y6, PROBA6, MULTI_NAMES)
    assert list(multi.index) == [1, 5] and "p(positive)" not in multi.columns


# ---------------------------------------------------------------- figures


def test_confusion_figure_shows_counts_and_row_shares():
    fig = figs.confusion_figure(confusion(Y10, predictions_at(PROBA10), NAMES))
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    assert heat.text[0][0] == "4<br>66.7%" and heat.text[1][1] == "3<br>75.0%"
    assert heat.z[1][0] == pytest.approx(0.25)
    assert list(heat.x) == list(NAMES) and list(heat.y) == list(NAMES)


def test_roc_and_pr_figures_mark_the_threshold():
    curves = binary_curves(Y10, P10, 0.5)
    roc = figs.roc_figure(curves.roc, curves.roc_auc, curves.point, name="net")
    names = [t.name for t in roc.data]
    assert names[0].startswith("chance") and "net (AUC 0.792)" in names
    marker = roc.data[-1]
    assert marker.name == "threshold 0.50" and marker.x == (2 / 6,) and marker.y == (3 / 4,)
    pr = figs.pr_figure(
        curves.pr,
        curves.pr_auc,
        curves.point,
        prevalence=curves.prevalence,
        name="net",
        others={"svm": (curves.pr, 0.5)},
    )
    names = [t.name for t in pr.data]
    assert names == ["chance (AP 0.40)", "svm (AP 0.500)", "net (AP 0.793)", "threshold 0.50"]
    assert pr.data[-1].x == (0.75,) and pr.data[-1].y == (0.6,)
    assert pr.data[0].y == (0.4, 0.4)


def test_probability_histogram_by_true_class_with_threshold_line():
    fig = figs.probability_histogram(P10, Y10, NAMES, threshold=0.3)
    assert [t.name for t in fig.data] == ["true: ham", "true: spam"]
    assert len(fig.data[0].x) == 6 and len(fig.data[1].x) == 4
    assert fig.layout.shapes[0].x0 == 0.3
    multi = figs.probability_histogram(PROBA6, Y6, MULTI_NAMES)
    assert len(multi.data) == 3 and not multi.layout.shapes
    assert list(multi.data[2].x) == [0.7, 0.4]  # what each c text gave class c


def test_metrics_bar_figure_one_bar_set_per_scored_model():
    table = pd.DataFrame(
        {
            "Kind": ["network", "baseline", "baseline"],
            "Accuracy": [0.9, 0.8, np.nan],
            "F1": [0.8, 0.7, np.nan],
            "MCC": [0.7, 0.6, np.nan],
            "ROC-AUC": [0.95, 0.9, np.nan],
            "PR-AUC": [0.9, 0.85, np.nan],
        },
        index=pd.Index(["Keras network", "LinearSVC", "MultinomialNB"], name="model"),
    )
    fig = figs.metrics_bar_figure(table)
    assert [t.name for t in fig.data] == ["Keras network", "LinearSVC"]
    assert list(fig.data[0].x) == ["Accuracy", "F1", "MCC", "ROC-AUC", "PR-AUC"]
    assert list(fig.data[1].y) == [0.8, 0.7, 0.6, 0.9, 0.85]
    assert fig.data[0].marker.color != fig.data[1].marker.color
