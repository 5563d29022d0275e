"""How values and certainties read in every text rendering of the consultation."""

from __future__ import annotations

__all__ = ["cf", "show"]


def show(value: object) -> str:
    """An answer as a person reads it: yes/no, a number without noise, a category's words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cf(value: float) -> str:
    """A certainty with two decimals, its sign shown only when negative."""
    return f"{value:+.2f}" if value < 0 else f"{value:.2f}"
