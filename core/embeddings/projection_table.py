"""What the map of word vectors shows besides its points: the table behind the figure, the axis
titles and caption, and how many neighbourhoods survived the projection.

- :func:`projection_frame` joins words, counts, coordinates, cosine similarity and the search
  roles in one table for the figure, the data expander and the CSV download.
- :func:`neighbour_overlap` measures how many of each word's nearest neighbours survive on the map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.embeddings.projection import (
    Projection,
    ProjectionSettings,
    nearest_neighbours,
    projection_words,
    unit_length,
    word_matrix,
)


def explained_variance_caption(projection: Projection) -> str:
    """One sentence on what the drawing keeps: PCA's variance per axis, or the pre-reduction."""
    ratio = projection.explained_variance_ratio
    if ratio is not None:
        parts = ", ".join(f"PC{i + 1} {r:.1%}" for i, r in enumerate(ratio))
        return f"The {len(ratio)} axes keep {ratio.sum():.1%} of the variance ({parts})."
    if projection.pre_reduction:
        return f"{projection.settings.label} was given {projection.pre_reduction}."
    return f"{projection.settings.label} worked on the full vectors."


def axis_titles(projection: Projection) -> list[str]:
    """Axis names: ``PC1 (12.3%)`` for PCA, ``t-SNE 1`` or ``UMAP 1`` otherwise."""
    ratio = projection.explained_variance_ratio
    if ratio is not None:
        return [f"PC{i + 1} ({r:.1%})" for i, r in enumerate(ratio)]
    return [f"{projection.settings.label} {i + 1}" for i in range(projection.coords.shape[1])]


# ---------------------------------------------------------------- the table behind the figure


def projection_frame(
    vs,
    settings: ProjectionSettings,
    coords: np.ndarray,
    highlight: str | None = None,
    colour_by: str | None = None,
    k: int = 10,
):
    """One row per projected word (the words of :func:`projection_words`, same arguments).

    Columns: ``word``; ``rank`` (1 = most frequent); ``count`` (corpus count; absent when the
    vectors came from a file without counts); ``frequency`` (the count when known, else the rank);
    ``x``, ``y`` (and ``z``); ``in_top`` (among the ``n_words`` most frequent, else added);
    ``role`` ("searched", "neighbour" or ""); ``neighbour_rank`` (1 = the most similar);
    ``similarity_to_searched``; and ``cosine`` to ``colour_by`` when given. Neighbours are the
    searched word's ``k`` nearest in the original space over the whole vocabulary.
    """
    import pandas as pd

    words = projection_words(vs, settings, highlight, colour_by, k)
    coords = np.asarray(coords, dtype=np.float64)
    if coords.shape != (len(words), settings.n_components):
        raise ValueError(
            f"coords has shape {coords.shape}, expected {(len(words), settings.n_components)} "
            "for these words and settings."
        )
    key_to_index = vs.vectors.key_to_index
    ranks = [key_to_index[w] + 1 for w in words]
    frame = pd.DataFrame({"word": words, "rank": ranks})
    if vs.has_counts:
        frame["count"] = [vs.count(w) for w in words]
        frame["frequency"] = frame["count"]
    else:
        frame["frequency"] = frame["rank"]
    for axis, name in enumerate("xyz"[: settings.n_components]):
        frame[name] = coords[:, axis]
    frame["in_top"] = np.arange(len(words)) < settings.n_words
    roles = [""] * len(words)
    neighbour_rank: list[float] = [np.nan] * len(words)
    to_searched: list[float] = [np.nan] * len(words)
    if highlight:
        position = {w: i for i, w in enumerate(words)}
        roles[position[highlight]] = "searched"
        to_searched[position[highlight]] = 1.0
        for n, (word, similarity) in enumerate(nearest_neighbours(vs, highlight, k), start=1):
            roles[position[word]] = "neighbour"
            neighbour_rank[position[word]] = n
            to_searched[position[word]] = similarity
    frame["role"] = roles
    frame["neighbour_rank"] = pd.array(
        [None if np.isnan(r) else int(r) for r in neighbour_rank], dtype="Int64"
    )
    frame["similarity_to_searched"] = to_searched
    if colour_by:
        frame["cosine"] = cosine_to(vs, colour_by, words)
    return frame


def cosine_to(vs, word: str, words: Sequence[str]) -> np.ndarray:
    """Cosine similarity between ``word`` and each of ``words``, in the original space."""
    matrix = unit_length(word_matrix(vs, words))
    reference = unit_length(word_matrix(vs, [word]))[0]
    return matrix @ reference


def neighbour_overlap(vectors: np.ndarray, coords: np.ndarray, k: int = 10) -> float:
    """The average share of each word's ``k`` most cosine-similar words (original space) that are
    also among its ``k`` nearest points on the map: 1 means every neighbourhood survived."""
    from sklearn.neighbors import NearestNeighbors

    n_points = len(coords)
    k = min(k, n_points - 1)
    if k < 1:
        return float("nan")
    original = NearestNeighbors(n_neighbors=k, metric="cosine").fit(vectors).kneighbors()[1]
    drawn = NearestNeighbors(n_neighbors=k).fit(coords).kneighbors()[1]
    shared = [len(set(a) & set(b)) for a, b in zip(original, drawn, strict=True)]
    return float(np.mean(shared) / k)


def map_neighbours(frame, word: str):
    """The searched word's neighbours (rows with role "neighbour" of :func:`projection_frame`)
    with ``map_rank``: how near each one is drawn to ``word`` among all drawn points (1 = the
    nearest point on the map)."""
    axes = [c for c in ("x", "y", "z") if c in frame.columns]
    points = frame[axes].to_numpy()
    centre = points[frame["word"].to_numpy() == word][0]
    distance = np.linalg.norm(points - centre, axis=1)
    # The word itself is at distance 0 and takes rank 0.
    order = np.argsort(np.argsort(distance, kind="stable"), kind="stable")
    table = frame.assign(map_rank=order)
    table = table[table["role"] == "neighbour"].sort_values("neighbour_rank")
    return table[["word", "neighbour_rank", "similarity_to_searched", "map_rank"]].reset_index(
        drop=True
    )
