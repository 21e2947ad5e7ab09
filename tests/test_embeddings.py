"""Word2vec's training examples: skip-gram pairs, CBOW examples and the pairs page."""

import contextlib
import io

import pytest

from core.embeddings import pairs as embeddings
from core.embeddings.pairs import PairSettings, cbow_examples, sentence_tokens, skipgram_pairs
from core.figures.embeddings import pair_growth_figure, window_figure
from tests.app_pages import open_page

PAGE = "pages/word2vec_pairs.py"
TALK = ["a", "cute", "teddy", "bear", "is", "reading"]


def test_talk_sentence_tokens():
    assert sentence_tokens("A cute Teddy bear is reading.") == TALK
    assert sentence_tokens(embeddings.TALK_SENTENCE) == TALK


def test_skipgram_window_1_by_hand():
    assert skipgram_pairs(TALK, 1) == [
        ("a", "cute"),
        ("cute", "a"),
        ("cute", "teddy"),
        ("teddy", "cute"),
        ("teddy", "bear"),
        ("bear", "teddy"),
        ("bear", "is"),
        ("is", "bear"),
        ("is", "reading"),
        ("reading", "is"),
    ]


def test_skipgram_window_2_by_hand():
    assert skipgram_pairs(TALK, 2) == [
        ("a", "cute"),
        ("a", "teddy"),
        ("cute", "a"),
        ("cute", "teddy"),
        ("cute", "bear"),
        ("teddy", "a"),
        ("teddy", "cute"),
        ("teddy", "bear"),
        ("teddy", "is"),
        ("bear", "cute"),
        ("bear", "teddy"),
        ("bear", "is"),
        ("bear", "reading"),
        ("is", "teddy"),
        ("is", "bear"),
        ("is", "reading"),
        ("reading", "bear"),
        ("reading", "is"),
    ]


def test_cbow_window_1_by_hand():
    assert cbow_examples(TALK, 1) == [
        (("cute",), "a"),
        (("a", "teddy"), "cute"),
        (("cute", "bear"), "teddy"),
        (("teddy", "is"), "bear"),
        (("bear", "reading"), "is"),
        (("is",), "reading"),
    ]


def test_cbow_window_2_by_hand():
    assert cbow_examples(TALK, 2) == [
        (("cute", "teddy"), "a"),
        (("a", "teddy", "bear"), "cute"),
        (("a", "cute", "bear", "is"), "teddy"),
        (("cute", "teddy", "is", "reading"), "bear"),
        (("teddy", "bear", "reading"), "is"),
        (("bear", "is"), "reading"),
    ]


def test_one_word_and_empty_sentences_give_nothing():
    assert skipgram_pairs(["bear"], 3) == []
    assert cbow_examples(["bear"], 3) == []
    assert skipgram_pairs([], 1) == []
    assert cbow_examples([], 1) == []


def test_window_larger_than_sentence_pairs_every_word_with_every_other():
    words = ["x", "y", "z"]
    assert skipgram_pairs(words, 5) == [
        ("x", "y"),
        ("x", "z"),
        ("y", "x"),
        ("y", "z"),
        ("z", "x"),
        ("z", "y"),
    ]
    assert cbow_examples(words, 5) == [(("y", "z"), "x"), (("x", "z"), "y"), (("x", "y"), "z")]
    assert skipgram_pairs(words, 5) == skipgram_pairs(words, 2)


def test_repeated_words_count_by_position():
    words = sentence_tokens("the dog saw the dog")
    pairs = skipgram_pairs(words, 1)
    assert pairs.count(("the", "dog")) == 2
    assert pairs.count(("dog", "the")) == 2
    assert len(cbow_examples(words, 1)) == 5


@pytest.mark.parametrize("window", [0, -1, 1.5, True, "2"])
def test_bad_windows_are_refused(window):
    with pytest.raises(ValueError, match="window"):
        skipgram_pairs(TALK, window)
    with pytest.raises(ValueError, match="window"):
        cbow_examples(TALK, window)
    with pytest.raises(ValueError, match="window"):
        PairSettings(window=window)


@pytest.mark.parametrize("n", [0, 1, 2, 6, 11])
def test_pair_count_formula_matches_the_listed_pairs(n):
    words = [f"w{i}" for i in range(n)]
    counts = embeddings.pair_counts_by_window(n)
    assert list(counts) == [1, 2, 3, 4, 5]
    for window, count in counts.items():
        assert count == len(skipgram_pairs(words, window))


def test_pair_count_stops_growing_once_the_window_covers_the_sentence():
    counts = embeddings.pair_counts_by_window(len(TALK))
    assert counts[1] < counts[2] < counts[3] < counts[4] < counts[5]
    short = embeddings.pair_counts_by_window(3)
    assert short[2] == short[3] == short[5] == 3 * 2


def test_context_positions_clip_at_the_ends():
    assert embeddings.context_positions(6, 0, 2) == [1, 2]
    assert embeddings.context_positions(6, 5, 2) == [3, 4]
    assert embeddings.context_positions(6, 2, 1) == [1, 3]
    with pytest.raises(ValueError, match="position"):
        embeddings.context_positions(6, 6, 1)


def run_snippet(code: str) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<pairs_code>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    "sentence,window",
    [
        (embeddings.TALK_SENTENCE, 1),
        (embeddings.TALK_SENTENCE, 2),
        ("Don't PANIC: the dog's 42 bones, the dog's toys!", 3),
        ("'quotes' \"and\" {braces} \\ back", 5),
        ("solo", 2),
        (" ".join(f"w{i}" for i in range(embeddings.MAX_SENTENCE_TOKENS + 7)), 2),
    ],
)
def test_show_the_code_snippet_matches_core(sentence, window):
    settings = PairSettings(sentence=sentence, window=window)
    code = embeddings.pairs_code(settings)
    assert f"window = {window}" in code and f"sg=1, window={window}" in code
    namespace = run_snippet(code)
    tokens = sentence_tokens(sentence)[: embeddings.MAX_SENTENCE_TOKENS]
    assert namespace["tokens"] == tokens
    assert namespace["skipgram"] == skipgram_pairs(tokens, window)
    assert namespace["cbow"] == cbow_examples(tokens, window)


def test_window_figure_highlights_target_and_context():
    fig = window_figure(TALK, 2, embeddings.context_positions(len(TALK), 2, 1))
    by_name = {trace.name: trace for trace in fig.data if trace.mode == "text"}
    assert list(by_name["target"].text) == ["teddy"]
    assert list(by_name["context"].text) == ["cute", "bear"]
    assert list(by_name["outside window"].text) == ["a", "is", "reading"]
    arcs = [trace for trace in fig.data if trace.mode == "lines"]
    assert len(arcs) == 4  # two skip-gram arrows above, two CBOW arrows below
    skipgram_arcs = [t for t in arcs if t.legendgroup.startswith("skip-gram")]
    # Skip-gram arrows leave the target; CBOW arrows arrive at it.
    assert all(t.x[0] == 2 and min(t.y) > 0 for t in skipgram_arcs)
    assert all(t.x[-1] == 2 and max(t.y) < 0 for t in arcs if t not in skipgram_arcs)
    assert len(fig.layout.annotations) == 4


def test_window_figure_shortens_labels_of_long_sentences_only():
    words = ["representation"] + [f"w{i}" for i in range(29)]
    fig = window_figure(words, 0, [1])
    target = next(t for t in fig.data if t.mode == "text" and t.name == "target")
    assert target.text[0] != "representation" and target.text[0].endswith("…")
    assert target.customdata[0][1] == "representation"  # the hover keeps the whole word
    short = window_figure(["representation", "learning"], 0, [1])
    assert next(t for t in short.data if t.name == "target").text[0] == "representation"


def test_pair_growth_figure_shows_each_window():
    counts = embeddings.pair_counts_by_window(len(TALK))
    fig = pair_growth_figure(counts, current=2)
    assert list(fig.data[0].x) == [1, 2, 3, 4, 5]
    assert list(fig.data[0].y) == [counts[w] for w in range(1, 6)]
    colours = list(fig.data[0].marker.color)
    assert colours[1] != colours[0] and colours.count(colours[1]) == 1


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_renders_and_the_window_changes_the_pair_count():
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Skip-gram and CBOW pairs"
    assert metric(at, "Skip-gram pairs") == "18"
    assert metric(at, "CBOW examples") == "6"
    assert at.dataframe[1].value.shape == (18, 2)
    assert any("window = 2" in c.value for c in at.code)

    at.slider(key="w2v_window").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Skip-gram pairs") == "10"
    assert at.dataframe[1].value.shape == (10, 2)
    assert any("window = 1" in c.value for c in at.code)


def test_page_explains_empty_and_one_word_sentences():
    at = open_page(PAGE)
    at.text_input(key="w2v_sentence").set_value("  ?!  ").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("no words" in e.value for e in at.error)

    at.text_input(key="w2v_sentence").set_value("Bear").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Skip-gram pairs") == "0"
    assert any("single word" in w.value for w in at.warning)
