"""The perceptron and its activation functions, in plain NumPy (autodiff checks use TensorFlow).

- :func:`perceptron_output` computes the talk's y_hat = g(w0 + sum x_i w_i), term by term.
- :func:`make_clusters`, :func:`classify`, :func:`decision_line` and :func:`region_grid` serve the
  two-input picture: labelled points, the line w0 + w1 x1 + w2 x2 = 0 and the output over a grid.
- :func:`derivative_check` compares the talk's closed-form derivatives with ``tf.GradientTape``;
  :func:`saturation_summary` turns the derivatives into numbers about learning.

TensorFlow and Keras are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# g for the perceptron page; the activations page covers the three the talk differentiates.
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "step": "step"}
DIFFERENTIABLE = ("sigmoid", "tanh", "relu")
MAX_INPUTS = 5
# The talk's formulas, as LaTeX, for the pages to show next to the numbers.
FORMULAS = {
    "sigmoid": (r"g(z) = \frac{1}{1 + e^{-z}}", r"g'(z) = g(z)(1 - g(z))"),
    "tanh": (r"g(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}", r"g'(z) = 1 - g(z)^2"),
    "relu": (
        r"g(z) = \max(0, z)",
        r"g'(z) = \begin{cases} 1, & z > 0 \\ 0, & \text{otherwise} \end{cases}",
    ),
    "step": (r"g(z) = \begin{cases} 1, & z \ge 0 \\ 0, & \text{otherwise} \end{cases}", ""),
}


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """1 / (1 + e^-z), written so that large |z| never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activation(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The NumPy function g for ``name`` (sigmoid, tanh, relu or step)."""
    functions: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "sigmoid": sigmoid,
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(0.0, z),
        # The step fires at z = 0 too, so its boundary is the same line as the others'.
        "step": lambda z: (np.asarray(z) >= 0).astype(float),
    }
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}; pick one of {', '.join(functions)}")
    return functions[name]


def derivative(name: str, z: np.ndarray | float) -> np.ndarray:
    """The talk's closed-form g'(z) for sigmoid, tanh or relu, from g(z) itself."""
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        g = sigmoid(z)
        return g * (1.0 - g)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    raise ValueError(f"no derivative for {name!r}; pick sigmoid, tanh or relu")


# ------------------------------------------------------------------ one perceptron


@dataclass(frozen=True)
class PerceptronSettings:
    """What the perceptron page asks for: inputs x, weights w, bias w0 and the activation."""

    x: tuple[float, ...]
    w: tuple[float, ...]
    w0: float = 0.0
    activation: str = "sigmoid"

    def __post_init__(self) -> None:
        if not 1 <= len(self.x) <= MAX_INPUTS:
            raise ValueError(f"the perceptron takes 1 to {MAX_INPUTS} inputs, not {len(self.x)}")
        if len(self.x) != len(self.w):
            raise ValueError(f"{len(self.x)} inputs need {len(self.x)} weights, not {len(self.w)}")
        if self.activation not in ACTIVATION_NAMES:
            raise ValueError(f"unknown activation {self.activation!r}")


@dataclass(frozen=True)
class PerceptronResult:
    """Each product x_i w_i, their sum with the bias (z), and y_hat = g(z)."""

    terms: tuple[float, ...]
    z: float
    y_hat: float


def perceptron_output(
    x: tuple[float, ...] | list[float] | np.ndarray,
    w: tuple[float, ...] | list[float] | np.ndarray,
    w0: float,
    activation_name: str,
) -> PerceptronResult:
    """y_hat = g(w0 + sum x_i w_i) for one input vector x, with every term kept for display."""
    xs = np.asarray(x, dtype=float).ravel()
    ws = np.asarray(w, dtype=float).ravel()
    if xs.shape != ws.shape:
        raise ValueError(f"{xs.size} inputs need {xs.size} weights, not {ws.size}")
    terms = xs * ws
    z = float(w0 + terms.sum())
    y_hat = float(activation(activation_name)(np.array(z)))
    return PerceptronResult(tuple(float(t) for t in terms), z, y_hat)


def sum_latex(settings: PerceptronSettings, result: PerceptronResult) -> str:
    """The sum written out with the numbers: z = w0 + x1 w1 + ... = value."""
    parts = [f"{settings.w0:.2f}"]
    for xi, wi in zip(settings.x, settings.w, strict=True):
        parts.append(rf"({xi:.2f} \times {wi:.2f})")
    return "z = " + " + ".join(parts) + f" = {result.z:.4f}"


# ------------------------------------------------------------------ two inputs: a picture


@dataclass(frozen=True)
class Clusters:
    """Labelled 2-D points: ``points`` has shape (n, 2), ``labels`` holds 0 or 1 per point."""

    points: np.ndarray
    labels: np.ndarray


def make_clusters(per_class: int = 40, seed: int = 0, spread: float = 0.7) -> Clusters:
    """Two Gaussian clusters, class 0 around (-1.2, -1.2) and class 1 around (1.2, 1.2)."""
    if per_class < 1:
        raise ValueError("per_class must be >= 1")
    rng = np.random.default_rng(seed)
    centres = np.array([[-1.2, -1.2], [1.2, 1.2]])
    points = np.concatenate([rng.normal(c, spread, size=(per_class, 2)) for c in centres])
    labels = np.repeat([0, 1], per_class)
    return Clusters(points, labels)


def classify(points: np.ndarray, w: tuple[float, float], w0: float) -> np.ndarray:
    """Class 1 where z = w0 + w1 x1 + w2 x2 >= 0, else 0.

    Every g offered here is increasing, so thresholding g(z) (0.5 for sigmoid, 0 for tanh)
    is the same as thresholding z at 0: all of them share one decision line.
    """
    points = np.asarray(points, dtype=float)
    z = w0 + points @ np.asarray(w, dtype=float)
    return (z >= 0).astype(int)


def correct_count(clusters: Clusters, w: tuple[float, float], w0: float) -> int:
    """How many of the labelled points the perceptron puts in their own class."""
    return int((classify(clusters.points, w, w0) == clusters.labels).sum())


def decision_line(
    w: tuple[float, float], w0: float, extent: float = 3.5
) -> tuple[np.ndarray, np.ndarray] | None:
    """Two end points (xs, ys) of w0 + w1 x1 + w2 x2 = 0 across the square [-extent, extent]^2.

    ``None`` when w1 = w2 = 0: z is then the constant w0 and there is no line.
    """
    w1, w2 = float(w[0]), float(w[1])
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        xs = np.array([-extent, extent])
        ys = -(w0 + w1 * xs) / w2
    else:
        ys = np.array([-extent, extent])
        xs = -(w0 + w2 * ys) / w1
    return xs, ys


def region_grid(
    w: tuple[float, float], w0: float, activation_name: str, extent: float = 3.5, steps: int = 121
) -> tuple[np.ndarray, np.ndarray]:
    """The axis values (steps,) and g(z) on the grid (steps, steps), rows along x2."""
    axis = np.linspace(-extent, extent, steps)
    x1, x2 = np.meshgrid(axis, axis)
    z = w0 + w[0] * x1 + w[1] * x2
    return axis, activation(activation_name)(z)


def perceptron_keras_code(settings: PerceptronSettings) -> str:
    """Keras code for this perceptron: one Dense unit with these weights, applied to x."""
    n = len(settings.x)
    kernel = ", ".join(f"[{wi!r}]" for wi in settings.w)
    x = ", ".join(repr(float(xi)) for xi in settings.x)
    prelude: list[str] = []
    if settings.activation == "step":
        prelude = [
            "",
            "",
            "def step(z):",
            "    # Keras has no step activation: 1 where z >= 0, else 0.",
            "    return keras.ops.cast(keras.ops.greater_equal(z, 0), z.dtype)",
            "",
        ]
        act = "activation=step"
    else:
        act = f'activation="{settings.activation}"'
    return "\n".join(
        [
            "import numpy as np",
            "import keras",
            *prelude,
            "",
            "# One perceptron = a Dense layer with a single unit.",
            "model = keras.Sequential([",
            f"    keras.Input(shape=({n},)),",
            f"    keras.layers.Dense(1, {act}),",
            "])",
            "# set_weights takes the kernel (w1..wm as a column) and the bias w0.",
            f"model.layers[0].set_weights([np.array([{kernel}]), np.array([{settings.w0!r}])])",
            f"x = np.array([[{x}]])",
            "y_hat = float(model(x)[0, 0])",
            "print(y_hat)",
        ]
    )


# ------------------------------------------------------------------ activations and learning


@dataclass(frozen=True)
class ActivationSettings:
    """The z range the activations page plots, and the gradient size counted as 'vanishing'."""

    z_min: float = -6.0
    z_max: float = 6.0
    points: int = 401
    threshold: float = 0.01

    def __post_init__(self) -> None:
        if not (math.isfinite(self.z_min) and math.isfinite(self.z_max)):
            raise ValueError("the z range must be finite")
        if self.z_min >= self.z_max:
            raise ValueError(
                f"the z range is empty ({self.z_min} to {self.z_max}): pick a lower bound "
                "below the upper bound"
            )
        if not 3 <= self.points <= 100_000:
            raise ValueError("points must be between 3 and 100,000")
        if not 0 < self.threshold < 1:
            raise ValueError("the threshold must be between 0 and 1")

    def grid(self) -> np.ndarray:
        return np.linspace(self.z_min, self.z_max, self.points)


@dataclass(frozen=True)
class DerivativeCheck:
    """One activation on a grid: g, the closed-form g', the autodiff g' and their largest gap."""

    name: str
    z: np.ndarray
    g: np.ndarray
    closed_form: np.ndarray
    autodiff: np.ndarray
    max_abs_difference: float


def autodiff_derivative(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g(z) and dg/dz from ``tf.GradientTape``, in float64 so the comparison is exact enough."""
    import tensorflow as tf

    functions = {"sigmoid": tf.math.sigmoid, "tanh": tf.math.tanh, "relu": tf.nn.relu}
    if name not in functions:
        raise ValueError(f"no autodiff check for {name!r}; pick sigmoid, tanh or relu")
    zt = tf.constant(np.asarray(z, dtype=np.float64), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(zt)
        g = functions[name](zt)
    # g is elementwise, so the gradient of its sum is each dg_i/dz_i.
    grad = tape.gradient(g, zt)
    return g.numpy(), grad.numpy()


def derivative_check(name: str, settings: ActivationSettings) -> DerivativeCheck:
    """The talk's closed-form derivative next to TensorFlow's, on the settings' z grid."""
    z = settings.grid()
    g, auto = autodiff_derivative(name, z)
    closed = derivative(name, z)
    gap = float(np.max(np.abs(closed - auto)))
    return DerivativeCheck(name, z, g, closed, auto, gap)


def saturation_point(name: str, threshold: float = 0.01) -> float | None:
    """The |z| beyond which g'(z) < threshold, for sigmoid and tanh; ``None`` for relu."""
    if name == "sigmoid":
        if threshold >= 0.25:
            return 0.0
        # g(1 - g) = t  gives  g = (1 + sqrt(1 - 4t)) / 2, and z = log(g / (1 - g)).
        g = (1 + math.sqrt(1 - 4 * threshold)) / 2
        return math.log(g / (1 - g))
    if name == "tanh":
        # 1 - g^2 = t  gives  g = sqrt(1 - t), and z = atanh(g).
        return math.atanh(math.sqrt(1 - threshold))
    if name == "relu":
        return None
    raise ValueError(f"unknown activation {name!r}")


def _overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


@dataclass(frozen=True)
class Saturation:
    """What g' means for learning over [z_min, z_max], for one activation."""

    name: str
    max_derivative: float
    argmax_z: float
    small_fraction: float  # share of the z range where g' < threshold
    saturation_z: float | None  # |z| beyond which g' < threshold (sigmoid, tanh)
    dead_fraction: float  # share of the z range where g' is exactly 0 (relu: z <= 0)


def saturation_summary(name: str, settings: ActivationSettings) -> Saturation:
    """Largest g' on the range, and the share of the range where g' is below the threshold.

    Shares are measured exactly on the interval, not counted on the grid.
    """
    lo, hi = settings.z_min, settings.z_max
    width = hi - lo
    if name == "relu":
        # g' is 0 for z <= 0 (gradient dies) and 1 above.
        dead = _overlap(-math.inf, 0.0, lo, hi) / width
        top_z = hi if hi > 0 else lo
        return Saturation(name, 1.0 if hi > 0 else 0.0, top_z, dead, None, dead)
    edge = saturation_point(name, settings.threshold)
    assert edge is not None
    small = (_overlap(-math.inf, -edge, lo, hi) + _overlap(edge, math.inf, lo, hi)) / width
    # Both bells peak at z = 0; off the range the peak sits at the end nearest to 0.
    top_z = min(max(0.0, lo), hi)
    top = float(derivative(name, np.array(top_z)))
    return Saturation(name, top, top_z, small, edge, 0.0)


def gradient_tape_code(name: str, settings: ActivationSettings) -> str:
    """The TensorFlow code that computes g' with ``tf.GradientTape`` for these settings."""
    tf_function = {"sigmoid": "tf.math.sigmoid", "tanh": "tf.math.tanh", "relu": "tf.nn.relu"}
    closed = {
        "sigmoid": "g * (1 - g)",
        "tanh": "1 - g**2",
        "relu": "tf.cast(z > 0, tf.float64)",
    }
    if name not in tf_function:
        raise ValueError(f"no GradientTape code for {name!r}")
    return "\n".join(
        [
            "import numpy as np",
            "import tensorflow as tf",
            "",
            "# float64 so the two derivatives agree to about 1e-16.",
            f"z = tf.constant(np.linspace({settings.z_min!r}, {settings.z_max!r}, "
            f"{settings.points}), dtype=tf.float64)",
            "with tf.GradientTape() as tape:",
            "    tape.watch(z)  # z is a constant, not a Variable: ask the tape to follow it",
            f"    g = {tf_function[name]}(z)",
            "dg_dz = tape.gradient(g, z)  # autodiff",
            f"closed_form = {closed[name]}  # the talk's formula",
            "max_abs_difference = float(tf.reduce_max(tf.abs(dg_dz - closed_form)))",
            "print(max_abs_difference)",
        ]
    )
