"""Shareable links: a page's settings to and from URL query parameters, validated.

A page declares its settings as :class:`Field` values. :func:`parse_params` reads the query
parameters of a URL into typed values, and anything it cannot use (an unknown value, a number out
of range, text where a number belongs) falls back to the default and is reported, never raised.
:func:`encode_params` writes the current values back, leaving out those equal to their default so
links stay short.

A field also says how a page shows it (its widget, label, help, step and how its options read),
as plain data: ``pages/ui/links.py`` draws the widget from it, so each setting is declared once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any, Literal

FieldKind = Literal["int", "float", "choice", "bool"]
Widget = Literal[
    "number_input", "slider", "select_slider", "selectbox", "radio", "segmented_control", "checkbox"
]
MAX_PARAM_CHARS = 200


@dataclass(frozen=True)
class Field:
    """One setting that can travel in a link: its kind, default and allowed values, and how a
    page draws it.

    ``widget`` is the Streamlit widget (``None``: a checkbox for a bool, a select box for a
    choice, a number input for a number); ``key`` its widget key when it is not the page's prefix
    plus the parameter name; ``format`` how values read (a mapping or function of an option, or a
    printf pattern for a number); ``widget_values`` what the widget itself holds for each option
    when that differs from the value in the link (a long name for a short code).
    """

    kind: FieldKind
    default: Any
    low: float | None = None
    high: float | None = None
    options: tuple[Any, ...] = ()
    _: KW_ONLY
    label: str = ""
    widget: Widget | None = None
    key: str = ""
    step: float | None = None
    help: str | None = None
    format: Mapping[Any, str] | Callable[[Any], str] | str | None = None
    horizontal: bool = False
    widget_values: Mapping[Any, Any] | None = None

    def parse(self, raw: str) -> Any:
        """The typed value of ``raw``; ``ValueError`` with a reason when it cannot be used."""
        if len(raw) > MAX_PARAM_CHARS:
            raise ValueError("too long")
        if self.kind == "bool":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if self.kind == "choice":
            for option in self.options:
                if raw == str(option):
                    return option
            raise ValueError(f"expected one of {', '.join(map(str, self.options))}")
        number = float(raw)  # ValueError for text
        if not math.isfinite(number):
            raise ValueError("not a finite number")
        if self.kind == "int":
            if number != int(number):
                raise ValueError("expected a whole number")
            number = int(number)
        if (
            self.low is not None
            and number < self.low
            or self.high is not None
            and number > self.high
        ):
            raise ValueError(f"outside {self.low:g} to {self.high:g}")
        if self.options and number not in self.options:
            raise ValueError(f"expected one of {', '.join(map(str, self.options))}")
        return number

    def encode(self, value: Any) -> str:
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "float":
            return f"{float(value):g}"
        return str(value)


def fields_for_page(fields: Mapping[str, Field], prefix: str) -> dict[str, Field]:
    """``fields`` with each field's own widget key put under ``prefix``, so a second page drawing
    the same settings keeps widgets of its own (fields without a key are keyed by the page)."""
    return {
        name: replace(field, key=f"{prefix}{name}") if field.key else field
        for name, field in fields.items()
    }


def parse_params(
    params: Mapping[str, str | Sequence[str]], fields: Mapping[str, Field]
) -> tuple[dict[str, Any], list[str]]:
    """Query parameters → (a value for every field, problems for people).

    Unknown parameter names are ignored silently (other tools add their own); a known name
    with a value that cannot be used keeps the default and adds a problem.
    """
    values = {name: field.default for name, field in fields.items()}
    problems = []
    for name, field in fields.items():
        if name not in params:
            continue
        raw = params[name]
        raw = raw[-1] if isinstance(raw, list | tuple) else raw
        try:
            values[name] = field.parse(str(raw))
        except (ValueError, OverflowError) as error:
            shown = str(raw)[:40]
            problems.append(f"`{name}={shown}` ({error}; using {field.encode(field.default)})")
    return values, problems


def encode_params(values: Mapping[str, Any], fields: Mapping[str, Field]) -> dict[str, str]:
    """Values → query parameters, leaving out those at their default."""
    return {
        name: field.encode(values[name])
        for name, field in fields.items()
        if name in values and values[name] != field.default
    }
