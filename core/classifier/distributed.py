"""Data-parallel training of the text classifier over several processes (JAX backend only).

Every process runs the same program on one machine or many; process 0 also hosts the
coordinator that the others dial. The recipe, and why each step keeps the processes in lockstep:

- **Same inputs everywhere.** Each process reads the whole training file and fits the
  featurizer (vocabulary, idf, word vectors) on all of it, so every process builds the same
  network; the stratified validation split and the class weights also come from the whole file.
  A fingerprint of all this is compared across processes before training starts.
- **Its own shard of the rows.** The training rows (and the validation rows) are cut to a
  multiple of the number of devices, dropping at most ``devices - 1`` rows at the end, and
  process ``i`` of ``N`` takes rows ``i::N`` (a stride, not a block). Only those rows are
  vectorized and fed to ``fit``; shards are equal, so every process runs the same number of steps.
- **One global batch.** ``ClassifierSettings.batch_size`` is the global batch: each process feeds
  ``batch_size / N`` rows per step, and ``keras.distribution.DataParallel`` joins them into one
  batch whose gradient is averaged over all devices. With the stride, global batch ``k`` holds
  exactly the rows of batch ``k`` of a single-process run, so the same settings train the same
  model whatever ``N`` is (up to float rounding; dropout masks differ between process counts).
- **Shuffling the batch order.** Each epoch every process visits its local batches in one shared
  random order (seeded by the run's seed and the epoch), which shuffles the order of global
  batches without changing what they contain; this too is the same for every ``N``.
- **Lockstep decisions.** Losses and metrics are computed on the global batch, so
  ``EarlyStopping`` and ``TerminateOnNaN`` see the same numbers in every process.

Sparse (TF-IDF, counts) input is densified batch by batch: JAX's sparse arrays cannot be
spread across processes by ``DataParallel``. After training, the replicated weights are copied
into a model local to each process, which predicts without any collective.

TensorFlow is refused: its multi-worker training is broken in Keras 3 (keras-team/keras#20585).
Keras and JAX are imported inside the functions.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.classifier.features import Featurizer
from core.classifier.model import build_classifier_model
from core.classifier.splits import TextSplit
from core.classifier.train import ClassifierSettings, TrainedClassifier, prepare_training
from core.errors import DataError
from core.nn.training import RunRecord, StopFlag, fit_live, seed_everything, training_device

BACKEND_HINT = (
    "Install the scale-out extras (pip install -r requirements-scale.txt) and run with "
    "KERAS_BACKEND=jax in the environment."
)


@dataclass(frozen=True)
class Cluster:
    """Where this process stands: ``process_id`` of ``num_processes``, and the coordinator's
    ``host:port`` (process 0 listens there; needed when there is more than one process)."""

    num_processes: int = 1
    process_id: int = 0
    coordinator: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.num_processes <= 4096:
            raise DataError(
                f"--processes must be from 1 to 4096, got {self.num_processes}.",
                "Give the number of processes taking part in the run.",
            )
        if not 0 <= self.process_id < self.num_processes:
            raise DataError(
                f"--process-id must be from 0 to {self.num_processes - 1}, got {self.process_id}.",
                "Number the processes 0, 1, … and start process 0 on the coordinator's host.",
            )
        if self.num_processes > 1:
            if not self.coordinator:
                raise DataError(
                    "Several processes need a coordinator address.",
                    "Add --coordinator HOST:PORT, the address of process 0, the same in every "
                    "process.",
                )
            parse_address(self.coordinator)

    @property
    def multi_process(self) -> bool:
        return self.num_processes > 1


@dataclass
class DataParallelResult:
    """How a data-parallel run was spread: processes, this one's id, devices in all, the rows
    this process trained on and the rows dropped to share evenly, the input shape (rows,
    features), and a digest of the trained weights (set once training has ended)."""

    input_shape: tuple[int, int]
    processes: int
    process_id: int
    devices: int
    local_rows: int
    dropped_rows: int
    weights_sha256: str | None = None

    def flat(self) -> dict[str, Any]:
        """The spread as plain values by name (the CLI's JSON): all but the input shape."""
        return {
            "processes": self.processes,
            "process_id": self.process_id,
            "devices": self.devices,
            "local_rows": self.local_rows,
            "dropped_rows": self.dropped_rows,
            "weights_sha256": self.weights_sha256,
        }


def parse_address(address: str) -> tuple[str, int]:
    """``"host:port"`` → ``(host, port)``; raises :class:`DataError` when it is not one."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65_535:
        raise DataError(
            f"{address!r} is not a HOST:PORT address.",
            "Write the coordinator as host:port, for example 10.0.0.1:1234 or localhost:1234.",
        )
    return host.strip("[]"), int(port)


def require_jax_backend() -> None:
    """Raise :class:`DataError` unless Keras runs on JAX (and JAX can be imported)."""
    try:
        import keras
    except ImportError as error:  # KERAS_BACKEND=jax without jax installed
        raise DataError(f"Keras could not start its backend ({error}).", BACKEND_HINT) from None
    backend = keras.backend.backend()
    if backend != "jax":
        raise DataError(
            f"Data-parallel training (--processes) needs the JAX backend; Keras is on {backend}. "
            "TensorFlow's multi-worker training is broken in Keras 3 (keras-team/keras#20585).",
            BACKEND_HINT,
        )


def initialize(cluster: Cluster, seed: int) -> None:
    """Seed Keras, then join the cluster (a no-op for a single process or a second call).

    The seed is set first so that Keras does not have to agree on a random one across
    processes. On CPU the collectives go through gloo, which must be chosen before JAX starts
    its distributed runtime.
    """
    require_jax_backend()
    import jax
    import keras

    seed_everything(seed)
    if not cluster.multi_process or jax.distributed.is_initialized():
        return
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    keras.distribution.initialize(
        job_addresses=cluster.coordinator,
        num_processes=cluster.num_processes,
        process_id=cluster.process_id,
    )


# ---------------------------------------------------------------- shards


def usable_rows(n_rows: int, n_devices: int) -> int:
    """The largest multiple of ``n_devices`` not above ``n_rows``: the rows that are kept so
    every device gets the same number."""
    return n_rows - n_rows % n_devices


def shard(rows: np.ndarray, cluster: Cluster, n_devices: int) -> np.ndarray:
    """This process's rows: ``rows`` cut to a multiple of ``n_devices``, then every
    ``num_processes``-th one starting at ``process_id`` (rows ``i::N``)."""
    kept = np.asarray(rows)[: usable_rows(len(rows), n_devices)]
    return kept[cluster.process_id :: cluster.num_processes]


def check_batch_size(batch_size: int, n_devices: int, num_processes: int) -> int:
    """The per-process batch for a global ``batch_size``; raises :class:`DataError` unless it
    splits evenly over the devices."""
    if batch_size % n_devices:
        raise DataError(
            f"The batch size {batch_size} does not split evenly over {n_devices} devices.",
            f"Use a multiple of {n_devices}, for example --batch-size "
            f"{n_devices * max(1, math.ceil(batch_size / n_devices))}.",
        )
    return batch_size // num_processes


def batches_class():
    import keras

    class ShardBatches(keras.utils.PyDataset):
        """This process's rows, ``batch_size`` at a time, as dense arrays.

        With ``shuffle_seed`` set, the batches are visited in an order drawn from
        ``(shuffle_seed, epoch)``: the same order in every process, so each global batch keeps
        its rows and only the order of global batches changes.
        """

        def __init__(self, x, y, batch_size: int, shuffle_seed: int | None = None) -> None:
            super().__init__()
            self.x, self.y, self.batch_size = x, y, batch_size
            self.shuffle_seed = shuffle_seed
            self.epoch = 0
            self.order = self._order()

        def __len__(self) -> int:
            return math.ceil(len(self.y) / self.batch_size)

        def __getitem__(self, index: int):
            start = int(self.order[index]) * self.batch_size
            rows = slice(start, start + self.batch_size)
            x = self.x[rows]
            return (x.toarray() if hasattr(x, "toarray") else x), self.y[rows]

        def on_epoch_end(self) -> None:
            self.epoch += 1
            self.order = self._order()

        def _order(self) -> np.ndarray:
            if self.shuffle_seed is None:
                return np.arange(len(self))
            return np.random.default_rng([self.shuffle_seed, self.epoch]).permutation(len(self))

    return ShardBatches


# ---------------------------------------------------------------- agreement between processes


def fingerprint(
    split: TextSplit, featurizer: Featurizer, settings: ClassifierSettings, *index_sets
) -> str:
    """SHA-256 of everything that must be equal in every process before training: the data,
    the fitted featurizer, the settings and the chosen row indices."""
    digest = hashlib.sha256()
    for text, label in zip(split.train_texts, split.train_labels, strict=True):
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0" + label.encode() + b"\1")
    digest.update(repr((split.label_names, settings)).encode())
    digest.update("\0".join(featurizer.vocabulary).encode("utf-8", "surrogatepass"))
    for array in (featurizer.idf, featurizer.word_vectors, *index_sets):
        if array is not None:
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def weights_digest(weights: Sequence[np.ndarray]) -> str:
    """SHA-256 of the model's weights, byte for byte: equal digests mean equal models."""
    digest = hashlib.sha256()
    for array in weights:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def gather_digests(digest: str) -> list[str]:
    """Every process's hex ``digest``, in process order (a collective: all must call it)."""
    import jax

    if jax.process_count() == 1:
        return [digest]
    from jax.experimental import multihost_utils

    words = np.frombuffer(bytes.fromhex(digest), dtype=np.uint32)
    gathered = np.asarray(multihost_utils.process_allgather(words))
    return [row.astype(np.uint32).tobytes().hex() for row in gathered.reshape(-1, len(words))]


def check_agreement(digest: str, what: str) -> None:
    """Raise :class:`DataError` unless every process computed the same ``digest``."""
    digests = gather_digests(digest)
    odd = [i for i, d in enumerate(digests) if d != digests[0]]
    if odd:
        raise DataError(
            f"Processes {odd} disagree with process 0 about {what}.",
            "Give every process the same file, flags and versions of the packages.",
        )


# ---------------------------------------------------------------- training


def train_data_parallel(
    split: TextSplit,
    settings: ClassifierSettings | None = None,
    cluster: Cluster | None = None,
    *,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    word_vectors: Any = None,
) -> TrainedClassifier:
    """Train the classifier with ``keras.distribution.DataParallel`` over every device of
    every process in ``cluster`` (each process calls this with its own ``process_id``).

    Same settings as :func:`core.classifier.train.train_classifier` (default: its defaults, one
    process), with ``batch_size`` as the global batch (a multiple of the number of devices),
    and the same early stopping and class weights, drawn from the whole file. The returned classifier's model is a
    local copy of the trained weights; ``record.result`` is a :class:`DataParallelResult`. Raises
    :class:`DataError` on the TensorFlow backend, on a batch size that does not split, and when
    the processes do not agree on their inputs. ``stop_flag`` must be set in every process.
    """
    import keras

    settings = settings or ClassifierSettings()
    cluster = cluster or Cluster()
    initialize(cluster, settings.seed)
    record = record or RunRecord(kind="classifier")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    prepared = prepare_training(split, settings, word_vectors)
    featurizer, net, y_all = prepared.featurizer, prepared.net, prepared.y

    devices = keras.distribution.list_devices()
    local_batch = check_batch_size(settings.batch_size, len(devices), cluster.num_processes)
    if prepared.val_rows is not None and usable_rows(len(prepared.val_rows), len(devices)) == 0:
        prepared = prepared.without_validation()  # too few to give every device one
    train_rows, val_rows = prepared.train_rows, prepared.val_rows
    used = usable_rows(len(train_rows), len(devices))
    if used == 0:
        raise DataError(
            f"{len(train_rows)} training rows cannot be shared by {len(devices)} devices.",
            "Use a larger training file or fewer processes.",
        )
    check_agreement(
        fingerprint(split, featurizer, settings, train_rows, val_rows),
        "the training data, the features or the settings",
    )
    mine = shard(train_rows, cluster, len(devices))
    x_mine = featurizer.transform([split.train_texts[i] for i in mine])
    timings["vectorize"] = time.perf_counter() - started

    fit_kwargs: dict[str, Any] = {}
    callbacks = prepared.callbacks()
    batches = batches_class()
    if val_rows is not None:
        val_mine = shard(val_rows, cluster, len(devices))
        x_val = featurizer.transform([split.train_texts[i] for i in val_mine])
        fit_kwargs["validation_data"] = batches(x_val, y_all[val_mine], local_batch)
    weights = prepared.class_weight(train_rows[:used])
    if weights is not None:
        fit_kwargs["class_weight"] = weights

    record.settings = record.settings or {"features": settings.features.kind}
    result = record.result = DataParallelResult(
        input_shape=(used, net.input_dim),
        processes=cluster.num_processes,
        process_id=cluster.process_id,
        devices=len(devices),
        local_rows=len(mine),
        dropped_rows=len(train_rows) - used,
    )
    distribution = keras.distribution.DataParallel(devices=devices, auto_shard_dataset=False)
    # Input is densified per batch, so the network takes dense input here.
    dense_net = replace(net, input_kind="dense") if net.input_kind == "sparse" else net
    with distribution.scope():
        model = prepared.compiled_model(dense_net)
        started = time.perf_counter()
        fit_live(
            model,
            batches(x_mine, y_all[mine], local_batch, shuffle_seed=settings.seed),
            epochs=settings.epochs,
            batch_size=None,
            record=record,
            stop_flag=stop_flag,
            on_epoch=on_epoch,
            callbacks=callbacks,
            shuffle=False,  # Keras would shuffle with Python's random; the batches do it instead
            **fit_kwargs,
        )
        timings["train"] = time.perf_counter() - started
        weights = [np.asarray(w) for w in model.get_weights()]
    result.weights_sha256 = weights_digest(weights)
    record.device = (
        f"{training_device()}, {len(devices)} device(s) in {cluster.num_processes} process(es)"
    )
    local = build_classifier_model(
        net, seed=settings.seed, mixed_precision=settings.mixed_precision
    )
    local.set_weights(weights)
    return prepared.trained_classifier(local, split.label_names, record, timings)
