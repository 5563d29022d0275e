"""The engine's floor: the least work durable-rules must do for a knowledge base and a case.

It runs the *same compiled rulesets* as the library (``kb.program`` as the engine adapter
groups it, ``engine_program``: the same engine rule definitions, registered here under
their own names) on the *same facts* (one fact per case
per rule group, layer after layer), and does only what is needed to get the answer:

* no observation checking (the case is taken as valid), no explanation objects, no ranking;
* per layer and group: build the fact, ``json.dumps`` it, ``assert_fact``, drain the actions
  (``start_action_for_state`` / ``complete_and_start_action``), ``retract_fact``;
* the certainty of each fired rule's condition (the weakest test of its best alternative)
  and the MYCIN combination per conclusion, which the next layer's fact needs.

It imports the engine's C module (``rejection_diagnosis._durable_engine``) because it is
a benchmark, not library code. Single-threaded; no lock, no recovery from interruptions (the library has both).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rejection_diagnosis import KnowledgeBase
from rejection_diagnosis import _durable_engine as dre
from rejection_diagnosis._engine_program import EVIDENCE_PROPERTY, engine_program, prop_name
from rejection_diagnosis.certainty import combine_many, reaches

__all__ = ["Answer", "EngineFloor", "Plan", "answer", "answer_of", "settle"]

# The engine's property names, as prefixes (the floors build facts themselves).
OBSERVATION = prop_name("observation", "")
CONCLUSION = prop_name("cause", "")

#: What the floors and the library are compared on: reported causes and recommendations
#: with their certainties (rounded to 9 places against float noise), sorted by id.
Answer = tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]


def answer_of(dx: Any) -> Answer:
    """The :data:`Answer` of a library :class:`~rejection_diagnosis.Diagnosis`."""
    causes = tuple(sorted((c.id, round(c.certainty, 9)) for c in dx.causes))
    recs = tuple(sorted((a.id, round(a.certainty, 9)) for a in (*dx.coping, *dx.next_steps)))
    return causes, recs


def _combine(contributions: list[float]) -> float:
    # The library's own arithmetic (pure functions): the floors differ in how rules are
    # matched and results built, not in how certainties add up.
    return combine_many(contributions)


class Plan:
    """What a driver needs from ``kb.program``, flattened to tuples and dicts."""

    def __init__(self, kb: KnowledgeBase) -> None:
        program = kb.program
        self.evidence_layer = program.evidence_layer
        self.causes = frozenset(kb.causes)
        self.recommendations = frozenset(kb.recommendations)
        self.conclusion = tuple(r.conclusion for r in program.rules)
        self.cf = tuple(r.certainty for r in program.rules)
        # Per rule and alternative: the subjects whose certainty bounds the condition
        # (kind code 0 observation, 1 conclusion, 2 evidence).
        self.subjects = tuple(
            tuple(tuple((0 if t.kind == "observation" else 1 if t.kind != "evidence" else 2,
                         t.subject) for t in alt.tests) for alt in alternatives)
            for alternatives in program.alternatives
        )
        # Property -> the groups of each layer that read it, so a case only visits the
        # groups its known properties can fire.
        self.layers: list[tuple[list[Any], dict[str, list[int]]]] = []
        for layer in engine_program(program).layers:
            groups = layer.groups
            index: dict[str, list[int]] = {}
            for n, group in enumerate(groups):
                for prop in group.properties:
                    index.setdefault(prop, []).append(n)
            self.layers.append((list(groups), index))


class EngineFloor:
    """Runs a knowledge base's compiled rulesets on durable-rules' C core, nothing more."""

    def __init__(self, kb: KnowledgeBase, threshold: float = 0.2) -> None:
        self.plan = Plan(kb)
        self.threshold = threshold
        self.handles: list[list[int]] = []
        for groups, _ in self.plan.layers:
            self.handles.append([
                dre.create_ruleset("floor_" + group.key, group.definition_json) for group in groups
            ])

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
        for layer, ((groups, index), handles) in enumerate(zip(plan.layers, self.handles,
                                                              strict=True)):
            if layer == plan.evidence_layer:
                sufficient = any(reaches(certainty.get(c, 0.0), threshold) for c in plan.causes)
                values[EVIDENCE_PROPERTY] = "sufficient" if sufficient else "insufficient"
            visit = sorted({n for p in values for n in index.get(p, ())})
            fired: dict[int, float] = {}
            for n in visit:
                group = groups[n]
                props = group.properties
                fact = {p: v for p, v in values.items() if p in props}
                fact["id"] = "case"
                payload = json.dumps(fact)
                handle = handles[n]
                result = dre.assert_fact(handle, payload)
                names = []
                if result[0] == 0:
                    state = result[1]
                    started = dre.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        names.append(message[2: message.index('"', 2)])
                        message = dre.complete_and_start_action(handle, state)
                dre.retract_fact(handle, payload)
                actions = group.actions
                for name in names:
                    keep_fired(plan, actions[name], sure, certainty, fired)
            settle(plan, fired, contributions, certainty, values)
        return answer(plan, certainty, threshold)


def keep_fired(plan: Plan, alternatives: Iterable[tuple[int, int]], sure: Mapping[str, float],
               certainty: Mapping[str, float], fired: dict[int, float]) -> None:
    """Record each fired (rule, alternative) at its condition's strength in ``fired``.

    An alternative is worth its weakest test (an observation's given certainty, a
    conclusion's absolute certainty, evidence 1); a rule keeps its strongest alternative.
    """
    for rule, alt in alternatives:
        weakest = 1.0
        for kind, subject in plan.subjects[rule][alt]:
            c = (sure[subject] if kind == 0 else
                 abs(certainty[subject]) if kind == 1 else 1.0)
            weakest = min(weakest, c)
        if weakest > fired.get(rule, -1.0):
            fired[rule] = weakest


def settle(plan: Plan, fired: dict[int, float], contributions: dict[str, list[float]],
           certainty: dict[str, float], values: dict[str, Any]) -> None:
    """Add a layer's fired rules to their conclusions and recombine those certainties."""
    touched = set()
    for rule, condition in fired.items():
        node = plan.conclusion[rule]
        contributions.setdefault(node, []).append(plan.cf[rule] * condition)
        touched.add(node)
    for node in touched:
        cf = _combine(contributions[node])
        certainty[node] = cf
        if cf != 0.0:
            values[CONCLUSION + node] = cf
        else:
            values.pop(CONCLUSION + node, None)


def answer(plan: Plan, certainty: dict[str, float], threshold: float) -> Answer:
    causes = tuple(sorted((n, round(c, 9)) for n, c in certainty.items()
                          if n in plan.causes and reaches(c, threshold)))
    recs = tuple(sorted((n, round(c, 9)) for n, c in certainty.items()
                        if n in plan.recommendations and reaches(c, threshold)))
    return causes, recs
