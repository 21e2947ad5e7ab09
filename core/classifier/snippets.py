"""The classifier pages' "Show the code": training as the slide writes it, trying, and bundles.

:func:`classifier_code` is the Train page's network and training for the settings on screen,
written out as ``keras.Sequential([...Dense...])`` on the features ``core`` fits. The Try and
Bundles pages start from the session's classifier (:func:`trained_code`): trained again with its
settings on its data, or read from the bundle it was loaded from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.classifier.features import FEATURE_KINDS
from core.classifier.settings_fields import DATA_CODES, FIELDS
from core.classifier.splits import group_split_description, share_split_description
from core.classifier.steering import LR_FACTOR, cuts_learning_rate, lr_patience
from core.classifier.train import ClassifierResult, ClassifierSettings
from core.data.datasets import YOUTUBE_VIDEOS
from core.data.snippets import script, settings_call
from core.nn.networks import optimizer_code

if TYPE_CHECKING:
    from core.classifier.train import TrainedClassifier
    from core.embeddings.vectors import VectorSet

Imports = list[tuple[str, str] | str]
SPLITS = "core.classifier.splits"
DATASETS = "core.data.datasets"
UPLOADED_FILE = "your_file.csv"
BUNDLE_FILE = "deep-text-lab-classifier.zip"  # the Save and load page's download
EXAMPLE_TEXTS = ["Check out my channel and subscribe!", "I love this song"]


def data_code(values: Mapping[str, Any]) -> tuple[Imports, str]:
    """The imports and the line that make ``split`` for the data choices in ``values`` (the
    Train page's link values: ``data``, ``split``, ``video`` and ``test_share``)."""
    if values["data"] == "youtube" and values["split"] == "one video":
        return [(DATASETS, "youtube_spam"), (SPLITS, "split_by_group")], (
            f"split = split_by_group(youtube_spam(), {values['video']!r})"
            "  # train on the other videos, test on this one"
        )
    share = f"test_size={float(values['test_share'])!r}, seed=0"
    imports: Imports = [(SPLITS, "stratified_split")]
    if values["data"] == "youtube":
        imports.append((DATASETS, "youtube_spam"))
        return imports, f"split = stratified_split(youtube_spam(), {share})"
    if values["data"] == "pang_lee":
        imports.append((DATASETS, "pang_lee_polarity"))
        return imports, f"split = stratified_split(pang_lee_polarity(), {share})"
    imports.append(("core.data.reading", "parse_upload"))
    return imports, (
        f"data = parse_upload({UPLOADED_FILE!r}, open({UPLOADED_FILE!r}, 'rb').read(), "
        'want="labelled")\n'
        f"split = stratified_split(data, {share})"
    )


def _embedding_line(settings: ClassifierSettings, from_vectors: bool) -> str:
    """The ``Embedding`` layer of token-id features, started from ``start.matrix`` when the
    code builds it from word vectors, frozen when the settings say so."""
    features, sequence = settings.features, settings.sequence
    options = [f"mask_zero={sequence.masks_padding}"]
    if from_vectors:
        options.append("weights=[start.matrix]")
    if sequence.freeze_embedding:
        options.append("trainable=False")
    return (
        f"keras.layers.Embedding(len(featurizer.vocabulary), {features.embedding_dim}, "
        f"{', '.join(options)})"
    )


def _sequence_layers(settings: ClassifierSettings) -> list[str]:
    """The layers between the ``Embedding`` and the Dense layers (one kernel size)."""
    sequence = settings.sequence
    if sequence.kind == "pooled":
        return ["keras.layers.GlobalAveragePooling1D(),  # the mean of the words' vectors"]
    if sequence.kind == "cnn":
        (size,) = sequence.kernel_sizes
        return [
            f'keras.layers.Conv1D({sequence.filters}, {size}, activation="relu"),'
            f"  # {size} words at a time",
            "keras.layers.GlobalMaxPooling1D(),  # each filter's strongest response",
        ]
    layer = f"keras.layers.{sequence.kind.upper()}({sequence.units})"
    if sequence.bidirectional:
        layer = f"keras.layers.Bidirectional({layer})"
    return [f"{layer},  # tanh and sigmoid gates, so cuDNN runs it on a GPU"]


def _token_input(settings: ClassifierSettings) -> str:
    return (
        f'keras.Input(shape=({settings.features.sequence_length},), dtype="int32")'
        "  # token ids; 0 pads, 1 is an unknown word"
    )


def _input_layers(settings: ClassifierSettings, from_vectors: bool = False) -> list[str]:
    features = settings.features
    if features.kind == "embedding":
        return [
            _token_input(settings).replace("  #", ",  #", 1),
            _embedding_line(settings, from_vectors) + ",",
            *_sequence_layers(settings),
        ]
    if features.kind == "word2vec":
        return ["keras.Input(shape=(x.shape[1],)),  # the mean word2vec vector of a text"]
    return ["keras.Input(shape=(x.shape[1],), sparse=True),  # one column per term"]


def _head_layers(settings: ClassifierSettings, n_classes: int) -> tuple[list[str], str]:
    """The Dense (and Dropout) layers and the output layer, and the loss."""
    mixed = ', dtype="mixed_float16"' if settings.mixed_precision else ""
    layers = []
    for layer in settings.hidden:
        penalty = f", kernel_regularizer=keras.regularizers.L2({layer.l2:g})" if layer.l2 else ""
        layers.append(
            f'keras.layers.Dense({layer.units}, activation="{layer.activation}"{penalty}{mixed}),'
        )
        if layer.dropout:
            layers.append(f"keras.layers.Dropout({layer.dropout}),")
    if n_classes == 2:
        layers.append('keras.layers.Dense(1, activation="sigmoid"),')
        return layers, "binary_crossentropy"
    layers.append(f'keras.layers.Dense({n_classes}, activation="softmax"),')
    return layers, "sparse_categorical_crossentropy"


def _branches_code(settings: ClassifierSettings, head: list[str], from_vectors: bool) -> str:
    """A functional model: one ``Conv1D`` branch per kernel size, concatenated, then ``head``
    (its tensors are ``h``: ``x`` holds the data)."""
    sequence = settings.sequence
    layers = "".join(f"    {line}\n" for line in head)
    return (
        f"inputs = {_token_input(settings)}\n"
        f"embedded = {_embedding_line(settings, from_vectors)}(inputs)\n"
        "h = keras.layers.Concatenate()([  # parallel branches, one per kernel size\n"
        "    keras.layers.GlobalMaxPooling1D()(\n"
        f'        keras.layers.Conv1D({sequence.filters}, size, activation="relu")(embedded)\n'
        "    )\n"
        f"    for size in {sequence.kernel_sizes}\n"
        "])\n"
        f"for layer in [\n{layers}]:\n"
        "    h = layer(h)\n"
        "model = keras.Model(inputs, h)\n"
    )


def model_code(settings: ClassifierSettings, n_classes: int, from_vectors: bool = False) -> str:
    """``keras.Sequential([...])`` and ``compile`` for ``settings``, as the app builds it
    (a functional ``keras.Model`` for a convolution with several kernel sizes).
    ``from_vectors``: the ``Embedding`` starts from ``start.matrix``, built earlier."""
    head, loss = _head_layers(settings, n_classes)
    sequence = settings.sequence
    if (
        settings.features.kind == "embedding"
        and len(sequence.kernel_sizes) > 1
        and (sequence.kind == "cnn")
    ):
        build = _branches_code(settings, head, from_vectors)
    else:
        body = "".join(f"    {line}\n" for line in [*_input_layers(settings, from_vectors), *head])
        build = f"model = keras.Sequential([\n{body}])\n"
    return (
        build + f'model.compile(optimizer={optimizer_code(settings.optimizer)}, loss="{loss}", '
        'metrics=["accuracy"])'
    )


def fit_code(settings: ClassifierSettings, n_classes: int) -> str:
    """``model.fit`` with the page's stratified validation, early stopping and class weights."""
    rows, arguments = "x, y", []
    if settings.validation_split:
        rows = "x[train], y[train]"
        arguments.append("validation_data=(x[val], y[val]),")
    arguments.append(f"epochs={settings.epochs}, batch_size={settings.batch_size},")
    if settings.class_weight:
        weighed = "y[train]" if settings.validation_split else "y"
        arguments.append(f"class_weight=class_weights({weighed}, {n_classes}),  # rarer, heavier")
    if settings.validation_split:
        cut = []
        if cuts_learning_rate(settings.features.input_kind):
            cut = [
                f'    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor={LR_FACTOR}, '
                f"patience={lr_patience(settings.patience)}),"
            ]
        arguments += [
            "callbacks=[",
            *cut,
            '    keras.callbacks.EarlyStopping(monitor="val_loss", '
            f"patience={settings.patience}, restore_best_weights=True),",
            "],",
        ]
    lines = "".join(f"    {argument}\n" for argument in [f"{rows},", *arguments, "verbose=0,"])
    return f"model.fit(\n{lines})"


def classifier_code(
    settings: ClassifierSettings,
    values: Mapping[str, Any],
    n_classes: int,
    word_vectors: VectorSet | None = None,
) -> str:
    """The Train page's network and training for ``settings`` on the data ``values`` choose
    (its link values), with ``n_classes`` classes and, for word2vec features, the session's
    ``word_vectors`` (``None`` trains word2vec on the training texts)."""
    imports, split = data_code(values)
    imports += [
        "import keras",
        "import numpy as np",
        ("core.classifier.features", "fit_featurizer"),
    ]
    names: set[tuple[str, str]] = set()
    kind = settings.features.kind
    from_vectors = kind == "embedding" and word_vectors is not None
    if from_vectors:  # the Embedding's size follows the vectors, as in training
        dim = int(word_vectors.vectors.vector_size)
        settings = replace(settings, features=replace(settings.features, embedding_dim=dim))
    features = settings_call(settings.features, names)
    imports += sorted(names)
    blocks = [f"keras.utils.set_random_seed({settings.seed})\n{split}"]
    vectors = ""
    if kind in ("word2vec", "embedding") and word_vectors is not None:
        from core.embeddings.snippets import vector_set_code

        more, make = vector_set_code(word_vectors)
        imports += more
        blocks.insert(0, make)
        vectors = ", word_vectors=vector_set.vectors" if kind == "word2vec" else ""
    if settings.validation_split:
        imports.append(("core.classifier.train", "validation_split"))
    if settings.class_weight:
        imports.append(("core.classifier.train", "class_weights"))
    prepare = (
        f"featurizer = fit_featurizer({features}, split.train_texts{vectors})"
        f"  # {FEATURE_KINDS[settings.features.kind]}, fitted on the training texts only\n"
        "x, y = featurizer.transform(split.train_texts), split.y_train"
    )
    if from_vectors:
        imports.append(("core.classifier.sequence_input", "embedding_start"))
        prepare += (
            "\nstart = embedding_start(featurizer, split.train_texts, vector_set.vectors)"
            "  # known words start from their vectors"
        )
    if settings.validation_split:
        prepare += (
            f"\ntrain, val = validation_split(y, {settings.validation_split}, "
            f"seed={settings.seed})  # stratified; Keras's own takes the last rows"
        )
    decide = "(p[:, 0] >= 0.5).astype(int)" if n_classes == 2 else "p.argmax(axis=1)"
    test = (
        "p = model.predict(featurizer.transform(split.test_texts), verbose=0)\n"
        f"predicted = {decide}\n"
        'print("test accuracy:", np.mean(predicted == split.y_test))'
    )
    model = model_code(settings, n_classes, from_vectors)
    blocks += [prepare, model, fit_code(settings, n_classes), test]
    return script(imports, *blocks)


# ---------------------------------------------------------------- the session's classifier


def data_values(dataset: str | None, description: str) -> dict[str, Any] | None:
    """The Train page's data choices that gave a split: ``dataset`` as the page names it and
    the split's ``description``; ``None`` when they cannot be told."""
    codes = {name: code for code, name in DATA_CODES.items()}
    if dataset not in codes:
        return None
    values = {"data": codes[dataset], "split": "a random share", "video": "", "test_share": 0}
    for video in YOUTUBE_VIDEOS:
        if description == group_split_description(video):
            return {**values, "split": "one video", "video": video}
    share = FIELDS["test_share"]
    for step in range(round((share.high - share.low) / share.step) + 1):
        test_share = round(share.low + step * share.step, 2)
        if description == share_split_description(test_share):
            return {**values, "test_share": test_share}
    return None


def trained_code(trained: TrainedClassifier | None) -> tuple[Imports, str]:
    """The imports and lines that make ``trained`` again: trained with its settings on its data,
    or read from the bundle it was loaded from. With no classifier, or one whose data cannot be
    told (an upload, word vectors of the session), from the bundle Save and load models saves."""
    load = [("core.classifier.bundle", "import_bundle")]
    saved = (
        "# A classifier saved with Download the bundle on Save and load models\n"
        f"trained = import_bundle(open({BUNDLE_FILE!r}, 'rb').read())"
    )
    if trained is None:
        return load, saved
    record = trained.record
    result = record.result
    if isinstance(result, ClassifierResult) and result.word_vectors is None:
        values = data_values(record.settings.get("data"), result.split.description)
        if values is not None:
            imports, split = data_code(values)
            names: set[tuple[str, str]] = set()
            settings = settings_call(trained.settings, names)
            return [*imports, ("core.classifier.train", "train_classifier"), *sorted(names)], (
                f"{split}\ntrained = train_classifier(split, {settings})"
            )
    prefix = "imported from "
    if record.message.startswith(prefix):
        name = record.message.removeprefix(prefix)
        return load, f"trained = import_bundle(open({name!r}, 'rb').read(), {name!r})"
    return load, saved


def try_code(
    trained: TrainedClassifier,
    text: str,
    method: str,
    target: str | None,
    scale: str = "log_odds",
) -> str:
    """The probabilities of ``text`` and each word's part in them (``method`` is
    ``occlusion`` or ``gradient``), for the class ``target`` or, with ``None``, the predicted one,
    measured on ``scale`` (``log_odds`` or ``probability``)."""
    imports, make = trained_code(trained)
    explain = "occlusion" if method == "occlusion" else "gradient_x_input"
    contributions = "core.classifier.contributions"
    return script(
        [*imports, (contributions, "class_probabilities"), (contributions, explain)],
        make,
        f"""text = {text!r}
print(class_probabilities(trained, text))  # [(class, probability), ...] most likely first
# target None: the predicted class; scale "log_odds" or "probability"
for word in {explain}(trained, text, target={target!r}, scale={scale!r}):
    print(word.word, round(word.contribution, 4))""",
    )


def bundle_code(trained: TrainedClassifier | None) -> str:
    """A classifier saved as a bundle and loaded back safely, and the ``.keras`` export; with
    no classifier, a saved bundle loaded."""
    imports, make = trained_code(trained)
    if trained is None:
        return script(
            imports,
            make,
            "# Loading checked its size and names, then the spec against the schema, rebuilt the\n"
            "# network with the app's builder, and only then put the weights in\n"
            f"print(trained.label_names, trained.predict({EXAMPLE_TEXTS!r}))",
        )
    return script(
        [
            *imports,
            ("core.classifier.bundle", "import_bundle"),
            ("core.classifier.bundle_export", "export_bundle"),
            ("core.classifier.bundle_export", "export_keras"),
        ],
        make,
        f"""bundle = export_bundle(trained)  # zip bytes: spec.json and the weights as arrays
# Loading checks sizes and names, then the spec against the schema, rebuilds, then the weights
loaded = import_bundle(bundle, {BUNDLE_FILE!r})
texts = {EXAMPLE_TEXTS!r}
assert loaded.predict(texts) == trained.predict(texts)
keras_file = export_keras(trained)  # for Keras elsewhere; the app never loads it back
# To keep them: open({BUNDLE_FILE!r}, "wb").write(bundle)""",
    )
