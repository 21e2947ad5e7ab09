"""Text -> tokens -> numbers: NLTK tokenizers and stemmers, scikit-learn bag of words and TF-IDF.

Only tokenizers that need no NLTK data files are offered, so nothing is ever downloaded.
NLTK and scikit-learn are imported inside the functions: importing this module is cheap.
Matrices stay sparse (SciPy CSR) from the vectorizer to the similarity search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

import numpy as np

Tokenizer = Literal["regexp", "treebank", "tweet", "word_tokenize"]
Stemmer = Literal["none", "porter", "snowball"]
Weighting = Literal["binary", "count", "tfidf"]

TOKENIZERS: dict[str, str] = {
    "regexp": "Regexp (words and numbers; fastest)",
    "treebank": "Treebank (Penn Treebank rules)",
    "tweet": "Tweet (keeps emoticons, @handles, #tags)",
    "word_tokenize": "word_tokenize (Treebank, preserve_line)",
}
STEMMERS: dict[str, str] = {"none": "No stemming", "porter": "Porter", "snowball": "Snowball"}
WEIGHTINGS: dict[str, str] = {
    "binary": "Binary (present or not)",
    "count": "Count",
    "tfidf": "TF-IDF",
}

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


@dataclass
class BagOfWords:
    """A fitted document-term matrix: ``matrix[i, j]`` is the weight of ``vocabulary[j]`` in doc i."""

    matrix: object  # scipy.sparse.csr_matrix
    vocabulary: list[str]
    weighting: Weighting
    settings: TextSettings
    vectorizer: object = field(repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def transform(self, documents: Sequence[str]):
        """New documents -> rows over the same vocabulary (unknown words are dropped)."""
        return self.vectorizer.transform(list(documents)).tocsr()


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
def _stem_function(name: Stemmer):
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
    stem = _stem_function(settings.stemmer)
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
    stem = _stem_function(settings.stemmer)
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


def make_vectorizer(
    settings: TextSettings = TextSettings(),
    weighting: Weighting = "count",
    vocabulary: Sequence[str] | None = None,
    min_df: int | float = 1,
    max_features: int | None = None,
):
    """A scikit-learn ``CountVectorizer`` (binary or count) or ``TfidfVectorizer`` using our analyzer.

    ``vocabulary`` fixes the columns and their order, as in the talk's dictionary examples.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}")
    common = {
        "analyzer": _Analyzer(settings),
        "vocabulary": list(vocabulary) if vocabulary is not None else None,
        "min_df": min_df,
        "max_features": max_features,
        "dtype": np.float64 if weighting == "tfidf" else np.int64,
    }
    if weighting == "tfidf":
        return TfidfVectorizer(**common)
    return CountVectorizer(binary=weighting == "binary", **common)


class _Analyzer:
    """A picklable stand-in for :func:`build_analyzer`, so fitted vectorizers can be cached."""

    def __init__(self, settings: TextSettings) -> None:
        self.settings = settings
        self._analyzer = build_analyzer(settings)

    def __call__(self, text: str) -> list[str]:
        return self._analyzer(text)

    def __getstate__(self) -> dict:
        return {"settings": self.settings}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["settings"])


def bag_of_words(
    documents: Sequence[str],
    settings: TextSettings = TextSettings(),
    weighting: Weighting = "count",
    vocabulary: Sequence[str] | None = None,
    min_df: int | float = 1,
    max_features: int | None = None,
) -> BagOfWords:
    """Fit a vectorizer on ``documents`` and return the sparse document-term matrix with its terms.

    Raises ``ValueError`` (from scikit-learn) when no term survives, for example a document of
    stop words only; :func:`describe_empty_vocabulary` turns that into a message for people.
    """
    vectorizer = make_vectorizer(settings, weighting, vocabulary, min_df, max_features)
    matrix = vectorizer.fit_transform(list(documents)).tocsr()
    terms = [str(t) for t in vectorizer.get_feature_names_out()]
    return BagOfWords(matrix, terms, weighting, settings, vectorizer)


def describe_empty_vocabulary(settings: TextSettings) -> str:
    """A message for people when a vectorizer found no terms."""
    causes = ["the text has no letters or digits"]
    if settings.remove_stop_words:
        causes.append("every word is a stop word (turn off stop-word removal)")
    return "No terms were left to count: " + "; or ".join(causes) + "."


# ---------------------------------------------------------------- similarity


def _row_normalize(matrix):
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1, copy=True)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """cos(theta) = a.b / (|a| |b|) for two dense vectors; 0.0 when either is all zeros."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    norms = np.linalg.norm(x) * np.linalg.norm(y)
    return float(x @ y / norms) if norms else 0.0


def cosine_matrix(matrix, max_docs: int = 200) -> np.ndarray:
    """Pairwise cosine similarity of the first ``max_docs`` rows (a small dense square)."""
    rows = _row_normalize(matrix[:max_docs])
    return (rows @ rows.T).toarray()


def most_similar(bow: BagOfWords, query: str | int, topn: int = 5) -> list[tuple[int, float]]:
    """Documents closest to ``query`` (a new text, or the index of a document), best first.

    Returns ``(document index, cosine)`` pairs, skipping the query document itself. Sparse
    throughout: one sparse matrix-vector product, whatever the corpus size.
    """
    if isinstance(query, int):
        vector = bow.matrix[query]
        skip = query
    else:
        vector = bow.transform([query])
        skip = -1
    if vector.nnz == 0:
        return []
    scores = np.asarray((_row_normalize(bow.matrix) @ _row_normalize(vector).T).todense()).ravel()
    order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order if i != skip][:topn]


def top_terms(bow: BagOfWords, n: int = 20) -> list[tuple[str, float]]:
    """The ``n`` terms with the largest total weight over all documents."""
    totals = np.asarray(bow.matrix.sum(axis=0)).ravel()
    order = np.argsort(-totals, kind="stable")[:n]
    return [(bow.vocabulary[i], float(totals[i])) for i in order]


def document_frequency(bow: BagOfWords) -> np.ndarray:
    """How many documents contain each vocabulary term."""
    return np.diff(bow.matrix.tocsc().indptr)


@dataclass(frozen=True)
class CosineParts:
    """The pieces of cos(theta) = a.b / (|a| |b|), to show the arithmetic."""

    dot: float
    norm_a: float
    norm_b: float
    cosine: float


def cosine_parts(a: Sequence[float], b: Sequence[float]) -> CosineParts:
    """The dot product, both norms and their ratio for two dense vectors."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return CosineParts(
        float(x @ y), float(np.linalg.norm(x)), float(np.linalg.norm(y)), cosine(x, y)
    )


def dtm_frame(bow: BagOfWords, doc_labels: Sequence[str], max_docs: int = 30, max_terms: int = 40):
    """The document-term matrix as a pandas DataFrame, cut to size for display.

    Small inputs come back whole, columns in vocabulary order. Larger ones keep the first
    ``max_docs`` documents and the ``max_terms`` heaviest terms; only that slice is densified.
    """
    import pandas as pd

    n_docs, n_terms = bow.shape
    if n_terms <= max_terms:
        columns = list(range(n_terms))
    else:
        totals = np.asarray(bow.matrix.sum(axis=0)).ravel()
        columns = sorted(np.argsort(-totals, kind="stable")[:max_terms].tolist())
    block = bow.matrix[: min(n_docs, max_docs)][:, columns].toarray()
    return pd.DataFrame(
        block,
        index=list(doc_labels[: block.shape[0]]),
        columns=[bow.vocabulary[j] for j in columns],
    )


def vocabulary_frame(bow: BagOfWords):
    """One row per term: its column index, document frequency and total weight, heaviest first."""
    import pandas as pd

    totals = np.asarray(bow.matrix.sum(axis=0)).ravel()
    frame = pd.DataFrame(
        {
            "term": bow.vocabulary,
            "column": np.arange(len(bow.vocabulary)),
            "documents": document_frequency(bow),
            "total weight": totals.round(4),
        }
    )
    return frame.sort_values(["total weight", "term"], ascending=[False, True], ignore_index=True)
