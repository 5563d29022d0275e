"""Lint warnings: rules that load but cannot fire, overlap, or leave things unreachable."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

import rejection_diagnosis as rd

HEAD = """
observations:
  - {id: flag, type: boolean, description: d, question: q}
  - {id: days, type: number, range: [0, 10], description: d, question: q}
causes:
  - {id: fit, title: Fit, description: d}
  - {id: budget, title: Budget, description: d}
rules:
  - {id: base-flag, when: {flag: true}, then: {cause: budget, certainty: 0.5}, because: b}
  - {id: base-days, when: {days: 5}, then: {cause: budget, certainty: 0.5}, because: b}
"""


def warnings(write_rules, rules: str) -> list[tuple[str, str | None]]:
    found = rd.check_rules(write_rules(HEAD + rules))
    assert all(p.severity == "warning" for p in found), found
    return [(p.code, p.rule_id) for p in found]


def test_a_rule_set_with_only_warnings_still_loads(write_rules):
    path = write_rules(
        HEAD + "  - {id: x, when: {flag: false}, then: {cause: fit, certainty: 0.5}}\n")
    assert [("missing-because", "x")] == [(p.code, p.rule_id) for p in rd.check_rules(path)]
    assert ["base-flag", "base-days", "x"] == [r.id for r in rd.load_rules(path).rules]


def test_not_of_a_comparison_is_the_same_test_as_the_known_opposite(write_rules):
    rules = """
  - {id: a, when: {not: {flag: true}}, then: {cause: fit, certainty: 0.5}, because: b}
  - {id: b, when: {flag: false}, then: {cause: fit, certainty: 0.3}, because: b}
"""
    assert [("duplicate-rule", "b")] == warnings(write_rules, rules)


def test_exclusive_conditions_are_not_subsumed(write_rules):
    rules = """
  - {id: a, when: [{flag: true}, {days: {lt: 5}}], then: {cause: fit, certainty: 0.5}, because: b}
  - {id: b, when: [{flag: true}, {days: {ge: 5}}], then: {cause: fit, certainty: 0.3}, because: b}
"""
    assert [] == warnings(write_rules, rules)


def test_a_narrower_rule_against_is_an_exception_not_a_redundancy(write_rules):
    rules = """
  - {id: a, when: {flag: true}, then: {cause: fit, certainty: 0.5}, because: b}
  - {id: b, when: [{flag: true}, {days: {gt: 8}}], then: {cause: fit, certainty: -0.4}, because: b}
"""
    assert [] == warnings(write_rules, rules)


def test_any_implies_its_wider_alternative(write_rules):
    rules = """
  - {id: a, when: {days: {in: [2, 3]}}, then: {cause: fit, certainty: 0.5}, because: b}
  - {id: b, when: {days: {between: [1, 4]}}, then: {cause: fit, certainty: 0.3}, because: b}
"""
    assert [("subsumed-rule", "a")] == warnings(write_rules, rules)


def test_a_test_on_a_cause_no_rule_supports_never_holds(write_rules):
    rules = """
  - {id: a, when: {flag: false}, then: {cause: fit, certainty: -0.5}, because: b}
  - {id: b, when: {cause: fit}, then: {cause: budget, certainty: 0.3}, because: b}
"""
    assert [("unreachable", None), ("never-fires", "b")] == warnings(write_rules, rules)


OPS = ("lt", "le", "gt", "ge", "eq", "ne")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tests=st.lists(st.tuples(st.sampled_from(OPS), st.integers(min_value=-2, max_value=12)),
                      min_size=1, max_size=3))
def test_never_fires_exactly_when_no_number_in_the_range_satisfies_the_tests(write_rules, tests):
    conditions = ", ".join(f"{{days: {{{op}: {value}}}}}" for op, value in tests)
    rules = (f"  - {{id: probe, when: [{conditions}], then: {{cause: fit, certainty: 0.5}}, "
             "because: b}\n")
    found = rd.check_rules(write_rules(HEAD + rules))
    if any(p.severity == "error" for p in found):  # a value outside the range [0, 10]
        return
    compare = {"lt": float.__lt__, "le": float.__le__, "gt": float.__gt__, "ge": float.__ge__,
               "eq": float.__eq__, "ne": float.__ne__}
    # Independent brute force: constants are whole numbers, so halves cover every region.
    grid = [x / 2 for x in range(0, 21)]
    possible = any(all(compare[op](x, float(v)) for op, v in tests) for x in grid)
    assert (not possible) == any(p.code == "never-fires" for p in found)


def test_bundled_rules_validate_clean_under_strict():
    assert [] == [str(p) for p in rd.check_rules()]
