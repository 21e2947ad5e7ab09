"""The classifier network: ``keras.Sequential([Input, (Embedding, pooling), Dense…, output])``.

Keras is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.classifier.features import InputKind
from core.nn.networks import DenseLayer


@dataclass(frozen=True)
class ClassifierNet:
    """The network's shape, as plain data: what the builder needs and a bundle stores.

    ``input_dim`` is the number of features, or the sequence length for ``sequence`` input,
    where ``vocab_size`` and ``embedding_dim`` size the ``Embedding`` layer.
    """

    input_kind: InputKind
    input_dim: int
    n_classes: int
    hidden: tuple[DenseLayer, ...] = (DenseLayer(64, "relu", dropout=0.5),)
    vocab_size: int = 0
    embedding_dim: int = 0

    def __post_init__(self) -> None:
        if self.input_kind not in ("sparse", "dense", "sequence"):
            raise ValueError(f"unknown input kind {self.input_kind!r}")
        if not 1 <= self.input_dim <= 5_000_000:
            raise ValueError("input_dim must be from 1 to 5,000,000")
        if not 2 <= self.n_classes <= 1_000:
            raise ValueError("a classifier needs from 2 to 1,000 classes")
        if self.input_kind == "sequence" and (self.vocab_size < 3 or self.embedding_dim < 1):
            raise ValueError("sequence input needs vocab_size >= 3 and embedding_dim >= 1")
        if len(self.hidden) > 8:
            raise ValueError("at most 8 hidden layers")

    @property
    def output_units(self) -> int:
        return 1 if self.n_classes == 2 else self.n_classes

    @property
    def loss(self) -> str:
        return "binary_crossentropy" if self.n_classes == 2 else "sparse_categorical_crossentropy"


def build_classifier_model(
    net: ClassifierNet, seed: int | None = None, mixed_precision: bool = False
):
    """``keras.Sequential``: Input → (Embedding → GlobalAveragePooling1D) → Dense… → output.

    Sparse input stays sparse: Keras feeds SciPy CSR batches to the first ``Dense`` layer as
    sparse tensors. The output is one sigmoid unit for two classes, else a softmax, always in
    float32. ``mixed_precision`` computes the hidden layers in float16 (for GPUs); it is set per
    layer, not through Keras's global policy, which other users' runs on the server share.
    """
    import keras

    dtype = "mixed_float16" if mixed_precision else None

    def init(offset: int):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    if net.input_kind == "sequence":
        layers: list = [
            keras.Input(shape=(net.input_dim,), dtype="int32"),
            keras.layers.Embedding(
                net.vocab_size,
                net.embedding_dim,
                mask_zero=True,
                embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
                dtype=dtype,
                name="embedding",
            ),
            keras.layers.GlobalAveragePooling1D(dtype=dtype, name="pooling"),
        ]
    else:
        layers = [keras.Input(shape=(net.input_dim,), sparse=net.input_kind == "sparse")]
    for index, layer in enumerate(net.hidden, start=1):
        layers.append(
            keras.layers.Dense(
                layer.units,
                activation=layer.activation,
                kernel_initializer=init(index),
                kernel_regularizer=keras.regularizers.L2(layer.l2) if layer.l2 else None,
                dtype=dtype,
                name=f"dense_{index}",
            )
        )
        if layer.dropout:
            layers.append(
                keras.layers.Dropout(layer.dropout, seed=seed, dtype=dtype, name=f"dropout_{index}")
            )
    layers.append(
        keras.layers.Dense(
            net.output_units,
            activation="sigmoid" if net.n_classes == 2 else "softmax",
            kernel_initializer=init(0),
            dtype="float32",  # keeps the probabilities in float32 under mixed precision
            name="output",
        )
    )
    return keras.Sequential(layers, name="text_classifier")
