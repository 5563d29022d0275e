"""Numbers and durations as people write them: "3", "three", "a couple of", "two weeks".

:func:`number_at` reads a number starting at a token, with the words before it that make it
a bound ("more than a week", "at least three") or an approximation ("about a month"), and
:func:`duration_at` a number followed by a unit of time, converted to a target unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from ._text import Token

__all__ = ["UNIT_DAYS", "Bound", "Quantity", "duration_at", "number_at", "starts_number"]

Bound = Literal["exact", "about", "at_least", "more_than", "at_most", "less_than"]

_UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
# Vague amounts, read as the number people usually mean by them.
_VAGUE = {"couple": 2, "few": 3, "several": 3, "handful": 4, "dozen": 12, "half": 0.5}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
#: Days in each unit of time; durations are converted through days (a month is a twelfth
#: of a year, so "two years" is 24 months; read as days it is rounded: "a month" is 30).
UNIT_DAYS = {
    "hour": 1 / 24, "hours": 1 / 24, "day": 1, "days": 1, "week": 7, "weeks": 7,
    "fortnight": 14, "fortnights": 14, "month": 365.25 / 12, "months": 365.25 / 12,
    "year": 365.25, "years": 365.25, "wk": 7, "wks": 7, "mo": 365.25 / 12,
    "mos": 365.25 / 12, "yr": 365.25, "yrs": 365.25,
}
_TARGET_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 365.25 / 12,
                "months": 365.25 / 12, "year": 365.25, "years": 365.25}
# Words before a number that make it a bound or an approximation, longest first.
_QUALIFIERS: tuple[tuple[tuple[str, ...], Bound], ...] = (
    (("more", "than"), "more_than"), (("over",), "more_than"), (("upwards", "of"), "more_than"),
    (("longer", "than"), "more_than"), (("at", "least"), "at_least"),
    (("no", "less", "than"), "at_least"), (("less", "than"), "less_than"),
    (("under",), "less_than"), (("fewer", "than"), "less_than"), (("within",), "at_most"),
    (("at", "most"), "at_most"), (("up", "to"), "at_most"), (("no", "more", "than"), "at_most"),
    (("about",), "about"), (("around",), "about"), (("roughly",), "about"),
    (("approximately",), "about"), (("nearly",), "about"), (("almost",), "about"),
    (("some",), "about"), (("close", "to"), "about"), (("just", "over"), "more_than"),
    (("just", "under"), "less_than"),
)
_STARTERS = frozenset({*_UNITS, *_TENS, *_VAGUE, *(w for q, _ in _QUALIFIERS for w in q[:1]),
                       *(f"{t}-{u}" for t in _TENS for u in _UNITS if _UNITS[u] > 0
                         and u not in ("a", "an", "single"))})


@attrs.frozen
class Quantity:
    """A number read from the text: value, how it is bounded, and the tokens it spans."""

    value: float
    bound: Bound
    start: int  # index of the first token
    end: int  # index after the last token


def starts_number(token: Token) -> bool:
    """Whether a number expression (or an ordinal) may start at ``token``."""
    return token.lower[:1].isdigit() or token.lower in _STARTERS or token.lower in _ORDINALS


def _plain(tokens: Sequence[Token], i: int) -> tuple[float, int] | None:
    """A bare number at ``tokens[i]``: digits, number words, "a couple of", "half a"."""
    if i >= len(tokens):
        return None
    w = tokens[i].lower
    if w[:1].isdigit():
        try:
            value = float(w.replace(",", "")) if w.count(",") != 1 or len(w.split(",")[1]) == 3 \
                else float(w.replace(",", "."))
        except ValueError:
            return None
        return value, i + 1
    if w in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1].lower in _VAGUE:
        w, i = tokens[i + 1].lower, i + 1
        if w == "half" and i + 1 < len(tokens) and tokens[i + 1].lower in ("a", "an"):
            return 0.5, i + 2  # "a half a" is not English; take it anyway
    if w in _VAGUE:
        value = float(_VAGUE[w])
        j = i + 1
        if w == "half" and j < len(tokens) and tokens[j].lower in ("a", "an"):
            return 0.5, j + 1
        if j < len(tokens) and tokens[j].lower == "of":
            j += 1
        return value, j
    tens, _, unit = w.partition("-")
    if unit and tens in _TENS and unit in _UNITS and _UNITS[unit] > 0:  # "twenty-one"
        return float(_TENS[tens] + _UNITS[unit]), i + 1
    if w in _TENS:
        value = float(_TENS[w])
        j = i + 1
        if j < len(tokens) and tokens[j].lower in _UNITS and _UNITS[tokens[j].lower] > 0 \
                and tokens[j].lower not in ("a", "an", "no"):
            value += _UNITS[tokens[j].lower]
            j += 1
        return value, j
    if w in _UNITS:
        return float(_UNITS[w]), i + 1
    return None


_QUALIFIERS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], Bound]]] = {}
for _words, _kind in sorted(_QUALIFIERS, key=lambda q: -len(q[0])):
    _QUALIFIERS_BY_FIRST.setdefault(_words[0], []).append((_words, _kind))


def number_at(tokens: Sequence[Token], i: int) -> Quantity | None:
    """The number expression starting at ``tokens[i]``, or None."""
    if i >= len(tokens) or not (tokens[i].lower[:1].isdigit() or tokens[i].lower in _STARTERS):
        return None
    bound: Bound = "exact"
    j = i
    for words, kind in _QUALIFIERS_BY_FIRST.get(tokens[i].lower, ()):
        if tuple(t.lower for t in tokens[j:j + len(words)]) == words:
            bound, j = kind, j + len(words)
            break
    found = _plain(tokens, j)
    if found is None:
        return None
    value, end = found
    # "one and a half", "two and a half weeks"
    if tuple(t.lower for t in tokens[end:end + 3]) == ("and", "a", "half"):
        value, end = value + 0.5, end + 3
    return Quantity(value, bound, i, end)


def duration_at(tokens: Sequence[Token], i: int, unit: str | None) -> Quantity | None:
    """A duration ("three weeks", "a couple of days") at ``tokens[i]``, in ``unit``.

    ``unit`` is the observation's unit (days, weeks, months or years; days if unknown).
    """
    q = number_at(tokens, i)
    if q is None or q.end >= len(tokens):
        return None
    word = tokens[q.end].lower
    if word not in UNIT_DAYS:
        return None
    end = q.end + 1
    value = q.value
    if tuple(t.lower for t in tokens[end:end + 3]) == ("and", "a", "half"):
        value, end = value + 0.5, end + 3
    days = value * UNIT_DAYS[word]
    per = _TARGET_DAYS.get((unit or "days").lower(), 1)
    converted = days / per
    # Months and years counted in days are whole days ("a month" is 30, not 30.44).
    inexact = UNIT_DAYS[word] > 28 and per == 1
    converted = float(round(converted)) if inexact else round(converted, 2)
    return Quantity(converted, q.bound, q.start, end)


def ordinal(word: str) -> int | None:
    """``third`` -> 3; None for other words."""
    return _ORDINALS.get(word)
