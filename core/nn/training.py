"""Live training: one mechanism for every page that trains a Keras model.

- :class:`StopFlag` is set from outside (a Stop button, a page left mid-run); the callback checks
  it at the end of every batch and sets ``model.stop_training``.
- :class:`RunRecord` holds what a run produced so far: settings, per-epoch curves, status and a
  message for people, and its typed ``result`` (one dataclass per kind of run, defined next to
  the code that trains it). A page can draw it while training goes on in another thread.
- :class:`ComparisonResult` is the result of runs trained one after the other (a comparison).
- :func:`fit_live` wraps ``model.fit`` with that callback and ``TerminateOnNaN``, always on, and
  turns a NaN or exploding loss into a failed run with advice instead of an exception.

Keras is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

if TYPE_CHECKING:
    from typing import TypeAlias

    from core.classifier.bundle_format import BundleResult
    from core.classifier.distributed import DataParallelResult
    from core.classifier.repeats import RepeatResult
    from core.classifier.train import ClassifierResult
    from core.embeddings.word2vec import Word2VecRunResult
    from core.nn.images import DigitsResult
    from core.nn.overfitting import OverfittingComparison, VariantResult
    from core.nn.playground import PlaygroundComparison, PlaygroundResult
    from core.nn.regression import RegressionResult

    # What a run leaves, by kind: each type lives next to the code that trains that kind.
    # (A string: ComparisonResult is defined below.)
    RunResult: TypeAlias = (
        "PlaygroundResult | PlaygroundComparison | RegressionResult | DigitsResult"
        " | VariantResult | OverfittingComparison | Word2VecRunResult | ClassifierResult"
        " | DataParallelResult | BundleResult | RepeatResult | ComparisonResult"
    )

Status = Literal["running", "complete", "stopped", "failed"]
R = TypeVar("R")

# A loss this many times its first value means the weights are running away.
EXPLODING_FACTOR = 1e4
DIVERGED_MESSAGE = (
    "The loss became {what} at epoch {epoch}: training diverged. The learning rate is probably "
    "too high; lower it (for example by 10×), or pick an adaptive optimizer such as Adam."
)


class StopFlag:
    """A thread-safe request to stop training at the end of the current batch."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def request(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()


class Lowest(NamedTuple):
    """The lowest value of a curve and the epoch (1-based) where it was first reached."""

    value: float
    epoch: int


@dataclass
class RunRecord:
    """One training run: what was asked, what happened so far, and how it ended.

    ``result`` is the kind's own dataclass (for example a
    :class:`~core.nn.playground.PlaygroundResult`), or ``None`` before there is one.
    """

    kind: str
    settings: dict[str, Any] = field(default_factory=dict)
    total_epochs: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    status: Status = "running"
    message: str = ""
    device: str = ""
    started: float = field(default_factory=time.time)
    duration: float = 0.0
    best_epoch: int | None = None  # 1-based, set when early stopping restored the best weights
    stopped_epoch: int | None = None  # 1-based, the last epoch that ran when it ended early
    metrics: dict[str, float] = field(default_factory=dict)  # final results, by display name
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    number: int | None = None  # its number among the session's runs, once listed there
    result: RunResult | None = None

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    def progress_text(self) -> str:
        """Epochs done out of those planned, in words: "2 of 3 epochs", "1 of 1 epoch"."""
        return f"{self.epochs_done} of {self.total_epochs} epoch{'s' * (self.total_epochs != 1)}"

    def result_as(self, kind: type[R]) -> R:
        """The run's result, which must be a ``kind``; raises ``TypeError`` otherwise (also
        when there is none yet). For a result that may be missing, test ``isinstance``."""
        if not isinstance(self.result, kind):
            raise TypeError(
                f"run {self.run_id} ({self.kind}) holds {type(self.result).__name__}, "
                f"not {kind.__name__}"
            )
        return self.result

    def lowest(self, metric: str) -> Lowest | None:
        """The lowest value of the ``metric`` curve (``"val_loss"``…) and its epoch, the first
        one on a tie; ``None`` when the run has no such curve yet."""
        values = self.history.get(metric)
        if not values:
            return None
        index = min(range(len(values)), key=values.__getitem__)
        return Lowest(values[index], index + 1)

    def add_epoch(self, logs: dict[str, float]) -> None:
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def finish(self, status: Status, message: str = "") -> None:
        # A run that already failed or was stopped keeps that verdict.
        if self.status in ("failed", "stopped") and status == "complete":
            return
        self.status = status
        if message:
            self.message = message
        self.duration = time.time() - self.started


@dataclass
class ComparisonResult:
    """Runs trained one after the other under one stop flag (see :func:`train_in_turn`).

    Each part is a run of its own on the Runs page; the comparison's record only groups them.
    Kinds of comparison subclass this with what their page needs to draw it again.
    """

    parts: dict[str, RunRecord]


def train_in_turn(
    parts: dict[str, RunRecord],
    train_part: Callable[[str, RunRecord, StopFlag], Any],
    stop_flag: StopFlag,
) -> dict[str, RunRecord]:
    """Train several runs one after the other under one stop flag (a comparison).

    ``train_part(name, record, stop_flag)`` trains the part called ``name`` into its record.
    Once the flag is set, the part in progress ends at its next batch and the parts not yet
    begun end ``stopped`` with no epochs, so none is ever left running or shown as complete.
    A part that raises ends ``failed`` and the next one still trains. Returns ``parts``.
    """
    for name, part in parts.items():
        if stop_flag.is_set():
            part.finish("stopped", "Stopped before this run began.")
            continue
        part.started = time.time()  # its duration is its own, not the wait for the parts before
        try:
            train_part(name, part, stop_flag)
        except Exception as error:  # one failed part must not take the others with it
            part.finish("failed", f"Training failed: {error}")
        if part.status == "running":
            part.finish("stopped" if stop_flag.is_set() else "complete")
    return parts


def progress_in_turn(parts: dict[str, RunRecord]) -> tuple[int, int]:
    """(epochs done, epochs planned) over all parts; a part that ended early counts as done."""
    done = planned = 0
    for part in parts.values():
        planned += part.total_epochs
        done += part.total_epochs if part.status != "running" else part.epochs_done
    return done, planned


@cache
def _live_callback_class():
    import keras

    class LiveCallback(keras.callbacks.Callback):
        """Records each epoch's logs, obeys the stop flag, and watches for divergence."""

        # The batch hook only reads a threading.Event, so Keras may run it off the training
        # thread instead of waiting for every batch's results (which costs a sync per batch).
        async_safe = True

        def __init__(self, record: RunRecord, stop_flag: StopFlag, on_epoch=None) -> None:
            super().__init__()
            self.record = record
            self.stop_flag = stop_flag
            self.on_epoch = on_epoch

        def on_train_batch_end(self, batch, logs=None) -> None:
            if self.stop_flag.is_set():
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None) -> None:
            logs = {k: float(v) for k, v in (logs or {}).items()}
            self.record.add_epoch(logs)
            loss = logs.get("loss", 0.0)
            first = self.record.history["loss"][0]
            if not math.isfinite(loss):
                self.model.stop_training = True
                self.record.finish(
                    "failed", DIVERGED_MESSAGE.format(what="NaN or infinite", epoch=epoch + 1)
                )
            elif first > 0 and loss > EXPLODING_FACTOR * first:
                self.model.stop_training = True
                self.record.finish(
                    "failed",
                    DIVERGED_MESSAGE.format(
                        what=f"{loss:.3g} (it started at {first:.3g})", epoch=epoch + 1
                    ),
                )
            if self.on_epoch is not None:
                self.on_epoch(epoch + 1, logs)

    return LiveCallback


@cache
def _terminate_on_nan_class():
    import keras

    class AsyncTerminateOnNaN(keras.callbacks.TerminateOnNaN):
        """Keras's TerminateOnNaN, marked safe to run off the training thread.

        It only reads the batch loss and sets ``model.stop_training``; without the mark,
        Keras would wait for every batch's logs before starting the next batch.
        """

        async_safe = True

    return AsyncTerminateOnNaN


def live_callback(record: RunRecord, stop_flag: StopFlag, on_epoch=None):
    """The Keras callback behind :func:`fit_live`, for code that calls ``model.fit`` itself."""
    return _live_callback_class()(record, stop_flag, on_epoch)


def fit_live(
    model,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int | None = 32,
    record: RunRecord | None = None,
    stop_flag: StopFlag | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    callbacks: list | tuple = (),
    **fit_kwargs: Any,
) -> RunRecord:
    """``model.fit`` that reports each epoch, stops on request and never raises on divergence.

    ``on_epoch(epoch, logs)`` runs after every epoch (1-based). The returned record's status is
    ``complete``, ``stopped`` (the flag was set, or early stopping fired) or ``failed`` (NaN or an
    exploding loss), with a message for people in the last two cases. Other ``fit`` arguments
    (``validation_data``, ``validation_split``, ``class_weight``, ``shuffle``…) pass through.
    """
    import keras

    record = record or RunRecord(kind="fit")
    record.total_epochs = epochs
    record.device = record.device or training_device()
    stop_flag = stop_flag or StopFlag()
    live = live_callback(record, stop_flag, on_epoch)
    early = [cb for cb in callbacks if isinstance(cb, keras.callbacks.EarlyStopping)]
    try:
        model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
            callbacks=[_terminate_on_nan_class()(), *callbacks, live],
            **fit_kwargs,
        )
    except Exception as error:  # a failure inside Keras must reach the page as a message
        record.finish("failed", f"Training failed: {error}")
        return record
    done = record.epochs_done
    if record.status == "failed":
        return record
    if stop_flag.is_set() and done < epochs:
        record.stopped_epoch = done
        record.finish("stopped", "Stopped by request.")
    elif early and early[0].stopped_epoch > 0:
        stopper = early[0]
        record.stopped_epoch = stopper.stopped_epoch + 1
        restored = ""
        if stopper.restore_best_weights and stopper.best_epoch is not None:
            record.best_epoch = stopper.best_epoch + 1
            restored = f"; the weights of epoch {record.best_epoch} were restored"
        record.finish(
            "complete",
            f"Early stopping ended training at epoch {record.stopped_epoch} of {epochs}{restored}.",
        )
    elif done < epochs:
        # Only TerminateOnNaN ends a run early otherwise, inside an epoch.
        record.finish("failed", DIVERGED_MESSAGE.format(what="NaN", epoch=done + 1))
    else:
        record.finish("complete")
    return record


def training_device() -> str:
    """Where Keras trains: ``"GPU (name)"`` or ``"CPU"``, for the backend in use."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                return f"GPU ×{len(gpus)} (TensorFlow)"
        elif backend == "jax":
            import jax

            devices = [d for d in jax.devices() if d.platform == "gpu"]
            if devices:
                return f"GPU ×{len(devices)} (JAX: {devices[0].device_kind})"
    except Exception:  # device discovery is informative only
        pass
    return f"CPU ({backend})"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend, so a run can be repeated exactly."""
    import keras

    keras.utils.set_random_seed(seed)
