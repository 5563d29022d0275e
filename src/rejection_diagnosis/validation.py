"""Semantic checks of a parsed rule set: ids, references, types and cycles.

Structural checks come from the JSON Schema in :mod:`.loader`; what a schema cannot say
(an id used twice across files, a reference to an observation that does not exist, a value
an observation can never take, findings that depend on themselves) is checked here. Every
check appends located :class:`~rejection_diagnosis.errors.Problem` objects; none raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from . import model as m
from .errors import Problem
from .loader import RuleSet

__all__ = ["iter_conditions", "semantic_problems"]

Item = m.Observation | m.Finding | m.Cause | m.Recommendation


def iter_conditions(condition: m.Condition) -> Iterator[m.Condition]:
    """Every condition inside ``condition``, itself included, depth first."""
    yield condition
    if isinstance(condition, m.All | m.Any):
        for item in condition.items:
            yield from iter_conditions(item)
    elif isinstance(condition, m.Not):
        yield from iter_conditions(condition.item)


def did_you_mean(word: str, options: Mapping[str, object] | list[str]) -> str:
    """`` (did you mean 'x'?)`` when a close option exists, else an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _problem(where: m.Location, code: str, message: str, rule_id: str | None = None,
             severity: str = "error") -> Problem:
    return Problem(where.path, where.line, where.column, severity,  # type: ignore[arg-type]
                   code, message, where.yaml_path, rule_id)


def semantic_problems(rs: RuleSet) -> list[Problem]:
    """All semantic errors of ``rs`` (lint warnings live in :mod:`.lint`)."""
    problems: list[Problem] = []
    items: dict[str, Item] = {}
    kind_of: dict[type, str] = {m.Observation: "observation", m.Finding: "finding",
                                m.Cause: "cause", m.Recommendation: "recommendation"}
    everything: list[Item] = [*rs.observations, *rs.findings, *rs.causes, *rs.recommendations]
    for item in everything:
        first = items.get(item.id)
        if first is not None:
            problems.append(_problem(
                item.location, "duplicate-id",
                f"id {item.id!r} is already used by the {kind_of[type(first)]} at "
                f"{first.location}; ids are shared by observations, findings, causes and "
                "recommendations"))
            continue
        items[item.id] = item
    observations = {o.id: o for o in rs.observations}
    conclusions = {"finding": {f.id for f in rs.findings}, "cause": {c.id for c in rs.causes},
                   "recommendation": {r.id for r in rs.recommendations}}
    rule_ids: dict[str, m.Rule] = {}
    for rule in rs.rules:
        if rule.id in rule_ids:
            problems.append(_problem(
                rule.location, "duplicate-rule-id",
                f"rule id {rule.id!r} is already used at {rule_ids[rule.id].location}", rule.id))
        else:
            rule_ids[rule.id] = rule
        prefix = f"rule {rule.id!r}: "
        if rule.conclusion not in conclusions[rule.conclusion_kind]:
            word = "recommend" if rule.conclusion_kind == "recommendation" else rule.conclusion_kind
            other = next((k for k, ids in conclusions.items() if rule.conclusion in ids), None)
            hint = (f" (it is a {other}; write '{'recommend' if other == 'recommendation' else other}:')"
                    if other else did_you_mean(rule.conclusion, sorted(conclusions[rule.conclusion_kind])))
            problems.append(_problem(
                rule.location, "unknown-reference",
                f"{prefix}concludes unknown {rule.conclusion_kind} {rule.conclusion!r}{hint}; "
                f"declare it under '{rule.conclusion_kind if word != 'recommend' else 'recommendation'}s:'",
                rule.id))
        for cond in iter_conditions(rule.when):
            problems.extend(_check_condition(cond, rule, observations, conclusions, prefix))
    problems.extend(_cycles(rs))
    return problems


def _check_condition(cond: m.Condition, rule: m.Rule, observations: Mapping[str, m.Observation],
                     conclusions: Mapping[str, set[str]], prefix: str) -> Iterator[Problem]:
    where = cond.location
    if isinstance(cond, m.EvidenceTest) and rule.conclusion_kind != "recommendation":
        yield _problem(where, "evidence-outside-recommendation",
                       f"{prefix}'evidence:' can only be tested by rules that recommend; it is "
                       "known only after every cause is combined", rule.id)
    elif isinstance(cond, m.ConclusionTest) and cond.id not in conclusions[cond.kind]:
        other = next((k for k, ids in conclusions.items() if cond.id in ids), None)
        hint = (f" (it is a {other})" if other else did_you_mean(cond.id, sorted(conclusions[cond.kind])))
        yield _problem(where, "unknown-reference",
                       f"{prefix}unknown {cond.kind} {cond.id!r}{hint}", rule.id)
    elif isinstance(cond, m.Compare):
        obs = observations.get(cond.observation)
        if obs is None:
            hint = did_you_mean(cond.observation, sorted(observations))
            if not hint and cond.observation in conclusions["cause"] | conclusions["finding"]:
                hint = f" (it is a conclusion; test it with {{cause: {cond.observation}}} or {{finding: ...}})"
            yield _problem(where, "unknown-observation",
                           f"{prefix}unknown observation {cond.observation!r}{hint}", rule.id)
            return
        yield from _check_operand(cond, obs, rule, prefix)


def _check_operand(cond: m.Compare, obs: m.Observation, rule: m.Rule, prefix: str) -> Iterator[Problem]:
    operands = cond.operand if isinstance(cond.operand, tuple) else (cond.operand,)
    where = cond.location
    if obs.type == "boolean":
        if cond.op not in ("eq", "ne") or not all(isinstance(v, bool) for v in operands):
            yield _problem(where, "type-mismatch",
                           f"{prefix}{obs.id!r} is a boolean observation; compare it with true or "
                           f"false (got {cond.op} {_show(cond.operand)})", rule.id)
    elif obs.type == "number":
        if not all(isinstance(v, float) for v in operands):
            yield _problem(where, "type-mismatch",
                           f"{prefix}{obs.id!r} is a number observation; {_show(cond.operand)} is "
                           "not a number", rule.id)
        elif obs.range is not None and cond.op in ("eq", "ne", "in"):
            lo, hi = obs.range
            outside = [v for v in operands if isinstance(v, float) and not lo <= v <= hi]
            if outside:
                yield _problem(where, "value-out-of-range",
                               f"{prefix}{_show(outside[0])} is outside the range [{lo:g}, {hi:g}] "
                               f"of {obs.id!r}", rule.id)
    else:
        if cond.op not in ("eq", "ne", "in"):
            yield _problem(where, "type-mismatch",
                           f"{prefix}{obs.id!r} is a category; use a value, 'ne:' or 'in:' "
                           f"(got {cond.op})", rule.id)
            return
        for v in operands:
            if not isinstance(v, str) or v not in obs.values:
                yield _problem(where, "unknown-category-value",
                               f"{prefix}{_show(v)!s} is not a value of {obs.id!r}"
                               f"{did_you_mean(str(v), list(obs.values))}; allowed: "
                               + ", ".join(obs.values), rule.id)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


def _cycles(rs: RuleSet) -> list[Problem]:
    """Findings and causes that depend on themselves through rules."""
    depends: dict[str, list[tuple[str, m.Rule]]] = {}
    for rule in rs.rules:
        for cond in iter_conditions(rule.when):
            if isinstance(cond, m.ConclusionTest):
                depends.setdefault(rule.conclusion, []).append((cond.id, rule))
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path = [*path, node]
        for target, rule in depends.get(node, ()):
            if state.get(target) == 1:
                cycle = path[path.index(target):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(_problem(
                        rule.location, "cycle",
                        f"rule {rule.id!r}: {' -> '.join([*cycle, target])} depend on each "
                        "other; a conclusion cannot be evidence for itself", rule.id))
            elif state.get(target) is None:
                visit(target, path)
        state[node] = 2

    for node in sorted(depends):
        if state.get(node) is None:
            visit(node, [])
    return problems
