"""Labelled cases: real outcomes whose true cause is known, for measuring a knowledge base.

A labelled-case file is YAML (or JSON) with a ``cases:`` list and an optional ``meta:``
mapping; the format is published as ``schema/cases.schema.json`` and described in
``docs/evaluation.md``. Reading a file checks it against that schema and reports every
problem at once, located ``path:line:col:`` the same way as rule files; checking the cases
against a knowledge base (:func:`case_problems`) adds unknown observations (with a
did-you-mean), mistyped values and labels that are neither a cause nor a category.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from . import _schema_check
from ._caches import cached
from ._yaml import Limits, Located, YamlPath, format_yaml_path, read_yaml
from .errors import ObservationError, Problem, RuleSetError, did_you_mean
from .loader import _deepest, _inline, _prune, _SchemaExplainer, discover
from .observations import normalize

if TYPE_CHECKING:
    import jsonschema

    from .knowledge_base import KnowledgeBase

__all__ = ["Confidence", "LabelledCase", "Source", "Split", "case_problems", "cases_schema",
           "load_cases", "read_cases",
           "unique_cases"]

Confidence = Literal["high", "medium", "low"]
Split = Literal["dev", "test"]


@attrs.frozen
class Source:
    """Where a labelled case comes from."""

    url: str
    title: str
    also: str = ""


@attrs.frozen
class LabelledCase:
    """One real outcome: what the candidate could see, and the cause that later came out.

    Attributes:
        id: unique among the cases evaluated together.
        cause: the true cause, as a cause id or a category of the categories map.
        confidence: how sure the label is (``high``, ``medium`` or ``low``).
        source: the public page the case comes from.
        observations: observation id -> value, as for ``diagnose``; None when the case is
            given only as a story.
        story: the candidate's account (read by the story reader when there are no
            observations).
        secondary: other contributing causes.
        split: ``dev`` (rules may be tuned on it), ``test`` (held out) or None.
        revealed: what was revealed, and by whom (for humans).
        path, line, column: where the case was written (0 when built in Python).
    """

    id: str
    cause: str
    confidence: Confidence
    source: Source
    observations: Mapping[str, Any] | None = None
    story: str = ""
    secondary: tuple[str, ...] = ()
    split: Split | None = None
    revealed: str = ""
    path: str = ""
    line: int = 0
    column: int = 0
    # Where each part of the case was written, for located problems.
    located: Located | None = attrs.field(default=None, eq=False, repr=False)
    index: int = 0

    def position(self, *parts: str | int, key: bool = False) -> tuple[int, int]:
        """Line and column of a part of this case (its key with ``key=True``)."""
        if self.located is None:
            return (self.line, self.column)
        ypath: YamlPath = ("cases", self.index, *parts)
        return self.located.key_mark(ypath) if key else self.located.mark(ypath)

    def problem(self, parts: tuple[str | int, ...], message: str, *, key: bool = False,
                code: str = "case") -> Problem:
        """A located error about a part of this case."""
        line, column = self.position(*parts, key=key)
        return Problem(self.path, line, column, "error", code, f"case {self.id!r}: {message}",
                       format_yaml_path(("cases", self.index, *parts)))


# The schema ---------------------------------------------------------------------------------


@cached("labelled.cases_schema")
def cases_schema() -> dict[str, Any]:
    """The published JSON Schema of a labelled-case file (``schema/cases.schema.json``)."""
    text = (resources.files("rejection_diagnosis") / "schema" / "cases.schema.json").read_text(
        encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


@cached("labelled.checked_schema")
def _checked_schema() -> dict[str, Any]:
    # Nothing in it is recursive: every $ref is inlined once, as the rule-file loader does.
    published = cases_schema()
    return {k: _inline(v, published["$defs"]) for k, v in published.items() if k != "$defs"}


def _schema_errors(data: Any) -> Iterable[jsonschema.ValidationError]:
    if _schema_check.is_valid(data, _checked_schema()) is True:
        return ()
    import jsonschema  # heavy; only a file that fails the quick check needs it

    validator = jsonschema.validators.validator_for(cases_schema())(_checked_schema())
    return validator.iter_errors(data)


class _CaseExplainer(_SchemaExplainer):
    """The rule-file explainer's messages, with cases named by their id."""

    def item(self, ypath: YamlPath) -> str:
        if len(ypath) >= 2 and ypath[0] == "cases" and isinstance(ypath[1], int):
            cases = self.data.get("cases")
            entry = cases[ypath[1]] if isinstance(cases, list) and ypath[1] < len(cases) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            if isinstance(ident, str) and ypath[2:3] != ("id",):
                return f"case {ident!r}"
            return f"cases[{ypath[1]}]"
        return super().item(ypath)

    def explain(self, err: jsonschema.ValidationError,
                ypath: YamlPath) -> Iterator[tuple[YamlPath, bool, str, str]]:
        item = self.item(ypath)
        if len(ypath) >= 4 and ypath[2] == "observations":
            yield self._observation(item, ypath[:4])
            return
        if err.validator == "anyOf" and len(ypath) == 2 and ypath[0] == "cases":
            yield (ypath, False, "no-observations",
                   f"{item}: missing 'observations:' (what the candidate could see) or "
                   "'story:' (the candidate's account); give one")
            return
        if len(ypath) == 1 and ypath[0] == "cases" and err.validator == "type":
            yield (ypath, True, "wrong-type",
                   "'cases:' must be a list of cases, each starting with '- id:'")
            return
        if len(ypath) == 2 and ypath[0] == "cases" and err.validator == "type":
            yield (ypath, False, "wrong-type",
                   f"{item} must be a mapping that starts with 'id:' (got {_shown(err.instance)})")
            return
        yield from super().explain(err, ypath)


    def _observation(self, item: str, ypath: YamlPath) -> tuple[YamlPath, bool, str, str]:
        """What is wrong with an observation's value (it failed every branch of its anyOf)."""
        obs = ypath[3]
        given = self.data["cases"][ypath[1]]["observations"][obs]
        scalar = (bool, int, float, str)
        if isinstance(given, dict):
            extra = sorted(str(k) for k in set(given) - {"value", "certainty"})
            if extra:
                return ((*ypath, extra[0]), True, "unknown-key",
                        f"{item}: observation {obs!r}: unexpected key {extra[0]!r}"
                        f"{did_you_mean(extra[0], ['value', 'certainty'])}; "
                        "allowed: value, certainty")
            if "value" in given and isinstance(given["value"], scalar):
                return ((*ypath, "certainty"), False, "bad-value",
                        f"{item}: certainty of observation {obs!r} must be a number in (0, 1] "
                        f"(got {_shown(given.get('certainty'))}); leave the observation out if "
                        "it is not known")
            if "value" in given:
                ypath, given = (*ypath, "value"), given["value"]
        return (ypath, False, "bad-value",
                f"{item}: observation {obs!r} takes true/false, a number or a category value, "
                f"or {{value: ..., certainty: ...}} (got {_shown(given)})")


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r:.60}"


# Reading ------------------------------------------------------------------------------------


def load_cases(*paths: str | os.PathLike[str], limits: Limits | None = None) -> list[LabelledCase]:
    """Read labelled-case files (or folders of them), checking them against the schema.

    Raises:
        RuleSetError: every problem in the files (unreadable, not YAML, not shaped as a
            labelled-case file, a case id used twice in a file), each located as
            ``path:line:col``.
    """
    cases, problems = read_cases(paths, limits)
    if problems:
        raise RuleSetError(problems)
    return cases


def read_cases(paths: Iterable[str | os.PathLike[str]],
               limits: Limits | None = None) -> tuple[list[LabelledCase], list[Problem]]:
    """The cases that could be read from ``paths``, and every problem found; never raises
    for bad files (:func:`load_cases` raises them)."""
    limits = limits or Limits()
    files, problems = discover(paths)
    problems = [_reword(p) for p in problems]
    cases: list[LabelledCase] = []
    for f in files:
        found = _read_file(f, limits, problems)
        cases.extend(unique_cases(found, problems))
    return cases, problems


def unique_cases(cases: Iterable[LabelledCase], problems: list[Problem]) -> list[LabelledCase]:
    """``cases`` without those whose id was already used in the same file (each reported).

    Ids are unique within a file: two files may describe the same cases (two readers).
    """
    out: list[LabelledCase] = []
    seen: dict[tuple[str, str], LabelledCase] = {}
    for case in cases:
        first = seen.get((case.path, case.id))
        if first is not None:
            problems.append(case.problem(
                ("id",), f"id used twice in this file (first at line {first.line}); case ids "
                "must be unique within a file", code="duplicate-id"))
            continue
        seen[(case.path, case.id)] = case
        out.append(case)
    return out


def _reword(problem: Problem) -> Problem:
    # discover() speaks of rule files; here they are case files.
    message = problem.message.replace("rule files", "labelled-case files")
    return attrs.evolve(problem, message=message)


def _read_file(path: Path, limits: Limits, problems: list[Problem]) -> list[LabelledCase]:
    name = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        problems.append(Problem(name, 0, 0, "error", "file-unreadable",
                                f"cannot read labelled-case file: {exc.strerror}"))
        return []
    doc = read_yaml(raw, name, limits)
    if isinstance(doc, Problem):
        if doc.code == "yaml-empty":
            doc = attrs.evolve(doc, message="file is empty; a labelled-case file is a mapping "
                                            "with a 'cases:' list")
        problems.append(doc)
        return []
    problems.extend(doc.problems)
    data = doc.data
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, 1, "error", "not-a-mapping",
                                "a labelled-case file is a mapping with a 'cases:' list "
                                "(and an optional 'meta:')"))
        return []
    found: list[tuple[YamlPath, bool, str, str]] = []
    explainer = _CaseExplainer(data)
    for err in _schema_errors(data):
        at = tuple(err.absolute_path)
        # "observations or story" is one message, not the first branch's missing key.
        leaf = err if err.validator == "anyOf" and len(at) == 2 else _deepest(err)
        found.extend(explainer.explain(leaf, tuple(leaf.absolute_path)))
    bad: set[YamlPath] = set()
    for ypath, at_key, code, message in _prune(found):
        line, column = doc.key_mark(ypath) if at_key else doc.mark(ypath)
        problems.append(Problem(name, line, column, "error", code, message,
                                format_yaml_path(ypath)))
        bad.add(ypath[:2])
    items = data.get("cases")
    if not isinstance(items, list) or ("cases",) in bad:
        return []
    out: list[LabelledCase] = []
    for i, item in enumerate(items):
        if ("cases", i) in bad or not isinstance(item, dict):
            continue
        line, column = doc.mark(("cases", i))
        source = item["source"]
        out.append(LabelledCase(
            id=item["id"], cause=item["cause"], confidence=item["confidence"],
            source=Source(source["url"], source["title"], source.get("also", "")),
            observations=item.get("observations"), story=item.get("story", ""),
            secondary=tuple(item.get("secondary", ())), split=item.get("split"),
            revealed=item.get("revealed", ""), path=name, line=line, column=column,
            located=doc, index=i))
    return out


# Checking against a knowledge base ----------------------------------------------------------


def case_problems(kb: KnowledgeBase, cases: Iterable[LabelledCase],
                  categories: Collection[str] = (), *, from_story: bool = False) -> list[Problem]:
    """Located problems of labelled cases against ``kb``.

    Unknown or mistyped observations (with a did-you-mean), labels that are neither a cause
    of ``kb`` nor one of ``categories``, and cases that ``kb`` cannot read: a story without
    observations when ``kb`` has no story reader (``kb.read_story``).
    """
    problems: list[Problem] = []
    labels = sorted(set(kb.causes) | set(categories))
    has_reader = hasattr(kb, "read_story")
    for case in cases:
        if case.observations is not None and not from_story:
            for key, value in case.observations.items():
                try:
                    normalize(kb.observations, {key: value})
                except ObservationError as exc:
                    at_key = key not in kb.observations
                    problems.append(case.problem(("observations", key), str(exc), key=at_key,
                                                 code="observation"))
        elif not case.story:
            problems.append(case.problem((), "has no story to read; give its 'story:' or "
                                             "'observations:'", code="story"))
        elif not has_reader:
            problems.append(case.problem(
                ("story",), "is given only as a story, and the story reader is not available "
                "in this knowledge base (no KnowledgeBase.read_story); write its "
                "'observations:'", key=True, code="story"))
        named: list[tuple[tuple[str | int, ...], str]] = [(("cause",), case.cause)]
        named.extend((("secondary", i), s) for i, s in enumerate(case.secondary))
        for parts, label in named:
            if label not in labels:
                problems.append(case.problem(
                    parts, f"unknown cause or category {label!r}{did_you_mean(label, labels)}; "
                    "expected a cause id of the rules or a category of the categories map",
                    code="label"))
    return sorted(problems, key=Problem.sort_key)
