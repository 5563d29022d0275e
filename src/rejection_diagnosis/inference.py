"""Running a compiled program on one case: layers, certainty combination, explanation data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import model as m
from ._engine import Matcher
from .certainty import combine_totals, reaches, split_totals
from .compiler import Group, Program, Test, prop_name
from .diagnosis import Contribution, Evidence
from .errors import EngineError
from .observations import Given

__all__ = ["Inference", "infer"]


class Inference:
    """What one run produced: contributions per conclusion and combined certainties."""

    __slots__ = ("certainty", "contributions", "evidence_sufficient", "fired", "totals")

    def __init__(self) -> None:
        self.fired: list[str] = []
        self.contributions: dict[str, list[Contribution]] = {}
        self.certainty: dict[str, float] = {}
        self.totals: dict[str, tuple[float, float]] = {}
        self.evidence_sufficient = False


def _certainty_of(test: Test, given: Mapping[str, Given], inf: Inference) -> tuple[Any, float]:
    if test.kind == "observation":
        g = given[test.subject]
        return g.value, g.certainty
    if test.kind == "evidence":
        return ("sufficient" if inf.evidence_sufficient else "insufficient"), 1.0
    cf = inf.certainty[test.subject]
    return cf, abs(cf)


def infer(program: Program, matcher: Matcher, given: Mapping[str, Given],
          cause_ids: frozenset[str], threshold: float) -> Inference:
    """Run every layer of ``program`` on the case ``given``."""
    inf = Inference()
    values: dict[str, Any] = {prop_name("observation", k): g.value for k, g in given.items()}
    rules = program.rules
    for layer, groups in enumerate(program.layers):
        if layer == program.evidence_layer:
            inf.evidence_sufficient = _sufficient(inf, cause_ids, threshold)
            values[prop_name("evidence", "")] = (
                "sufficient" if inf.evidence_sufficient else "insufficient")
        touched: set[str] = set()
        for group in groups:
            fact = {p: values[p] for p in group.properties if p in values}
            if not fact:
                continue  # every alternative starts with an existence test: nothing can fire
            fact["id"] = "case"
            fired: dict[int, list[int]] = {}
            for name in set(_fired(matcher, group, fact, rules)):
                for rule_index, alt_index in group.actions[name]:
                    fired.setdefault(rule_index, []).append(alt_index)
            for rule_index in sorted(fired):
                rule = rules[rule_index]
                contribution = _contribution(program, rule_index, rule, sorted(fired[rule_index]),
                                             given, inf)
                inf.contributions.setdefault(rule.conclusion, []).append(contribution)
                inf.fired.append(rule.id)
                touched.add(rule.conclusion)
        for node in touched:
            positive, negative = split_totals(c.contribution for c in inf.contributions[node])
            inf.totals[node] = (positive, negative)
            inf.certainty[node] = combine_totals(positive, negative)
            if inf.certainty[node] != 0.0:
                values[prop_name("cause", node)] = inf.certainty[node]
            else:
                values.pop(prop_name("cause", node), None)
    if program.evidence_layer >= len(program.layers):
        inf.evidence_sufficient = _sufficient(inf, cause_ids, threshold)
    return inf


def _fired(matcher: Matcher, group: Group, fact: Mapping[str, Any],
           rules: tuple[m.Rule, ...]) -> list[str]:
    """``matcher.fired``, with any failure turned into an EngineError naming the rules."""
    ids = [rules[i].id for i in group.rule_indexes]
    listed = ", ".join(repr(r) for r in ids[:5])
    if len(ids) > 5:
        listed += f" and {len(ids) - 5} more"
    try:
        names = matcher.fired(group, fact)
        unknown = [n for n in names if n not in group.actions]
        if unknown:
            raise EngineError(f"the engine reported unknown rule {unknown[0]!r}")
    except EngineError as exc:
        if exc.rule_id is not None:
            raise
        engine_rule: str | None = getattr(exc, "engine_rule", None)
        if engine_rule is not None and engine_rule in group.actions:
            rule_id = rules[group.actions[engine_rule][0][0]].id
            raise EngineError(f"rule {rule_id!r}: {exc}", rule_id) from exc
        only = ids[0] if len(ids) == 1 else None
        raise EngineError(f"while matching rules {listed}: {exc}", only) from exc
    except Exception as exc:
        # A matcher's own failure must never pass for "no rule fired".
        raise EngineError(f"the matcher failed on rules {listed}: {exc!r}") from exc
    return names


def _sufficient(inf: Inference, cause_ids: frozenset[str], threshold: float) -> bool:
    return any(reaches(inf.certainty.get(c, 0.0), threshold) for c in cause_ids)


def _contribution(program: Program, rule_index: int, rule: m.Rule, alt_indexes: list[int],
                  given: Mapping[str, Given], inf: Inference) -> Contribution:
    # A rule's condition certainty is the best of its alternatives that held (fuzzy "any"),
    # each alternative worth its weakest test (fuzzy "all"); ties go to the first written.
    best: tuple[float, tuple[Evidence, ...]] | None = None
    for alt_index in alt_indexes:
        evidence = []
        weakest = 1.0
        for test in program.alternatives[rule_index][alt_index].tests:
            value, certainty = _certainty_of(test, given, inf)
            weakest = min(weakest, certainty)
            evidence.append(Evidence(test.kind, test.subject, test.describe(), value, certainty))
        if best is None or weakest > best[0]:
            best = (weakest, tuple(evidence))
    assert best is not None
    condition, evidence_used = best
    return Contribution(rule.id, rule.certainty, condition, rule.certainty * condition,
                        evidence_used, rule.because, rule.source, rule.location)
