"""Semantic checks of a parsed rule set: ids, references, types and cycles.

Structural checks come from the JSON Schema in :mod:`.loader`; what a schema cannot say
(an id used twice across files, a reference to an observation that does not exist, a value
an observation can never take, findings that depend on themselves) is checked here. Every
check appends located :class:`~rejection_diagnosis.errors.Problem` objects; none raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from . import model as m
from ._values import Scalar, show_in_message
from .errors import Problem, did_you_mean
from .loader import RuleSet
from .observation_types import TYPES

__all__ = ["ERROR_CODES", "iter_conditions", "semantic_problems"]

#: Every error code a rule set can produce, with its meaning (lint warnings are in
#: :data:`rejection_diagnosis.lint.LINT_CODES`).
ERROR_CODES = {
    # Reading the file
    "file-not-found": "a path given does not exist",
    "file-unreadable": "a file exists but cannot be read",
    "no-rule-files": "a folder holds no *.yaml or *.yml file",
    "yaml-syntax": "the file is not valid YAML",
    "yaml-encoding": "the file is not UTF-8 text",
    "yaml-bom": "the file starts with a byte-order mark",
    "yaml-empty": "the file is empty",
    "yaml-duplicate-key": "a key appears twice in one mapping (plain YAML keeps the last)",
    "yaml-tag": "a YAML tag (!!python/..., merge keys) that rule files may not use",
    "yaml-key": "a mapping key that is not plain text",
    "yaml-too-large": "the file, or what its aliases expand to, is too large",
    "yaml-too-deep": "nesting deeper than the limit",
    "yaml-string-too-long": "a single string longer than the limit",
    # Structure (the published JSON Schema)
    "not-a-mapping": "the file is not a mapping of sections",
    "unknown-key": "a key the format does not have (often a typo: see the suggestion)",
    "missing-key": "a required key is missing",
    "wrong-type": "a value of the wrong kind (text, number, list, mapping)",
    "bad-id": "an id that is not lower-case letters, digits and '_' ('-' too for rules)",
    "bad-value": "a value the format does not allow here (enum, empty text, shape of 'then')",
    "certainty-out-of-range": "a certainty factor outside [-1, 1]",
    "schema": "any other violation of the JSON Schema",
    # Conditions and rules
    "condition": "a condition that is not one of the documented forms",
    "bad-operator": "an unknown comparison operator",
    "bad-min": "'min:' of a cause or finding test outside (0, 1]",
    "empty-range": "a 'between:' or an observation 'range:' whose low end is above its high end",
    "zero-certainty": "a rule with certainty 0, which concludes nothing",
    "reserved-id": "an observation id that is a reserved word of conditions",
    "too-complex": "a condition that expands to too many alternatives or tests",
    "engine-limit": "a rule the engine cannot hold in any group (two observations whose "
                    "engine hashes collide in one alternative)",
    # Meaning (across all files)
    "duplicate-id": "an observation, finding, cause or recommendation id declared twice",
    "duplicate-rule-id": "a rule id used twice",
    "unknown-observation": "a condition on an observation that is not declared",
    "unknown-reference": "a finding, cause or recommendation that is not declared",
    "type-mismatch": "a value or operator that cannot apply to the observation's type",
    "value-out-of-range": "a number outside the observation's declared range",
    "unknown-category-value": "a value outside the category's declared values",
    "evidence-outside-recommendation": "'evidence:' tested by a rule that does not recommend",
    "cycle": "findings or causes that are concluded from themselves",
    # Phrases (what a story says to set an observation)
    "bad-phrase": "a phrase that is not in the phrase language, or does not fit its observation",
}

Item = m.Observation | m.Finding | m.Cause | m.Recommendation


def iter_conditions(condition: m.Condition) -> Iterator[m.Condition]:
    """Every condition inside ``condition``, itself included, depth first."""
    yield condition
    if isinstance(condition, m.All | m.Any):
        for item in condition.items:
            yield from iter_conditions(item)
    elif isinstance(condition, m.Not):
        yield from iter_conditions(condition.item)


def _problem(where: m.Location, code: str, message: str, rule_id: str | None = None,
             severity: str = "error") -> Problem:
    return Problem(where.path, where.line, where.column, severity,  # type: ignore[arg-type]
                   code, message, where.yaml_path, rule_id)


def _at(first: m.Location, here: m.Location) -> str:
    """Where ``first`` is, said as briefly as possible when seen from ``here``."""
    if first.path == here.path:
        return f"line {first.line}"
    return str(first)


def semantic_problems(rs: RuleSet) -> list[Problem]:
    """All semantic errors of ``rs`` (lint warnings live in :mod:`.lint`)."""
    problems: list[Problem] = []
    items: dict[str, Item] = {}
    kind_of: dict[type, str] = {m.Observation: "observation", m.Finding: "finding",
                                m.Cause: "cause", m.Recommendation: "recommendation"}
    declared: list[Item] = [*rs.observations, *rs.findings, *rs.causes, *rs.recommendations]
    for item in declared:
        first = items.get(item.id)
        if first is not None:
            problems.append(_problem(
                item.location, "duplicate-id",
                f"{kind_of[type(item)]} id {item.id!r} is already used by the "
                f"{kind_of[type(first)]} at {_at(first.location, item.location)}; observations, "
                "findings, causes and recommendations share one set of ids: rename one"))
            continue
        items[item.id] = item
    observations = {o.id: o for o in rs.observations}
    conclusions = {"finding": {f.id for f in rs.findings}, "cause": {c.id for c in rs.causes},
                   "recommendation": {r.id for r in rs.recommendations}}
    # Items that have errors of their own were not built: references to them are fine.
    unbuilt = dict(rs.unbuilt)
    rule_ids: dict[str, m.Rule] = {}
    for rule in rs.rules:
        if rule.id in rule_ids:
            problems.append(_problem(
                rule.location, "duplicate-rule-id",
                f"rule id {rule.id!r} is already used by the rule at "
                f"{_at(rule_ids[rule.id].location, rule.location)}; rule ids must be unique",
                rule.id))
        else:
            rule_ids[rule.id] = rule
        prefix = f"rule {rule.id!r}: "
        if (rule.conclusion not in conclusions[rule.conclusion_kind]
                and unbuilt.get(rule.conclusion) != rule.conclusion_kind):
            other = next((k for k, ids in conclusions.items() if rule.conclusion in ids), None)
            verb = "recommend" if other == "recommendation" else other
            hint = (f" (it is a {other}; write '{verb}:')" if other else
                    did_you_mean(rule.conclusion, sorted(conclusions[rule.conclusion_kind])))
            problems.append(_problem(
                rule.conclusion_location or rule.location, "unknown-reference",
                f"{prefix}concludes unknown {rule.conclusion_kind} {rule.conclusion!r}{hint}; "
                f"declare it under '{rule.conclusion_kind}s:'",
                rule.id))
        for cond in iter_conditions(rule.when):
            problems.extend(_check_condition(cond, rule, observations, conclusions, prefix,
                                             unbuilt))
    problems.extend(_cycles(rs))
    problems.extend(_checklist_problems(rs, observations, items, unbuilt))
    problems.extend(phrase_problems(rs.observations, rs.unbuilt))
    return problems


def _checklist_problems(rs: RuleSet, observations: Mapping[str, m.Observation],
                        items: Mapping[str, Item], unbuilt: Mapping[str, str]) -> list[Problem]:
    """Checklists: unique ids apart from other items, items that are boolean observations."""
    problems: list[Problem] = []
    seen: dict[str, m.Checklist] = {}
    for checklist in rs.checklists:
        name = f"checklist {checklist.id!r}"
        first = seen.get(checklist.id)
        if first is not None:
            problems.append(_problem(
                checklist.location, "duplicate-id",
                f"{name}: the id is already used by the checklist at "
                f"{_at(first.location, checklist.location)}; rename one"))
        elif checklist.id in items:
            problems.append(_problem(
                checklist.location, "duplicate-id",
                f"{name}: the id is already used by an observation, finding, cause or "
                f"recommendation at {_at(items[checklist.id].location, checklist.location)}; "
                "a checklist needs an id of its own"))
        seen.setdefault(checklist.id, checklist)
        for n, oid in enumerate(checklist.items):
            where = (checklist.item_locations[n] if n < len(checklist.item_locations)
                     else checklist.location)
            obs = observations.get(oid)
            if obs is None:
                if unbuilt.get(oid) == "observation":
                    continue
                problems.append(_problem(
                    where, "unknown-reference",
                    f"{name}: unknown observation {oid!r}"
                    f"{did_you_mean(oid, sorted(observations))}; a checklist lists "
                    "observation ids declared under 'observations:'"))
            elif not TYPES[obs.type].flips:
                problems.append(_problem(
                    where, "checklist-item-type",
                    f"{name}: item {oid!r} is a {obs.type} observation; a checklist ticks "
                    "yes/no observations only (ask it as a question of its own)"))
    return problems


_TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years"})


def phrase_problems(observations: Iterable[m.Observation],
                    unbuilt: Mapping[str, str] | None = None) -> Iterator[Problem]:
    """Errors in the ``phrases:`` of ``observations``: syntax, slots, values, ``also:``."""
    observations = list(observations)
    known = {o.id: o for o in observations}
    with_phrases = [o for o in observations if o.phrases]
    if not with_phrases:
        return
    # Imported only for rule sets with phrases: the story reader is not part of a plain
    # `import rejection_diagnosis`.
    from .story._patterns import PhraseSyntaxError, check_phrase

    for obs in with_phrases:
        yield from _steps_before(obs, known, unbuilt or {})
        for phrase in obs.phrases:
            where = phrase.location
            said = f"observation {obs.id!r}: phrase {phrase.text!r}"
            yield from _phrase_also(obs, phrase, said, known, unbuilt or {})
            if phrase.ignore and (phrase.also or phrase.step):
                yield _problem(where, "bad-phrase",
                               f"{said}: an 'ignore:' phrase sets nothing, so it takes no "
                               "'also:' or 'step:'")
            if phrase.step and not obs.steps_before:
                yield _problem(where, "bad-phrase",
                               f"{said}: a 'step:' phrase needs 'steps_before:' on the "
                               "observation (what marks the no the step came before)")
            try:
                shape = check_phrase(phrase.text)
            except PhraseSyntaxError as exc:
                yield _problem(where, "bad-phrase", f"{said}: {exc}")
                continue
            kind = TYPES[obs.type]
            has_slot = shape.max_slots > 0
            slot = next(iter(shape.slots)) if len(shape.slots) == 1 else None
            if has_slot and (slot is None or shape.min_slots == 0):
                yield _problem(where, "bad-phrase",
                               f"{said}: every alternative must hold the same slot")
            elif has_slot and not kind.numeric:
                yield _problem(where, "bad-phrase",
                               f"{said}: {slot} fills numbers, and {obs.id!r} is a {obs.type}")
            elif kind.numeric and has_slot and phrase.value is not None:
                yield _problem(where, "bad-phrase",
                               f"{said}: give a slot or a 'value:', not both")
            elif slot == "{duration}" and (obs.unit or "days") not in _TIME_UNITS:
                yield _problem(where, "bad-phrase",
                               f"{said}: {{duration}} needs a unit of time (days, weeks, "
                               f"months or years), and {obs.id!r} counts {obs.unit}; use "
                               "{number}")
            elif phrase.ignore:
                pass  # it sets nothing: no slot or value to check
            elif kind.numeric and not has_slot:
                yield from _phrase_number(obs, phrase, said)
            else:
                for code, message in kind.phrase_value_problems(obs, phrase.value, said):
                    yield _problem(where, code, message)


def _phrase_also(obs: m.Observation, phrase: m.Phrase, said: str,
                 known: Mapping[str, m.Observation], unbuilt: Mapping[str, str]
                 ) -> Iterator[Problem]:
    """Problems with the other observations a phrase sets (``also:``)."""
    yield from _names_others(
        obs, phrase.also, phrase.location, said, f"{said}: 'also:' names",
        ", the observation the phrase is listed under; give its value with 'value:'",
        known, unbuilt)


def _steps_before(obs: m.Observation, known: Mapping[str, m.Observation],
                  unbuilt: Mapping[str, str]) -> Iterator[Problem]:
    """Problems with the observations that mark the no for ``step:`` phrases."""
    said = f"observation {obs.id!r}: steps_before"
    yield from _names_others(
        obs, obs.steps_before, obs.location, said, f"{said} names",
        " itself; name the observation that says when or how the no came", known, unbuilt)


def _names_others(obs: m.Observation, pairs: Iterable[tuple[str, Scalar]], location: m.Location,
                  said: str, names: str, itself: str, known: Mapping[str, m.Observation],
                  unbuilt: Mapping[str, str]) -> Iterator[Problem]:
    """Problems with (observation id, value) pairs an observation's entry gives for *other*
    observations (a phrase's ``also:``, ``steps_before:``): not the observation itself, a
    known one (or one a broken entry left unbuilt), and a value of its type."""
    for ident, value in pairs:
        other = known.get(ident)
        if ident == obs.id:
            yield _problem(location, "bad-phrase", f"{names} {ident!r}{itself}")
        elif other is None:
            if unbuilt.get(ident) != "observation":
                yield _problem(location, "unknown-observation",
                               f"{names} unknown observation {ident!r}"
                               f"{did_you_mean(ident, sorted(known))}")
        else:
            for code, message in TYPES[other.type].also_problems(other, value, said):
                yield _problem(location, code, message)


def _phrase_number(obs: m.Observation, phrase: m.Phrase, said: str) -> Iterator[Problem]:
    value = phrase.value
    if value is None:
        yield _problem(phrase.location, "bad-phrase",
                       f"{said}: a number phrase needs a slot ({{number}}, {{duration}} or "
                       "{ordinal}) or a 'value:'")
    elif isinstance(value, bool) or not isinstance(value, float):
        yield _problem(phrase.location, "type-mismatch",
                       f"{said}: {obs.id!r} is a number; 'value:' must be a number "
                       f"(got {show_in_message(value)})")
    elif obs.range is not None and not obs.range[0] <= value <= obs.range[1]:
        lo, hi = obs.range
        yield _problem(phrase.location, "value-out-of-range",
                       f"{said}: {show_in_message(value)} is outside the range [{lo:g}, {hi:g}] of "
                       f"{obs.id!r}")


def _check_condition(cond: m.Condition, rule: m.Rule, observations: Mapping[str, m.Observation],
                     conclusions: Mapping[str, set[str]], prefix: str,
                     unbuilt: Mapping[str, str]) -> Iterator[Problem]:
    where = cond.location
    if isinstance(cond, m.EvidenceTest) and rule.conclusion_kind != "recommendation":
        yield _problem(where, "evidence-outside-recommendation",
                       f"{prefix}'evidence:' can only be tested by rules that recommend; it is "
                       "known only after every cause is combined", rule.id)
    elif (isinstance(cond, m.ConclusionTest) and cond.id not in conclusions[cond.kind]
          and unbuilt.get(cond.id) != cond.kind):
        other = next((k for k, ids in conclusions.items() if cond.id in ids), None)
        hint = (f" (it is a {other})" if other else
                did_you_mean(cond.id, sorted(conclusions[cond.kind])))
        yield _problem(where, "unknown-reference",
                       f"{prefix}unknown {cond.kind} {cond.id!r}{hint}", rule.id)
    elif isinstance(cond, m.Compare):
        obs = observations.get(cond.observation)
        if obs is None and unbuilt.get(cond.observation) == "observation":
            return
        if obs is None:
            hint = did_you_mean(cond.observation, sorted(observations))
            if not hint and cond.observation in conclusions["cause"] | conclusions["finding"]:
                hint = (f" (it is a conclusion; test it with {{cause: {cond.observation}}} "
                        "or {finding: ...})")
            yield _problem(where, "unknown-observation",
                           f"{prefix}unknown observation {cond.observation!r}{hint}", rule.id)
            return
        yield from _check_operand(cond, obs, rule, prefix)


def _check_operand(cond: m.Compare, obs: m.Observation, rule: m.Rule,
                   prefix: str) -> Iterator[Problem]:
    where = cond.value_location or cond.location
    for code, message in TYPES[obs.type].operand_problems(obs, cond.op, cond.operand):
        yield _problem(where, code, prefix + message, rule.id)


def _cycles(rs: RuleSet) -> list[Problem]:
    """Findings and causes that depend on themselves through rules."""
    depends: dict[str, list[tuple[str, m.Rule, m.Location]]] = {}
    for rule in rs.rules:
        for cond in iter_conditions(rule.when):
            if isinstance(cond, m.ConclusionTest):
                depends.setdefault(rule.conclusion, []).append((cond.id, rule, cond.location))
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    # Depth first, with an explicit stack: a chain of 1,000 findings is valid, and deeper
    # than Python's own stack.
    for start in sorted(depends):
        if state.get(start) is not None:
            continue
        state[start] = 1
        path = [start]
        stack = [iter(depends.get(start, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            target, rule, where = step
            if state.get(target) == 1:
                cycle = path[path.index(target):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " <- ".join([*cycle, target])
                    what = (f"{target!r} is concluded from itself" if len(cycle) == 1 else
                            f"cycle {chain} (each is concluded from the next)")
                    problems.append(_problem(
                        where, "cycle",
                        f"rule {rule.id!r}: {what}; a conclusion cannot be evidence for itself: "
                        "break the cycle with a finding that depends only on observations",
                        rule.id))
            elif state.get(target) is None:
                state[target] = 1
                path.append(target)
                stack.append(iter(depends.get(target, ())))
    return problems
