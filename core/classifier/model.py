"""The classifier network: ``keras.Sequential([Input, (Embedding, sequence layer), Dense…, output])``.

For token ids the sequence layer is global average pooling (order-blind), ``Conv1D`` with global
max pooling, or an ``LSTM`` or ``GRU`` (optionally ``Bidirectional``). Keras is imported inside
the functions, so the same code runs on TensorFlow and JAX.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.classifier.features import InputKind
from core.nn.networks import DenseLayer

SequenceKind = Literal["pooled", "cnn", "lstm", "gru"]
SEQUENCE_KINDS: dict[str, str] = {
    "pooled": "Pooled embeddings (order-blind)",
    "cnn": "Convolution (Conv1D, global max pooling)",
    "lstm": "LSTM",
    "gru": "GRU",
}
RECURRENT_KINDS = ("lstm", "gru")


@dataclass(frozen=True)
class SequenceLayer:
    """What reads the embedded token sequence, as plain data a bundle stores.

    ``pooled`` averages the word vectors (word order is lost); ``cnn`` runs ``filters``
    ``Conv1D`` filters of each size in ``kernel_sizes`` (several sizes are parallel branches,
    concatenated) with global max pooling; ``lstm`` and ``gru`` have ``units`` units and may be
    ``bidirectional``. ``freeze_embedding`` keeps the ``Embedding`` rows as they started
    (``trainable=False``), which only makes sense when they start from word vectors.
    """

    kind: SequenceKind = "pooled"
    filters: int = 64
    kernel_sizes: tuple[int, ...] = (3,)
    units: int = 32
    bidirectional: bool = False
    freeze_embedding: bool = False

    def __post_init__(self) -> None:
        if self.kind not in SEQUENCE_KINDS:
            raise ValueError(f"unknown sequence layer {self.kind!r}")
        if not 1 <= self.filters <= 1_024 or not 1 <= self.units <= 1_024:
            raise ValueError("filters and units must be from 1 to 1,024")
        sizes = self.kernel_sizes
        if not 1 <= len(sizes) <= 4 or not all(1 <= k <= 20 for k in sizes):
            raise ValueError("kernel_sizes must hold 1 to 4 sizes, each from 1 to 20")
        if len(set(sizes)) != len(sizes):
            raise ValueError("kernel_sizes must not repeat a size")
        if self.bidirectional and self.kind not in RECURRENT_KINDS:
            raise ValueError("bidirectional applies to lstm and gru only")

    @property
    def output_width(self) -> int:
        """How many numbers the layer hands to the first Dense layer (embedding_dim for
        ``pooled``, which keeps the embedding width)."""
        if self.kind == "cnn":
            return self.filters * len(self.kernel_sizes)
        return self.units * (2 if self.bidirectional else 1)

    @property
    def masks_padding(self) -> bool:
        """Whether the ``Embedding`` masks padding: pooling and recurrent layers skip the
        padded steps; ``Conv1D`` takes no mask (padding reaches it as the zero id's row)."""
        return self.kind != "cnn"


@dataclass(frozen=True)
class ClassifierNet:
    """The network's shape, as plain data: what the builder needs and a bundle stores.

    ``input_dim`` is the number of features, or the sequence length for ``sequence`` input,
    where ``vocab_size`` and ``embedding_dim`` size the ``Embedding`` layer and ``sequence``
    says what reads the embedded tokens.
    """

    input_kind: InputKind
    input_dim: int
    n_classes: int
    hidden: tuple[DenseLayer, ...] = (DenseLayer(64, "relu", dropout=0.5, l2=1e-5),)
    vocab_size: int = 0
    embedding_dim: int = 0
    sequence: SequenceLayer = SequenceLayer()

    def __post_init__(self) -> None:
        if self.input_kind not in ("sparse", "dense", "sequence"):
            raise ValueError(f"unknown input kind {self.input_kind!r}")
        if not 1 <= self.input_dim <= 5_000_000:
            raise ValueError("input_dim must be from 1 to 5,000,000")
        if not 2 <= self.n_classes <= 1_000:
            raise ValueError("a classifier needs from 2 to 1,000 classes")
        if self.input_kind == "sequence" and (self.vocab_size < 3 or self.embedding_dim < 1):
            raise ValueError("sequence input needs vocab_size >= 3 and embedding_dim >= 1")
        if self.input_kind != "sequence" and self.sequence != SequenceLayer():
            raise ValueError("a sequence layer needs token-id (sequence) input")
        if self.sequence.kind == "cnn" and max(self.sequence.kernel_sizes) > self.input_dim:
            raise ValueError("a convolution's kernel cannot be longer than the sequence")
        if len(self.hidden) > 8:
            raise ValueError("at most 8 hidden layers")

    @property
    def output_units(self) -> int:
        return 1 if self.n_classes == 2 else self.n_classes

    @property
    def loss(self) -> str:
        return "binary_crossentropy" if self.n_classes == 2 else "sparse_categorical_crossentropy"

    @property
    def sequence_width(self) -> int:
        """The width of what the sequence layer hands on (for ``sequence`` input)."""
        if self.sequence.kind == "pooled":
            return self.embedding_dim
        return self.sequence.output_width


def build_classifier_model(
    net: ClassifierNet, seed: int | None = None, mixed_precision: bool = False
):
    """``keras.Sequential``: Input → (Embedding → sequence layer) → Dense… → output.

    Sparse input stays sparse: Keras feeds SciPy CSR batches to the first ``Dense`` layer as
    sparse tensors. The output is one sigmoid unit for two classes, else a softmax, always in
    float32. ``mixed_precision`` computes the hidden layers in float16 (for GPUs); it is set per
    layer, not through Keras's global policy, which other users' runs on the server share.
    A convolution with several kernel sizes has parallel branches, so it is a functional
    ``keras.Model`` with the same layers in the same order.
    """
    import keras

    dtype = "mixed_float16" if mixed_precision else None

    def init(offset: int):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    head: list = []
    for index, layer in enumerate(net.hidden, start=1):
        head.append(
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
            head.append(
                keras.layers.Dropout(layer.dropout, seed=seed, dtype=dtype, name=f"dropout_{index}")
            )
    head.append(
        keras.layers.Dense(
            net.output_units,
            activation="sigmoid" if net.n_classes == 2 else "softmax",
            kernel_initializer=init(0),
            dtype="float32",  # keeps the probabilities in float32 under mixed precision
            name="output",
        )
    )
    if net.input_kind != "sequence":
        first = keras.Input(shape=(net.input_dim,), sparse=net.input_kind == "sparse")
        return keras.Sequential([first, *head], name="text_classifier")
    inputs = keras.Input(shape=(net.input_dim,), dtype="int32")
    embedding = keras.layers.Embedding(
        net.vocab_size,
        net.embedding_dim,
        mask_zero=net.sequence.masks_padding,
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
        trainable=not net.sequence.freeze_embedding,
        dtype=dtype,
        name="embedding",
    )
    if net.sequence.kind == "cnn" and len(net.sequence.kernel_sizes) > 1:
        embedded = embedding(inputs)
        branches = [
            keras.layers.GlobalMaxPooling1D(dtype=dtype, name=f"pooling_{size}")(conv(embedded))
            for size, conv in zip(
                net.sequence.kernel_sizes, conv_layers(net, seed, dtype), strict=True
            )
        ]
        x = keras.layers.Concatenate(dtype=dtype, name="concatenate")(branches)
        for layer in head:
            x = layer(x)
        return keras.Model(inputs, x, name="text_classifier")
    return keras.Sequential(
        [inputs, embedding, *sequence_layers(net, seed, dtype), *head], name="text_classifier"
    )


def conv_layers(net: ClassifierNet, seed: int | None, dtype) -> list:
    """One ``Conv1D`` (relu, ``filters`` filters) per kernel size of ``net.sequence``."""
    import keras

    return [
        keras.layers.Conv1D(
            net.sequence.filters,
            size,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(
                seed=None if seed is None else seed + 100 + size
            ),
            dtype=dtype,
            name=f"conv_{size}",
        )
        for size in net.sequence.kernel_sizes
    ]


def recurrent_layer(net: ClassifierNet, seed: int | None, dtype, backwards: bool = False):
    """An ``LSTM`` or ``GRU`` with exactly the settings for which TensorFlow uses its cuDNN
    kernel on a GPU (tanh, sigmoid gate, no recurrent dropout, not unrolled, with bias; GRU
    with ``reset_after``); a mask from right-padded sequences keeps it on that kernel."""
    import keras

    layer = keras.layers.LSTM if net.sequence.kind == "lstm" else keras.layers.GRU
    offset = 200 if backwards else 300
    options = {"reset_after": True} if net.sequence.kind == "gru" else {}
    return layer(
        net.sequence.units,
        activation="tanh",
        recurrent_activation="sigmoid",
        recurrent_dropout=0.0,
        unroll=False,
        use_bias=True,
        go_backwards=backwards,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=None if seed is None else seed + offset
        ),
        recurrent_initializer=keras.initializers.Orthogonal(
            seed=None if seed is None else seed + offset + 1
        ),
        dtype=dtype,
        name=f"{net.sequence.kind}{'_backward' if backwards else ''}",
        **options,
    )


def sequence_layers(net: ClassifierNet, seed: int | None, dtype) -> list:
    """The layers between the ``Embedding`` and the first ``Dense`` layer, for one branch."""
    import keras

    kind = net.sequence.kind
    if kind == "pooled":
        return [keras.layers.GlobalAveragePooling1D(dtype=dtype, name="pooling")]
    if kind == "cnn":
        return [
            *conv_layers(net, seed, dtype),
            keras.layers.GlobalMaxPooling1D(dtype=dtype, name="pooling"),
        ]
    if not net.sequence.bidirectional:
        return [recurrent_layer(net, seed, dtype)]
    # The backward layer is given, not copied from the forward one, so the two directions
    # start from different (seeded) weights.
    return [
        keras.layers.Bidirectional(
            recurrent_layer(net, seed, dtype),
            backward_layer=recurrent_layer(net, seed, dtype, backwards=True),
            dtype=dtype,
            name="bidirectional",
        )
    ]
