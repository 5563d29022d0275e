"""Reading rule files into the knowledge model, collecting every problem with its place.

The loader never stops at the first mistake: structural problems (from the published JSON
Schema), condition problems and semantic problems (from :mod:`.validation`) are all gathered,
sorted by place, and either returned (:func:`check_rules`) or raised together as one
:class:`~rejection_diagnosis.errors.RuleSetError` (:func:`parse_rule_files`).
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from . import model as m
from ._yaml import Limits, Located, YamlPath, format_yaml_path, read_yaml
from .errors import Problem

if TYPE_CHECKING:
    import jsonschema

__all__ = ["RuleSet", "bundled_rules_path", "discover", "parse_rule_files", "schema"]

RULE_FILE_SUFFIXES = (".yaml", ".yml")
_RESERVED = frozenset({"all", "any", "not", "cause", "finding", "evidence", "min"})
_OPERATORS = ("eq", "ne", "in", "lt", "le", "gt", "ge", "between")
#: A rule's condition is expanded into alternatives of plain tests; these bound the result.
MAX_ALTERNATIVES = 64
MAX_TESTS_PER_ALTERNATIVE = 24


@attrs.frozen
class RuleSet:
    """Everything read from a set of rule files, before compilation."""

    files: tuple[str, ...]
    observations: tuple[m.Observation, ...]
    findings: tuple[m.Finding, ...]
    causes: tuple[m.Cause, ...]
    recommendations: tuple[m.Recommendation, ...]
    rules: tuple[m.Rule, ...]


def bundled_rules_path() -> Path:
    """The folder of the bundled default knowledge base, inside the installed package."""
    return Path(str(resources.files("rejection_diagnosis") / "rules"))


@functools.cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of a rule-set file (``schema/ruleset.schema.json``)."""
    text = (resources.files("rejection_diagnosis") / "schema" / "ruleset.schema.json").read_text(
        encoding="utf-8"
    )
    return cast(dict[str, Any], json.loads(text))


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    # Imported when a rule file is first checked: it is heavy, and a program that only
    # diagnoses with already loaded rules (or imports the package) never needs it.
    import jsonschema

    # Schema errors under a rule's `when:` are dropped (conditions get their own, more
    # precise messages from _condition()), so the validator does not check conditions at
    # all: they were four fifths of its time. The published file is unchanged.
    # Without conditions nothing is recursive, so every $ref is inlined once here: resolving
    # references was most of what remained (the errors reported are the same).
    published = schema()
    defs = {**published["$defs"], "when": {}}
    checked = {k: _inline(v, defs) for k, v in published.items() if k != "$defs"}
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(
        published)(checked)
    return validator


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/x"}`` replaced by (inlined) ``defs["x"]``."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
    if "$ref" not in node:
        return out
    target = _inline(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    return {"allOf": [target], **out} if out else target


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into the rule files to read, in a stable order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix in RULE_FILE_SUFFIXES and p.is_file()
            )
            if not found:
                problems.append(
                    Problem(str(path), 0, 0, "error", "no-rule-files",
                            "folder holds no *.yaml or *.yml rule files")
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(str(path), 0, 0, "error", "file-not-found", "no such file or folder")
            )
    unique: list[Path] = []
    seen: set[Path] = set()
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems


def _read(path: Path, limits: Limits) -> Located | Problem:
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        return Problem(str(path), 0, 0, "error", "file-unreadable", f"cannot read file: {exc.strerror}")
    return read_yaml(raw, str(path), limits)


class _FileParser:
    """Turns one located document into model items, recording problems as it goes."""

    def __init__(self, path: str, doc: Located, problems: list[Problem]) -> None:
        self.path = path
        self.doc = doc
        self.problems = problems
        # Items with structural errors, as (section, index): they are reported once and
        # not built, so that the rest of the file is still checked.
        self.bad: set[YamlPath] = set()

    def loc(self, ypath: YamlPath) -> m.Location:
        line, column = self.doc.mark(ypath)
        return m.Location(self.path, line, column, format_yaml_path(ypath))

    def error(self, ypath: YamlPath, code: str, message: str, rule_id: str | None = None) -> None:
        where = self.loc(ypath)
        self.problems.append(
            Problem(self.path, where.line, where.column, "error", code, message,
                    where.yaml_path, rule_id)
        )

    # Structure, from the JSON Schema ----------------------------------------------------

    def check_structure(self) -> bool:
        """Report schema errors outside rule conditions; False if nothing can be built."""
        data = self.doc.data
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({data!r:.40})"
            self.error((), "not-a-mapping",
                       f"a rule file must be a mapping with keys such as 'observations:' and "
                       f"'rules:', not {kind}")
            return False
        for err in _validator().iter_errors(data):
            ypath = tuple(err.absolute_path)
            # Conditions get their own, more precise messages from _condition().
            if _inside_when(ypath):
                continue
            leaf = _deepest(err)
            ypath = tuple(leaf.absolute_path)
            if _inside_when(ypath):
                continue
            self.error(ypath, "schema", _schema_message(leaf, ypath))
            self.bad.add(ypath[:2])
        return True

    # Items --------------------------------------------------------------------------------

    def items(self, key: str) -> Iterator[tuple[YamlPath, dict[str, Any]]]:
        section = self.doc.data.get(key)
        if not isinstance(section, list) or (key,) in self.bad:
            return
        for i, item in enumerate(section):
            if isinstance(item, dict) and (key, i) not in self.bad:
                yield (key, i), item

    def observations(self) -> Iterator[m.Observation]:
        for ypath, item in self.items("observations"):
            if item.get("id") in _RESERVED:
                self.error((*ypath, "id"), "reserved-id",
                           f"observation id {item['id']!r} is reserved in conditions; choose another")
            rng = item.get("range")
            if rng is not None and isinstance(rng, list) and len(rng) == 2 and rng[0] > rng[1]:
                self.error((*ypath, "range"), "empty-range",
                           f"range [{rng[0]}, {rng[1]}] is empty; write the smaller bound first")
            yield m.Observation(
                id=item["id"],
                type=item["type"],
                description=item["description"].strip(),
                question=item["question"].strip(),
                group=item.get("group", "general"),
                unit=item.get("unit"),
                range=(float(rng[0]), float(rng[1])) if rng is not None else None,
                values=tuple(item.get("values", ())),
                location=self.loc(ypath),
            )

    def findings(self) -> Iterator[m.Finding]:
        for ypath, item in self.items("findings"):
            yield m.Finding(item["id"], item["title"].strip(),
                            item.get("description", "").strip(), self.loc(ypath))

    def causes(self) -> Iterator[m.Cause]:
        for ypath, item in self.items("causes"):
            yield m.Cause(item["id"], item["title"].strip(), item["description"].strip(),
                          item.get("source", "").strip(), self.loc(ypath))

    def recommendations(self) -> Iterator[m.Recommendation]:
        for ypath, item in self.items("recommendations"):
            yield m.Recommendation(item["id"], item["kind"], item["title"].strip(),
                                   item["text"].strip(), item.get("source", "").strip(),
                                   self.loc(ypath))

    def rules(self) -> Iterator[m.Rule]:
        for ypath, item in self.items("rules"):
            then = item["then"]
            kind, target = next(
                (k, v) for k, v in then.items() if k in ("cause", "finding", "recommend")
            )
            certainty = float(then["certainty"])
            rule_id = item["id"]
            if certainty == 0:
                self.error((*ypath, "then", "certainty"), "zero-certainty",
                           "certainty 0 concludes nothing; use a value in [-1, 1] other than 0",
                           rule_id)
            when = self.condition(item["when"], (*ypath, "when"), rule_id)
            if when is None:
                continue
            yield m.Rule(
                id=rule_id,
                when=when,
                conclusion_kind="recommendation" if kind == "recommend" else kind,
                conclusion=target,
                certainty=certainty,
                because=" ".join(str(item.get("because", "")).split()),
                source=str(item.get("source", "")).strip(),
                location=self.loc(ypath),
            )

    # Conditions ----------------------------------------------------------------------------

    def condition(self, raw: Any, ypath: YamlPath, rule_id: str) -> m.Condition | None:
        """Parse one condition, reporting each mistake at its own place."""
        where = self.loc(ypath)
        if isinstance(raw, list):
            items = self._conditions(raw, ypath, rule_id)
            return None if items is None else m.All(items, where)
        if not isinstance(raw, dict) or not raw:
            self.error(ypath, "condition",
                       f"a condition must be a mapping such as {{posting_reposted: true}} or "
                       f"{{all: [...]}} (got {raw!r:.60})", rule_id)
            return None
        keys = list(raw)
        head = keys[0]
        if head in ("all", "any"):
            if len(keys) > 1:
                return self._extra_keys(raw, ypath, rule_id)
            items_raw = raw[head]
            if not isinstance(items_raw, list) or not items_raw:
                self.error((*ypath, head), "condition",
                           f"'{head}:' takes a non-empty list of conditions (got {items_raw!r:.60})",
                           rule_id)
                return None
            items = self._conditions(items_raw, (*ypath, head), rule_id)
            if items is None:
                return None
            return m.All(items, where) if head == "all" else m.Any(items, where)
        if head == "not":
            if len(keys) > 1:
                return self._extra_keys(raw, ypath, rule_id)
            inner = self.condition(raw["not"], (*ypath, "not"), rule_id)
            return None if inner is None else m.Not(inner, where)
        if "cause" in raw or "finding" in raw:
            kind: Literal["cause", "finding"] = "cause" if "cause" in raw else "finding"
            extra = [k for k in keys if k not in (kind, "min")]
            if extra:
                self.error((*ypath, extra[0]), "condition",
                           f"unexpected key {extra[0]!r} in a {kind} test; it takes only "
                           f"'{kind}:' and an optional 'min:'", rule_id)
                return None
            target = raw[kind]
            minimum = raw.get("min", m.DEFAULT_MIN)
            if not isinstance(target, str):
                self.error((*ypath, kind), "condition", f"'{kind}:' takes an id (got {target!r})",
                           rule_id)
                return None
            if isinstance(minimum, bool) or not isinstance(minimum, int | float) or not (
                0 < minimum <= 1
            ):
                self.error((*ypath, "min"), "bad-min",
                           f"'min:' must be a number in (0, 1] (got {minimum!r})", rule_id)
                return None
            return m.ConclusionTest(kind, target, float(minimum), where)
        if head == "evidence":
            if len(keys) > 1:
                return self._extra_keys(raw, ypath, rule_id)
            value = raw["evidence"]
            if value not in ("sufficient", "insufficient"):
                self.error((*ypath, "evidence"), "condition",
                           f"'evidence:' is 'sufficient' or 'insufficient' (got {value!r})",
                           rule_id)
                return None
            return m.EvidenceTest(value == "sufficient", where)
        if len(keys) > 1:
            return self._extra_keys(raw, ypath, rule_id)
        return self._comparison(head, raw[head], (*ypath, head), rule_id)

    def _conditions(self, raw: list[Any], ypath: YamlPath, rule_id: str) -> tuple[m.Condition, ...] | None:
        parsed = [self.condition(c, (*ypath, i), rule_id) for i, c in enumerate(raw)]
        if any(p is None for p in parsed):
            return None
        return tuple(cast(list[m.Condition], parsed))

    def _extra_keys(self, raw: dict[str, Any], ypath: YamlPath, rule_id: str) -> m.Condition | None:
        keys = ", ".join(repr(k) for k in raw)
        self.error((*ypath, list(raw)[1]), "condition",
                   f"one condition per mapping (found {keys}); put each under 'all:' as its "
                   "own list item", rule_id)
        return None

    def _comparison(self, obs: str, raw: Any, ypath: YamlPath, rule_id: str) -> m.Compare | None:
        where = self.loc(ypath[:-1])
        if not isinstance(obs, str) or not obs.replace("_", "a").isalnum() or not obs[:1].isalpha():
            self.error(ypath, "condition", f"{obs!r} is not an observation id", rule_id)
            return None
        if not isinstance(raw, dict):
            if raw is None or isinstance(raw, list):
                self.error(ypath, "condition",
                           f"compare {obs!r} with a value or an operator mapping such as "
                           f"{{ge: 3}} (got {raw!r:.60})", rule_id)
                return None
            return m.Compare(obs, "eq", self._scalar(raw), where)
        if len(raw) != 1:
            self.error(ypath, "condition",
                       f"one operator per comparison (got {', '.join(map(repr, raw))}); "
                       "use 'between:' for a range or 'all:' for several tests", rule_id)
            return None
        op, operand = next(iter(raw.items()))
        if op not in _OPERATORS:
            self.error((*ypath, op), "bad-operator",
                       f"unknown operator {op!r}{_suggest(str(op), _OPERATORS)}; expected one of "
                       + ", ".join(_OPERATORS), rule_id)
            return None
        opath = (*ypath, op)
        if op in ("in", "between"):
            if not isinstance(operand, list) or not operand or any(
                isinstance(v, list | dict) or v is None for v in operand
            ):
                self.error(opath, "condition", f"'{op}:' takes a list of values (got {operand!r:.60})",
                           rule_id)
                return None
            if op == "between":
                if len(operand) != 2 or not all(_is_number(v) for v in operand):
                    self.error(opath, "condition",
                               f"'between:' takes two numbers [low, high] (got {operand!r:.60})",
                               rule_id)
                    return None
                if operand[0] > operand[1]:
                    self.error(opath, "empty-range",
                               f"between [{operand[0]}, {operand[1]}] can never hold; write the "
                               "smaller bound first", rule_id)
                    return None
            return m.Compare(obs, op, tuple(self._scalar(v) for v in operand), where)
        if op in ("lt", "le", "gt", "ge") and not _is_number(operand):
            self.error(opath, "type-mismatch",
                       f"'{op}:' compares numbers (got {operand!r:.60})", rule_id)
            return None
        if isinstance(operand, list | dict) or operand is None:
            self.error(opath, "condition", f"'{op}:' takes a single value (got {operand!r:.60})",
                       rule_id)
            return None
        return m.Compare(obs, op, self._scalar(operand), where)

    @staticmethod
    def _scalar(value: Any) -> m.Scalar:
        if isinstance(value, bool | str):
            return value
        return float(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _inside_when(ypath: YamlPath) -> bool:
    return len(ypath) > 2 and ypath[0] == "rules" and ypath[2] == "when"


def _deepest(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For oneOf/anyOf failures, the most relevant sub-error (jsonschema's own heuristic)."""
    import jsonschema

    if err.context:
        best = jsonschema.exceptions.best_match(err.context)
        if best is not None and len(best.absolute_path) >= len(err.absolute_path):
            return _deepest(best)
    return err


def _schema_message(err: jsonschema.ValidationError, ypath: YamlPath) -> str:
    where = format_yaml_path(ypath) or "file"
    sub: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
    if err.validator == "additionalProperties":
        instance: dict[str, Any] = err.instance if isinstance(err.instance, dict) else {}
        extra = sorted(set(instance) - set(sub.get("properties", {})))
        allowed = sorted(sub.get("properties", {}))
        hints = ", ".join(f"{k!r}{_suggest(k, allowed)}" for k in extra)
        return f"{where}: unexpected key {hints}; allowed keys are {', '.join(allowed)}"
    if err.validator == "required":
        return f"{where}: {err.message}"
    if err.validator == "pattern":
        return (f"{where}: {err.instance!r} is not a valid id (lower-case letters, digits and '_'"
                f"{', and -' if 'rule' in where else ''}, starting with a letter)")
    if err.validator == "enum":
        options = ", ".join(repr(v) for v in cast(list[Any], err.validator_value))
        return f"{where}: {err.instance!r} is not one of {options}"
    if err.validator in ("minimum", "maximum") and "certainty" in where:
        return f"{where}: certainty {err.instance!r} is outside [-1, 1]"
    return f"{where}: {err.message}"


def _suggest(word: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_rule_files(
    paths: Iterable[str | os.PathLike[str]], limits: Limits | None = None
) -> tuple[RuleSet, list[Problem]]:
    """Read and parse rule files; return what could be built and every problem found.

    Semantic checks (references, types, duplicates, cycles) are in :mod:`.validation`.
    """
    limits = limits or Limits()
    files, problems = discover(paths)
    observations: list[m.Observation] = []
    findings: list[m.Finding] = []
    causes: list[m.Cause] = []
    recommendations: list[m.Recommendation] = []
    rules: list[m.Rule] = []
    for path in files:
        doc = _read(path, limits)
        if isinstance(doc, Problem):
            problems.append(doc)
            continue
        parser = _FileParser(str(path), doc, problems)
        if not parser.check_structure():
            continue
        observations.extend(parser.observations())
        findings.extend(parser.findings())
        causes.extend(parser.causes())
        recommendations.extend(parser.recommendations())
        rules.extend(parser.rules())
    ruleset = RuleSet(
        tuple(str(f) for f in files),
        tuple(observations),
        tuple(findings),
        tuple(causes),
        tuple(recommendations),
        tuple(rules),
    )
    return ruleset, problems
