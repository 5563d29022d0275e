"""The phrase language of rule files, compiled to sequences of stems.

A phrase is words, matched after the same normalisation as the story (lower case, stems,
small words such as "the" and "my" skipped on both sides), in order, with at most
:data:`GAP` other words between two of them. It may also hold:

- ``(a|b c|d)``: one of the alternatives (each may be several words); ``(a|b)?`` and
  ``[a b]`` are optional;
- ``...``: up to :data:`WIDE_GAP` words of anything;
- one slot, in phrases of number observations: ``{number}`` ("3", "three", "a couple of"),
  ``{duration}`` ("three weeks", "a fortnight": converted to the observation's unit) or
  ``{ordinal}`` ("third").
"""

from __future__ import annotations

import itertools
import re

import attrs

from ._text import stem, tokenize

__all__ = ["GAP", "MAX_VARIANTS", "SKIP", "SKIP_STEMS", "SLOTS", "WIDE", "WIDE_GAP",
           "PhraseSyntaxError", "Shape", "check_phrase", "compile_phrase", "slot_of"]

#: Other words allowed between two words of a phrase.
GAP = 2
#: Words allowed for ``...``.
WIDE_GAP = 8
WIDE = "..."
SLOTS = ("{number}", "{duration}", "{ordinal}")
#: Alternatives a phrase may expand to; more is an error (write two phrases).
MAX_VARIANTS = 1024
#: Words skipped in both phrases and stories: they change no observation.
SKIP = frozenset({
    "the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "this", "these",
    "those", "very", "just", "also", "even", "quite", "pretty", "that", "some",
    "any", "actually", "finally", "eventually", "then", "suddenly", "still",
})
#: Stems skipped the same way: auxiliaries ("was reposted", "had been reposted").
SKIP_STEMS = frozenset({stem("be"), stem("have"), stem("'d")})

_PIECE = re.compile(r"\(|\)\??|\[|\]|\||\.\.\.|\{[a-z]+\}|[^\s()\[\]|{}]+")


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
            elif piece in (")", "]", ")?"):
                if piece[0] != closing:
                    raise PhraseSyntaxError(f"{piece[0]!r} closes nothing")
                found = [v for alt in alternatives for v in alt]
                return [*found, ()] if piece == ")?" else found
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


@attrs.frozen
class Shape:
    """What a phrase can match, worked out without expanding it (for checking rule files)."""

    variants: int
    #: The fewest words (other than small words) any alternative matches.
    min_words: int
    #: The fewest and most slots an alternative holds, and which slots occur.
    min_slots: int
    max_slots: int
    slots: frozenset[str]


def check_phrase(text: str) -> Shape:
    """The :class:`Shape` of ``text``; linear in its length, so loading rule files stays fast.

    Raises:
        PhraseSyntaxError: the same errors :func:`compile_phrase` gives.
    """
    pieces = _PIECE.findall(text)
    pos = 0
    # Shapes as plain tuples here (variants, min_words, min_slots, max_slots, slots): this
    # runs for every phrase of every rule set loaded.
    empty: _Tuple = (1, 0, 0, 0, frozenset())

    def seq(closing: str | None) -> list[_Tuple]:
        nonlocal pos
        options: list[_Tuple] = []
        current = empty
        while pos < len(pieces):
            piece = pieces[pos]
            pos += 1
            if piece in ("(", "["):
                inner = seq(")" if piece == "(" else "]")
                optional = piece == "[" or pieces[pos - 1] == ")?"
                hollow = [o for o in inner if o[1] == 0 and o[3] == 0]
                if hollow and len(hollow) < len(inner) and not optional:
                    # "(his|the job)": "his" is skipped in stories, so this alternative
                    # matches nothing and silently makes the whole group optional.
                    raise PhraseSyntaxError(
                        "an alternative holds only small words that stories skip (such as "
                        "'his', 'had', 'some'), which makes the whole group optional; drop "
                        "it, or mark the group optional with '( )?'")
                part = (sum(o[0] for o in inner) + optional,
                        0 if optional else min(o[1] for o in inner),
                        0 if optional else min(o[2] for o in inner),
                        max(o[3] for o in inner), frozenset().union(*(o[4] for o in inner)))
                current = _then(current, part)
            elif piece in (")", "]", ")?"):
                if piece[0] != closing:
                    raise PhraseSyntaxError(f"{piece[0]!r} closes nothing")
                return [*options, current]
            elif piece == "|":
                if closing != ")":
                    raise PhraseSyntaxError("'|' separates alternatives inside '( )' only")
                options.append(current)
                current = empty
            elif piece.startswith("{"):
                if piece not in SLOTS:
                    raise PhraseSyntaxError(f"unknown slot {piece!r}; slots are "
                                            + ", ".join(SLOTS))
                current = _then(current, (1, 0, 1, 1, frozenset({piece})))
            elif piece != WIDE:
                words = sum(1 for w in _PLAIN_WORD.findall(piece.lower())
                            if w not in SKIP and stem(w) not in SKIP_STEMS)
                current = (current[0], current[1] + words, *current[2:])
            if current[0] > MAX_VARIANTS:
                raise PhraseSyntaxError(f"expands to more than {MAX_VARIANTS} alternatives; "
                                        "split it into several phrases")
        if closing is not None:
            raise PhraseSyntaxError(f"missing {closing!r}")
        return [*options, current]

    [found] = seq(None)
    shape = Shape(*found)
    if shape.min_words == 0 and shape.min_slots == 0:
        raise PhraseSyntaxError("nothing to match: a phrase needs a word other than small "
                                "words such as 'the' or 'my'")
    if shape.max_slots > 1:
        raise PhraseSyntaxError("a phrase takes at most one slot")
    return shape


_Tuple = tuple[int, int, int, int, frozenset[str]]
_PLAIN_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _then(a: _Tuple, b: _Tuple) -> _Tuple:
    return (a[0] * b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] | b[4])


def _product(left: list[tuple[str, ...]], right: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    combined = list(dict.fromkeys(a + b for a, b in itertools.product(left, right)))
    if len(combined) > MAX_VARIANTS:
        raise PhraseSyntaxError(f"expands to more than {MAX_VARIANTS} alternatives; "
                                "split it into several phrases")
    return combined


def slot_of(variants: tuple[tuple[str, ...], ...]) -> str | None:
    """The slot the phrase holds (the same in every alternative), or None."""
    found = {p for v in variants for p in v if p in SLOTS}
    return next(iter(found)) if len(found) == 1 else None
