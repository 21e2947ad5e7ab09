"""Fixtures shared by the baseline tests: the YouTube comments split with Shakira's video held
out, and its TF-IDF features (featurizer, training rows, test rows, scoring note)."""

import pytest

from core.classifier.baselines import baseline_inputs
from core.classifier.features import FeatureSettings, fit_featurizer
from core.classifier.splits import split_by_group
from core.data.datasets import youtube_spam


@pytest.fixture(scope="module")
def split():
    return split_by_group(youtube_spam(), "Shakira")


@pytest.fixture(scope="module")
def tfidf(split):
    featurizer = fit_featurizer(FeatureSettings(kind="tfidf"), split.train_texts)
    return featurizer, *baseline_inputs(split, featurizer)
