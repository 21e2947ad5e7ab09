"""Text classification with Keras: splits, features, the network and its training.

The flow a page or the CLI follows:

1. a :class:`TextSplit` of labelled text (:func:`split_by_group` for leave-one-video-out on the
   YouTube set, :func:`stratified_split` for any labelled upload);
2. a :class:`Featurizer` fitted on the training texts only (:func:`fit_featurizer`): bag of
   words or TF-IDF (sparse all the way into Keras), the mean word2vec vector of a document,
   or token ids for a trainable ``Embedding`` layer;
3. a :class:`ClassifierNet`, built by :func:`build_classifier_model` as
   ``keras.Sequential([Input, (Embedding, pooling), Dense…, output])``;
4. :func:`train_classifier`, which trains it live (stop flag, ``TerminateOnNaN``,
   ``EarlyStopping`` on a stratified validation split, class weights) and returns a
   :class:`TrainedClassifier` that predicts probabilities for new texts.

Keras, scikit-learn and gensim are imported inside the functions.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from core.datasets import DataError, LabelledText
from core.networks import DenseLayer, OptimizerSpec, make_optimizer
from core.text import TextSettings, build_analyzer, make_vectorizer
from core.training import RunRecord, StopFlag, fit_live, seed_everything, training_device
from core.word2vec import Word2VecSettings

FeatureKind = Literal["tfidf", "bow", "word2vec", "embedding"]
InputKind = Literal["sparse", "dense", "sequence"]
FEATURE_KINDS: dict[str, str] = {
    "tfidf": "TF-IDF (sparse)",
    "bow": "Bag of words: counts (sparse)",
    "word2vec": "Mean word2vec vector",
    "embedding": "Trainable Embedding layer",
}
# Labels taken as "the positive class" of a binary problem, so metrics such as recall are about it.
POSITIVE_LABELS = ("spam", "pos", "positive", "1", "true", "yes", "toxic", "relevant")
PAD, OOV = 0, 1  # ids reserved in token sequences


# ---------------------------------------------------------------- splits


def label_order(labels: Sequence[str]) -> tuple[str, ...]:
    """The class names in a fixed order: sorted, except that in a binary problem a familiar
    positive label (``spam``, ``pos``, ``1``…) comes last, so it is class 1."""
    names = sorted(set(labels))
    if len(names) == 2:
        positive = [n for n in names if n.strip().lower() in POSITIVE_LABELS]
        if len(positive) == 1:
            names.remove(positive[0])
            names.append(positive[0])
    return tuple(names)


@dataclass(frozen=True)
class TextSplit:
    """Training and test texts with their labels; ``label_names[i]`` is class ``i``."""

    train_texts: tuple[str, ...]
    train_labels: tuple[str, ...]
    test_texts: tuple[str, ...]
    test_labels: tuple[str, ...]
    label_names: tuple[str, ...]
    description: str

    def __post_init__(self) -> None:
        unknown = (set(self.train_labels) | set(self.test_labels)) - set(self.label_names)
        if unknown:
            raise DataError(f"Labels {sorted(unknown)} are not among the classes.")
        if not self.train_texts or not self.test_texts:
            raise DataError(
                "The split left no training or no test texts.",
                "Use a larger file or a different test share.",
            )

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def encode(self, labels: Sequence[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(self.label_names)}
        return np.array([index[label] for label in labels], dtype=np.int32)

    @property
    def y_train(self) -> np.ndarray:
        return self.encode(self.train_labels)

    @property
    def y_test(self) -> np.ndarray:
        return self.encode(self.test_labels)


def split_by_group(data: LabelledText, test_group: str) -> TextSplit:
    """Train on every group but ``test_group`` (a YouTube video, say) and test on it."""
    if not data.groups:
        raise DataError("These texts have no groups to hold out.", "Use a random split instead.")
    if test_group not in data.groups:
        raise DataError(
            f"No texts from {test_group!r}.", f"Pick one of {sorted(set(data.groups))}."
        )
    train = [i for i, g in enumerate(data.groups) if g != test_group]
    test = [i for i, g in enumerate(data.groups) if g == test_group]
    return _split(data, train, test, f"trained on every group but {test_group}, tested on it")


def leave_one_group_out(data: LabelledText) -> list[TextSplit]:
    """One split per group, each holding that group out (5 folds on the YouTube set)."""
    return [split_by_group(data, group) for group in dict.fromkeys(data.groups)]


def stratified_split(data: LabelledText, test_size: float = 0.25, seed: int = 0) -> TextSplit:
    """A random split that keeps each class's share the same in training and test."""
    from sklearn.model_selection import train_test_split

    if not 0.05 <= test_size <= 0.5:
        raise ValueError(f"test_size must be from 0.05 to 0.5, got {test_size!r}.")
    counts = Counter(data.labels)
    rare = [label for label, n in counts.items() if n < 2]
    if rare:
        raise DataError(
            f"Classes {rare} have a single text, so they cannot be in both training and test.",
            "Remove those rows or add more examples of them.",
        )
    indices = np.arange(len(data.texts))
    n_test = max(math.ceil(test_size * len(indices)), len(counts))
    train, test = train_test_split(
        indices, test_size=n_test, random_state=seed, stratify=list(data.labels)
    )
    return _split(
        data, sorted(train), sorted(test), f"random stratified split, {test_size:.0%} for test"
    )


def _split(data: LabelledText, train: list[int], test: list[int], description: str) -> TextSplit:
    return TextSplit(
        train_texts=tuple(data.texts[i] for i in train),
        train_labels=tuple(data.labels[i] for i in train),
        test_texts=tuple(data.texts[i] for i in test),
        test_labels=tuple(data.labels[i] for i in test),
        label_names=label_order(data.labels),
        description=description,
    )


# ---------------------------------------------------------------- features


@dataclass(frozen=True)
class FeatureSettings:
    """How texts become model inputs. ``analyzer`` is scikit-learn's: ``word`` uses the app's
    tokenizer (``text``), ``char_wb`` character n-grams inside word boundaries."""

    kind: FeatureKind = "tfidf"
    analyzer: Literal["word", "char_wb"] = "word"
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int = 1
    max_features: int = 50_000
    sublinear_tf: bool = True
    text: TextSettings = TextSettings()
    word2vec: Word2VecSettings = Word2VecSettings(
        vector_size=100, min_count=2, epochs=20, workers=1, compute_loss=False
    )
    max_tokens: int = 20_000  # vocabulary of the Embedding layer, PAD and OOV included
    sequence_length: int = 64
    embedding_dim: int = 64

    def __post_init__(self) -> None:
        if self.kind not in FEATURE_KINDS:
            raise ValueError(f"unknown feature kind {self.kind!r}")
        if self.analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {self.analyzer!r}")
        low, high = self.ngram_range
        if not 1 <= low <= high <= 6:
            raise ValueError("ngram_range must satisfy 1 <= min <= max <= 6")
        if self.min_df < 1 or self.max_features < 1:
            raise ValueError("min_df and max_features must be at least 1")
        if not 3 <= self.max_tokens <= 1_000_000:
            raise ValueError("max_tokens must be from 3 to 1,000,000")
        if not 1 <= self.sequence_length <= 2_000 or not 1 <= self.embedding_dim <= 1_024:
            raise ValueError("sequence_length must be 1-2,000 and embedding_dim 1-1,024")

    @property
    def input_kind(self) -> InputKind:
        return {"tfidf": "sparse", "bow": "sparse", "word2vec": "dense"}.get(self.kind, "sequence")


@dataclass
class Featurizer:
    """A fitted text → input transform. Everything needed to rebuild it is plain data
    (``vocabulary``, ``idf``, ``word_vectors``), so a model bundle can carry it as JSON and arrays."""

    settings: FeatureSettings
    vocabulary: list[str]
    idf: np.ndarray | None = None  # TF-IDF weights, one per vocabulary entry
    word_vectors: np.ndarray | None = None  # mean-word2vec rows, one per vocabulary entry
    _vectorizer: Any = field(default=None, repr=False)

    @property
    def input_kind(self) -> InputKind:
        return self.settings.input_kind

    @property
    def input_dim(self) -> int:
        """Columns of a sparse or dense input; the sequence length for token ids."""
        if self.input_kind == "sequence":
            return self.settings.sequence_length
        if self.input_kind == "dense":
            return int(self.word_vectors.shape[1])
        return len(self.vocabulary)

    def tokens(self, text: str) -> list[str]:
        """The word tokens of ``text`` as every word-based feature sees them."""
        return build_analyzer(replace(self.settings.text, ngram_range=(1, 1)))(text)

    def transform(self, texts: Sequence[str]):
        """Texts → CSR float32 (sparse), float32 rows (dense) or int32 ids (sequence)."""
        texts = list(texts)
        if self.input_kind == "sparse":
            return self._sklearn().transform(texts).astype(np.float32).tocsr()
        index = self._index()
        if self.input_kind == "dense":
            out = np.zeros((len(texts), self.word_vectors.shape[1]), dtype=np.float32)
            for row, text in enumerate(texts):
                ids = [index[t] for t in self.tokens(text) if t in index]
                if ids:
                    out[row] = self.word_vectors[ids].mean(axis=0)
            return out
        # Token ids: the job of keras.layers.TextVectorization, done here with the app's own
        # tokenizer so the model stays backend-agnostic and a bundle carries the vocabulary.
        length = self.settings.sequence_length
        out = np.full((len(texts), length), PAD, dtype=np.int32)
        for row, text in enumerate(texts):
            # A text with no tokens still gets one (OOV): an all-padding row would be fully
            # masked, and averaging over no positions gives NaN.
            ids = [index.get(t, OOV) for t in self.tokens(text)][:length] or [OOV]
            out[row, : len(ids)] = ids
        return out

    def _index(self) -> dict[str, int]:
        if getattr(self, "_index_cache", None) is None:
            self._index_cache = {word: i for i, word in enumerate(self.vocabulary)}
        return self._index_cache

    def _sklearn(self):
        if self._vectorizer is None:
            self._vectorizer = _sklearn_vectorizer(self.settings, vocabulary=self.vocabulary)
            if self.idf is not None:
                self._vectorizer.idf_ = np.asarray(self.idf, dtype=np.float64)
            else:  # counts need no statistics: a fixed vocabulary is the whole fit
                self._vectorizer.fit(self.vocabulary[:1])
        return self._vectorizer


def _sklearn_vectorizer(settings: FeatureSettings, vocabulary: Sequence[str] | None = None):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    limits = {} if vocabulary is not None else {
        "min_df": settings.min_df,
        "max_features": settings.max_features,
    }  # fmt: skip
    if settings.analyzer == "word":
        vectorizer = make_vectorizer(
            replace(settings.text, ngram_range=settings.ngram_range),
            "tfidf" if settings.kind == "tfidf" else "count",
            vocabulary=vocabulary,
            **limits,
        )
    else:
        common = {
            "analyzer": "char_wb",
            "ngram_range": settings.ngram_range,
            "lowercase": settings.text.lowercase,
            "vocabulary": list(vocabulary) if vocabulary is not None else None,
            **limits,
        }
        vectorizer = (
            TfidfVectorizer(**common) if settings.kind == "tfidf" else CountVectorizer(**common)
        )
    if settings.kind == "tfidf":
        vectorizer.set_params(sublinear_tf=settings.sublinear_tf)
    return vectorizer


def fit_featurizer(
    settings: FeatureSettings, texts: Sequence[str], word_vectors: Any = None
) -> Featurizer:
    """Fit the features on training ``texts`` only.

    For ``word2vec``, ``word_vectors`` (gensim ``KeyedVectors``) are used when given; otherwise
    word2vec is trained on the training texts with ``settings.word2vec``.
    Raises :class:`DataError` when no term survives (an empty vocabulary).
    """
    texts = list(texts)
    if settings.input_kind == "sparse":
        vectorizer = _sklearn_vectorizer(settings)
        try:
            vectorizer.fit(texts)
        except ValueError as error:
            raise DataError(
                "No terms were left to build features from.",
                "The texts may have no letters or digits, or min_df may be higher than the "
                f"number of texts containing any term ({error}).",
            ) from None
        vocabulary = [str(t) for t in vectorizer.get_feature_names_out()]
        idf = getattr(vectorizer, "idf_", None)
        return Featurizer(settings, vocabulary, idf=idf, _vectorizer=vectorizer)
    probe = Featurizer(settings, [])
    tokenized = [probe.tokens(t) for t in texts]
    if settings.kind == "word2vec":
        if word_vectors is None:
            from core.word2vec import train_word2vec

            word_vectors = train_word2vec([t for t in tokenized if t], settings.word2vec).vectors
        vocabulary = list(word_vectors.index_to_key)
        matrix = np.asarray(word_vectors.vectors, dtype=np.float32)
        return Featurizer(settings, vocabulary, word_vectors=matrix)
    counts = Counter(token for tokens in tokenized for token in tokens)
    if not counts:
        raise DataError("No words were found in the training texts.", "Check the text column.")
    kept = [w for w, n in counts.most_common() if n >= settings.min_df]
    vocabulary = ["<pad>", "<oov>", *kept[: settings.max_tokens - 2]]
    return Featurizer(settings, vocabulary)


# ---------------------------------------------------------------- the network


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


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class ClassifierSettings:
    """Everything a training run needs besides the data; the page's and the CLI's defaults."""

    features: FeatureSettings = FeatureSettings()
    hidden: tuple[DenseLayer, ...] = (DenseLayer(64, "relu", dropout=0.5),)
    optimizer: OptimizerSpec = OptimizerSpec("adam", 0.001)
    batch_size: int = 32
    epochs: int = 30
    class_weight: bool = True
    validation_split: float = 0.15
    patience: int = 3
    seed: int = 0
    mixed_precision: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= 65_536:
            raise ValueError("batch_size must be from 1 to 65,536")
        if not 1 <= self.epochs <= 1_000:
            raise ValueError("epochs must be from 1 to 1,000")
        if not 0.0 <= self.validation_split <= 0.5:
            raise ValueError("validation_split must be from 0 to 0.5")
        if self.patience < 1:
            raise ValueError("patience must be at least 1")


@dataclass
class TrainedClassifier:
    """A fitted featurizer and Keras model, with the class names and how it was trained."""

    featurizer: Featurizer
    model: Any
    label_names: tuple[str, ...]
    net: ClassifierNet
    settings: ClassifierSettings
    record: RunRecord
    timings: dict[str, float] = field(default_factory=dict)

    def predict_proba_features(self, x) -> np.ndarray:
        """Model inputs → class probabilities, one column per class (two for binary)."""
        p = np.asarray(self.model.predict(x, batch_size=1024, verbose=0), dtype=np.float64)
        if self.net.n_classes == 2:
            p = p.reshape(-1)
            return np.column_stack([1.0 - p, p])
        return p

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Texts → class probabilities, one column per class in ``label_names`` order."""
        return self.predict_proba_features(self.featurizer.transform(list(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.label_names[i] for i in self.predict_proba(texts).argmax(axis=1)]


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """``n / (k × count)`` per class: scikit-learn's "balanced" weights."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    return {i: float(len(y) / (n_classes * c)) if c else 0.0 for i, c in enumerate(counts)}


def validation_split(
    y: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Stratified training and validation indices, or ``None`` when too small to split.

    Keras's own ``validation_split`` takes the last rows, which in a file sorted by source
    (a video, a date) is not a sample of the rest.
    """
    from sklearn.model_selection import train_test_split

    n_classes = len(np.unique(y))
    n_val = math.ceil(share * len(y))
    if share <= 0 or n_val < n_classes or len(y) - n_val < n_classes:
        return None
    if np.bincount(y).min() < 2:
        return None
    train, val = train_test_split(np.arange(len(y)), test_size=n_val, random_state=seed, stratify=y)
    return np.sort(train), np.sort(val)


def make_net(
    featurizer: Featurizer, n_classes: int, hidden: tuple[DenseLayer, ...]
) -> ClassifierNet:
    """The network shape that fits ``featurizer``'s output."""
    sequence = featurizer.input_kind == "sequence"
    return ClassifierNet(
        input_kind=featurizer.input_kind,
        input_dim=featurizer.input_dim,
        n_classes=n_classes,
        hidden=hidden,
        vocab_size=len(featurizer.vocabulary) if sequence else 0,
        embedding_dim=featurizer.settings.embedding_dim if sequence else 0,
    )


def data_parallel_devices() -> list[str]:
    """The GPUs to spread each batch over with ``keras.distribution.DataParallel``.

    Only on the JAX backend and only with two or more GPUs; otherwise an empty list. On
    TensorFlow, ``MirroredStrategy`` fails on sparse input and multi-worker training fails in
    ``fit`` (keras-team/keras#20585), so TensorFlow trains on one device.
    """
    import keras

    if keras.backend.backend() != "jax":
        return []
    gpus = [d for d in keras.distribution.list_devices() if d.lower().startswith(("gpu", "cuda"))]
    return gpus if len(gpus) > 1 else []


def train_classifier(
    split: TextSplit,
    settings: ClassifierSettings = ClassifierSettings(),
    *,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    word_vectors: Any = None,
) -> TrainedClassifier:
    """Fit features on the training texts, then train the network live on them.

    Early stopping watches the validation loss and restores the best weights;
    ``TerminateOnNaN`` is always on (through :func:`~core.training.fit_live`). The returned
    classifier's ``record`` says how training ended; ``timings`` holds vectorize and train seconds.
    """
    import keras

    record = record or RunRecord(kind="classifier")
    timings: dict[str, float] = {}
    seed_everything(settings.seed)
    started = time.perf_counter()
    featurizer = fit_featurizer(settings.features, split.train_texts, word_vectors)
    x_all = featurizer.transform(split.train_texts)
    timings["vectorize"] = time.perf_counter() - started
    y_all = split.y_train
    net = make_net(featurizer, split.n_classes, settings.hidden)
    record.settings = record.settings or {"features": settings.features.kind}
    record.extra["input_shape"] = (len(split.train_texts), net.input_dim)

    # DataParallel on JAX cannot place SciPy sparse batches on several devices; those runs use
    # one device here (core.distributed densifies batch by batch for multi-process runs).
    devices = data_parallel_devices() if net.input_kind != "sparse" else []
    if devices and keras.distribution.distribution() is None:
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        record.extra["data_parallel"] = len(devices)
    model = build_classifier_model(
        net, seed=settings.seed, mixed_precision=settings.mixed_precision
    )

    model.compile(optimizer=make_optimizer(settings.optimizer), loss=net.loss, metrics=["accuracy"])

    fit_kwargs: dict[str, Any] = {}
    callbacks = []
    parts = validation_split(y_all, settings.validation_split, settings.seed)
    if parts is not None:
        train_idx, val_idx = parts
        x_train, y_train = x_all[train_idx], y_all[train_idx]
        fit_kwargs["validation_data"] = (x_all[val_idx], y_all[val_idx])
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=settings.patience, restore_best_weights=True
            )
        )
    else:
        x_train, y_train = x_all, y_all
    if settings.class_weight:
        fit_kwargs["class_weight"] = class_weights(y_train, split.n_classes)
    started = time.perf_counter()
    fit_live(
        model,
        x_train,
        y_train,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        record=record,
        stop_flag=stop_flag,
        on_epoch=on_epoch,
        callbacks=callbacks,
        shuffle=True,
        **fit_kwargs,
    )
    timings["train"] = time.perf_counter() - started
    record.device = record.device or training_device()
    return TrainedClassifier(
        featurizer, model, split.label_names, net, settings, record, timings=timings
    )
