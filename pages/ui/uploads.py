"""The upload box: a file parsed once per upload, kept in this session, and its messages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from core.data.datasets import MAX_UPLOAD_MB, Corpus, LabelledText
from core.data.display import escape_markdown
from core.data.reading import parse_upload, skipped_summary
from core.errors import DataError
from pages.ui.kept_state import drawn_in_last_run

UPLOAD_HELP = (
    "Labelled text: CSV with a text column and a label column, UCI-style TSV (label<TAB>text, "
    "no header, read as it stands) or fastText lines (__label__spam some text). Plain corpora: "
    "one sentence or document per line (.txt, .cor, optionally .gz). Up to "
    f"{MAX_UPLOAD_MB} MB; UTF-8, UTF-16 with BOM or latin-1."
)
SKIPPED_SHOWN = 20  # rows listed by line number under the upload box; the count says the rest

log = logging.getLogger(__name__)
T = TypeVar("T")


def show_data_error(error: DataError, kept: str | None = None) -> None:
    """What is wrong, then how to fix it: never a traceback.

    ``kept`` says what the session still holds; it goes in the same alert, so the message and the
    reassurance always arrive together.
    """
    st.error(
        f"**{error.message}**"
        + (f"\n\n{error.hint}" if error.hint else "")
        + (f"\n\n{kept}" if kept else ""),
        icon=":material/error:",
    )


def read_once(
    uploaded,
    key: str,
    read: Callable[[str, bytes], T],
    hint: str,
    options: tuple = (),
) -> tuple[T | DataError, bool]:
    """Read an uploaded file once per upload (and per ``options``), keeping what it gave in this
    session, so reruns of the page do not parse it again and no other session sees it.

    ``read(file name, bytes)`` parses. Our :class:`DataError` is kept as the result; any other
    exception becomes a DataError that names the file, with ``hint`` on what files work, rather
    than a traceback. Returns (the result, whether it was read just now).
    """
    memo_key = f"_read_{key}"
    stamp = (uploaded.file_id, *options)
    memo = st.session_state.get(memo_key)
    if memo is not None and memo[0] == stamp:
        return memo[1], False
    try:
        result: T | DataError = read(uploaded.name, uploaded.getvalue())
    except DataError as error:
        result = error
    except Exception as error:  # a bug of ours must not become a traceback on the page
        log.exception("unexpected error while reading %s", uploaded.name)
        result = DataError(f"{uploaded.name} could not be read ({type(error).__name__}).", hint)
    st.session_state[memo_key] = (stamp, result)
    st.session_state[f"_name_{key}"] = uploaded.name
    return result, True


def upload_text(label: str, key: str, want: str = "any") -> LabelledText | Corpus | None:
    """An upload box that parses the file once per upload and keeps the result in this session.

    Returns the parsed data, or ``None`` when nothing usable is uploaded (after showing why).
    Results live in ``st.session_state``, so one user's file never answers another's request.
    """
    returning = not drawn_in_last_run(key)  # its page was not shown in the last run
    uploaded = st.file_uploader(label, key=key, help=UPLOAD_HELP)
    if uploaded is None:
        return kept_upload(key, label) if returning else forget_upload(key)
    result, _ = read_once(
        uploaded,
        key,
        lambda name, data: parse_upload(name, data, want=want),
        "Check that it is a text, CSV, TSV or fastText file; if it is, please report it.",
        options=(want,),
    )
    if isinstance(result, DataError):
        show_data_error(result)
        return None
    describe_upload(result)
    return result


def kept_upload(key: str, label: str) -> LabelledText | Corpus | None:
    """The file this upload box read earlier in the session, when its page is drawn again.

    Streamlit empties an upload box whose page was not drawn; the parsed file is still in the
    session (:func:`read_once`), so it is used again and said so, with a way to forget it.
    """
    memo = st.session_state.get(f"_read_{key}")
    if memo is None or isinstance(memo[1], DataError):
        return None
    data = memo[1]
    name = st.session_state.get(f"_name_{key}", "your file")
    st.info(
        f"Using **{escape_markdown(name)}**, uploaded earlier in this session. Drop another file "
        f"on *{escape_markdown(label)}* to replace it.",
        icon=":material/history:",
    )
    st.button("Forget this file", key=f"{key}_forget", on_click=forget_upload, args=(key,))
    describe_upload(data)
    return data


def forget_upload(key: str) -> None:
    """Drop the file this upload box read (the person removed it, or asked to forget it)."""
    st.session_state.pop(f"_read_{key}", None)
    st.session_state.pop(f"_name_{key}", None)


def describe_upload(data: LabelledText | Corpus) -> None:
    """The detected format and size, plus any warnings from reading the file."""
    if isinstance(data, LabelledText):
        counts = ", ".join(f"{label}: {n:,}" for label, n in data.class_counts().items())
        st.success(f"Read **{len(data):,} labelled texts** · format: {data.format} · {counts}")
    else:
        st.success(f"Read **{len(data):,} documents** · format: {data.format}")
    for warning in data.warnings:
        st.warning(warning)
    if data.skipped:
        describe_skipped(data.skipped)


def describe_skipped(skipped: tuple[tuple[int, str], ...]) -> None:
    """How many rows were not read, then the first few by line number with the reason, folded."""
    st.warning(skipped_summary(skipped), icon=":material/rule:")
    with st.expander(f"Rows left out ({len(skipped):,})"):
        st.markdown(
            "\n".join(
                f"- line {line:,}: {escape_markdown(reason)}"
                for line, reason in skipped[:SKIPPED_SHOWN]
            )
        )
        if len(skipped) > SKIPPED_SHOWN:
            st.caption(f"…and {len(skipped) - SKIPPED_SHOWN:,} more.")
