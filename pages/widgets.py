"""Widgets shared by several pages: the upload box and its messages. UI only; logic is in core."""

from __future__ import annotations

import logging

import streamlit as st

from core.datasets import MAX_UPLOAD_MB, Corpus, DataError, LabelledText, parse_upload

log = logging.getLogger(__name__)

UPLOAD_HELP = (
    "Labelled text: CSV with a text column and a label column, UCI-style TSV (label<TAB>text) or "
    "fastText lines (__label__spam some text). Plain corpora: one sentence or document per line "
    f"(.txt, .cor, optionally .gz). Up to {MAX_UPLOAD_MB} MB; UTF-8, UTF-16 with BOM or latin-1."
)


def require_navigation() -> None:
    """Make sure this page runs inside app.py's navigation, even when it is the server's first run.

    Streamlit decides between the legacy ``pages/`` discovery and ``st.navigation`` on the first
    run of a server process. When that first run is a deep link (``/datasets``), it runs the page
    file on its own, with an auto-discovered menu and without app.py's config. Switching the
    legacy mode off and re-running sends the same URL through app.py's navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show_data_error(error: DataError) -> None:
    """What is wrong, then how to fix it: never a traceback."""
    st.error(
        f"**{error.message}**" + (f"\n\n{error.hint}" if error.hint else ""),
        icon=":material/error:",
    )


def upload_text(label: str, key: str, want: str = "any") -> LabelledText | Corpus | None:
    """An upload box that parses the file once per upload and keeps the result in this session.

    Returns the parsed data, or ``None`` when nothing usable is uploaded (after showing why).
    Results live in ``st.session_state``, so one user's file never answers another's request.
    """
    uploaded = st.file_uploader(label, key=key, help=UPLOAD_HELP)
    if uploaded is None:
        return None
    memo_key = f"_parsed_{key}"
    memo = st.session_state.get(memo_key)
    if memo is None or memo[0] != (uploaded.file_id, want):
        try:
            result: LabelledText | Corpus | DataError = parse_upload(
                uploaded.name, uploaded.getvalue(), want=want
            )
        except DataError as error:
            result = error
        except Exception as error:  # a bug of ours must not become a traceback on the page
            log.exception("unexpected error while reading %s", uploaded.name)
            result = DataError(
                f"{uploaded.name} could not be read ({type(error).__name__}).",
                "Check that it is a text, CSV, TSV or fastText file; if it is, please report it.",
            )
        memo = ((uploaded.file_id, want), result)
        st.session_state[memo_key] = memo
    result = memo[1]
    if isinstance(result, DataError):
        show_data_error(result)
        return None
    describe_upload(result)
    return result


def describe_upload(data: LabelledText | Corpus) -> None:
    """The detected format and size, plus any warnings from reading the file."""
    if isinstance(data, LabelledText):
        counts = ", ".join(f"{label}: {n:,}" for label, n in data.class_counts().items())
        st.success(f"Read **{len(data):,} labelled texts** · format: {data.format} · {counts}")
    else:
        st.success(f"Read **{len(data):,} documents** · format: {data.format}")
    for warning in data.warnings:
        st.warning(warning)


def chips(tokens: list[str], limit: int = 150) -> str:
    """Tokens as inline code, so spaces and punctuation inside a token stay visible."""
    shown = " ".join(f"`{t.replace('`', 'ˋ')}`" for t in tokens[:limit])
    return shown + (f" … and {len(tokens) - limit:,} more" if len(tokens) > limit else "")


def show_code(code: str, title: str = "Show the code") -> None:
    """An expander with the ``core`` calls behind a view, for readers who want to script it."""
    with st.expander(title):
        st.code(code.strip(), language="python")
