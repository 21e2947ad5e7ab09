"""Figures for projected word vectors: a 2D or 3D scatter with the searched word, its nearest
neighbours and an optional colour scale of cosine similarity to a chosen word.

The input is the table of :func:`core.embeddings.projection_table.projection_frame` (columns
word, rank, frequency, x, y, optional z and count, role, neighbour_rank, similarity_to_searched,
optional cosine).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import PALETTE, toolbar_clear

WORD_COLOUR = PALETTE[1]
NEIGHBOUR_COLOUR = PALETTE[3]
SEARCHED_COLOUR = PALETTE[5]
REFERENCE_COLOUR = PALETTE[4]
OUTLINE = "#2B1A5A"
COLOURSCALE = "Viridis"
# Above this many points the plain words are drawn with WebGL, which stays smooth when panning.
WEBGL_FROM = 1_500


def hover_texts(frame, colour_by: str | None = None, searched: str | None = None) -> list[str]:
    """One hover text per row: the word, its count and rank (or rank only), its cosine to
    ``colour_by`` and, for a neighbour, its place among the searched word's neighbours."""
    has_count = "count" in frame.columns
    texts = []
    for row in frame.itertuples(index=False):
        parts = [f"<b>{html.escape(row.word)}</b>"]
        if has_count:
            parts.append(f"count {int(row.count):,} · frequency rank {int(row.rank):,}")
        else:
            parts.append(f"frequency rank {int(row.rank):,} (order of the file)")
        if colour_by is not None and "cosine" in frame.columns:
            parts.append(f"cosine to {html.escape(colour_by)}: {row.cosine:.3f}")
        if row.role == "neighbour" and searched:
            parts.append(
                f"neighbour {int(row.neighbour_rank)} of {html.escape(searched)} "
                f"(cosine {row.similarity_to_searched:.3f})"
            )
        elif row.role == "searched":
            parts.append("the searched word")
        if not row.in_top:
            parts.append("added: not among the most frequent words shown")
        texts.append("<br>".join(parts))
    return texts


def clicked_word(event) -> str | None:
    """The word of the first point in a Streamlit chart selection event (``on_select``), or
    ``None`` when nothing is selected."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or ():
        word = point.get("customdata")
        if isinstance(word, list | tuple):
            word = word[0] if word else None
        if isinstance(word, str) and word:
            return word
    return None


def is_label_word(word: str) -> bool:
    """Whether ``word`` is worth a label on the map: not a stop word ("the", "of": scikit-learn's
    English list), not punctuation or a number, so the labels name words that carry meaning."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return any(ch.isalpha() for ch in word) and word.lower() not in ENGLISH_STOP_WORDS


def _trace(
    frame,
    rows: np.ndarray,
    three_d: bool,
    name: str,
    marker: dict,
    hover: Sequence[str],
    labels: Sequence[str] | None = None,
    text_style: dict | None = None,
    webgl: bool = False,
):
    """A scatter trace of the selected rows, with text only where ``labels`` are not empty."""
    selected = frame[rows]
    hovertext = [hover[i] for i in np.flatnonzero(rows)]
    common = {
        "name": name,
        # The word itself travels with each point, so a click on the map names it.
        "customdata": selected["word"].tolist(),
        "hovertext": hovertext,
        "hoverinfo": "text",
        "marker": marker,
    }
    if labels is not None:
        common["text"] = list(labels)
        common["mode"] = "markers+text"
        common["textfont"] = text_style or {}
    else:
        common["mode"] = "markers"
    if three_d:
        return go.Scatter3d(x=selected["x"], y=selected["y"], z=selected["z"], **common)
    if labels is not None:
        common["textposition"] = "top center"
    scatter = go.Scattergl if webgl else go.Scatter
    return scatter(x=selected["x"], y=selected["y"], **common)


def _add_labels(fig: go.Figure, labels: list, three_d: bool) -> None:
    """Labels as annotations: drawn above every marker, on a pale chip that reads in light and
    dark themes alike (scatter text would hide under the markers of later traces)."""
    style = {
        "showarrow": False,
        "yshift": 14,
        "bgcolor": "rgba(255, 255, 255, 0.6)",
        "borderpad": 1,
        "font": {"size": 12, "color": OUTLINE},
    }
    notes = [
        {"x": row.x, "y": row.y, **({"z": row.z} if three_d else {}), "text": text, **style}
        for row, text in labels
    ]
    if three_d:
        fig.update_layout(scene={"annotations": notes})
    else:
        for note in notes:
            fig.add_annotation(**note)


@toolbar_clear
def projection_figure(
    frame,
    axis_titles: Sequence[str],
    colour_by: str | None = None,
    searched: str | None = None,
    label_top: int = 0,
    height: int = 650,
) -> go.Figure:
    """The projected words as a scatter, 3D when ``frame`` has a ``z`` column.

    Plain words are small dots, coloured by cosine to ``colour_by`` (with a colour bar) when
    given; the ``label_top`` most frequent of them that carry meaning (:func:`is_label_word`)
    are labelled. The searched word (a star) and
    its neighbours (larger dots) are drawn on top in contrasting colours and labelled with
    annotations; so is the colour reference word (a diamond) when it is neither.
    """
    three_d = "z" in frame.columns
    hover = hover_texts(frame, colour_by, searched)
    roles = frame["role"].to_numpy()
    words = frame["word"].to_numpy()
    is_reference = (words == colour_by) & (roles == "") if colour_by else np.zeros(len(frame), bool)
    plain = (roles == "") & ~is_reference
    size = 4 if three_d else 7
    fig = go.Figure()

    marker: dict = {"size": size, "opacity": 0.8}
    if colour_by is not None and "cosine" in frame.columns:
        cosines = frame["cosine"].to_numpy()
        marker |= {
            "color": cosines[plain],
            "colorscale": COLOURSCALE,
            "cmin": float(np.nanmin(cosines)) if len(cosines) else -1.0,
            "cmax": 1.0,
            "showscale": True,
            "colorbar": {"title": {"text": f"cosine to<br>{html.escape(colour_by)}"}},
        }
    else:
        marker["color"] = WORD_COLOUR
    labels = None
    if label_top > 0:
        labelled = plain & np.array([is_label_word(w) for w in words], dtype=bool)
        top_ranks = set(np.sort(frame.loc[labelled, "rank"].to_numpy())[:label_top])
        labels = [
            html.escape(w) if r in top_ranks else ""
            for w, r in zip(frame.loc[plain, "word"], frame.loc[plain, "rank"], strict=True)
        ]
    fig.add_trace(
        _trace(
            frame,
            plain,
            three_d,
            "words",
            marker,
            hover,
            labels,
            {"size": 10},
            webgl=not three_d and int(plain.sum()) >= WEBGL_FROM,
        )
    )

    highlighted = [
        (roles == "neighbour", f"neighbours of {searched}" if searched else "neighbours",
         {"size": size + 6, "color": NEIGHBOUR_COLOUR}, False),
        (is_reference, f"colour reference: {colour_by}",
         {"size": size + 6, "color": REFERENCE_COLOUR, "symbol": "diamond"}, False),
        # Scatter3d has no star; a diamond still stands out from the dots.
        (roles == "searched", f"searched: {searched}" if searched else "searched",
         {"size": size + (6 if three_d else 12), "color": SEARCHED_COLOUR,
          "symbol": "diamond" if three_d else "star"}, True),
    ]  # fmt: skip
    labels_on_top = []
    for rows, name, style, bold in highlighted:
        if not rows.any():
            continue
        marker = style | {"line": {"color": OUTLINE, "width": 1}}
        fig.add_trace(_trace(frame, rows, three_d, html.escape(name), marker, hover))
        for row in frame[rows].itertuples(index=False):
            text = html.escape(row.word)
            labels_on_top.append((row, f"<b>{text}</b>" if bold else text))
    _add_labels(fig, labels_on_top, three_d)

    titles = list(axis_titles)
    legend = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}
    if three_d:
        fig.update_layout(
            scene={
                "xaxis": {"title": {"text": titles[0]}},
                "yaxis": {"title": {"text": titles[1]}},
                "zaxis": {"title": {"text": titles[2]}},
                "aspectmode": "data",
            }
        )
    else:
        fig.update_xaxes(title=titles[0], zeroline=False)
        # One unit is as long across as up: distances on the map are not stretched.
        fig.update_yaxes(title=titles[1], zeroline=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        legend=legend,
        showlegend=len(fig.data) > 1,
    )
    return fig
