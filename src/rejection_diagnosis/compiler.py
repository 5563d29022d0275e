"""Compiling a rule set into a layered, engine-neutral program.

The output is plain typed data: every rule's condition expanded into *alternatives*
(flat conjunctions of :class:`Test`), and the *layers* the rules run in. What a rule
engine makes of it (rulesets, property names, facts, the engine's own limits) belongs to
the engine adapter (:mod:`rejection_diagnosis._engine_program`); the evaluator, the
consultation and the test reference read the same program without any engine.

* a rule's condition is expanded into alternatives, each a conjunction of plain tests
  (no nesting, no negation left: it is pushed down to the test itself, so "known and
  different" never depends on what else is known);
* rules run in *layers*: a rule that tests a finding or a cause runs after every rule that
  concludes it (an evidence test after every cause rule), so each layer reads only
  conclusions that are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import attrs

from . import model as m
from .certainty import EPSILON
from .operators import HOLDS, OPERATORS, TestOp

__all__ = [
    "MAX_ALTERNATIVES",
    "MAX_TESTS_PER_ALTERNATIVE",
    "Alternative",
    "CompileLimitError",
    "Program",
    "Test",
    "compile_rules",
    "expand",
]

MAX_ALTERNATIVES = 64
MAX_TESTS_PER_ALTERNATIVE = 24

SubjectKind = Literal["observation", "finding", "cause", "evidence"]


class CompileLimitError(ValueError):
    """A condition is too large to compile (too many alternatives or tests), or too large
    for the engine to hold (raised by the engine adapter, naming the rule)."""

    def __init__(self, message: str, rule_index: int | None = None) -> None:
        super().__init__(message)
        #: The index of the rule concerned, when compiling a whole rule set.
        self.rule_index = rule_index


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

    def holds(self, value: Any) -> bool:
        """Evaluate the test on a known value (the reference semantics)."""
        return HOLDS[self.op](value, self.value)

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


@attrs.frozen
class Program:
    """A compiled rule set: alternatives per rule, and the rules of each layer."""

    rules: tuple[m.Rule, ...]
    alternatives: tuple[tuple[Alternative, ...], ...]
    #: The indexes of the rules of each layer, in rule order.
    layers: tuple[tuple[int, ...], ...]
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
        return [tuple(_test(cond, op, operand, negate) for op, operand in tests)
                for tests in OPERATORS[cond.op].lower(cond.operand, negate)]
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
    layers = tuple(tuple(i for i in range(len(rules)) if rule_layer[i] == layer)
                   for layer in range(count))
    return Program(tuple(rules), alternatives, layers,
                   tuple(rule_layer[i] for i in range(len(rules))), evidence_layer)
