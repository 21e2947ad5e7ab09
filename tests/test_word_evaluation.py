"""Benchmarks for word vectors: analogies by section, word pairs, comparison, and the page."""

import logging
import math
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.embeddings import evaluation as we
from core.embeddings.vectors import VectorSet
from tests.conftest import ROOT

PAGE = "pages/word_vectors_evaluate.py"


@pytest.fixture(scope="module")
def quick():
    from core.embeddings.word2vec import quick_vector_set

    return quick_vector_set()


@pytest.fixture(scope="module")
def quick_evaluation(quick):
    return we.evaluate(quick)


def keyed(words: dict[str, list[float]]):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=len(next(iter(words.values()))))
    kv.add_vectors(list(words), np.array(list(words.values()), dtype=np.float32))
    return kv


# Two directions, "female" (axis 1) and "royal" (axis 2), plus a distractor on axis 3.
ROYALS = {
    "man": [1.0, 0.0, 0.0, 0.0],
    "woman": [0.0, 1.0, 0.0, 0.0],
    "king": [1.0, 0.0, 1.0, 0.0],
    "queen": [0.0, 1.0, 1.0, 0.0],
    "prince": [0.2, 0.0, 0.3, 1.0],
}


@pytest.fixture
def analogy_file(tmp_path):
    path = tmp_path / "analogies.txt"
    path.write_text(
        ": royals\n"
        "man king woman queen\n"  # right: queen is nearest to king - man + woman
        "Man King Woman Prince\n"  # wrong: queen wins again (case is ignored)
        "man king woman duchess\n"  # skipped: duchess is unknown
        "not a question\n"  # three words: invalid, not counted
        ": reversed\n"
        "woman queen man king\n"  # right
    )
    return path


def test_count_analogy_questions_on_gensims_file():
    path = we.gensim_test_file(we.ANALOGY_FILE)
    counts = we.count_analogy_questions(path)
    lines = path.read_text().splitlines()
    assert len(counts) == sum(line.startswith(": ") for line in lines) == 14
    assert sum(counts.values()) == sum(len(line.split()) == 4 for line in lines) == 19_544


def test_analogy_accuracy_is_what_the_vectors_set_up(analogy_file):
    sections = we.evaluate_analogies(keyed(ROYALS), analogy_file)
    royals, reversed_, total = sections
    assert (royals.section, royals.questions, royals.correct, royals.incorrect) == (
        "royals",
        3,
        1,
        1,
    )
    assert royals.skipped == 1 and royals.oov_share == pytest.approx(1 / 3)
    assert royals.accuracy == pytest.approx(0.5)
    assert (reversed_.questions, reversed_.correct, reversed_.incorrect) == (1, 1, 0)
    assert total.section == we.TOTAL_SECTION
    assert (total.questions, total.correct, total.incorrect) == (4, 2, 1)
    assert total.accuracy == pytest.approx(2 / 3)
    assert total.oov_share == pytest.approx(1 / 4)


def test_restrict_vocab_skips_rare_words(analogy_file):
    # Only man, woman, king (the first three keys) are "frequent enough": nothing can be asked.
    sections = we.evaluate_analogies(keyed(ROYALS), analogy_file, restrict_vocab=3)
    assert all(s.attempted == 0 for s in sections)
    assert math.isnan(sections[-1].accuracy)
    assert sections[-1].oov_share == 1.0


def test_an_empty_analogy_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(": nothing\n")
    with pytest.raises(ValueError, match="no analogy questions"):
        we.evaluate_analogies(keyed(ROYALS), path)


def test_pair_correlation_and_oov_share_on_a_hand_made_file(tmp_path):
    kv = keyed(
        {
            "a": [1.0, 0.0],
            "b": [1.0, 0.2],  # cos(a, b) is high
            "c": [1.0, 1.0],  # cos(a, c) middling
            "d": [0.0, 1.0],  # cos(a, d) = 0
            "e": [-1.0, 0.1],  # cos(a, e) negative
        }
    )
    path = tmp_path / "pairs.tsv"
    # Ratings in the same order as the cosines: a perfect rank correlation; one unknown pair.
    path.write_text(
        "# word1\tword2\tscore\na\tb\t9.0\na\tc\t6.0\nA\tD\t3.0\na\te\t1.0\na\tzebra\t5.0\n"
    )
    score = we.evaluate_pairs(kv, "hand-made", path)
    assert (score.pairs, score.scored) == (5, 4)
    assert score.oov_share == pytest.approx(0.2)
    assert score.spearman == pytest.approx(1.0)
    assert -1 <= score.pearson <= 1


def test_pairs_with_every_word_unknown_give_nan_not_an_exception(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("x\ty\t1.0\n")
    score = we.evaluate_pairs(keyed(ROYALS), "unknown", path)
    assert score.scored == 0 and score.oov_share == 1.0 and math.isnan(score.spearman)


def test_gensims_pair_files_are_tab_separated_with_comment_headers():
    for name, pairs in (("WordSim-353", 353), ("SimLex-999", 999)):
        path = we.gensim_test_file(we.PAIR_FILES[name])
        assert we.count_pairs(path) == pairs
        lines = [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]
        assert all(len(ln.split("\t")) == 3 for ln in lines)


def test_evaluation_of_the_quick_model_adds_up(quick, quick_evaluation):
    ev = quick_evaluation
    assert ev.name == quick.name and ev.vocab_size == len(quick) and ev.dimension == 50
    sections, total = ev.analogy_sections, ev.analogy_total
    assert len(sections) == 14
    for field in ("questions", "correct", "incorrect", "skipped"):
        assert getattr(total, field) == sum(getattr(s, field) for s in sections)
    assert total.questions == 19_544
    for s in ev.analogy:
        assert 0.0 <= s.oov_share <= 1.0
        assert s.skipped >= 0
        assert math.isnan(s.accuracy) or 0.0 <= s.accuracy <= 1.0
    assert [p.dataset for p in ev.pairs] == ["WordSim-353", "SimLex-999"]
    for p in ev.pairs:
        assert 0.0 <= p.oov_share <= 1.0 and 0 < p.scored < p.pairs
        assert -1.0 <= p.spearman <= 1.0
    table = ev.analogy_table()
    assert table.loc["Total", "questions"] == 19_544
    assert list(ev.pairs_table().index) == ["WordSim-353", "SimLex-999"]


def test_pair_oov_share_matches_a_count_by_hand(quick, quick_evaluation):
    known = {w.upper() for w in quick.vectors.index_to_key}
    path = we.gensim_test_file("wordsim353.tsv")
    rows = [ln.split("\t") for ln in path.read_text().splitlines() if not ln.startswith("#")]
    scored = sum(a.upper() in known and b.upper() in known for a, b, _ in rows)
    assert quick_evaluation.pairs[0].scored == scored


def test_evaluation_is_quick_quiet_and_leaves_the_vectors_alone(quick, caplog):
    kv = quick.vectors
    before = dict(kv.key_to_index)
    logger = logging.getLogger("gensim")
    with caplog.at_level(logging.INFO, logger="gensim"):
        started = time.perf_counter()
        we.evaluate(quick)
        elapsed = time.perf_counter() - started
        assert logger.level == logging.INFO  # restored afterwards
    assert not [r for r in caplog.records if r.name.startswith("gensim")]
    assert elapsed < 5.0
    assert kv.key_to_index == before


def test_fingerprint_follows_the_vectors(quick):
    from gensim.models import KeyedVectors

    first = we.vectors_fingerprint(quick)
    assert we.vectors_fingerprint(quick.vectors) == first
    twin = KeyedVectors(vector_size=quick.dimension)
    twin.add_vectors(list(quick.vectors.index_to_key), quick.vectors.vectors.copy())
    assert we.vectors_fingerprint(twin) == first
    twin.vectors[0, 0] += 1.0
    assert we.vectors_fingerprint(twin) != first


def test_compare_puts_models_side_by_side(quick_evaluation):
    other = we.renamed(quick_evaluation, "B")
    frame = we.compare([quick_evaluation, other])
    name = quick_evaluation.name
    assert list(frame.columns) == [name, f"{name} · coverage", "B", "B · coverage"]
    assert len(frame) == 15 + 2
    assert frame.loc["analogy: Total", name] == pytest.approx(
        quick_evaluation.analogy_total.accuracy
    )
    assert frame.loc["SimLex-999 Spearman", "B"] == pytest.approx(
        quick_evaluation.pairs[1].spearman
    )
    assert frame.loc["WordSim-353 Spearman", "B · coverage"] == pytest.approx(
        1 - quick_evaluation.pairs[0].oov_share
    )
    # Two models with the same name stay apart.
    same = we.compare([quick_evaluation, quick_evaluation])
    assert same.columns[2] == f"{name} (2)"
    long = we.analogy_long([quick_evaluation, other])
    assert len(long) == 2 * 15 and set(long["model"]) == {name, "B"}


def test_evaluate_rejects_a_bad_restrict_vocab(quick):
    with pytest.raises(ValueError, match="restrict_vocab"):
        we.evaluate(quick, restrict_vocab=0)


# ---------------------------------------------------------------- the page


def open_evaluate(vector_sets: list[VectorSet] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if vector_sets:
        at.session_state["word_vectors"] = {vs.name: vs for vs in vector_sets}
        at.session_state["word_vectors_current"] = vector_sets[0].name
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_without_vectors_offers_the_quick_model():
    at = open_evaluate()
    assert at.title[0].value == "Evaluate word vectors"
    assert at.button(key="evaluate_model_a_quick").label == "Train a quick model"


def test_page_with_one_model_explains_how_to_get_a_second(quick):
    at = open_evaluate([quick])
    assert at.selectbox(key="evaluate_model_b").options == ["(none)"]
    assert at.button(key="evaluate_cbow_twin")
    links = [link.proto.page for link in at.get("page_link")]
    assert any("word2vec_train" in page for page in links)


def test_page_evaluates_two_models(quick):
    twin = VectorSet("twin", quick.vectors, "the same vectors", has_counts=False)
    at = open_evaluate([quick, twin])
    assert not at.dataframe  # nothing runs before the button
    at.selectbox(key="evaluate_model_b").set_value("twin")
    next(b for b in at.button if b.label == "Evaluate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe]
    analogy = next(t for t in tables if "accuracy" in t.columns)
    assert analogy.loc["Total", "questions"] == 19_544
    comparison = next(t for t in tables if "twin · coverage" in t.columns)
    assert quick.name in comparison.columns
    assert any("Most test words are missing" in w.value for w in at.warning)
