"""The values a rule compares and how a rule author writes them (below the model and the
registries, which all show values the same way)."""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["Scalar", "show_in_message", "show_value"]

Scalar: TypeAlias = bool | int | float | str


def show_value(value: object) -> str:
    """A value as a rule author writes it: ``true``/``false``, ``14`` rather than ``14.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def show_in_message(value: object) -> str:
    """A value as a rule file's messages show it: lists in brackets, strings quoted."""
    if isinstance(value, tuple):
        return "[" + ", ".join(show_in_message(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)
