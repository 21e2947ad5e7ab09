"""Where each word the model reads sits in a text, and which words a character n-gram covers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.classifier.features import Featurizer
from core.text.analysis import REGEXP_PATTERN, stem_function, stop_words, tokenize

_WORD = re.compile(REGEXP_PATTERN)


@dataclass(frozen=True)
class WordSpan:
    """A word of the text as typed (``text[start:end]``) and the term the model sees for it."""

    start: int
    end: int
    word: str
    term: str


def _lowered_with_offsets(text: str) -> tuple[str, list[int]] | None:
    """``text.lower()`` and, per lowered character, the index of the original one it came from.

    ``None`` when lower-casing the whole string and each character apart disagree in length,
    which would make the offsets wrong.
    """
    lowered = text.lower()
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(char.lower()))
    return (lowered, offsets) if len(offsets) == len(lowered) else None


def _regexp_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _WORD.finditer(text)]


# Treebank-style tokenizers write a double quote as two backticks or two single quotes.
_QUOTE_TOKENS = ("``", "''")


def _find_token(searched: str, token: str, cursor: int) -> tuple[int, int]:
    """Where ``token`` starts in ``searched`` from ``cursor`` on, and how many characters it
    covers there; ``(-1, 0)`` when it is not there."""
    if not token:
        return -1, 0
    found = [(searched.find(token, cursor), len(token))]
    if token in _QUOTE_TOKENS:
        found.append((searched.find('"', cursor), 1))
    found = [(start, length) for start, length in found if start >= 0]
    return min(found) if found else (-1, 0)


def _token_spans(featurizer: Featurizer, text: str) -> list[tuple[int, int, str]]:
    """The featurizer's tokens of ``text`` (before stop words and stemming) with their spans.

    The tokenizer runs on the lower-cased text when the featurizer lower-cases, as the
    analyzer does, and each token is found again in that text from where the last one ended.
    Treebank's quote tokens are matched to the double quote they replace; any other token
    that is not a substring of the text cannot be highlighted and is left out.
    """
    settings = featurizer.settings.text
    lower = settings.lowercase
    mapped = _lowered_with_offsets(text) if lower else (text, list(range(len(text))))
    if mapped is None:  # rare Unicode: fall back to the regexp words, which lowercase cleanly
        return [(s, e, text[s:e].lower()) for s, e in _regexp_spans(text)]
    searched, offsets = mapped
    tokens = tokenize(searched, settings.tokenizer)
    spans, cursor = [], 0
    for token in tokens:
        found, length = _find_token(searched, token, cursor)
        if found < 0:
            continue
        end = found + length
        spans.append((offsets[found], offsets[end - 1] + 1, token))
        cursor = end
    return spans


def words_of(featurizer: Featurizer, text: str) -> list[WordSpan]:
    """The words the model sees in ``text``, in order, each with its span in ``text``.

    For word features (every kind but ``char_wb`` n-grams) these are exactly the tokens of
    ``featurizer.tokens(text)``: the same tokenizer, lower-casing, stop-word removal and
    stemming, so position ``i`` here is token ``i`` there. Character n-gram features have no
    words of their own, so their words are the app's regexp words (letters, digits and inner
    apostrophes).
    """
    if featurizer.settings.word_ngrams is None and featurizer.settings.char_ngrams is not None:
        lower = featurizer.settings.text.lowercase
        return [
            WordSpan(s, e, text[s:e], text[s:e].lower() if lower else text[s:e])
            for s, e in _regexp_spans(text)
        ]
    settings = featurizer.settings.text
    stops = stop_words() if settings.remove_stop_words else None
    stem = stem_function(settings.stemmer)
    words = []
    for start, end, token in _token_spans(featurizer, text):
        if stops is not None and token.lower() in stops:
            continue
        words.append(WordSpan(start, end, text[start:end], stem(token) if stem else token))
    return words


def char_ngram_occurrences(
    text: str, settings, index: dict[str, int], words: Sequence[WordSpan], mark: str = ""
):
    """``(column, word positions)`` for every character n-gram that scikit-learn's ``char_wb``
    analyzer takes from ``text``: n-grams of each whitespace-separated chunk padded with one
    space on each side, looked up in ``index`` with ``mark`` in front. An n-gram belongs to the
    words whose characters it overlaps; one made of punctuation and padding alone belongs to
    none."""
    low, high = settings.char_ngrams
    if settings.text.lowercase:
        mapped = _lowered_with_offsets(text)
        if mapped is None:
            return
        searched, offsets = mapped
    else:
        searched, offsets = text, list(range(len(text)))
    owner = np.full(len(text), -1)
    for position, word in enumerate(words):
        owner[word.start : word.end] = position
    for chunk in re.finditer(r"\S+", searched):
        padded = " " + chunk.group() + " "
        # Original character index of each padded character; padding has none.
        origin = [-1] + offsets[chunk.start() : chunk.end()] + [-1]
        for n in range(low, high + 1):
            starts = range(max(len(padded) - n + 1, 1))
            for s in starts:
                j = index.get(mark + padded[s : s + n])
                if j is None:
                    continue
                covered = {int(owner[o]) for o in origin[s : s + n] if o >= 0 and owner[o] >= 0}
                yield j, tuple(sorted(covered))
            if len(padded) <= n:  # scikit-learn takes a chunk no longer than n once, then stops
                break
