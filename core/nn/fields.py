"""Link fields that every training page shares: optimizer, learning rate, batch size, activation.

Each page picks its own default and range; the choices themselves come from ``core.nn.networks``,
so a learning rate or an optimizer reads the same on every page.
"""

from __future__ import annotations

from typing import Any

from core.data.links import Field
from core.nn.networks import ACTIVATIONS, OPTIMIZERS, batch_sizes, learning_rates


def optimizer_field(default: str = "adam", **widget: Any) -> Field:
    """The optimizer, drawn as a select box of the optimizers' full names."""
    return Field(
        "choice", default, options=tuple(OPTIMIZERS), label="Optimizer", format=OPTIMIZERS, **widget
    )


def learning_rate_field(
    default: float,
    low: float,
    high: float,
    also: tuple[float, ...] = (),
    label: str = "Learning rate",
    **widget: Any,
) -> Field:
    """The learning rate, a select slider over the shared rates from ``low`` to ``high``."""
    options = learning_rates(low, high, also)
    return Field("choice", default, options=options, label=label, widget="select_slider", **widget)


def batch_size_field(default: int, low: int, high: int, **widget: Any) -> Field:
    """The batch size, a select slider over the shared sizes from ``low`` to ``high``."""
    options = batch_sizes(low, high)
    return Field(
        "choice", default, options=options, label="Batch size", widget="select_slider", **widget
    )


def activation_field(default: str = "relu", label: str = "Activation", **widget: Any) -> Field:
    """A hidden layer's activation, a select box of the activations the networks offer."""
    return Field("choice", default, options=ACTIVATIONS, label=label, **widget)
