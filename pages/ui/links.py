"""Shareable links: a page's settings read from the address bar, drawn as widgets, written back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.data.links import Field


def linked_settings(fields: Mapping[str, Field], note_upload: bool = False) -> dict:
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


def update_link(values: Mapping[str, Any], fields: Mapping[str, Field]) -> None:
    """Write the current settings into the address bar (defaults left out, so links stay short)."""
    from core.data.links import encode_params

    wanted = encode_params(values, fields)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _cast_number(field: Field, value: Any) -> Any:
    """``value`` as the field's number type; Streamlit refuses ints and floats mixed."""
    if value is None:
        return None
    return int(value) if field.kind == "int" else float(value)


def _format_func(field: Field) -> dict:
    """The ``format_func`` argument for a choice widget, or nothing when the field has none."""
    if field.format is None:
        return {}
    names = field.format
    if isinstance(names, Mapping):
        return {"format_func": lambda option: names.get(option, str(option))}
    return {"format_func": names}


def draw_field(field: Field, value: Any, key: str, container: Any = None) -> Any:
    """Draw ``field``'s widget showing ``value``; returns the value it holds, as the link has it.

    The widget's range, options, label, help, step and format all come from the field.
    ``container`` is where it goes (a column, a sidebar); ``None`` means the current one.
    """
    where = st if container is None else container
    widget = field.widget or {"bool": "checkbox", "choice": "selectbox"}.get(
        field.kind, "number_input"
    )
    if widget == "checkbox":
        return where.checkbox(field.label, bool(value), key=key, help=field.help)
    if widget in ("number_input", "slider"):
        extra = {"format": field.format} if isinstance(field.format, str) else {}
        return getattr(where, widget)(
            field.label,
            _cast_number(field, field.low),
            _cast_number(field, field.high),
            _cast_number(field, value),
            _cast_number(field, field.step),
            key=key,
            help=field.help,
            **extra,
        )
    # A choice: the widget may hold a longer form of each option than the link does.
    shown = dict(field.widget_values or {})
    options = [shown.get(option, option) for option in field.options]
    current = shown.get(value, value)
    extra = _format_func(field)
    if widget == "select_slider":
        held = where.select_slider(field.label, options, current, key=key, help=field.help, **extra)
    elif widget == "segmented_control":
        held = where.segmented_control(
            field.label, options, default=current, key=key, help=field.help, **extra
        )
        if held is None:  # every option unselected: the default stands
            return field.default
    elif widget == "radio":
        held = where.radio(
            field.label,
            options,
            index=options.index(current),
            key=key,
            help=field.help,
            horizontal=field.horizontal,
            **extra,
        )
    else:
        held = where.selectbox(
            field.label, options, index=options.index(current), key=key, help=field.help, **extra
        )
    return {shown_value: option for option, shown_value in shown.items()}.get(held, held)


class PageLink:
    """A page's settings as its link has them: each drawn from its :class:`Field`, then written.

    Built from the page's fields at the top, it holds the values the URL asks for (warning about
    any it cannot use). :meth:`draw` puts up a field's widget and keeps the value it returns; a
    field not drawn on this run keeps its link value. :meth:`write` puts them all back in the
    address, so a copied link opens the same experiment.
    """

    def __init__(self, fields: Mapping[str, Field], key_prefix: str = "") -> None:
        self.fields = dict(fields)
        self.key_prefix = key_prefix
        self.values = linked_settings(self.fields)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def key(self, name: str) -> str:
        """The widget key of the field ``name``: its own, else the page's prefix and the name."""
        return self.fields[name].key or f"{self.key_prefix}{name}"

    def draw(self, name: str, container: Any = None, key: str | None = None) -> Any:
        """Draw the field ``name`` (in ``container``, under ``key`` when it is drawn in more than
        one place) and return its value, which the link keeps."""
        value = draw_field(self.fields[name], self.values[name], key or self.key(name), container)
        self.values[name] = value
        return value

    def set(self, name: str, value: Any) -> Any:
        """Keep ``value`` for a field the page decides without a widget; returns it."""
        self.values[name] = value
        return value

    def write(self) -> None:
        """The current values into the address bar (defaults left out)."""
        update_link(self.values, self.fields)
