"""Features for the text classifier, fitted on the training texts only.

Bag of words or TF-IDF (sparse all the way into Keras), the mean word2vec vector of a document,
or token ids for a trainable ``Embedding`` layer. scikit-learn and gensim are imported inside
the functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from core.classifier.vocabulary import (
    TERMS_PER_FEATURE,
    count_terms,
    select_terms,
    smooth_idf,
    transform_in_chunks,
)
from core.embeddings.word2vec import Word2VecSettings
from core.errors import DataError
from core.text.analysis import TextSettings, build_analyzer
from core.text.bagofwords import make_vectorizer

FeatureKind = Literal["tfidf", "bow", "word2vec", "embedding"]
InputKind = Literal["sparse", "dense", "sequence"]
Analyzer = Literal["word", "char_wb", "word+char_wb"]


FEATURE_KINDS: dict[str, str] = {
    "tfidf": "TF-IDF (sparse)",
    "bow": "Bag of words: counts (sparse)",
    "word2vec": "Mean word2vec vector",
    "embedding": "Trainable Embedding layer",
}


ANALYZERS: dict[str, str] = {
    "word": "Words",
    "char_wb": "Character n-grams",
    "word+char_wb": "Words and character n-grams",
}
PAD, OOV = 0, 1  # ids reserved in token sequences
# Marks a character n-gram's term when words and character n-grams share one vocabulary. No
# word term starts with a space (tokens hold none; n-grams join them with one), so the two kinds
# of term never collide, and the mark is still plain text in a bundle's JSON.
CHAR_MARK = " "


@dataclass(frozen=True)
class FeatureSettings:
    """How texts become model inputs. ``analyzer``: ``word`` uses the app's tokenizer
    (``text``) and word n-grams of ``ngram_range``; ``char_wb`` scikit-learn's character n-grams
    inside word boundaries, of ``ngram_range``; ``word+char_wb`` both in one sparse vocabulary,
    words of ``ngram_range`` and characters of ``char_ngram_range``."""

    kind: FeatureKind = "tfidf"
    analyzer: Analyzer = "word+char_wb"
    ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] = (2, 5)
    min_df: int = 1
    max_features: int = 50_000
    sublinear_tf: bool = True
    text: TextSettings = TextSettings()
    word2vec: Word2VecSettings = Word2VecSettings(
        vector_size=100, min_count=2, epochs=20, workers=1, compute_loss=False
    )
    max_tokens: int = 20_000  # vocabulary of the Embedding layer, PAD and OOV included
    sequence_length: int = 64
    embedding_dim: int = 64

    def __post_init__(self) -> None:
        if self.kind not in FEATURE_KINDS:
            raise ValueError(f"unknown feature kind {self.kind!r}")
        if self.analyzer not in ANALYZERS:
            raise ValueError(f"unknown analyzer {self.analyzer!r}")
        for name in ("ngram_range", "char_ngram_range"):
            low, high = getattr(self, name)
            if not 1 <= low <= high <= 6:
                raise ValueError(f"{name} must satisfy 1 <= min <= max <= 6")
        if self.min_df < 1 or self.max_features < 1:
            raise ValueError("min_df and max_features must be at least 1")
        if not 3 <= self.max_tokens <= 1_000_000:
            raise ValueError("max_tokens must be from 3 to 1,000,000")
        if not 1 <= self.sequence_length <= 2_000 or not 1 <= self.embedding_dim <= 1_024:
            raise ValueError("sequence_length must be 1-2,000 and embedding_dim 1-1,024")

    @property
    def input_kind(self) -> InputKind:
        return {"tfidf": "sparse", "bow": "sparse", "word2vec": "dense"}.get(self.kind, "sequence")

    @property
    def char_ngrams(self) -> tuple[int, int] | None:
        """The character n-gram range of sparse features, or ``None`` when they have none."""
        if self.input_kind != "sparse" or self.analyzer == "word":
            return None
        return self.ngram_range if self.analyzer == "char_wb" else self.char_ngram_range

    @property
    def word_ngrams(self) -> tuple[int, int] | None:
        """The word n-gram range of sparse features, or ``None`` when they have none."""
        if self.input_kind != "sparse" or self.analyzer == "char_wb":
            return None
        return self.ngram_range


def ngram_range_for(analyzer: str, longest: int) -> tuple[int, int]:
    """The n-gram range that ends at ``longest``: from single words, but from character pairs
    for ``char_wb`` (a lone letter says next to nothing about a text) unless ``longest`` is 1."""
    low = 2 if analyzer == "char_wb" and longest >= 2 else 1
    return (low, int(longest))


def feature_settings_for(
    kind: str,
    *,
    analyzer: str = "word",
    longest_ngram: int = 2,
    max_features: int = 50_000,
    min_df: int = 1,
    embedding_dim: int = 64,
    sequence_length: int = 64,
) -> FeatureSettings:
    """The settings of feature ``kind`` from a form that offers every kind's choices: only the
    choices that belong to ``kind`` are used (terms for TF-IDF and counts, sizes for the
    ``Embedding`` layer; mean word2vec takes none). Raises ``ValueError`` on impossible values."""
    if kind in ("tfidf", "bow"):
        return FeatureSettings(
            kind=kind,
            analyzer=analyzer,
            ngram_range=ngram_range_for(analyzer, longest_ngram),
            max_features=int(max_features),
            min_df=int(min_df),
        )
    if kind == "word2vec":
        return FeatureSettings(kind="word2vec")
    return FeatureSettings(
        kind="embedding", embedding_dim=int(embedding_dim), sequence_length=int(sequence_length)
    )


@dataclass
class Featurizer:
    """A fitted text → input transform. Everything needed to rebuild it is plain data
    (``vocabulary``, ``idf``, ``word_vectors``), so a model bundle can carry it as JSON and arrays."""

    settings: FeatureSettings
    vocabulary: list[str]
    idf: np.ndarray | None = None  # TF-IDF weights, one per vocabulary entry
    word_vectors: np.ndarray | None = None  # mean-word2vec rows, one per vocabulary entry
    _vectorizer: Any = field(default=None, repr=False)

    @property
    def input_kind(self) -> InputKind:
        return self.settings.input_kind

    @property
    def input_dim(self) -> int:
        """Columns of a sparse or dense input; the sequence length for token ids."""
        if self.input_kind == "sequence":
            return self.settings.sequence_length
        if self.input_kind == "dense":
            return int(self.word_vectors.shape[1])
        return len(self.vocabulary)

    def tokens(self, text: str) -> list[str]:
        """The word tokens of ``text`` as every word-based feature sees them."""
        return build_analyzer(replace(self.settings.text, ngram_range=(1, 1)))(text)

    def transform(self, texts: Sequence[str]):
        """Texts → CSR float32 (sparse), float32 rows (dense) or int32 ids (sequence). Sparse
        rows are built a chunk of texts at a time, so the vectorizer's per-occurrence lists stay
        small however many texts come in."""
        texts = list(texts)
        if self.input_kind == "sparse":
            return transform_in_chunks(self._sklearn().transform, texts)
        index = self._index()
        if self.input_kind == "dense":
            out = np.zeros((len(texts), self.word_vectors.shape[1]), dtype=np.float32)
            for row, text in enumerate(texts):
                ids = [index[t] for t in self.tokens(text) if t in index]
                if ids:
                    out[row] = self.word_vectors[ids].mean(axis=0)
            return out
        # Token ids: the job of keras.layers.TextVectorization, done here with the app's own
        # tokenizer so the model stays backend-agnostic and a bundle carries the vocabulary.
        length = self.settings.sequence_length
        out = np.full((len(texts), length), PAD, dtype=np.int32)
        for row, text in enumerate(texts):
            # A text with no tokens still gets one (OOV): an all-padding row would be fully
            # masked, and averaging over no positions gives NaN.
            ids = [index.get(t, OOV) for t in self.tokens(text)][:length] or [OOV]
            out[row, : len(ids)] = ids
        return out

    def _index(self) -> dict[str, int]:
        if getattr(self, "_index_cache", None) is None:
            self._index_cache = {word: i for i, word in enumerate(self.vocabulary)}
        return self._index_cache

    def _sklearn(self):
        if self._vectorizer is None:
            self._vectorizer = _sklearn_vectorizer(self.settings, vocabulary=self.vocabulary)
            if self.idf is not None:
                self._vectorizer.idf_ = np.asarray(self.idf, dtype=np.float64)
            else:  # counts need no statistics: a fixed vocabulary is the whole fit
                self._vectorizer.fit(self.vocabulary[:1])
        return self._vectorizer


def _sklearn_vectorizer(settings: FeatureSettings, vocabulary: Sequence[str] | None = None):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    limits = {} if vocabulary is not None else {
        "min_df": settings.min_df,
        "max_features": settings.max_features,
    }  # fmt: skip
    if settings.analyzer == "word+char_wb":
        vectorizer = _with_analyzer(settings, WordsAndChars(settings), vocabulary, limits)
    elif settings.analyzer == "word":
        vectorizer = make_vectorizer(
            replace(settings.text, ngram_range=settings.ngram_range),
            "tfidf" if settings.kind == "tfidf" else "count",
            vocabulary=vocabulary,
            **limits,
        )
    else:
        common = {
            "analyzer": "char_wb",
            "ngram_range": settings.ngram_range,
            "lowercase": settings.text.lowercase,
            "vocabulary": list(vocabulary) if vocabulary is not None else None,
            **limits,
        }
        vectorizer = (
            TfidfVectorizer(**common) if settings.kind == "tfidf" else CountVectorizer(**common)
        )
    if settings.kind == "tfidf":
        vectorizer.set_params(sublinear_tf=settings.sublinear_tf)
    return vectorizer


def _with_analyzer(settings: FeatureSettings, analyzer: Any, vocabulary, limits: dict):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    common = {
        "analyzer": analyzer,
        "vocabulary": list(vocabulary) if vocabulary is not None else None,
        "dtype": np.float64 if settings.kind == "tfidf" else np.int64,
        **limits,
    }
    return TfidfVectorizer(**common) if settings.kind == "tfidf" else CountVectorizer(**common)


class WordsAndChars:
    """The terms of ``word+char_wb`` features: the app's word n-grams, then scikit-learn's
    ``char_wb`` n-grams, each marked with :data:`CHAR_MARK`. Picklable, so a fitted vectorizer
    can be cached."""

    def __init__(self, settings: FeatureSettings) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.settings = settings
        self._words = build_analyzer(replace(settings.text, ngram_range=settings.ngram_range))
        self._chars = CountVectorizer(
            analyzer="char_wb",
            ngram_range=settings.char_ngram_range,
            lowercase=settings.text.lowercase,
        ).build_analyzer()

    def __call__(self, text: str) -> list[str]:
        return self._words(text) + [CHAR_MARK + gram for gram in self._chars(text)]

    def __getstate__(self) -> dict:
        return {"settings": self.settings}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["settings"])


def fit_featurizer(
    settings: FeatureSettings, texts: Sequence[str], word_vectors: Any = None
) -> Featurizer:
    """Fit the features on training ``texts`` only.

    For ``word2vec``, ``word_vectors`` (gensim ``KeyedVectors``) are used when given; otherwise
    word2vec is trained on the training texts with ``settings.word2vec``.
    Raises :class:`DataError` when no term survives (an empty vocabulary).
    """
    texts = list(texts)
    if settings.input_kind == "sparse":
        return fit_sparse_in_chunks(settings, texts)
    probe = Featurizer(settings, [])
    tokenized = [probe.tokens(t) for t in texts]
    if settings.kind == "word2vec":
        if word_vectors is None:
            from core.embeddings.word2vec import train_word2vec

            word_vectors = train_word2vec([t for t in tokenized if t], settings.word2vec).vectors
        vocabulary = list(word_vectors.index_to_key)
        matrix = np.asarray(word_vectors.vectors, dtype=np.float32)
        return Featurizer(settings, vocabulary, word_vectors=matrix)
    counts = Counter(token for tokens in tokenized for token in tokens)
    if not counts:
        raise DataError("No words were found in the training texts.", "Check the text column.")
    kept = [w for w, n in counts.most_common() if n >= settings.min_df]
    vocabulary = ["<pad>", "<oov>", *kept[: settings.max_tokens - 2]]
    return Featurizer(settings, vocabulary)


def fit_sparse_in_chunks(
    settings: FeatureSettings, texts: Sequence[str], *, max_terms: int | None = None
) -> Featurizer:
    """Sparse features fitted in bounded memory (:mod:`core.classifier.vocabulary`): terms
    counted with pruning once more than ``max_terms`` (by default ten per feature kept) are
    held, the vocabulary chosen as scikit-learn chooses it, then the idf counted exactly in a
    second pass. Nothing is pruned before ``CHUNK_TEXTS`` texts, so on fewer texts the
    vocabulary and idf are exactly those of scikit-learn's own ``fit``. Raises
    :class:`DataError` when no term survives."""
    texts = list(texts)
    analyzer = _sklearn_vectorizer(settings).build_analyzer()
    limit = max_terms or TERMS_PER_FEATURE * settings.max_features
    counts = count_terms(analyzer, texts, max_terms=limit, with_df=settings.min_df > 1)
    vocabulary = select_terms(counts, min_df=settings.min_df, max_features=settings.max_features)
    if not vocabulary:
        raise DataError(
            "No terms were left to build features from.",
            "The texts may have no letters or digits, or min_df may be higher than the "
            "number of texts containing any term.",
        )
    idf = None
    if settings.kind == "tfidf":
        counter = Featurizer(replace(settings, kind="bow"), vocabulary)._sklearn()
        idf = smooth_idf(counter, texts, len(vocabulary))
    return Featurizer(settings, vocabulary, idf=idf)
