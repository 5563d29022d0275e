"""What a diagnosis is made of: conclusions, advice, and the contributions behind them.

Each is frozen data: the certainties, the rules that fired (with where they are written) and
the evidence each rule relied on. :func:`rank_key` is the one order of conclusions and
advice, used by the diagnosis and the consultation alike.
"""

from __future__ import annotations

from typing import Literal

import attrs

from ._pickling import positional_pickle
from .certainty import reaches
from .model import Location

__all__ = ["LIKELY", "Advice", "BaseRate", "Conclusion", "Contribution", "Evidence",
           "Strength", "rank_key", "ranking", "strength"]

#: How strongly the evidence supports a cause, in words a candidate reads:
#: ``likely`` (certainty >= 0.5), ``possible`` (at or above the report threshold),
#: ``weak`` (some evidence, below the threshold).
Strength = Literal["likely", "possible", "weak"]

#: Certainty from which a reported cause is called "likely" rather than "possible".
LIKELY = 0.5


def strength(certainty: float, threshold: float) -> Strength:
    """The word for a positive certainty: likely, possible (reported) or weak (below it)."""
    if reaches(certainty, max(LIKELY, threshold)):
        return "likely"
    return "possible" if reaches(certainty, threshold) else "weak"


@positional_pickle
@attrs.frozen
class Evidence:
    """One test a rule relied on, and what made it hold."""

    kind: Literal["observation", "finding", "cause", "evidence"]
    id: str
    test: str
    value: bool | float | str
    certainty: float


@positional_pickle
@attrs.frozen
class Contribution:
    """What one fired rule added to one conclusion.

    ``contribution = certainty_factor * condition_certainty`` (MYCIN), where
    ``condition_certainty`` is the smallest certainty among ``evidence``.
    """

    rule_id: str
    certainty_factor: float
    condition_certainty: float
    contribution: float
    evidence: tuple[Evidence, ...]
    because: str
    source: str
    location: Location


@positional_pickle
@attrs.frozen
class Conclusion:
    """A cause or a finding with its combined certainty and every contribution to it."""

    id: str
    kind: Literal["cause", "finding"]
    title: str
    description: str
    certainty: float
    positive: float
    negative: float
    contributions: tuple[Contribution, ...]
    source: str = ""


@positional_pickle
@attrs.frozen
class Advice:
    """A recommended coping strategy or next step, and why it is recommended."""

    id: str
    kind: Literal["coping", "next_step"]
    title: str
    text: str
    certainty: float
    why: tuple[Contribution, ...]
    source: str = ""


@positional_pickle
@attrs.frozen
class BaseRate:
    """How often a cause explains a rejection in real stories (its ``prior``).

    Offered when no rule speaks about any cause (``Diagnosis.base_rates``), or to round out a
    short list of causes (``Diagnosis.also_common``): what is most common, not what the case
    shows.
    """

    id: str
    title: str
    description: str
    prior: float


def rank_key(item: Conclusion | Advice) -> tuple[float, int, str]:
    """Sort key: most certain first, then better supported, then by id (deterministic)."""
    supporting = item.contributions if isinstance(item, Conclusion) else item.why
    return ranking(item.certainty, sum(1 for c in supporting if c.contribution > 0), item.id)


def ranking(certainty: float, supporting: int, ident: str) -> tuple[float, int, str]:
    """The components of :func:`rank_key`, for callers that hold them without a result.

    The consultation ranks the causes of answers it only considers through this, so that
    its leading cause is always the one a diagnosis would report first.
    """
    return (
        # Higher combined certainty first; rounded so that float noise cannot reorder ties.
        -round(certainty, 9),
        # Among equals, the conclusion backed by more distinct rules first.
        -supporting,
        # Finally by id, so the order never depends on rule or input order.
        ident,
    )
