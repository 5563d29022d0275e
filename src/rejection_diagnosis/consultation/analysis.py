"""What the consultation knows about a knowledge base, and how it evaluates an answer.

Worked out once per knowledge base (cached): the representative answers of each
observation (one per class of answers that every rule treats alike), the rules that test
it, the rules its answer can reach (its *cone*) and the causes each conclusion feeds.
An answer the consultation only considers is evaluated with :mod:`..evaluator`, the same
semantics inference uses (and tested against the engine), re-running only its cone.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping, Sequence

import attrs

from .. import model as m
from .._caches import register
from .._forksafe import ForkSafeLock
from .._knowledge import Knowledge
from ..compiler import Test
from ..conclusions import ranking
from ..evaluator import Evaluation, run_rules
from ..observation_types import TYPES
from ..observations import Given

__all__ = ["EPS", "LEAD", "Analysis", "CertaintyChange", "Value", "analysis", "changes", "evaluate_case",
           "leading_causes", "open_observations", "with_answers"]

#: How many of the first reported causes count as "the leading causes".
LEAD = 1
#: Certainty differences smaller than this are float noise, not a change.
EPS = 1e-9

Value = bool | float | str


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
class Analysis:
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
    # The tests on each observation (what decides which answers are alike).
    tests: Mapping[str, tuple[Test, ...]] = attrs.field(factory=dict)

    def observation_reach(self, observation: str, rules: Sequence[m.Rule]) -> frozenset[str]:
        """The causes an answer to ``observation`` can reach, through any rule testing it."""
        found = self._reach_memo.get(observation)
        if found is None:
            found = frozenset().union(*(self.reach.get(rules[i].conclusion, frozenset())
                                        for i in self.testers.get(observation, ())))
            self._reach_memo[observation] = found
        return found

    _reach_memo: dict[str, frozenset[str]] = attrs.field(factory=dict, init=False, repr=False,
                                                        eq=False)

    def answer_class(self, observation: str, value: Value) -> Value | None:
        """The representative answer that every rule treats like ``value`` (None: untested)."""
        tests = self.tests.get(observation, ())
        signature = tuple(t.holds(value) for t in tests)
        for rep in self.domain.get(observation, ()):
            if tuple(t.holds(rep) for t in tests) == signature:
                return rep
        return None


_ANALYSES: weakref.WeakKeyDictionary[Knowledge, Analysis] = weakref.WeakKeyDictionary()
_ANALYSES_LOCK = ForkSafeLock()


def _clear_analyses() -> None:
    with _ANALYSES_LOCK:
        _ANALYSES.clear()


register("consultation.analysis", _clear_analyses, lambda: len(_ANALYSES))


def analysis(kb: Knowledge) -> Analysis:
    with _ANALYSES_LOCK:
        found = _ANALYSES.get(kb)
        if found is None:
            found = _ANALYSES[kb] = _analyse(kb)
        return found


def _analyse(kb: Knowledge) -> Analysis:
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
    return Analysis(domain, {k: tuple(sorted(v)) for k, v in testers.items()}, reach, order,
                     order_all, cone, {k: tuple(v) for k, v in concluders.items()},
                     {r.id: i for i, r in enumerate(program.rules)},
                    {k: tuple(v) for k, v in tests_on.items()})


def _representatives(obs: m.Observation, tests: Sequence[Test]) -> tuple[Value, ...]:
    kind = TYPES[obs.type]
    candidates: list[Value] = (list(_number_candidates(obs, tests)) if kind.numeric
                               else list(kind.choices(obs)))
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


def open_observations(kb: Knowledge, given: Mapping[str, Given],
                      dont_know: Iterable[str]) -> frozenset[str]:
    """The observations some rule tests that are neither known nor "don't know"."""
    skipped = set(dont_know)
    return frozenset(o for o in analysis(kb).domain if o not in given and o not in skipped)


def evaluate_case(kb: Knowledge, given: Mapping[str, Given], threshold: float) -> Evaluation:
    """The engine's inference of ``given`` (findings and causes), kept per rule."""
    index = analysis(kb).index
    inf = kb._infer(given, threshold)
    contribution = {index[c.rule_id]: c.contribution
                    for node, cs in inf.contributions.items()
                    if node in kb.causes or node in kb.findings for c in cs}
    certainty = {node: cf for node, cf in inf.certainty.items()
                 if node in kb.causes or node in kb.findings}
    return Evaluation(certainty, contribution)


def with_answers(kb: Knowledge, base: Evaluation, given: Mapping[str, Given],
                 answers: Mapping[str, Given]) -> Evaluation:
    """``base`` (the evaluation of ``given``) after ``answers``, re-running only their cones."""
    found = analysis(kb)
    if len(answers) == 1:
        order: Sequence[int] = found.cone.get(next(iter(answers)), ())
    else:
        rules = {i for oid in answers for i in found.cone.get(oid, ())}
        layer = kb.program.rule_layer
        order = sorted(rules, key=lambda i: (layer[i], i))
    return run_rules(kb.program, order, {**given, **answers}, base, found.concluders)


def leading_causes(kb: Knowledge, evaluation: Evaluation, threshold: float,
                   lead: int) -> tuple[str, ...]:
    """The first ``lead`` reported causes, ranked by :func:`..diagnosis.ranking`."""
    concluders = analysis(kb).concluders
    reported = evaluation.reported(kb.causes, threshold)
    reported.sort(key=lambda c: ranking(evaluation.certainty[c],
                                        evaluation.supporting(concluders.get(c, ())), c))
    return tuple(reported[:lead])


def changes(kb: Knowledge, old: Mapping[str, float],
            new: Mapping[str, float]) -> tuple[CertaintyChange, ...]:
    """The causes whose certainty differs between ``old`` and ``new``, largest change first."""
    causes = kb.causes
    found = [CertaintyChange(cid, causes[cid].title, old.get(cid, 0.0), new.get(cid, 0.0))
             for cid in sorted({*old, *new})
             if cid in causes and abs(old.get(cid, 0.0) - new.get(cid, 0.0)) > EPS]
    return tuple(sorted(found, key=lambda c: (-abs(c.delta), c.id)))
