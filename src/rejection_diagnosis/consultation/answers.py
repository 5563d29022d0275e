"""Reading typed answers: a value, optionally with how sure the person is, and checklists."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import model as m
from ..errors import ObservationError
from .analysis import Value

__all__ = ["AnswerError", "answer_words", "parse_answer", "parse_ticks"]


class AnswerError(ObservationError):
    """A typed answer that does not fit the question; the message says what would."""


_YES = frozenset({"y", "yes", "true", "t", "1", "oui", "yep", "yeah"})
_NO = frozenset({"n", "no", "false", "f", "0", "non", "nope"})


def answer_words(obs: m.Observation) -> tuple[str, ...]:
    """The answers as a person reads them (``form email`` for ``form_email``); each is accepted."""
    if obs.type == "boolean":
        return ("yes", "no")
    if obs.type == "category":
        return tuple(v.replace("_", " ") for v in obs.values)
    return ()


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def parse_answer(obs: m.Observation, text: str) -> tuple[Value, float]:
    """Read a typed answer: a value, optionally followed by a certainty (``yes 0.7``, ``no 80%``).

    A category value is accepted as printed (``form email``), as its id (``form_email``),
    by a unique prefix or by its number in the list.

    Raises:
        AnswerError: the answer does not fit; the message says what would.
    """
    words = text.strip().split()
    certainty = 1.0
    if not words:
        raise AnswerError(f"please answer with {_expected(obs)}", obs.id)
    if len(words) >= 2 and not (obs.type == "category" and _category(obs, words) is not None):
        parsed = _certainty_word(words[-1])
        if parsed is None:
            if obs.type != "category":
                raise AnswerError(f"{' '.join(words[1:])!r} is not a certainty; give the answer, "
                                  f"then optionally a certainty from 0.01 to 1 (e.g. "
                                  f"'{_example(obs)} 0.7')", obs.id)
        else:
            certainty = parsed
            words = words[:-1]
    word = " ".join(words)
    lowered = word.lower()
    if obs.type == "boolean":
        if len(words) == 1 and lowered in _YES:
            return True, certainty
        if len(words) == 1 and lowered in _NO:
            return False, certainty
        raise AnswerError(f"{word!r} is not an answer to this question; answer yes or no", obs.id)
    if obs.type == "category":
        found = _category(obs, words)
        if found is not None:
            return found, certainty
        key = _key(word)
        matches = [v for v in obs.values if v.startswith(key)]
        hint = f" (could be {' or '.join(matches)})" if matches else ""
        raise AnswerError(f"{word!r} is not one of the answers{hint}; answer {_expected(obs)}",
                          obs.id)
    if len(words) != 1:
        raise AnswerError(f"please answer with {_expected(obs)}", obs.id)
    try:
        number = float(word)
    except ValueError:
        raise AnswerError(f"{word!r} is not a number; answer {_expected(obs)}", obs.id) from None
    if not math.isfinite(number) or (obs.range is not None
                                     and not obs.range[0] <= number <= obs.range[1]):
        raise AnswerError(f"{word} is out of range; answer {_expected(obs)}", obs.id)
    return number, certainty


def _category(obs: m.Observation, words: Sequence[str]) -> str | None:
    key = _key(" ".join(words))
    exact = [v for v in obs.values if v == key]
    if exact:
        return exact[0]
    matches = [v for v in obs.values if v.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if key.isdigit() and 1 <= int(key) <= len(obs.values):
        return obs.values[int(key) - 1]
    return None


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


def _expected(obs: m.Observation) -> str:
    if obs.type == "boolean":
        return "yes or no"
    if obs.type == "category":
        return "one of " + ", ".join(answer_words(obs))
    return obs.allowed()


def _example(obs: m.Observation) -> str:
    if obs.type == "boolean":
        return "yes"
    if obs.type == "category":
        return obs.values[0]
    return f"{obs.range[0]:g}" if obs.range is not None else "3"


