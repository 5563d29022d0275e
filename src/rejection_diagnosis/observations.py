"""Checking and normalising the observations given to a diagnosis.

The library is strict on purpose: a boolean is ``True`` or ``False`` (not ``"yes"``, not
``1``), a number is an ``int`` or ``float`` (not a string, not a bool, never NaN or
infinite), a category is one of its declared strings. Silent coercion would turn a typo
in a web form into a wrong diagnosis; callers that collect strings convert them first
(see ``examples/embed_web_form.py``). A missing observation is *unknown*; ``None`` is
refused rather than guessed to mean unknown or false. No lenient coercion is accepted,
not even ``"yes"``/``"no"``: the one rule is "the Python type the observation declares".

Values are copied into exact built-in types (a ``str`` or ``float`` subclass with its own
``__eq__`` or ``__float__`` cannot make validation and matching disagree), and messages
show at most a short, bounded ``repr`` of what was given, however large it is.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

import attrs

from ._pickling import positional_pickle
from .errors import ObservationError, did_you_mean
from .model import Observation
from .observation_types import TYPES, exact_number

__all__ = ["MAX_OBSERVATIONS", "Given", "normalize"]

#: Most observations one case may hold (a bound against accidental or hostile input).
MAX_OBSERVATIONS = 10_000

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlevel = 2


def _show(value: Any) -> str:
    """A bounded repr: huge strings and containers are never rendered in full."""
    try:
        return _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not replace the error being reported
        return f"<{type(value).__name__} object>"


@positional_pickle
@attrs.frozen
class Given:
    """One known observation: its value and how sure the candidate is (0 < certainty <= 1)."""

    value: bool | float | str
    certainty: float = 1.0


def normalize(vocabulary: Mapping[str, Observation], raw: Any) -> dict[str, Given]:
    """Check ``raw`` against ``vocabulary`` and return the observations as :class:`Given`.

    Raises:
        ObservationError: not a mapping, an unknown id, a wrong type, a value out of range.
    """
    # The common case first: a plain dict with plain keys, each value checked on a fast
    # path for its observation's type (anything else, a certainty say, by _given). A key
    # that is not a known plain str sends the whole mapping through the full checks from
    # the start, so every error is the same and comes in the same order.
    if type(raw) is dict and len(raw) <= MAX_OBSERVATIONS:
        out: dict[str, Given] = {}
        for key, item in raw.items():
            obs = vocabulary.get(key) if type(key) is str else None
            if obs is None:
                break
            # Only exact built-in values here: a subclass or a mapping takes the full checks.
            if type(item) in _PLAIN:
                value = TYPES[obs.type].value(obs, item)
                if value is not None:
                    out[key] = _SURE[value] if type(value) is bool else Given(value)
                    continue
            out[key] = _given(obs, item)
        else:
            return out
    return _checked(vocabulary, raw)


def _checked(vocabulary: Mapping[str, Observation], raw: Any) -> dict[str, Given]:
    if isinstance(raw, Given):
        raise ObservationError("observations must be a mapping of observation id to value")
    if not isinstance(raw, Mapping):
        raise ObservationError(
            f"observations must be a mapping of observation id to value, got {type(raw).__name__}"
        )
    if len(raw) > MAX_OBSERVATIONS:
        raise ObservationError(
            f"{len(raw)} observations given; at most {MAX_OBSERVATIONS} are accepted"
        )
    out: dict[str, Given] = {}
    for count, (raw_key, item) in enumerate(raw.items()):
        if count >= MAX_OBSERVATIONS:  # a mapping whose len() understates its items
            raise ObservationError(f"more than {MAX_OBSERVATIONS} observations given")
        if not isinstance(raw_key, str):
            raise ObservationError(
                f"observation ids must be strings, got {_show(raw_key)} "
                f"({type(raw_key).__name__})"
            )
        key = str.__str__(raw_key)  # an exact str, whatever the subclass does
        obs = vocabulary.get(key)
        if obs is None:
            shown = key if len(key) <= 80 else key[:77] + "..."
            raise ObservationError(
                f"unknown observation {shown!r}{did_you_mean(shown, sorted(vocabulary))}; "
                "see KnowledgeBase.observations for the vocabulary",
                shown,
            )
        out[key] = _given(obs, item)
    return out


#: The exact types the fast path of normalize() takes.
_PLAIN = frozenset({bool, int, float, str})
#: Immutable, so shared: most observations are sure booleans.
_SURE = {True: Given(True), False: Given(False)}


def _given(obs: Observation, item: Any) -> Given:
    certainty = 1.0
    value = item
    if isinstance(item, Mapping):
        extra = [k for k in item if k not in ("value", "certainty")]
        if "value" not in item or extra:
            shown = ", ".join(k if isinstance(k, str) and len(k) <= 40 else _show(k)
                              for k in extra[:5]) + (", ..." if len(extra) > 5 else "")
            raise ObservationError(
                f"observation {obs.id!r}: give a plain value or {{'value': ..., 'certainty': ...}}"
                + (f" (unexpected keys: {shown})" if extra else ""),
                obs.id,
            )
        value = item["value"]
        certainty = _certainty(obs, item.get("certainty", 1.0))
    return Given(_value(obs, value), certainty)


def _certainty(obs: Observation, raw: Any) -> float:
    number = exact_number(raw)
    if number is None or not 0 < number <= 1:
        raise ObservationError(
            f"observation {obs.id!r}: certainty must be a number in (0, 1], got {_show(raw)} "
            f"({type(raw).__name__}); leave the observation out if it is not known",
            obs.id,
        )
    return number


def _value(obs: Observation, raw: Any) -> bool | float | str:
    def wrong() -> ObservationError:
        return ObservationError(
            f"observation {obs.id!r} must be {obs.allowed()}, got {_show(raw)} "
            f"({type(raw).__name__})",
            obs.id,
        )

    value = TYPES[obs.type].value(obs, raw)
    if value is None:
        raise wrong()
    return value
