"""Word2vec training: settings checks, per-epoch losses, stopping, streaming and empty vocabularies."""

import gzip

import numpy as np
import pytest

from core.data.datasets import gensim_corpus
from core.embeddings.word2vec import (
    TokenizedLines,
    Word2VecSettings,
    corpus_sentences,
    resolve_corpus_path,
    stream_corpus,
    train_vector_set,
    train_word2vec,
    word2vec_code,
)
from core.errors import DataError

SMALL = Word2VecSettings(vector_size=20, epochs=3, workers=1, seed=7)


@pytest.fixture(scope="module")
def lee():
    return corpus_sentences(gensim_corpus("lee_background.cor"))


@pytest.fixture(scope="module")
def lee_run(lee):
    return train_word2vec(lee, Word2VecSettings(vector_size=50, epochs=8, workers=1, seed=3))


def test_losses_are_per_epoch_positive_and_fall_on_lee(lee_run):
    losses = lee_run.epoch_losses
    assert len(losses) == 8
    assert all(loss > 0 for loss in losses)
    # Per-epoch values, not gensim's running total: a running total would grow every epoch.
    assert losses[-1] < losses[0]
    assert losses[-1] < 0.9 * losses[0]
    assert np.mean(losses[4:]) < np.mean(losses[:4])


def test_epoch_figures_add_up(lee, lee_run):
    assert lee_run.corpus_sentences == len(lee)
    assert lee_run.corpus_words == sum(len(s) for s in lee)
    assert lee_run.epoch_words == [lee_run.corpus_words] * 8
    expected = 8 * lee_run.corpus_words / sum(lee_run.epoch_seconds)
    assert lee_run.words_per_second == pytest.approx(expected)
    assert not lee_run.stopped


def test_epoch_by_epoch_matches_one_gensim_call(lee):
    """The learning-rate slices reproduce gensim's own schedule: same seed, same vectors."""
    from gensim.models import Word2Vec

    settings = Word2VecSettings(vector_size=20, epochs=3, workers=1, seed=11, compute_loss=False)
    ours = train_word2vec(lee, settings).vectors
    theirs = Word2Vec(lee, **settings.gensim_kwargs()).wv
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_allclose(ours.vectors, theirs.vectors, atol=1e-6)


def test_fixed_seed_single_worker_is_repeatable(lee):
    first = train_word2vec(lee, SMALL).vectors.vectors
    second = train_word2vec(lee, SMALL).vectors.vectors
    np.testing.assert_array_equal(first, second)


def test_neighbours_on_a_fixed_seed_model_make_sense(lee_run):
    # In the Lee news corpus, "police" keeps company with the words of crime reports.
    neighbours = [w for w, _ in lee_run.vectors.most_similar("police", topn=20)]
    assert {"arrested", "killed", "officers", "security", "witnesses"} & set(neighbours)


def test_stop_between_epochs_keeps_the_vectors_so_far(lee):
    seen = []
    result = train_word2vec(
        lee,
        SMALL.__class__(vector_size=20, epochs=10, workers=1, seed=7),
        should_stop=lambda: len(seen) >= 2,
        on_epoch=lambda epoch, r: seen.append(epoch),
    )
    assert result.stopped
    assert seen == [1, 2]
    assert len(result.epoch_losses) == 2
    assert result.vocab_size > 1000


def test_empty_vocabulary_says_which_min_count_would_work(lee):
    with pytest.raises(DataError) as caught:
        train_word2vec(lee, Word2VecSettings(min_count=100_000, epochs=1))
    top = sum(s.count("the") for s in lee)  # the most frequent word of the corpus
    assert "vocabulary is empty" in caught.value.message
    assert f"{top:,}" in caught.value.hint


def test_a_corpus_without_words_is_refused():
    with pytest.raises(DataError, match="no words"):
        train_word2vec([], SMALL)


@pytest.mark.parametrize(
    "changes,fragment",
    [
        ({"negative": 0, "hs": 0}, "nothing to train"),
        ({"vector_size": 0}, "vector_size"),
        ({"window": 0}, "window"),
        ({"sg": 2}, "sg must be"),
        ({"sample": 1.5}, "sample"),
        ({"epochs": 0}, "epochs"),
        ({"min_alpha": 0.5}, "min_alpha"),
        ({"workers": True}, "workers"),
    ],
)
def test_impossible_settings_are_refused_with_a_reason(changes, fragment):
    with pytest.raises(ValueError, match=fragment):
        Word2VecSettings(**changes)


def test_hierarchical_softmax_and_cbow_train(lee):
    result = train_word2vec(lee, Word2VecSettings(sg=0, hs=1, negative=0, epochs=2, workers=1))
    assert result.vectors.vector_size == 100
    assert len(result.epoch_losses) == 2 and all(x > 0 for x in result.epoch_losses)


def test_tokenized_lines_streams_files_folders_and_gzip(tmp_path):
    (tmp_path / "a.txt").write_text("The Cat sat.\n\nA dog's bone!\n", encoding="utf-8")
    with gzip.open(tmp_path / "b.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write("Second FILE here\n")
    assert list(TokenizedLines(tmp_path / "a.txt")) == [
        ["the", "cat", "sat"],
        ["a", "dog's", "bone"],
    ]
    folder = list(TokenizedLines(tmp_path))
    assert folder[-1] == ["second", "file", "here"]
    # Re-iterable: gensim reads the corpus once for the vocabulary and once per epoch.
    lines = TokenizedLines(tmp_path)
    assert list(lines) == list(lines)
    raw = list(stream_corpus(str(tmp_path / "a.txt"), tokens="whitespace"))
    assert raw[0] == ["The", "Cat", "sat."]


def test_stream_corpus_names_and_missing_paths(tmp_path):
    assert resolve_corpus_path("lee").name == "lee_background.cor"
    assert resolve_corpus_path("head500").name == "head500.noblanks.cor"
    with pytest.raises(DataError, match="No corpus"):
        stream_corpus(str(tmp_path / "missing.txt"))


def test_streamed_corpus_trains_like_the_in_memory_one(lee):
    streamed = train_word2vec(stream_corpus("lee"), SMALL)
    in_memory = train_word2vec(lee, SMALL)
    assert streamed.vectors.index_to_key == in_memory.vectors.index_to_key
    np.testing.assert_allclose(streamed.vectors.vectors, in_memory.vectors.vectors, atol=1e-6)


def test_vector_set_keeps_counts_and_a_name(lee):
    vector_set, result = train_vector_set(lee, "lee_background", SMALL)
    assert vector_set.name == "skip-gram d20 w5 · lee_background"
    assert vector_set.has_counts
    the = sum(s.count("the") for s in lee)
    assert vector_set.count("the") == the
    assert vector_set.top_words(1) == ["the"]
    assert len(vector_set) == result.vocab_size
    assert vector_set.source.endswith(f"{result.corpus_words:,} words, 3 epochs)")


def test_a_one_epoch_vector_set_says_epoch_in_the_singular():
    short = [["a", "cat", "sat"], ["a", "dog", "sat"]] * 5
    settings = Word2VecSettings(vector_size=10, epochs=1, min_count=1, workers=1, seed=1)
    vector_set, _ = train_vector_set(short, "tiny", settings)
    assert vector_set.source == "trained on tiny (30 words, 1 epoch)"


def test_code_sample_compiles_with_the_changed_settings():
    code = word2vec_code(Word2VecSettings(epochs=1, vector_size=10, workers=1), "lee")
    assert "epochs=1" in code and "vector_size=10" in code
    compile(code, "<code>", "exec")


# ---------------------------------------------------------------- the Train word2vec page


def test_train_page_trains_live_and_keeps_the_vectors():
    from tests.app_pages import open_page

    at = open_page("pages/word2vec_train.py")
    assert not at.exception
    at.slider(key="w2v_dim").set_value(20)
    at.slider(key="w2v_epochs").set_value(3)
    at.button[0].click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert "Complete" in at.success[0].value
    sets = at.session_state["word_vectors"]
    (name,) = sets
    assert name.startswith("skip-gram d20 w5")
    assert at.session_state["word_vectors_current"] == name
    assert {m.label for m in at.metric} >= {"Vocabulary", "Words per second"}
    record = at.session_state["word2vec_run"]
    assert len(record.history["loss"]) == 3


def test_train_page_explains_an_empty_vocabulary():
    from tests.app_pages import open_page

    at = open_page("pages/word2vec_train.py")
    at.number_input(key="w2v_min_count").set_value(100_000)
    at.button[0].click().run(timeout=180)
    assert not at.exception
    assert "vocabulary is empty" in at.error[0].value
    assert "Lower min_count" in at.error[0].value
    assert "word_vectors" not in at.session_state or not at.session_state["word_vectors"]


def test_train_page_reads_an_upload():
    from tests.app_pages import open_page

    at = open_page("pages/word2vec_train.py")
    at.radio(key="w2v_corpus").set_value("Upload a file").run()
    corpus = ("the cat sat on the mat\nthe dog sat on the log\n" * 20).encode()
    at.file_uploader(key="w2v_upload").set_value(("tiny.txt", corpus, "text/plain")).run()
    assert not at.exception
    assert any("40 documents" in c.value for c in at.caption)


def test_corpus_file_mode_trains_the_same_vocabulary_with_per_epoch_losses(tmp_path):
    import io

    from core.embeddings.word2vec import WritingCorpus, corpus_file_of

    lines = gensim_corpus("lee_background.cor").documents
    (tmp_path / "lee.txt").write_text("\n".join(lines), encoding="utf-8")
    settings = Word2VecSettings(vector_size=20, epochs=4, workers=1, seed=7)
    streamed = stream_corpus(str(tmp_path / "lee.txt"))  # the app's tokens: written to a file
    assert corpus_file_of(streamed) is None
    iterated = train_word2vec(streamed, settings)
    via_file = train_word2vec(streamed, settings, via_file=True)
    assert via_file.vectors.index_to_key == iterated.vectors.index_to_key
    assert via_file.corpus_words == iterated.corpus_words
    assert via_file.epoch_words == [via_file.corpus_words] * 4
    losses = via_file.epoch_losses
    assert len(losses) == 4 and all(loss > 0 for loss in losses) and losses[-1] < losses[0]
    # One worker: the loss of each epoch is close to the iterator's (different random draws).
    assert losses[0] == pytest.approx(iterated.epoch_losses[0], rel=0.1)
    assert np.all(np.isfinite(via_file.vectors.vectors))
    written = io.StringIO()
    assert list(WritingCorpus(streamed, written)) == list(streamed)
    assert written.getvalue().splitlines() == [" ".join(t) for t in streamed]


def test_corpus_file_mode_reads_a_plain_whitespace_file_as_it_is(tmp_path):
    from core.embeddings.word2vec import corpus_file_of

    path = tmp_path / "plain.txt"
    path.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 30, encoding="utf-8")
    corpus = stream_corpus(str(path), tokens="whitespace")
    assert corpus_file_of(corpus) == path
    with gzip.open(tmp_path / "plain.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write(path.read_text(encoding="utf-8"))
    assert corpus_file_of(stream_corpus(str(tmp_path / "plain.txt.gz"), "whitespace")) is None
    settings = Word2VecSettings(vector_size=8, epochs=2, min_count=1, workers=2, seed=3)
    result = train_word2vec(corpus, settings, via_file=True)
    assert sorted(result.vectors.index_to_key) == ["cat", "dog", "log", "mat", "on", "sat", "the"]
    assert len(result.epoch_losses) == 2 and result.corpus_words == 360
    # Each worker reads its share of the file's bytes and stops past its share of the words,
    # so together they read every word at least once an epoch (a few more on a tiny file).
    assert sum(result.epoch_words) >= 720
