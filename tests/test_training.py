"""Live training: the stop flag, progress, run records and training in turn."""

import time

import numpy as np
import pytest

from core.nn import networks, training
from core.nn.networks import DenseLayer, NetworkSpec, OptimizerSpec


def toy_data(n: int = 256, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    return x, y


def compiled(spec: NetworkSpec, optimizer=OptimizerSpec("adam", 0.01), loss="binary_crossentropy"):
    model = networks.build_dense_model(spec, seed=1)
    model.compile(optimizer=networks.make_optimizer(optimizer), loss=loss, metrics=["accuracy"])
    return model


SPEC = NetworkSpec(2, (DenseLayer(8, "relu"),), 1, "sigmoid")


def test_fit_live_records_every_epoch_and_completes():
    training.seed_everything(0)
    x, y = toy_data()
    seen = []
    record = training.fit_live(
        compiled(SPEC),
        x,
        y,
        epochs=4,
        batch_size=32,
        on_epoch=lambda epoch, logs: seen.append(epoch),
    )
    assert record.status == "complete" and record.message == ""
    assert seen == [1, 2, 3, 4]
    assert len(record.history["loss"]) == 4 and len(record.history["accuracy"]) == 4
    assert record.device.startswith("CPU") or record.device.startswith("GPU")
    assert record.duration > 0


def test_stop_flag_stops_at_batch_end_and_marks_the_run_stopped():
    training.seed_everything(0)
    x, y = toy_data(2048)
    flag = training.StopFlag()

    def stop_after_second(epoch, logs):
        if epoch == 2:
            flag.request()

    record = training.fit_live(
        compiled(SPEC), x, y, epochs=20, batch_size=16, stop_flag=flag, on_epoch=stop_after_second
    )
    assert record.status == "stopped"
    # Epoch 3 ends after its first batch, so at most 3 epochs are recorded, never 20.
    assert 2 <= record.epochs_done <= 3
    assert "Stopped" in record.message


def test_divergence_becomes_a_failed_run_with_advice():
    training.seed_everything(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32") * 100
    y = x.sum(axis=1, keepdims=True)
    spec = NetworkSpec(4, (DenseLayer(16, "relu"),), 1, "linear")
    model = compiled(spec, OptimizerSpec("sgd", 50.0), loss="mse")
    record = training.fit_live(model, x, y, epochs=30, batch_size=32)
    assert record.status == "failed"
    assert "learning rate" in record.message
    assert record.epochs_done < 30


def test_early_stopping_reports_stopped_and_best_epoch():
    import keras

    training.seed_everything(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 10)).astype("float32")
    y = (rng.random(40) > 0.5).astype("float32")  # noise: validation loss soon rises
    spec = NetworkSpec(10, (DenseLayer(256, "relu"), DenseLayer(256, "relu")), 1, "sigmoid")
    model = compiled(spec, OptimizerSpec("adam", 0.01))
    stopper = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    record = training.fit_live(
        model, x, y, epochs=200, batch_size=8, validation_split=0.5, callbacks=[stopper]
    )
    assert record.status == "complete"
    assert record.stopped_epoch is not None and record.stopped_epoch < 200
    best = int(np.argmin(record.history["val_loss"])) + 1
    assert record.best_epoch == best
    assert f"epoch {best} were restored" in record.message


def test_run_record_keeps_a_stopped_verdict():
    record = training.RunRecord(kind="t", total_epochs=3)
    record.finish("stopped", "user")
    record.finish("complete")
    assert record.status == "stopped" and record.message == "user"


def test_progress_text_counts_the_epochs_done_in_words():
    record = training.RunRecord(kind="t", total_epochs=3)
    record.add_epoch({"loss": 1.0})
    record.add_epoch({"loss": 0.5})
    assert record.progress_text() == "2 of 3 epochs"
    single = training.RunRecord(kind="t", total_epochs=1)
    assert single.progress_text() == "0 of 1 epoch"
    single.add_epoch({"loss": 0.4})
    assert single.progress_text() == "1 of 1 epoch"


def test_lowest_gives_the_lowest_value_and_its_first_epoch():
    record = training.RunRecord(kind="t")
    for loss, val_loss in ((1.0, 0.9), (0.5, 0.3), (0.4, 0.6), (0.2, 0.3)):
        record.add_epoch({"loss": loss, "val_loss": val_loss})
    assert record.lowest("val_loss") == training.Lowest(value=0.3, epoch=2)  # the first of a tie
    assert record.lowest("loss") == (0.2, 4)
    assert record.lowest("accuracy") is None
    assert training.RunRecord(kind="t").lowest("val_loss") is None


def test_result_as_gives_the_result_of_the_kind_asked_or_refuses():
    comparison = training.ComparisonResult(parts={"a": training.RunRecord(kind="a")})
    group = training.RunRecord(kind="group", result=comparison)
    assert group.result_as(training.ComparisonResult) is comparison
    with pytest.raises(TypeError, match="holds NoneType, not ComparisonResult"):
        training.RunRecord(kind="t").result_as(training.ComparisonResult)


def test_build_dense_model_matches_spec_and_code():
    import keras

    spec = NetworkSpec(
        3, (DenseLayer(5, "tanh", dropout=0.2, l2=0.01), DenseLayer(4, "linear")), 2, "softmax"
    )
    model = networks.build_dense_model(spec, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dense"]
    assert model.output_shape == (None, 2)
    assert model.layers[0].kernel_regularizer is not None
    # The "Show the code" text builds the same architecture when executed.
    namespace: dict = {}
    exec(
        networks.keras_code(
            spec, OptimizerSpec("momentum", 0.1), "categorical_crossentropy", ["accuracy"]
        ),
        namespace,
    )
    shown = namespace["model"]
    assert [type(layer).__name__ for layer in shown.layers] == kinds
    assert [w.shape for w in shown.get_weights()] == [w.shape for w in model.get_weights()]
    assert isinstance(shown.optimizer, keras.optimizers.SGD)


def test_specs_reject_impossible_settings():
    with pytest.raises(ValueError):
        DenseLayer(0)
    with pytest.raises(ValueError):
        DenseLayer(4, "swish")
    with pytest.raises(ValueError):
        DenseLayer(4, dropout=1.0)
    with pytest.raises(ValueError):
        OptimizerSpec("adam", 0.0)
    with pytest.raises(ValueError):
        NetworkSpec(0)


@pytest.mark.parametrize(
    "name,cls", [("sgd", "SGD"), ("momentum", "SGD"), ("rmsprop", "RMSprop"), ("adam", "Adam")]
)
def test_make_optimizer(name, cls):
    optimizer = networks.make_optimizer(OptimizerSpec(name, 0.05))
    assert type(optimizer).__name__ == cls
    assert float(optimizer.learning_rate) == pytest.approx(0.05)
    if name == "momentum":
        assert optimizer.momentum == pytest.approx(0.9)


def test_terminate_on_nan_is_always_on_and_nothing_forces_a_sync_per_batch(monkeypatch):
    import keras

    x, y = toy_data(64)
    model = compiled(SPEC)
    seen = {}

    def spy_fit(*args, callbacks=(), **kwargs):
        seen["callbacks"] = list(callbacks)

    monkeypatch.setattr(model, "fit", spy_fit)
    training.fit_live(model, x, y, epochs=1)
    kinds = seen["callbacks"]
    assert any(isinstance(cb, keras.callbacks.TerminateOnNaN) for cb in kinds)
    # Keras waits on every batch for callbacks with batch hooks unless they are async-safe.
    assert all(getattr(cb, "async_safe", False) for cb in kinds)


def _counting_part(epochs_each: int, fail: str = "", stop_after: tuple[str, int] | None = None):
    """A stand-in trainer that records ``epochs_each`` epochs, checking the flag after each."""
    order = []

    def train_part(name, record, flag):
        order.append(name)
        if name == fail:
            raise RuntimeError("out of memory")
        record.total_epochs = epochs_each
        for epoch in range(epochs_each):
            if flag.is_set():
                record.finish("stopped", "Stopped by request.")
                return
            record.add_epoch({"loss": 1.0 / (epoch + 1)})
            if stop_after == (name, epoch + 1):
                flag.request()

    return train_part, order


def parts(*names, epochs=3):
    return {name: training.RunRecord(kind=name, total_epochs=epochs) for name in names}


def test_train_in_turn_trains_every_part_in_order():
    train_part, order = _counting_part(3)

    def slow_part(name, record, flag):
        time.sleep(0.2)
        train_part(name, record, flag)

    runs = training.train_in_turn(parts("a", "b", "c"), slow_part, training.StopFlag())
    assert order == ["a", "b", "c"]
    # Each part's clock starts when it begins, so a duration never includes the parts before it.
    starts = [r.started for r in runs.values()]
    assert starts[1] - starts[0] >= 0.2 and starts[2] - starts[1] >= 0.2
    assert all(r.duration >= 0.2 for r in runs.values())
    assert [r.status for r in runs.values()] == ["complete"] * 3
    assert [r.epochs_done for r in runs.values()] == [3, 3, 3]
    assert training.progress_in_turn(runs) == (9, 9)


def test_stopping_a_comparison_leaves_no_part_running_or_complete_by_mistake():
    train_part, order = _counting_part(3, stop_after=("b", 1))
    runs = parts("a", "b", "c")
    flag = training.StopFlag()
    assert training.progress_in_turn(runs) == (0, 9)
    training.train_in_turn(runs, train_part, flag)
    assert order == ["a", "b"]  # c never began
    assert [r.status for r in runs.values()] == ["complete", "stopped", "stopped"]
    assert [r.epochs_done for r in runs.values()] == [3, 1, 0]
    assert "before this run began" in runs["c"].message
    # Every part has ended, so the bar is full even though b and c are short.
    assert training.progress_in_turn(runs) == (9, 9)


def test_a_failing_part_does_not_take_the_others_with_it():
    train_part, order = _counting_part(2, fail="a")
    runs = training.train_in_turn(parts("a", "b", epochs=2), train_part, training.StopFlag())
    assert order == ["a", "b"]
    assert runs["a"].status == "failed" and "out of memory" in runs["a"].message
    assert runs["b"].status == "complete"


def test_progress_counts_the_epochs_of_the_part_in_progress():
    runs = parts("a", "b", epochs=4)
    runs["a"].finish("complete")
    runs["b"].add_epoch({"loss": 1.0})
    assert training.progress_in_turn(runs) == (5, 8)
