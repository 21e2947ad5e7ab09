"""Large sparse inputs reach Keras one shuffled batch at a time, with class weights as sample
weights; small inputs train as before."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from core.classifier import sparse_batches as batching
from core.classifier.splits import split_by_group
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import youtube_spam
from core.nn.networks import DenseLayer


def test_batches_cover_every_row_once_an_epoch_with_its_label_and_weight():
    import tensorflow as tf

    x = sp.csr_matrix(np.arange(1, 104, dtype=np.float32).reshape(-1, 1))  # row i holds i + 1
    y = np.arange(103) % 2
    fit_kwargs = {
        "class_weight": {0: 0.5, 1: 2.0},
        "shuffle": True,
        "batch_size": 10,
        "validation_data": (x[:30], y[:30]),
    }
    inputs, kwargs = batching.sparse_batches(x, y, batch_size=10, seed=4, fit_kwargs=fit_kwargs)
    assert set(kwargs) == {"batch_size", "validation_data"}
    assert len(inputs) == 11
    orders = []
    for _ in range(2):  # two epochs, each in a new order
        seen = []
        for index in range(len(inputs)):
            batch, labels, weights = inputs[index]
            rows = (tf.sparse.to_dense(batch).numpy()[:, 0] - 1).astype(int).tolist()
            seen += rows
            np.testing.assert_array_equal(labels, y[rows])
            np.testing.assert_array_equal(weights, np.where(y[rows] == 1, 2.0, 0.5))
        assert sorted(seen) == list(range(103))
        orders.append(seen)
        inputs.on_epoch_end()
    assert orders[0] != orders[1] and orders[0] != list(range(103))
    validation = kwargs["validation_data"]
    batch, labels = validation[0]
    assert len(validation) == 1 and np.array_equal(labels, y[:30])
    assert tf.sparse.to_dense(batch).numpy()[:, 0].tolist() == list(range(1, 31))


def test_a_large_input_trains_batch_by_batch_and_still_learns(monkeypatch):
    from sklearn.metrics import matthews_corrcoef

    split = split_by_group(youtube_spam(), "Shakira")
    used = []
    monkeypatch.setattr(batching, "BATCHES_FROM", 0)  # this small input counts as large
    original = batching.sparse_batches

    def spy(*args, **kwargs):
        used.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr("core.classifier.train.sparse_batches", spy)
    settings = ClassifierSettings(hidden=(DenseLayer(8, "relu"),), epochs=3, batch_size=64, seed=1)
    trained = train_classifier(split, settings)
    assert used and trained.record.status == "complete"
    assert len(trained.record.history["val_loss"]) == trained.record.epochs_done
    proba = trained.predict_proba(split.test_texts)
    assert matthews_corrcoef(split.y_test, proba.argmax(axis=1)) > 0.6


def test_small_inputs_are_not_batched():
    x = sp.random(50, 10, density=0.2, format="csr", dtype=np.float32, random_state=0)
    assert not batching.wants_batches(x)
    assert not batching.wants_batches(np.ones((50, 10), dtype=np.float32))
    big = sp.csr_matrix((np.ones(batching.BATCHES_FROM), (np.zeros(batching.BATCHES_FROM, int),
                         np.arange(batching.BATCHES_FROM))), shape=(1, batching.BATCHES_FROM))  # fmt: skip
    import keras

    assert batching.wants_batches(big) == (keras.backend.backend() == "tensorflow")


def test_very_large_inputs_are_featurized_a_batch_at_a_time(monkeypatch):
    from sklearn.metrics import matthews_corrcoef

    from core.classifier.train import prepare_training

    split = split_by_group(youtube_spam(), "Shakira")
    settings = ClassifierSettings(hidden=(DenseLayer(8, "relu"),), epochs=3, batch_size=64, seed=1)
    monkeypatch.setattr(batching, "TEXT_ROWS_FROM", 0)  # this small input counts as very large
    prepared = prepare_training(split, settings)
    rows = prepared.feature_rows(split.train_texts)
    assert isinstance(rows.train, batching.TextRows) and rows.every is None
    whole = prepared.featurizer.transform(split.train_texts)
    picked = prepared.train_rows[[5, 0, 77]]
    assert (rows.train[[5, 0, 77]] != whole[picked]).nnz == 0  # the same rows, made on demand
    assert (rows.validation[[1, 2]] != whole[prepared.val_rows[[1, 2]]]).nnz == 0
    assert rows.train.shape == (len(prepared.train_rows), whole.shape[1])
    given = []
    original = batching.sparse_batches

    def spy(x, y, batch_size, seed, fit_kwargs):
        given.append((type(x), type(fit_kwargs["validation_data"][0])))
        return original(x, y, batch_size, seed, fit_kwargs)

    monkeypatch.setattr("core.classifier.train.sparse_batches", spy)
    trained = train_classifier(split, settings)
    assert given == [(batching.TextRows, batching.TextRows)]
    assert trained.record.status == "complete"
    proba = trained.predict_proba(split.test_texts)
    assert matthews_corrcoef(split.y_test, proba.argmax(axis=1)) > 0.6
    # a large sparse input is predicted a few rows at a time, to the same probabilities
    monkeypatch.setattr("core.classifier.train.BATCHES_FROM", 0)
    monkeypatch.setattr("core.classifier.train.PREDICT_ROWS", 50)
    calls = []
    predict = trained.model.predict
    monkeypatch.setattr(
        trained.model, "predict", lambda x, **kw: calls.append(1) or predict(x, **kw)
    )
    chunked = trained.predict_proba(split.test_texts)
    assert len(calls) == -(-len(split.test_texts) // 50)
    np.testing.assert_allclose(chunked, proba, atol=1e-6)


def test_the_estimate_of_non_zeros_is_close_and_small_inputs_keep_their_matrix():
    featurizer = fit_featurizer_for_test()
    texts = youtube_spam().texts
    exact = featurizer.transform(texts).nnz
    assert abs(batching.estimated_nonzeros(featurizer.transform, texts) - exact) < 0.1 * exact
    assert batching.estimated_nonzeros(featurizer.transform, []) == 0
    assert not batching.wants_text_rows(featurizer.transform, texts)


def fit_featurizer_for_test():
    from core.classifier.features import FeatureSettings, fit_featurizer

    return fit_featurizer(FeatureSettings(), youtube_spam().texts)
