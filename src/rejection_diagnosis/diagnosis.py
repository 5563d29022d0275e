"""The result of a diagnosis: ranked causes and recommendations with all their evidence.

Results are data first: frozen objects holding every number and every rule that fired.
Turning them into text (:meth:`Diagnosis.explain`) or JSON-ready dicts
(:meth:`Diagnosis.to_dict`) are separate renderings in :mod:`.render`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._pickling import positional_pickle
from .certainty import reaches
from .model import Location
from .observations import Given

if TYPE_CHECKING:
    from .consultation.explanations import How, WhyNot
    from .knowledge_base import KnowledgeBase

__all__ = ["Advice", "BaseRate", "Conclusion", "Contribution", "Diagnosis", "Evidence",
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

#: Version of the :meth:`Diagnosis.to_dict` shape; bumped on any incompatible change.
SCHEMA_VERSION = 1


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

    Offered when no rule speaks about any cause: what is most common, not what the case shows.
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


@attrs.frozen
class Diagnosis:
    """Ranked causes, findings, coping strategies and next steps for one case.

    Attributes:
        causes: causes with certainty >= ``threshold``, most certain first.
        findings: intermediate findings with positive certainty, most certain first.
        coping: recommended coping strategies, most certain first.
        next_steps: recommended next steps, most certain first.
        considered: every cause any rule spoke about, reported or not (with negative ones),
            most certain first; what :meth:`explain` shows as "also considered".
        observations: the observations used, as checked and normalised.
        threshold: the reporting threshold of this diagnosis.
        insufficient_evidence: no cause reached ``threshold``.
        fired: the id of every rule that fired, layer by layer, reported or not (what rule
            coverage is measured with).
        base_rates: when no rule gives any cause a positive certainty, the causes the rule
            set declares a ``prior`` for, most common first (else empty).
    """

    causes: tuple[Conclusion, ...]
    findings: tuple[Conclusion, ...]
    coping: tuple[Advice, ...]
    next_steps: tuple[Advice, ...]
    considered: tuple[Conclusion, ...]
    observations: Mapping[str, Given]
    threshold: float
    insufficient_evidence: bool
    fired: tuple[str, ...] = ()
    base_rates: tuple[BaseRate, ...] = ()
    knowledge_base: KnowledgeBase | None = attrs.field(default=None, eq=False, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without its knowledge base: that holds engine handles that mean nothing in
        # another process (diagnose_many re-attaches the caller's own on the way back).
        state = {f.name: getattr(self, f.name) for f in attrs.fields(Diagnosis)
                 if f.name != "knowledge_base"}
        state["observations"] = dict(self.observations)
        return (_unpickle, (state,))

    @property
    def top_cause(self) -> Conclusion | None:
        """The most certain reported cause, or None when the evidence is insufficient."""
        return self.causes[0] if self.causes else None

    @property
    def possible(self) -> tuple[Conclusion, ...]:
        """Causes with some evidence for them but below the threshold, most certain first."""
        return tuple(c for c in self.considered
                     if c.certainty > 0 and not reaches(c.certainty, self.threshold))

    @property
    def ranked(self) -> tuple[Conclusion, ...]:
        """Every cause with positive certainty, most certain first: ``causes``, then
        ``possible``. Empty only when no rule speaks for any cause (see ``base_rates``)."""
        return self.causes + self.possible

    def strength(self, cause: Conclusion) -> Strength:
        """How strongly this diagnosis supports ``cause``: likely, possible or weak."""
        return strength(cause.certainty, self.threshold)

    def cause(self, cause_id: str) -> Conclusion | None:
        """The considered cause ``cause_id`` (reported or not), or None if no rule spoke of it."""
        return next((c for c in self.considered if c.id == cause_id), None)

    def how(self, cause_id: str) -> How:
        """The chain of rules and observations behind ``cause_id``'s certainty (MYCIN's HOW)."""
        from .consultation.explanations import how

        return how(self, cause_id)

    def why_not(self, cause_id: str) -> WhyNot:
        """What evidence for ``cause_id`` was missing, unknown or pointed the other way."""
        from .consultation.explanations import why_not

        return why_not(self, cause_id)

    def explain(self) -> str:
        """A readable account: each cause, the rules that fired, their evidence and sums."""
        from .render import explain_text

        return explain_text(self)

    def to_dict(self, *, exact: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of the whole diagnosis (shape versioned by ``schema_version``).

        Certainties are rounded to 4 decimals; ``exact=True`` gives the unrounded floats.
        """
        from .render import diagnosis_to_dict

        return diagnosis_to_dict(self, exact=exact)


def _unpickle(state: dict[str, Any]) -> Diagnosis:
    state["observations"] = MappingProxyType(state["observations"])
    return Diagnosis(**state)
