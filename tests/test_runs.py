"""Runs: the table, the differing settings, exports, and the Runs page with real training."""

import json

from core.nn.networks import DenseLayer
from core.nn.runs import (
    curves_frame,
    differing_settings,
    final_metrics,
    flatten_settings,
    labelled_curves,
    of_kind,
    run_kinds,
    runs_csv,
    runs_frame,
    runs_json,
    telling_labels,
)
from core.nn.training import RunRecord
from tests.app_pages import open_page


def record(kind="playground", lr=0.01, status="complete", **extra) -> RunRecord:
    run = RunRecord(
        kind=kind,
        settings={"optimizer": {"name": "adam", "learning_rate": lr}, "hidden": (DenseLayer(8),)},
        status=status,
        device="CPU (tensorflow)",
        **extra,
    )
    run.add_epoch({"loss": 1.0, "val_loss": 1.2})
    run.add_epoch({"loss": 0.5, "val_loss": 0.9})
    return run


def test_flatten_settings_uses_dotted_keys_and_compact_lists():
    flat = flatten_settings({"a": {"b": 1, "c": {"d": "x"}}, "layers": (DenseLayer(4, "tanh"),)})
    assert flat["a.b"] == 1 and flat["a.c.d"] == "x"
    assert json.loads(flat["layers"]) == [
        {"units": 4, "activation": "tanh", "dropout": 0.0, "l2": 0.0}
    ]


def test_frame_lists_each_run_and_the_settings_that_differ():
    runs = [record(lr=0.01), record(lr=0.1), record(lr=0.1, status="stopped")]
    frame = runs_frame(runs, [1, 2, 3])
    assert list(frame.index) == ["#1 playground", "#2 playground", "#3 playground"]
    assert frame.loc["#3 playground", "status"] == "stopped"
    assert differing_settings(frame) == ["setting: optimizer.learning_rate"]
    assert differing_settings(runs_frame(runs[1:], [2, 3])) == []


def test_final_metrics_prefer_the_runs_own():
    plain = record()
    assert final_metrics(plain) == {"final loss": 0.5, "final val_loss": 0.9}
    plain.metrics = {"test accuracy": 0.75}
    assert final_metrics(plain) == {"test accuracy": 0.75}


def test_a_results_flat_export_is_the_runs_metric_columns():
    import numpy as np
    import pandas as pd

    from core.nn.regression import RegressionResult

    prices = np.array([1.0, 2.0])
    result = RegressionResult(
        pd.DatetimeIndex(["2019-01-07", "2019-01-14"]),
        prices,
        prices + 0.5,
        prices - 1.0,
        network_mse=0.25,
        baseline_mse=1.0,
        n_train=10,
        n_validation=2,
    )
    assert result.flat() == {"test MSE": 0.25, "baseline MSE": 1.0}
    run = record(kind="stock regression")
    run.result, run.metrics = result, result.flat()
    row = runs_frame([run]).iloc[0]
    assert (row["metric: test MSE"], row["metric: baseline MSE"]) == (0.25, 1.0)
    assert json.loads(runs_json([run]))["runs"][0]["metrics"] == result.flat()


def test_exports_hold_settings_metrics_and_curves_and_escape_formulas():
    runs = [record(), record(kind="=cmd|' /C calc'!A0")]
    document = json.loads(runs_json(runs))
    assert [r["kind"] for r in document["runs"]] == ["playground", "=cmd|' /C calc'!A0"]
    assert document["runs"][0]["curves"]["loss"] == [1.0, 0.5]
    assert document["runs"][0]["settings"]["optimizer"]["learning_rate"] == 0.01
    text = runs_csv(runs).decode("utf-8")
    assert "'=cmd" in text and "\n=cmd" not in text


def test_runs_page_compares_two_real_trainings_and_deletes():
    at = open_page("pages/playground.py")
    at.number_input(key="epochs").set_value(2)
    at.button[0].click().run(timeout=120)
    # A look at Runs in between: the run trained next must still be selected there by default.
    at.switch_page("pages/runs.py").run()
    at.switch_page("pages/playground.py").run()
    at.select_slider(key="learning_rate").set_value(0.1)
    at.button[0].click().run(timeout=120)
    assert not at.exception
    at.switch_page("pages/runs.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "1 setting(s) differ" in " ".join(c.value for c in at.caption)
    assert len(at.session_state["runs"]) == 2
    at.button(key="runs_delete").click().run()
    assert not at.exception
    assert at.session_state["runs"] == []
    assert "No runs yet" in at.info[0].value


def test_labelled_curves_and_their_table_keep_runs_of_different_lengths():
    short = RunRecord(kind="a")
    short.add_epoch({"loss": 2.0})
    runs = {"long": record(), "short": short}
    curves = labelled_curves(runs, ("loss", "val_loss"))
    # short has no validation curve, so it gets no empty column
    assert list(curves) == ["long · loss", "long · val_loss", "short · loss"]
    frame = curves_frame(curves)
    assert list(frame.index) == [1, 2] and frame.index.name == "epoch"
    assert frame.loc[2, "long · loss"] == 0.5 and frame.loc[1, "short · loss"] == 2.0
    assert frame["short · loss"].isna().tolist() == [False, True]


def test_runs_of_one_kind_by_default_labelled_by_what_tells_them_apart():
    runs = [record("overfitting"), record("word2vec"), record("overfitting", lr=0.1)]
    runs[0].settings["variant"] = "none"
    runs[2].settings["variant"] = "L2"
    assert run_kinds(runs) == ["overfitting", "word2vec"]  # the latest run's kind first
    chosen = of_kind(runs, "overfitting")
    assert chosen == [runs[0], runs[2]]
    labels = telling_labels(chosen, [1, 3])
    # The variant comes first among the settings that differ, then the learning rate.
    assert labels[runs[0].run_id] == "#1 overfitting · variant none · optimizer.learning_rate 0.01"
    assert labels[runs[2].run_id] == "#3 overfitting · variant L2 · optimizer.learning_rate 0.1"
    frame = runs_frame(chosen)
    columns = list(frame.columns)
    assert columns.index("metric: final loss") < columns.index("setting: variant")
    assert not any(str(c).startswith("setting: corpus") for c in columns)
