"""Text -> tokens: NLTK tokenizers and stemmers, stop words, n-grams and the talk's examples.

Only tokenizers that need no NLTK data files are offered, so nothing is ever downloaded.
NLTK is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

Tokenizer = Literal["regexp", "treebank", "tweet", "word_tokenize"]
Stemmer = Literal["none", "porter", "snowball"]


TOKENIZERS: dict[str, str] = {
    "regexp": "Regexp (words and numbers; fastest)",
    "treebank": "Treebank (Penn Treebank rules)",
    "tweet": "Tweet (keeps emoticons, @handles, #tags)",
    "word_tokenize": "word_tokenize (Treebank, preserve_line)",
}


STEMMERS: dict[str, str] = {"none": "No stemming", "porter": "Porter", "snowball": "Snowball"}


# The talk's two bag-of-words examples, with their dictionaries in the slide's column order.
TALK_DICTIONARY = ("the", "cat", "sat", "dog", "orange", "apple", "grape")
TALK_SENTENCES = ("The cat sat", "The dog sat", "Orange, apple, grape")
TALK_SENTENCE_2 = "the dog is on the table"
TALK_VOCABULARY_2 = ("are", "cat", "dog", "is", "now", "on", "table", "the")


# Words (letters, digits, underscore), keeping inner apostrophes: "don't", "o'clock".
REGEXP_PATTERN = r"\w+(?:'\w+)*"


@dataclass(frozen=True)
class TextSettings:
    """How a text becomes terms. Travels from a page to :func:`analyze` and the vectorizers."""

    tokenizer: Tokenizer = "regexp"
    lowercase: bool = True
    remove_stop_words: bool = False
    stemmer: Stemmer = "none"
    ngram_range: tuple[int, int] = (1, 1)

    def __post_init__(self) -> None:
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {self.tokenizer!r}")
        if self.stemmer not in STEMMERS:
            raise ValueError(f"unknown stemmer {self.stemmer!r}")
        low, high = self.ngram_range
        if not 1 <= low <= high <= 5:
            raise ValueError("ngram_range must satisfy 1 <= min <= max <= 5")


@dataclass(frozen=True)
class TextSteps:
    """Every intermediate stage of :func:`analyze` for one text, for showing them one by one."""

    raw: str
    tokens: list[str]
    lowered: list[str]
    without_stop_words: list[str]
    removed_stop_words: list[str]
    stems: list[str]
    terms: list[str]


@cache
def _tokenizer_function(name: Tokenizer):
    if name == "regexp":
        from nltk.tokenize import RegexpTokenizer

        class FixedPatternTokenizer(RegexpTokenizer):
            # NLTK bounds every match with a wall-clock timer, because a pattern it is handed
            # might backtrack without end. REGEXP_PATTERN is ours and linear, and the timer
            # triples the cost of each call, so it is switched off for this pattern alone.
            def tokenize(self, text: str) -> list[str]:
                self._check_regexp()
                return self._regexp.findall(text, timeout=None)

        return FixedPatternTokenizer(REGEXP_PATTERN).tokenize
    if name == "treebank":
        from nltk.tokenize import TreebankWordTokenizer

        return TreebankWordTokenizer().tokenize
    if name == "tweet":
        from nltk.tokenize import TweetTokenizer

        return TweetTokenizer().tokenize
    from nltk.tokenize import word_tokenize

    # preserve_line=True skips the Punkt sentence splitter, which would need downloaded data.
    return lambda text: word_tokenize(text, preserve_line=True)


@cache
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list (318 words), shipped with the package."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@cache
def stem_function(name: Stemmer):
    if name == "none":
        return None
    if name == "porter":
        from nltk.stem import PorterStemmer

        stem = PorterStemmer().stem
    else:
        from nltk.stem.snowball import SnowballStemmer

        stem = SnowballStemmer("english").stem
    # Corpora repeat words endlessly; caching by word makes stemming nearly free after the first.
    return lru_cache(maxsize=200_000)(stem)


def tokenize(text: str, tokenizer: Tokenizer = "regexp") -> list[str]:
    """Split one text into tokens with the named NLTK tokenizer (none needs downloaded data)."""
    return _tokenizer_function(tokenizer)(text)


def ngrams(tokens: Sequence[str], ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """All n-grams with ``min_n <= n <= max_n``, joined by spaces, shortest first."""
    low, high = ngram_range
    out: list[str] = []
    for n in range(low, high + 1):
        if n == 1:
            out.extend(tokens)
        else:
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


@cache
def build_analyzer(settings: TextSettings) -> Callable[[str], list[str]]:
    """The function that :func:`analyze` applies, composed once per settings.

    Vectorizers call the analyzer once per document, so every check that depends only on the
    settings is made here, not per document.
    """
    tokenize_one = _tokenizer_function(settings.tokenizer)
    lowercase = settings.lowercase
    stops = stop_words() if settings.remove_stop_words else None
    stem = stem_function(settings.stemmer)
    ngram_range = settings.ngram_range

    def analyzer(text: str) -> list[str]:
        tokens = tokenize_one(text.lower() if lowercase else text)
        if stops is not None:
            tokens = [t for t in tokens if t.lower() not in stops]
        if stem is not None:
            tokens = [stem(t) for t in tokens]
        if ngram_range == (1, 1):
            return tokens
        return ngrams(tokens, ngram_range)

    return analyzer


def analyze(text: str, settings: TextSettings = TextSettings()) -> list[str]:
    """One text -> its terms: tokenize, lower-case, drop stop words, stem, then n-grams."""
    return build_analyzer(settings)(text)


def steps(text: str, settings: TextSettings = TextSettings()) -> TextSteps:
    """Like :func:`analyze`, but keeps each stage so a page can show them in turn."""
    tokens = tokenize(text, settings.tokenizer)
    # Same order as analyze(): lower-case the text, then tokenize, so both give the same terms.
    lowered = tokenize(text.lower(), settings.tokenizer) if settings.lowercase else list(tokens)
    if settings.remove_stop_words:
        stops = stop_words()
        kept = [t for t in lowered if t.lower() not in stops]
        removed = [t for t in lowered if t.lower() in stops]
    else:
        kept, removed = list(lowered), []
    stem = stem_function(settings.stemmer)
    stems = [stem(t) for t in kept] if stem is not None else list(kept)
    return TextSteps(
        raw=text,
        tokens=list(tokens),
        lowered=lowered,
        without_stop_words=kept,
        removed_stop_words=removed,
        stems=stems,
        terms=ngrams(stems, settings.ngram_range),
    )
