"""The knowledge model: observations, conclusions, rules and their conditions.

Everything here is a frozen attrs class built by :mod:`rejection_diagnosis.loader` from rule
files. Each item keeps its :class:`Location` so that errors, explanations and lint can point
at the line a coach wrote.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from ._pickling import positional_pickle
from ._values import Scalar, show_value
from .observation_types import TYPES, ObservationType
from .operators import OPERATORS, Operator

__all__ = [
    "All",
    "Any",
    "Cause",
    "Checklist",
    "Compare",
    "ConclusionTest",
    "Condition",
    "EvidenceTest",
    "Finding",
    "Location",
    "Not",
    "Observation",
    "ObservationType",
    "Phrase",
    "Recommendation",
    "RecommendationKind",
    "Rule",
    "Scalar",
    "show_value",
]

RecommendationKind = Literal["coping", "next_step"]
ConclusionKind = Literal["finding", "cause", "recommendation"]

#: Conditions on findings and causes hold from this certainty on unless ``min`` says otherwise.
DEFAULT_MIN = 0.2


@positional_pickle
@attrs.frozen
class Location:
    """Where an item was written: file, 1-based line and column, and its path in the YAML."""

    path: str
    line: int = 0
    column: int = 0
    yaml_path: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@attrs.frozen
class Phrase:
    """Words in a story that set an observation (see the phrase language in docs/authoring.md).

    ``value`` is what the phrase sets: ``True`` for a boolean unless written otherwise, the
    category value it is listed under, and None for a number phrase whose ``{number}``,
    ``{duration}`` or ``{ordinal}`` slot gives the value.
    """

    text: str
    value: Scalar | None = True
    certainty: float = 1.0
    location: Location = Location("<python>")
    #: Other observations the same words set, with their values ("verbal offer" also
    #: says the candidate was told they were the preferred one).
    also: tuple[tuple[str, Scalar], ...] = ()
    #: The words name a step of the process rather than say the observation outright:
    #: the step named last before the no sets it (see :attr:`Observation.steps_before`).
    step: bool = False
    #: The words look like the observation but say something else ("the manager left on
    #: vacation"): they set nothing, and the phrases of the observation they hold give way.
    ignore: bool = False


@attrs.frozen
class Observation:
    """Something a candidate can know, with the question that asks for it."""

    id: str
    type: ObservationType
    description: str
    question: str
    group: str = "general"
    unit: str | None = None
    range: tuple[float, float] | None = None
    values: tuple[str, ...] = ()
    location: Location = Location("<python>")
    #: What a story says to set it (read by :meth:`KnowledgeBase.read_story`).
    phrases: tuple[Phrase, ...] = attrs.field(default=(), eq=False)
    #: Where a story tells the no, for ``step:`` phrases: observations with the value that
    #: marks it (a number is the most it may be: ``days_to_rejection: 3`` is a no within
    #: three days). The step a story names last before that no sets this observation.
    steps_before: tuple[tuple[str, Scalar], ...] = attrs.field(default=(), eq=False)

    def allowed(self) -> str:
        """The allowed answers in words, for messages and prompts."""
        return TYPES[self.type].allowed(self)


@attrs.frozen
class Finding:
    """An intermediate conclusion that other rules can build on."""

    id: str
    title: str
    description: str = ""
    location: Location = Location("<python>")


@attrs.frozen
class Cause:
    """A possible reason for the rejection."""

    id: str
    title: str
    description: str
    source: str = ""
    location: Location = Location("<python>")
    #: Base rate: the share of real rejections after a good interview that this cause
    #: explained, or None when the rule set does not say. Ranks causes when no rule speaks.
    prior: float | None = None


@attrs.frozen
class Recommendation:
    """A coping strategy or a next step."""

    id: str
    kind: RecommendationKind
    title: str
    text: str
    source: str = ""
    location: Location = Location("<python>")


@attrs.frozen
class Checklist:
    """Several related yes/no observations asked as one question ("which of these ...?").

    Ticked items are answered "yes"; unticked ones "no" when ``unticked`` is ``"no"``,
    else they stay unknown ("don't know").
    """

    id: str
    question: str
    #: Boolean observation ids, in the order they are listed.
    items: tuple[str, ...]
    unticked: Literal["no", "unknown"] = "unknown"
    location: Location = Location("<python>")
    #: Where each item is written (for located errors); empty when built in Python.
    item_locations: tuple[Location, ...] = ()


# Conditions ---------------------------------------------------------------------------


@attrs.frozen
class Compare:
    """``observation <op> operand``; holds only when the observation is known."""

    observation: str
    op: Operator
    operand: Scalar | tuple[Scalar, ...]
    #: Where the observation id is written (problems about the observation point here).
    location: Location = Location("<python>")
    #: Where the compared value is written (problems about the value point here).
    value_location: Location | None = attrs.field(default=None, eq=False)

    def describe(self) -> str:
        """The comparison as a coach would read it."""
        return OPERATORS[self.op].describe(self.observation, self.operand)


@attrs.frozen
class ConclusionTest:
    """A finding's or cause's combined certainty reaches ``min``."""

    kind: Literal["finding", "cause"]
    id: str
    min: float = DEFAULT_MIN
    location: Location = Location("<python>")

    def describe(self) -> str:
        """The test as a coach would read it."""
        return f"{self.kind} {self.id} (certainty ≥ {self.min:g})"


@attrs.frozen
class EvidenceTest:
    """Whether any cause reached the report threshold (recommendation rules only)."""

    sufficient: bool
    location: Location = Location("<python>")

    def describe(self) -> str:
        """The test as a coach would read it."""
        return "some cause was found" if self.sufficient else "no cause was found"


@attrs.frozen
class All:
    """Every item holds."""

    items: tuple[Condition, ...]
    location: Location = Location("<python>")


@attrs.frozen
class Any:
    """At least one item holds."""

    items: tuple[Condition, ...]
    location: Location = Location("<python>")


@attrs.frozen
class Not:
    """The item is known to fail (unknown stays unknown)."""

    item: Condition
    location: Location = Location("<python>")


Condition: TypeAlias = Compare | ConclusionTest | EvidenceTest | All | Any | Not


@attrs.frozen
class Rule:
    """``when`` the condition holds, conclude ``conclusion`` with ``certainty``."""

    id: str
    when: Condition
    conclusion_kind: ConclusionKind
    conclusion: str
    certainty: float
    because: str = ""
    source: str = ""
    location: Location = Location("<python>")
    #: Where the concluded id is written (``then: {cause: ID}``).
    conclusion_location: Location | None = attrs.field(default=None, eq=False)
