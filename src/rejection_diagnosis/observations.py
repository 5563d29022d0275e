"""Checking and normalising the observations given to a diagnosis.

The library is strict on purpose: a boolean is ``True`` or ``False`` (not ``"yes"``, not
``1``), a number is an ``int`` or ``float`` (not a string, not a bool, never NaN or
infinite), a category is one of its declared strings. Silent coercion would turn a typo
in a web form into a wrong diagnosis; callers that collect strings convert them first
(see ``examples/embed_web_form.py``). A missing observation is *unknown*; ``None`` is
refused rather than guessed to mean unknown or false.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from .errors import ObservationError
from .model import Observation
from .validation import did_you_mean

__all__ = ["MAX_OBSERVATIONS", "Given", "normalize"]

#: Most observations one case may hold (a bound against accidental or hostile input).
MAX_OBSERVATIONS = 10_000


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
    for key, item in raw.items():
        if not isinstance(key, str):
            raise ObservationError(
                f"observation ids must be strings, got {key!r:.80} ({type(key).__name__})"
            )
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


def _given(obs: Observation, item: Any) -> Given:
    certainty = 1.0
    value = item
    if isinstance(item, Mapping):
        extra = set(item) - {"value", "certainty"}
        if "value" not in item or extra:
            raise ObservationError(
                f"observation {obs.id!r}: give a plain value or {{'value': ..., 'certainty': ...}}"
                + (f" (unexpected keys: {', '.join(sorted(map(str, extra)))})" if extra else ""),
                obs.id,
            )
        value = item["value"]
        certainty = _certainty(obs, item.get("certainty", 1.0))
    return Given(_value(obs, value), certainty)


def _certainty(obs: Observation, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw) or not (
        0 < raw <= 1
    ):
        raise ObservationError(
            f"observation {obs.id!r}: certainty must be a number in (0, 1], got {raw!r:.80}; "
            "leave the observation out if it is not known",
            obs.id,
        )
    return float(raw)


def _value(obs: Observation, raw: Any) -> bool | float | str:
    def wrong() -> ObservationError:
        shown = repr(raw)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return ObservationError(
            f"observation {obs.id!r} must be {obs.allowed()}, got {shown} "
            f"({type(raw).__name__})",
            obs.id,
        )

    if obs.type == "boolean":
        if not isinstance(raw, bool):
            raise wrong()
        return raw
    if obs.type == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise wrong()
        try:
            number = float(raw)
        except OverflowError:
            raise wrong() from None
        if not math.isfinite(number):
            raise wrong()
        if obs.range is not None and not obs.range[0] <= number <= obs.range[1]:
            raise wrong()
        return number
    if not isinstance(raw, str) or raw not in obs.values:
        raise wrong()
    return raw
