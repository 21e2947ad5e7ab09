"""Settings that survive navigation: every page's widget values kept for the session.

Streamlit forgets the value of a widget whose page was not drawn in the last run, so a person who
trains on page A, looks at page B and comes back would find A's settings reset to their defaults
(and its data choice back on the default data) under results that came from other settings.
:func:`keep_widget_values`, called by ``app.py`` before the page runs, keeps each widget's value
in the session's own state, which Streamlit keeps until the session ends, and puts it back when
Streamlit has dropped it; a widget on the person's screen is never written to.

Buttons, uploads and chart selections cannot be written back (Streamlit refuses), so they are
left alone; an upload is kept by :mod:`pages.ui.uploads` instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

log = logging.getLogger(__name__)

# Widget values Streamlit refuses to be set through st.session_state: buttons and form submits
# (trigger_value), uploads and camera/audio input (file_uploader_state_value), chat and menu
# buttons (string_trigger_value).
NOT_WRITABLE = {"trigger_value", "file_uploader_state_value", "string_trigger_value"}
# What a setting's value can be; chart selections and data editors hold dicts and are skipped.
SETTING_TYPES = (str, int, float, bool, type(None))


def is_setting_value(value: object) -> bool:
    """Whether ``value`` looks like a setting (a scalar, or a list/tuple of scalars) that can be
    written back to its widget, rather than a selection or an editor's dict of edits."""
    if isinstance(value, SETTING_TYPES):
        return True
    if isinstance(value, list | tuple):
        return all(isinstance(item, SETTING_TYPES) for item in value)
    return False


RUNS_KEY = "_script_runs"  # this session's script runs so far, counted by keep_widget_values


def drawn_in_last_run(name: str) -> bool:
    """Whether the element ``name`` was drawn in this session's previous script run (false when
    its page was not shown, or on the first run); records it as drawn in this run."""
    runs = st.session_state.get(RUNS_KEY, 0)
    last = st.session_state.get(f"_drawn_{name}")
    st.session_state[f"_drawn_{name}"] = runs
    return last == runs - 1


KEPT_KEY = "_kept_settings"  # widget key -> the setting it last held, kept by keep_widget_values


@dataclass(frozen=True)
class WidgetKeys:
    """This session's widget keys as Streamlit holds them at the start of a run.

    ``keyed``: every user key Streamlit still maps to a widget. ``drawn``: those of widgets on
    the person's screen (the browser sends the state of every widget it shows; a widget whose
    page is not shown is only keyed, and a key the page deleted to reset its widget is in
    neither). ``writable``: those whose value may be written back (not buttons, uploads or
    chat input).
    """

    keyed: frozenset[str] = frozenset()
    drawn: frozenset[str] = frozenset()
    writable: frozenset[str] = frozenset()


def widget_keys() -> WidgetKeys:
    """Read :class:`WidgetKeys` from Streamlit's session state, the one place that reaches into
    its internals; a Streamlit whose internals differ gives empty sets (nothing is kept, nothing
    breaks)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None:
            return WidgetKeys()
        state = ctx.session_state._state
        mapping = state._key_id_mapper.id_key_mapping
        widgets = state._new_widget_state
        held, metadata = set(widgets.states), widgets.widget_metadata
    except AttributeError:
        log.warning("this Streamlit's session state is not the one pages.ui.kept_state knows")
        return WidgetKeys()
    writable = set()
    for widget_id, key in mapping.items():
        meta = metadata.get(widget_id)
        if meta is not None and meta.value_type is not None and meta.value_type not in NOT_WRITABLE:
            writable.add(key)
    return WidgetKeys(
        frozenset(mapping.values()),
        frozenset(key for widget_id, key in mapping.items() if widget_id in held),
        frozenset(writable),
    )


def keep_widget_values() -> int:
    """Remember every writable widget's setting for the session, put back the setting of each
    widget Streamlit dropped because its page was not drawn, and count the run. Returns how many
    settings were put back.

    A widget on the person's screen is left alone: a value written to it is pushed to the
    browser, and would undo what the person is changing there while a run is under way (a
    slider stepped with the keyboard snaps back). A widget whose key the page deleted resets.
    """
    st.session_state[RUNS_KEY] = st.session_state.get(RUNS_KEY, 0) + 1
    kept: dict = st.session_state.setdefault(KEPT_KEY, {})
    keys = widget_keys()
    keyed, drawn = keys.keyed, keys.drawn
    for key in keys.writable & drawn:
        try:
            value = st.session_state[key]
        except KeyError:
            continue
        if is_setting_value(value):
            kept[key] = value
        else:
            kept.pop(key, None)
    restored = 0
    for key, value in list(kept.items()):
        if key in drawn:
            continue
        if key not in keyed:
            del kept[key]  # deleted on purpose: its widget starts again from its default
            continue
        try:
            st.session_state[key] = value
        except st.errors.StreamlitAPIException:
            continue  # a widget Streamlit will not let us set: it resets as before
        restored += 1
    return restored


def follow_default(key: str, default: str) -> None:
    """Let the widget ``key`` follow ``default`` (a value derived from other input, such as the
    document picked above it) until the person edits it: call before drawing the widget, and
    draw it without a ``value``. An edited value stays until the person clears it to the default.
    """
    previous = st.session_state.get(f"_default_{key}")
    if key not in st.session_state or st.session_state[key] == previous:
        st.session_state[key] = default
    st.session_state[f"_default_{key}"] = default
