"""Gradient descent: one tape step against the hand-worked gradient, optimizers, the page."""

import math

import numpy as np
import pytest

from core.nn import optimization as opt
from tests.app_pages import open_page

DATA = opt.make_line_data(20, 0)


def test_mse_matches_its_formula():
    x, y = DATA.x, DATA.y
    w, b = 0.7, -0.3
    by_hand = sum((w * xi + b - yi) ** 2 for xi, yi in zip(x, y, strict=True)) / len(x)
    assert opt.mse(w, b, x, y) == pytest.approx(by_hand, abs=1e-12)
    ws, bs, grid = opt.loss_surface(x, y, (-1.0, 3.0), (-2.0, 2.0), resolution=5)
    assert grid[1, 3] == pytest.approx(opt.mse(ws[3], bs[1], x, y), abs=1e-12)


@pytest.mark.parametrize("w,b,lr", [(-1.0, 3.0, 0.1), (4.0, -2.5, 0.03)])
def test_one_tape_step_equals_the_update_by_hand(w, b, lr):
    x, y = DATA.x, DATA.y
    residual = w * x + b - y
    grad_w = 2 / len(x) * np.sum(residual * x)
    grad_b = 2 / len(x) * np.sum(residual)
    step = opt.gradient_step(w, b, lr, x, y)
    assert step.grad_w == pytest.approx(grad_w, abs=1e-6)
    assert step.grad_b == pytest.approx(grad_b, abs=1e-6)
    assert step.new_w == pytest.approx(w - lr * grad_w, abs=1e-6)
    assert step.new_b == pytest.approx(b - lr * grad_b, abs=1e-6)
    assert step.loss == pytest.approx(opt.mse(w, b, x, y), abs=1e-9)
    assert step.new_loss < step.loss


def test_trajectories_end_nearer_the_minimum_for_a_sane_rate():
    settings = opt.DescentSettings(learning_rate=0.1, steps=40)
    minimum = opt.least_squares(DATA.x, DATA.y)
    paths = opt.optimizer_trajectories(settings)
    assert set(paths) == set(opt.OPTIMIZER_NAMES)
    for name, path in paths.items():
        start = math.dist((path.ws[0], path.bs[0]), minimum)
        end = math.dist((path.ws[-1], path.bs[-1]), minimum)
        assert len(path.ws) == 41 and path.problem is None, name
        assert end < 0.8 * start, (name, start, end)
        assert path.losses[-1] < path.losses[0], name
    # The shown code computes the same paths.
    namespace: dict = {}
    exec(opt.optimizers_code(settings), namespace)
    for name, (w, b) in namespace["final"].items():
        assert (w, b) == pytest.approx((paths[name].ws[-1], paths[name].bs[-1]), abs=1e-6)


def test_a_huge_learning_rate_diverges_with_a_clear_message():
    settings = opt.DescentSettings(learning_rate=1.0, steps=30)
    sgd = opt.optimizer_trajectory("sgd", settings, DATA)
    assert sgd.problem and "Learning rate too high" in sgd.problem
    loop = opt.run_training_loop(settings)
    assert loop.problem and "Learning rate too high" in loop.problem
    assert loop.losses[-1] > loop.losses[0] or not math.isfinite(loop.losses[-1])
    assert opt.divergence_problem([1.0, 0.5, 0.2]) is None
    assert "NaN" in opt.divergence_problem([1.0, float("nan")])


def test_the_loop_snippet_runs_and_descends():
    settings = opt.DescentSettings(learning_rate=0.1, steps=15, start_w=-1.0, start_b=3.0)
    loop = opt.run_training_loop(settings)
    assert "tf.GradientTape() as g" in loop.code
    assert "weights = weights - lr * gradient" in loop.code
    assert len(loop.losses) == 16 and loop.steps_taken == 15 and loop.problem is None
    assert all(b < a for a, b in zip(loop.losses, loop.losses[1:], strict=False))
    # Its first step lands where the page's Step button lands.
    namespace: dict = {}
    one = opt.training_loop_code(opt.DescentSettings(learning_rate=0.1, steps=1))
    exec(one, namespace)
    step = opt.gradient_step(-1.0, 3.0, 0.1, DATA.x, DATA.y)
    assert (namespace["w_final"], namespace["b_final"]) == pytest.approx(
        (step.new_w, step.new_b), abs=1e-9
    )


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="learning rate"):
        opt.DescentSettings(learning_rate=0.0)
    with pytest.raises(ValueError, match="steps"):
        opt.DescentSettings(steps=0)


def test_page_renders_and_step_changes_the_shown_weights():
    at = open_page("pages/gradient_descent.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Gradient descent"
    before = (at.metric[0].value, at.metric[1].value)
    assert before == ("-1.0000", "3.0000")
    at.button(key="gd_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = (at.metric[0].value, at.metric[1].value)
    step = opt.gradient_step(-1.0, 3.0, 0.1, DATA.x, DATA.y)
    assert after == (f"{step.new_w:.4f}", f"{step.new_b:.4f}")
    assert at.metric[3].value == "1"
    at.button(key="gd_reset").click().run()
    assert (at.metric[0].value, at.metric[1].value) == before


def test_page_warns_when_the_learning_rate_is_too_high():
    at = open_page("pages/gradient_descent.py")
    at.select_slider(key="gd_lr").set_value(1.0).run()
    assert not at.exception, [e.value for e in at.exception]
    # The loop and all four optimizers diverge at this rate; each says so.
    before = sum("Learning rate too high" in e.value for e in at.error)
    assert before >= 2
    for _ in range(3):
        at.button(key="gd_step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[3].value == "3"
    # The steps by hand now diverge too, and the step section says so.
    assert sum("Learning rate too high" in e.value for e in at.error) == before + 1


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_the_loop_and_sgd_report_the_same_losses(rate):
    settings = opt.DescentSettings(learning_rate=rate, steps=40)
    loop = opt.run_training_loop(settings)
    sgd = opt.optimizer_trajectory("sgd", settings, DATA)
    # losses[k] is J after k updates in both, so the last is J at the final weights. Keras
    # keeps SGD's learning rate in float32 (0.1 is 0.10000000149), hence not to the last digit.
    assert loop.losses == pytest.approx(sgd.losses, rel=1e-5)
    assert loop.final_loss == pytest.approx(opt.mse(loop.w, loop.b, DATA.x, DATA.y), rel=1e-12)
    assert (loop.w, loop.b) == pytest.approx((sgd.ws[-1], sgd.bs[-1]), rel=1e-5)


def optimizers_table(at):
    """The page's table of the optimizers side by side (the one with an ``optimizer`` column)."""
    return next(d.value for d in at.dataframe if "optimizer" in d.value.columns)


def test_page_shows_one_final_loss_for_the_loop_and_sgd():
    at = open_page("pages/gradient_descent.py")
    assert not at.exception, [e.value for e in at.exception]
    loop = opt.run_training_loop(opt.DescentSettings())
    success = at.success[0].value
    assert f"After 40 steps: w = {loop.w:.4f}" in success
    assert f"loss {loop.final_loss:.4g} " in success
    table = optimizers_table(at)
    sgd_final = float(table.set_index("optimizer").loc["SGD", "final loss"])
    assert f"{sgd_final:.4g}" == f"{loop.final_loss:.4g}"
    # At η = 0.3 the loop's divergence message quotes the SGD row's final loss.
    at.select_slider(key="gd_lr").set_value(0.3).run()
    assert not at.exception, [e.value for e in at.exception]
    table = optimizers_table(at)
    sgd_final = float(table.set_index("optimizer").loc["SGD", "final loss"])
    loop_error = next(e.value for e in at.error if "instead of shrinking" in e.value)
    assert f"to {sgd_final:.3g} instead" in loop_error
