"""The Playground: TensorFlow-Playground-style 2-D datasets and small dense networks in Keras.

- :func:`make_dataset` draws one of five toy datasets (circles, moons, XOR, blobs, spirals) with a
  seed, scales it into the square [-1, 1] x [-1, 1] and splits it, stratified, into train and test.
- :func:`train_playground` builds the network with :mod:`core.nn.networks`, trains it with
  :func:`core.nn.training.fit_live` (the test split as validation data) and keeps the latest decision
  boundary in the record's :class:`PlaygroundResult`.
- :func:`compare_linear_relu` trains one architecture twice: all-linear and all-ReLU
  (a :class:`PlaygroundComparison`).
- :func:`playground_code` writes the same experiment as standalone scikit-learn + Keras code.

No Streamlit here; Keras is imported inside the functions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from core.nn.networks import DenseLayer, NetworkSpec, OptimizerSpec, keras_code
from core.nn.neurons import NeuronMaps, neuron_maps
from core.nn.training import (
    ComparisonResult,
    RunRecord,
    StopFlag,
    fit_live,
    seed_everything,
    train_in_turn,
)

DATASETS = {
    "circles": "Circles",
    "moons": "Moons",
    "xor": "XOR",
    "blobs": "Two blobs (linearly separable)",
    "spirals": "Two spirals",
}
# Predicting on this many points per axis is cheap (3,600 points), and fine enough to see a curve.
GRID_SIZE = 60
# The grid reaches a little past the data, which fills the square [-1, 1] x [-1, 1].
GRID_LIMIT = 1.1
LOSS = "binary_crossentropy"
METRICS = ["accuracy"]

# One generator per dataset, as code: make_dataset executes exactly the text that
# playground_code shows, so the "Show the code" data lines cannot drift from what the page ran.
_GENERATORS = {
    "circles": (
        "x, y = make_circles(\n"
        "    n_samples={n}, noise={noise}, factor=0.5, random_state={seed}\n"
        ")\n"
    ),
    "moons": "x, y = make_moons(n_samples={n}, noise={noise}, random_state={seed})\n",
    "xor": (
        "# Four Gaussian blobs at (±0.5, ±0.5); the label is sign(x1 * x2) of the blob's centre.\n"
        "rng = np.random.default_rng({seed})\n"
        "centres = rng.choice([-0.5, 0.5], size=({n}, 2))\n"
        "x = centres + rng.normal(scale=0.1 + {noise}, size=({n}, 2))\n"
        "y = (centres[:, 0] * centres[:, 1] > 0).astype(int)\n"
    ),
    "blobs": (
        "x, y = make_blobs(\n"
        "    n_samples={n},\n"
        "    centers=[(-1.0, -1.0), (1.0, 1.0)],\n"
        "    cluster_std=0.3 + {noise},\n"
        "    random_state={seed},\n"
        ")\n"
    ),
    "spirals": (
        "# Two interleaved spirals: class 1 is class 0 turned by half a turn.\n"
        "rng = np.random.default_rng({seed})\n"
        "y = np.arange({n}) % 2\n"
        "radius = rng.uniform(0.05, 1.0, size={n})\n"
        "angle = 1.75 * 2 * np.pi * radius + np.pi * y\n"
        "x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])\n"
        "x = x + rng.normal(scale={noise} / 2, size=({n}, 2))\n"
    ),
}
_SCALE_AND_SPLIT = (
    "# Centre the bounding box and divide by the largest coordinate: inputs in [-1, 1].\n"
    "x = x - (x.max(axis=0) + x.min(axis=0)) / 2\n"
    'x = (x / np.abs(x).max()).astype("float32")\n'
    'y = y.astype("float32")\n'
    "x_train, x_test, y_train, y_test = train_test_split(\n"
    "    x, y, test_size={test_fraction}, stratify=y, random_state={seed}\n"
    ")\n"
)
_DATA_IMPORTS = (
    "import numpy as np\n"
    "from sklearn.datasets import make_blobs, make_circles, make_moons\n"
    "from sklearn.model_selection import train_test_split\n"
)


@dataclass(frozen=True)
class DataSettings:
    """Which toy dataset, how many points, how noisy, and how much of it is held out for testing."""

    name: str = "circles"
    n_samples: int = 400
    noise: float = 0.1
    test_fraction: float = 0.25
    seed: int = 0

    def __post_init__(self) -> None:
        if self.name not in DATASETS:
            raise ValueError(f"Unknown dataset {self.name!r}: pick one of {', '.join(DATASETS)}.")
        if not 40 <= self.n_samples <= 5000:
            raise ValueError("The number of points must be between 40 and 5,000.")
        if not 0.0 <= self.noise <= 1.0:
            raise ValueError("The noise must be between 0 and 1.")
        if not 0.05 <= self.test_fraction <= 0.8:
            raise ValueError("The test fraction must be between 0.05 and 0.8.")


@dataclass(frozen=True, eq=False)
class PlaygroundData:
    """A dataset split into train and test: inputs (n, 2) in [-1, 1], labels (n,) in {0, 1}."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class PlaygroundSettings:
    """Everything one Playground run needs: data, hidden layers, optimizer and fit settings."""

    data: DataSettings = field(default_factory=DataSettings)
    hidden: tuple[DenseLayer, ...] = (
        DenseLayer(8, "relu"),
        DenseLayer(8, "relu"),
        DenseLayer(8, "relu"),
    )
    optimizer: OptimizerSpec = field(default_factory=lambda: OptimizerSpec("adam", 0.03))
    batch_size: int = 32
    epochs: int = 40
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.hidden) > 4:
            raise ValueError("The Playground has at most 4 hidden layers.")
        if not 1 <= self.batch_size <= 4096:
            raise ValueError("The batch size must be between 1 and 4,096.")
        if not 1 <= self.epochs <= 1000:
            raise ValueError("The number of epochs must be between 1 and 1,000.")

    @property
    def network(self) -> NetworkSpec:
        """Two inputs, the hidden layers, and one sigmoid unit for the probability of class 1."""
        return NetworkSpec(2, self.hidden, 1, "sigmoid")

    def with_activation(self, activation: str) -> PlaygroundSettings:
        """The same settings with every hidden layer using ``activation``."""
        return replace(
            self, hidden=tuple(replace(layer, activation=activation) for layer in self.hidden)
        )


@dataclass(frozen=True, eq=False)
class Boundary:
    """The model's probability of class 1 on a grid: ``probability[i, j]`` is at (xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    probability: np.ndarray
    epoch: int


@dataclass
class PlaygroundResult:
    """A playground run: the settings and data it trained on, its latest decision boundary
    (refreshed while it trains) and the test accuracy of its final weights."""

    settings: PlaygroundSettings
    data: PlaygroundData
    boundary: Boundary | None = None
    test_accuracy: float | None = None
    neurons: NeuronMaps | None = None  # each hidden unit's picture, refreshed with the boundary
    # The trained Keras model, kept so that Continue and One epoch pick up where it stopped.
    model: Any = field(default=None, repr=False)

    def flat(self) -> dict[str, float]:
        """The final results by display name (the Runs table's metrics): the test accuracy,
        once there is one."""
        return {} if self.test_accuracy is None else {"test accuracy": self.test_accuracy}


@dataclass
class PlaygroundComparison(ComparisonResult):
    """The linear-versus-ReLU comparison: its two runs, and the settings and data they share."""

    settings: PlaygroundSettings
    data: PlaygroundData


def _data_code(settings: DataSettings) -> str:
    generator = _GENERATORS[settings.name].format(
        n=settings.n_samples, noise=settings.noise, seed=settings.seed
    )
    split = _SCALE_AND_SPLIT.format(test_fraction=settings.test_fraction, seed=settings.seed)
    return generator + split


def make_dataset(settings: DataSettings) -> PlaygroundData:
    """Draw the dataset named in ``settings`` (same seed, same points) and split it."""
    from sklearn.datasets import make_blobs, make_circles, make_moons
    from sklearn.model_selection import train_test_split

    scope = {
        "np": np,
        "make_blobs": make_blobs,
        "make_circles": make_circles,
        "make_moons": make_moons,
        "train_test_split": train_test_split,
    }
    exec(_data_code(settings), scope)  # noqa: S102 - our own constant templates, numbers only
    return PlaygroundData(scope["x_train"], scope["y_train"], scope["x_test"], scope["y_test"])


def grid_points(size: int = GRID_SIZE, limit: float = GRID_LIMIT) -> tuple[np.ndarray, np.ndarray]:
    """The axis values (size,) and all grid points (size * size, 2), row by row along y."""
    axis = np.linspace(-limit, limit, size, dtype="float32")
    xx, yy = np.meshgrid(axis, axis)
    return axis, np.column_stack([xx.ravel(), yy.ravel()])


def boundary_of(model, epoch: int, size: int = GRID_SIZE) -> Boundary:
    """The model's probability of class 1 over the grid around the input square."""
    import keras

    axis, points = grid_points(size)
    # Calling the model directly skips predict()'s per-call setup, which matters every few epochs.
    probability = keras.ops.convert_to_numpy(model(points, training=False)).reshape(size, size)
    return Boundary(axis, axis.copy(), probability.astype("float32"), epoch)


def accuracy_of(model, x: np.ndarray, y: np.ndarray) -> float:
    """The share of points whose predicted class (probability > 0.5) matches the label."""
    import keras

    probability = keras.ops.convert_to_numpy(model(x, training=False)).ravel()
    return float(np.mean((probability > 0.5) == (y > 0.5)))


def boundary_every(epochs: int) -> int:
    """How often (in epochs) to redraw the boundary: about 20 redraws per run, at most every epoch."""
    return max(1, epochs // 20)


def train_playground(
    settings: PlaygroundSettings,
    data: PlaygroundData,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    more_epochs: int | None = None,
) -> RunRecord:
    """Train the settings' network on ``data`` and return the run.

    A run made by :func:`continued_run` goes on from its kept model for ``more_epochs``
    (``settings.epochs`` by default) after the epochs it already holds; any other starts afresh.

    The history holds train and test ("val_") loss and accuracy per epoch. ``record.result`` is
    a :class:`PlaygroundResult` (the one a page gave the record already, with the same settings
    and data, else a new one): its ``boundary`` is refreshed every :func:`boundary_every`
    epochs while training and once at the end, its ``test_accuracy`` is of the final weights.
    """
    from core.nn.networks import build_dense_model, make_optimizer

    record = record or RunRecord(kind="playground")
    if not isinstance(record.result, PlaygroundResult):
        record.result = PlaygroundResult(settings, data)
    result = record.result
    start = record.epochs_done  # a continued run already holds its earlier epochs
    model = result.model if start else None
    if model is None:
        seed_everything(settings.seed)
        model = build_dense_model(settings.network, seed=settings.seed)
        model.compile(optimizer=make_optimizer(settings.optimizer), loss=LOSS, metrics=METRICS)
        result.model = model
    more = settings.epochs if more_epochs is None else more_epochs
    every = boundary_every(more)

    def on_epoch(epoch: int, logs: dict[str, float]) -> None:
        if (epoch - start) % every == 0:
            result.boundary = boundary_of(model, epoch)
            result.neurons = neuron_maps(model, epoch)

    fit_live(
        model,
        data.x_train,
        data.y_train,
        epochs=start + more,
        initial_epoch=start,
        batch_size=settings.batch_size,
        record=record,
        stop_flag=stop_flag,
        on_epoch=on_epoch,
        validation_data=(data.x_test, data.y_test),
    )
    # The last redraw may be a few epochs old, or the run stopped mid-epoch: draw the final weights.
    result.boundary = boundary_of(model, record.epochs_done)
    result.neurons = neuron_maps(model, record.epochs_done)
    result.test_accuracy = accuracy_of(model, data.x_test, data.y_test)
    record.metrics = result.flat()
    return record


def continued_run(record: RunRecord) -> RunRecord:
    """A new run that carries on from ``record`` (paused or finished): the same settings, data
    and Keras model, its curves so far; :func:`train_playground` then adds epochs to it."""
    earlier = record.result_as(PlaygroundResult)
    if earlier.model is None:
        raise ValueError("this run kept no model to continue")
    again = RunRecord(
        kind=record.kind,
        settings={**record.settings, "continued from run": record.number or record.run_id},
        result=replace(earlier, test_accuracy=None),
    )
    again.history = {name: list(values) for name, values in record.history.items()}
    return again


COMPARED_ACTIVATIONS = ("linear", "relu")


def comparison_runs(settings: PlaygroundSettings) -> dict[str, RunRecord]:
    """One empty run per compared activation, ready to be listed before any of them trains."""
    return {
        activation: RunRecord(
            kind=f"playground-{activation}",
            settings=asdict(settings.with_activation(activation)),
            total_epochs=settings.epochs,
        )
        for activation in COMPARED_ACTIVATIONS
    }


def compare_linear_relu(
    settings: PlaygroundSettings,
    data: PlaygroundData,
    runs: dict[str, RunRecord] | None = None,
    stop_flag: StopFlag | None = None,
) -> dict[str, RunRecord]:
    """Train the same architecture twice on the same data: every hidden layer linear, then ReLU.

    ``runs`` (from :func:`comparison_runs`) receive the results as they train, so a page can
    draw them live; ``stop_flag`` ends the comparison (see :func:`core.nn.training.train_in_turn`).
    Returns ``{"linear": record, "relu": record}``; each trained record holds its
    :class:`PlaygroundResult`.
    """
    return train_in_turn(
        runs or comparison_runs(settings),
        lambda activation, record, flag: train_playground(
            settings.with_activation(activation), data, record, flag
        ),
        stop_flag or StopFlag(),
    )


# The datasets whose two classes a straight line can separate.
LINEARLY_SEPARABLE = ("blobs",)


def below_chance_note(accuracy: float | None, data: PlaygroundData, dataset: str) -> str | None:
    """Why a test accuracy below 50% happens, in words and numbers; ``None`` at 50% or above.
    ``dataset`` is a key of :data:`DATASETS`.

    With classes that no straight line separates (circles, XOR…), the best a linear network
    can do is about a coin's 50%. How far a coin's score strays on ``n`` test points is
    ``sqrt(0.25 / n)``; within two such strays, below 50% is noise, further below it means the
    line tilted towards a side that held more of one class in training than in testing.
    """
    if accuracy is None or accuracy >= 0.5:
        return None
    n = len(data.y_test)
    stray = math.sqrt(0.25 / n)
    majority = max(float(np.mean(data.y_test)), 1 - float(np.mean(data.y_test)))
    name = DATASETS.get(dataset, dataset)
    if dataset in LINEARLY_SEPARABLE:
        return (
            f"Test accuracy {accuracy:.1%} is below 50%, though a straight line can split the "
            f"{name} data: this run did not find that line. Train for more epochs or change the "
            f"learning rate. Always answering the larger class would score {majority:.1%}."
        )
    opening = (
        f"Test accuracy {accuracy:.1%} is below 50%. No straight line separates the classes "
        f"of the {name} data, so the straight boundary this network is limited to does "
        f"no better than a guess, and a guess on {n} test points typically lands within "
        f"±{2 * stray:.1%} of 50% (two standard errors of a coin's score)"
    )
    if accuracy >= 0.5 - 2 * stray:
        return (
            opening + ": this result is within that, so it is chance, not a model that learned "
            f"the opposite. Always answering the larger class would score {majority:.1%}."
        )
    return (
        opening + ". This result is further below: the line leans towards the side where one "
        "class was more common among the training points than it is among the test points, "
        f"so it is wrong more often than a coin. Always answering the larger class would score "
        f"{majority:.1%}."
    )


def playground_code(settings: PlaygroundSettings) -> str:
    """Standalone Python (scikit-learn + Keras) that makes the data and trains this network."""
    model = keras_code(settings.network, settings.optimizer, LOSS, METRICS)
    model = model.removeprefix("import keras\n\n")
    fit = (
        "history = model.fit(\n"
        "    x_train,\n"
        "    y_train,\n"
        f"    epochs={settings.epochs},\n"
        f"    batch_size={settings.batch_size},\n"
        "    validation_data=(x_test, y_test),\n"
        ")\n"
        "test_loss, test_accuracy = model.evaluate(x_test, y_test)\n"
    )
    return (
        "import keras\n"
        + _DATA_IMPORTS
        + "\n"
        + f"keras.utils.set_random_seed({settings.seed})\n"
        + _data_code(settings.data)
        + "\n"
        + model
        + "\n"
        + fit
    )
