"""Gradient descent on a loss surface you can see: linear regression y = w·x + b, MSE loss.

Two parameters (w, b) make J(W) a surface over a plane. Everything here works in float64, so a
``tf.GradientTape`` step can be checked against the gradient worked out by hand.
TensorFlow and Keras are imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

TRUE_W = 2.0
TRUE_B = -1.0
NOISE = 0.5
X_LOW, X_HIGH = 0.0, 3.0
# Names of the optimizers compared on the surface, in the order they are drawn.
OPTIMIZER_NAMES = ("sgd", "momentum", "rmsprop", "adam")
# A loss this many times its start means the weights run away from the minimum.
DIVERGENCE_FACTOR = 10.0


def check_loop_settings(learning_rate: float, steps: int, n_points: int) -> None:
    """Raise ``ValueError`` (with what to change) for a learning rate outside (0, 10], steps
    outside 1 to 1,000 or a dataset outside 2 to 10,000 points: the bounds every loop of the
    gradient descent page keeps."""
    if not (math.isfinite(learning_rate) and 0 < learning_rate <= 10):
        raise ValueError("The learning rate must be above 0 and at most 10.")
    if not 1 <= steps <= 1000:
        raise ValueError("The number of steps must be between 1 and 1000.")
    if not 2 <= n_points <= 10_000:
        raise ValueError("The dataset needs between 2 and 10,000 points.")


@dataclass(frozen=True)
class DescentSettings:
    """What the gradient descent page runs: learning rate, steps, start point and data."""

    learning_rate: float = 0.1
    steps: int = 40
    start_w: float = -1.0
    start_b: float = 3.0
    n_points: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        check_loop_settings(self.learning_rate, self.steps, self.n_points)
        if not (math.isfinite(self.start_w) and math.isfinite(self.start_b)):
            raise ValueError("The start point (w, b) must be finite numbers.")


@dataclass(frozen=True)
class LineData:
    """Points (x, y) scattered around the line y = TRUE_W·x + TRUE_B."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class StepResult:
    """One update W <- W - η ∇J: where it started, the gradient, and where it landed."""

    w: float
    b: float
    grad_w: float
    grad_b: float
    learning_rate: float
    new_w: float
    new_b: float
    loss: float
    new_loss: float


@dataclass(frozen=True)
class Trajectory:
    """The weights after each step (the start first) and the loss at each of them."""

    name: str
    ws: list[float]
    bs: list[float]
    losses: list[float]
    problem: str | None = None  # why the run counts as diverged, for people


@dataclass(frozen=True)
class LoopResult:
    """The talk's training loop, run: the code, its loss per step and the final weights.

    ``losses[k]`` is J after ``k`` updates, from the start (``losses[0]``) to the final weights
    (``losses[-1]``, the loss at ``w`` and ``b``), as in :class:`Trajectory`.
    """

    code: str
    losses: list[float]
    w: float
    b: float
    problem: str | None = field(default=None)

    @property
    def final_loss(self) -> float:
        """J at the final weights ``(w, b)``: the same number as SGD's final loss."""
        return self.losses[-1]

    @property
    def steps_taken(self) -> int:
        """Updates made: the settings' steps, or fewer when the loss ran away to NaN."""
        return len(self.losses) - 1


def make_line_data(n_points: int = 20, seed: int = 0) -> LineData:
    """``n_points`` x values in [0, 3] and y = 2x - 1 plus Gaussian noise (sd 0.5), seeded."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(X_LOW, X_HIGH, n_points)
    y = TRUE_W * x + TRUE_B + rng.normal(0.0, NOISE, n_points)
    return LineData(x, y)


def mse(w: float, b: float, x: np.ndarray, y: np.ndarray) -> float:
    """J(w, b) = 1/n Σ (w·x + b - y)²."""
    return float(np.mean((w * x + b - y) ** 2))


def analytic_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(dJ/dw, dJ/db) worked out by hand: 2/n Σ (w·x + b - y)·x and 2/n Σ (w·x + b - y)."""
    residual = w * x + b - y
    return float(2 * np.mean(residual * x)), float(2 * np.mean(residual))


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """W* = argmin J(W), in closed form for a line: the point every descent aims at."""
    w, b = np.polyfit(x, y, 1)
    return float(w), float(b)


def loss_surface(
    x: np.ndarray,
    y: np.ndarray,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    resolution: int = 81,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """J on a grid: (ws, bs, grid) with ``grid[i, j] = J(ws[j], bs[i])``."""
    ws = np.linspace(*w_range, resolution)
    bs = np.linspace(*b_range, resolution)
    # Broadcasting over (b, w, point) gives the whole grid in one pass.
    predictions = ws[None, :, None] * x[None, None, :] + bs[:, None, None]
    grid = np.mean((predictions - y[None, None, :]) ** 2, axis=2)
    return ws, bs, grid


def surface_ranges(
    minimum: tuple[float, float], start: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges around the minimum that always include the start point, with a margin."""
    w_low = min(minimum[0] - 3.0, start[0] - 0.5)
    w_high = max(minimum[0] + 3.0, start[0] + 0.5)
    b_low = min(minimum[1] - 4.0, start[1] - 0.5)
    b_high = max(minimum[1] + 4.0, start[1] + 0.5)
    return (w_low, w_high), (b_low, b_high)


def divergence_problem(losses: Sequence[float]) -> str | None:
    """A message when the loss became NaN/infinite or grew far above its start, else ``None``."""
    if not losses:
        return None
    first = losses[0]
    for step, value in enumerate(losses):
        if not math.isfinite(value):
            return (
                f"The loss became NaN or infinite at step {step}: gradient descent diverged. "
                "Learning rate too high? Lower it (for example by 10x)."
            )
    if losses[-1] > DIVERGENCE_FACTOR * first:
        return (
            f"The loss grew from {first:.3g} to {losses[-1]:.3g} instead of shrinking: each step "
            "overshoots the minimum by more than the last. Learning rate too high? Lower it."
        )
    return None


def gradient_step(
    w: float, b: float, learning_rate: float, x: np.ndarray, y: np.ndarray
) -> StepResult:
    """One ``tf.GradientTape`` step from (w, b): ∇J at (w, b), then W <- W - η ∇J."""
    import tensorflow as tf

    weights = tf.Variable([w, b], dtype=tf.float64)
    x_t = tf.constant(x, dtype=tf.float64)
    y_t = tf.constant(y, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((weights[0] * x_t + weights[1] - y_t) ** 2)
    gradient = tape.gradient(loss, weights)
    new = (weights - learning_rate * gradient).numpy()
    grad = gradient.numpy()
    return StepResult(
        w=float(w),
        b=float(b),
        grad_w=float(grad[0]),
        grad_b=float(grad[1]),
        learning_rate=float(learning_rate),
        new_w=float(new[0]),
        new_b=float(new[1]),
        loss=float(loss.numpy()),
        new_loss=mse(float(new[0]), float(new[1]), x, y),
    )


def training_loop_code(settings: DescentSettings) -> str:
    """The talk's loop (GradientTape, gradient, weights = weights - lr * gradient), filled in."""
    s = settings
    return f"""import numpy as np
import tensorflow as tf

# {s.n_points} points around the line y = {TRUE_W}x + ({TRUE_B}), noise sd {NOISE} (seed {s.seed})
rng = np.random.default_rng({s.seed})
x_np = rng.uniform({X_LOW}, {X_HIGH}, {s.n_points})
y_np = {TRUE_W} * x_np + ({TRUE_B}) + rng.normal(0.0, {NOISE}, {s.n_points})
x = tf.constant(x_np, dtype=tf.float64)
y = tf.constant(y_np, dtype=tf.float64)


def compute_loss(weights):
    w, b = weights[0], weights[1]
    return tf.reduce_mean((w * x + b - y) ** 2)  # J(W): mean squared error


lr = {s.learning_rate!r}
# The talk starts from random weights; a fixed start makes runs comparable.
weights = tf.Variable([{s.start_w!r}, {s.start_b!r}], dtype=tf.float64)
losses = []

for step in range({s.steps}):  # the talk loops forever; here {s.steps} steps
    with tf.GradientTape() as g:
        g.watch(weights)  # after the first update, weights is a plain tensor
        loss = compute_loss(weights)
        gradient = g.gradient(loss, weights)

    losses.append(float(loss))  # J before this step's update
    weights = weights - lr * gradient
    if not np.isfinite(losses[-1]):
        break  # diverged: NaN or infinite loss
else:  # ran every step: J at the final weights too, so losses[k] is J after k updates
    losses.append(float(compute_loss(weights)))

w_final, b_final = (float(v) for v in weights.numpy())
"""


def run_training_loop(settings: DescentSettings) -> LoopResult:
    """Executes :func:`training_loop_code` as shown, so the page shows exactly what ran."""
    code = training_loop_code(settings)
    namespace: dict = {}
    # The code is generated here from validated numbers only, never from user text.
    exec(compile(code, "<training loop>", "exec"), namespace)
    losses = [float(v) for v in namespace["losses"]]
    return LoopResult(
        code=code,
        losses=losses,
        w=namespace["w_final"],
        b=namespace["b_final"],
        problem=divergence_problem(losses),
    )


def optimizer_trajectory(name: str, settings: DescentSettings, data: LineData) -> Trajectory:
    """``settings.steps`` steps of one Keras optimizer (apply_gradients on the variables w, b)."""
    import tensorflow as tf

    from core.nn.networks import OptimizerSpec, make_optimizer

    optimizer = make_optimizer(OptimizerSpec(name, settings.learning_rate))
    w = tf.Variable(settings.start_w, dtype=tf.float64)
    b = tf.Variable(settings.start_b, dtype=tf.float64)
    x = tf.constant(data.x, dtype=tf.float64)
    y = tf.constant(data.y, dtype=tf.float64)
    ws, bs = [settings.start_w], [settings.start_b]
    losses = [mse(settings.start_w, settings.start_b, data.x, data.y)]
    for _ in range(settings.steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        grads = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(grads, [w, b], strict=True))
        ws.append(float(w.numpy()))
        bs.append(float(b.numpy()))
        losses.append(mse(ws[-1], bs[-1], data.x, data.y))
        if not math.isfinite(losses[-1]):
            break  # further steps only carry NaN
    return Trajectory(name, ws, bs, losses, divergence_problem(losses))


def optimizer_trajectories(settings: DescentSettings) -> dict[str, Trajectory]:
    """SGD, momentum, RMSprop and Adam from the same start, same rate, same number of steps."""
    data = make_line_data(settings.n_points, settings.seed)
    return {name: optimizer_trajectory(name, settings, data) for name in OPTIMIZER_NAMES}


def optimizers_code(settings: DescentSettings) -> str:
    """Keras code for the optimizer comparison: one ``apply_gradients`` loop per optimizer."""
    s = settings
    rate = repr(s.learning_rate)
    return f"""import keras
import numpy as np
import tensorflow as tf

rng = np.random.default_rng({s.seed})
x_np = rng.uniform({X_LOW}, {X_HIGH}, {s.n_points})
y_np = {TRUE_W} * x_np + ({TRUE_B}) + rng.normal(0.0, {NOISE}, {s.n_points})
x = tf.constant(x_np, dtype=tf.float64)
y = tf.constant(y_np, dtype=tf.float64)

optimizers = {{
    "sgd": keras.optimizers.SGD(learning_rate={rate}),
    "momentum": keras.optimizers.SGD(learning_rate={rate}, momentum=0.9),
    "rmsprop": keras.optimizers.RMSprop(learning_rate={rate}),
    "adam": keras.optimizers.Adam(learning_rate={rate}),
}}
final = {{}}
for name, optimizer in optimizers.items():
    w = tf.Variable({s.start_w!r}, dtype=tf.float64)
    b = tf.Variable({s.start_b!r}, dtype=tf.float64)
    for step in range({s.steps}):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * x + b - y) ** 2)
        grads = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(grads, [w, b]))
    final[name] = (float(w.numpy()), float(b.numpy()))
"""
