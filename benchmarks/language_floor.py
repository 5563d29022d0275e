"""The language floor: the same rules precompiled to plain Python, no engine at all.

Every alternative of every compiled rule (``kb.program``) becomes one generated Python
expression over the case's property dict (named as the engine names them) (``'o_x' in v and v['o_x'] >= 3.0 and ...``),
compiled once. Alternatives are indexed by the property of their first test (the one the
engine's existence test reads), so a case only evaluates the alternatives whose first
property it knows: the plain-Python counterpart of the engine's alpha network. Layers,
certainties and the MYCIN combination are the engine floor's (:mod:`engine_floor`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine_floor import OBSERVATION, Answer, Plan, answer, settle

from rejection_diagnosis import KnowledgeBase
from rejection_diagnosis._engine_program import EVIDENCE_PROPERTY, prop_name
from rejection_diagnosis.certainty import reaches
from rejection_diagnosis.compiler import Test

__all__ = ["LanguageFloor"]

_OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _source(test: Test) -> str:
    p, v = repr(prop_name(test.kind, test.subject)), test.value
    if test.op == "eq":
        return f"v.get({p}) == {v!r}"
    if test.op == "in":
        return f"v.get({p}, None) in {tuple(v)!r}"
    known = f"{p} in v and v[{p}]"
    if test.op == "ne":
        return f"({known} != {v!r})"
    if test.op == "nin":
        return f"({known} not in {tuple(v)!r})"
    return f"({known} {_OPS[test.op]} {v!r})"


class LanguageFloor:
    """Evaluates a knowledge base's compiled rules with generated Python expressions."""

    def __init__(self, kb: KnowledgeBase, threshold: float = 0.2) -> None:
        self.plan = Plan(kb)
        self.threshold = threshold
        program = kb.program
        # Per layer: first property -> [(predicate, rule index, alternative index)].
        self.index: list[dict[str, list[tuple[Callable[[dict[str, Any]], bool], int, int]]]] = [
            {} for _ in program.layers
        ]
        for rule, alternatives in enumerate(program.alternatives):
            layer = self.index[program.rule_layer[rule]]
            for alt in alternatives:
                # eval of our own generated code: one compiled expression per alternative.
                predicate = eval("lambda v: " + " and ".join(_source(t) for t in alt.tests))
                first = alt.tests[0]
                layer.setdefault(prop_name(first.kind, first.subject), []).append(
                    (predicate, rule, alt.index))

    def run(self, case: Mapping[str, Any]) -> Answer:
        """The answer for one case (taken as valid)."""
        plan = self.plan
        values: dict[str, Any] = {}
        sure: dict[str, float] = {}
        for key, item in case.items():
            if isinstance(item, dict):
                values[OBSERVATION + key] = item["value"]
                sure[key] = item["certainty"]
            else:
                values[OBSERVATION + key] = item
                sure[key] = 1.0
        certainty: dict[str, float] = {}
        contributions: dict[str, list[float]] = {}
        threshold = self.threshold
        subjects = plan.subjects
        for layer, index in enumerate(self.index):
            if layer == plan.evidence_layer:
                sufficient = any(reaches(certainty.get(c, 0.0), threshold) for c in plan.causes)
                values[EVIDENCE_PROPERTY] = "sufficient" if sufficient else "insufficient"
            fired: dict[int, float] = {}
            for prop in list(values):
                for predicate, rule, alt in index.get(prop, ()):
                    if predicate(values):
                        weakest = 1.0
                        for kind, subject in subjects[rule][alt]:
                            c = (sure[subject] if kind == 0 else
                                 abs(certainty[subject]) if kind == 1 else 1.0)
                            weakest = min(weakest, c)
                        if weakest > fired.get(rule, -1.0):
                            fired[rule] = weakest
            settle(plan, fired, contributions, certainty, values)
        return answer(plan, certainty, threshold)
