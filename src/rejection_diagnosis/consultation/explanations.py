"""Explanations: why a question is asked (WHY), how a cause was reached (HOW), WHY NOT.

Each is frozen data built from a diagnosis or a state of the consultation, with a separate
text rendering (``.text()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from .. import model as m
from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD, check_threshold
from ..compiler import Test
from ..conclusions import Contribution, Evidence
from ..diagnosis import Diagnosis
from ..errors import DiagnosisError
from ..evaluator import test_strength
from ..inference import Inference
from ..observations import Given, normalize
from .analysis import LEAD, Value, analysis, open_observations
from .bounds import interval_bounds
from .ranking import rank
from .text import cf, show

__all__ = ["How", "QuestionWhy", "RuleCheck", "RuleUse", "Step", "TestStatus",
           "UnknownCauseError", "WhyNot", "how", "question_why", "why_not"]


class UnknownCauseError(DiagnosisError, LookupError):
    """A cause id that the knowledge base does not declare."""


@attrs.frozen
class RuleUse:
    """A rule that tests an observation: what it concludes and which causes that feeds."""

    rule_id: str
    test: str
    conclusion_kind: str
    conclusion: str
    certainty_factor: float
    because: str
    location: m.Location
    #: Causes this rule reaches, directly or through findings.
    causes: tuple[str, ...]
    #: False when other answers already stop the rule from firing.
    live: bool


@attrs.frozen
class QuestionWhy:
    """Why a question is asked (MYCIN's WHY): the rules its answer feeds."""

    observation: str
    question: str
    rules: tuple[RuleUse, ...]
    reason: str = ""

    def text(self) -> str:
        """The explanation as text."""
        return _question_why_text(self)


@attrs.frozen
class Step:
    """One conclusion on the way to a cause, with every rule that contributed to it."""

    kind: Literal["cause", "finding"]
    id: str
    title: str
    certainty: float
    positive: float
    negative: float
    contributions: tuple[Contribution, ...]
    depth: int


@attrs.frozen
class How:
    """How a cause got its certainty: the chain of rules and observations (MYCIN's HOW)."""

    cause: str
    title: str
    certainty: float
    threshold: float
    reported: bool
    #: The cause first, then each finding or cause it relied on (depth-first, each once).
    steps: tuple[Step, ...]

    def text(self) -> str:
        """The chain as text."""
        return _how_text(self)


@attrs.frozen
class TestStatus:
    """One test of a rule's condition and whether it held, failed or is still unknown."""

    kind: str
    subject: str
    test: str
    status: Literal["held", "failed", "unknown"]
    value: Value | None = None


@attrs.frozen
class RuleCheck:
    """A rule for a cause and how close its condition came to holding."""

    rule_id: str
    certainty_factor: float
    fired: bool
    #: The tests of its closest alternative (fewest failed, then fewest unknown).
    tests: tuple[TestStatus, ...]
    because: str
    location: m.Location

    @property
    def failed(self) -> int:
        """How many of the tests failed."""
        return sum(t.status == "failed" for t in self.tests)

    @property
    def unknown(self) -> int:
        """How many of the tests are on unknown observations."""
        return sum(t.status == "unknown" for t in self.tests)


@attrs.frozen
class WhyNot:
    """Why a cause is not (or not more) certain: missing and contrary evidence."""

    cause: str
    title: str
    certainty: float
    threshold: float
    #: 1-based rank among reported causes, or None when not reported.
    rank: int | None
    #: Rules that fired against the cause (negative contributions).
    against: tuple[Contribution, ...]
    #: Rules for the cause that did not fire, closest first.
    missing: tuple[RuleCheck, ...]

    def text(self) -> str:
        """The explanation as text."""
        return _why_not_text(self)



def question_why(kb: Knowledge, observation: str, observations: Mapping[str, Any], *,
                 dont_know: Iterable[str] = (), threshold: float = DEFAULT_THRESHOLD) -> QuestionWhy:
    """Why ``observation`` is worth asking: the rules that test it and the causes they feed.

    Raises:
        ObservationError: an unknown observation id.
    """
    if observation not in kb.observations:
        normalize(kb.observations, {observation: None})  # raises with a did-you-mean
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    found = analysis(kb)
    live: set[int] = set()
    free = open_observations(kb, given, dont_know) | {observation}
    interval_bounds(kb, {k: v for k, v in given.items() if k != observation}, free, threshold, live,
            recommendations=True)
    uses: list[RuleUse] = []
    for i in found.testers.get(observation, ()):
        rule = kb.program.rules[i]
        tests = dict.fromkeys(t.describe() for alt in kb.program.alternatives[i]
                              for t in alt.tests if t.subject == observation
                              and t.kind == "observation")
        uses.append(RuleUse(rule.id, "; ".join(tests), rule.conclusion_kind, rule.conclusion,
                            rule.certainty, rule.because, rule.location,
                            tuple(sorted(found.reach.get(rule.conclusion, ()))), i in live))
    uses.sort(key=lambda u: (not u.live, -abs(u.certainty_factor), u.rule_id))
    reason = ""
    if observation not in given:
        ranked = rank(kb, given, frozenset(dont_know), threshold, LEAD).questions
        reason = next((q.reason for q in ranked if q.observation == observation), "")
    return QuestionWhy(observation, kb.observations[observation].question, tuple(uses), reason)


def _inference(kb: Knowledge, dx: Diagnosis) -> Inference:
    foreign = sorted(o for o in dx.observations if o not in kb.observations)
    if foreign:
        raise DiagnosisError(f"this diagnosis uses observations the knowledge base does not "
                             f"declare ({', '.join(map(repr, foreign))}); explain a diagnosis "
                             "with the knowledge base that made it")
    return kb._infer(dx.observations, dx.threshold)


def _check_cause(kb: Knowledge, cause_id: str) -> None:
    if cause_id not in kb.causes:
        from ..errors import did_you_mean

        hint = did_you_mean(cause_id, sorted(kb.causes))
        raise UnknownCauseError(f"unknown cause {cause_id!r}{hint}; known causes: "
                                f"{', '.join(sorted(kb.causes))}")


def how(kb: Knowledge, dx: Diagnosis, cause_id: str) -> How:
    """The chain of rules and observations behind a cause's certainty in ``dx``.

    ``dx`` is a diagnosis made with ``kb``: its observations are inferred again, to keep
    every finding the cause used (the diagnosis keeps only those with positive certainty).

    Raises:
        UnknownCauseError: the knowledge base has no such cause.
        DiagnosisError: ``dx`` uses observations that ``kb`` does not declare.
    """
    _check_cause(kb, cause_id)
    inf = _inference(kb, dx)
    steps: list[Step] = []
    seen: set[str] = set()

    def visit(node: str, depth: int) -> None:
        if node in seen or node not in inf.contributions:
            return
        seen.add(node)
        kind: Literal["cause", "finding"] = "cause" if node in kb.causes else "finding"
        title = kb.causes[node].title if kind == "cause" else kb.findings[node].title
        contributions = tuple(sorted(inf.contributions[node],
                                     key=lambda c: (-abs(c.contribution), c.rule_id)))
        positive, negative = inf.totals[node]
        steps.append(Step(kind, node, title, inf.certainty[node], positive, negative,
                          contributions, depth))
        for c in contributions:
            for e in c.evidence:
                if e.kind in ("finding", "cause"):
                    visit(e.id, depth + 1)

    visit(cause_id, 0)
    certainty = inf.certainty.get(cause_id, 0.0)
    return How(cause_id, kb.causes[cause_id].title, certainty, dx.threshold,
               any(c.id == cause_id for c in dx.causes), tuple(steps))


def why_not(kb: Knowledge, dx: Diagnosis, cause_id: str) -> WhyNot:
    """What evidence was missing or pointed the other way for a cause in ``dx``.

    ``dx`` is a diagnosis made with ``kb`` (see :func:`how`).

    Raises:
        UnknownCauseError: the knowledge base has no such cause.
        DiagnosisError: ``dx`` uses observations that ``kb`` does not declare.
    """
    _check_cause(kb, cause_id)
    inf = _inference(kb, dx)
    fired = {c.rule_id for c in inf.contributions.get(cause_id, ())}
    against = tuple(sorted((c for c in inf.contributions.get(cause_id, ()) if c.contribution < 0),
                           key=lambda c: (c.contribution, c.rule_id)))
    checks: list[RuleCheck] = []
    for i, rule in enumerate(kb.program.rules):
        if rule.conclusion != cause_id or rule.certainty <= 0 or rule.id in fired:
            continue
        options = [tuple(_status(t, dx.observations, inf) for t in alt.tests)
                   for alt in kb.program.alternatives[i]]
        best = min(options, key=lambda ts: (sum(t.status == "failed" for t in ts),
                                            sum(t.status == "unknown" for t in ts)))
        checks.append(RuleCheck(rule.id, rule.certainty, False, best, rule.because,
                                rule.location))
    checks.sort(key=lambda r: (r.failed, r.unknown, -r.certainty_factor, r.rule_id))
    rank = next((n for n, c in enumerate(dx.causes, 1) if c.id == cause_id), None)
    return WhyNot(cause_id, kb.causes[cause_id].title, inf.certainty.get(cause_id, 0.0),
                  dx.threshold, rank, against, tuple(checks))


def _status(test: Test, given: Mapping[str, Given], inf: Inference) -> TestStatus:
    value: Any
    if test.kind == "observation":
        g = given.get(test.subject)
        if g is None:
            return TestStatus(test.kind, test.subject, test.describe(), "unknown")
        value = g.value
    elif test.kind == "evidence":
        value = "sufficient" if inf.evidence_sufficient else "insufficient"
    else:
        value = inf.certainty.get(test.subject, 0.0)
    held = test_strength(test, given, inf.certainty, inf.evidence_sufficient) is not None
    return TestStatus(test.kind, test.subject, test.describe(), "held" if held else "failed",
                      value)



#: Rules shown by the text of a WHY (the strongest; the data holds them all).
_WHY_SHOWN = 8


def _question_why_text(w: QuestionWhy) -> str:
    lines = [f"Why ask about {w.observation}?" + (f" It {w.reason}." if w.reason else "")]
    live = [u for u in w.rules if u.live]
    for u in live[:_WHY_SHOWN]:
        feeds = (f" (feeds {', '.join(u.causes)})"
                 if u.causes and u.causes != (u.conclusion,) else "")
        lines.append(f"- rule {u.rule_id} ({u.location}): if {u.test} then {u.conclusion_kind} "
                     f"{u.conclusion} {cf(u.certainty_factor)}{feeds}")
        if u.because:
            lines.append(f"    because {u.because}")
    if len(live) > _WHY_SHOWN:
        lines.append(f"(and {len(live) - _WHY_SHOWN} more rules with smaller certainty factors)")
    blocked = len(w.rules) - len(live)
    if blocked:
        lines.append(f"({blocked} other rule{'s' if blocked != 1 else ''} testing it cannot fire "
                     "any more, given the other answers)")
    if not w.rules:
        lines.append("No rule tests this observation.")
    return "\n".join(lines) + "\n"


def _evidence_note(e: Evidence) -> str:
    notes = []
    if e.kind == "observation":
        written = ("true" if e.value else "false") if isinstance(e.value, bool) else show(e.value)
        if not e.test.endswith(f"= {written}"):  # the test already shows an equality's value
            notes.append(f"{e.id} = {show(e.value)}")
        if e.certainty != 1.0:
            notes.append(f"certainty {e.certainty:.2f}")
    elif e.kind != "evidence":
        notes.append(f"{e.id} = {cf(float(e.value))}")
    return f"  [{', '.join(notes)}]" if notes else ""


def _how_text(h: How) -> str:
    if not h.steps:
        return (f"{h.title} [{h.cause}]: certainty 0.00. No rule spoke about it with what is "
                "known.\n")
    status = "reported" if h.reported else f"not reported (below {h.threshold:.2f})"
    lines = [f"How {h.cause} got certainty {cf(h.certainty)} ({status}):"]
    for s in h.steps:
        pad = "  " * s.depth
        lines.append(f"{pad}{s.kind} {s.id} ({s.title}): {cf(s.certainty)}")
        for c in s.contributions:
            lines.append(f"{pad}  - rule {c.rule_id}: {cf(c.certainty_factor)} × "
                         f"{c.condition_certainty:.2f} = {cf(c.contribution)}")
            for e in c.evidence:
                lines.append(f"{pad}      {e.test}{_evidence_note(e)}")
        if len(s.contributions) > 1:
            lines.append(f"{pad}  combined: for {s.positive:.2f}, against {cf(s.negative)} "
                         f"→ {cf(s.certainty)}")
    return "\n".join(lines) + "\n"


def _why_not_text(w: WhyNot) -> str:
    if w.rank is not None:
        head = f"{w.cause} is reported (rank {w.rank}, certainty {cf(w.certainty)})."
    else:
        head = (f"{w.cause} is not reported: certainty {cf(w.certainty)}, below "
                f"{w.threshold:.2f}.")
    lines = [head]
    if w.against:
        lines.append("Evidence against it:")
        for c in w.against:
            used = "; ".join(e.test for e in c.evidence)
            lines.append(f"- rule {c.rule_id}: {cf(c.contribution)} ({used})")
    if w.missing:
        lines.append("Rules for it that did not fire (closest first):")
        for r in w.missing:
            parts = [f"{t.test} [{t.status}" + (f": {show(t.value)}]" if t.value is not None
                                                  and t.kind == "observation" else "]")
                     for t in r.tests]
            lines.append(f"- rule {r.rule_id} ({cf(r.certainty_factor)}): " + "; ".join(parts))
    if not w.against and not w.missing:
        lines.append("No other rule could add to it.")
    return "\n".join(lines) + "\n"


