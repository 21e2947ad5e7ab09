"""Exploring word vectors: neighbours, analogies, the odd one out, unknown words, the page."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.embeddings import similarity as ws
from core.embeddings.vectors import VectorSet
from core.errors import DataError
from tests.conftest import ROOT

PAGE = "pages/word_vectors_explore.py"


@pytest.fixture(scope="module")
def quick():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


def keyed(words: dict[str, list[float]]):
    """KeyedVectors holding exactly ``words`` with the given vectors."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=len(next(iter(words.values()))))
    kv.add_vectors(list(words), np.array(list(words.values()), dtype=np.float32))
    return kv


def unit_matrix(kv) -> np.ndarray:
    vectors = kv.vectors.astype(np.float64)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# ---------------------------------------------------------------- neighbours


def test_neighbours_are_sorted_exclude_the_word_and_match_numpy(quick):
    found = ws.neighbours(quick, "government", topn=10)
    assert len(found) == 10
    words = [w for w, _ in found]
    cosines = [c for _, c in found]
    assert "government" not in words
    assert cosines == sorted(cosines, reverse=True)
    assert all(-1.0 <= c <= 1.0 for c in cosines)
    kv = quick.vectors
    u, v = kv["government"].astype(np.float64), kv[words[0]].astype(np.float64)
    assert cosines[0] == pytest.approx(u @ v / np.linalg.norm(u) / np.linalg.norm(v), abs=1e-5)
    # The top neighbour is the best of every other word, by hand.
    units = unit_matrix(kv)
    sims = units @ units[kv.get_index("government")]
    sims[kv.get_index("government")] = -np.inf
    assert kv.index_to_key[int(np.argmax(sims))] == words[0]


def test_neighbours_accept_keyed_vectors_and_clean_the_input(quick):
    assert ws.neighbours(quick.vectors, "  Police ", topn=3) == ws.neighbours(quick, "police", 3)


def test_neighbours_reject_a_bad_topn(quick):
    with pytest.raises(DataError, match="topn"):
        ws.neighbours(quick, "police", topn=0)


# ---------------------------------------------------------------- analogies


def test_3cosadd_is_the_nearest_word_to_b_minus_a_plus_c(quick):
    a, b, c = "man", "king", "woman"
    result = ws.analogy(quick, a, b, c, topn=5)
    kv = quick.vectors
    units = unit_matrix(kv)
    target = units[kv.get_index(b)] - units[kv.get_index(a)] + units[kv.get_index(c)]
    sims = units @ (target / np.linalg.norm(target))
    for word in (a, b, c):
        sims[kv.get_index(word)] = -np.inf
    order = np.argsort(-sims)[:5]
    assert [w for w, _ in result.add] == [kv.index_to_key[i] for i in order]
    assert result.add[0][1] == pytest.approx(sims[order[0]], abs=1e-5)
    assert not {a, b, c} & {w for w, _ in result.add + result.mul}


def test_3cosmul_matches_its_formula(quick):
    a, b, c = "israel", "israeli", "australia"
    result = ws.analogy(quick, a, b, c, topn=3)
    kv = quick.vectors
    units = unit_matrix(kv)

    def shifted(word):
        return (1 + units @ units[kv.get_index(word)]) / 2

    score = shifted(b) * shifted(c) / (shifted(a) + 1e-6)
    for word in (a, b, c):
        score[kv.get_index(word)] = -np.inf
    best = int(np.argmax(score))
    assert result.mul[0][0] == kv.index_to_key[best]
    assert result.mul[0][1] == pytest.approx(score[best], rel=1e-4)
    assert [s for _, s in result.mul] == sorted((s for _, s in result.mul), reverse=True)


def test_analogy_never_returns_its_inputs_even_when_they_are_nearest():
    # "c" is the nearest word to b - a + c here; it must still not be an answer.
    kv = keyed(
        {
            "a": [1.0, 0.0, 0.0],
            "b": [1.0, 0.1, 0.0],
            "c": [0.0, 1.0, 0.0],
            "d": [0.0, 0.5, 1.0],
            "e": [-1.0, 0.0, 0.2],
        }
    )
    result = ws.analogy(kv, "a", "b", "c", topn=2)
    assert [w for w, _ in result.add] == ["d", "e"]
    assert {w for w, _ in result.mul} == {"d", "e"}


# ---------------------------------------------------------------- odd one out and pairs


def test_odd_one_out_on_vectors_where_the_answer_is_known():
    kv = keyed(
        {
            "apple": [1.0, 0.1, 0.0],
            "pear": [0.9, 0.0, 0.1],
            "plum": [1.0, 0.0, 0.2],
            "car": [0.0, 1.0, 0.0],
        }
    )
    result = ws.doesnt_match(kv, ["apple", "pear", "car", "plum"])
    assert result.odd == "car" == kv.doesnt_match(["apple", "pear", "car", "plum"])
    assert [w for w, _ in result.scores] == ["apple", "pear", "car", "plum"]
    units = unit_matrix(kv)
    rest = units[[0, 1, 2]].sum(axis=0)  # the mean direction of apple, pear and plum
    expected = units[3] @ rest / np.linalg.norm(rest)
    assert dict(result.scores)["car"] == pytest.approx(expected, abs=1e-6)
    assert min(result.scores, key=lambda p: p[1])[0] == "car"


def test_odd_one_out_needs_three_distinct_words():
    kv = keyed({"x": [1.0, 0.0], "y": [0.0, 1.0]})
    with pytest.raises(DataError, match="at least three"):
        ws.doesnt_match(kv, ["x", "y", "x", "  "])


def test_similarity_is_the_cosine(quick):
    kv = quick.vectors
    u, v = kv["sydney"].astype(float), kv["melbourne"].astype(float)
    expected = u @ v / np.linalg.norm(u) / np.linalg.norm(v)
    assert ws.similarity(quick, "Sydney", "melbourne") == pytest.approx(expected, abs=1e-5)
    assert ws.cosine_to_degrees(1.0) == pytest.approx(0.0)
    assert ws.cosine_to_degrees(0.0) == pytest.approx(90.0)


def test_neighbour_rank_counts_the_closer_words(quick):
    found = ws.neighbours(quick, "police", topn=5)
    for position, (word, _) in enumerate(found, start=1):
        assert ws.neighbour_rank(quick, "police", word) == position
    kv = quick.vectors
    cos = ws.similarity(quick, "police", "man")
    closer = sum(ws.similarity(quick, "police", w) > cos for w in kv.index_to_key if w != "police")
    assert ws.neighbour_rank(quick, "police", "man") == closer + 1
    with pytest.raises(DataError, match="two different words"):
        ws.neighbour_rank(quick, "police", "Police")


def test_split_words_accepts_commas_and_spaces():
    assert ws.split_words(" cat, dog;bird  cat\tfish ") == ["cat", "dog", "bird", "fish"]


# ---------------------------------------------------------------- unknown words


def test_a_misspelled_word_suggests_the_right_spelling(quick):
    with pytest.raises(ws.OutOfVocabularyError) as caught:
        ws.neighbours(quick, "goverment")
    error = caught.value
    assert isinstance(error, DataError)
    assert error.message == (
        f"'goverment' is not in the vocabulary of {quick.name} ({len(quick):,} words)."
    )
    assert error.suggestions[0] == "government"
    assert "'government'" in error.hint
    assert all(s in quick.vectors.key_to_index for s in error.suggestions)


def test_suggestions_also_try_the_lower_case_form():
    kv = keyed({"Paris": [1.0, 0.0], "london": [0.0, 1.0], "berlin": [1.0, 1.0]})
    assert ws.resolve_word(kv, "Paris") == "Paris"
    assert ws.resolve_word(kv, "LONDON") == "london"
    with pytest.raises(ws.OutOfVocabularyError) as caught:
        ws.resolve_word(kv, "BERLN")
    assert caught.value.suggestions == ["berlin"]
    assert "these vectors (3 words)" in caught.value.message


def test_no_close_spelling_says_so(quick):
    with pytest.raises(ws.OutOfVocabularyError) as caught:
        ws.similarity(quick, "police", "qqqqzzzz")
    assert caught.value.suggestions == []
    assert caught.value.word == "qqqqzzzz"
    assert "No word in the vocabulary" in caught.value.hint


def test_an_empty_word_is_a_data_error(quick):
    with pytest.raises(DataError, match="missing"):
        ws.resolve_word(quick, "   ")


# ---------------------------------------------------------------- page defaults


def test_defaults_are_in_the_vocabulary(quick):
    kv = quick.vectors
    assert ws.default_analogy(quick) == ("man", "king", "woman")
    # A small vocabulary starts on its most frequent candidate word.
    known = [w for w in ws.NEIGHBOUR_CANDIDATES if w in kv.key_to_index]
    assert ws.default_neighbour_word(quick) == min(known, key=kv.get_index)
    words = [
        ws.default_neighbour_word(quick),
        *ws.default_odd_words(quick),
        *ws.default_pair(quick),
    ]
    assert all(w in kv.key_to_index for w in words)


def test_defaults_fall_back_to_known_words():
    vocab = {f"word{chr(97 + i)}": [float(i == j) for j in range(6)] for i in range(6)}
    kv = keyed(vocab)
    for words in (
        ws.default_analogy(kv),
        ws.default_odd_words(kv),
        ws.default_pair(kv),
        (ws.default_neighbour_word(kv),),
    ):
        assert words and all(w in kv.key_to_index for w in words)
    assert len(set(ws.default_analogy(kv))) == 3


# ---------------------------------------------------------------- the page


def open_explore(vector_set: VectorSet | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if vector_set is not None:
        at.session_state["word_vectors"] = {vector_set.name: vector_set}
        at.session_state["word_vectors_current"] = vector_set.name
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_without_vectors_offers_the_quick_model():
    at = open_explore()
    assert at.title[0].value == "Explore word vectors"
    assert at.button(key="explore_vectors_quick").label == "Train a quick model"
    assert not at.dataframe


def test_page_shows_neighbours_and_suggests_spellings(quick):
    at = open_explore(quick)
    neighbours = at.dataframe[0].value
    expected = [w for w, _ in ws.neighbours(quick, at.session_state["explore_word"], 10)]
    assert list(neighbours["word"]) == expected
    assert at.session_state["explore_word"] not in expected

    at.text_input(key="explore_word").set_value("goverment")
    at.button[0].click().run()  # the neighbours form's submit button comes first
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "'goverment' is not in the vocabulary" in errors and "'government'" in errors
    suggestion = at.button(key="explore_word_suggestion_0")
    assert "government" in suggestion.label
    suggestion.click().run()
    assert at.session_state["explore_word"] == "government"
    assert not at.error
    assert list(at.dataframe[0].value["word"]) == [
        w for w, _ in ws.neighbours(quick, "government", 10)
    ]
