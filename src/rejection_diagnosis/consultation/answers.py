"""Reading typed answers: a value, optionally with how sure the person is, and checklists."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import model as m
from ..errors import ObservationError
from ..observation_types import TYPES
from .analysis import Value

__all__ = ["AnswerError", "answer_words", "parse_answer", "parse_ticks"]


class AnswerError(ObservationError):
    """A typed answer that does not fit the question; the message says what would."""


def answer_words(obs: m.Observation) -> tuple[str, ...]:
    """The answers as a person reads them (``form email`` for ``form_email``); each is accepted."""
    return TYPES[obs.type].answer_words(obs)


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def parse_answer(obs: m.Observation, text: str) -> tuple[Value, float]:
    """Read a typed answer: a value, optionally followed by a certainty (``yes 0.7``, ``no 80%``).

    A category value is accepted as printed (``form email``), as its id (``form_email``),
    by a unique prefix or by its number in the list.

    Raises:
        AnswerError: the answer does not fit; the message says what would.
    """
    kind = TYPES[obs.type]
    words = text.strip().split()
    certainty = 1.0
    if not words:
        raise AnswerError(f"please answer with {kind.expected(obs)}", obs.id)
    # An answer of several words may be one value printed with spaces ("form email").
    if len(words) >= 2 and not (kind.spaced_answers and kind.read_answer(obs, words)[0] is not None):
        parsed = _certainty_word(words[-1])
        if parsed is None:
            if not kind.spaced_answers:
                raise AnswerError(f"{' '.join(words[1:])!r} is not a certainty; give the answer, "
                                  f"then optionally a certainty from 0.01 to 1 (e.g. "
                                  f"'{kind.answer_example(obs)} 0.7')", obs.id)
        else:
            certainty = parsed
            words = words[:-1]
    value, why = kind.read_answer(obs, words)
    if value is None:
        raise AnswerError(why, obs.id)
    return value, certainty


def parse_ticks(items: Sequence[m.Observation], labels: Sequence[str],
                text: str) -> tuple[list[str], list[str]]:
    """Read a checklist answer: the items that apply, and those that certainly do not.

    Items are given by number or label, separated by commas or spaces; ``not`` before an
    item (``1 3 not 2``) says it did not happen. ``none`` (or ``-``) ticks nothing.

    Returns:
        (ticked, denied): observation ids, in list order.

    Raises:
        AnswerError: a part names no item; the message says how to answer.
    """
    stripped = text.strip().lower()
    if stripped in ("none", "-", "nothing", "0"):
        return [], []
    by_label = {_key(label): n for n, label in enumerate(labels)}
    by_id = {obs.id: n for n, obs in enumerate(items)}
    ticked: set[int] = set()
    denied: set[int] = set()
    for part in stripped.split(","):
        words = part.split()
        negate = False
        while words:
            if words[0] in ("not", "no", "!"):
                negate, words = True, words[1:]
                continue
            word = words[0]
            if word.isdigit() and 1 <= int(word) <= len(items):
                (denied if negate else ticked).add(int(word) - 1)
                negate, words = False, words[1:]
                continue
            key = _key(" ".join(words))
            found = by_label.get(key, by_id.get(key))
            if found is None:
                raise AnswerError(f"{' '.join(words)!r} is not one of the items; give the "
                                  "numbers of those that apply (e.g. '1 3'), 'not' before one "
                                  "that did not happen, or 'none'",
                                  items[0].id if items else "")
            (denied if negate else ticked).add(found)
            words = []
    both = ticked & denied
    if both:
        raise AnswerError(f"item {min(both) + 1} is both ticked and denied; give it once",
                          items[min(both)].id)
    return ([items[n].id for n in sorted(ticked)], [items[n].id for n in sorted(denied)])


def _certainty_word(word: str) -> float | None:
    try:
        value = float(word[:-1]) / 100 if word.endswith("%") else float(word)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= 1 else None
