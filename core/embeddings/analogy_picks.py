"""Analogies a set of word vectors can answer, and the word counts that explain one it cannot.

Small corpora answer few of the classic analogies: on gensim's Lee corpus "king" occurs a
handful of times and "queen" not often enough to get a vector, so man : king :: woman : ? lands
on whatever word happens to be near. :func:`answerable_analogies` runs gensim's own test
(``questions-words.txt``) and keeps the questions these vectors get right, best sections first,
so the page can offer analogies that work; :func:`word_evidence` says how often each word of a
failed analogy was seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.embeddings.evaluation import (
    ANALOGY_FILE,
    DEFAULT_RESTRICT_VOCAB,
    gensim_test_file,
    quiet_gensim,
)
from core.embeddings.similarity import keyed_vectors

# Below this many occurrences word2vec has seen too few contexts for a stable vector.
FEW_OCCURRENCES = 50


@dataclass(frozen=True)
class AnalogyPick:
    """One question of the test file these vectors answer: a : b :: c : expected."""

    section: str
    a: str
    b: str
    c: str
    expected: str

    @property
    def text(self) -> str:
        return f"{self.a} : {self.b} :: {self.c} : {self.expected}  ({self.section})"


def answerable_analogies(
    vectors: Any,
    most: int = 8,
    path: str | Path | None = None,
    restrict_vocab: int = DEFAULT_RESTRICT_VOCAB,
) -> list[AnalogyPick]:
    """Up to ``most`` analogies of ``path`` (gensim's questions-words.txt by default) that
    ``vectors`` answer correctly with 3CosAdd, taken in turn from the sections with the most
    correct answers, so the list shows the kinds of relation these vectors have learnt.
    Words are in the vocabulary's own case. Empty when none is answered."""
    kv = keyed_vectors(vectors)
    path = Path(path) if path is not None else gensim_test_file(ANALOGY_FILE)
    with quiet_gensim():
        _, sections = kv.evaluate_word_analogies(
            str(path), restrict_vocab=restrict_vocab, case_insensitive=True
        )
    lower = {word.lower(): word for word in kv.index_to_key[:restrict_vocab]}
    by_section = [
        (found["section"], [tuple(lower.get(w.lower(), w) for w in q) for q in found["correct"]])
        for found in sections[:-1]  # the last one is gensim's total
        if found["correct"]
    ]
    by_section.sort(key=lambda item: -len(item[1]))
    picks: list[AnalogyPick] = []
    while len(picks) < most and any(questions for _, questions in by_section):
        for section, questions in by_section:
            if questions and len(picks) < most:
                picks.append(AnalogyPick(section, *questions.pop(0)))
    return picks


@dataclass(frozen=True)
class WordEvidence:
    """How well the vectors know one word: its count in the training corpus when known, else
    its rank in the vocabulary (files list words from the most frequent down)."""

    word: str
    known: bool
    count: int | None
    rank: int | None

    def describe(self) -> str:
        if not self.known:
            return f'"{self.word}" is not in the vocabulary'
        if self.count is not None:
            return f'"{self.word}" appears {self.count:,} times'
        return f'"{self.word}" is word {self.rank:,} by frequency'


def word_evidence(vector_set: Any, words: list[str]) -> list[WordEvidence]:
    """Each word's count (vectors trained here know their corpus counts) or vocabulary rank."""
    kv = keyed_vectors(vector_set)
    count_of = getattr(vector_set, "count", None)
    evidence = []
    for word in words:
        found = word if word in kv.key_to_index else word.lower()
        if found not in kv.key_to_index:
            evidence.append(WordEvidence(word, False, None, None))
            continue
        count = count_of(found) if callable(count_of) else None
        evidence.append(WordEvidence(found, True, count, kv.key_to_index[found] + 1))
    return evidence


def too_rare(evidence: list[WordEvidence]) -> list[WordEvidence]:
    """The words of ``evidence`` seen too rarely (or never) for a reliable vector."""
    return [
        e for e in evidence if not e.known or (e.count is not None and e.count < FEW_OCCURRENCES)
    ]
