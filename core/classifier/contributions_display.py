"""Showing word contributions: the text with each word coloured, a table, the largest first.

Contributions come from :mod:`core.classifier.contributions`. Warm backgrounds mark words that
push towards the target class, teal ones words that push away from it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.figures.palette import AGAINST_RGB, TOWARDS_RGB

if TYPE_CHECKING:
    from core.classifier.contributions import WordContribution

# Highlights are semi-transparent shades of the palette's warm and teal, so the theme's text
# colour reads on them in light and dark mode alike.
MIN_ALPHA, MAX_ALPHA = 0.12, 0.75


def shade(value: float, max_abs: float) -> str:
    """The colour of a word's contribution, for its highlight and its bar alike: warm towards
    the target, teal against, stronger the nearer ``|value|`` is to ``max_abs``; 0 is
    ``"transparent"``. One function for both, so the text and the chart never disagree."""
    if not max_abs or value == 0:
        return "transparent"
    strength = min(abs(value) / max_abs, 1.0)
    alpha = MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * strength
    r, g, b = TOWARDS_RGB if value > 0 else AGAINST_RGB
    return f"rgba({r}, {g}, {b}, {alpha:.2f})"


def largest_abs(contributions: Sequence[WordContribution]) -> float:
    """The largest absolute contribution (0 for none): full strength for :func:`shade`."""
    return max((abs(c.contribution) for c in contributions), default=0.0)


def highlight_html(
    text: str, contributions: Sequence[WordContribution], max_abs: float | None = None
) -> str:
    """``text`` as HTML, each explained word on a background whose colour says its direction
    (warm: towards the target class, teal: against) and whose strength says its size relative
    to ``max_abs`` (default: the largest absolute contribution). Hovering a word shows its
    number. Every piece of ``text`` is HTML-escaped, so typed markup shows as text; line breaks
    are kept."""
    if max_abs is None:
        max_abs = largest_abs(contributions)
    parts, cursor = [], 0
    for c in sorted(contributions, key=lambda c: c.start):
        if c.start < cursor:  # overlapping spans cannot both be wrapped
            continue
        parts.append(html.escape(text[cursor : c.start]))
        title = html.escape(f"{c.term}: {c.contribution:+.4f}", quote=True)
        parts.append(
            f'<span title="{title}" style="background-color: {shade(c.contribution, max_abs)};'
            f' border-radius: 0.25em; padding: 0 0.1em;">{html.escape(text[c.start : c.end])}</span>'
        )
        cursor = c.end
    parts.append(html.escape(text[cursor:]))
    return '<div style="white-space: pre-wrap; line-height: 1.9;">' + "".join(parts) + "</div>"


def contributions_frame(contributions: Sequence[WordContribution]):
    """One row per word occurrence, in text order: the word, the term the model sees, whether
    the model knows it, and its contribution. Show it through ``core.data.export.escape_table``."""
    import pandas as pd

    return pd.DataFrame(
        {
            "position": [c.position for c in contributions],
            "word": [c.word for c in contributions],
            "term": [c.term for c in contributions],
            "known": [c.known for c in contributions],
            "contribution": [c.contribution for c in contributions],
        }
    )


def top_contributions(
    contributions: Sequence[WordContribution], n: int = 10
) -> list[WordContribution]:
    """The ``n`` word occurrences with the largest absolute contribution, largest first."""
    return sorted(contributions, key=lambda c: -abs(c.contribution))[:n]
