"""Dense networks from a plain spec, written the way the talk writes them.

``build_dense_model(spec)`` returns ``keras.Sequential([keras.Input(...), Dense(...), ...])``.
The spec is a frozen dataclass, so it can key a cache and travel from a page to a test.
Keras is imported inside the functions; the code uses ``keras.*`` only, so it runs on any backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "SGD with momentum (0.9)",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}
Optimizer = Literal["sgd", "momentum", "rmsprop", "adam"]
# The learning rates and batch sizes the pages offer; each page takes the stretch it needs.
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (4, 8, 16, 32, 64, 128, 256)


def learning_rates(low: float, high: float, also: tuple[float, ...] = ()) -> tuple[float, ...]:
    """The shared learning rates from ``low`` to ``high``, with the rates ``also`` added, in order."""
    return tuple(sorted({rate for rate in LEARNING_RATES if low <= rate <= high} | set(also)))


def batch_sizes(low: int, high: int) -> tuple[int, ...]:
    """The shared batch sizes from ``low`` to ``high``."""
    return tuple(size for size in BATCH_SIZES if low <= size <= high)


@dataclass(frozen=True)
class DenseLayer:
    """One hidden ``Dense`` layer: units, activation, and optional dropout and L2 penalty."""

    units: int
    activation: str = "relu"
    dropout: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        if not 1 <= self.units <= 4096:
            raise ValueError("units must be between 1 and 4096")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if not (math.isfinite(self.l2) and self.l2 >= 0):
            raise ValueError("l2 must be a finite number >= 0")


@dataclass(frozen=True)
class NetworkSpec:
    """A stack of Dense layers from ``input_dim`` features to ``output_units`` outputs."""

    input_dim: int
    hidden: tuple[DenseLayer, ...] = field(default=())
    output_units: int = 1
    output_activation: str = "sigmoid"

    def __post_init__(self) -> None:
        if self.input_dim < 1 or self.output_units < 1:
            raise ValueError("input_dim and output_units must be >= 1")
        if self.output_activation not in (*ACTIVATIONS, "softmax"):
            raise ValueError(f"unknown output activation {self.output_activation!r}")


@dataclass(frozen=True)
class OptimizerSpec:
    name: Optimizer = "adam"
    learning_rate: float = 0.01

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.name!r}")
        if not 0 < self.learning_rate <= 100:
            raise ValueError("learning_rate must be in (0, 100]")


def build_dense_model(spec: NetworkSpec, seed: int | None = None):
    """A ``keras.Sequential`` of ``Dense`` layers (with ``Dropout`` where asked) for ``spec``."""
    import keras

    layers: list = [keras.Input(shape=(spec.input_dim,))]
    for index, layer in enumerate(spec.hidden):
        regularizer = keras.regularizers.L2(layer.l2) if layer.l2 else None
        initializer = keras.initializers.GlorotUniform(seed=None if seed is None else seed + index)
        layers.append(
            keras.layers.Dense(
                layer.units,
                activation=layer.activation,
                kernel_regularizer=regularizer,
                kernel_initializer=initializer,
                name=f"dense_{index + 1}",
            )
        )
        if layer.dropout:
            layers.append(
                keras.layers.Dropout(layer.dropout, seed=seed, name=f"dropout_{index + 1}")
            )
    layers.append(
        keras.layers.Dense(
            spec.output_units,
            activation=spec.output_activation,
            kernel_initializer=keras.initializers.GlorotUniform(
                seed=None if seed is None else seed + len(spec.hidden)
            ),
            name="output",
        )
    )
    return keras.Sequential(layers)


def make_optimizer(spec: OptimizerSpec):
    """The Keras optimizer named by ``spec`` (momentum means ``SGD(momentum=0.9)``)."""
    import keras

    rate = spec.learning_rate
    if spec.name == "sgd":
        return keras.optimizers.SGD(learning_rate=rate)
    if spec.name == "momentum":
        return keras.optimizers.SGD(learning_rate=rate, momentum=0.9)
    if spec.name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)


def optimizer_code(optimizer: OptimizerSpec) -> str:
    """The Keras call that :func:`make_optimizer` makes for ``optimizer``."""
    rate = optimizer.learning_rate
    return {
        "sgd": f"keras.optimizers.SGD(learning_rate={rate})",
        "momentum": f"keras.optimizers.SGD(learning_rate={rate}, momentum=0.9)",
        "rmsprop": f"keras.optimizers.RMSprop(learning_rate={rate})",
        "adam": f"keras.optimizers.Adam(learning_rate={rate})",
    }[optimizer.name]


def keras_code(spec: NetworkSpec, optimizer: OptimizerSpec, loss: str, metrics: list[str]) -> str:
    """The Keras code that :func:`build_dense_model` and ``compile`` run for these settings."""
    lines = ["model = keras.Sequential([", f"    keras.Input(shape=({spec.input_dim},)),"]
    for layer in spec.hidden:
        extra = f", kernel_regularizer=keras.regularizers.L2({layer.l2})" if layer.l2 else ""
        lines.append(
            f'    keras.layers.Dense({layer.units}, activation="{layer.activation}"{extra}),'
        )
        if layer.dropout:
            lines.append(f"    keras.layers.Dropout({layer.dropout}),")
    lines.append(
        f'    keras.layers.Dense({spec.output_units}, activation="{spec.output_activation}"),'
    )
    lines.append("])")
    lines.append(
        f'model.compile(optimizer={optimizer_code(optimizer)}, loss="{loss}", metrics={metrics!r})'
    )
    return "import keras\n\n" + "\n".join(lines)
