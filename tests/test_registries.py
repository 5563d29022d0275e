"""The registries of observation types and operators: one place each, used everywhere.

A type (:mod:`rejection_diagnosis.observation_types`) or an operator
(:mod:`rejection_diagnosis.operators`) is defined once; every other module asks the
registry. These tests hold that: no module outside the registries dispatches on a type's or
an operator's name, the published schema and the authoring guide list exactly what the
registries define, and a type or an operator registered here (and in the schema, the one
other file the code reads) flows through loading, validation, compilation, the engine, the evaluator and
the consultation with no other change.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis import loader, observation_types, operators
from rejection_diagnosis._caches import clear_caches
from rejection_diagnosis.consultation.answers import parse_answer
from rejection_diagnosis.observation_types import TYPES, Declared, Number
from rejection_diagnosis.operators import OPERATORS, OperatorSpec

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "rejection_diagnosis"

#: Modules that may spell the names: the registries, and the engine's fence, which alone
#: writes the program's primitive tests (operators.TestOp) in durable-rules' dialect
#: (an exhaustive match there) and reads durable's own operators back (_alpha).
REGISTRIES = {"observation_types.py", "operators.py"}
ENGINE_DIALECT = {"_engine_program.py", "_alpha.py"}


def _dispatches(tree: ast.AST, names: frozenset[str], subjects: frozenset[str]) -> Iterator[int]:
    """Lines where a name is compared with (or matched against) a subject, or listed with
    other names only (a table or a choice of them).

    A subject is an attribute or variable named in ``subjects`` (``obs.type``, ``op``) or
    ``x.get("type")``; a JSON Schema ``{"type": "number"}`` is not one.
    """

    def is_subject(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr in subjects
        if isinstance(node, ast.Name):
            return node.id in subjects
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and node.args:
            first = node.args[0]
            return isinstance(first, ast.Constant) and first.value in subjects
        return False

    def named(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and node.value in names

    def only_names(items: Sequence[ast.AST | None]) -> bool:
        return len(items) >= 2 and all(named(i) for i in items)

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_subject(s) for s in sides):
                for side in sides:
                    items = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                    if any(named(i) for i in items):
                        yield node.lineno
        elif isinstance(node, ast.Match) and is_subject(node.subject):
            for case in node.cases:
                for pattern in ast.walk(case.pattern):
                    if isinstance(pattern, ast.MatchValue) and named(pattern.value):
                        yield pattern.lineno
        else:
            listed = (node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set)
                      else node.keys if isinstance(node, ast.Dict) else [])
            if only_names(listed):
                yield node.lineno


def _spelled(names: frozenset[str], subjects: frozenset[str],
             allowed: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(PACKAGE))
        if relative in allowed:
            continue
        lines = sorted(set(_dispatches(ast.parse(path.read_text("utf-8")), names, subjects)))
        if lines:
            found[relative] = lines
    return found


TYPE_NAMES = frozenset(observation_types.NAMES)
OPERATOR_NAMES = frozenset(operators.NAMES) | frozenset(operators.COMPLEMENT)


class TestOnePlace:
    def test_no_module_outside_the_registry_dispatches_on_a_type_name(self):
        assert {} == _spelled(TYPE_NAMES, frozenset({"type"}), REGISTRIES)

    def test_no_module_outside_the_registry_and_the_engine_dispatches_on_an_operator_name(self):
        assert {} == _spelled(OPERATOR_NAMES, frozenset({"op", "operator"}),
                              REGISTRIES | ENGINE_DIALECT)

    def test_the_checker_sees_the_dispatch_it_forbids(self):
        code = """
if obs.type == "boolean": pass
if item.get("type") != "category": pass
if op in ("lt", "le"): pass
match obs.type:
    case "number": pass
TABLE = {"eq": 1, "ne": 2}
ENUM = ["boolean", "number", "category"]
SCHEMA = {"type": "number"}
WORDS = {"boolean": "true or false", "string": "text"}
"""
        found = list(_dispatches(ast.parse(code), TYPE_NAMES | OPERATOR_NAMES,
                                 frozenset({"type", "op"})))
        assert [2, 3, 4, 6, 7, 8] == sorted(set(found))

    def test_every_type_name_has_its_entry_and_every_entry_its_name(self):
        assert list(observation_types.NAMES) == [kind.name for kind in TYPES.values()]
        assert all(observation_types.kind_of(name) is TYPES[name] for name in TYPES)

    def test_every_operator_name_has_its_entry(self):
        assert list(operators.NAMES) == [spec.name for spec in OPERATORS.values()]

    def test_every_operator_needs_what_some_type_supports(self):
        supported = {need for kind in TYPES.values() for need in kind.supports}
        assert supported >= {spec.needs for spec in OPERATORS.values()}


class TestThePublishedSchemaAndGuideAgree:
    SCHEMA: ClassVar[dict[str, Any]] = json.loads(
        (PACKAGE / "schema" / "ruleset.schema.json").read_text("utf-8"))
    GUIDE = (ROOT / "docs" / "authoring.md").read_text("utf-8")
    FORMAT = (ROOT / "docs" / "rule-format.md").read_text("utf-8")

    def test_the_schema_lists_the_registered_types(self):
        declared = self.SCHEMA["$defs"]["observation"]["properties"]["type"]["enum"]
        assert list(observation_types.NAMES) == declared

    def test_the_schema_lists_the_registered_operators(self):
        written = self.SCHEMA["$defs"]["comparison"]["oneOf"][1]["properties"]
        assert list(operators.NAMES) == list(written)

    def test_the_guide_names_every_type(self):
        row = next(line for line in self.GUIDE.splitlines() if line.startswith("| `type` |"))
        assert set(observation_types.NAMES) == set(re.findall(r"`(\w+)`", row)) - {"type"}

    def test_the_format_reference_names_every_type(self):
        line = next(line for line in self.FORMAT.splitlines() if line.strip().startswith("type:"))
        assert list(observation_types.NAMES) == line.split("#", 1)[1].replace("|", " ").split()

    @pytest.mark.parametrize("page", ["GUIDE", "FORMAT"])
    def test_the_docs_show_every_operator(self, page):
        shown = set(re.findall(r"\{(\w+): ", getattr(self, page)))
        assert set(operators.NAMES) <= shown


# A type and an operator registered for one test: nothing else in the package changes.

class Stars(Number):
    """A whole number of stars from 1 to 5 (a fake type: a number with its own checks)."""

    name = "stars"  # type: ignore[assignment]

    def allowed(self, obs: Declared) -> str:
        return "a whole number of stars from 1 to 5"

    def value(self, obs: Declared, raw: Any) -> float | None:
        number = super().value(obs, raw)
        return number if number is not None and number.is_integer() and 1 <= number <= 5 \
            else None


def _outside(operand: Any, negate: bool) -> operators.Lowered:
    lo, hi = operand
    if negate:
        return [(("ge", lo), ("le", hi))]
    return [(("lt", lo),), (("gt", hi),)]


OUTSIDE = OperatorSpec("outside", "range", "order",  # type: ignore[arg-type]
                       words=lambda o, b: f"{o} outside {b[0]:g} to {b[1]:g}",
                       lower_with=_outside)

RULES = """
observations:
  - {id: days, type: number, description: Days waited., question: How many days?}
  - {id: rating, type: stars, description: Stars given., question: How many stars?}
  - {id: reposted, type: boolean, description: Reposted., question: Was it reposted?}
causes:
  - {id: odd_wait, title: An odd wait, description: d}
  - {id: usual_wait, title: A usual wait, description: d}
  - {id: liked, title: They liked you, description: d}
rules:
  - id: odd
    when: {days: {outside: [3, 10]}}
    then: {cause: odd_wait, certainty: 0.6}
    because: A very short or very long wait.
  - id: usual
    when: {all: [{not: {days: {outside: [3, 10]}}}, {reposted: false}]}
    then: {cause: usual_wait, certainty: 0.5}
    because: A wait like most.
  - id: stars
    when: {rating: {ge: 4}}
    then: {cause: liked, certainty: 0.7}
    because: Four stars or five.
"""


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake type and operator in the registries, and the type in the schema."""
    monkeypatch.setitem(TYPES, "stars", Stars())  # type: ignore[index]
    monkeypatch.setitem(OPERATORS, "outside", OUTSIDE)  # type: ignore[index]
    published = copy.deepcopy(loader.schema())
    published["$defs"]["observation"]["properties"]["type"]["enum"].append("stars")
    published["$defs"]["comparison"]["oneOf"][1]["properties"]["outside"] = \
        published["$defs"]["comparison"]["oneOf"][1]["properties"]["between"]
    clear_caches()
    monkeypatch.setattr(loader, "schema", lambda: published)
    yield
    monkeypatch.undo()
    clear_caches()


@pytest.fixture
def kb(registered: None, write_rules: Any) -> rd.KnowledgeBase:
    return rd.load_rules(write_rules(RULES))


def _causes(kb: rd.KnowledgeBase, case: dict[str, Any]) -> dict[str, float]:
    return {c.id: round(c.certainty, 6) for c in kb.diagnose(case).considered}


class TestARegisteredTypeAndOperatorFlowThrough:
    def test_the_rules_load_and_validate(self, kb, write_rules):
        assert [] == rd.check_rules(write_rules(RULES, "again.yaml"))
        assert {"days", "rating", "reposted"} == set(kb.observations)

    @pytest.mark.parametrize(("case", "expected"), [
        ({"days": 1}, {"odd_wait": 0.6}),
        ({"days": 14}, {"odd_wait": 0.6}),
        ({"days": 5, "reposted": False}, {"usual_wait": 0.5}),
        ({"days": 5}, {}),
        ({"rating": 5}, {"liked": 0.7}),
        ({"rating": 3}, {}),
    ])
    def test_the_engine_diagnoses_with_them(self, kb, case, expected):
        assert expected == _causes(kb, case)

    def test_the_evaluator_agrees_with_the_engine(self, kb):
        from rejection_diagnosis.consultation.analysis import analysis
        from rejection_diagnosis.evaluator import evaluate
        from rejection_diagnosis.observations import normalize

        found = analysis(kb)
        for case in ({"days": 1}, {"days": 5, "reposted": False}, {"rating": 4, "days": 20}):
            result = evaluate(kb.program, found.order, normalize(kb.observations, case),
                              found.concluders)
            assert _causes(kb, case) == {k: round(v, 6) for k, v in result.certainty.items()
                                         if k in kb.causes and v}

    def test_the_type_checks_given_values(self, kb):
        with pytest.raises(rd.ObservationError) as info:
            kb.diagnose({"rating": 4.5})
        assert "a whole number of stars from 1 to 5" in str(info.value)

    def test_a_wrong_operand_is_a_located_error(self, registered, write_rules):
        broken = RULES.replace("{outside: [3, 10]}}\n    then: {cause: odd_wait",
                               "{outside: [10, 3]}}\n    then: {cause: odd_wait")
        [problem] = rd.check_rules(write_rules(broken))
        assert ("empty-range", "outside [10, 3] can never hold; write the smaller bound first") \
            == (problem.code, problem.message.split(": ", 1)[-1])

    def test_the_consultation_asks_reads_answers_and_explains(self, kb):
        asked = {q.observation for q in kb.next_questions({}, k=3)}
        assert {"days", "rating"} <= asked
        assert (4.0, 1.0) == parse_answer(kb.observations["rating"], "4")
        with pytest.raises(rd.AnswerError):
            parse_answer(kb.observations["rating"], "lots")
        how = kb.how(kb.diagnose({"days": 1}), "odd_wait")
        assert "days outside 3 to 10" in how.text()
        changed = kb.what_if({"rating": 2}, {"rating": 5})
        assert {"liked": 0.7} == {c.id: c.certainty for c in changed.after.considered}

    def test_the_case_schema_follows_the_type(self, kb):
        plain = kb.case_schema()["properties"]["rating"]["oneOf"][0]
        assert {"type": "number"} == plain
