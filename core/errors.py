"""The one error type for bad input: a message and a hint written for people."""

from __future__ import annotations


class DataError(ValueError):
    """A problem with input data, with a message and a hint written for people."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()
