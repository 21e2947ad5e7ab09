"""Training the text classifier live, and the trained classifier that scores new texts.

:func:`train_classifier` trains with a stop flag, ``TerminateOnNaN``, class weights, and a
learning-rate cut and ``EarlyStopping`` on a stratified validation split
(``core.classifier.steering``), and returns a :class:`TrainedClassifier`; its run's result is a
:class:`ClassifierResult`. :func:`prepare_training` fits the features and
chooses the validation rows for it and for the data-parallel path (``core.classifier.distributed``)
alike. Keras is imported inside the functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.classifier.features import FeatureSettings, Featurizer, fit_featurizer
from core.classifier.memory import release_freed_memory
from core.classifier.model import ClassifierNet, SequenceLayer, build_classifier_model
from core.classifier.sequence_input import EmbeddingStart, VectorCoverage, embedding_start
from core.classifier.sparse_batches import (
    BATCHES_FROM,
    TextRows,
    sparse_batches,
    wants_batches,
    wants_text_rows,
)
from core.classifier.splits import TextSplit
from core.classifier.steering import (
    class_weights,
    cuts_learning_rate,
    validation_callbacks,
    validation_split,
)
from core.nn.networks import DenseLayer, OptimizerSpec, make_optimizer
from core.nn.training import RunRecord, StopFlag, fit_live, seed_everything, training_device

if TYPE_CHECKING:
    from core.classifier.report import Comparison
    from core.data.datasets import LabelledText
    from core.errors import DataError


@dataclass(frozen=True)
class ClassifierSettings:
    """Everything a training run needs besides the data; the page's and the CLI's defaults."""

    features: FeatureSettings = FeatureSettings()
    # A small L2 penalty keeps Adam's solution on TF-IDF close to a linear SVM's few strong
    # terms; without it the network spreads weight over thousands of character n-grams.
    hidden: tuple[DenseLayer, ...] = (DenseLayer(64, "relu", dropout=0.5, l2=1e-5),)
    # What reads the token ids of "embedding" features: pooling, Conv1D, LSTM or GRU.
    sequence: SequenceLayer = SequenceLayer()
    optimizer: OptimizerSpec = OptimizerSpec("adam", 0.001)
    batch_size: int = 32
    epochs: int = 30
    class_weight: bool = True
    validation_split: float = 0.15
    patience: int = 3
    seed: int = 0
    mixed_precision: bool = False
    # After early stopping has chosen the epoch, train afresh on every training text (the
    # validation rows back in) for that many epochs: the baselines see every row too.
    refit: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= 65_536:
            raise ValueError("batch_size must be from 1 to 65,536")
        if not 1 <= self.epochs <= 1_000:
            raise ValueError("epochs must be from 1 to 1,000")
        if not 0.0 <= self.validation_split <= 0.5:
            raise ValueError("validation_split must be from 0 to 0.5")
        if self.patience < 1:
            raise ValueError("patience must be at least 1")
        if self.sequence != SequenceLayer() and self.features.input_kind != "sequence":
            raise ValueError("a sequence layer reads token ids: use the 'embedding' features")
        if (
            self.sequence.kind == "cnn"
            and max(self.sequence.kernel_sizes) > self.features.sequence_length
        ):
            raise ValueError("a convolution's kernel cannot be longer than the sequence length")


PREDICT_ROWS = 4_096  # rows of a large sparse input predicted at a time


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
    # How much of the vocabulary the word vectors the Embedding started from covered, if any.
    coverage: VectorCoverage | None = None

    def predict_proba_features(self, x) -> np.ndarray:
        """Model inputs → class probabilities, one column per class (two for binary). A large
        sparse input is predicted :data:`PREDICT_ROWS` rows at a time: Keras would first turn
        all of it into one TensorFlow sparse tensor (20 bytes a non-zero, plus copies)."""
        if hasattr(x, "tocsr") and x.nnz >= BATCHES_FROM and x.shape[0] > PREDICT_ROWS:
            parts = [
                self.predict_proba_features(x[start : start + PREDICT_ROWS])
                for start in range(0, x.shape[0], PREDICT_ROWS)
            ]
            return np.concatenate(parts)
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


@dataclass
class ClassifierResult:
    """A classifier run: the split and settings it trained on, the shape of its input (rows,
    features) and, on the Train page, the trained classifier and its comparison with the
    baselines, or the data error that stopped it."""

    settings: ClassifierSettings
    split: TextSplit
    # Pretrained vectors (gensim KeyedVectors), if any: the word2vec features' vectors, or the
    # rows the Embedding layer of "embedding" features starts from.
    word_vectors: Any = None
    input_shape: tuple[int, int] | None = None
    data_parallel: int | None = None  # the GPUs each batch was spread over, if more than one
    trained: TrainedClassifier | None = None
    comparison: Comparison | None = None
    error: DataError | None = None
    kept: bool = False  # the trained classifier is already the session's current one
    data: LabelledText | None = None  # the labelled texts the split was cut from, for a report


def make_net(
    featurizer: Featurizer,
    n_classes: int,
    hidden: tuple[DenseLayer, ...],
    sequence_layer: SequenceLayer | None = None,
) -> ClassifierNet:
    """The network shape that fits ``featurizer``'s output; ``sequence_layer`` reads token
    ids (only for ``sequence`` input; ``None`` is pooling)."""
    sequence = featurizer.input_kind == "sequence"
    return ClassifierNet(
        input_kind=featurizer.input_kind,
        input_dim=featurizer.input_dim,
        n_classes=n_classes,
        hidden=hidden,
        vocab_size=len(featurizer.vocabulary) if sequence else 0,
        embedding_dim=featurizer.settings.embedding_dim if sequence else 0,
        sequence=sequence_layer or SequenceLayer(),
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


@dataclass
class FeatureRows:
    """The network's inputs: its ``train`` rows, its ``validation`` rows (``None`` without a
    validation split) and ``every`` training row (``None`` unless something needs them)."""

    train: Any
    validation: Any
    every: Any


@dataclass
class PreparedTraining:
    """What both training paths prepare alike before any network exists.

    The featurizer fitted on every training text, the network shape that fits it, the labels of
    every training text, and the row indices that train and validate (``val_rows`` is ``None``
    when the data is too small for a stratified validation split).
    """

    featurizer: Featurizer
    net: ClassifierNet
    y: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray | None
    settings: ClassifierSettings
    embedding: EmbeddingStart | None = None  # starting rows from word vectors, if given

    def without_validation(self) -> PreparedTraining:
        """The same preparation training on every row, with no validation rows."""
        return replace(self, train_rows=np.arange(len(self.y)), val_rows=None)

    def class_weight(self, rows: np.ndarray) -> dict[int, float] | None:
        """Balanced weights of the classes among the labels of ``rows``, or ``None`` when the
        settings leave classes unweighted."""
        if not self.settings.class_weight:
            return None
        return class_weights(self.y[rows], self.net.n_classes)

    def compiled_model(self, net: ClassifierNet | None = None) -> Any:
        """A fresh network for ``net`` (default: the prepared one), seeded and compiled with
        the settings' optimizer, its loss and accuracy, ready to fit."""
        net = net or self.net
        settings = self.settings
        model = build_classifier_model(
            net, seed=settings.seed, mixed_precision=settings.mixed_precision
        )
        if self.embedding is not None:
            model.get_layer("embedding").set_weights([self.embedding.matrix])
        model.compile(
            optimizer=make_optimizer(settings.optimizer), loss=net.loss, metrics=["accuracy"]
        )
        return model

    def trained_classifier(
        self, model: Any, label_names: Sequence[str], record: RunRecord, timings: dict
    ) -> TrainedClassifier:
        """The trained ``model`` with this preparation's featurizer, network shape, settings and
        word-vector coverage: what both training paths hand back."""
        return TrainedClassifier(
            self.featurizer,
            model,
            label_names,
            self.net,
            self.settings,
            record,
            timings=timings,
            coverage=self.embedding.coverage if self.embedding else None,
        )

    def feature_rows(self, texts: Sequence[str]) -> FeatureRows:
        """The features of the training ``texts`` (every training text, in order) for its
        training and validation rows, each transformed on its own: no whole matrix is held
        next to its slices unless ``settings.refit`` needs every row again."""
        transform = self.featurizer.transform
        large = self.net.input_kind == "sparse" and not self.settings.refit
        if large and wants_text_rows(transform, texts):  # featurized a batch at a time
            train, val = (self.text_rows(texts, rows) for rows in (self.train_rows, self.val_rows))
            return FeatureRows(train, val, None)
        if self.val_rows is None:
            every = transform(texts)
            return FeatureRows(every, None, every)
        if self.settings.refit:
            every = transform(texts)
            return FeatureRows(every[self.train_rows], every[self.val_rows], every)
        train = transform([texts[i] for i in self.train_rows])
        return FeatureRows(train, transform([texts[i] for i in self.val_rows]), None)

    def text_rows(self, texts: Sequence[str], rows: np.ndarray | None) -> TextRows | None:
        """:class:`~core.classifier.sparse_batches.TextRows` of ``texts`` at ``rows``, featurized
        when a batch is asked for; ``None`` for no rows."""
        if rows is None:
            return None
        return TextRows([texts[i] for i in rows], self.featurizer.transform, self.net.input_dim)

    def callbacks(self) -> list:
        """:func:`~core.classifier.steering.validation_callbacks` when there are validation
        rows (the rate cut for sparse inputs only); otherwise none."""
        if self.val_rows is None:
            return []
        cut = cuts_learning_rate(self.net.input_kind)
        return validation_callbacks(self.settings.patience, cut_rate=cut)


def prepare_training(
    split: TextSplit, settings: ClassifierSettings, word_vectors: Any = None
) -> PreparedTraining:
    """Fit the featurizer on ``split``'s training texts and choose the validation rows.

    Both the one-process and the data-parallel path start here, so they see the same features,
    network shape and stratified validation split for the same data and settings. For
    ``embedding`` features, ``word_vectors`` (gensim ``KeyedVectors``) are the Embedding
    layer's starting rows, and its ``embedding_dim`` becomes theirs (in the returned
    ``settings`` too).
    """
    sequence_vectors = word_vectors if settings.features.kind == "embedding" else None
    if sequence_vectors is not None:
        dim = int(sequence_vectors.vector_size)
        settings = replace(settings, features=replace(settings.features, embedding_dim=dim))
    featurizer = fit_featurizer(settings.features, split.train_texts, word_vectors)
    y = split.y_train
    net = make_net(featurizer, split.n_classes, settings.hidden, settings.sequence)
    parts = validation_split(y, settings.validation_split, settings.seed)
    train_rows, val_rows = parts if parts is not None else (np.arange(len(y)), None)
    start = None
    if sequence_vectors is not None:
        start = embedding_start(featurizer, split.train_texts, sequence_vectors, settings.seed)
    return PreparedTraining(featurizer, net, y, train_rows, val_rows, settings, start)


def train_classifier(
    split: TextSplit,
    settings: ClassifierSettings = ClassifierSettings(),
    *,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    word_vectors: Any = None,
    prepared: PreparedTraining | None = None,
) -> TrainedClassifier:
    """Fit features on the training texts, then train the network live on them.

    Early stopping watches the validation loss and restores the best weights;
    ``TerminateOnNaN`` is always on (through :func:`~core.nn.training.fit_live`). The returned
    classifier's ``record`` says how training ended, and its ``result`` is a
    :class:`ClassifierResult` (the one a page gave the record already, with the same split and
    settings, else a new one); ``timings`` holds vectorize and train seconds. ``prepared``:
    :func:`prepare_training` of the same split and settings when the caller has already run it
    (its time then counts in neither timing). The training rows are turned into features before
    Keras is imported, so the two large allocations do not meet.
    """
    record = record or RunRecord(kind="classifier")
    if not isinstance(record.result, ClassifierResult):
        record.result = ClassifierResult(settings, split, word_vectors)
    result = record.result
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = prepared or prepare_training(split, settings, word_vectors)
    net, y_all = prepared.net, prepared.y
    rows = prepared.feature_rows(split.train_texts)
    release_freed_memory()  # the transform's chunks, before Keras and TensorFlow are imported
    timings["vectorize"] = time.perf_counter() - started
    record.settings = record.settings or {"features": settings.features.kind}
    result.input_shape = (len(split.train_texts), net.input_dim)
    import keras

    seed_everything(settings.seed)

    # DataParallel on JAX cannot place SciPy sparse batches on several devices; those runs use
    # one device here (core.classifier.distributed densifies batch by batch for multi-process runs).
    devices = data_parallel_devices() if net.input_kind != "sparse" else []
    if devices and keras.distribution.distribution() is None:
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        result.data_parallel = len(devices)
    model = prepared.compiled_model()

    fit_kwargs: dict[str, Any] = {}
    train_idx, val_idx = prepared.train_rows, prepared.val_rows
    x_train, y_train, x_all = rows.train, y_all[train_idx], rows.every
    if val_idx is not None:
        fit_kwargs["validation_data"] = (rows.validation, y_all[val_idx])
    del rows
    weights = prepared.class_weight(train_idx)
    if weights is not None:
        fit_kwargs["class_weight"] = weights
    fit_kwargs |= {"batch_size": settings.batch_size, "shuffle": True}
    if isinstance(x_train, TextRows) or wants_batches(x_train):  # no whole matrix in Keras
        x_train, fit_kwargs = sparse_batches(
            x_train, y_train, settings.batch_size, settings.seed, fit_kwargs
        )
        y_train, fit_kwargs["batch_size"] = None, None
    started = time.perf_counter()
    fit_live(
        model,
        x_train,
        y_train,
        epochs=settings.epochs,
        record=record,
        stop_flag=stop_flag,
        on_epoch=on_epoch,
        callbacks=prepared.callbacks(),
        **fit_kwargs,
    )
    if settings.refit and val_idx is not None and record.status == "complete":
        model = _refit_on_all(prepared, x_all, record, stop_flag) or model
    timings["train"] = time.perf_counter() - started
    record.device = record.device or training_device()
    return prepared.trained_classifier(model, split.label_names, record, timings)


def _refit_on_all(prepared: PreparedTraining, x_all, record: RunRecord, stop_flag) -> Any:
    """A fresh network trained on every training row for the epoch count early stopping chose,
    or ``None`` (keeping the first network) when that run is stopped or fails. The run's curves
    stay those of the first training, which is where the epoch was chosen."""
    settings = prepared.settings
    epochs = record.best_epoch or record.epochs_done
    if not epochs:
        return None
    seed_everything(settings.seed)
    model = prepared.compiled_model()
    everything = prepared.without_validation()
    again = RunRecord(kind="classifier refit")
    weights = everything.class_weight(everything.train_rows)
    fit_live(
        model,
        x_all,
        everything.y,
        epochs=epochs,
        batch_size=settings.batch_size,
        record=again,
        stop_flag=stop_flag,
        shuffle=True,
        **({"class_weight": weights} if weights is not None else {}),
    )
    if again.status != "complete":
        return None
    record.message = (
        f"{record.message} Retrained on all {len(everything.y):,} training texts for "
        f"{epochs} epochs.".strip()
    )
    return model
