"""The talk's "Putting it all together" loop: as written it gets no gradient; fixed, it learns."""

import numpy as np
import pytest

from core.nn.optimization import make_line_data
from core.nn.tape_loop import (
    AS_WRITTEN,
    NO_GRADIENTS,
    TapeLoopSettings,
    corrected_loop_code,
    first_step,
    run_corrected_loop,
    run_slide_loop,
    slide_loop_code,
)

SETTINGS = TapeLoopSettings(learning_rate=0.1, steps=30, hidden_units=4)


def backprop_by_hand(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """dJ/dW of J = mean((y - (tanh(x W1 + b1) W2 + b2))²), worked out with numpy in float64."""
    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    hidden = np.tanh(x @ w1 + b1)
    prediction = hidden @ w2 + b2
    d_prediction = -2.0 * (y - prediction) / len(x)
    d_hidden = (d_prediction @ w2.T) * (1.0 - hidden**2)
    return [x.T @ d_hidden, d_hidden.sum(axis=0), hidden.T @ d_prediction, d_prediction.sum(axis=0)]


def test_the_slide_code_keeps_the_prediction_outside_the_tape():
    code = slide_loop_code(SETTINGS)
    before_tape, after_tape = code.split("with tf.GradientTape() as tape:")
    assert "prediction = model(x)" in before_tape and "prediction = model(" not in after_tape
    assert "grads = tape.gradient(loss, model.trainable_variables)" in after_tape
    fixed_tape = corrected_loop_code(SETTINGS).split("with tf.GradientTape() as tape:")[1]
    assert "prediction = model(x)" in fixed_tape.split("grads =")[0]


def test_the_slide_loop_as_written_gets_none_and_the_optimizer_refuses():
    result = run_slide_loop(SETTINGS)
    assert [g.shape for g in result.gradients] == [(1, 4), (4,), (4, 1), (1,)]
    assert result.all_none
    assert all(g.gradient is None for g in result.gradients)
    # Keras 3 raises rather than silently skipping: nothing is updated, no step completes.
    assert result.error is not None and result.error.startswith("ValueError")
    assert NO_GRADIENTS in result.error
    assert not result.weights_changed
    assert result.steps_done == 0
    assert np.isfinite(result.loss) and result.loss > 0  # the loss itself was computed


def test_the_corrected_first_step_is_weights_minus_rate_times_gradient():
    names, before, grads, after = first_step(SETTINGS)
    assert names == ["Dense 1 kernel", "Dense 1 bias", "Dense 2 kernel", "Dense 2 bias"]
    data = make_line_data(SETTINGS.n_points, SETTINGS.seed)
    x, y = data.x.reshape(-1, 1), data.y.reshape(-1, 1)
    by_hand = backprop_by_hand(before, x, y)
    for tape_gradient, hand_gradient in zip(grads, by_hand, strict=True):
        np.testing.assert_allclose(tape_gradient, hand_gradient, rtol=1e-4, atol=1e-5)
    for start, hand_gradient, moved in zip(before, by_hand, after, strict=True):
        assert not np.array_equal(start, moved)
        expected = start - SETTINGS.learning_rate * hand_gradient
        np.testing.assert_allclose(moved, expected, rtol=1e-4, atol=1e-5)


def test_the_corrected_loop_brings_the_loss_down():
    result = run_corrected_loop(SETTINGS)
    assert len(result.losses) == SETTINGS.steps
    assert result.problem is None
    assert result.losses[-1] < 0.5 * result.losses[0]
    # Both loops start from the same seeded weights, so they see the same first loss.
    assert result.losses[0] == pytest.approx(run_slide_loop(SETTINGS).loss, rel=1e-6)
    assert np.allclose(result.weights_before[0], first_step(SETTINGS)[1][0])


def test_a_huge_rate_in_the_corrected_loop_is_reported_as_diverging():
    result = run_corrected_loop(TapeLoopSettings(learning_rate=10.0, steps=40))
    assert result.problem is not None and "Learning rate too high" in result.problem


@pytest.mark.parametrize(
    "changes",
    [{"learning_rate": 0.0}, {"steps": 0}, {"hidden_units": 0}, {"n_points": 1}],
)
def test_bad_settings_are_refused(changes):
    with pytest.raises(ValueError):
        TapeLoopSettings(**changes)


def test_the_page_shows_the_failure_and_then_the_corrected_loop():
    from tests.app_pages import open_page

    at = open_page("pages/gradient_descent.py")
    assert not at.exception, [e.value for e in at.exception]
    codes = [c.value for c in at.code]
    slide = next(c for c in codes if AS_WRITTEN in c)
    fixed = next(c for c in codes if "forward pass INSIDE the tape" in c)
    assert codes.index(slide) < codes.index(fixed)  # the failure first, then the fix
    [failure] = [e.value for e in at.error if "returned `None`" in e.value]
    assert NO_GRADIENTS in failure and "No weight moved" in failure
    gradients = next(d.value for d in at.dataframe if "gradient from the tape" in d.value)
    assert list(gradients["gradient from the tape"]) == ["None"] * 4
    page_settings = TapeLoopSettings()  # the page's defaults: η = 0.1, 40 steps
    losses = run_corrected_loop(page_settings).losses
    [success] = [s.value for s in at.success if "Every step had a gradient" in s.value]
    assert f"from {losses[0]:.4g} to {losses[-1]:.4g} in 40 steps" in success
