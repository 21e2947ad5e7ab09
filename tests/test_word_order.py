"""The word-order probe: bag-of-words models stay at chance, convolutions and LSTMs do not."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from core.classifier.word_order import (
    ProbeSettings,
    run_word_order_probe,
    twin_texts,
    word_order_split,
)


def test_twins_hold_the_same_words_and_opposite_labels():
    rng = np.random.default_rng(5)
    for _ in range(50):
        positive, negative = twin_texts(rng)
        assert positive != negative
        assert Counter(positive.split()) == Counter(negative.split())
        assert "not" in positive.split()


def test_split_keeps_whole_pairs_on_each_side():
    split = word_order_split(40, test_share=0.25, seed=2)
    assert len(split.test_texts) == 20 and len(split.train_texts) == 60
    test = list(zip(split.test_texts, split.test_labels, strict=True))
    for (first, label_1), (second, label_2) in zip(test[::2], test[1::2], strict=True):
        assert (label_1, label_2) == ("positive", "negative")
        assert Counter(first.split()) == Counter(second.split())
    assert not set(split.test_texts) & set(split.train_texts)
    with pytest.raises(ValueError):
        ProbeSettings(models=("transformer",))


@pytest.mark.slow
def test_bag_of_words_stays_at_chance_and_order_aware_models_do_not():
    result = run_word_order_probe(ProbeSettings(models=("bow", "logistic", "cnn", "lstm")))
    assert result.accuracy("bow") <= 0.6
    assert result.accuracy("logistic") <= 0.6
    assert result.accuracy("cnn") >= 0.85
    assert result.accuracy("lstm") >= 0.85
    table = result.table()
    assert [row["sees word order"] for row in table] == [False, False, True, True]
