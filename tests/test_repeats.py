"""Claims backed by repeats: the spread-aware verdict, and the comparison repeated over seeds and
held-out groups."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.classifier.baselines import BASELINES, NETWORK_NAME
from core.classifier.features import FeatureSettings
from core.classifier.metrics import METRIC_COLUMNS
from core.classifier.repeats import (
    SUMMARY_METRICS,
    Fold,
    RepeatResult,
    check_seeds,
    group_folds,
    mean_sd_table,
    run_repeats,
)
from core.classifier.splits import split_by_group
from core.classifier.spread import best_baseline, paired_verdict, spread_verdict, t_factor
from core.classifier.train import ClassifierSettings
from core.data.datasets import LabelledText, youtube_spam
from core.errors import DataError
from core.nn.networks import DenseLayer
from core.nn.training import RunRecord, StopFlag

# ---------------------------------------------------------------- the rule, on constructed numbers


def test_t_factor_is_students_quantile():
    assert t_factor(2) == pytest.approx(12.706, abs=1e-3)
    assert t_factor(3) == pytest.approx(4.303, abs=1e-3)
    assert t_factor(61) == pytest.approx(2.000, abs=1e-3)


def test_a_gap_well_beyond_the_spread_is_a_win():
    network = [0.90, 0.92, 0.91, 0.93]
    baseline = [0.85, 0.86, 0.86, 0.87]  # differences 0.05, 0.06, 0.05, 0.06
    verdict = paired_verdict(network, baseline, baseline="LinearSVC")
    d = np.subtract(network, baseline)
    assert verdict.outcome == "won" and verdict.n == 4
    assert verdict.gap == pytest.approx(d.mean()) and verdict.gap_sd == pytest.approx(d.std(ddof=1))
    half = t_factor(4) * d.std(ddof=1) / 2
    assert verdict.margin == pytest.approx(half)
    assert verdict.interval == pytest.approx((d.mean() - half, d.mean() + half))
    assert verdict.sentence.startswith(
        "Over 4 runs, the Keras network beats LinearSVC on MCC: 0.915 against 0.860"
    )
    assert "+0.055" in verdict.sentence


def test_a_baseline_ahead_beyond_the_spread_makes_the_network_lose():
    verdict = paired_verdict([0.80, 0.82, 0.81], [0.88, 0.89, 0.90], baseline="LinearSVC")
    assert verdict.outcome == "lost" and verdict.gap == pytest.approx(-0.08)
    assert verdict.sentence.startswith("Over 3 runs, LinearSVC beats the Keras network on MCC")
    assert verdict.interval[1] < 0


def test_a_lead_smaller_than_the_seeds_spread_is_level():
    # The YouTube case: the network leads by about 0.01 on average, its runs spread by ±0.02.
    network = [0.874, 0.919, 0.897]
    baseline = [0.885, 0.885, 0.884]
    verdict = paired_verdict(network, baseline, baseline="LinearSVC")
    assert verdict.outcome == "level"
    assert "are level on MCC" in verdict.sentence and "includes zero" in verdict.sentence
    low, high = verdict.interval
    assert low < 0 < high
    # The same mean lead with a tiny spread clears it: the spread decides, not the mean.
    steady = paired_verdict([0.900, 0.901, 0.899], [0.880, 0.881, 0.879])
    assert steady.outcome == "won"


def test_a_consistent_but_tiny_gap_is_still_level():
    verdict = paired_verdict([0.803, 0.803, 0.803], [0.800, 0.800, 0.800])
    assert verdict.gap_sd == pytest.approx(0.0, abs=1e-12) and verdict.outcome == "level"
    assert "too small to call" in verdict.sentence


def test_a_single_run_says_so_and_calls_nothing():
    verdict = paired_verdict([0.95], [0.80], baseline="LinearSVC")
    assert verdict.outcome == "single run" and math.isnan(verdict.gap_sd)
    assert verdict.sentence.startswith("A single run:") and "repeat over seeds" in verdict.sentence
    assert "beats" not in verdict.sentence


def test_runs_where_a_model_was_skipped_are_left_out_of_the_pairs():
    verdict = paired_verdict([0.9, 0.9, 0.5], [0.8, 0.8, float("nan")])
    assert verdict.n == 2 and verdict.network_mean == pytest.approx(0.9)
    assert paired_verdict([0.9], [float("nan")]).outcome == "nothing to compare"
    with pytest.raises(ValueError):
        paired_verdict([0.9, 0.8], [0.7])


def runs_with(scores: dict[str, list[float]]) -> pd.DataFrame:
    """A runs table where each model has the given MCC in runs 1, 2, …"""
    rows = []
    for name, values in scores.items():
        kind = "network" if name == NETWORK_NAME else "baseline"
        for run, value in enumerate(values, start=1):
            rows.append({"run": run, "model": name, "Kind": kind, "MCC": value, "F1": 0.5})
    return pd.DataFrame(rows)


def test_spread_verdict_pits_the_network_against_the_best_baseline_by_mean():
    runs = runs_with(
        {
            NETWORK_NAME: [0.70, 0.72, 0.71],
            "MultinomialNB": [0.90, 0.50, 0.60],  # best in run 1 only
            "LinearSVC": [0.80, 0.81, 0.82],  # best on average
        }
    )
    assert best_baseline(runs) == "LinearSVC"
    verdict = spread_verdict(runs)
    assert verdict.baseline == "LinearSVC" and verdict.outcome == "lost"
    assert verdict.as_json()["outcome"] == "lost" and verdict.as_json()["runs"] == 3
    assert spread_verdict(runs, "F1").outcome == "level"  # equal F1 everywhere
    skipped = runs_with({NETWORK_NAME: [0.7], "MultinomialNB": [float("nan")]})
    assert best_baseline(skipped) is None
    assert spread_verdict(skipped).outcome == "nothing to compare"


# ---------------------------------------------------------------- planning


def test_seeds_are_checked():
    assert check_seeds([3, 1, 2]) == (3, 1, 2)
    for bad, words in (([], "No seeds"), ([1, 2, 1], "more than once"), ([-1], "out of range")):
        with pytest.raises(DataError, match=words):
            check_seeds(bad)


def test_group_folds_hold_out_each_group_and_need_groups():
    data = youtube_spam(["Psy", "Shakira"])
    folds = group_folds(data)
    assert [f.name for f in folds] == ["Psy", "Shakira"]
    assert folds[1].split.test_texts == split_by_group(data, "Shakira").test_texts
    plain = LabelledText(("a", "b", "c", "d"), ("x", "y", "x", "y"), "file", "csv")
    with pytest.raises(DataError, match="come in groups"):
        group_folds(plain)
    one = LabelledText(plain.texts, plain.labels, "file", "csv", groups=("g",) * 4)
    with pytest.raises(DataError, match="single group"):
        group_folds(one)


# ---------------------------------------------------------------- running, on a tiny data set

TINY = ClassifierSettings(
    features=FeatureSettings(ngram_range=(1, 1), min_df=2),
    hidden=(DenseLayer(8),),
    epochs=2,
    validation_split=0.0,
)


@pytest.fixture(scope="module")
def folds():
    return group_folds(youtube_spam(["Psy", "Shakira"]))


@pytest.fixture(scope="module")
def repeated(folds):
    result = RepeatResult(TINY, folds, (0, 1))
    seen = []
    record = run_repeats(result, on_run=lambda run, results: seen.append((run, results)))
    return result, record, seen


def test_every_seed_runs_on_every_fold(repeated):
    result, record, seen = repeated
    assert record.status == "complete" and record.result is result and result.current is None
    assert [(r.seed, r.fold) for r in result.runs] == [
        (0, "Psy"),
        (0, "Shakira"),
        (1, "Psy"),
        (1, "Shakira"),
    ]
    assert [run for run, _ in seen] == result.runs
    # Each run is a whole train_and_compare on its fold, with the run's seed.
    for run, results in seen:
        assert results.trained.settings.seed == run.seed
        assert len(results.comparison.network.prediction) == len(
            {f.name: f for f in result.folds}[run.fold].split.test_texts
        )
    # Two seeds train two different networks on the same fold.
    psy = [r.table.loc[NETWORK_NAME, "ROC-AUC"] for r in result.runs if r.fold == "Psy"]
    assert psy[0] != psy[1]


def test_the_runs_table_and_the_means_are_numpys(repeated):
    result, record, _ = repeated
    runs = result.runs_table()
    models = list(result.runs[0].table.index)
    assert len(runs) == 4 * len(models)
    assert list(runs.columns[:5]) == ["run", "seed", "fold", "model", "Kind"]
    summary = result.summary()
    assert list(summary.index) == models and summary.index[0] == NETWORK_NAME
    assert list(summary.columns[:4]) == ["Kind", "Runs", "MCC mean", "MCC sd"]
    for name in models:
        for m in SUMMARY_METRICS:
            column = METRIC_COLUMNS[m]
            values = np.array([r.table.loc[name, column] for r in result.runs], dtype=float)
            assert summary.loc[name, f"{column} mean"] == pytest.approx(values.mean())
            assert summary.loc[name, f"{column} sd"] == pytest.approx(values.std(ddof=1))
    assert record.metrics["MCC mean"] == pytest.approx(summary.loc[NETWORK_NAME, "MCC mean"])
    shown = mean_sd_table(summary)
    mcc = summary.loc[NETWORK_NAME, ["MCC mean", "MCC sd"]]
    assert shown.loc[NETWORK_NAME, "MCC"] == f"{mcc.iloc[0]:.3f} ± {mcc.iloc[1]:.3f}"
    assert list(shown.columns) == ["Kind", "Runs", *(METRIC_COLUMNS[m] for m in SUMMARY_METRICS)]


def test_the_verdict_and_json_cover_every_run(repeated):
    result, _, _ = repeated
    verdict = result.verdict()
    assert verdict.n == 4 and verdict.outcome in ("won", "lost", "level")
    assert verdict.baseline == best_baseline(result.runs_table())
    data = result.as_json()
    assert data["seeds"] == [0, 1] and data["folds"] == ["Psy", "Shakira"]
    assert data["runs_done"] == data["runs_planned"] == 4
    network = data["models"][NETWORK_NAME]
    summary = result.summary()
    assert network["mcc"]["mean"] == pytest.approx(summary.loc[NETWORK_NAME, "MCC mean"])
    assert network["mcc"]["sd"] == pytest.approx(summary.loc[NETWORK_NAME, "MCC sd"])
    assert len(data["runs"]) == len(result.runs_table())
    assert data["verdict"]["sentence"] == verdict.sentence


def test_a_repeat_stops_between_runs_and_keeps_the_finished_ones(folds):
    result = RepeatResult(TINY, folds, (0, 1))
    stop = StopFlag()
    record = run_repeats(result, stop_flag=stop, on_run=lambda run, results: stop.request())
    assert record.status == "stopped" and record.message == "Stopped after 1 of 4 runs."
    assert len(result.runs) == 1 and result.summary()["Runs"].tolist() == [1] * (1 + len(BASELINES))
    assert result.verdict().outcome == "single run"
    assert result.progress() == (2, 8)


class StopDuringFirstEpoch(StopFlag):
    """A stop flag that is set once the run in training has finished an epoch."""

    def __init__(self, result: RepeatResult) -> None:
        super().__init__()
        self.result = result

    def is_set(self) -> bool:
        current = self.result.current
        return current is not None and current.epochs_done >= 1


def test_a_run_stopped_while_training_is_left_out(folds):
    # Enough epochs that the stop, checked at the end of a batch, lands before the last one.
    result = RepeatResult(replace(TINY, epochs=6), folds[:1], (0, 1))
    record = run_repeats(result, record=RunRecord(kind="x"), stop_flag=StopDuringFirstEpoch(result))
    assert record.status == "stopped" and result.runs == []
    assert record.metrics == {} and result.runs_table().empty


def test_a_data_error_ends_the_repeat_failed():
    texts = tuple(f"text {i}" for i in range(12))
    data = LabelledText(texts, ("a", "b") * 6, "f", "csv", groups=("g1",) * 6 + ("g2",) * 6)
    bad = ClassifierSettings(features=FeatureSettings(min_df=100), epochs=1)
    result = RepeatResult(bad, [Fold("g1", group_folds(data)[0].split)], (0,))
    record = run_repeats(result)
    assert record.status == "failed" and result.error is not None and result.runs == []
    assert "Run 1 (seed 0, test: g1)" in record.message
