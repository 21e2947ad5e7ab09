"""Strict JSON, checked against type hints: plain values and settings dataclasses, by hand.

Nothing in a document chooses what gets built: the caller names the type it expects (``int``,
``Literal[...]``, ``X | None``, a tuple, a frozen settings dataclass) and the document's value is
checked against it, unknown and missing keys refused. Every refusal is a
:class:`~core.errors.DataError` that names the place in the document.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal

from core.errors import DataError


def load_strict_json(raw: bytes, what: str, hint: str) -> Any:
    """UTF-8 JSON bytes → Python values; a key twice in one object, ``NaN`` or ``Infinity``
    and any syntax error are a :class:`DataError` ("``what`` is not valid JSON")."""
    try:
        return json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise DataError(f"{what} is not valid JSON ({str(error)[:200]}).", hint) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice in one object")
    return dict(pairs)


def _no_constants(constant: str) -> None:
    raise ValueError(f"{constant} is not a number JSON allows")


MAX_TUPLE_ITEMS = 100  # a variable-length tuple in a document (kernel sizes…) is short


def show(value: Any) -> str:
    """A JSON value shortened for a message (a list or object by its type name)."""
    text = json.dumps(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class JsonChecker:
    """Checks parsed JSON against type hints; every refusal is a DataError ending in ``hint``."""

    hint: str

    def fail(self, message: str) -> DataError:
        """The :class:`DataError` to raise for ``message``."""
        return DataError(message, self.hint)

    def check_object(self, value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
        """``value`` as a dict with exactly ``keys``: unknown and missing keys are refused."""
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a JSON object.")
        unknown = [key for key in value if key not in keys]
        if unknown:
            shown = ", ".join(repr(k[:100]) for k in unknown[:5])
            raise self.fail(
                f"{where} has unknown keys {shown}; the known ones are {', '.join(keys)}."
            )
        missing = [key for key in keys if key not in value]
        if missing:
            raise self.fail(f"{where} lacks {', '.join(missing)}.")
        return value

    def check_value(self, expected: Any, value: Any, where: str) -> Any:
        """``value`` checked against the type hint ``expected`` (bool, int, float, str, a
        ``Literal``, ``X | None``, ``tuple[int, int]``, ``tuple[int, ...]`` or a settings
        dataclass); lists become tuples. A hint with no check is a programming error
        (``TypeError``), not the file's."""
        origin = typing.get_origin(expected)
        if origin is Literal:
            if value not in typing.get_args(expected) or isinstance(value, bool):
                choices = ", ".join(repr(c) for c in typing.get_args(expected))
                raise self.fail(f"{where} is {show(value)}; it must be one of {choices}.")
            return value
        if origin in (typing.Union, types.UnionType):
            options = typing.get_args(expected)
            if value is None and type(None) in options:
                return None
            (inner,) = [option for option in options if option is not type(None)]
            return self.check_value(inner, value, where)
        if origin is tuple and typing.get_args(expected)[-1:] == (Ellipsis,):
            (item, _) = typing.get_args(expected)
            if not isinstance(value, list) or len(value) > MAX_TUPLE_ITEMS:
                raise self.fail(f"{where} must be a list of at most {MAX_TUPLE_ITEMS} values.")
            return tuple(self.check_value(item, v, f"{where}[{i}]") for i, v in enumerate(value))
        if origin is tuple:
            args = typing.get_args(expected)
            if not isinstance(value, list) or len(value) != len(args):
                raise self.fail(f"{where} must be a list of {len(args)} values.")
            return tuple(
                self.check_value(a, v, f"{where}[{i}]")
                for i, (a, v) in enumerate(zip(args, value, strict=True))
            )
        if is_dataclass(expected):
            return self.check_dataclass(expected, value, where)
        if expected is bool:
            if not isinstance(value, bool):
                raise self.fail(f"{where} must be true or false, not {show(value)}.")
            return value
        if expected is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(f"{where} must be a whole number, not {show(value)}.")
            return value
        if expected is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(f"{where} must be a number, not {show(value)}.")
            if not math.isfinite(value):
                raise self.fail(f"{where} must be a finite number.")
            return float(value)
        if expected is str:
            if not isinstance(value, str):
                raise self.fail(f"{where} must be a string, not {show(value)}.")
            return value
        raise TypeError(f"no JSON check for {expected!r}")

    def check_dataclass(self, cls: type, value: Any, where: str, skip: tuple[str, ...] = ()) -> Any:
        """A settings dataclass from a JSON object with exactly its fields (plus ``skip`` keys,
        left for the caller); the dataclass's own checks turn into :class:`DataError`."""
        hints = typing.get_type_hints(cls)
        names = tuple(f.name for f in fields(cls) if f.init and not f.name.startswith("_"))
        obj = self.check_object(value, where, (*names, *skip))
        kwargs = {
            name: self.check_value(hints[name], obj[name], f"{where}.{name}") for name in names
        }
        return self.construct(cls, where, **kwargs)

    def construct(self, cls: type, where: str, **kwargs: Any) -> Any:
        """``cls(**kwargs)``, its ``ValueError`` turned into a :class:`DataError` at ``where``."""
        try:
            return cls(**kwargs)
        except ValueError as error:
            text = str(error).rstrip(".")
            raise self.fail(f"{where}: {text}.") from None
