"""Text made safe to show as Markdown: words from users' files escaped for labels and buttons."""

from __future__ import annotations

import re

# Characters that Streamlit's Markdown reads as formatting, links, emoji shortcodes or HTML.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown special character backslash-escaped, so a word such as
    ``*bold*`` or ``:smile:`` shows as typed in a button label or a Markdown line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)
