"""The one meaning of a compiled rule: when a test holds and what a condition is worth.

Every feature that asks "does this condition hold, and how strongly" calls these functions:
inference (which lets the engine find the alternatives that match, then weighs them here),
the consultation (which evaluates the answers it is thinking of asking about without the
engine, to try hundreds of them per question), and the explanations. Only the reference
evaluator in the tests is a deliberate second implementation.

The semantics, in one place:

* an observation test holds when the observation is known and :meth:`Test.holds` its value;
  its strength is the certainty the candidate gave the answer;
* a finding or cause test holds when the conclusion has a non-zero certainty (a zero
  certainty is no fact at all for the engine) that :meth:`Test.holds`; its strength is
  the absolute certainty;
* an evidence test holds on the "sufficient"/"insufficient" value; its strength is 1;
* an alternative holds when all its tests hold, worth its weakest test (fuzzy "all");
* a rule holds when any alternative holds, worth its strongest (fuzzy "any"; ties go to
  the first written); it contributes ``certainty_factor × condition``;
* a conclusion's certainty combines every contribution (:mod:`.certainty`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .certainty import combine_totals, reaches, split_totals
from .compiler import Alternative, Program, Test
from .observations import Given

__all__ = [
    "Evaluation",
    "alternative_strength",
    "combined",
    "evaluate",
    "rule_strength",
    "run_rules",
    "test_strength",
]


def test_strength(test: Test, given: Mapping[str, Given], certainty: Mapping[str, float],
                  evidence: bool | None) -> tuple[Any, float] | None:
    """The value a test read and its strength, or None when the test does not hold.

    Args:
        given: the known observations.
        certainty: the combined certainty of each finding and cause so far.
        evidence: whether some cause reaches the threshold (None before causes are final).
    """
    if test.kind == "observation":
        g = given.get(test.subject)
        if g is None or not test.holds(g.value):
            return None
        return g.value, g.certainty
    if test.kind == "evidence":
        if evidence is None:
            return None
        value = "sufficient" if evidence else "insufficient"
        return (value, 1.0) if test.holds(value) else None
    cf = certainty.get(test.subject, 0.0)
    if cf == 0.0 or not test.holds(cf):
        return None
    return cf, abs(cf)


def alternative_strength(strengths: Iterable[float]) -> float:
    """An alternative whose tests all hold is worth its weakest test."""
    weakest = 1.0
    for s in strengths:
        if s < weakest:
            weakest = s
    return weakest


def rule_strength(alternatives: Sequence[Alternative], given: Mapping[str, Given],
                  certainty: Mapping[str, float], evidence: bool | None) -> float | None:
    """The condition certainty of a rule (its strongest holding alternative), or None."""
    best: float | None = None
    for alt in alternatives:
        strengths: list[float] = []
        for t in alt.tests:
            found = test_strength(t, given, certainty, evidence)
            if found is None:
                break
            strengths.append(found[1])
        else:
            worth = alternative_strength(strengths)
            if best is None or worth > best:
                best = worth
    return best


def combined(contributions: Iterable[float]) -> float:
    """The certainty of a conclusion from every contribution to it."""
    return combine_totals(*split_totals(contributions))


class Evaluation:
    """Certainties of findings and causes for one case, and each fired rule's contribution.

    What the consultation re-evaluates answer by answer; :func:`evaluate` computes one
    from scratch and :meth:`with_answers` from another one, re-evaluating only the rules
    the changed observations can reach.
    """

    __slots__ = ("certainty", "contribution")

    def __init__(self, certainty: dict[str, float], contribution: dict[int, float]) -> None:
        #: Combined certainty by finding or cause id (absent: no rule fired).
        self.certainty = certainty
        #: Contribution by rule index, for the rules that fired.
        self.contribution = contribution

    def supporting(self, concluders: Sequence[int]) -> int:
        """How many of the rules ``concluders`` contributed positively (a ranking component)."""
        return sum(1 for i in concluders if self.contribution.get(i, 0.0) > 0)

    def reported(self, causes: Iterable[str], threshold: float) -> list[str]:
        """The causes whose certainty reaches ``threshold``."""
        return [c for c in causes if reaches(self.certainty.get(c, 0.0), threshold)]


def run_rules(program: Program, order: Iterable[int], given: Mapping[str, Given],
              base: Evaluation, concluders: Mapping[str, Sequence[int]]) -> Evaluation:
    """``base`` re-evaluated on ``given`` for the rules ``order`` (sorted by layer).

    Findings and causes only: evidence tests belong to recommendation rules, which the
    consultation weighs with full diagnoses.
    """
    certainty = dict(base.certainty)
    contribution = dict(base.contribution)
    touched: set[str] = set()
    layer = -1

    def recombine() -> None:
        for node in touched:
            spans = [contribution[j] for j in concluders[node] if j in contribution]
            if spans:
                certainty[node] = combined(spans)
            else:
                certainty.pop(node, None)
        touched.clear()

    for i in order:
        if program.rule_layer[i] != layer:
            recombine()
            layer = program.rule_layer[i]
        strength = rule_strength(program.alternatives[i], given, certainty, None)
        if strength is None:
            contribution.pop(i, None)
        else:
            contribution[i] = program.rules[i].certainty * strength
        touched.add(program.rules[i].conclusion)
    recombine()
    return Evaluation(certainty, contribution)


def evaluate(program: Program, order: Iterable[int], given: Mapping[str, Given],
             concluders: Mapping[str, Sequence[int]]) -> Evaluation:
    """The certainties of ``given`` from scratch, without the engine (same semantics)."""
    return run_rules(program, order, given, Evaluation({}, {}), concluders)
