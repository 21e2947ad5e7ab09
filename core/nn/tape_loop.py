"""The talk's "Putting it all together" loop with a Keras model: run as written, then corrected.

The slide computes ``prediction = model(x)`` before it opens the ``GradientTape``, so the tape
records only the loss taken from an already computed tensor: ``tape.gradient`` gives ``None``
for every variable and ``optimizer.apply_gradients`` refuses them. :func:`run_slide_loop`
executes the slide's code as shown and reports that failure as data; :func:`run_corrected_loop`
executes the fixed loop (the forward pass inside the tape) and reports its loss per step and
its first step in detail. TensorFlow is imported only when a loop runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.nn.optimization import (
    NOISE,
    TRUE_B,
    TRUE_W,
    X_HIGH,
    X_LOW,
    check_loop_settings,
    divergence_problem,
)

# What Keras says when every gradient is None; the page and the tests look for it.
NO_GRADIENTS = "No gradients provided for any variable"
# The first line of the slide's loop as shown: code carrying it is meant to fail that way.
AS_WRITTEN = "# As the slide writes it: the forward pass runs before the tape opens"


@dataclass(frozen=True)
class TapeLoopSettings:
    """A small network (one tanh hidden layer) fitted to the gradient descent page's points."""

    learning_rate: float = 0.1
    steps: int = 40
    hidden_units: int = 8
    n_points: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        check_loop_settings(self.learning_rate, self.steps, self.n_points)
        if not 1 <= self.hidden_units <= 256:
            raise ValueError("The hidden layer needs between 1 and 256 units.")


@dataclass(frozen=True)
class VariableGradient:
    """One of ``model.trainable_variables``: its name and shape, and its gradient (``None``
    when the tape recorded no path from the loss to it)."""

    name: str
    shape: tuple[int, ...]
    gradient: np.ndarray | None


@dataclass(frozen=True)
class SlideLoopResult:
    """The slide's loop, run as written: what the tape gave and how the update answered.

    ``error`` is the exception's type and message (``None`` if the update went through);
    ``weights_changed`` says whether any trainable variable moved.
    """

    code: str
    loss: float
    gradients: list[VariableGradient]
    error: str | None
    weights_changed: bool
    steps_done: int

    @property
    def all_none(self) -> bool:
        """True when the tape gave no gradient for any variable."""
        return all(g.gradient is None for g in self.gradients)


@dataclass(frozen=True)
class CorrectedLoopResult:
    """The corrected loop: loss per step, and the first step's weights before and after it
    with the gradients that moved them, one array per trainable variable."""

    code: str
    losses: list[float]
    names: list[str]
    weights_before: list[np.ndarray]
    first_gradients: list[np.ndarray]
    weights_after_first: list[np.ndarray]
    problem: str | None = field(default=None)


def _setup_code(settings: TapeLoopSettings) -> str:
    """Imports, the points as (n, 1) columns, the seeded model, the optimizer and the loss."""
    s = settings
    return f"""import keras
import numpy as np
import tensorflow as tf

# {s.n_points} points around the line y = {TRUE_W}x + ({TRUE_B}), noise sd {NOISE} (seed {s.seed})
rng = np.random.default_rng({s.seed})
x_np = rng.uniform({X_LOW}, {X_HIGH}, {s.n_points})
y_np = {TRUE_W} * x_np + ({TRUE_B}) + rng.normal(0.0, {NOISE}, {s.n_points})
x = tf.constant(x_np.reshape(-1, 1), dtype=tf.float32)
y = tf.constant(y_np.reshape(-1, 1), dtype=tf.float32)

keras.utils.set_random_seed({s.seed})  # the same starting weights in both loops
model = tf.keras.Sequential([
    keras.Input(shape=(1,)),
    keras.layers.Dense({s.hidden_units}, activation="tanh"),
    keras.layers.Dense(1),
])

# pick your favorite optimizer (the slide writes tf.keras.optimizer, a typo for optimizers)
optimizer = tf.keras.optimizers.SGD(learning_rate={s.learning_rate!r})


def compute_loss(y, prediction):
    return tf.reduce_mean((y - prediction) ** 2)  # mean squared error

"""


def slide_loop_code(settings: TapeLoopSettings) -> str:
    """The slide's loop as it is written (prediction before the tape), filled in and runnable
    up to the line that fails; ``while True`` becomes ``settings.steps`` steps."""
    return _setup_code(settings) + _slide_loop(settings)


def _slide_loop(settings: TapeLoopSettings) -> str:
    return f"""
{AS_WRITTEN}
for step in range({settings.steps}):  # the slide loops forever

    # forward pass through the network
    prediction = model(x)

    with tf.GradientTape() as tape:
        # compute the loss
        loss = compute_loss(y, prediction)

    # update the weights using the gradient
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
"""


def corrected_loop_code(settings: TapeLoopSettings) -> str:
    """The same loop with the forward pass moved inside the tape, which then sees the model's
    variables used; it keeps the loss of every step in ``losses``."""
    return _setup_code(settings) + _corrected_loop(settings)


def _corrected_loop(settings: TapeLoopSettings) -> str:
    return f"""losses = []
for step in range({settings.steps}):

    with tf.GradientTape() as tape:
        # forward pass INSIDE the tape, so it records how the loss depends on the weights
        prediction = model(x)
        loss = compute_loss(y, prediction)

    # update the weights using the gradient
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    losses.append(float(loss))
    if not np.isfinite(losses[-1]):
        break  # diverged: NaN or infinite loss
"""


def _execute(code: str, where: str, namespace: dict) -> Exception | None:
    """Runs ``code`` in ``namespace``; returns the exception it raised, or ``None``."""
    try:
        # The code is generated here from validated numbers only, never from user text.
        exec(compile(code, where, "exec"), namespace)  # noqa: S102
    except Exception as error:  # noqa: BLE001 - the failure is the result to show
        return error
    return None


def _set_up(settings: TapeLoopSettings, where: str) -> dict:
    """The namespace after :func:`_setup_code` ran: data, model, optimizer and loss."""
    namespace: dict = {"__name__": where}
    error = _execute(_setup_code(settings), f"<{where} setup>", namespace)
    if error is not None:
        raise error  # the app's own setup: a failure there is a bug, not a result
    return namespace


def _weights(model) -> list[np.ndarray]:
    return [np.array(v.numpy(), copy=True) for v in model.trainable_variables]


def _names(model) -> list[str]:
    """ "Dense 1 kernel" and so on: the variables named by their layer's place, which stays the
    same from run to run where Keras's own names count up."""
    return [
        f"{type(layer).__name__} {index} {variable.name}"
        for index, layer in enumerate(model.layers, start=1)
        for variable in layer.trainable_variables
    ]


def run_slide_loop(settings: TapeLoopSettings) -> SlideLoopResult:
    """Executes :func:`slide_loop_code` as shown (its setup, then its loop in the same
    namespace) and reports what happened: the gradients the tape gave, the error
    ``apply_gradients`` raised and whether any weight moved."""
    namespace = _set_up(settings, "slide loop")
    model = namespace["model"]
    before = _weights(model)
    error = _execute(_slide_loop(settings), "<slide loop>", namespace)
    after = _weights(model)
    grads = namespace.get("grads") or [None] * len(after)
    gradients = [
        VariableGradient(
            name=name,
            shape=tuple(int(n) for n in variable.shape),
            gradient=None if g is None else np.asarray(g),
        )
        for name, variable, g in zip(_names(model), model.trainable_variables, grads, strict=True)
    ]
    last_step = int(namespace.get("step", -1))
    return SlideLoopResult(
        code=slide_loop_code(settings),
        loss=float(namespace["loss"]) if "loss" in namespace else float("nan"),
        gradients=gradients,
        error=None if error is None else f"{type(error).__name__}: {error}",
        weights_changed=any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True)),
        steps_done=last_step + 1 if error is None else last_step,
    )


def run_corrected_loop(settings: TapeLoopSettings) -> CorrectedLoopResult:
    """Executes :func:`corrected_loop_code` as shown, and its first step once more from the
    same seeded start to keep the weights before and after it and its gradients."""
    namespace = _set_up(settings, "corrected loop")
    error = _execute(_corrected_loop(settings), "<corrected loop>", namespace)
    if error is not None:
        raise error  # the app's own loop: a failure there is a bug, not a result
    losses = [float(v) for v in namespace["losses"]]
    names, before, grads, after = first_step(settings)
    return CorrectedLoopResult(
        code=corrected_loop_code(settings),
        losses=losses,
        names=names,
        weights_before=before,
        first_gradients=grads,
        weights_after_first=after,
        problem=divergence_problem(losses),
    )


def first_step(
    settings: TapeLoopSettings,
) -> tuple[list[str], list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """One corrected step from the seeded start: (variable names, weights before, gradients,
    weights after ``optimizer.apply_gradients``)."""
    namespace = _set_up(settings, "first step")
    model = namespace["model"]
    before = _weights(model)
    one = replace(settings, steps=1)
    error = _execute(_corrected_loop(one), "<first step>", namespace)
    if error is not None:
        raise error
    grads = [np.asarray(g) for g in namespace["grads"]]
    return _names(model), before, grads, _weights(model)
