"""Word vectors drawn in 2D or 3D: PCA, t-SNE and UMAP, a searched word and its neighbours.

- :class:`ProjectionSettings` holds the method and its parameters by the wrapped libraries' names
  (scikit-learn's ``PCA`` and ``TSNE``, umap-learn's ``UMAP``) and rejects impossible values
  with a :class:`~core.errors.DataError` that says how to fix them.
- :func:`projection_words` picks what is drawn: the ``n_words`` most frequent words, plus the
  searched word, its nearest neighbours and the colour reference word when they are not among
  them. Neighbours are found in the ORIGINAL space, over the WHOLE vocabulary (gensim's
  ``most_similar``), so they are the model's true neighbours; missing ones are added.
- :func:`run_projection` reduces the vectors and reports its stages through ``progress(message,
  fraction)`` (t-SNE's and UMAP's printed progress is read by ``projection_threads``).

The table behind the figure is in ``projection_table``. scikit-learn and umap-learn are
imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.embeddings.projection_threads import (
    EpochWriter,
    Progress,
    TsneLog,
    idle_cores,
    printed_by_this_thread,
    umap_estimator,
)
from core.errors import DataError

Method = Literal["pca", "tsne", "umap"]

METHODS: dict[str, str] = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
UMAP_METRICS = ("cosine", "euclidean")
# The fewest points each method can place in a meaningful way.
MIN_WORDS: dict[str, int] = {"pca": 3, "tsne": 5, "umap": 5}
MAX_WORDS = 20_000
PRE_REDUCE_TO = 50
# Close spellings are looked for among this many of the most frequent words: difflib over a
# vocabulary of millions would take seconds.
SPELLING_SEARCH_LIMIT = 100_000


@dataclass(frozen=True)
class ProjectionSettings:
    """How to project: the method, its parameters, how many words and the random seed.

    ``perplexity``, ``max_iter`` and ``init`` are t-SNE's (from the "pca" layout the result does
    not depend on ``random_state``; from a "random" one it does); ``n_neighbors``, ``min_dist``, ``metric`` and
    ``n_epochs`` (``None``: UMAP's own choice) are UMAP's. ``normalize`` scales every vector to
    unit length first, so that straight-line distances rank word pairs as cosine similarity does.
    ``pre_reduce_to``: t-SNE and UMAP first reduce longer vectors to this many dimensions
    (0: never).
    """

    method: Method = "pca"
    n_components: int = 2
    n_words: int = 500
    perplexity: float = 30.0
    max_iter: int = 1000
    init: str = "pca"
    n_neighbors: int = 15
    min_dist: float = 0.1
    metric: str = "cosine"
    n_epochs: int | None = None
    random_state: int = 0
    normalize: bool = True
    pre_reduce_to: int = PRE_REDUCE_TO

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise DataError(
                f"Unknown projection method {self.method!r}.",
                "Choose pca, tsne or umap.",
            )
        if self.n_components not in (2, 3):
            raise DataError(
                f"A projection has 2 or 3 dimensions, not {self.n_components!r}.",
                "Choose 2D or 3D.",
            )
        _check_whole("n_words", self.n_words, MIN_WORDS[self.method], MAX_WORDS)
        _check_whole("random_state", self.random_state, 0, 2**32 - 1)
        _check_whole("pre_reduce_to", self.pre_reduce_to, 0, 10_000)
        if self.method == "tsne":
            _check_whole("max_iter", self.max_iter, 250, 10_000)
            if not 1 <= self.perplexity <= 500:
                raise DataError(
                    f"t-SNE's perplexity must be between 1 and 500, got {self.perplexity!r}.",
                    "Typical values are 5 to 50.",
                )
            if self.init not in ("pca", "random"):
                raise DataError(
                    f"t-SNE's init must be pca or random, got {self.init!r}.",
                    "pca starts from the PCA map (stable); random from random points.",
                )
            if self.perplexity >= self.n_words:
                raise DataError(
                    f"t-SNE's perplexity ({self.perplexity:g}) must be smaller than the number "
                    f"of words shown ({self.n_words:,}).",
                    f"Lower the perplexity below {self.n_words:,} or show more words. "
                    "Perplexity is roughly how many neighbours each word pays attention to.",
                )
        if self.method == "umap":
            _check_whole("n_neighbors", self.n_neighbors, 2, 500)
            if self.n_neighbors >= self.n_words:
                raise DataError(
                    f"UMAP's n_neighbors ({self.n_neighbors}) must be smaller than the number "
                    f"of words shown ({self.n_words:,}).",
                    f"Lower n_neighbors below {self.n_words:,} or show more words.",
                )
            if not 0.0 <= self.min_dist <= 1.0:
                raise DataError(
                    f"UMAP's min_dist must be between 0 and 1, got {self.min_dist!r}.",
                    "Small values pack similar words tightly; 0.1 is UMAP's default.",
                )
            if self.metric not in UMAP_METRICS:
                raise DataError(
                    f"UMAP metric {self.metric!r} is not offered here.",
                    "Choose cosine (how word vectors are compared) or euclidean.",
                )
            if self.n_epochs is not None:
                _check_whole("n_epochs", self.n_epochs, 10, 5_000)

    @property
    def label(self) -> str:
        """The method's display name: PCA, t-SNE or UMAP."""
        return METHODS[self.method]


def _check_whole(name: str, value: Any, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise DataError(
            f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}.",
            f"Pick a value between {low:,} and {high:,}.",
        )


@dataclass(frozen=True)
class Projection:
    """The coordinates, one row per input vector, and what the caption says about them.

    ``explained_variance_ratio``: PCA only, the share of the variance along each drawn axis.
    ``pre_reduction``: what t-SNE or UMAP were given, in words, or ``None`` when nothing was done.
    """

    coords: np.ndarray
    settings: ProjectionSettings
    explained_variance_ratio: np.ndarray | None = None
    pre_reduction: str | None = None
    seconds: float = 0.0


# ---------------------------------------------------------------- words to draw


def find_word(vs, word: str) -> str:
    """The vocabulary entry for ``word`` (as typed, else lowercased), or a DataError with close
    spellings from the most frequent words as a hint."""
    typed = word.strip()
    if not typed:
        raise DataError("No word was given.", "Type a word from the vocabulary.")
    for candidate in (typed, typed.lower()):
        if candidate in vs.vectors.key_to_index:
            return candidate
    known = vs.vectors.index_to_key[:SPELLING_SEARCH_LIMIT]
    close = difflib.get_close_matches(typed, known, n=5, cutoff=0.7)
    if not close and typed.lower() != typed:
        close = difflib.get_close_matches(typed.lower(), known, n=5, cutoff=0.7)
    hint = (
        "Close spellings in the vocabulary: " + ", ".join(close) + "."
        if close
        else "Words rarer than the model's min_count were dropped when it was trained."
    )
    raise DataError(f"“{typed}” is not in the vocabulary of {vs.name}.", hint)


def nearest_neighbours(vs, word: str, k: int) -> list[tuple[str, float]]:
    """The ``k`` words most cosine-similar to ``word`` in the original space, over the whole
    vocabulary (gensim's ``most_similar``), best first."""
    if k <= 0:
        return []
    return [(w, float(s)) for w, s in vs.vectors.most_similar(word, topn=k)]


def projection_words(
    vs,
    settings: ProjectionSettings,
    highlight: str | None = None,
    colour_by: str | None = None,
    k: int = 10,
) -> list[str]:
    """The words to project, in order: the ``settings.n_words`` most frequent, then the searched
    word, its ``k`` nearest neighbours and the colour reference word when they are missing.

    ``highlight`` and ``colour_by`` must be vocabulary entries (see :func:`find_word`).
    """
    if settings.n_words > len(vs):
        raise DataError(
            f"{vs.name} has {len(vs):,} words; {settings.n_words:,} cannot be shown.",
            f"Show at most {len(vs):,} words.",
        )
    words = vs.top_words(settings.n_words)
    present = set(words)
    extra: list[str] = []
    if highlight:
        extra.append(highlight)
        extra.extend(w for w, _ in nearest_neighbours(vs, highlight, k))
    if colour_by:
        extra.append(colour_by)
    for word in extra:
        if word not in vs.vectors.key_to_index:
            raise DataError(f"“{word}” is not in the vocabulary of {vs.name}.")
        if word not in present:
            present.add(word)
            words.append(word)
    return words


def word_matrix(vs, words: Sequence[str]) -> np.ndarray:
    """The vectors of ``words``, one row each, as float64."""
    indices = [vs.vectors.key_to_index[w] for w in words]
    return np.asarray(vs.vectors.vectors[indices], dtype=np.float64)


def cache_key(vs, words: Sequence[str], settings: ProjectionSettings) -> tuple:
    """A key that names a projection by content: the vector set's name, a hash of the words and
    their vectors, and the settings. Two sets with the same name but other vectors differ."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\x1f".join(words).encode("utf-8", "surrogatepass"))
    digest.update(np.ascontiguousarray(word_matrix(vs, words)).tobytes())
    return (vs.name, digest.hexdigest(), settings)


# ---------------------------------------------------------------- projecting


def check_points(settings: ProjectionSettings, n_points: int, dimension: int) -> None:
    """Raise a DataError when ``n_points`` vectors of ``dimension`` numbers cannot be projected
    with ``settings``; the settings alone were checked when they were made."""
    minimum = MIN_WORDS[settings.method]
    if n_points < minimum:
        raise DataError(
            f"{settings.label} needs at least {minimum} words, got {n_points}.",
            "Show more words.",
        )
    if dimension < settings.n_components:
        raise DataError(
            f"These vectors have {dimension} dimension(s): they cannot be drawn in "
            f"{settings.n_components}D by {settings.label}.",
            "Choose 2D, or vectors with more dimensions.",
        )
    if settings.method == "tsne" and settings.perplexity >= n_points:
        raise DataError(
            f"t-SNE's perplexity ({settings.perplexity:g}) must be smaller than the number of "
            f"points ({n_points:,}).",
            f"Lower the perplexity below {n_points:,}.",
        )
    if settings.method == "umap" and settings.n_neighbors >= n_points:
        raise DataError(
            f"UMAP's n_neighbors ({settings.n_neighbors}) must be smaller than the number of "
            f"points ({n_points:,}).",
            f"Lower n_neighbors below {n_points:,}.",
        )


def unit_length(vectors: np.ndarray) -> np.ndarray:
    """Each row divided by its length; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def prepare(vectors: np.ndarray, settings: ProjectionSettings) -> np.ndarray:
    """The matrix the methods see: float64, finite, unit-length rows when ``settings.normalize``."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2:
        raise DataError(f"Expected a table of vectors, got an array of shape {matrix.shape}.")
    bad = ~np.isfinite(matrix).all(axis=1)
    if bad.any():
        raise DataError(
            f"{int(bad.sum()):,} of the vectors contain NaN or infinite values.",
            "The vector file is damaged: re-export it, or train the vectors again.",
        )
    return unit_length(matrix) if settings.normalize else matrix


def _silent(message: str, fraction: float) -> None:
    return None


def run_projection(
    vectors: np.ndarray, settings: ProjectionSettings, progress: Progress | None = None
) -> Projection:
    """Reduce ``vectors`` (one row per word) to ``settings.n_components`` columns.

    ``progress(message, fraction)`` is called at each stage, from the calling thread, with a
    fraction from 0 to 1; t-SNE also calls it every 50 optimisation steps, UMAP after each
    optimisation epoch.
    """
    report = progress or _silent
    started = time.perf_counter()
    matrix = np.asarray(vectors)
    check_points(settings, matrix.shape[0] if matrix.ndim == 2 else 0, matrix.shape[-1])
    if settings.normalize:
        report(f"Scaling {matrix.shape[0]:,} vectors to unit length", 0.02)
    matrix = prepare(matrix, settings)
    if settings.method == "pca":
        report(f"PCA: {matrix.shape[1]} → {settings.n_components} dimensions", 0.1)
        coords, ratio = _pca(matrix, settings)
        result = Projection(coords, settings, explained_variance_ratio=ratio)
    elif settings.method == "tsne":
        reduced, note = _pre_reduce(matrix, settings, report)
        report(
            "t-SNE: affinities between each word and its nearest neighbours",
            0.12,
        )
        result = Projection(_tsne(reduced, settings, report), settings, pre_reduction=note)
    else:
        report("Loading UMAP (its first use in a session compiles code: 10 to 30 s)", 0.03)
        umap_class = umap_estimator()
        reduced, note = _pre_reduce(matrix, settings, report)
        coords = _umap(umap_class, reduced, settings, report)
        result = Projection(coords, settings, pre_reduction=note)
    seconds = time.perf_counter() - started
    report(f"Done in {seconds:.1f} s", 1.0)
    return Projection(
        result.coords,
        settings,
        explained_variance_ratio=result.explained_variance_ratio,
        pre_reduction=result.pre_reduction,
        seconds=seconds,
    )


def project(
    vectors: np.ndarray, settings: ProjectionSettings, progress: Progress | None = None
) -> np.ndarray:
    """The coordinates of :func:`run_projection`: shape ``(len(vectors), n_components)``."""
    return run_projection(vectors, settings, progress).coords


def _pca(matrix: np.ndarray, settings: ProjectionSettings) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=settings.n_components, random_state=settings.random_state)
    return pca.fit_transform(matrix), pca.explained_variance_ratio_


def _pre_reduce(
    matrix: np.ndarray, settings: ProjectionSettings, report: Progress
) -> tuple[np.ndarray, str | None]:
    """Long vectors down to ``pre_reduce_to`` dimensions before t-SNE or UMAP.

    Centred PCA keeps straight-line distances as well as a linear map can, which is what t-SNE
    and UMAP with the euclidean metric use. For UMAP's cosine metric the vectors are not
    centred (truncated SVD): centring would change the angles between them.
    """
    target = settings.pre_reduce_to
    n_points, dimension = matrix.shape
    if target <= 0 or dimension <= target or n_points <= target:
        return matrix, None
    cosine = settings.method == "umap" and settings.metric == "cosine"
    if cosine:
        from sklearn.decomposition import TruncatedSVD

        report(f"Truncated SVD: {dimension} → {target} dimensions", 0.08)
        reduced = TruncatedSVD(target, random_state=settings.random_state).fit_transform(matrix)
        kept = float((reduced**2).sum() / max((matrix**2).sum(), 1e-300))
        return reduced, (
            f"truncated SVD from {dimension} to {target} dimensions first "
            f"({kept:.0%} of the squared length kept)"
        )
    from sklearn.decomposition import PCA

    report(f"PCA: {dimension} → {target} dimensions first", 0.08)
    pca = PCA(n_components=target, random_state=settings.random_state)
    reduced = pca.fit_transform(matrix)
    kept = float(pca.explained_variance_ratio_.sum())
    return (
        reduced,
        f"PCA from {dimension} to {target} dimensions first ({kept:.0%} of the variance kept)",
    )


def _tsne(matrix: np.ndarray, settings: ProjectionSettings, report: Progress) -> np.ndarray:
    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=settings.n_components,
        perplexity=settings.perplexity,
        max_iter=settings.max_iter,
        learning_rate="auto",
        init=settings.init,
        random_state=settings.random_state,
        # Level 2 prints the error every 50 steps: the only progress t-SNE gives.
        verbose=2,
    )
    from threadpoolctl import threadpool_limits

    # t-SNE's OpenMP threads spin while they wait for each other: on a machine whose cores are
    # busy with other work, two threads can take several times longer than one. The limit set
    # here applies to this thread's OpenMP calls only.
    with (
        threadpool_limits(limits=idle_cores(), user_api="openmp"),
        printed_by_this_thread(TsneLog(report, settings.max_iter, 0.15, 0.97)),
    ):
        return tsne.fit_transform(matrix)


def _umap(
    umap_class: type, matrix: np.ndarray, settings: ProjectionSettings, report: Progress
) -> np.ndarray:
    import warnings

    report(
        f"UMAP: graph of each word's {settings.n_neighbors} nearest neighbours "
        f"({settings.metric}), then its layout",
        0.15,
    )
    reducer = umap_class(
        n_neighbors=settings.n_neighbors,
        n_components=settings.n_components,
        metric=settings.metric,
        min_dist=settings.min_dist,
        n_epochs=settings.n_epochs,
        random_state=settings.random_state,
        # A fixed seed runs UMAP on one thread anyway; saying so avoids its warning.
        n_jobs=1,
        verbose=False,
        tqdm_kwds={
            "disable": False,
            "file": EpochWriter(report, 0.3, 0.97),
            "bar_format": "{n}/{total}\n",
            "mininterval": 0.2,
        },
    )
    with warnings.catch_warnings():
        # Small graphs make UMAP warn that spectral initialisation fell back to random.
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(reducer.fit_transform(matrix), dtype=np.float64)
