"""Text -> numbers: tokenizers, stemmers, bag of words, TF-IDF and cosine similarity."""

import numpy as np
import pytest
import scipy.sparse as sp

from core.text import analysis, bagofwords, similarity
from core.text.analysis import TextSettings


def test_talk_example_1_exactly():
    bow = bagofwords.bag_of_words(
        analysis.TALK_SENTENCES, weighting="binary", vocabulary=analysis.TALK_DICTIONARY
    )
    assert bow.vocabulary == ["the", "cat", "sat", "dog", "orange", "apple", "grape"]
    assert bow.matrix.toarray().tolist() == [
        [1, 1, 1, 0, 0, 0, 0],
        [1, 0, 1, 1, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 1],
    ]


def test_talk_example_2_binary_and_count():
    binary = bagofwords.bag_of_words(
        [analysis.TALK_SENTENCE_2], weighting="binary", vocabulary=analysis.TALK_VOCABULARY_2
    )
    assert binary.matrix.toarray().tolist() == [[0, 0, 1, 1, 0, 1, 1, 1]]
    count = bagofwords.bag_of_words(
        [analysis.TALK_SENTENCE_2], weighting="count", vocabulary=analysis.TALK_VOCABULARY_2
    )
    assert count.matrix.toarray().tolist() == [[0, 0, 1, 1, 0, 1, 1, 2]]


def test_tokenizers_need_no_downloaded_data():
    sample = "Don't panic! Email @bob about #deals :) now."
    assert analysis.tokenize(sample, "regexp") == [
        "Don't",
        "panic",
        "Email",
        "bob",
        "about",
        "deals",
        "now",
    ]
    assert "@bob" in analysis.tokenize(sample, "tweet") and ":)" in analysis.tokenize(
        sample, "tweet"
    )
    assert "n't" in analysis.tokenize(sample, "treebank")
    assert "n't" in analysis.tokenize(sample, "word_tokenize")


def test_lowercase_stop_words_and_stemmers():
    sample = "The Runners were running quickly"
    assert analysis.analyze(sample, TextSettings(lowercase=False))[0] == "The"
    no_stop = analysis.analyze(sample, TextSettings(remove_stop_words=True))
    assert "the" not in no_stop and "were" not in no_stop and "runners" in no_stop
    porter = analysis.analyze(sample, TextSettings(stemmer="porter"))
    assert porter[1:4] == ["runner", "were", "run"]
    snowball = analysis.analyze(sample, TextSettings(stemmer="snowball"))
    assert "quick" in snowball
    assert len(analysis.stop_words()) == 318


def test_ngrams():
    assert analysis.ngrams(["a", "b", "c"], (1, 2)) == ["a", "b", "c", "a b", "b c"]
    assert analysis.ngrams(["a", "b", "c"], (3, 3)) == ["a b c"]
    assert analysis.analyze("a cute teddy bear", TextSettings(ngram_range=(2, 2))) == [
        "a cute",
        "cute teddy",
        "teddy bear",
    ]
    with pytest.raises(ValueError):
        TextSettings(ngram_range=(2, 1))


@pytest.mark.parametrize("tokenizer", list(analysis.TOKENIZERS))
@pytest.mark.parametrize("stemmer", list(analysis.STEMMERS))
def test_steps_end_where_analyze_ends(tokenizer, stemmer):
    settings = TextSettings(
        tokenizer=tokenizer, stemmer=stemmer, remove_stop_words=True, ngram_range=(1, 2)
    )
    sample = "The cats, sitting on THE mat, weren't amused by @Rex :("
    stages = analysis.steps(sample, settings)
    assert stages.terms == analysis.analyze(sample, settings)
    assert stages.raw == sample
    assert set(stages.removed_stop_words) <= analysis.stop_words()


def test_weightings_and_sparsity():
    docs = ["the cat sat", "the cat sat on the cat", "dogs bark"]
    counts = bagofwords.bag_of_words(docs, weighting="count")
    binary = bagofwords.bag_of_words(docs, weighting="binary")
    tfidf = bagofwords.bag_of_words(docs, weighting="tfidf")
    for bow in (counts, binary, tfidf):
        assert sp.issparse(bow.matrix) and bow.matrix.format == "csr"
    cat = counts.vocabulary.index("cat")
    assert counts.matrix[1, cat] == 2 and binary.matrix[1, cat] == 1
    # TF-IDF rows are unit length, and a word in every document weighs less than a rare one.
    np.testing.assert_allclose(sp.linalg.norm(tfidf.matrix, axis=1), 1.0)
    assert tfidf.matrix[2, tfidf.vocabulary.index("dogs")] > 0


def test_empty_vocabulary_raises_and_is_described():
    settings = TextSettings(remove_stop_words=True)
    with pytest.raises(ValueError):
        bagofwords.bag_of_words(["the and of", "is it"], settings)
    assert "stop word" in bagofwords.describe_empty_vocabulary(settings)


def test_cosine_formula():
    assert similarity.cosine([1, 0], [0, 1]) == 0.0
    assert similarity.cosine([1, 2], [2, 4]) == pytest.approx(1.0)
    assert similarity.cosine([0, 0], [1, 1]) == 0.0
    parts = similarity.cosine_parts([1, 1, 1, 0], [1, 0, 1, 1])
    assert parts.dot == 2 and parts.norm_a == pytest.approx(3**0.5)
    assert parts.cosine == pytest.approx(2 / 3)


def test_cosine_matrix_and_most_similar():
    docs = ["the cat sat", "the dog sat", "orange apple grape", "a cat and a dog sat"]
    bow = bagofwords.bag_of_words(docs, weighting="binary")
    sims = similarity.cosine_matrix(bow.matrix)
    assert sims.shape == (4, 4)
    np.testing.assert_allclose(np.diag(sims), 1.0)
    assert sims[0, 1] == pytest.approx(2 / 3) and sims[0, 2] == 0.0
    best = similarity.most_similar(bow, 0, topn=2)
    assert [i for i, _ in best][0] in (1, 3) and all(i != 0 for i, _ in best)
    assert similarity.most_similar(bow, "orange grape")[0][0] == 2
    assert similarity.most_similar(bow, "zebra unicorn") == []


def test_most_similar_stays_sparse_on_a_real_corpus():
    from core.data.datasets import gensim_corpus

    bow = bagofwords.bag_of_words(gensim_corpus("lee_background.cor").documents, weighting="tfidf")
    hits = similarity.most_similar(bow, "bushfire sydney homes", topn=3)
    assert len(hits) == 3 and hits[0][1] >= hits[1][1] >= hits[2][1] > 0
    assert sp.issparse(bow.matrix)


def test_top_terms_dtm_and_vocabulary_frames():
    docs = ["b a a", "a c", "c c c d"]
    bow = bagofwords.bag_of_words(docs, weighting="count")
    assert bagofwords.top_terms(bow, 2) == [("c", 4.0), ("a", 3.0)]
    whole = bagofwords.dtm_frame(bow, ["d0", "d1", "d2"])
    assert whole.shape == (3, 4) and whole.loc["d2", "c"] == 3
    cut = bagofwords.dtm_frame(bow, ["d0", "d1", "d2"], max_docs=2, max_terms=2)
    assert cut.shape == (2, 2) and list(cut.columns) == ["a", "c"]
    vocab = bagofwords.vocabulary_frame(bow)
    assert vocab.iloc[0]["term"] == "c" and vocab.iloc[0]["documents"] == 2
    assert list(bagofwords.document_frequency(bow)) == [2, 1, 2, 1]


def test_fitted_vocabulary_transforms_new_text():
    bow = bagofwords.bag_of_words(["the cat sat"], weighting="count")
    assert bow.transform(["the cat the zebra"]).toarray().tolist() == [[1, 0, 2]]


def test_default_tokenizer_matches_stock_nltk_regexp_tokenizer():
    from nltk.tokenize import RegexpTokenizer

    from core.data.datasets import youtube_spam

    stock = RegexpTokenizer(analysis.REGEXP_PATTERN)
    for doc in youtube_spam(["Psy"]).texts:
        assert analysis.tokenize(doc) == stock.tokenize(doc)


def test_fitted_bag_of_words_survives_pickling():
    # Streamlit's st.cache_data pickles return values.
    import pickle

    bow = bagofwords.bag_of_words(["The cats sat", "dogs ran"], TextSettings(stemmer="porter"))
    copy = pickle.loads(pickle.dumps(bow))
    assert copy.vocabulary == bow.vocabulary == ["cat", "dog", "ran", "sat", "the"]
    assert (copy.transform(["cats running"]) != bow.transform(["cats running"])).nnz == 0


def test_make_vectorizer_kinds():
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    assert isinstance(bagofwords.make_vectorizer(weighting="tfidf"), TfidfVectorizer)
    binary = bagofwords.make_vectorizer(weighting="binary")
    assert isinstance(binary, CountVectorizer) and binary.binary
    with pytest.raises(ValueError):
        bagofwords.make_vectorizer(weighting="bogus")
