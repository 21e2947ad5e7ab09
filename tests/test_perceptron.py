"""The perceptron and activation pages: core maths, figures, code snippets and AppTest runs."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from core.figures.perceptron import activation_figure, decision_figure
from core.nn import perceptron
from core.nn.perceptron import ActivationSettings, PerceptronSettings
from tests.app_pages import open_page

X, W, W0 = [1.0, 2.0], [0.5, -1.0], 0.25
# By hand: 0.25 + 1 * 0.5 + 2 * (-1) = -1.25.
Z = 0.25 + 1 * 0.5 + 2 * -1.0


@pytest.mark.parametrize(
    "name,expected",
    [
        ("sigmoid", 1 / (1 + math.exp(1.25))),
        ("tanh", (math.exp(-1.25) - math.exp(1.25)) / (math.exp(-1.25) + math.exp(1.25))),
        ("relu", 0.0),
        ("step", 0.0),
    ],
)
def test_perceptron_output_matches_a_hand_computation(name, expected):
    result = perceptron.perceptron_output(X, W, W0, name)
    assert result.terms == (0.5, -2.0)
    assert result.z == pytest.approx(Z)
    assert result.y_hat == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name,expected", [("relu", 0.5), ("step", 1.0), ("tanh", math.tanh(0.5))])
def test_perceptron_output_on_the_positive_side(name, expected):
    # A bias of 2 moves z to 0.5, where ReLU passes z through and the step fires.
    assert perceptron.perceptron_output(X, W, 2.0, name).y_hat == pytest.approx(expected)


def test_sigmoid_is_stable_for_large_inputs():
    values = perceptron.sigmoid(np.array([-800.0, 0.0, 800.0]))
    assert np.all(np.isfinite(values))
    assert values.tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"x": (1.0, 2.0), "w": (1.0,)}, "weights"),
        ({"x": (), "w": ()}, "1 to 5 inputs"),
        ({"x": (1.0,) * 6, "w": (1.0,) * 6}, "1 to 5 inputs"),
        ({"x": (1.0,), "w": (1.0,), "activation": "softsign"}, "unknown activation"),
    ],
)
def test_perceptron_settings_refuse_impossible_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PerceptronSettings(**kwargs)


def test_sum_is_written_out_with_the_numbers():
    settings = PerceptronSettings(tuple(X), tuple(W), W0, "sigmoid")
    text = perceptron.sum_latex(settings, perceptron.perceptron_output(X, W, W0, "sigmoid"))
    assert text == r"z = 0.25 + (1.00 \times 0.50) + (2.00 \times -1.00) = -1.2500"


@pytest.mark.parametrize("w,w0", [((0.5, -1.0), 0.25), ((2.0, 0.0), -1.0), ((0.3, 2.0), 1.5)])
def test_decision_line_points_satisfy_the_equation(w, w0):
    xs, ys = perceptron.decision_line(w, w0)
    assert np.allclose(w0 + w[0] * xs + w[1] * ys, 0.0)
    assert xs[0] != xs[1] or ys[0] != ys[1]


def test_no_decision_line_without_weights():
    assert perceptron.decision_line((0.0, 0.0), 1.0) is None


def test_a_good_line_separates_the_clusters_and_its_reverse_fails():
    data = perceptron.make_clusters(per_class=40, seed=7)
    assert data.points.shape == (80, 2) and sorted(set(data.labels.tolist())) == [0, 1]
    good = perceptron.correct_count(data, (1.0, 1.0), 0.0)
    assert good >= 75
    # Flipping the weights flips every prediction off the line.
    assert perceptron.correct_count(data, (-1.0, -1.0), 0.0) == 80 - good
    # Same seed, same points; another seed, other points.
    assert np.array_equal(perceptron.make_clusters(40, 7).points, data.points)
    assert not np.array_equal(perceptron.make_clusters(40, 8).points, data.points)


def test_decision_figure_draws_the_line_the_points_and_the_input():
    data = perceptron.make_clusters(per_class=40, seed=7)
    w, w0 = (0.5, -1.0), 0.25
    fig = decision_figure(data, w, w0, "sigmoid", (1.0, 2.0))
    assert isinstance(fig.data[0], go.Heatmap)
    grid = np.asarray(fig.data[0].z)
    assert grid.min() >= 0 and grid.max() <= 1  # sigmoid outputs
    line = next(t for t in fig.data if t.name == "w0 + w1·x1 + w2·x2 = 0")
    assert np.allclose(w0 + w[0] * np.asarray(line.x) + w[1] * np.asarray(line.y), 0.0)
    wrong = sum(len(t.x) for t in fig.data if t.name and t.name.endswith("wrong"))
    assert wrong == 80 - perceptron.correct_count(data, w, w0)
    star = next(t for t in fig.data if t.name == "your input (x1, x2)")
    assert (star.x[0], star.y[0]) == (1.0, 2.0)
    # Moving a weight moves the line.
    moved = decision_figure(data, (1.0, 1.0), 0.0, "sigmoid")
    moved_line = next(t for t in moved.data if t.name == "w0 + w1·x1 + w2·x2 = 0")
    assert not np.allclose(moved_line.y, line.y)
    assert not any(
        t.name == "w0 + w1·x1 + w2·x2 = 0"
        for t in decision_figure(data, (0.0, 0.0), 1.0, "relu").data
    )


# ------------------------------------------------------------------ activations


@pytest.mark.parametrize("name", perceptron.DIFFERENTIABLE)
def test_closed_form_derivative_matches_gradient_tape(name):
    check = perceptron.derivative_check(name, ActivationSettings(-10.0, 10.0, 401))
    assert check.max_abs_difference <= 1e-6
    assert check.autodiff.dtype == np.float64 and check.autodiff.shape == (401,)
    assert np.allclose(check.g, perceptron.activation(name)(check.z))


def test_derivatives_at_known_points():
    assert perceptron.derivative("sigmoid", 0.0) == pytest.approx(0.25)
    assert perceptron.derivative("tanh", 0.0) == pytest.approx(1.0)
    assert perceptron.derivative("relu", 2.0) == 1.0
    assert perceptron.derivative("relu", -2.0) == 0.0
    z = np.array([0.0, 2.0, -2.0])
    assert perceptron.autodiff_derivative("sigmoid", z)[1][0] == pytest.approx(0.25)
    assert perceptron.autodiff_derivative("tanh", z)[1][0] == pytest.approx(1.0)
    assert perceptron.autodiff_derivative("relu", z)[1][1:].tolist() == [1.0, 0.0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturation_point_is_where_the_derivative_hits_the_threshold(name):
    edge = perceptron.saturation_point(name, 0.01)
    assert perceptron.derivative(name, edge) == pytest.approx(0.01)
    assert perceptron.derivative(name, edge + 0.1) < 0.01 < perceptron.derivative(name, edge - 0.1)


@pytest.mark.parametrize("name", perceptron.DIFFERENTIABLE)
def test_saturation_share_agrees_with_the_grid(name):
    settings = ActivationSettings(-10.0, 3.0, 20001, 0.01)
    summary = perceptron.saturation_summary(name, settings)
    on_grid = float(np.mean(perceptron.derivative(name, settings.grid()) < 0.01))
    assert summary.small_fraction == pytest.approx(on_grid, abs=1e-3)


def test_saturation_numbers_of_the_talk():
    sigmoid = perceptron.saturation_summary("sigmoid", ActivationSettings(-6, 6))
    assert sigmoid.max_derivative == pytest.approx(0.25) and sigmoid.argmax_z == 0.0
    relu = perceptron.saturation_summary("relu", ActivationSettings(-6, 2))
    assert relu.dead_fraction == pytest.approx(0.75) and relu.saturation_z is None
    # Off zero, the sigmoid's best gradient on the range is at the end nearest 0.
    right = perceptron.saturation_summary("sigmoid", ActivationSettings(2, 8))
    assert right.argmax_z == 2.0 and right.max_derivative < 0.25


def test_activation_settings_refuse_an_empty_range():
    with pytest.raises(ValueError, match="empty"):
        ActivationSettings(2.0, 2.0)


def test_activation_figure_shades_where_the_gradient_vanishes():
    check = perceptron.derivative_check("sigmoid", ActivationSettings(-8, 8, 161))
    fig = activation_figure(
        check.z, check.g, check.closed_form, check.autodiff, "sigmoid", threshold=0.01
    )
    assert len(fig.data) == 3
    shaded = [(s.x0, s.x1) for s in fig.layout.shapes]
    assert len(shaded) == 2  # both tails
    assert shaded[0][0] == -8 and shaded[1][1] == 8
    relu = perceptron.derivative_check("relu", ActivationSettings(-8, 8, 161))
    fig = activation_figure(relu.z, relu.g, relu.closed_form, relu.autodiff, "relu", 0.01)
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(-8.0, 0.0)]


# ------------------------------------------------------------------ "Show the code" snippets


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "step"])
def test_perceptron_keras_code_runs_and_agrees(name):
    settings = PerceptronSettings((1.0, 2.0, -0.5), (0.5, -1.0, 2.0), 1.5, name)
    namespace: dict = {}
    exec(perceptron.perceptron_keras_code(settings), namespace)
    expected = perceptron.perceptron_output(settings.x, settings.w, settings.w0, name).y_hat
    assert namespace["y_hat"] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("name", perceptron.DIFFERENTIABLE)
def test_gradient_tape_code_runs_and_agrees(name):
    namespace: dict = {}
    exec(perceptron.gradient_tape_code(name, ActivationSettings(-7.5, 4.0, 51)), namespace)
    assert namespace["dg_dz"].shape == (51,)
    assert namespace["max_abs_difference"] <= 1e-6
    assert np.allclose(namespace["z"].numpy()[[0, -1]], [-7.5, 4.0])


# ------------------------------------------------------------------ pages


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_perceptron_page_follows_the_sliders():
    at = open_page("pages/perceptron.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "The perceptron"
    assert metric(at, "z") == f"{Z:.4f}"
    assert at.get("plotly_chart")
    at.slider(key="w1").set_value(1.5).run()
    # 0.25 + 1 * 1.5 + 2 * (-1) = -0.25
    assert metric(at, "z") == "-0.2500"
    # "Show the code" carries the new weight too.
    assert "np.array([[1.5], [-1.0]])" in at.code[0].value
    at.selectbox(key="activation").set_value("step").run()
    assert metric(at, "ŷ = step(z)") == "0.0000"
    at.slider(key="w0").set_value(1.0).run()
    assert metric(at, "ŷ = step(z)") == "1.0000"
    at.slider(key="w1").set_value(0.0)
    at.slider(key="w2").set_value(0.0).run()
    assert any("no line" in w.value for w in at.warning)
    at.slider(key="n_inputs").set_value(3).run()
    assert not at.exception
    assert not at.get("plotly_chart")  # the plane needs exactly two inputs
    assert len(at.dataframe[0].value) == 4  # three terms and the bias


def test_activations_page_renders_and_refuses_an_empty_range():
    at = open_page("pages/activations.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Activation functions"
    gaps = [float(m.value) for m in at.metric if m.label == "Gap to autodiff"]
    assert len(gaps) == 3 and max(gaps) <= 1e-6
    assert len(at.get("plotly_chart")) == 3
    at.slider(key="z_range").set_value((2.0, 2.0)).run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)
