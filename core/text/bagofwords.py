"""Tokens -> numbers: scikit-learn bag of words (binary, counts, TF-IDF) and its tables.

scikit-learn is imported inside the functions. Matrices stay sparse (SciPy CSR) from the
vectorizer to the similarity search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.text.analysis import TextSettings, build_analyzer

Weighting = Literal["binary", "count", "tfidf"]


WEIGHTINGS: dict[str, str] = {
    "binary": "Binary (present or not)",
    "count": "Count",
    "tfidf": "TF-IDF",
}


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


def top_terms(bow: BagOfWords, n: int = 20) -> list[tuple[str, float]]:
    """The ``n`` terms with the largest total weight over all documents."""
    totals = np.asarray(bow.matrix.sum(axis=0)).ravel()
    order = np.argsort(-totals, kind="stable")[:n]
    return [(bow.vocabulary[i], float(totals[i])) for i in order]


def document_frequency(bow: BagOfWords) -> np.ndarray:
    """How many documents contain each vocabulary term."""
    return np.diff(bow.matrix.tocsc().indptr)


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


def documents_code(
    documents: Sequence[str], corpus: str | None = None, file_name: str | None = None
) -> tuple[str, str]:
    """The import and the lines of a snippet that make ``documents``: gensim's ``corpus`` by
    name, the file ``file_name`` read as an upload is, or the documents themselves when short."""
    if corpus is not None:
        return (
            "from core.data.datasets import gensim_corpus",
            f"documents = gensim_corpus({corpus!r}).documents",
        )
    if file_name is not None:
        return (
            "from core.data.reading import parse_upload",
            f"documents = parse_upload({file_name!r}, open({file_name!r}, 'rb').read(), "
            'want="corpus").documents',
        )
    from core.data.snippets import is_inline

    lines = list(documents)
    if not is_inline(lines):
        return "", (
            'documents = [line.strip() for line in open("your_text.txt", encoding="utf-8") '
            "if line.strip()]  # one document per line"
        )
    return "", "documents = [\n" + "".join(f"    {line!r},\n" for line in lines) + "]"


def bag_of_words_code(
    documents: tuple[str, str], settings: TextSettings, weighting: Weighting, query: str
) -> str:
    """A runnable snippet: the documents (the import and lines of :func:`documents_code`) as a
    bag of words with ``settings`` and ``weighting``, then those most similar to ``query``."""
    from core.data.snippets import settings_call

    imports, lines = documents
    # A blank query box finds nothing on the page; the snippet then asks about document 0.
    search = repr(query) if query.strip() else "0"
    return f"""{imports + chr(10) if imports else ""}from core.text.analysis import TextSettings
from core.text.bagofwords import bag_of_words
from core.text.similarity import most_similar

{lines}

settings = {settings_call(settings)}
bow = bag_of_words(documents, settings, weighting={weighting!r})  # sparse CSR, a column per term
print(bow.shape, bow.vocabulary[:10])
print(most_similar(bow, {search}, topn=5))  # [(document index, cosine), ...] best first
"""
