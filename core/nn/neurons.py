"""What each hidden neuron responds to: its activation over the Playground's input square.

TensorFlow Playground draws a small picture beside every hidden neuron: the neuron's output for
each point of the input plane. :func:`neuron_maps` computes those pictures for a Keras model
built by :func:`core.nn.networks.build_dense_model`, on a coarse grid, in one forward pass of a
model that exposes every hidden ``Dense`` layer's output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEURON_GRID = 21  # points per side: enough to see a neuron's shape, cheap to redraw live
MAX_NEURONS_SHOWN = 8  # per layer; a wider layer shows its first ones


@dataclass(frozen=True, eq=False)
class NeuronMaps:
    """``layers[k][u]`` is unit ``u`` of hidden layer ``k`` over the grid: ``[i, j]`` is its
    activation at (axis[j], axis[i]). ``units[k]`` is the layer's width (it may show fewer)."""

    axis: np.ndarray
    layers: tuple[np.ndarray, ...]
    units: tuple[int, ...]
    epoch: int


def hidden_dense_layers(model) -> list:
    """The model's hidden ``Dense`` layers, in order (the output layer excluded)."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return dense[:-1]


def neuron_maps(model, epoch: int, size: int = NEURON_GRID, limit: float = 3.0) -> NeuronMaps:
    """Each hidden unit's activation over a ``size`` × ``size`` grid of (x1, x2) in
    [-limit, limit]², the first :data:`MAX_NEURONS_SHOWN` units of each layer."""
    import keras

    axis = np.linspace(-limit, limit, size, dtype="float32")
    xx, yy = np.meshgrid(axis, axis)
    points = np.column_stack([xx.ravel(), yy.ravel()])
    hidden = hidden_dense_layers(model)
    if not hidden:
        return NeuronMaps(axis, (), (), epoch)
    probe = keras.Model(model.inputs[0], [layer.output for layer in hidden])
    outputs = probe(points, training=False)
    if not isinstance(outputs, list | tuple):
        outputs = [outputs]
    layers = []
    for output in outputs:
        values = keras.ops.convert_to_numpy(output)[:, :MAX_NEURONS_SHOWN]
        layers.append(values.T.reshape(-1, size, size).astype("float32"))
    return NeuronMaps(axis, tuple(layers), tuple(layer.units for layer in hidden), epoch)
