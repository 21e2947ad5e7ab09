"""The Sequence models page's "Show the code": the Keras model for the settings on screen
(Embedding, then Conv1D with global max pooling, an LSTM or GRU, or pooling; then Dense layers),
its token ids, its Embedding started from word vectors when chosen, and its training."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.classifier.snippets import data_code, fit_code
from core.classifier.train import ClassifierSettings
from core.data.snippets import script, settings_call
from core.nn.networks import optimizer_code

if TYPE_CHECKING:
    from core.embeddings.vectors import VectorSet

IDS_COMMENT = "  # token ids; 0 pads, 1 is an unknown word"


def embedding_line(settings: ClassifierSettings, from_vectors: bool) -> str:
    """The ``keras.layers.Embedding(...)`` call: masking for pooling and recurrent layers, the
    start from ``start.matrix`` and ``trainable=False`` when frozen."""
    sequence = settings.sequence
    options = [
        "len(featurizer.vocabulary)",
        str(settings.features.embedding_dim),
    ]
    if sequence.masks_padding:
        options.append("mask_zero=True")
    if from_vectors:
        options.append("embeddings_initializer=keras.initializers.Constant(start.matrix)")
        if sequence.freeze_embedding:
            options.append("trainable=False")
    options.append('name="embedding"')
    return f"keras.layers.Embedding({', '.join(options)})"


def reader_lines(settings: ClassifierSettings) -> list[str]:
    """The layers between the Embedding and the Dense layers, for one branch."""
    sequence = settings.sequence
    if sequence.kind == "pooled":
        return ["keras.layers.GlobalAveragePooling1D(),  # the mean of the words' vectors"]
    if sequence.kind == "cnn":
        size = sequence.kernel_sizes[0]
        return [
            f'keras.layers.Conv1D({sequence.filters}, {size}, activation="relu"),'
            f"  # {sequence.filters} filters over {size} words at a time",
            "keras.layers.GlobalMaxPooling1D(),  # each filter's strongest response",
        ]
    layer = "LSTM" if sequence.kind == "lstm" else "GRU"
    # The defaults (tanh, sigmoid gate, no recurrent dropout) keep TensorFlow's cuDNN kernel.
    recurrent = f"keras.layers.{layer}({sequence.units})"
    if sequence.bidirectional:
        return [f"keras.layers.Bidirectional({recurrent}),  # forwards and backwards"]
    return [f"{recurrent},  # its state after the last word"]


def head_lines(settings: ClassifierSettings, n_classes: int) -> list[str]:
    """The Dense layers (with dropout) and the output layer."""
    lines = []
    for layer in settings.hidden:
        lines.append(f'keras.layers.Dense({layer.units}, activation="{layer.activation}"),')
        if layer.dropout:
            lines.append(f"keras.layers.Dropout({layer.dropout}),")
    if n_classes == 2:
        lines.append('keras.layers.Dense(1, activation="sigmoid"),')
    else:
        lines.append(f'keras.layers.Dense({n_classes}, activation="softmax"),')
    return lines


def compile_line(settings: ClassifierSettings, n_classes: int) -> str:
    loss = "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy"
    return (
        f'model.compile(optimizer={optimizer_code(settings.optimizer)}, loss="{loss}", '
        'metrics=["accuracy"])'
    )


def sequence_model_code(
    settings: ClassifierSettings, n_classes: int, from_vectors: bool = False
) -> str:
    """``model = ...`` and ``compile`` for ``settings``: a ``keras.Sequential``, or for several
    kernel sizes a functional ``keras.Model`` with one convolution branch per size."""
    length = settings.features.sequence_length
    sequence = settings.sequence
    embedding = embedding_line(settings, from_vectors)
    if sequence.kind == "cnn" and len(sequence.kernel_sizes) > 1:
        head = "".join(f"h = {line.rstrip(',')}(h)\n" for line in head_lines(settings, n_classes))
        return (
            f'inputs = keras.Input(shape=({length},), dtype="int32"){IDS_COMMENT}\n'
            f"embedded = {embedding}(inputs)\n"
            "branches = [  # one convolution per kernel size, side by side\n"
            "    keras.layers.GlobalMaxPooling1D()(\n"
            f'        keras.layers.Conv1D({sequence.filters}, size, activation="relu")(embedded)\n'
            "    )\n"
            f"    for size in {sequence.kernel_sizes!r}\n"
            "]\n"
            "h = keras.layers.Concatenate()(branches)\n"
            f"{head}"
            "model = keras.Model(inputs, h)\n" + compile_line(settings, n_classes)
        )
    layers = [
        f'keras.Input(shape=({length},), dtype="int32"),{IDS_COMMENT}',
        f"{embedding},",
        *reader_lines(settings),
        *head_lines(settings, n_classes),
    ]
    body = "".join(f"    {line}\n" for line in layers)
    return f"model = keras.Sequential([\n{body}])\n" + compile_line(settings, n_classes)


def sequence_classifier_code(
    settings: ClassifierSettings,
    values: Mapping[str, Any],
    n_classes: int,
    word_vectors: VectorSet | None = None,
) -> str:
    """The page's whole run for ``settings`` on the data the link ``values`` choose: token ids
    from the app's tokenizer, the Embedding started from ``word_vectors`` when given, the
    model, its training and its test accuracy."""
    imports, split = data_code(values)
    imports += [
        "import keras",
        "import numpy as np",
        ("core.classifier.features", "fit_featurizer"),
    ]
    names: set[tuple[str, str]] = set()
    features = settings_call(settings.features, names)
    imports += sorted(names)
    blocks = [f"keras.utils.set_random_seed({settings.seed})\n{split}"]
    prepare = (
        f"featurizer = fit_featurizer({features}, split.train_texts)"
        "  # the vocabulary of the training texts\n"
        f"x, y = featurizer.transform(split.train_texts), split.y_train"
        f"  # ids padded or cut to {settings.features.sequence_length}"
    )
    if word_vectors is not None:
        from core.embeddings.snippets import vector_set_code

        more, make = vector_set_code(word_vectors)
        imports += [*more, ("core.classifier.sequence_input", "embedding_start")]
        blocks.insert(0, make)
        prepare += (
            "\nstart = embedding_start(featurizer, split.train_texts, vector_set.vectors)"
            "\nprint(start.coverage.summary())  # words without a vector start at random"
        )
    if settings.validation_split:
        imports.append(("core.classifier.train", "validation_split"))
        prepare += (
            f"\ntrain, val = validation_split(y, {settings.validation_split}, "
            f"seed={settings.seed})  # stratified"
        )
    if settings.class_weight:
        imports.append(("core.classifier.train", "class_weights"))
    decide = "(p[:, 0] >= 0.5).astype(int)" if n_classes == 2 else "p.argmax(axis=1)"
    test = (
        "p = model.predict(featurizer.transform(split.test_texts), verbose=0)\n"
        f"predicted = {decide}\n"
        'print("test accuracy:", np.mean(predicted == split.y_test))'
    )
    model = sequence_model_code(settings, n_classes, word_vectors is not None)
    blocks += [prepare, model, fit_code(settings, n_classes), test]
    return script(imports, *blocks)
