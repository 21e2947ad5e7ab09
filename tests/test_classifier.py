"""The text classifier's core: splits, features, the network and live training."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from core.classifier.features import (
    CHAR_MARK,
    OOV,
    PAD,
    FeatureSettings,
    Featurizer,
    fit_featurizer,
)
from core.classifier.model import ClassifierNet, build_classifier_model
from core.classifier.splits import (
    label_order,
    leave_one_group_out,
    split_by_group,
    stratified_split,
)
from core.classifier.steering import class_weights, validation_split
from core.classifier.train import ClassifierSettings, train_classifier
from core.data.datasets import LabelledText, youtube_spam
from core.errors import DataError
from core.nn.networks import DenseLayer
from core.nn.training import StopFlag

TINY = ClassifierSettings(hidden=(DenseLayer(8, "relu"),), epochs=3, batch_size=64, seed=1)


@pytest.fixture(scope="module")
def youtube():
    return youtube_spam()


@pytest.fixture(scope="module")
def shakira(youtube):
    return split_by_group(youtube, "Shakira")


@pytest.fixture(scope="module")
def trained(shakira):
    return train_classifier(shakira, TINY)


def toy(labels, texts=None) -> LabelledText:
    texts = texts or [f"text number {i}" for i in range(len(labels))]
    return LabelledText(tuple(texts), tuple(labels), "toy", "CSV")


def test_label_order_puts_the_positive_class_last():
    assert label_order(["spam", "not spam", "spam"]) == ("not spam", "spam")
    assert label_order(["pos", "neg"]) == ("neg", "pos")
    assert label_order(["b", "a", "c"]) == ("a", "b", "c")


def test_leave_one_video_out_holds_out_each_video_once(youtube):
    splits = leave_one_group_out(youtube)
    assert len(splits) == 5
    assert sum(len(s.test_texts) for s in splits) == len(youtube.texts)
    for split in splits:
        assert len(split.train_texts) + len(split.test_texts) == len(youtube.texts)
        assert split.label_names == ("not spam", "spam")
    shakira = splits[-1]
    assert set(shakira.test_texts) <= {
        t for t, g in zip(youtube.texts, youtube.groups, strict=True) if g == "Shakira"
    }


def test_stratified_split_keeps_class_shares():
    data = toy(["a"] * 80 + ["b"] * 20)
    split = stratified_split(data, test_size=0.25, seed=3)
    assert len(split.test_texts) == 25
    assert split.test_labels.count("b") == 5


def test_splits_refuse_impossible_requests(youtube):
    with pytest.raises(DataError, match="single text"):
        stratified_split(toy(["a"] * 10 + ["b"]))
    with pytest.raises(DataError, match="No texts from"):
        split_by_group(youtube, "Nobody")
    with pytest.raises(ValueError, match="test_size"):
        stratified_split(toy(["a", "b"] * 10), test_size=0.9)


def test_tfidf_features_are_sparse_and_fitted_on_training_texts_only(shakira):
    featurizer = fit_featurizer(FeatureSettings(analyzer="word"), shakira.train_texts)
    x = featurizer.transform(shakira.test_texts)
    assert sp.issparse(x) and x.dtype == np.float32
    assert x.shape == (len(shakira.test_texts), len(featurizer.vocabulary))
    # A word seen only in the test video has no column.
    train_words = set(featurizer.vocabulary)
    assert "shakira" in " ".join(shakira.test_texts).lower()
    assert ("shakira" in train_words) == any("shakira" in t.lower() for t in shakira.train_texts)
    assert "check out" in train_words  # word bigrams by default


def test_featurizer_rebuilt_from_plain_data_transforms_identically(shakira):
    for kind in ("tfidf", "bow"):
        fitted = fit_featurizer(FeatureSettings(kind=kind), shakira.train_texts)
        rebuilt = Featurizer(fitted.settings, list(fitted.vocabulary), idf=fitted.idf)
        a = fitted.transform(shakira.test_texts[:50])
        b = rebuilt.transform(shakira.test_texts[:50])
        assert (a != b).nnz == 0, kind


def test_char_ngrams_and_empty_vocabularies():
    settings = FeatureSettings(analyzer="char_wb", ngram_range=(2, 3))
    featurizer = fit_featurizer(settings, ["abc", "abd"])
    assert {"ab", "abc", " a"} <= set(featurizer.vocabulary)
    with pytest.raises(DataError, match="No terms"):
        fit_featurizer(FeatureSettings(analyzer="word"), ["!!!", "???"])


def test_words_and_char_ngrams_share_one_sparse_vocabulary_without_colliding():
    texts = ["Free prize, free!", "free the prize now", "check my channel"]
    both = FeatureSettings(kind="bow", analyzer="word+char_wb", ngram_range=(1, 2))
    words = replace(both, analyzer="word")
    chars = replace(both, analyzer="char_wb", ngram_range=both.char_ngram_range)
    combined, alone_w, alone_c = (fit_featurizer(s, texts) for s in (both, words, chars))
    assert "free" in combined.vocabulary and CHAR_MARK + "free" in combined.vocabulary
    expected = sorted(alone_w.vocabulary + [CHAR_MARK + t for t in alone_c.vocabulary])
    assert sorted(combined.vocabulary) == expected
    index = {t: j for j, t in enumerate(combined.vocabulary)}
    row = combined.transform(["free prize free"]).toarray()[0]
    for part, mark in ((alone_w, ""), (alone_c, CHAR_MARK)):
        counts = part.transform(["free prize free"]).toarray()[0]
        for j, term in enumerate(part.vocabulary):
            assert row[index[mark + term]] == counts[j], term
    assert combined.settings.word_ngrams == (1, 2) and combined.settings.char_ngrams == (2, 5)


def test_sequence_features_pad_truncate_and_mark_unknown_words():
    settings = FeatureSettings(kind="embedding", sequence_length=4)
    featurizer = fit_featurizer(settings, ["the cat sat", "the dog"])
    assert featurizer.vocabulary[:3] == ["<pad>", "<oov>", "the"]
    ids = featurizer.transform(["the zebra", "the cat sat the dog", "!!!"])
    index = {w: i for i, w in enumerate(featurizer.vocabulary)}
    assert ids[0].tolist() == [index["the"], OOV, PAD, PAD]
    assert ids[1].tolist() == [index[w] for w in ("the", "cat", "sat", "the")]
    assert ids[2].tolist() == [OOV, PAD, PAD, PAD]  # never an all-padding row


def test_mean_word2vec_features_average_the_known_words():
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(vector_size=2)
    vectors.add_vectors(["good", "bad"], np.array([[1.0, 0.0], [0.0, 3.0]], dtype=np.float32))
    featurizer = fit_featurizer(FeatureSettings(kind="word2vec"), ["x"], word_vectors=vectors)
    x = featurizer.transform(["good bad unknown", "nothing known"])
    np.testing.assert_allclose(x, [[0.5, 1.5], [0.0, 0.0]])


def test_the_builder_reads_like_the_slide():
    net = ClassifierNet("sparse", 100, 2, hidden=(DenseLayer(16, "relu", dropout=0.5),))
    model = build_classifier_model(net, seed=0)
    names = [layer.__class__.__name__ for layer in model.layers]
    assert names == ["Dense", "Dropout", "Dense"]
    assert model.layers[-1].units == 1 and model.output_shape == (None, 1)
    seq = ClassifierNet("sequence", 10, 3, hidden=(), vocab_size=50, embedding_dim=4)
    model = build_classifier_model(seq, seed=0)
    assert [layer.__class__.__name__ for layer in model.layers] == [
        "Embedding",
        "GlobalAveragePooling1D",
        "Dense",
    ]
    assert model.output_shape == (None, 3)


def test_mixed_precision_computes_in_float16_but_outputs_float32():
    net = ClassifierNet("dense", 5, 2, hidden=(DenseLayer(4),))
    model = build_classifier_model(net, seed=0, mixed_precision=True)
    assert model.layers[0].compute_dtype == "float16"
    assert model.layers[-1].compute_dtype == "float32"
    import keras

    assert keras.mixed_precision.dtype_policy().name == "float32"  # global policy untouched


@pytest.mark.parametrize(
    "changes",
    [{"input_kind": "graph"}, {"n_classes": 1}, {"input_dim": 0}, {"vocab_size": 2}],
)
def test_impossible_networks_are_refused(changes):
    base = {"input_kind": "sequence", "input_dim": 5, "n_classes": 2, "vocab_size": 10}
    with pytest.raises(ValueError):
        ClassifierNet(**{**base, "embedding_dim": 4, **changes})


def test_class_weights_balance_the_classes():
    y = np.array([0] * 90 + [1] * 10)
    weights = class_weights(y, 2)
    assert weights[0] * 90 == pytest.approx(weights[1] * 10)
    assert weights[1] == pytest.approx(100 / (2 * 10))


def test_validation_split_is_stratified_and_disjoint():
    y = np.array([0] * 60 + [1] * 40)
    train, val = validation_split(y, 0.2, seed=0)
    assert len(val) == 20 and set(train).isdisjoint(val)
    assert (y[val] == 1).sum() == 8
    assert validation_split(np.array([0, 1]), 0.2, 0) is None


def test_training_learns_youtube_spam(trained, shakira):
    from sklearn.metrics import matthews_corrcoef

    proba = trained.predict_proba(shakira.test_texts)
    assert proba.shape == (len(shakira.test_texts), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    mcc = matthews_corrcoef(shakira.y_test, proba.argmax(axis=1))
    assert mcc > 0.6, mcc
    assert trained.record.status == "complete"
    assert len(trained.record.history["val_loss"]) == trained.record.epochs_done
    assert set(trained.timings) == {"vectorize", "train"}
    assert trained.predict(["subscribe to my channel http://spam.example"]) == ["spam"]


def test_refit_trains_afresh_on_every_training_text_for_the_chosen_epochs(shakira):
    settings = ClassifierSettings(hidden=(DenseLayer(8),), epochs=4, patience=1, seed=3)
    first = train_classifier(shakira, settings)
    again = train_classifier(shakira, replace(settings, refit=True))
    assert "Retrained on all" in again.record.message
    chosen = first.record.best_epoch or first.record.epochs_done
    assert f"for {chosen} epochs" in again.record.message
    assert again.record.history == first.record.history  # the curves that chose the epoch
    texts = shakira.test_texts[:50]
    assert not np.allclose(first.predict_proba(texts), again.predict_proba(texts))


def test_training_stops_on_request(shakira):
    flag = StopFlag()
    result = train_classifier(
        shakira,
        ClassifierSettings(hidden=(DenseLayer(4),), epochs=20, seed=1),
        stop_flag=flag,
        on_epoch=lambda epoch, logs: flag.request() if epoch == 2 else None,
    )
    assert result.record.status == "stopped"
    # The flag is read at the next batch's end, so the third epoch ends after one batch.
    assert result.record.epochs_done in (2, 3)


def test_embedding_model_trains_without_nan(shakira):
    settings = ClassifierSettings(
        features=FeatureSettings(kind="embedding", embedding_dim=8, sequence_length=32),
        hidden=(),
        epochs=2,
        seed=1,
    )
    result = train_classifier(shakira, settings)
    assert result.record.status == "complete", result.record.message
    assert np.all(np.isfinite(result.predict_proba(["", "!!!", "hello"])))


def test_multiclass_training_uses_softmax():
    texts = [f"{w} {w} filler {i}" for i in range(30) for w in ("red", "green", "blue")]
    labels = [w for _ in range(30) for w in ("red", "green", "blue")]
    split = stratified_split(toy(labels, texts), 0.2, seed=0)
    result = train_classifier(
        split, ClassifierSettings(hidden=(DenseLayer(8),), epochs=15, seed=0, patience=20)
    )
    assert result.net.output_units == 3
    assert result.predict(["blue blue filler"]) == ["blue"]
