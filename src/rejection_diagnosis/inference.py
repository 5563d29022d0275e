"""Running a compiled program on one case: layers, certainty combination, explanation data.

The engine is reached through the :class:`~rejection_diagnosis._engine.Matcher` seam
only, with our own program and the case's values: which alternatives of a layer hold is
the matcher's answer; what they are worth, how they combine and what explains them is
decided here (with :mod:`.evaluator`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import model as m
from ._caches import per_object
from ._engine import DurableMatcher, Matcher
from .certainty import combine_totals, reaches, split_totals
from .compiler import Program, Test
from .conclusions import Contribution, Evidence
from .errors import EngineError
from .evaluator import alternative_strength, test_strength
from .observations import Given

__all__ = ["Inference", "Plan", "infer", "plan_for"]


class Inference:
    """What one run produced: contributions per conclusion and combined certainties."""

    __slots__ = ("certainty", "contributions", "evidence_sufficient", "fired", "totals")

    def __init__(self) -> None:
        self.fired: list[str] = []
        self.contributions: dict[str, list[Contribution]] = {}
        self.certainty: dict[str, float] = {}
        self.totals: dict[str, tuple[float, float]] = {}
        self.evidence_sufficient = False


_OBSERVATION, _CONCLUSION, _EVIDENCE = 0, 1, 2


class Plan:
    """What :func:`infer` reads on every case, worked out once per compiled program.

    * per rule alternative, its tests as plain tuples with their descriptions already
      rendered, so a fired rule's explanation costs no formatting, and the subjects they
      read (the memo key of its explanation);
    * ``memo``: the explanation objects already built for this program (see
      :func:`_contribution`), which live and die with the plan.
    """

    __slots__ = ("alternatives", "evidence_layer", "layer_count", "memo", "readers", "rules")

    def __init__(self, program: Program) -> None:
        self.rules = program.rules
        self.evidence_layer = program.evidence_layer
        self.layer_count = len(program.layers)
        self.alternatives: tuple[tuple[tuple[tuple[int, Test, str], ...], ...], ...] = tuple(
            tuple(tuple((_code(t), t, t.describe()) for t in alt.tests) for alt in alternatives)
            for alternatives in program.alternatives
        )
        # Per rule alternative: the observations and conclusions its tests read, and
        # whether it reads the evidence state (what its explanation depends on).
        self.readers: tuple[tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...], ...] = (
            tuple(tuple(_readers(alt.tests) for alt in alternatives)
                  for alternatives in program.alternatives))
        self.memo: dict[tuple[Any, ...], Contribution] = {}


def _readers(tests: tuple[Test, ...]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    observed = tuple(dict.fromkeys(t.subject for t in tests if t.kind == "observation"))
    concluded = tuple(dict.fromkeys(t.subject for t in tests
                                    if t.kind not in ("observation", "evidence")))
    return observed, concluded, any(t.kind == "evidence" for t in tests)


@per_object("inference.plans")
def plan_for(program: Program) -> Plan:
    """The :class:`Plan` of ``program``, made once and kept while the program lives."""
    return Plan(program)


def _code(test: Test) -> int:
    if test.kind == "observation":
        return _OBSERVATION
    return _EVIDENCE if test.kind == "evidence" else _CONCLUSION


def infer(program: Program, matcher: Matcher, given: Mapping[str, Given],
          cause_ids: frozenset[str], threshold: float, plan: Plan | None = None) -> Inference:
    """Run every layer of ``program`` on the case ``given``.

    ``plan`` is ``plan_for(program)`` (looked up when not given).
    """
    if plan is None:
        plan = plan_for(program)
    inf = Inference()
    observations = {k: g.value for k, g in given.items()}
    # The certainty of each conclusion that has one (a zero certainty is no fact at all).
    known: dict[str, float] = {}
    evidence: bool | None = None
    rules = plan.rules
    contributions = inf.contributions
    trusted = type(matcher) is DurableMatcher
    for layer in range(plan.layer_count):
        if layer == plan.evidence_layer:
            evidence = inf.evidence_sufficient = _sufficient(inf, cause_ids, threshold)
        if trusted:
            pairs: Iterable[tuple[int, int]] = matcher.matches(
                program, layer, observations, known, evidence)
        else:
            pairs = _checked(matcher, program, layer, observations, known, evidence)
        # Per layer, not per group: a rule too big for one engine group is spread over
        # several, and an alternative may be reported more than once.
        fired: dict[int, list[int]] = {}
        for rule_index, alt_index in pairs:
            alts = fired.get(rule_index)
            if alts is None:
                fired[rule_index] = [alt_index]
            elif alt_index not in alts:
                alts.append(alt_index)
        if not fired:
            continue
        touched: set[str] = set()
        for rule_index in sorted(fired) if len(fired) > 1 else fired:
            rule = rules[rule_index]
            alts = fired[rule_index]
            if len(alts) > 1:
                alts.sort()
            contribution = _contribution(plan, rule_index, rule, alts, given, inf)
            contributions.setdefault(rule.conclusion, []).append(contribution)
            inf.fired.append(rule.id)
            touched.add(rule.conclusion)
        for node in touched:
            spoken = contributions[node]
            if len(spoken) == 1:
                # What split_totals and combine_totals give for one contribution, exactly.
                certainty = spoken[0].contribution or 0.0  # never -0.0
                inf.totals[node] = ((certainty, 0.0) if certainty > 0 else
                                    (0.0, certainty) if certainty < 0 else (0.0, 0.0))
            else:
                positive, negative = split_totals([c.contribution for c in spoken])
                inf.totals[node] = (positive, negative)
                certainty = combine_totals(positive, negative)
            inf.certainty[node] = certainty
            if certainty != 0.0:
                known[node] = certainty
            else:
                known.pop(node, None)
    if plan.evidence_layer >= plan.layer_count:
        inf.evidence_sufficient = _sufficient(inf, cause_ids, threshold)
    return inf


def _checked(matcher: Matcher, program: Program, layer: int, observations: Mapping[str, Any],
             known: Mapping[str, float], evidence: bool | None) -> list[tuple[int, int]]:
    """A matcher's answer, with its failures and impossible answers as EngineErrors.

    A matcher's own failure must never pass for "no rule fired".
    """
    try:
        pairs = list(matcher.matches(program, layer, observations, known, evidence))
    except EngineError:
        raise
    except Exception as exc:
        ids = [program.rules[i].id for i in program.layers[layer]]
        raise EngineError(f"the matcher failed on rules {_listed(ids)}: {exc!r}") from exc
    for pair in pairs:
        if not (type(pair) is tuple and len(pair) == 2
                and all(type(i) is int for i in pair)
                and 0 <= pair[0] < len(program.rules)
                and program.rule_layer[pair[0]] == layer
                and 0 <= pair[1] < len(program.alternatives[pair[0]])):
            raise EngineError(f"the matcher reported unknown rule alternative {pair!r} in "
                              f"layer {layer}")
    return pairs


def _listed(ids: list[str]) -> str:
    listed = ", ".join(repr(r) for r in ids[:5])
    return listed + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _sufficient(inf: Inference, cause_ids: frozenset[str], threshold: float) -> bool:
    return any(reaches(inf.certainty.get(c, 0.0), threshold) for c in cause_ids)


#: Explanation objects are immutable, and the same rule fires on the same values again
#: and again (most observations are booleans): a fired rule's Contribution is reused for
#: equal inputs instead of being rebuilt with all its Evidence. Kept per plan, so that a
#: reloaded knowledge base takes its explanations with it (one process-wide memo keyed
#: by plan kept every reloaded plan alive: 0.4 MB per reload of the bundled rules).
#: Bounded; a full memo is simply emptied. Plain dict operations are atomic, so threads
#: can share it.
_MEMO_SIZE = 20_000


def _contribution(plan: Plan, rule_index: int, rule: m.Rule, alt_indexes: list[int],
                  given: Mapping[str, Given], inf: Inference) -> Contribution:
    readers = plan.readers[rule_index]
    certainty = inf.certainty
    inputs: list[Any] = [rule_index]
    for alt_index in alt_indexes:
        observed, concluded, evidence = readers[alt_index]
        inputs.append(alt_index)
        for subject in observed:
            g = given[subject]
            value = g.value
            # The type goes in the key: True == 1.0 for a dict, not for the explanation.
            inputs += (type(value), value, g.certainty)
        for subject in concluded:
            inputs.append(certainty[subject])
        if evidence:
            inputs.append(inf.evidence_sufficient)
    key = tuple(inputs)
    memo = plan.memo
    found = memo.get(key)
    if found is None:
        found = _build_contribution(plan, rule_index, rule, alt_indexes, given, inf)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = found
    return found


def _build_contribution(plan: Plan, rule_index: int, rule: m.Rule, alt_indexes: list[int],
                        given: Mapping[str, Given], inf: Inference) -> Contribution:
    # The engine found the alternatives that match; what each is worth is the evaluator's
    # (strongest alternative, each worth its weakest test; ties go to the first written).
    best: tuple[float, tuple[Evidence, ...]] | None = None
    alternatives = plan.alternatives[rule_index]
    evidence_state = inf.evidence_sufficient
    for alt_index in alt_indexes:
        evidence = []
        strengths = []
        for _, test, text in alternatives[alt_index]:
            found = test_strength(test, given, inf.certainty, evidence_state)
            if found is None:
                raise EngineError(f"rule {rule.id!r}: the engine matched a condition that does "
                                  f"not hold ({text})", rule.id)
            value, certainty = found
            strengths.append(certainty)
            evidence.append(Evidence(test.kind, test.subject, text, value, certainty))
        weakest = alternative_strength(strengths)
        if best is None or weakest > best[0]:
            best = (weakest, tuple(evidence))
    assert best is not None
    condition, evidence_used = best
    return Contribution(rule.id, rule.certainty, condition, rule.certainty * condition,
                        evidence_used, rule.because, rule.source, rule.location)
