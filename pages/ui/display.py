"""Small display helpers: token chips and the "Show the code" expander."""

from __future__ import annotations

import streamlit as st


def chips(tokens: list[str], limit: int = 150) -> str:
    """Tokens as inline code, so spaces and punctuation inside a token stay visible."""
    shown = " ".join(f"`{t.replace('`', 'ˋ')}`" for t in tokens[:limit])
    return shown + (f" … and {len(tokens) - limit:,} more" if len(tokens) > limit else "")


def show_code(code: str, title: str = "Show the code") -> None:
    """An expander with the ``core`` calls behind a view, for readers who want to script it."""
    with st.expander(title):
        st.code(code.strip(), language="python")
