"""The engine's form of a compiled program: durable-rules rulesets, property names, facts.

The compiler speaks our own program (:class:`~rejection_diagnosis.compiler.Program`:
rules, alternatives of plain tests, layers). This module alone turns it into what
durable-rules 2.0.28 runs, and alone knows that dialect:

* **one fact per case**: an observation is the property ``o_<id>`` of the case fact, a
  finding's or cause's certainty so far ``c_<id>``, the evidence state ``s_evidence``;
* **one engine rule per distinct alternative**: a single pattern whose test is one flat
  ``$and`` led by an existence test (``$ex``) on one of its properties (avoids the
  compile-time hang on large rule sets and the self-matching state fact); an ``in:`` test
  is one ``$or``; identical alternatives are registered once (avoids error 108);
* **groups**: a layer is split into as many engine rulesets as the engine's limits need
  (properties per fact, the matching stack, children per test, hash collisions: see
  :mod:`._alpha`), so that no case of a valid rule set can overflow the engine.

Nothing here calls the engine (:mod:`._engine` registers and drives what this builds), so
it can be built and checked at load time, and validation can refuse, located, a rule no
group can hold.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, assert_never

import attrs

from ._alpha import AlphaNetwork
from ._caches import per_object
from .compiler import Alternative, CompileLimitError, Program, SubjectKind, Test
from .operators import TestOp

__all__ = [
    "EVIDENCE_PROPERTY",
    "EngineLayer",
    "EngineProgram",
    "Group",
    "alternative_expression",
    "engine_program",
    "prop_name",
    "test_expression",
]

EVIDENCE_PROPERTY = "s_evidence"
_COMPARISONS: dict[TestOp, str] = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def prop_name(kind: SubjectKind, ident: str) -> str:
    """The fact property that carries an observation or a conclusion's certainty."""
    if kind == "observation":
        return "o_" + ident
    if kind == "evidence":
        return EVIDENCE_PROPERTY
    return "c_" + ident


def test_expression(test: Test) -> list[dict[str, Any]]:
    """A test in durable-rules' JSON expression language (flat items of one ``$and``)."""
    p, v = prop_name(test.kind, test.subject), test.value
    # Exhaustive over the primitive tests of the program (operators.TestOp): a new
    # primitive is a type error here until the engine's dialect for it is written.
    match test.op:
        case "eq":
            return [{p: v}]
        case "ne":
            return [{"$neq": {p: v}}]
        case "in":
            return [{p: v[0]}] if len(v) == 1 else [{"$or": [{p: x} for x in v]}]
        case "nin":
            return [{"$neq": {p: x}} for x in v]
        case "lt" | "le" | "gt" | "ge":
            return [{_COMPARISONS[test.op]: {p: v}}]
        case _:
            assert_never(test.op)


def alternative_expression(alternative: Alternative) -> dict[str, Any]:
    """An alternative as one flat ``$and``, led by an existence test."""
    first = alternative.tests[0]
    expression: list[dict[str, Any]] = [{"$ex": {prop_name(first.kind, first.subject): 1}}]
    for test in alternative.tests:
        expression.extend(test_expression(test))
    return {"$and": expression}


@attrs.frozen
class Group:
    """Rules of one layer that share one engine ruleset and one case fact."""

    layer: int
    properties: frozenset[str]
    # Engine rule name -> the (rule index, alternative index) pairs it stands for.
    actions: Mapping[str, tuple[tuple[int, int], ...]]
    definition_json: str
    rule_indexes: tuple[int, ...]

    @functools.cached_property
    def key(self) -> str:
        """A name for the group's compiled ruleset, unique to its content."""
        return "rd_" + hashlib.sha256(self.definition_json.encode()).hexdigest()[:32]

    def definition(self) -> dict[str, dict[str, Any]]:
        """A fresh copy of the engine definition (the engine mutates what it is given)."""
        return dict(json.loads(self.definition_json))


@attrs.frozen
class EngineLayer:
    """The groups of one layer, and which of them each known subject can make fire.

    Every engine rule starts with an existence test, so a group none of whose
    properties the case knows cannot fire and is never asserted into.
    """

    groups: tuple[Group, ...]
    #: observation id -> the groups reading it.
    by_observation: Mapping[str, tuple[int, ...]]
    #: finding or cause id -> the groups reading its certainty.
    by_conclusion: Mapping[str, tuple[int, ...]]
    #: the groups reading the evidence state.
    by_evidence: tuple[int, ...]


@attrs.frozen
class EngineProgram:
    """A program as engine groups, layer by layer, with the fact text of each subject."""

    layers: tuple[EngineLayer, ...]
    #: observation id -> the JSON text that opens its property in a fact (``"o_x":``).
    observation_key: Mapping[str, str]
    #: finding or cause id -> the same for its certainty (``"c_x":``).
    conclusion_key: Mapping[str, str]




@per_object("engine.programs")
def engine_program(program: Program) -> EngineProgram:
    """The engine's form of ``program``, built once and kept while the program lives.

    Raises:
        CompileLimitError: an alternative is more than any engine group can hold
            (``rule_index`` names its rule).
    """
    return _build(program)


def _build(program: Program) -> EngineProgram:
    layers = []
    observation_key: dict[str, str] = {}
    conclusion_key: dict[str, str] = {}
    for layer, indexes in enumerate(program.layers):
        groups = _groups(layer, list(indexes), program.alternatives)
        by_observation: dict[str, list[int]] = {}
        by_conclusion: dict[str, list[int]] = {}
        by_evidence: list[int] = []
        for n, group in enumerate(groups):
            subjects = {(t.kind, t.subject) for i, j in _pairs(group)
                        for t in program.alternatives[i][j].tests}
            for kind, subject in sorted(subjects):
                text = json.dumps(prop_name(kind, subject)) + ":"
                if kind == "observation":
                    by_observation.setdefault(subject, []).append(n)
                    observation_key[subject] = text
                elif kind == "evidence":
                    by_evidence.append(n)
                else:
                    by_conclusion.setdefault(subject, []).append(n)
                    conclusion_key[subject] = text
        layers.append(EngineLayer(
            groups, {k: tuple(v) for k, v in by_observation.items()},
            {k: tuple(v) for k, v in by_conclusion.items()}, tuple(by_evidence)))
    return EngineProgram(tuple(layers), observation_key, conclusion_key)


def _pairs(group: Group) -> list[tuple[int, int]]:
    return [pair for pairs in group.actions.values() for pair in pairs]


def _groups(layer: int, indexes: list[int],
            alternatives: Sequence[Sequence[Alternative]]) -> tuple[Group, ...]:
    # Rules are packed in order into groups that the engine is sure to hold for any case
    # (see _alpha): a group stops before the rule that would overflow it. A rule too big
    # for any group of its own is spread over several, alternative by alternative
    # (inference merges what fired per layer, so this changes no answer).
    groups: list[Group] = []
    pairs: list[tuple[int, int]] = []
    network = AlphaNetwork()
    durable = {(i, alt.index): alternative_expression(alt)
               for i in indexes for alt in alternatives[i]}
    for i in indexes:
        mine = [(i, alt.index) for alt in alternatives[i]]
        if network.add(durable[pair] for pair in mine) is None:
            pairs.extend(mine)
            continue
        if pairs:
            groups.append(_group(layer, pairs, alternatives, durable))
            pairs, network = [], AlphaNetwork()
        if network.add(durable[pair] for pair in mine) is None:
            pairs.extend(mine)
            continue
        for pair in mine:
            expression = durable[pair]
            reason = network.add((expression,))
            if reason is not None and pairs:
                groups.append(_group(layer, pairs, alternatives, durable))
                pairs, network = [], AlphaNetwork()
                reason = network.add((expression,))
            if reason is not None:
                raise CompileLimitError(
                    f"an alternative of this condition is more than the engine can hold: {reason}",
                    rule_index=i)
            pairs.append(pair)
    if pairs:
        groups.append(_group(layer, pairs, alternatives, durable))
    return tuple(groups)


def _group(layer: int, pairs: list[tuple[int, int]],
           alternatives: Sequence[Sequence[Alternative]],
           durable: Mapping[tuple[int, int], dict[str, Any]]) -> Group:
    by_expression: dict[str, list[tuple[int, int]]] = {}
    expressions: dict[str, dict[str, Any]] = {}
    for i, j in pairs:
        expression = durable[(i, j)]
        key = json.dumps(expression, sort_keys=True)
        by_expression.setdefault(key, []).append((i, j))
        expressions[key] = expression
    definition: dict[str, Any] = {}
    actions: dict[str, tuple[tuple[int, int], ...]] = {}
    for n, (key, expression_pairs) in enumerate(by_expression.items()):
        name = f"a{n}"
        definition[name] = {"all": [{"m": expressions[key]}]}
        actions[name] = tuple(expression_pairs)
    props = frozenset(prop_name(t.kind, t.subject) for i, j in pairs
                      for t in alternatives[i][j].tests)
    indexes = tuple(dict.fromkeys(i for i, _ in pairs))
    return Group(layer, props, actions, json.dumps(definition, sort_keys=True), indexes)
