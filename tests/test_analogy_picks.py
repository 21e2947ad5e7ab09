"""Analogies the vectors answer, and the word counts that explain one they do not."""

import pytest

from core.embeddings import similarity as ws
from core.embeddings.analogy_picks import (
    FEW_OCCURRENCES,
    answerable_analogies,
    too_rare,
    word_evidence,
)
from tests.app_pages import open_page


@pytest.fixture(scope="module")
def quick():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


def test_every_offered_analogy_is_answered_by_the_vectors(quick):
    picks = answerable_analogies(quick, most=6)
    assert picks, "the quick Lee model answers a few test questions"
    for pick in picks:
        answer = ws.analogy(quick, pick.a, pick.b, pick.c, topn=1).add[0][0]
        assert answer == pick.expected, pick
    # Sections are taken in turn, so one section does not fill the list while others score.
    sections = [p.section for p in picks]
    assert len(set(sections)) == min(
        len(picks), len({p.section for p in answerable_analogies(quick, 50)})
    )


def test_word_evidence_gives_corpus_counts_and_flags_rare_words(quick):
    evidence = word_evidence(quick, ["king", "Government", "zzzunknown"])
    king, government, unknown = evidence
    assert king.count == quick.count("king") and king.count < FEW_OCCURRENCES
    assert government.word == "government" and government.count == quick.count("government")
    assert not unknown.known and "not in the vocabulary" in unknown.describe()
    assert f"appears {king.count:,} times" in king.describe()
    assert [e.word for e in too_rare(evidence)] == ["king", "zzzunknown"]


def test_loaded_vectors_without_counts_give_their_rank(quick):
    evidence = word_evidence(quick.vectors, ["government"])[0]
    assert evidence.count is None
    assert evidence.rank == quick.vectors.key_to_index["government"] + 1
    assert "by frequency" in evidence.describe()


def test_explore_page_says_why_the_classic_fails_and_offers_working_ones():
    at = open_page("pages/word_vectors_explore.py")
    at.button(key="explore_vectors_quick").click().run()
    assert not at.exception
    page_text = " ".join(m.value for m in at.markdown)
    assert "Why the answer may be off" in page_text and '"king" appears' in page_text
    at.button(key="explore_find_answerable").click().run()
    pick = at.button(key="explore_pick_0")
    pick.click().run()
    a, b, c = (at.text_input(key=k).value for k in ("explore_a", "explore_b", "explore_c"))
    expected = pick.label.split(":: ")[1].split(" ")[2]
    answer_line = next(m.value for m in at.markdown if m.value.startswith("**3CosAdd**: "))
    assert expected.replace("\\", "") in answer_line.replace("\\", ""), (a, b, c, answer_line)
    assert not at.exception
