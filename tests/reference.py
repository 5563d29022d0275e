"""A tiny reference evaluator of the rule semantics, for differential testing.

It reads only the model (``kb.rules`` and the checked observations) and evaluates every
rule's ``when`` tree directly, as docs/rule-format.md describes it; nothing of the
compiler, the inference loop or the engine is used, so a disagreement points at one of
them (or at this file, which is short enough to check by eye).

* Three-valued logic: a condition is True, False or None (unknown). A comparison on a
  missing observation is None; ``not`` swaps True and False and keeps None; ``all`` is
  False if any item is False, else None if any is None, else True; ``any`` the dual.
  A test on a conclusion is True from ``min`` on, False from ``-min`` down, else None.
* Fuzzy certainties: each truth value carries a certainty. A comparison's is its
  observation's certainty, a conclusion test's the absolute value of the conclusion's
  certainty, an evidence test's 1. True ``all``: the smallest; true ``any``: the largest
  among the true items; false ``all``: the largest among the false items; false ``any``:
  the smallest; ``not`` keeps the certainty of what it negates.
* Layers: a rule is evaluated once every rule that concludes something it tests has been
  (every cause rule, for an evidence test).
* Comparisons of a certainty with a threshold or a ``min`` tolerate float noise of
  1e-9 (0.1 and 0.1 combine to 0.19 with trailing nines, and must still reach 0.19).
* MYCIN: positives fold as P + a - Pa, negatives as N + b + Nb (a single contribution
  is its own total, to the bit), then (P + N) / (1 - min(P, -N)), and 0 when P = 1 and N = -1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rejection_diagnosis import model as m
from rejection_diagnosis.observations import Given

Truth = bool | None
NOISE = 1e-9


def reaches(certainty: float, bound: float) -> bool:
    return certainty >= bound - NOISE


def combine(contributions: list[float]) -> float:
    """MYCIN combination of one conclusion's contributions (sorted: order-free to the bit)."""
    p, n = 0.0, 0.0
    for c in sorted(contributions):
        if c > 0:
            p = p + c - p * c
        else:
            n = n + c + n * c
    if p == 0.0:
        return n
    if n == 0.0:
        return p
    if min(p, -n) >= 1.0:
        return 0.0
    return max(-1.0, min(1.0, (p + n) / (1.0 - min(p, -n))))


def compare(op: str, value: Any, operand: Any) -> bool:
    """One comparison on a known value."""
    if op == "eq":
        return bool(value == operand)
    if op == "ne":
        return bool(value != operand)
    if op == "in":
        return value in operand
    if op == "between":
        return bool(operand[0] <= value <= operand[1])
    return bool({"lt": value < operand, "le": value <= operand,
                 "gt": value > operand, "ge": value >= operand}[op])


class Reference:
    """Evaluates one case on a list of rules; ``certainty`` holds the combined results."""

    def __init__(self, rules: tuple[m.Rule, ...], cause_ids: frozenset[str],
                 given: Mapping[str, Given], threshold: float) -> None:
        self.given = given
        self.contributions: dict[str, list[float]] = {}
        self.fired: dict[str, set[str]] = {}
        self.evidence_sufficient = False
        waiting = list(rules)
        evaluated: list[m.Rule] = []
        while waiting:
            ready = [r for r in waiting if all(self._final(n, waiting, cause_ids)
                                               for n in _references(r.when))]
            assert ready, "cycle"  # validation refuses cycles
            if any(isinstance(c, m.EvidenceTest) for r in ready for c in _walk(r.when)):
                self.evidence_sufficient = any(
                    reaches(self.certainty_of(c), threshold) for c in cause_ids)
            for rule in ready:
                truth, certainty = self.evaluate(rule.when)
                if truth is True:
                    self.contributions.setdefault(rule.conclusion, []).append(
                        rule.certainty * certainty)
                    self.fired.setdefault(rule.conclusion, set()).add(rule.id)
            evaluated.extend(ready)
            waiting = [r for r in waiting if r not in ready]
        self.evidence_sufficient = any(reaches(self.certainty_of(c), threshold)
                                       for c in cause_ids)
        self.certainty = {k: combine(v) for k, v in self.contributions.items()}

    @staticmethod
    def _final(node: str, waiting: list[m.Rule], cause_ids: frozenset[str]) -> bool:
        if node == "\0evidence":
            return not any(r.conclusion in cause_ids for r in waiting)
        return not any(r.conclusion == node for r in waiting)

    def certainty_of(self, node: str) -> float:
        return combine(self.contributions[node]) if node in self.contributions else 0.0

    def evaluate(self, cond: m.Condition) -> tuple[Truth, float]:
        """The truth of ``cond`` and the certainty of that truth (0 when unknown)."""
        if isinstance(cond, m.Compare):
            g = self.given.get(cond.observation)
            if g is None:
                return None, 0.0
            return compare(cond.op, g.value, cond.operand), g.certainty
        if isinstance(cond, m.ConclusionTest):
            cf = self.certainty_of(cond.id)
            if reaches(cf, cond.min):
                return True, abs(cf)
            if reaches(-cf, cond.min):
                return False, abs(cf)
            return None, 0.0
        if isinstance(cond, m.EvidenceTest):
            return self.evidence_sufficient == cond.sufficient, 1.0
        if isinstance(cond, m.Not):
            truth, certainty = self.evaluate(cond.item)
            return (None if truth is None else not truth), certainty
        results = [self.evaluate(item) for item in cond.items]
        decisive = not isinstance(cond, m.All)
        hits = [c for t, c in results if t is decisive]
        if hits:  # all: some item is False; any: some item is True
            return decisive, max(hits)
        if any(t is None for t, _ in results):
            return None, 0.0
        return not decisive, min(c for _, c in results)


def _walk(cond: m.Condition) -> list[m.Condition]:
    if isinstance(cond, m.All | m.Any):
        return [cond, *(c for item in cond.items for c in _walk(item))]
    if isinstance(cond, m.Not):
        return [cond, *_walk(cond.item)]
    return [cond]


def _references(cond: m.Condition) -> set[str]:
    out: set[str] = set()
    for c in _walk(cond):
        if isinstance(c, m.ConclusionTest):
            out.add(c.id)
        elif isinstance(c, m.EvidenceTest):
            out.add("\0evidence")
    return out


def expected(kb: Any, given: Mapping[str, Given], threshold: float) -> dict[str, Any]:
    """What a diagnosis of ``given`` must report, in the shape of :func:`observed`."""
    ref = Reference(kb.rules, frozenset(kb.causes), given, threshold)
    cf = ref.certainty
    return {
        "causes": {k: v for k, v in cf.items() if k in kb.causes},
        "findings": {k: v for k, v in cf.items() if k in kb.findings and v > 0},
        "recommendations": {k: v for k, v in cf.items()
                            if k in kb.recommendations and reaches(v, threshold)},
        "fired": {k: v for k, v in ref.fired.items()
                  if k in kb.causes or (k in kb.findings and cf[k] > 0)
                  or (k in kb.recommendations and reaches(cf[k], threshold))},
        "insufficient_evidence": not any(reaches(v, threshold) for k, v in cf.items()
                                         if k in kb.causes),
    }


def observed(dx: Any) -> dict[str, Any]:
    """The same figures read from a library :class:`~rejection_diagnosis.Diagnosis`."""
    advice = (*dx.coping, *dx.next_steps)
    return {
        "causes": {c.id: c.certainty for c in dx.considered},
        "findings": {f.id: f.certainty for f in dx.findings},
        "recommendations": {a.id: a.certainty for a in advice},
        "fired": {**{c.id: {x.rule_id for x in c.contributions} for c in (*dx.considered,
                                                                         *dx.findings)},
                  **{a.id: {x.rule_id for x in a.why} for a in advice}},
        "insufficient_evidence": dx.insufficient_evidence,
    }


def agree(want: dict[str, Any], got: dict[str, Any], tolerance: float = 1e-9) -> bool:
    """Same conclusions, same fired rules, certainties within ``tolerance``."""
    for key in ("causes", "findings", "recommendations"):
        if set(want[key]) != set(got[key]):
            return False
        if any(abs(want[key][k] - got[key][k]) > tolerance for k in want[key]):
            return False
    return want["fired"] == got["fired"] and (
        want["insufficient_evidence"] == got["insufficient_evidence"])
