"""The result of a diagnosis: ranked causes and recommendations with all their evidence.

Results are data first: frozen objects holding every number and every rule that fired, and
nothing else (no knowledge base, no engine handle: a diagnosis pickles as it is). Its parts
are defined in :mod:`.conclusions`; turning it into text (:meth:`Diagnosis.explain`) or a
JSON-ready dict (:meth:`Diagnosis.to_dict`) is done by :mod:`.render`, which reads only
the parts. Explaining a cause again from the rules (HOW, WHY NOT) needs the rules: that is
:meth:`KnowledgeBase.how <rejection_diagnosis.KnowledgeBase.how>` and
:meth:`KnowledgeBase.why_not <rejection_diagnosis.KnowledgeBase.why_not>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .certainty import reaches
from .conclusions import (
    Advice,
    BaseRate,
    Conclusion,
    Contribution,
    Evidence,
    Strength,
    rank_key,
    ranking,
    strength,
)
from .observations import Given
from .render import SCHEMA_VERSION, diagnosis_to_dict, explain_text

# The parts are re-exported: ``rejection_diagnosis.diagnosis.Conclusion`` and the others
# were defined here before they moved to .conclusions.
__all__ = ["SCHEMA_VERSION", "Advice", "BaseRate", "Conclusion", "Contribution", "Diagnosis",
           "Evidence", "Strength", "rank_key", "ranking", "strength"]


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
        also_common: when rules speak for one or two causes only, the causes with a declared
            ``prior`` that no rule spoke about at all (for or against), most common first, as
            many as make three causes in all with ``ranked`` (else empty). They are common,
            not supported: nothing in the case points to them, and nothing rules them out.
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
    also_common: tuple[BaseRate, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # A mappingproxy does not pickle: the observations travel as a dict (diagnose_many's
        # workers send diagnoses back) and are wrapped again on arrival.
        state = {f.name: getattr(self, f.name) for f in attrs.fields(Diagnosis)}
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

    def explain(self) -> str:
        """A readable account: each cause, the rules that fired, their evidence and sums.

        The same as :func:`rejection_diagnosis.render.explain_text` (which can also show
        rule locations another way).
        """
        return explain_text(self)

    def to_dict(self, *, exact: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of the whole diagnosis (shape versioned by ``schema_version``).

        Certainties are rounded to 4 decimals; ``exact=True`` gives the unrounded floats.
        """
        return diagnosis_to_dict(self, exact=exact)


def _unpickle(state: dict[str, Any]) -> Diagnosis:
    state["observations"] = MappingProxyType(state["observations"])
    return Diagnosis(**state)
