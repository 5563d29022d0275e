"""Compiling a rule set into flat, layered matching programs.

The shape follows what measured fastest and stayed correct on durable-rules (see
``shared/notes/durable-rules.md``):

* a rule's condition is expanded into *alternatives*, each a flat conjunction of plain
  tests on one fact (no nested ``$and``, no ``$not``; negation is pushed down to the test
  itself, so "known and different" never depends on arrival order);
* each alternative starts with an existence test on one of its properties (avoids the
  compile-time hang on large rule sets and the self-matching state fact);
* identical alternatives are compiled once and shared (avoids error 108);
* rules run in *layers*: a rule that tests a finding or a cause runs after every rule that
  concludes it, fed one fact that carries the combined certainties so far;
* a layer is split into as many groups as the engine's limits need (properties per fact,
  the matching stack, children per test, hash collisions: see :mod:`._alpha`), so that
  no case of a valid rule set can overflow the engine.

Nothing here imports durable-rules: the output is plain data that
:mod:`rejection_diagnosis._engine` registers, and that a reference evaluator can run too.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from . import model as m
from ._alpha import AlphaNetwork
from .certainty import EPSILON

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_TESTS_PER_ALTERNATIVE",
    "Alternative",
    "CompileLimitError",
    "Group",
    "Program",
    "Test",
    "compile_rules",
    "expand",
]

MAX_ALTERNATIVES = 64
MAX_TESTS_PER_ALTERNATIVE = 24

TestOp = Literal["eq", "ne", "in", "nin", "lt", "le", "gt", "ge"]
SubjectKind = Literal["observation", "finding", "cause", "evidence"]

EVIDENCE_PROPERTY = "s_evidence"
_COMPLEMENT: dict[str, TestOp] = {
    "eq": "ne", "ne": "eq", "in": "nin", "nin": "in", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le",
}


class CompileLimitError(ValueError):
    """A condition is too large to compile (too many alternatives or tests)."""

    def __init__(self, message: str, rule_index: int | None = None) -> None:
        super().__init__(message)
        #: The index of the rule concerned, when compiling a whole rule set.
        self.rule_index = rule_index


def prop_name(kind: SubjectKind, ident: str) -> str:
    """The engine property that carries an observation or a conclusion's certainty."""
    if kind == "observation":
        return "o_" + ident
    if kind == "evidence":
        return EVIDENCE_PROPERTY
    return "c_" + ident


@attrs.frozen
class Test:
    """One plain test on one property of the case fact (negation already applied)."""

    kind: SubjectKind
    subject: str
    op: TestOp
    value: Any
    negated: bool
    # The atomic condition the test came from (negation is pushed down to these).
    source: m.Compare | m.ConclusionTest | m.EvidenceTest

    @property
    def prop(self) -> str:
        """The fact property this test reads."""
        return prop_name(self.kind, self.subject)

    def holds(self, value: Any) -> bool:
        """Evaluate the test on a known value (the reference semantics)."""
        op, v = self.op, self.value
        if op == "eq":
            return bool(value == v)
        if op == "ne":
            return bool(value != v)
        if op == "in":
            return value in v
        if op == "nin":
            return value not in v
        if op == "lt":
            return bool(value < v)
        if op == "le":
            return bool(value <= v)
        if op == "gt":
            return bool(value > v)
        return bool(value >= v)

    def durable(self) -> list[dict[str, Any]]:
        """The test in durable-rules' JSON expression language (flat)."""
        p, v = self.prop, self.value
        if self.op == "eq":
            return [{p: v}]
        if self.op == "ne":
            return [{"$neq": {p: v}}]
        if self.op == "in":
            return [{p: v[0]}] if len(v) == 1 else [{"$or": [{p: x} for x in v]}]
        if self.op == "nin":
            return [{"$neq": {p: x}} for x in v]
        return [{"$" + {"lt": "lt", "le": "lte", "gt": "gt", "ge": "gte"}[self.op]: {p: v}}]

    def describe(self) -> str:
        """The test as written by the rule author, with ``not`` where it was negated."""
        text = self.source.describe()
        return f"not ({text})" if self.negated else text


@attrs.frozen
class Alternative:
    """A conjunction of tests; a rule holds when any of its alternatives holds."""

    rule_index: int
    index: int
    tests: tuple[Test, ...]

    def durable(self) -> dict[str, Any]:
        """The alternative as one flat ``$and``, led by an existence test."""
        expression: list[dict[str, Any]] = [{"$ex": {self.tests[0].prop: 1}}]
        for test in self.tests:
            expression.extend(test.durable())
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
class Program:
    """A compiled rule set: alternatives per rule and the groups of each layer."""

    rules: tuple[m.Rule, ...]
    alternatives: tuple[tuple[Alternative, ...], ...]
    layers: tuple[tuple[Group, ...], ...]
    rule_layer: tuple[int, ...]
    # The first layer in which causes are all final (evidence can be tested from there on).
    evidence_layer: int


def _combine(left: list[tuple[Test, ...]], right: list[tuple[Test, ...]]) -> list[tuple[Test, ...]]:
    out = [a + b for a in left for b in right]
    if len(out) > MAX_ALTERNATIVES:
        raise CompileLimitError(
            f"condition expands to more than {MAX_ALTERNATIVES} alternatives; split the rule "
            "or use 'in:' for alternative values"
        )
    return out


def expand(cond: m.Condition, negate: bool = False) -> list[tuple[Test, ...]]:
    """The condition as alternatives of plain tests (negation pushed to the tests).

    Three-valued logic is kept: a negated test holds only when its subject is known and the
    plain test fails, so De Morgan's laws and distribution remain valid.
    """
    if isinstance(cond, m.Compare):
        op: TestOp
        operand: Any = cond.operand
        if cond.op == "between":
            assert isinstance(operand, tuple)
            lo, hi = operand
            if negate:
                return [(_test(cond, "lt", lo, True),), (_test(cond, "gt", hi, True),)]
            return [(_test(cond, "ge", lo, False), _test(cond, "le", hi, False))]
        op = cond.op
        if op == "in" and isinstance(operand, tuple) and len(set(operand)) == 1:
            op, operand = "eq", operand[0]
        return [(_test(cond, _COMPLEMENT[op] if negate else op, operand, negate),)]
    if isinstance(cond, m.ConclusionTest):
        # EPSILON keeps float noise in a combined certainty from deciding the test.
        test = Test(cond.kind, cond.id, "le" if negate else "ge",
                    -cond.min + EPSILON if negate else cond.min - EPSILON, negate, cond)
        return [(test,)]
    if isinstance(cond, m.EvidenceTest):
        wanted = cond.sufficient != negate
        return [(Test("evidence", "evidence", "eq", "sufficient" if wanted else "insufficient",
                      negate, cond),)]
    if isinstance(cond, m.Not):
        return expand(cond.item, not negate)
    conjunctive = isinstance(cond, m.All) != negate
    parts = [expand(item, negate) for item in cond.items]
    if conjunctive:
        result: list[tuple[Test, ...]] = [()]
        for part in parts:
            result = _combine(result, part)
    else:
        result = [alt for part in parts for alt in part]
        if len(result) > MAX_ALTERNATIVES:
            raise CompileLimitError(
                f"condition expands to more than {MAX_ALTERNATIVES} alternatives; split the rule"
            )
    cleaned = []
    for alt in result:
        unique = tuple(dict.fromkeys(alt))
        if len(unique) > MAX_TESTS_PER_ALTERNATIVE:
            raise CompileLimitError(
                f"an alternative of this condition needs {len(unique)} tests; at most "
                f"{MAX_TESTS_PER_ALTERNATIVE}; split the rule into findings"
            )
        cleaned.append(unique)
    return cleaned


def _test(cond: m.Compare, op: TestOp, operand: Any, negated: bool) -> Test:
    value = tuple(operand) if isinstance(operand, tuple | list) else operand
    return Test("observation", cond.observation, op, value, negated, cond)


def _references(rule: m.Rule, alternatives: Sequence[Alternative]) -> set[str]:
    return {t.subject if t.kind != "evidence" else "\0evidence" for a in alternatives
            for t in a.tests if t.kind != "observation"}


def compile_rules(rules: Sequence[m.Rule], cause_ids: Iterable[str]) -> Program:
    """Compile validated rules (references resolved, no cycles) into a :class:`Program`.

    Raises:
        CompileLimitError: a rule's condition is too large to compile.
    """
    alternatives = tuple(
        tuple(Alternative(i, j, tests) for j, tests in enumerate(expand(rule.when)))
        for i, rule in enumerate(rules)
    )
    concluded_by: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        concluded_by.setdefault(rule.conclusion, []).append(i)
    causes = sorted(set(cause_ids))
    refs = [_references(rule, alternatives[i]) for i, rule in enumerate(rules)]

    rule_layer: dict[int, int] = {}
    node_layer: dict[str, int] = {}

    def needs(item: tuple[bool, Any]) -> list[tuple[bool, Any]]:
        is_rule, key = item
        if is_rule:
            return [(False, n) for n in refs[key]]
        if key == "\0evidence":
            return [(False, c) for c in causes]
        return [(True, r) for r in concluded_by.get(key, ())]

    def layer_of(start: tuple[bool, Any]) -> int:
        # A rule runs one layer after the latest node it reads; a node is known after the
        # latest rule concluding it (-1: only the case itself). Worked out with an explicit
        # stack: a chain of 1,000 findings is valid, and deeper than Python's own stack.
        stack = [start]
        open_items: set[tuple[bool, Any]] = set()
        while stack:
            item = stack[-1]
            is_rule, key = item
            if key in (rule_layer if is_rule else node_layer):
                stack.pop()
                continue
            pending = [d for d in needs(item) if d[1] not in (rule_layer if d[0] else node_layer)]
            if pending:
                if item in open_items:  # pragma: no cover - validation refuses cycles
                    raise ValueError(f"cycle through {key!r}")
                open_items.add(item)
                stack.extend(pending)
                continue
            stack.pop()
            if is_rule:
                rule_layer[key] = 1 + max((node_layer[n] for _, n in needs(item)), default=-1)
            else:
                node_layer[key] = max(((node_layer[n] if not r else rule_layer[n])
                                       for r, n in needs(item)), default=-1)
        return rule_layer[start[1]] if start[0] else node_layer[start[1]]

    def layer_of_node(node: str) -> int:
        return layer_of((False, node))

    for i in range(len(rules)):
        layer_of((True, i))
    evidence_layer = layer_of_node("\0evidence") + 1
    count = max(rule_layer.values(), default=-1) + 1
    layers = tuple(
        _groups(layer, [i for i in range(len(rules)) if rule_layer[i] == layer], alternatives)
        for layer in range(count)
    )
    return Program(tuple(rules), alternatives, layers,
                   tuple(rule_layer[i] for i in range(len(rules))), evidence_layer)


def _groups(layer: int, indexes: list[int],
            alternatives: Sequence[Sequence[Alternative]]) -> tuple[Group, ...]:
    # Rules are packed in order into groups that the engine is sure to hold for any case
    # (see _alpha): a group stops before the rule that would overflow it. A rule too big
    # for any group of its own is spread over several, alternative by alternative
    # (inference merges what fired per layer, so this changes no answer).
    groups: list[Group] = []
    pairs: list[tuple[int, int]] = []
    network = AlphaNetwork()
    durable = {(i, alt.index): alt.durable() for i in indexes for alt in alternatives[i]}
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
    props = frozenset(t.prop for i, j in pairs for t in alternatives[i][j].tests)
    indexes = tuple(dict.fromkeys(i for i, _ in pairs))
    return Group(layer, props, actions, json.dumps(definition, sort_keys=True), indexes)
