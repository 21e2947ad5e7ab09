"""Exploring word vectors: nearest neighbours, analogies, the odd one out, pair similarity.

Every function takes a :class:`~core.embeddings.vectors.VectorSet` or a bare gensim ``KeyedVectors``.
Words typed by a person are cleaned first (:func:`resolve_word`): surrounding spaces go, and a
capitalised word falls back to its lower-case form when only that one is in the vocabulary.
A word that is still missing raises :class:`OutOfVocabularyError`, a :class:`DataError` that
carries the closest spellings present, so a page can offer them as buttons.

Similarities are cosines: the dot product of two vectors divided by the product of their
lengths, from -1 (opposite directions) through 0 (unrelated) to 1 (same direction).
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.embeddings.vectors import VectorSet
from core.errors import DataError

MAX_TOPN = 100
MAX_ODD_WORDS = 20
# difflib compares the word with every candidate; past this many words it gets slow, and
# suggestions among the most frequent words are the useful ones anyway.
SUGGESTION_POOL = 50_000
MAX_SUGGESTIONS = 5
# Below this many words a vocabulary comes from a small corpus, where rare words are noise.
LARGE_VOCABULARY = 20_000

# Defaults for the explore page, tried in order until every word is in the vocabulary.
ANALOGY_CANDIDATES: tuple[tuple[str, str, str], ...] = (
    ("man", "king", "woman"),
    ("man", "he", "woman"),
    ("france", "paris", "germany"),
    ("australia", "australian", "israel"),
    ("big", "bigger", "small"),
)
NEIGHBOUR_CANDIDATES: tuple[str, ...] = ("king", "government", "police", "war", "city", "good")
ODD_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("breakfast", "cereal", "dinner", "lunch"),
    ("monday", "tuesday", "wednesday", "police"),
    ("sydney", "melbourne", "canberra", "taliban"),
)
PAIR_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("king", "queen"),
    ("man", "woman"),
    ("israel", "palestinian"),
    ("good", "bad"),
)


class OutOfVocabularyError(DataError):
    """A word the vectors do not know; ``suggestions`` holds the closest spellings present."""

    def __init__(self, word: str, model_name: str, vocab_size: int, suggestions: list[str]):
        message = f"'{word}' is not in the vocabulary of {model_name} ({vocab_size:,} words)."
        if suggestions:
            hint = "Closest spellings present: " + ", ".join(f"'{s}'" for s in suggestions) + "."
        else:
            hint = (
                "No word in the vocabulary is spelled like it. Try a more frequent word, or "
                "train on a larger corpus so that more words reach min_count."
            )
        super().__init__(message, hint)
        self.word = word
        self.model_name = model_name
        self.suggestions = list(suggestions)


@dataclass(frozen=True)
class Analogy:
    """a : b :: c : ? answered two ways. Scores: cosine for ``add``, the 3CosMul ratio for ``mul``."""

    a: str
    b: str
    c: str
    add: list[tuple[str, float]]
    mul: list[tuple[str, float]]


@dataclass(frozen=True)
class OddOneOut:
    """The word least like the others, and each word's cosine with the mean of the others."""

    odd: str
    scores: list[tuple[str, float]]  # in the order the words were given


# ---------------------------------------------------------------- words and vocabulary


def keyed_vectors(vectors: Any) -> Any:
    """The gensim ``KeyedVectors`` inside a VectorSet (or the argument itself)."""
    return vectors.vectors if isinstance(vectors, VectorSet) else vectors


def model_name(vectors: Any) -> str:
    """The VectorSet's name, or a generic label for bare ``KeyedVectors``."""
    return vectors.name if isinstance(vectors, VectorSet) else "these vectors"


def suggest_spellings(vectors: Any, word: str, n: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to ``n`` vocabulary words spelled like ``word`` (its lower-case form tried too),
    closest first, searched among the ``SUGGESTION_POOL`` most frequent words."""
    kv = keyed_vectors(vectors)
    pool = kv.index_to_key[:SUGGESTION_POOL]
    found: list[str] = []
    for variant in dict.fromkeys([word, word.lower()]):
        for match in difflib.get_close_matches(variant, pool, n=n, cutoff=0.6):
            if match not in found:
                found.append(match)
    ranked = sorted(
        found, key=lambda m: -difflib.SequenceMatcher(None, word.lower(), m.lower()).ratio()
    )
    return ranked[:n]


def resolve_word(vectors: Any, word: str) -> str:
    """``word`` as the vocabulary spells it: stripped, lower-cased if only that form is known.

    Raises :class:`DataError` for an empty word and :class:`OutOfVocabularyError` for an
    unknown one.
    """
    kv = keyed_vectors(vectors)
    cleaned = str(word).strip()
    if not cleaned:
        raise DataError("A word is missing.", "Type a word from the vocabulary.")
    if cleaned in kv.key_to_index:
        return cleaned
    if cleaned.lower() in kv.key_to_index:
        return cleaned.lower()
    raise OutOfVocabularyError(
        cleaned, model_name(vectors), len(kv), suggest_spellings(vectors, cleaned)
    )


def split_words(text: str) -> list[str]:
    """Words typed in one box, separated by commas, semicolons or spaces; duplicates kept once."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    return list(dict.fromkeys(parts))


def _check_topn(topn: int, kv: Any, exclude: int) -> int:
    if isinstance(topn, bool) or not isinstance(topn, int) or not 1 <= topn <= MAX_TOPN:
        raise DataError(
            f"topn must be a whole number from 1 to {MAX_TOPN}, got {topn!r}.",
            "Ask for fewer neighbours.",
        )
    available = len(kv) - exclude
    if available < 1:
        raise DataError(
            f"The vocabulary has only {len(kv):,} words, so no other word is left to rank.",
            "Use vectors with a larger vocabulary.",
        )
    return min(topn, available)


# ---------------------------------------------------------------- the four explorations


def neighbours(vectors: Any, word: str, topn: int = 10) -> list[tuple[str, float]]:
    """The ``topn`` words closest to ``word`` by cosine, closest first, ``word`` itself left out."""
    kv = keyed_vectors(vectors)
    key = resolve_word(vectors, word)
    topn = _check_topn(topn, kv, exclude=1)
    return [(w, float(s)) for w, s in kv.most_similar(key, topn=topn)]


def analogy(vectors: Any, a: str, b: str, c: str, topn: int = 5) -> Analogy:
    """Answer a : b :: c : ? with 3CosAdd and 3CosMul, never returning a, b or c.

    3CosAdd (gensim ``most_similar(positive=[b, c], negative=[a])``) ranks words by their
    cosine with the normalised b - a + c. 3CosMul (``most_similar_cosmul``, Levy and Goldberg
    2014) ranks them by cos'(x, b) · cos'(x, c) / (cos'(x, a) + 0.000001), with each cosine
    shifted to [0, 1] as cos' = (1 + cos) / 2, so no single large similarity dominates.
    """
    kv = keyed_vectors(vectors)
    a, b, c = (resolve_word(vectors, w) for w in (a, b, c))
    inputs = {a, b, c}
    topn = _check_topn(topn, kv, exclude=len(inputs))
    # gensim already drops its inputs; ask for spares and filter anyway, so the promise
    # "never a, b or c" does not hang on a library detail.
    extra = topn + len(inputs)
    add = kv.most_similar(positive=[b, c], negative=[a], topn=extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # most_similar_cosmul calls the deprecated init_sims
        mul = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=extra)
    return Analogy(
        a=a,
        b=b,
        c=c,
        add=[(w, float(s)) for w, s in add if w not in inputs][:topn],
        mul=[(w, float(s)) for w, s in mul if w not in inputs][:topn],
    )


def doesnt_match(vectors: Any, words: list[str]) -> OddOneOut:
    """The word whose cosine with the mean of the other (unit-length) word vectors is lowest.

    gensim's ``doesnt_match`` compares each word with the mean of all of them, itself included;
    leaving the word out gives the score a plain reading ("how well does it fit the rest?").
    Needs at least three distinct words.
    """
    kv = keyed_vectors(vectors)
    keys = list(dict.fromkeys(resolve_word(vectors, w) for w in words if str(w).strip()))
    if len(keys) < 3:
        raise DataError(
            f"The odd one out needs at least three different words, got {len(keys)}.",
            "Type three or more words separated by spaces or commas.",
        )
    if len(keys) > MAX_ODD_WORDS:
        raise DataError(
            f"Too many words: {len(keys)} (at most {MAX_ODD_WORDS}).",
            "Keep a short list, so that one word can stand out.",
        )
    units = np.stack([kv.get_vector(k, norm=True) for k in keys]).astype(np.float64)
    total = units.sum(axis=0)
    scores = []
    for key, unit in zip(keys, units, strict=True):
        rest = total - unit
        length = np.linalg.norm(rest)
        scores.append((key, float(unit @ rest / length) if length > 0 else 0.0))
    odd = min(scores, key=lambda pair: pair[1])[0]
    return OddOneOut(odd=odd, scores=scores)


def similarity(vectors: Any, word1: str, word2: str) -> float:
    """The cosine similarity of two words' vectors, from -1 to 1."""
    kv = keyed_vectors(vectors)
    return float(kv.similarity(resolve_word(vectors, word1), resolve_word(vectors, word2)))


def neighbour_rank(vectors: Any, word: str, other: str) -> int:
    """Where ``other`` comes among ``word``'s neighbours: 1 when it is the closest word.

    Ties count in ``other``'s favour; ``word`` itself is not a neighbour.
    """
    kv = keyed_vectors(vectors)
    key, other_key = resolve_word(vectors, word), resolve_word(vectors, other)
    if key == other_key:
        raise DataError("Pick two different words.", "A word is not its own neighbour.")
    sims = np.asarray(kv.most_similar(key, topn=None), dtype=np.float64)
    sims[kv.get_index(key)] = -np.inf
    return int(np.sum(sims > sims[kv.get_index(other_key)])) + 1


def cosine_to_degrees(cosine: float) -> float:
    """The angle between two vectors, in degrees, from their cosine (0° same, 180° opposite)."""
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


# ---------------------------------------------------------------- defaults for the page


def _known(vectors: Any, words: tuple[str, ...]) -> bool:
    kv = keyed_vectors(vectors)
    return all(w in kv.key_to_index for w in words)


def _frequent_content_words(vectors: Any, n: int) -> list[str]:
    """Frequent words of three letters or more (skips "the", "a", punctuation), else any."""
    kv = keyed_vectors(vectors)
    pool = kv.index_to_key[:2_000]
    picked = [w for w in pool[50:] if len(w) >= 3 and w.isalpha()][:n]
    if len(picked) < n:
        picked += [w for w in pool if w not in picked][: n - len(picked)]
    return picked


def default_neighbour_word(vectors: Any) -> str:
    """A sensible first word to look up: "king" in a large vocabulary; in a small one the most
    frequent candidate, since a word seen a handful of times has chance neighbours."""
    kv = keyed_vectors(vectors)
    known = [w for w in NEIGHBOUR_CANDIDATES if w in kv.key_to_index]
    if known:
        return known[0] if len(kv) >= LARGE_VOCABULARY else min(known, key=kv.get_index)
    return (_frequent_content_words(vectors, 1) or [""])[0]


def default_analogy(vectors: Any) -> tuple[str, str, str]:
    """The classic man : king :: woman when all three are known, else another known triple."""
    for triple in ANALOGY_CANDIDATES:
        if _known(vectors, triple):
            return triple
    words = _frequent_content_words(vectors, 3)
    return tuple((words + ["", "", ""])[:3])  # type: ignore[return-value]


def default_odd_words(vectors: Any) -> list[str]:
    """Words with a clear odd one out when the vocabulary has them, else four frequent words."""
    for group in ODD_CANDIDATES:
        if _known(vectors, group):
            return list(group)
    return _frequent_content_words(vectors, 4)


def default_pair(vectors: Any) -> tuple[str, str]:
    """Two known words to compare."""
    for pair in PAIR_CANDIDATES:
        if _known(vectors, pair):
            return pair
    words = _frequent_content_words(vectors, 2)
    return tuple((words + ["", ""])[:2])  # type: ignore[return-value]
