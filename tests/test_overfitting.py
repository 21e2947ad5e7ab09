"""Overfitting: early stopping fires and restores the best weights; plain training overfits."""

import math

import numpy as np
import pytest

from core.nn import overfitting as ov
from tests.app_pages import chart_specs, open_page

FAST = ov.OverfitSettings(epochs=100, patience=5)


def test_data_is_seeded_noisy_sine():
    data = ov.make_sine_data(FAST)
    again = ov.make_sine_data(FAST)
    assert data.x_train.shape == (30, 1) and data.x_val.shape == (30, 1)
    np.testing.assert_array_equal(data.y_train, again.y_train)
    residual = data.y_train - np.sin(data.x_train)
    assert 0.25 < residual.std() < 0.55  # noise sd 0.4
    assert ov.parameter_count(FAST) == 2 * 128 + 128 * 128 + 128 + 129


def test_early_stopping_fires_and_restores_the_best_weights():
    data = ov.make_sine_data(FAST)
    result, model = ov.train_variant(FAST, "early_stopping", data)
    record = result.record
    val_loss = record.history["val_loss"]
    assert record.status == "complete"
    assert record.stopped_epoch is not None and record.stopped_epoch < FAST.epochs
    assert record.epochs_done == record.stopped_epoch
    best = int(np.argmin(val_loss)) + 1
    assert record.best_epoch == best
    assert record.stopped_epoch == best + FAST.patience
    _, val = ov.datasets(FAST, data)
    evaluated = model.evaluate(val, verbose=0, return_dict=True)
    assert evaluated["loss"] == pytest.approx(min(val_loss), abs=1e-5)
    assert result.val_mse == pytest.approx(min(val_loss), abs=1e-5)
    assert "Early stopping ended training" in record.message
    # The page's marks on a plain run come from the same rule Keras applied here.
    marks = ov.early_stopping_epochs(val_loss, FAST.patience)
    assert marks == (record.best_epoch, record.stopped_epoch)
    # Without a penalty, the validation loss is the validation MSE.
    np.testing.assert_allclose(record.history["val_mse"], val_loss, rtol=1e-5)


def test_early_stopping_epochs_by_hand():
    assert ov.early_stopping_epochs([3.0, 2.0, 2.5, 2.0, 2.6], patience=3) == (2, 5)
    assert ov.early_stopping_epochs([3.0, 2.0, 2.5, 1.0, 2.6], patience=3) == (4, None)
    assert ov.early_stopping_epochs([1.0, 1.0], patience=1) == (1, 2)  # a tie is no better
    with pytest.raises(ValueError):
        ov.early_stopping_epochs([], patience=3)


def test_the_default_settings_overfit_without_early_stopping():
    settings = ov.OverfitSettings()
    result, _ = ov.train_variant(settings, "plain")
    val_mse = result.record.history[ov.VALIDATION_CURVE]
    lowest = result.record.lowest(ov.VALIDATION_CURVE)
    # The validation MSE bottoms out well before the end and then clearly rises.
    assert lowest.epoch <= settings.epochs // 3, lowest
    assert val_mse[-1] > 1.2 * lowest.value
    assert result.val_mse == pytest.approx(val_mse[-1], rel=1e-4)
    best, stopped = ov.early_stopping_epochs(val_mse, settings.patience)
    assert best == lowest.epoch and stopped is not None and stopped < settings.epochs // 2


def test_plain_training_overfits():
    result, _ = ov.train_variant(FAST, "plain")
    val_loss = result.record.history["val_loss"]
    assert result.record.epochs_done == FAST.epochs
    assert val_loss[-1] > min(val_loss)
    # The training loss ends below the validation loss: the net fits points it has seen better.
    assert result.train_mse < result.val_mse


def test_comparison_trains_all_four_on_the_same_data():
    settings = ov.OverfitSettings(epochs=8, patience=2, units=32)
    runs = ov.variant_runs(settings)
    results = ov.compare_variants(settings, runs)
    assert [r.variant for r in results] == list(ov.VARIANTS)
    # The runs given are the ones trained, each with its result, in order.
    assert [run.result for run in runs.values()] == results
    assert all(run.settings["variant"] == name for name, run in runs.items())
    for result in results:
        assert len(result.prediction) == 200
        assert math.isfinite(result.train_mse) and math.isfinite(result.val_mse)
    models = {r.variant: r for r in results}
    assert models["plain"].record.epochs_done == 8
    # val_loss carries the L2 penalty, the validation MSE does not: the MSE is what the table
    # and the charts show, so its lowest can never sit above the final weights' MSE.
    l2 = models["l2"].record.history
    assert all(a > b for a, b in zip(l2["val_loss"], l2["val_mse"], strict=True))
    for result in results:
        lowest = result.record.lowest(ov.VALIDATION_CURVE)
        assert lowest.value <= result.val_mse * (1 + 1e-4), result.variant
    # Same seed, same data: only the variant differs, so the curves differ.
    assert models["l2"].prediction != models["plain"].prediction
    assert models["dropout"].prediction != models["plain"].prediction


def test_a_stopped_comparison_keeps_what_it_trained_and_marks_the_rest_stopped(monkeypatch):
    from core.nn.training import StopFlag

    settings = ov.OverfitSettings(epochs=30, units=16)
    runs = ov.variant_runs(settings)
    flag = StopFlag()
    # Stop during the second variant, at its third epoch.
    ov_train_variant = ov.train_variant

    def stopping_train_variant(settings, variant, data=None, record=None, stop_flag=None, **kw):
        def on_epoch(epoch, logs):
            if variant == "early_stopping" and epoch == 3:
                flag.request()

        return ov_train_variant(settings, variant, data, record, stop_flag, on_epoch=on_epoch)

    monkeypatch.setattr(ov, "train_variant", stopping_train_variant)
    results = ov.compare_variants(settings, runs, flag)
    assert [r.variant for r in results] == ["plain", "early_stopping"]
    statuses = {name: run.status for name, run in runs.items()}
    assert statuses == {
        "plain": "complete",
        "early_stopping": "stopped",
        "l2": "stopped",
        "dropout": "stopped",
    }
    # The flag went up after epoch 3; the epoch under way when it was seen ends the run.
    assert runs["early_stopping"].epochs_done in (3, 4)
    assert runs["l2"].epochs_done == runs["dropout"].epochs_done == 0


@pytest.mark.parametrize("variant", list(ov.VARIANTS))
def test_show_the_code_runs(variant, capsys):
    settings = ov.OverfitSettings(epochs=3, units=16, patience=1)
    code = ov.overfitting_code(settings, variant)
    namespace: dict = {}
    exec(code, namespace)
    np.testing.assert_array_equal(namespace["x_train"], ov.make_sine_data(settings).x_train)
    assert len(namespace["history"].history["val_loss"]) <= 3
    assert "lowest validation MSE" in capsys.readouterr().out
    assert ("EarlyStopping" in code) == (variant == "early_stopping")
    assert ("L2(" in code) == (variant == "l2")
    assert ("Dropout(" in code) == (variant == "dropout")


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="batch size"):
        ov.OverfitSettings(batch_size=31)
    with pytest.raises(ValueError, match="variant"):
        ov.network_spec(FAST, "magic")


def test_page_renders_trains_and_compares():
    at = open_page("pages/overfitting.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Overfitting and early stopping"
    at.number_input(key="of_epochs").set_value(4)
    at.select_slider(key="of_units").set_value(16)
    at.button[0].click().run()  # the form's Train button
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value for s in at.success)
    assert any("Final weights" in c.value for c in at.caption)
    at.button(key="of_compare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    variants = [d.value for d in at.dataframe if "variant" in d.value.columns]
    assert variants and list(variants[0]["variant"]) == list(ov.VARIANTS.values())
    runs = at.session_state["runs"]
    assert [r.settings["variant"] for r in runs[1:]] == list(ov.VARIANTS)
    assert all(r.status == "complete" and r.epochs_done > 0 for r in runs)
    # The table's numbers are core's: each variant's final MSE and its lowest per-epoch MSE.
    table = variants[0].set_index("variant")
    for run in runs[1:]:
        row = table.loc[ov.VARIANTS[run.settings["variant"]]]
        lowest = run.lowest(ov.VALIDATION_CURVE)
        assert row["final validation MSE"] == pytest.approx(run.result.val_mse)
        assert row["lowest validation MSE (epoch)"] == f"{lowest.value:.4f} ({lowest.epoch})"
    # Each variant has one colour on the loss chart and on the fitted curves' chart.
    names = set(ov.VARIANTS.values())
    on_curves, on_fits = {}, {}
    for spec in chart_specs(at):
        for trace in spec["data"]:
            variant = trace.get("name", "").split(" · ")[0]
            if variant in names and "line" in trace:
                side = on_curves if " · " in trace["name"] else on_fits
                side.setdefault(variant, set()).add(trace["line"]["color"])
    assert set(on_curves) == set(on_fits) == names
    assert on_curves == on_fits
    assert all(len(colours) == 1 for colours in on_curves.values())


def test_page_default_run_marks_where_early_stopping_would_stop():
    at = open_page("pages/overfitting.py")
    assert at.radio(key="of_variant").value == "plain"
    defaults = ov.OverfitSettings()
    assert at.number_input(key="of_epochs").value == defaults.epochs
    # Fewer epochs than the default, with a short patience, keeps the test quick.
    at.number_input(key="of_epochs").set_value(60)
    at.number_input(key="of_patience").set_value(5)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    record = at.session_state["of_run"]
    best, stopped = ov.early_stopping_epochs(record.history["val_mse"], 5)
    assert stopped is not None
    lowest = record.lowest(ov.VALIDATION_CURVE)
    shown = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert f"Lowest validation MSE {lowest.value:.4f}, at epoch {lowest.epoch} of 60" in shown
    assert f"would have stopped at epoch {stopped} and restored epoch {best}" in shown
