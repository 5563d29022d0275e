"""Bounds: the lowest and highest certainty each cause could still reach, and settledness.

Every observation that is neither known nor "don't know" may still be answered with any
allowed value and any certainty; :func:`bounds` covers every such completion (sound: the
certainty after any answers lies inside; not always tight, because an observation is
allowed different values in different rules). The leading causes are *settled* when no
answers at all to the remaining questions could change them: the guaranteed stop of a
consultation (:mod:`.stopping` has the probable one).

The interval reading of a condition is the three-valued reading of the one evaluator
(:mod:`..evaluator`): a known observation's test is decided by it, an open one may hold
or fail, and a conclusion test is decided at the two ends of the conclusion's interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD, check_threshold, combine_totals, reaches, split_totals
from ..compiler import Alternative, Test
from ..diagnosis import Diagnosis
from ..evaluator import test_strength
from ..observations import Given, normalize
from .analysis import EPS, LEAD, Analysis, analysis, open_observations

__all__ = ["Interval", "bounds", "contenders", "interval_bounds", "settled"]

Interval = tuple[float, float]


def bounds(kb: Knowledge, observations: Mapping[str, Any], *,
           dont_know: Iterable[str] = (), threshold: float = DEFAULT_THRESHOLD) -> dict[str, Interval]:
    """The lowest and highest certainty each finding and cause could still reach.

    Every observation that is neither given nor in ``dont_know`` may still be answered with
    any allowed value and any certainty; the intervals cover every such completion (sound:
    the true certainty after any answers lies inside; not always tight, because an
    observation is allowed different values in different rules).
    """
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    return interval_bounds(kb, given, open_observations(kb, given, dont_know), threshold)


def interval_bounds(kb: Knowledge, given: Mapping[str, Given], free: frozenset[str],
                    threshold: float, live: set[int] | None = None,
                    recommendations: bool = False) -> dict[str, Interval]:
    """:func:`bounds` on checked observations; ``live`` collects the rules that may fire."""
    program = kb.program
    found = analysis(kb)
    intervals: dict[str, Interval] = {}
    contributions: dict[str, list[tuple[float, float]]] = {}
    evidence: tuple[bool, bool] | None = None  # (possibly sufficient, surely sufficient)
    current_layer = -1
    pending: set[str] = set()

    def settle_layer() -> None:
        for node in pending:
            intervals[node] = _combine_interval(contributions[node])
        pending.clear()

    for i in found.order_all if recommendations else found.order:
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
            state = _alternative(alt, given, free, intervals, evidence, found)
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


def _alternative(alt: Alternative, given: Mapping[str, Given], free: frozenset[str],
                 intervals: Mapping[str, Interval], evidence: tuple[bool, bool] | None,
                 found: Analysis) -> tuple[float, float, bool] | None:
    """(lowest, highest condition certainty, surely holds), or None if it cannot hold."""
    lo, hi, sure = 1.0, 1.0, True
    open_tests: dict[str, list[Test]] = {}
    for t in alt.tests:
        if t.kind == "observation":
            if t.subject in given:
                held = test_strength(t, given, {}, None)
                if held is None:
                    return None
                lo, hi = min(lo, held[1]), min(hi, held[1])
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
            # Decided by the evaluator at both ends: could some cause reach the threshold,
            # and is one sure to.
            can = test_strength(t, {}, {}, possible if t.holds("sufficient") else surely)
            if can is None:
                return None
            if test_strength(t, {}, {}, surely if t.holds("sufficient") else possible) is None:
                sure = False
                lo = 0.0
        else:
            c_lo, c_hi = intervals.get(t.subject, (0.0, 0.0))
            # A certainty test is monotone: "at least" is best at the top of the interval,
            # "at most" (negated) at the bottom.
            at_least = not t.negated
            best, worst = (c_hi, c_lo) if at_least else (c_lo, c_hi)
            if test_strength(t, {}, {t.subject: best}, None) is None:
                return None
            if test_strength(t, {}, {t.subject: worst}, None) is None:
                sure = False
                lo = 0.0
            boundary = float(t.value)
            weakest = max(worst, boundary) if at_least else min(worst, boundary)
            lo, hi = min(lo, abs(weakest)), min(hi, abs(best))
    for subject, tests in open_tests.items():
        if not any(all(t.holds(v) for t in tests) for v in found.domain[subject]):
            return None
    return lo, hi, sure


def leading(dx: Diagnosis, lead: int) -> tuple[str, ...]:
    """The ids of the first ``lead`` reported causes of ``dx``."""
    return tuple(c.id for c in dx.causes[:lead])


def contenders(kb: Knowledge, leading: tuple[str, ...], ranges: Mapping[str, Interval],
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
            if hi >= lo - EPS:
                out.add(other)
                unsettled = True
        if unsettled:
            out.add(cid)
    if len(leading) < lead:
        for other in kb_causes:
            if other not in leading and reaches(ranges.get(other, (0.0, 0.0))[1], threshold):
                out.add(other)
    return frozenset(out)


def settled(kb: Knowledge, observations: Mapping[str, Any], *,
            dont_know: Iterable[str] = (), threshold: float = DEFAULT_THRESHOLD, lead: int = LEAD) -> bool:
    """True when no answers to the open questions could change the leading causes."""
    threshold = check_threshold(threshold)
    given = normalize(kb.observations, observations)
    dx = kb.diagnose(observations, threshold=threshold)
    ranges = interval_bounds(kb, given, open_observations(kb, given, dont_know), threshold)
    return not contenders(kb, leading(dx, lead), ranges, threshold, lead)


