"""Shareable links: a page's settings read from and written to the address bar."""

from __future__ import annotations

import streamlit as st


def linked_settings(fields: dict, note_upload: bool = False) -> dict:
    """The page's settings from the URL's query parameters, for use as widget defaults.

    Parameters that cannot be used fall back to their defaults with a warning; nothing in a
    link can raise. Call :func:`update_link` with the values the widgets return.
    """
    from core.data.links import parse_params

    values, problems = parse_params(st.query_params.to_dict(), fields)
    if problems:
        st.warning(
            "Some settings in this link could not be used, so their defaults are: "
            + "; ".join(problems)
            + ".",
            icon=":material/link_off:",
        )
    if note_upload:
        st.caption(
            ":material/link: The address of this page holds its settings: copy it to share "
            "the same experiment. Uploaded data is not part of a link."
        )
    return values


def update_link(values: dict, fields: dict) -> None:
    """Write the current settings into the address bar (defaults left out, so links stay short)."""
    from core.data.links import encode_params

    wanted = encode_params(values, fields)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def sync_link(fields: dict, keys: dict) -> None:
    """:func:`update_link` from widget state: ``keys`` maps each field to its widget's key."""
    update_link(
        {name: st.session_state[key] for name, key in keys.items() if key in st.session_state},
        fields,
    )
