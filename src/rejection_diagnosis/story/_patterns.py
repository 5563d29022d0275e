"""The phrase language of rule files, compiled to sequences of stems.

A phrase is words, matched after the same normalisation as the story (lower case, stems,
small words such as "the" and "my" skipped on both sides), in order, with at most
:data:`GAP` other words between two of them. It may also hold:

- ``(a|b c|d)``: one of the alternatives (each may be several words; ``(a|)`` is optional);
- ``[a b]``: optional words;
- ``...``: up to :data:`WIDE_GAP` words of anything;
- one slot, in phrases of number observations: ``{number}`` ("3", "three", "a couple of"),
  ``{duration}`` ("three weeks", "a fortnight": converted to the observation's unit) or
  ``{ordinal}`` ("third").
"""

from __future__ import annotations

import itertools
import re

from ._text import tokenize

__all__ = ["GAP", "MAX_VARIANTS", "SKIP", "SKIP_STEMS", "SLOTS", "WIDE", "WIDE_GAP", "PhraseSyntaxError",
           "compile_phrase", "slot_of"]

#: Other words allowed between two words of a phrase.
GAP = 2
#: Words allowed for ``...``.
WIDE_GAP = 8
WIDE = "..."
SLOTS = ("{number}", "{duration}", "{ordinal}")
#: Alternatives a phrase may expand to; more is an error (write two phrases).
MAX_VARIANTS = 64
#: Words skipped in both phrases and stories: they change no observation.
SKIP = frozenset({
    "the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "this", "these",
    "those", "very", "really", "just", "also", "even", "quite", "pretty", "that", "some",
    "any", "actually", "finally", "eventually", "then", "suddenly", "still",
})
#: Stems skipped the same way: auxiliaries ("was reposted", "had been reposted").
SKIP_STEMS = frozenset({"be", "have"})

_PIECE = re.compile(r"\(|\)|\[|\]|\||\.\.\.|\{[a-z]+\}|[^\s()\[\]|{}]+")


class PhraseSyntaxError(ValueError):
    """A phrase that is not written in the phrase language."""


def _words(text: str) -> list[str]:
    return [t.stem for t in tokenize(text)
            if t.is_word and t.lower not in SKIP and t.stem not in SKIP_STEMS]


def compile_phrase(text: str) -> tuple[tuple[str, ...], ...]:
    """Every sequence of stems (and slots, and ``...``) that ``text`` stands for.

    Raises:
        PhraseSyntaxError: unbalanced brackets, an unknown slot, two slots, too many
            alternatives, or nothing to match.
    """
    pieces = _PIECE.findall(text)
    pos = 0

    def group(closing: str | None) -> list[tuple[str, ...]]:
        nonlocal pos
        alternatives: list[list[tuple[str, ...]]] = [[()]]
        while pos < len(pieces):
            piece = pieces[pos]
            pos += 1
            if piece in ("(", "["):
                inner = group(")" if piece == "(" else "]")
                if piece == "[":
                    inner = [*inner, ()]
                alternatives[-1] = _product(alternatives[-1], inner)
            elif piece in (")", "]"):
                if piece != closing:
                    raise PhraseSyntaxError(f"{piece!r} closes nothing")
                return [v for alt in alternatives for v in alt]
            elif piece == "|":
                if closing != ")":
                    raise PhraseSyntaxError("'|' separates alternatives inside '( )' only")
                alternatives.append([()])
            elif piece.startswith("{"):
                if piece not in SLOTS:
                    raise PhraseSyntaxError(f"unknown slot {piece!r}; slots are "
                                            + ", ".join(SLOTS))
                alternatives[-1] = _product(alternatives[-1], [(piece,)])
            elif piece == WIDE:
                alternatives[-1] = _product(alternatives[-1], [(WIDE,)])
            else:
                alternatives[-1] = _product(alternatives[-1], [tuple(_words(piece))])
        if closing is not None:
            raise PhraseSyntaxError(f"missing {closing!r}")
        return [v for alt in alternatives for v in alt]

    variants = list(dict.fromkeys(group(None)))
    out: list[tuple[str, ...]] = []
    for v in variants:
        while v and v[0] == WIDE:
            v = v[1:]
        while v and v[-1] == WIDE:
            v = v[:-1]
        if not any(p != WIDE and p not in SLOTS for p in v) and not any(p in SLOTS for p in v):
            raise PhraseSyntaxError("nothing to match: a phrase needs a word other than "
                                    "small words such as 'the' or 'my'")
        if sum(p in SLOTS for p in v) > 1:
            raise PhraseSyntaxError("a phrase takes at most one slot")
        out.append(v)
    return tuple(dict.fromkeys(out))


def _product(left: list[tuple[str, ...]], right: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    combined = [a + b for a, b in itertools.product(left, right)]
    if len(combined) > MAX_VARIANTS:
        raise PhraseSyntaxError(f"expands to more than {MAX_VARIANTS} alternatives; "
                                "split it into several phrases")
    return combined


def slot_of(variants: tuple[tuple[str, ...], ...]) -> str | None:
    """The slot the phrase holds (the same in every alternative), or None."""
    found = {p for v in variants for p in v if p in SLOTS}
    return next(iter(found)) if len(found) == 1 else None
