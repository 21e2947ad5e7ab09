"""The Playground: datasets, real Keras training on them, the code snippet, and the page."""

from dataclasses import replace

import numpy as np
import pytest

from core.figures.playground import boundary_figure, loss_curves_figure
from core.nn import playground
from core.nn.networks import (
    BATCH_SIZES,
    LEARNING_RATES,
    DenseLayer,
    batch_sizes,
    build_dense_model,
    learning_rates,
)
from core.nn.playground import DATASETS, DataSettings, PlaygroundSettings
from core.nn.training import RunRecord
from tests.app_pages import open_page

DEFAULTS = PlaygroundSettings()


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_have_the_requested_size_labels_and_scale(name):
    settings = DataSettings(name=name, n_samples=200, noise=0.1, test_fraction=0.25, seed=3)
    data = playground.make_dataset(settings)
    assert data.x_train.shape == (150, 2) and data.x_test.shape == (50, 2)
    assert data.y_train.shape == (150,) and data.y_test.shape == (50,)
    assert data.x_train.dtype == np.float32
    assert set(np.unique(data.y_train)) == {0.0, 1.0} == set(np.unique(data.y_test))
    # Stratified: each split keeps the overall share of class 1 (every generator is balanced).
    assert abs(data.y_train.mean() - 0.5) < 0.02 and abs(data.y_test.mean() - 0.5) < 0.04
    everything = np.vstack([data.x_train, data.x_test])
    assert np.abs(everything).max() == pytest.approx(1.0)
    again = playground.make_dataset(settings)
    assert np.array_equal(again.x_train, data.x_train)
    other = playground.make_dataset(replace(settings, seed=4))
    assert not np.array_equal(other.x_train, data.x_train)


def test_bad_data_settings_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="Unknown dataset"):
        DataSettings(name="swiss roll")
    with pytest.raises(ValueError, match="between 40"):
        DataSettings(n_samples=5)
    with pytest.raises(ValueError, match="at most 4"):
        PlaygroundSettings(hidden=(DenseLayer(2),) * 5)


def test_boundary_grid_shape_and_orientation():
    model = build_dense_model(DEFAULTS.network, seed=0)
    boundary = playground.boundary_of(model, epoch=7)
    size = playground.GRID_SIZE
    assert boundary.probability.shape == (size, size)
    assert boundary.xs.shape == (size,) and boundary.ys.shape == (size,)
    assert boundary.epoch == 7
    assert np.all((boundary.probability >= 0) & (boundary.probability <= 1))
    # probability[i, j] belongs to the point (xs[j], ys[i]).
    i, j = 5, 41
    point = np.array([[boundary.xs[j], boundary.ys[i]]], dtype="float32")
    expected = float(np.asarray(model(point, training=False))[0, 0])
    assert boundary.probability[i, j] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("name", ["circles", "xor"])
def test_default_relu_network_learns_non_linear_data(name):
    settings = replace(DEFAULTS, data=replace(DEFAULTS.data, name=name))
    assert all(layer.activation == "relu" for layer in settings.hidden) and len(settings.hidden) > 1
    data = playground.make_dataset(settings.data)
    record = playground.train_playground(settings, data)
    assert record.status == "complete"
    assert len(record.history["val_loss"]) == settings.epochs
    assert record.history["loss"][-1] < record.history["loss"][0]
    assert record.result.boundary.epoch == settings.epochs
    assert record.result.test_accuracy >= 0.95


def test_all_linear_network_cannot_separate_circles():
    settings = DEFAULTS.with_activation("linear")
    data = playground.make_dataset(settings.data)
    record = playground.train_playground(settings, data)
    assert record.status == "complete"
    assert record.result.test_accuracy <= 0.70
    # A stack of linear layers is one linear map: the logit is a plane over the input square.
    boundary = record.result.boundary
    p = np.clip(boundary.probability.astype("float64"), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).ravel()
    xx, yy = np.meshgrid(boundary.xs, boundary.ys)
    design = np.column_stack([xx.ravel(), yy.ravel(), np.ones(xx.size)])
    _, residual, *_ = np.linalg.lstsq(design, logit, rcond=None)
    assert np.sqrt(residual[0] / logit.size) < 1e-3 * max(1.0, np.abs(logit).max())


@pytest.mark.parametrize("name", list(DATASETS))
def test_show_the_code_runs_and_rebuilds_the_same_data(name):
    settings = PlaygroundSettings(
        data=DataSettings(name=name, n_samples=100, seed=2),
        hidden=(DenseLayer(4, "tanh", dropout=0.1, l2=0.001), DenseLayer(3, "relu")),
        epochs=1,
        seed=2,
    )
    code = playground.playground_code(settings)
    assert "keras.Sequential" in code and "validation_data=(x_test, y_test)" in code
    scope: dict = {}
    exec(code, scope)
    expected = playground.make_dataset(settings.data)
    assert np.array_equal(scope["x_train"], expected.x_train)
    assert np.array_equal(scope["y_test"], expected.y_test)
    assert len(scope["history"].history["loss"]) == 1
    assert 0.0 <= scope["test_accuracy"] <= 1.0
    assert [layer.units for layer in scope["model"].layers if hasattr(layer, "units")] == [4, 3, 1]


def test_figures_draw_boundary_points_and_test_curves():
    data = playground.make_dataset(DataSettings(n_samples=100))
    axis, _ = playground.grid_points(10)
    fig = boundary_figure(
        data.x_train, data.y_train, data.x_test, data.y_test, axis, axis, np.full((10, 10), 0.5)
    )
    kinds = [trace.type for trace in fig.data]
    assert kinds[:2] == ["heatmap", "contour"] and kinds.count("scatter") == 4
    shown = sum(len(trace.x) for trace in fig.data if trace.type == "scatter")
    assert shown == 100
    curves = loss_curves_figure({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, 5)
    assert [trace.name for trace in curves.data] == ["train loss", "test loss"]


def test_page_renders_and_trains_with_a_tiny_epoch_count():
    at = open_page("pages/playground.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Playground"
    assert any(
        "a network of any depth still draws a straight boundary" in m.value for m in at.markdown
    )
    at.number_input(key="epochs").set_value(2)
    at.slider(key="n_samples").set_value(200)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Complete" in s.value and "2 of 2 epochs" in s.value for s in at.success)
    assert any(m.label == "Test accuracy" for m in at.metric)

    at.button(key="compare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [m.value for m in at.markdown]
    assert any(t.startswith("**Why:**") for t in titles)
    # Each network of the comparison is a run of its own, listed on the Runs page.
    runs = at.session_state["runs"]
    assert [r.kind for r in runs] == ["playground", "playground-linear", "playground-relu"]
    assert [r.status for r in runs] == ["complete"] * 3
    assert runs[1].settings["hidden"][0]["activation"] == "linear"
    assert all(r.epochs_done == 2 for r in runs)
    assert not any("Stopped" in w.value for w in at.warning)
    # Both live trainings have left the server's count, which paces everyone's chart redraws.
    from pages.ui.live_jobs import LIVE_TRAININGS

    assert LIVE_TRAININGS.count == 0


def test_page_warns_when_there_is_nothing_to_compare():
    at = open_page("pages/playground.py")
    at.slider(key="layers").set_value(0)
    at.number_input(key="epochs").set_value(1)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("no hidden layer" in w.value for w in at.warning)


def test_pages_take_their_rates_and_batch_sizes_from_one_list():
    assert learning_rates(0.0001, 0.1) == (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
    assert learning_rates(1e-9, 1e9) == LEARNING_RATES
    # Extra rates join the shared ones in order, without duplicates.
    fine = learning_rates(0.001, 1.0, also=(0.05, 0.2, 0.25, 0.5, 0.1))
    assert fine == (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0)
    assert batch_sizes(4, 64) == (4, 8, 16, 32, 64)
    assert batch_sizes(8, 256) == BATCH_SIZES[1:]


def _circles():
    return playground.make_dataset(DataSettings(name="circles", n_samples=400))


def test_below_chance_note_explains_with_the_numbers():
    below_chance_note = playground.below_chance_note
    data = _circles()
    n = len(data.y_test)
    assert n == 100
    assert below_chance_note(0.5, data, "circles") is None
    assert below_chance_note(None, data, "circles") is None
    near = below_chance_note(0.46, data, "circles")
    # Two standard errors of a coin's score on 100 points: 2 × sqrt(0.25 / 100) = 10%.
    assert "46.0%" in near and "±10.0%" in near and "chance" in near
    assert "Circles" in near and "No straight line separates" in near
    far = below_chance_note(0.31, data, "circles")
    assert "further below" in far and "chance, not" not in far
    majority = max(data.y_test.mean(), 1 - data.y_test.mean())
    assert f"{majority:.1%}" in far
    blobs = below_chance_note(0.4, data, "blobs")
    assert "did not find that line" in blobs


def test_page_explains_a_linear_accuracy_below_half():
    settings = PlaygroundSettings()
    data = _circles()
    parts = playground.comparison_runs(settings)
    for activation, accuracy in (("linear", 0.44), ("relu", 0.97)):
        run = parts[activation]
        run.result = playground.PlaygroundResult(settings.with_activation(activation), data)
        run.result.test_accuracy = accuracy
        run.history = {"loss": [0.7], "val_loss": [0.7], "accuracy": [accuracy]}
        run.finish("complete")
    group = RunRecord(
        kind="playground-comparison",
        result=playground.PlaygroundComparison(parts, settings, data),
    )
    group.finish("complete")
    at = open_page("pages/playground.py")
    at.session_state["playground_compare"] = group
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [i.value for i in at.info if "below 50%" in i.value]
    assert notes == [f"**All linear**: {playground.below_chance_note(0.44, data, 'circles')}"]
