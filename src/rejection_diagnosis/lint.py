"""Lint: rule sets that load, but probably do not say what their author meant.

Everything here is a *warning*: the knowledge base still loads and diagnoses. ``validate
--strict`` (or a test on :func:`rejection_diagnosis.check_rules`) turns warnings into
failures for authors who want a clean rule set in CI.

The checks reason on the same expansion the compiler uses (a rule's condition as
alternatives of plain tests), and decide whether tests can hold together by trying a small
set of representative values per observation: every boolean, every category value, and for
numbers each constant that occurs, the midpoints between them and one value beyond each end.
That set is exact for conjunctions of comparisons with constants, so a warning is never a
guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from . import model as m
from .compiler import CompileLimitError, Test, expand
from .errors import Problem
from .loader import RuleSet
from .observation_types import TYPES
from .validation import iter_conditions

__all__ = ["LINT_CODES", "lint_problems"]

#: Every warning code this module can report, with its meaning.
LINT_CODES = {
    "missing-because": "a rule has no 'because:' (the explanation shown to the candidate)",
    "never-fires": "a rule's condition can never hold (contradictory or impossible tests)",
    "unreachable": "a finding, cause or recommendation that no rule can conclude positively",
    "unused-observation": "an observation that no rule tests",
    "duplicate-rule": "two rules with the same condition and conclusion, same direction",
    "conflicting-rules": "two rules with the same condition and conclusion, opposite directions",
    "subsumed-rule": "whenever one rule fires another with the same conclusion fires too",
    "duplicate-phrase": "a phrase that two observations (or two values, or one twice) claim",
}

Alternatives = list[tuple[Test, ...]]
Subject = tuple[str, str]


def _warning(where: m.Location, code: str, message: str, rule_id: str | None = None) -> Problem:
    return Problem(where.path, where.line, where.column, "warning", code, message,
                   where.yaml_path, rule_id)


def _at(first: m.Location, here: m.Location) -> str:
    return f"line {first.line}" if first.path == here.path else str(first)


class _Context:
    """What the checks need to know about the rule set as a whole."""

    def __init__(self, rs: RuleSet) -> None:
        self.observations = {o.id: o for o in rs.observations}
        self.possible: dict[tuple[Subject, frozenset[Any]], bool] = {}
        # The most and least certain each conclusion can become: every rule for it firing
        # with full certainty, combined MYCIN-style. A test beyond these bounds never holds.
        self.ceiling: dict[str, float] = {}
        self.floor: dict[str, float] = {}
        for rule in rs.rules:
            if rule.certainty > 0:
                up = self.ceiling.get(rule.conclusion, 0.0)
                self.ceiling[rule.conclusion] = up + rule.certainty - up * rule.certainty
            else:
                down = self.floor.get(rule.conclusion, 0.0)
                self.floor[rule.conclusion] = down + rule.certainty + down * rule.certainty

    def domain(self, subject: Subject, constants: Iterable[Any]) -> tuple[list[Any], str] | None:
        """Representative values of ``subject`` and its allowed values in words."""
        kind, ident = subject
        if kind == "evidence":
            return ["sufficient", "insufficient"], "sufficient or insufficient"
        if kind == "observation":
            obs = self.observations.get(ident)
            if obs is None:
                return None  # an error is reported for it already
            if not TYPES[obs.type].numeric:
                return list(TYPES[obs.type].choices(obs)), obs.allowed()
            lo, hi = obs.range if obs.range is not None else (None, None)
            unit = f" {obs.unit}" if obs.unit else ""
            words = f"a number from {lo:g} to {hi:g}{unit}" if obs.range else f"a number{unit}"
            return _points(constants, lo, hi), words
        lo, hi = self.floor.get(ident, 0.0), self.ceiling.get(ident, 0.0)
        return _points(constants, lo, hi), f"a certainty from {lo:.2f} to {hi:.2f}"


def _points(constants: Iterable[Any], lo: float | None, hi: float | None) -> list[Any]:
    numbers = {float(c) for c in constants
               if isinstance(c, int | float) and not isinstance(c, bool)}
    numbers |= {b for b in (lo, hi) if b is not None}
    ordered = sorted(numbers) or [0.0]
    points = [ordered[0] - 1, *ordered, ordered[-1] + 1]
    points += [(a + b) / 2 for a, b in itertools.pairwise(ordered)]
    return [p for p in points if (lo is None or p >= lo) and (hi is None or p <= hi)]


def _constants(tests: Iterable[Test]) -> Iterator[Any]:
    for t in tests:
        yield from (t.value if isinstance(t.value, tuple) else (t.value,))


def _by_subject(tests: Iterable[Test]) -> dict[Subject, list[Test]]:
    groups: dict[Subject, list[Test]] = {}
    for t in tests:
        groups.setdefault((t.kind, t.subject), []).append(t)
    return groups


def _holds(test: Test, value: Any) -> bool:
    try:
        return test.holds(value)
    except TypeError:  # a mistyped constant: an error says so already
        return False


def _impossible(ctx: _Context, alternative: tuple[Test, ...]) -> str | None:
    """Why the tests of ``alternative`` can never hold together, or None if they can."""
    for subject, tests in _by_subject(alternative).items():
        # Alternatives of one rule repeat the same tests: each set is decided once.
        key = (subject, frozenset(_test_key(t) for t in tests))
        possible = ctx.possible.get(key)
        if possible is None:
            found = ctx.domain(subject, _constants(tests))
            possible = ctx.possible[key] = found is None or any(
                all(_holds(t, v) for t in tests) for v in found[0])
        if not possible:
            found = ctx.domain(subject, _constants(tests))
            assert found is not None
            _, allowed = found
            said = " and ".join(dict.fromkeys(t.describe() for t in tests))
            kind, ident = subject
            if kind in ("cause", "finding"):
                return (f"{kind} {ident!r} can only reach {allowed} (all its rules together), "
                        f"so {said} never holds")
            return f"no value of {ident!r} ({allowed}) satisfies {said}"
    return None


def _implies(ctx: _Context, a: Alternatives, b: Alternatives) -> bool:
    """Whenever some alternative of ``a`` holds, some alternative of ``b`` holds too."""
    written = {frozenset(_test_key(t) for t in y) for y in b}
    # y can follow from x only if y tests nothing x does not (unknown stays unknown).
    subjects = [(_subjects(y), y) for y in b]
    for x in a:
        if frozenset(_test_key(t) for t in x) in written:
            continue
        mine = _subjects(x)
        if not any(s <= mine and _alt_implies(ctx, x, y) for s, y in subjects):
            return False
    return True


def _alt_implies(ctx: _Context, x: tuple[Test, ...], y: tuple[Test, ...]) -> bool:
    mine = _by_subject(x)
    for subject, needed in _by_subject(y).items():
        have = mine.get(subject)
        if have is None:
            return False  # unknown stays unknown: x says nothing about this subject
        found = ctx.domain(subject, _constants([*have, *needed]))
        if found is None:
            return False
        for v in found[0]:
            if all(_holds(t, v) for t in have) and not all(_holds(t, v) for t in needed):
                return False
    return True


def lint_problems(rs: RuleSet, errors: Iterable[Problem] = ()) -> list[Problem]:
    """Every lint warning of ``rs`` (see :data:`LINT_CODES`).

    While ``errors`` holds an error, only the checks that look at one rule alone (a
    missing ``because``) run: whether a rule can fire, or a cause be reached, depends on
    declarations that may be the very thing in error, and a warning that follows from an
    error only hides it.
    """
    ctx = _Context(rs)
    sound = not any(p.severity == "error" for p in errors)
    problems: list[Problem] = []
    expanded: dict[int, Alternatives] = {}
    for index, rule in enumerate(rs.rules):
        if not rule.because:
            problems.append(_warning(
                rule.location, "missing-because",
                f"rule {rule.id!r} has no 'because:'; say in plain words why this evidence "
                f"points to {_target(rule)} (it is shown to the candidate)", rule.id))
        if not sound:
            continue
        try:
            alternatives = expand(rule.when)
        except CompileLimitError:
            continue  # reported as an error when the rule set is compiled
        reasons = [_impossible(ctx, alt) for alt in alternatives]
        if reasons and all(reasons):
            problems.append(_warning(
                rule.when.location, "never-fires",
                f"rule {rule.id!r} can never fire: {reasons[0]}", rule.id))
        else:
            expanded[index] = alternatives
    problems.extend(_redundant(ctx, rs.rules, expanded))
    if sound and rs.complete:
        problems.extend(_unreachable(rs))
        problems.extend(_unused(rs))
    if sound:
        problems.extend(_duplicate_phrases(rs))
    return problems


def _duplicate_phrases(rs: RuleSet) -> Iterator[Problem]:
    """Phrases that read the same (after stems and small words) as an earlier one."""
    if not any(o.phrases for o in rs.observations):
        return
    from .story._patterns import compile_phrase

    def says(ident: str, value: Any) -> str:
        return f"{ident!r}" if value is None or value is True else f"{ident!r} = {value}"

    # A step phrase names a step that other observations may well read outright ("a
    # presentation" is also effort put in): it sets its own only through the order of the
    # story. An ignore phrase sets nothing, and says what other observations' words may
    # mean instead. So each kind is compared with its own kind alone.
    first: dict[tuple[bool, bool], dict[tuple[str, ...], tuple[str, Any, m.Phrase]]] = {}
    for obs in rs.observations:
        for phrase in obs.phrases:
            kind = first.setdefault((phrase.step, phrase.ignore), {})
            for variant in compile_phrase(phrase.text):
                seen = kind.setdefault(variant, (obs.id, phrase.value, phrase))
                if seen[2] is phrase:
                    continue
                ident, value, other = seen
                where = _at(other.location, phrase.location)
                same = (ident, value) == (obs.id, phrase.value)
                yield _warning(
                    phrase.location, "duplicate-phrase",
                    f"observation {obs.id!r}: phrase {phrase.text!r} reads as "
                    f"{' '.join(variant)!r}, like phrase {other.text!r} ({where})"
                    + (" of the same observation: remove one" if same else
                       f" of {says(ident, value)}: a story saying it would set both; keep it "
                       "in one"))
                break


def _target(rule: m.Rule) -> str:
    return f"{rule.conclusion_kind} {rule.conclusion!r}"


TestKey = tuple[str, str, str, Any]


def _test_key(t: Test) -> TestKey:
    return (t.kind, t.subject, t.op, t.value)


def _canonical(alternatives: Alternatives) -> frozenset[frozenset[TestKey]]:
    """The condition as written tests, order and spelling of places aside."""
    return frozenset(frozenset(_test_key(t) for t in alt) for alt in alternatives)


def _subjects(alt: tuple[Test, ...]) -> frozenset[Subject]:
    return frozenset((t.kind, t.subject) for t in alt)


class _Candidates:
    """Earlier distinct conditions of one conclusion, indexed by the subjects they test.

    ``x`` implies ``y`` only if ``y`` tests nothing that ``x`` does not (unknown stays
    unknown), so a pair is compared only when one rule's alternatives could all be covered
    by the other's: the lint stays near linear in rules instead of comparing every pair.
    """

    #: Up to this many subjects, the subsets of an alternative are looked up one by one.
    SUBSETS = 8

    def __init__(self) -> None:
        self.order: list[int] = []
        self.by_subset: dict[frozenset[Subject], set[int]] = {}  # any alternative's subjects
        self.by_subject: dict[Subject, set[int]] = {}  # subjects of the smallest alternative

    def add(self, index: int, alternatives: Alternatives) -> None:
        self.order.append(index)
        for alt in alternatives:
            self.by_subset.setdefault(_subjects(alt), set()).add(index)
        for subject in _subjects(min(alternatives, key=len)):
            self.by_subject.setdefault(subject, set()).add(index)

    def implied_by(self, alternatives: Alternatives) -> set[int]:
        """Earlier conditions that ``alternatives`` might imply."""
        smallest = _subjects(min(alternatives, key=len))
        if len(smallest) > self.SUBSETS:
            return set(self.order)
        found: set[int] = set()
        items = sorted(smallest)
        for size in range(1, len(items) + 1):
            for subset in itertools.combinations(items, size):
                found |= self.by_subset.get(frozenset(subset), set())
        return found

    def implying(self, alternatives: Alternatives) -> set[int]:
        """Earlier conditions that might imply ``alternatives``."""
        found: set[int] = set()
        for alt in alternatives:
            postings = [self.by_subject.get(s, set()) for s in _subjects(alt)]
            found |= set.intersection(*postings) if postings else set(self.order)
        return found


def _redundant(ctx: _Context, rules: Sequence[m.Rule],
               expanded: dict[int, Alternatives]) -> Iterator[Problem]:
    # A rule whose condition is written exactly as an earlier one's is reported once,
    # against the first such rule; its relations to other rules are that first rule's.
    by_conclusion: dict[str, list[int]] = {}
    for index in expanded:
        by_conclusion.setdefault(rules[index].conclusion, []).append(index)
    for indexes in by_conclusion.values():
        first: dict[frozenset[frozenset[TestKey]], dict[bool, int]] = {}
        earlier_ones = _Candidates()
        for later in indexes:
            b = rules[later]
            positive = b.certainty > 0
            same = first.setdefault(_canonical(expanded[later]), {})
            if same:
                for sign, earlier in sorted(same.items(), key=lambda item: item[1]):
                    yield from _pair(b, rules[earlier], sign == positive, True, True)
                same.setdefault(positive, later)
                continue
            same[positive] = later
            candidates = (earlier_ones.implied_by(expanded[later])
                          | earlier_ones.implying(expanded[later]))
            for earlier in sorted(candidates):
                forward = _implies(ctx, expanded[later], expanded[earlier])
                backward = _implies(ctx, expanded[earlier], expanded[later])
                same_sign = (rules[earlier].certainty > 0) == positive
                yield from _pair(b, rules[earlier], same_sign, forward, backward)
            earlier_ones.add(later, expanded[later])


def _pair(b: m.Rule, a: m.Rule, same_sign: bool, forward: bool,
          backward: bool) -> Iterator[Problem]:
    """The warning about later rule ``b`` and earlier rule ``a`` (``forward``: b implies a)."""
    where = _at(a.location, b.location)
    if forward and backward:
        if same_sign:
            yield _warning(
                b.location, "duplicate-rule",
                f"rule {b.id!r} has the same condition and conclusion as rule "
                f"{a.id!r} ({where}), so that evidence counts twice for "
                f"{_target(b)}; merge them into one rule", b.id)
        else:
            yield _warning(
                b.location, "conflicting-rules",
                f"rule {b.id!r} has the same condition as rule {a.id!r} ({where}) "
                f"but the opposite direction for {_target(b)}; they cancel out: "
                "keep one", b.id)
    elif same_sign and (forward or backward):
        narrow, wide = (b, a) if forward else (a, b)
        yield _warning(
            narrow.location, "subsumed-rule",
            f"whenever rule {narrow.id!r} fires, rule {wide.id!r} "
            f"({_at(wide.location, narrow.location)}) fires too and also "
            f"{'supports' if narrow.certainty > 0 else 'counts against'} "
            f"{_target(narrow)}, so their shared evidence counts twice; give "
            f"{narrow.id!r} only the weight of its extra conditions, or make the "
            "conditions exclusive", narrow.id)


def _unreachable(rs: RuleSet) -> Iterator[Problem]:
    concluded: dict[str, list[m.Rule]] = {}
    for rule in rs.rules:
        concluded.setdefault(rule.conclusion, []).append(rule)
    items: list[tuple[str, m.Finding | m.Cause | m.Recommendation]] = [
        *(("finding", f) for f in rs.findings),
        *(("cause", c) for c in rs.causes),
        *(("recommendation", r) for r in rs.recommendations),
    ]
    for kind, item in items:
        rules = concluded.get(item.id, [])
        verb = "recommend" if kind == "recommendation" else kind
        if not rules:
            yield _warning(
                item.location, "unreachable",
                f"{kind} {item.id!r} is never concluded: no rule has "
                f"'then: {{{verb}: {item.id}}}'; add a rule or remove it")
        elif all(r.certainty < 0 for r in rules):
            yield _warning(
                item.location, "unreachable",
                f"{kind} {item.id!r} has only rules against it ("
                + ", ".join(repr(r.id) for r in rules)
                + f"), so it can never be {'tested as true' if kind == 'finding' else 'reported'}"
                "; add a rule with a positive certainty or remove it")


def _unused(rs: RuleSet) -> Iterator[Problem]:
    used = {c.observation for rule in rs.rules for c in iter_conditions(rule.when)
            if isinstance(c, m.Compare)}
    for obs in rs.observations:
        if obs.id not in used:
            yield _warning(
                obs.location, "unused-observation",
                f"observation {obs.id!r} is not tested by any rule, so asking it changes "
                "nothing; use it in a rule or remove it")
