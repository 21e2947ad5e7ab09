"""Sparse vocabularies counted in bounded memory: the same as scikit-learn's when nothing is
pruned, the frequent terms kept when the rare are pruned, and chunked transforms."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from core.classifier.features import FeatureSettings, WordsAndChars, fit_sparse_in_chunks
from core.classifier.vocabulary import (
    count_terms,
    select_terms,
    smooth_idf,
    transform_in_chunks,
)
from core.data.datasets import youtube_spam


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return list(youtube_spam().texts[:600])


@pytest.mark.parametrize(
    "settings",
    [
        FeatureSettings(),  # words and character n-grams, the default
        FeatureSettings(analyzer="char_wb", ngram_range=(2, 4), max_features=3_000, min_df=2),
    ],
    ids=["word+char_wb", "char_wb min_df 2"],
)
def test_vocabulary_and_idf_equal_scikit_learns_fit(texts, settings):
    analyzer = WordsAndChars(settings) if settings.analyzer == "word+char_wb" else "char_wb"
    common = {"ngram_range": settings.ngram_range} if analyzer == "char_wb" else {}
    reference = TfidfVectorizer(
        analyzer=analyzer,
        max_features=settings.max_features,
        min_df=settings.min_df,
        sublinear_tf=True,
        **common,
    ).fit(texts)
    fitted = fit_sparse_in_chunks(settings, texts)
    assert fitted.vocabulary == list(reference.get_feature_names_out())
    assert len(fitted.vocabulary) == min(settings.max_features, len(reference.vocabulary_))
    np.testing.assert_allclose(fitted.idf, reference.idf_, rtol=1e-12)
    x = fitted.transform(texts)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.toarray(), reference.transform(texts).toarray(), atol=1e-6)


def test_counts_are_exact_when_nothing_is_pruned_even_over_many_chunks(texts):
    analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)).build_analyzer()
    counts = count_terms(analyzer, texts, max_terms=10**6, chunk=50, with_df=True)
    expected = Counter(term for text in texts for term in analyzer(text))
    assert counts.tf == dict(expected)
    assert counts.df == dict(Counter(t for text in texts for t in set(analyzer(text))))
    assert (counts.prunes, counts.max_undercount, counts.texts) == (0, 0, len(texts))


def test_pruning_bounds_the_terms_held_and_keeps_the_frequent_ones():
    # Ten frequent terms in every text, and three that no other text has: the pruned counts
    # must keep the ten with their exact counts while holding few terms at any time.
    texts = [f"common{i % 10} shared{i % 10} u{i}a u{i}b u{i}c" for i in range(2_000)]

    def analyzer(text: str) -> list[str]:
        return text.split()

    counts = count_terms(analyzer, texts, max_terms=60, chunk=20)
    assert counts.prunes > 50
    assert len(counts.tf) <= 60 + 20 * 5  # at most one chunk's terms above the cap
    assert counts.max_undercount >= 1  # rare terms were dropped
    for i in range(10):
        assert counts.tf[f"common{i}"] == 200 and counts.tf[f"shared{i}"] == 200
    assert select_terms(counts, max_features=20) == sorted(
        [f"common{i}" for i in range(10)] + [f"shared{i}" for i in range(10)]
    )


def test_pruned_counts_fall_short_by_at_most_the_reported_undercount():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(400)]
    weights = 1.0 / np.arange(1, 401)  # Zipf: a long tail that pruning cuts
    texts = [" ".join(rng.choice(words, 8, p=weights / weights.sum())) for _ in range(3_000)]
    counts = count_terms(str.split, texts, max_terms=80, chunk=100)
    truth = Counter(w for text in texts for w in text.split())
    assert counts.prunes > 0
    for term, counted in counts.tf.items():
        assert 0 <= truth[term] - counted <= counts.max_undercount
    top = [w for w, _ in truth.most_common(10)]
    assert set(top) <= set(select_terms(counts, max_features=20))


def test_select_terms_needs_document_frequencies_for_min_df():
    counts = count_terms(str.split, ["a b", "a c"], max_terms=10)
    with pytest.raises(ValueError, match="with_df"):
        select_terms(counts, min_df=2)
    counts = count_terms(str.split, ["a b", "a c"], max_terms=10, with_df=True)
    assert select_terms(counts, min_df=2) == ["a"]


def test_idf_and_transform_in_chunks_equal_one_pass(texts):
    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit(texts)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit(texts)
    idf = smooth_idf(vectorizer, texts, len(vectorizer.vocabulary_), chunk=70)
    np.testing.assert_allclose(idf, reference.idf_, rtol=1e-12)
    whole = vectorizer.transform(texts)
    chunked = transform_in_chunks(vectorizer.transform, texts, chunk=70)
    assert chunked.shape == whole.shape and chunked.dtype == np.float32
    assert (chunked != whole.astype(np.float32)).nnz == 0
    assert transform_in_chunks(vectorizer.transform, [], chunk=70).shape == (0, whole.shape[1])
