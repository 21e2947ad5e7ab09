"""The Playground's neuron pictures and its play, pause and step."""

import numpy as np

from core.figures.neurons import neuron_maps_figure
from core.nn.networks import DenseLayer, build_dense_model
from core.nn.neurons import MAX_NEURONS_SHOWN, neuron_maps
from core.nn.playground import (
    DataSettings,
    PlaygroundSettings,
    continued_run,
    make_dataset,
    train_playground,
)
from tests.app_pages import open_page

SMALL = PlaygroundSettings(
    data=DataSettings("circles", 200, 0.1, 0.25, 0),
    hidden=(DenseLayer(4, "tanh"), DenseLayer(3, "relu")),
    epochs=3,
)


def test_each_neuron_map_is_that_units_activation_at_each_grid_point():
    model = build_dense_model(SMALL.network, seed=0)
    maps = neuron_maps(model, epoch=0, size=5)
    assert [layer.shape for layer in maps.layers] == [(4, 5, 5), (3, 5, 5)]
    first = model.layers[0]
    weights, bias = (w.numpy() if hasattr(w, "numpy") else np.asarray(w) for w in first.weights)
    i, j = 1, 3  # the point (axis[j], axis[i])
    point = np.array([maps.axis[j], maps.axis[i]], dtype="float32")
    expected = np.tanh(point @ weights + bias)
    np.testing.assert_allclose(maps.layers[0][:, i, j], expected, rtol=1e-5, atol=1e-6)
    assert (maps.layers[1] >= 0).all()  # ReLU units


def test_wide_layers_show_their_first_units_and_the_figure_draws_each():
    wide = PlaygroundSettings(hidden=(DenseLayer(MAX_NEURONS_SHOWN + 4),))
    maps = neuron_maps(build_dense_model(wide.network, seed=0), epoch=2, size=4)
    assert maps.layers[0].shape[0] == MAX_NEURONS_SHOWN and maps.units == (MAX_NEURONS_SHOWN + 4,)
    fig = neuron_maps_figure(maps)
    assert len(fig.data) == MAX_NEURONS_SHOWN
    assert "first 8 of 12" in " ".join(a.text for a in fig.layout.annotations)


def test_continuing_a_run_carries_on_from_the_same_weights():
    data = make_dataset(SMALL.data)
    first = train_playground(SMALL, data)
    assert first.epochs_done == 3 and first.result.neurons.epoch == 3
    weights_before = [w.copy() for w in first.result.model.get_weights()]
    again = continued_run(first)
    train_playground(SMALL, data, again, more_epochs=1)
    assert again.epochs_done == 4  # one epoch more, on top of the three
    assert again.history["loss"][:3] == first.history["loss"]
    assert again.result.model is first.result.model  # the same network, trained further
    moved = [
        np.abs(a - b).max()
        for a, b in zip(again.result.model.get_weights(), weights_before, strict=True)
    ]
    assert max(moved) > 0
    # A fresh network would start near the first epoch's loss; this one goes on from epoch 3's.
    assert abs(again.history["loss"][3] - first.history["loss"][2]) < abs(
        again.history["loss"][3] - first.history["loss"][0]
    )
    assert again.status == "complete" and again.result.boundary.epoch == 4


def test_the_page_draws_neurons_and_steps_one_epoch():
    at = open_page("pages/playground.py")
    at.number_input(key="epochs").set_value(2)
    at.slider(key="n_samples").set_value(200)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    assert any("hidden neuron" in c.value for c in at.caption)
    at.button(key="playground_step").click().run()
    assert not at.exception
    record = at.session_state["playground_run"]
    assert record.epochs_done == 3 and record.status == "complete"
