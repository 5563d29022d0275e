"""Consultation: which question to ask next, why, how a cause was reached, and what-if.

Everything here works on a loaded :class:`~rejection_diagnosis.knowledge_base.KnowledgeBase`
and its compiled program (rules expanded into alternatives of plain tests):

* :func:`next_questions` tries every distinct answer of every open observation and
  re-diagnoses (a diagnosis costs about a tenth of a millisecond), so what an answer would
  change is measured exactly, not estimated. The measure is documented in
  ``docs/consultation.md``: first whether the leading cause or the order of the leading
  causes would change, then the largest change in a leading cause's certainty.
* :func:`bounds` gives, for each cause, the lowest and highest certainty that any answers
  to the open questions could still produce (interval evaluation of the program; sound,
  not always tight). A consultation stops when the leading causes are *settled*: no
  answers at all to the remaining questions could change them.
* :func:`how`, :func:`why_not`, :func:`question_why` and :func:`what_if` build explanation
  objects; each is frozen data with a separate text rendering (``.text()``).
* :class:`Consultation` is the state machine of ``rejection-diagnosis ask``: answers,
  "don't know", going back, stopping.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from . import model as m
from ._forksafe import ForkSafeLock
from .certainty import check_threshold, combine_totals, reaches, split_totals
from .compiler import Alternative, Test
from .diagnosis import Conclusion, Contribution, Diagnosis, Evidence
from .errors import DiagnosisError, ObservationError
from .inference import Inference, infer
from .observations import Given, normalize

if TYPE_CHECKING:
    from .knowledge_base import KnowledgeBase

__all__ = [
    "LEAD",
    "AnswerError",
    "CertaintyChange",
    "Consultation",
    "Effect",
    "How",
    "Question",
    "QuestionWhy",
    "RuleCheck",
    "RuleUse",
    "Step",
    "TestStatus",
    "UnknownCauseError",
    "WhatIf",
    "WhyNot",
    "bounds",
    "how",
    "next_questions",
    "parse_answer",
    "question_why",
    "settled",
    "what_if",
    "why_not",
]

#: How many of the first reported causes count as "the leading causes".
LEAD = 1
#: Certainty differences smaller than this are float noise, not a change.
_EPS = 1e-9

Value = bool | float | str


class UnknownCauseError(DiagnosisError, LookupError):
    """A cause id that the knowledge base does not declare."""


class AnswerError(ObservationError):
    """A typed answer that does not fit the question; the message says what would."""


# Results ----------------------------------------------------------------------------------


@attrs.frozen
class CertaintyChange:
    """One cause's certainty before and after a change of observations."""

    id: str
    title: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        """``after - before``."""
        return self.after - self.before


@attrs.frozen
class Effect:
    """What one answer to a question would do to the diagnosis."""

    answer: Value
    #: Causes whose certainty would change, largest change first.
    changes: tuple[CertaintyChange, ...]
    #: The leading causes after this answer (ids, most certain first).
    leading: tuple[str, ...]


@attrs.frozen
class Question:
    """An open observation worth asking about, and what its answer could change.

    Ranked by ``(order_change, certainty_change, potential, other_change)``, larger first:
    ``order_change`` is 2 when some answer would change the leading cause, 1 when it would
    change the order or membership of the leading causes; ``certainty_change`` is the
    largest change in a leading cause's certainty over the answers; ``potential`` weighs
    the rules, still able to fire, through which the answer can reach a cause that is not
    settled (this is what ranks questions that matter only together with later answers);
    ``other_change`` is the largest change in any other cause's certainty.
    """

    observation: str
    question: str
    type: m.ObservationType
    allowed: str
    #: The answers to choose from (booleans and categories; empty for numbers).
    answers: tuple[Value, ...]
    reason: str
    order_change: int
    certainty_change: float
    potential: float
    other_change: float
    effects: tuple[Effect, ...]
    group: str = "general"

    def rank_key(self) -> tuple[int, float, float, float, str]:
        """Sort key: most useful first, ties by id (deterministic)."""
        return (-self.order_change, -round(self.certainty_change, 9), -round(self.potential, 9),
                -round(self.other_change, 9), self.observation)

    def text(self) -> str:
        """The question, its allowed answers and why it is useful, as text."""
        return _question_text(self)


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


@attrs.frozen
class WhatIf:
    """A diagnosis before and after changing some observations."""

    before: Diagnosis
    after: Diagnosis
    #: Causes whose certainty changed, largest change first.
    differences: tuple[CertaintyChange, ...]

    def text(self) -> str:
        """The differences as text."""
        return _what_if_text(self)


# Knowledge-base analysis (cached per knowledge base) -----------------------------------------


@attrs.frozen
class _Analysis:
    # Representative answers of each observation that some rule tests: one per class of
    # answers that every test on it treats alike.
    domain: Mapping[str, tuple[Value, ...]]
    # Rule indexes that test each observation.
    testers: Mapping[str, tuple[int, ...]]
    # For each conclusion (finding, cause, recommendation), the causes it can reach.
    reach: Mapping[str, frozenset[str]]
    # Rule indexes in evaluation order (by layer), findings and causes only.
    order: tuple[int, ...]
    # Every rule index in evaluation order, recommendation rules too.
    order_all: tuple[int, ...]
    # For each observation, the finding and cause rules its answer can affect, in order.
    cone: Mapping[str, tuple[int, ...]]
    # For each finding and cause, the rules that conclude it.
    concluders: Mapping[str, tuple[int, ...]]
    # Rule index by rule id.
    index: Mapping[str, int]


_ANALYSES: weakref.WeakKeyDictionary[KnowledgeBase, _Analysis] = weakref.WeakKeyDictionary()
_ANALYSES_LOCK = ForkSafeLock()


def _analysis(kb: KnowledgeBase) -> _Analysis:
    with _ANALYSES_LOCK:
        found = _ANALYSES.get(kb)
        if found is None:
            found = _ANALYSES[kb] = _analyse(kb)
        return found


def _analyse(kb: KnowledgeBase) -> _Analysis:
    program = kb.program
    tests_on: dict[str, list[Test]] = {}
    testers: dict[str, set[int]] = {}
    feeds: dict[str, set[str]] = {}  # node -> conclusions of rules that test it
    for i, alternatives in enumerate(program.alternatives):
        rule = program.rules[i]
        for alt in alternatives:
            for t in alt.tests:
                if t.kind == "observation":
                    tests_on.setdefault(t.subject, []).append(t)
                    testers.setdefault(t.subject, set()).add(i)
                elif t.kind in ("finding", "cause"):
                    feeds.setdefault(t.subject, set()).add(rule.conclusion)
    domain = {oid: _representatives(kb.observations[oid], tests) for oid, tests in tests_on.items()}
    reach: dict[str, frozenset[str]] = {}

    def reach_of(node: str, path: frozenset[str]) -> frozenset[str]:
        if node in reach:
            return reach[node]
        found = {node} if node in kb.causes else set()
        for nxt in feeds.get(node, ()):
            if nxt not in path:  # compiled rule sets are acyclic; guard anyway
                found |= reach_of(nxt, path | {node})
        reach[node] = frozenset(found)
        return reach[node]

    for rule in program.rules:
        reach_of(rule.conclusion, frozenset())
    order = tuple(sorted((i for i, r in enumerate(program.rules)
                          if r.conclusion_kind != "recommendation"),
                         key=lambda i: (program.rule_layer[i], i)))
    in_order = set(order)
    node_testers: dict[str, set[int]] = {}
    concluders: dict[str, list[int]] = {}
    for i in order:
        concluders.setdefault(program.rules[i].conclusion, []).append(i)
        for alt in program.alternatives[i]:
            for t in alt.tests:
                if t.kind in ("finding", "cause"):
                    node_testers.setdefault(t.subject, set()).add(i)
    cone: dict[str, tuple[int, ...]] = {}
    for oid, direct in testers.items():
        found = {i for i in direct if i in in_order}
        todo = list(found)
        while todo:
            for j in node_testers.get(program.rules[todo.pop()].conclusion, ()):
                if j not in found:
                    found.add(j)
                    todo.append(j)
        cone[oid] = tuple(sorted(found, key=lambda i: (program.rule_layer[i], i)))
    order_all = tuple(sorted(range(len(program.rules)), key=lambda i: (program.rule_layer[i], i)))
    return _Analysis(domain, {k: tuple(sorted(v)) for k, v in testers.items()}, reach, order,
                     order_all, cone, {k: tuple(v) for k, v in concluders.items()},
                     {r.id: i for i, r in enumerate(program.rules)})


def _representatives(obs: m.Observation, tests: Sequence[Test]) -> tuple[Value, ...]:
    if obs.type == "boolean":
        candidates: list[Value] = [True, False]
    elif obs.type == "category":
        candidates = list(obs.values)
    else:
        candidates = list(_number_candidates(obs, tests))
    # Keep one answer per class of answers that every test on the observation treats alike.
    seen: set[tuple[bool, ...]] = set()
    out: list[Value] = []
    for value in candidates:
        signature = tuple(t.holds(value) for t in tests)
        if signature not in seen:
            seen.add(signature)
            out.append(value)
    return tuple(out)


def _number_candidates(obs: m.Observation, tests: Sequence[Test]) -> list[float]:
    points: set[float] = set()
    for t in tests:
        values = t.value if isinstance(t.value, tuple) else (t.value,)
        points.update(float(v) for v in values
                      if isinstance(v, int | float) and not isinstance(v, bool))
    lo, hi = obs.range if obs.range is not None else (-math.inf, math.inf)
    cuts = sorted(p for p in points if lo <= p <= hi)
    if not cuts:
        return [lo if math.isfinite(lo) else (hi if math.isfinite(hi) else 0.0)]
    # Each cut point, and one value inside each open interval around and between them;
    # whole numbers read best in effects ("days = 22"), so they are preferred.
    out: list[float] = []
    if lo < cuts[0]:
        out.append(max(lo, _between(-math.inf, cuts[0])))
    for a, b in zip(cuts, [*cuts[1:], None], strict=True):
        out.append(a)
        if b is None:
            if a < hi:
                out.append(min(hi, _between(a, math.inf)))
        elif (inside := _between(a, b)) != a:
            out.append(inside)
    return out


def _between(a: float, b: float) -> float:
    """A number strictly between ``a`` and ``b`` (one of them infinite at most), a whole
    number where one fits; ``a`` itself when no float lies between them.

    Whole numbers read best in effects ("days = 22"). Beyond 2**53 ``floor(a) + 1`` rounds
    back to ``a``, and the midpoint of neighbouring floats is one of them: every
    candidate is checked to lie strictly inside.
    """
    if math.isinf(a):
        whole = float(math.ceil(b) - 1)
        return whole if whole < b else math.nextafter(b, -math.inf)
    whole = float(math.floor(a) + 1)
    if a < whole < b:
        return whole
    if math.isinf(b):
        return math.nextafter(a, math.inf)
    middle = (a + b) / 2
    return middle if a < middle < b else a


# Interval evaluation: what the open questions could still do ---------------------------------

Interval = tuple[float, float]


def bounds(kb: KnowledgeBase, observations: Mapping[str, Any], *,
           dont_know: Iterable[str] = (), threshold: float = 0.2) -> dict[str, Interval]:
    """The lowest and highest certainty each finding and cause could still reach.

    Every observation that is neither given nor in ``dont_know`` may still be answered with
    any allowed value and any certainty; the intervals cover every such completion (sound:
    the true certainty after any answers lies inside; not always tight, because an
    observation is allowed different values in different rules).
    """
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    return _bounds(kb, given, _open(kb, given, dont_know), threshold)


def _open(kb: KnowledgeBase, given: Mapping[str, Given],
          dont_know: Iterable[str]) -> frozenset[str]:
    skipped = set(dont_know)
    return frozenset(o for o in _analysis(kb).domain if o not in given and o not in skipped)


def _bounds(kb: KnowledgeBase, given: Mapping[str, Given], free: frozenset[str],
            threshold: float, live: set[int] | None = None,
            recommendations: bool = False) -> dict[str, Interval]:
    program = kb.program
    analysis = _analysis(kb)
    intervals: dict[str, Interval] = {}
    contributions: dict[str, list[tuple[float, float]]] = {}
    evidence: tuple[bool, bool] | None = None  # (possibly sufficient, surely sufficient)
    current_layer = -1
    pending: set[str] = set()

    def settle_layer() -> None:
        for node in pending:
            intervals[node] = _combine_interval(contributions[node])
        pending.clear()

    for i in analysis.order_all if recommendations else analysis.order:
        layer = program.rule_layer[i]
        if layer != current_layer:
            settle_layer()
            current_layer = layer
        if evidence is None and layer >= program.evidence_layer:
            cause_bounds = [intervals.get(c, (0.0, 0.0)) for c in kb.causes]
            evidence = (any(reaches(h, threshold) for _, h in cause_bounds),
                        any(reaches(lo, threshold) for lo, _ in cause_bounds))
        rule = program.rules[i]
        sure_lo: float | None = None
        possible_hi: float | None = None
        for alt in program.alternatives[i]:
            state = _alternative(kb, alt, given, free, intervals, evidence, analysis)
            if state is None:
                continue
            lo, hi, sure = state
            possible_hi = hi if possible_hi is None else max(possible_hi, hi)
            if sure:
                sure_lo = lo if sure_lo is None else max(sure_lo, lo)
        if possible_hi is None:
            continue
        if live is not None:
            live.add(i)
        cf = rule.certainty
        if cf > 0:
            span = (cf * sure_lo if sure_lo is not None else 0.0, cf * possible_hi)
        else:
            span = (cf * possible_hi, cf * sure_lo if sure_lo is not None else 0.0)
        contributions.setdefault(rule.conclusion, []).append(span)
        pending.add(rule.conclusion)
    settle_layer()
    return intervals


def _combine_interval(spans: Sequence[tuple[float, float]]) -> Interval:
    # Combination is non-decreasing in every contribution (see certainty.py) except at the
    # contradiction corner P = 1, N = -1, which is defined as 0; add that point if reachable.
    p_lo, n_lo = split_totals(s[0] for s in spans)
    p_hi, n_hi = split_totals(s[1] for s in spans)
    lo = combine_totals(p_lo, n_lo)
    hi = combine_totals(p_hi, n_hi)
    if p_hi >= 1.0 and n_lo <= -1.0:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return lo, hi


def _alternative(kb: KnowledgeBase, alt: Alternative, given: Mapping[str, Given],
                 free: frozenset[str], intervals: Mapping[str, Interval],
                 evidence: tuple[bool, bool] | None,
                 analysis: _Analysis) -> tuple[float, float, bool] | None:
    """(lowest, highest condition certainty, surely holds), or None if it cannot hold."""
    lo, hi, sure = 1.0, 1.0, True
    open_tests: dict[str, list[Test]] = {}
    for t in alt.tests:
        if t.kind == "observation":
            g = given.get(t.subject)
            if g is not None:
                if not t.holds(g.value):
                    return None
                lo, hi = min(lo, g.certainty), min(hi, g.certainty)
            elif t.subject in free:
                open_tests.setdefault(t.subject, []).append(t)
                sure = False
                lo = 0.0
            else:
                return None
        elif t.kind == "evidence":
            if evidence is None:  # pragma: no cover - the compiler layers evidence after causes
                return None
            possible, surely = evidence
            wanted = t.value == "sufficient"
            if (possible if wanted else not surely) is False:
                return None
            if (surely if wanted else not possible) is False:
                sure = False
                lo = 0.0
        else:
            c_lo, c_hi = intervals.get(t.subject, (0.0, 0.0))
            threshold = float(t.value)
            if t.op == "ge":  # certainty >= min (min > 0)
                if c_hi < threshold:
                    return None
                if c_lo < threshold:
                    sure = False
                    lo = 0.0
                lo, hi = min(lo, max(c_lo, threshold)), min(hi, c_hi)
            else:  # negated: certainty <= -min, whose certainty is |cf|
                if c_lo > threshold:
                    return None
                if c_hi > threshold:
                    sure = False
                    lo = 0.0
                lo, hi = min(lo, max(-c_hi, -threshold)), min(hi, -c_lo)
    for subject, tests in open_tests.items():
        if not any(all(t.holds(v) for t in tests) for v in analysis.domain[subject]):
            return None
    return lo, hi, sure


def _leading(dx: Diagnosis, lead: int) -> tuple[str, ...]:
    return tuple(c.id for c in dx.causes[:lead])


def _contenders(kb: KnowledgeBase, leading: tuple[str, ...], ranges: Mapping[str, Interval],
                threshold: float, lead: int) -> frozenset[str]:
    """The causes whose possible certainties could still change the leading causes.

    Empty when the leading causes are settled: each leading cause is sure to stay reported
    and above every cause ranked after it, and when fewer than ``lead`` causes are
    reported, no other cause can reach the threshold.
    """
    out: set[str] = set()
    kb_causes = list(kb.causes)
    for rank, cid in enumerate(leading):
        lo, _ = ranges.get(cid, (0.0, 0.0))
        unsettled = not reaches(lo, threshold)
        for other in kb_causes:
            if other in leading[: rank + 1]:
                continue
            _, hi = ranges.get(other, (0.0, 0.0))
            if hi >= lo - _EPS:
                out.add(other)
                unsettled = True
        if unsettled:
            out.add(cid)
    if len(leading) < lead:
        for other in kb_causes:
            if other not in leading and reaches(ranges.get(other, (0.0, 0.0))[1], threshold):
                out.add(other)
    return frozenset(out)


def settled(kb: KnowledgeBase, observations: Mapping[str, Any], *,
            dont_know: Iterable[str] = (), threshold: float = 0.2, lead: int = LEAD) -> bool:
    """True when no answers to the open questions could change the leading causes."""
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    dx = kb.diagnose(observations, threshold=threshold)
    ranges = _bounds(kb, given, _open(kb, given, dont_know), threshold)
    return not _contenders(kb, _leading(dx, lead), ranges, threshold, lead)


# Probing one answer --------------------------------------------------------------------------


class _Outcome:
    """Finding and cause certainties of one case, with the contribution of each fired rule."""

    __slots__ = ("certainty", "contribution")

    def __init__(self, certainty: dict[str, float], contribution: dict[int, float]) -> None:
        self.certainty = certainty
        self.contribution = contribution

    @classmethod
    def of(cls, kb: KnowledgeBase, given: Mapping[str, Given], threshold: float) -> _Outcome:
        """The engine's inference of ``given``, kept per rule."""
        index = _analysis(kb).index
        inf = infer(kb.program, kb._matcher, given, kb._cause_ids, threshold)
        contribution = {index[c.rule_id]: c.contribution
                        for node, cs in inf.contributions.items()
                        if node in kb.causes or node in kb.findings for c in cs}
        certainty = {node: cf for node, cf in inf.certainty.items()
                     if node in kb.causes or node in kb.findings}
        return cls(certainty, contribution)

    def leading(self, kb: KnowledgeBase, threshold: float, lead: int) -> tuple[str, ...]:
        """The first ``lead`` reported causes, ranked as a diagnosis ranks them."""
        concluders = _analysis(kb).concluders

        def key(cid: str) -> tuple[float, int, str]:
            # The same components as diagnosis.rank_key: certainty, supporting rules, id.
            supporting = sum(1 for i in concluders.get(cid, ()) if self.contribution.get(i, 0) > 0)
            return (-round(self.certainty[cid], 9), -supporting, cid)

        reported = [c for c in kb.causes if c in self.certainty
                    and reaches(self.certainty[c], threshold)]
        return tuple(sorted(reported, key=key)[:lead])


def _probe(kb: KnowledgeBase, base: _Outcome, given: Mapping[str, Given], oid: str,
           value: Value) -> _Outcome:
    """``base`` after answering ``oid = value`` (certainty 1), re-evaluating only the rules
    the answer can reach (the same semantics as the engine; tested against it)."""
    analysis = _analysis(kb)
    program = kb.program
    case = {**given, oid: Given(value)}
    certainty = dict(base.certainty)
    contribution = dict(base.contribution)
    touched: set[str] = set()
    layer = -1

    def recombine() -> None:
        for node in touched:
            spans = [contribution[j] for j in analysis.concluders[node] if j in contribution]
            if spans:
                certainty[node] = combine_totals(*split_totals(spans))
            else:
                certainty.pop(node, None)
        touched.clear()

    for i in analysis.cone.get(oid, ()):
        if program.rule_layer[i] != layer:
            recombine()
            layer = program.rule_layer[i]
        best: float | None = None
        for alt in program.alternatives[i]:
            weakest = 1.0
            for t in alt.tests:
                if t.kind == "observation":
                    g = case.get(t.subject)
                    if g is None or not t.holds(g.value):
                        break
                    weakest = min(weakest, g.certainty)
                else:  # finding or cause: evidence tests belong to recommendation rules only
                    cf = certainty.get(t.subject, 0.0)
                    if cf == 0.0 or not t.holds(cf):
                        break
                    weakest = min(weakest, abs(cf))
            else:
                best = weakest if best is None else max(best, weakest)
        if best is None:
            contribution.pop(i, None)
        else:
            contribution[i] = program.rules[i].certainty * best
        touched.add(program.rules[i].conclusion)
    recombine()
    return _Outcome(certainty, contribution)


def _changes(kb: KnowledgeBase, old: Mapping[str, float],
             new: Mapping[str, float]) -> tuple[CertaintyChange, ...]:
    changes = [CertaintyChange(cid, kb.causes[cid].title, old.get(cid, 0.0), new.get(cid, 0.0))
               for cid in sorted(kb.causes)
               if abs(old.get(cid, 0.0) - new.get(cid, 0.0)) > _EPS]
    return tuple(sorted(changes, key=lambda c: (-abs(c.delta), c.id)))


# Next questions -------------------------------------------------------------------------------


def _certainties(dx: Diagnosis) -> dict[str, float]:
    return {c.id: c.certainty for c in dx.considered}


def _differences(kb: KnowledgeBase, before: Diagnosis,
                 after: Diagnosis) -> tuple[CertaintyChange, ...]:
    return _changes(kb, _certainties(before), _certainties(after))


def next_questions(kb: KnowledgeBase, observations: Mapping[str, Any], k: int = 3, *,
                   dont_know: Iterable[str] = (), threshold: float = 0.2,
                   lead: int = LEAD) -> tuple[Question, ...]:
    """The ``k`` open observations whose answers could change the diagnosis most.

    Args:
        observations: what is known so far (as for :meth:`KnowledgeBase.diagnose`).
        k: how many questions to return at most.
        dont_know: observations the person cannot answer; never proposed.
        threshold: the report threshold of the diagnosis.
        lead: how many of the first reported causes count as the leading causes.

    Returns:
        Questions ranked by :meth:`Question.rank_key`; an observation whose answer could not
        change any cause's certainty, alone or together with other answers, never appears.

    Raises:
        ObservationError: ``observations`` or ``dont_know`` name unknown observations.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a whole number >= 0, got {k!r}")
    threshold = check_threshold(threshold)
    if lead < 1:
        raise ValueError(f"lead must be at least 1, got {lead!r}")
    skipped = set(dont_know)
    unknown = sorted(skipped - set(kb.observations))
    if unknown:
        normalize(kb.observations, {unknown[0]: None})  # raises with a did-you-mean
    given = normalize(kb.observations, observations)
    return _ranked(kb, given, frozenset(skipped), threshold, lead)[0][:k]


def _ranked(kb: KnowledgeBase, given: dict[str, Given], dont_know: frozenset[str],
            threshold: float, lead: int) -> tuple[tuple[Question, ...], bool]:
    """Every useful question, ranked, and whether the leading causes are settled."""
    analysis = _analysis(kb)
    base = _Outcome.of(kb, given, threshold)
    free = _open(kb, given, dont_know)
    live: set[int] = set()
    ranges = _bounds(kb, given, free, threshold, live)
    leading = base.leading(kb, threshold, lead)
    contenders = _contenders(kb, leading, ranges, threshold, lead)
    out: list[Question] = []
    for oid in sorted(free):
        rules = [i for i in analysis.testers.get(oid, ()) if i in live]
        if not rules:
            continue  # every rule that tests it is already blocked: no answer can matter
        potential = sum(abs(kb.program.rules[i].certainty) for i in rules
                        if analysis.reach.get(kb.program.rules[i].conclusion, frozenset())
                        & contenders)
        effects: list[Effect] = []
        order_change, lead_change, other_change = 0, 0.0, 0.0
        for value in analysis.domain[oid]:
            after = _probe(kb, base, given, oid, value)
            changes = _changes(kb, base.certainty, after.certainty)
            new_leading = after.leading(kb, threshold, lead)
            effects.append(Effect(value, changes, new_leading))
            if new_leading[:1] != leading[:1]:
                order_change = 2
            elif new_leading != leading:
                order_change = max(order_change, 1)
            watched = set(leading) | set(new_leading)
            for change in changes:
                if change.id in watched:
                    lead_change = max(lead_change, abs(change.delta))
                else:
                    other_change = max(other_change, abs(change.delta))
        if not (order_change or lead_change or potential or other_change):
            continue
        obs = kb.observations[oid]
        question = Question(
            oid, obs.question, obs.type, obs.allowed(),
            (True, False) if obs.type == "boolean" else tuple(obs.values),
            "", order_change, lead_change, potential, other_change, tuple(effects), obs.group)
        out.append(attrs.evolve(question, reason=_reason(kb, question, leading, threshold,
                                                                 rules)))
    out.sort(key=Question.rank_key)
    return tuple(out), not contenders


def _advice(dx: Diagnosis) -> tuple[str, ...]:
    return tuple(a.id for a in (*dx.coping, *dx.next_steps))


def _advice_question(kb: KnowledgeBase, given: dict[str, Given], dont_know: frozenset[str],
                     threshold: float) -> Question | None:
    """The first open observation (in file order) whose answer changes the advice given.

    Only observations that recommendation rules test directly are tried; each of their
    representative answers is diagnosed in full, which is cheap at this stage because the
    causes are settled and few observations are left.
    """
    analysis = _analysis(kb)
    testers = {t.subject for rule, alts in zip(kb.program.rules, kb.program.alternatives,
                                               strict=True)
               if rule.conclusion_kind == "recommendation"
               for alt in alts for t in alt.tests if t.kind == "observation"}
    base = kb._diagnose(given, threshold)
    before = _advice(base)
    for oid in kb.observations:
        if oid not in testers or oid in given or oid in dont_know or oid not in analysis.domain:
            continue
        effects: list[Effect] = []
        gained: set[str] = set()
        lost: set[str] = set()
        for value in analysis.domain[oid]:
            after = _advice(kb._diagnose({**given, oid: Given(value)}, threshold))
            if after != before:
                gained |= set(after) - set(before)
                lost |= set(before) - set(after)
                effects.append(Effect(value, (), tuple(c.id for c in base.causes[:1])))
        if not effects:
            continue
        changed = sorted(gained) or sorted(lost)
        verb = "recommend" if gained else "drop"
        obs = kb.observations[oid]
        return Question(
            oid, obs.question, obs.type, obs.allowed(),
            (True, False) if obs.type == "boolean" else tuple(obs.values),
            f"could {verb} {', '.join(changed[:2])} in the advice",
            0, 0.0, 0.0, 0.0, tuple(effects), obs.group)
    return None


def _reason(kb: KnowledgeBase, q: Question, leading: tuple[str, ...], threshold: float,
            rules: Sequence[int]) -> str:
    phrases: dict[str, tuple[int, float, str]] = {}  # cause -> (strength, size, phrase)

    def offer(cid: str, strength: int, size: float, phrase: str) -> None:
        if cid not in phrases or (strength, size) > phrases[cid][:2]:
            phrases[cid] = (strength, size, phrase)

    current_top = leading[0] if leading else None
    for effect in q.effects:
        for c in effect.changes:
            if effect.leading[:1] == (c.id,) and c.id != current_top:
                offer(c.id, 4, abs(c.delta), f"make {c.id} the leading cause")
            elif reaches(c.after, threshold) and not reaches(c.before, threshold):
                offer(c.id, 3, abs(c.delta), f"confirm {c.id}")
            elif reaches(c.before, threshold) and not reaches(c.after, threshold):
                offer(c.id, 3, abs(c.delta), f"rule out {c.id}")
            elif c.delta > 0:
                offer(c.id, 1, c.delta, f"raise {c.id}")
            else:
                offer(c.id, 1, -c.delta, f"lower {c.id}")
    if phrases:
        best = sorted(phrases.values(), key=lambda p: (-p[0], -p[1], p[2]))[:2]
        return "could " + " or ".join(p[2] for p in best)
    reached = sorted({c for i in rules
                      for c in _analysis(kb).reach.get(kb.program.rules[i].conclusion, ())})
    shown = ", ".join(reached[:3]) + (" ..." if len(reached) > 3 else "")
    return f"could matter together with other answers (rules about {shown})"


# WHY, HOW, WHY NOT, WHAT IF --------------------------------------------------------------------


def question_why(kb: KnowledgeBase, observation: str, observations: Mapping[str, Any], *,
                 dont_know: Iterable[str] = (), threshold: float = 0.2) -> QuestionWhy:
    """Why ``observation`` is worth asking: the rules that test it and the causes they feed.

    Raises:
        ObservationError: an unknown observation id.
    """
    if observation not in kb.observations:
        normalize(kb.observations, {observation: None})  # raises with a did-you-mean
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    analysis = _analysis(kb)
    live: set[int] = set()
    free = _open(kb, given, dont_know) | {observation}
    _bounds(kb, {k: v for k, v in given.items() if k != observation}, free, threshold, live,
            recommendations=True)
    uses: list[RuleUse] = []
    for i in analysis.testers.get(observation, ()):
        rule = kb.program.rules[i]
        tests = dict.fromkeys(t.describe() for alt in kb.program.alternatives[i]
                              for t in alt.tests if t.subject == observation
                              and t.kind == "observation")
        uses.append(RuleUse(rule.id, "; ".join(tests), rule.conclusion_kind, rule.conclusion,
                            rule.certainty, rule.because, rule.location,
                            tuple(sorted(analysis.reach.get(rule.conclusion, ()))), i in live))
    uses.sort(key=lambda u: (not u.live, -abs(u.certainty_factor), u.rule_id))
    reason = ""
    if observation not in given:
        ranked, _ = _ranked(kb, given, frozenset(dont_know), threshold, LEAD)
        reason = next((q.reason for q in ranked if q.observation == observation), "")
    return QuestionWhy(observation, kb.observations[observation].question, tuple(uses), reason)


def _inference(dx: Diagnosis) -> tuple[KnowledgeBase, Inference]:
    kb = dx.knowledge_base
    if kb is None:
        raise DiagnosisError("this diagnosis holds no knowledge base; diagnose with "
                             "KnowledgeBase.diagnose to explain it")
    inf = infer(kb.program, kb._matcher, dict(dx.observations), kb._cause_ids, dx.threshold)
    return kb, inf


def _check_cause(kb: KnowledgeBase, cause_id: str) -> None:
    if cause_id not in kb.causes:
        from .errors import did_you_mean

        hint = did_you_mean(cause_id, sorted(kb.causes))
        raise UnknownCauseError(f"unknown cause {cause_id!r}{hint}; known causes: "
                                f"{', '.join(sorted(kb.causes))}")


def how(dx: Diagnosis, cause_id: str) -> How:
    """The chain of rules and observations behind a cause's certainty in ``dx``.

    Raises:
        UnknownCauseError: the knowledge base has no such cause.
    """
    kb, inf = _inference(dx)
    _check_cause(kb, cause_id)
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


def why_not(dx: Diagnosis, cause_id: str) -> WhyNot:
    """What evidence was missing or pointed the other way for a cause in ``dx``.

    Raises:
        UnknownCauseError: the knowledge base has no such cause.
    """
    kb, inf = _inference(dx)
    _check_cause(kb, cause_id)
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
    if test.kind == "observation":
        g = given.get(test.subject)
        if g is None:
            return TestStatus(test.kind, test.subject, test.describe(), "unknown")
        return TestStatus(test.kind, test.subject, test.describe(),
                          "held" if test.holds(g.value) else "failed", g.value)
    if test.kind == "evidence":
        value = "sufficient" if inf.evidence_sufficient else "insufficient"
        return TestStatus(test.kind, test.subject, test.describe(),
                          "held" if test.holds(value) else "failed", value)
    cf = inf.certainty.get(test.subject, 0.0)
    held = cf != 0.0 and test.holds(cf)
    return TestStatus(test.kind, test.subject, test.describe(), "held" if held else "failed", cf)


def what_if(kb: KnowledgeBase, observations: Mapping[str, Any], changes: Mapping[str, Any], *,
            threshold: float = 0.2) -> WhatIf:
    """The diagnosis after ``changes`` (id -> new value, or None to forget an observation).

    Raises:
        ObservationError: an observation or a change is not valid.
    """
    before = kb.diagnose(observations, threshold=threshold)
    merged = {k: v for k, v in observations.items()}
    for key, value in changes.items():
        if value is None:
            if key not in kb.observations:
                normalize(kb.observations, {key: None})  # raises with a did-you-mean
            merged.pop(key, None)
        else:
            merged[key] = value
    after = kb.diagnose(merged, threshold=threshold)
    return WhatIf(before, after, _differences(kb, before, after))


# Parsing typed answers -------------------------------------------------------------------------

_YES = frozenset({"y", "yes", "true", "t", "1", "oui", "yep", "yeah"})
_NO = frozenset({"n", "no", "false", "f", "0", "non", "nope"})


def parse_answer(obs: m.Observation, text: str) -> tuple[Value, float]:
    """Read a typed answer: a value, optionally followed by a certainty (``yes 0.7``, ``no 80%``).

    Raises:
        AnswerError: the answer does not fit; the message says what would.
    """
    words = text.strip().split()
    certainty = 1.0
    if len(words) >= 2:
        parsed = _certainty_word(words[-1])
        if parsed is None:
            raise AnswerError(f"{' '.join(words[1:])!r} is not a certainty; give the answer, then "
                              f"optionally a certainty from 0.01 to 1 (e.g. "
                              f"'{_example(obs)} 0.7')", obs.id)
        certainty = parsed
        words = words[:-1]
    if len(words) != 1:
        raise AnswerError(f"please answer with {_expected(obs)}", obs.id)
    word = words[0]
    lowered = word.lower()
    if obs.type == "boolean":
        if lowered in _YES:
            return True, certainty
        if lowered in _NO:
            return False, certainty
        raise AnswerError(f"{word!r} is not an answer to this question; answer yes or no", obs.id)
    if obs.type == "category":
        exact = [v for v in obs.values if v.lower() == lowered]
        if exact:
            return exact[0], certainty
        matches = [v for v in obs.values if v.lower().startswith(lowered)]
        if len(matches) == 1:
            return matches[0], certainty
        if lowered.isdigit() and 1 <= int(lowered) <= len(obs.values):
            return obs.values[int(lowered) - 1], certainty
        hint = f" (could be {' or '.join(matches)})" if matches else ""
        raise AnswerError(f"{word!r} is not one of the answers{hint}; answer {_expected(obs)}",
                          obs.id)
    try:
        number = float(word)
    except ValueError:
        raise AnswerError(f"{word!r} is not a number; answer {_expected(obs)}", obs.id) from None
    if not math.isfinite(number) or (obs.range is not None
                                     and not obs.range[0] <= number <= obs.range[1]):
        raise AnswerError(f"{word} is out of range; answer {_expected(obs)}", obs.id)
    return number, certainty


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
        return "one of " + ", ".join(obs.values)
    return obs.allowed()


def _example(obs: m.Observation) -> str:
    if obs.type == "boolean":
        return "yes"
    if obs.type == "category":
        return obs.values[0]
    return f"{obs.range[0]:g}" if obs.range is not None else "3"


# The consultation state machine --------------------------------------------------------------


@attrs.frozen
class _Answer:
    observation: str
    value: Value | None  # None: "don't know"
    certainty: float = 1.0


class Consultation:
    """An interactive consultation: ask, record answers, go back, stop when settled.

    Not thread-safe (one consultation belongs to one conversation); the knowledge base it
    uses is.
    """

    def __init__(self, kb: KnowledgeBase, *, threshold: float = 0.2, lead: int = LEAD,
                 observations: Mapping[str, Any] | None = None) -> None:
        if lead < 1:
            raise ValueError(f"lead must be at least 1, got {lead!r}")
        self.kb = kb
        self.threshold = check_threshold(threshold)
        self.lead = lead
        self._history: list[_Answer] = []
        for key, given in normalize(kb.observations, observations or {}).items():
            self._history.append(_Answer(key, given.value, given.certainty))
        self._version = 0  # bumped on every change, so the ranking is computed once per state
        self._cache: tuple[int, tuple[Question, ...], bool] | None = None

    @property
    def asked(self) -> int:
        """How many answers (including "don't know") were recorded."""
        return len(self._history)

    def given(self) -> dict[str, Given]:
        """The known observations so far."""
        return {a.observation: Given(a.value, a.certainty) for a in self._history
                if a.value is not None}

    def dont_know(self) -> frozenset[str]:
        """The observations the person could not answer."""
        return frozenset(a.observation for a in self._history if a.value is None)

    def _state(self) -> tuple[tuple[Question, ...], bool]:
        if self._cache is None or self._cache[0] != self._version:
            ranked, done = _ranked(self.kb, self.given(), self.dont_know(), self.threshold,
                                   self.lead)
            self._cache = (self._version, ranked, done)
        return self._cache[1], self._cache[2]

    def questions(self, k: int = 3) -> tuple[Question, ...]:
        """The next ``k`` questions, most useful first (see :func:`next_questions`)."""
        return self._state()[0][:k]

    def settled(self) -> bool:
        """True when no answers to the remaining questions could change the leading causes."""
        return self._state()[1]

    def next_question(self) -> Question | None:
        """The question to ask now, or None when the consultation is over.

        Over means settled, or no remaining question could change a cause that still
        contends for the lead (alone or together with other answers).
        """
        ranked, done = self._state()
        if not done and ranked:
            best = ranked[0]
            if best.order_change or best.certainty_change or best.potential:
                return best
        # The causes are settled; what is still worth asking is what changes the advice
        # (distress, a run of rejections, contacts), which no cause rule may test.
        return _advice_question(self.kb, self.given(), self.dont_know(), self.threshold)

    def answer(self, observation: str, value: Any, certainty: float = 1.0) -> None:
        """Record an answer (checked like a diagnosis input).

        Raises:
            ObservationError: unknown observation, wrong type or value, bad certainty.
        """
        checked = normalize(self.kb.observations,
                            {observation: {"value": value, "certainty": certainty}})
        self._forget(observation)
        given = checked[observation]
        self._history.append(_Answer(observation, given.value, given.certainty))

    def skip(self, observation: str) -> None:
        """Record "don't know": the observation stays unknown and is not asked again.

        Raises:
            ObservationError: unknown observation.
        """
        if observation not in self.kb.observations:
            normalize(self.kb.observations, {observation: None})
        self._forget(observation)
        self._history.append(_Answer(observation, None))

    def replay(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """Answer every question from ``answers`` until the consultation is over.

        An observation missing from ``answers`` is answered "don't know". Values are given
        as for a diagnosis (``{"value": v, "certainty": c}`` for an uncertain answer).

        Returns:
            The observations asked, in order.

        Raises:
            ObservationError: ``answers`` names an unknown observation or a bad value.
        """
        checked = normalize(self.kb.observations, answers)
        asked: list[str] = []
        while (question := self.next_question()) is not None:
            asked.append(question.observation)
            given = checked.get(question.observation)
            if given is None:
                self.skip(question.observation)
            else:
                self.answer(question.observation, given.value, given.certainty)
        return tuple(asked)

    def back(self) -> str | None:
        """Undo the last answer; returns its observation id (None when nothing was answered)."""
        if not self._history:
            return None
        self._version += 1
        return self._history.pop().observation

    def _forget(self, observation: str) -> None:
        self._version += 1
        self._history = [a for a in self._history if a.observation != observation]

    def diagnosis(self) -> Diagnosis:
        """The diagnosis of what is known so far."""
        return self.kb._diagnose(self.given(), self.threshold)

    def leading(self) -> tuple[Conclusion, ...]:
        """The leading causes now."""
        return self.diagnosis().causes[: self.lead]

    def why(self, observation: str) -> QuestionWhy:
        """Why ``observation`` is asked (MYCIN's WHY)."""
        return question_why(self.kb, observation, self.case(), dont_know=self.dont_know(),
                            threshold=self.threshold)

    def case(self) -> dict[str, Any]:
        """The known observations as a case mapping (what ``diagnose`` reads)."""
        out: dict[str, Any] = {}
        for a in self._history:
            if a.value is None:
                continue
            value: Any = a.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[a.observation] = value if a.certainty == 1.0 else {"value": value,
                                                                    "certainty": a.certainty}
        return out


# Text renderings ---------------------------------------------------------------------------------


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cf(value: float) -> str:
    return f"{value:+.2f}" if value < 0 else f"{value:.2f}"


def _question_text(q: Question) -> str:
    lines = [q.question, f"  answer: {q.allowed}; '?' if you don't know",
             f"  ({q.observation}: {q.reason})"]
    for e in q.effects:
        if e.changes:
            shown = ", ".join(f"{c.id} {_cf(c.before)}→{_cf(c.after)}" for c in e.changes[:3])
            lines.append(f"    {_show(e.answer)}: {shown}")
    return "\n".join(lines) + "\n"


#: Rules shown by the text of a WHY (the strongest; the data holds them all).
_WHY_SHOWN = 8


def _question_why_text(w: QuestionWhy) -> str:
    lines = [f"Why ask about {w.observation}?" + (f" It {w.reason}." if w.reason else "")]
    live = [u for u in w.rules if u.live]
    for u in live[:_WHY_SHOWN]:
        feeds = (f" (feeds {', '.join(u.causes)})"
                 if u.causes and u.causes != (u.conclusion,) else "")
        lines.append(f"- rule {u.rule_id} ({u.location}): if {u.test} then {u.conclusion_kind} "
                     f"{u.conclusion} {_cf(u.certainty_factor)}{feeds}")
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
        written = ("true" if e.value else "false") if isinstance(e.value, bool) else _show(e.value)
        if not e.test.endswith(f"= {written}"):  # the test already shows an equality's value
            notes.append(f"{e.id} = {_show(e.value)}")
        if e.certainty != 1.0:
            notes.append(f"certainty {e.certainty:.2f}")
    elif e.kind != "evidence":
        notes.append(f"{e.id} = {_cf(float(e.value))}")
    return f"  [{', '.join(notes)}]" if notes else ""


def _how_text(h: How) -> str:
    if not h.steps:
        return (f"{h.title} [{h.cause}]: certainty 0.00. No rule spoke about it with what is "
                "known.\n")
    status = "reported" if h.reported else f"not reported (below {h.threshold:.2f})"
    lines = [f"How {h.cause} got certainty {_cf(h.certainty)} ({status}):"]
    for s in h.steps:
        pad = "  " * s.depth
        lines.append(f"{pad}{s.kind} {s.id} ({s.title}): {_cf(s.certainty)}")
        for c in s.contributions:
            lines.append(f"{pad}  - rule {c.rule_id}: {_cf(c.certainty_factor)} × "
                         f"{c.condition_certainty:.2f} = {_cf(c.contribution)}")
            for e in c.evidence:
                lines.append(f"{pad}      {e.test}{_evidence_note(e)}")
        if len(s.contributions) > 1:
            lines.append(f"{pad}  combined: for {s.positive:.2f}, against {_cf(s.negative)} "
                         f"→ {_cf(s.certainty)}")
    return "\n".join(lines) + "\n"


def _why_not_text(w: WhyNot) -> str:
    if w.rank is not None:
        head = f"{w.cause} is reported (rank {w.rank}, certainty {_cf(w.certainty)})."
    else:
        head = (f"{w.cause} is not reported: certainty {_cf(w.certainty)}, below "
                f"{w.threshold:.2f}.")
    lines = [head]
    if w.against:
        lines.append("Evidence against it:")
        for c in w.against:
            used = "; ".join(e.test for e in c.evidence)
            lines.append(f"- rule {c.rule_id}: {_cf(c.contribution)} ({used})")
    if w.missing:
        lines.append("Rules for it that did not fire (closest first):")
        for r in w.missing:
            parts = [f"{t.test} [{t.status}" + (f": {_show(t.value)}]" if t.value is not None
                                                  and t.kind == "observation" else "]")
                     for t in r.tests]
            lines.append(f"- rule {r.rule_id} ({_cf(r.certainty_factor)}): " + "; ".join(parts))
    if not w.against and not w.missing:
        lines.append("No other rule could add to it.")
    return "\n".join(lines) + "\n"


def _what_if_text(w: WhatIf) -> str:
    if not w.differences:
        return "No cause's certainty changes.\n"
    lines = ["Certainty changes:"]
    for c in w.differences:
        lines.append(f"- {c.id}: {_cf(c.before)} → {_cf(c.after)} ({c.delta:+.2f})")
    before = w.before.top_cause.id if w.before.top_cause else "none"
    after = w.after.top_cause.id if w.after.top_cause else "none"
    lines.append(f"Leading cause: {before} → {after}" if before != after
                 else f"Leading cause unchanged: {after}")
    return "\n".join(lines) + "\n"
