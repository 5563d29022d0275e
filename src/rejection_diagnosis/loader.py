"""Reading rule files into the knowledge model, collecting every problem with its place.

The loader never stops at the first mistake: structural problems (from the published JSON
Schema), condition problems and semantic problems (from :mod:`.validation`) are all gathered,
sorted by place, and either returned (:func:`check_rules`) or raised together as one
:class:`~rejection_diagnosis.errors.RuleSetError` (:func:`parse_rule_files`).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import attrs

from . import _schema_check
from . import model as m
from ._caches import cached
from ._yaml import Limits, Located, YamlPath, format_yaml_path, read_yaml
from .errors import Problem, did_you_mean
from .observation_types import kind_named
from .operators import ALIASES, EQUALS, NAMES, OPERATORS

if TYPE_CHECKING:
    import jsonschema

__all__ = ["RuleSet", "bundled_rules_path", "discover", "parse_rule_files", "schema"]

RULE_FILE_SUFFIXES = (".yaml", ".yml")
_SECTIONS = {"observations": "observation", "findings": "finding", "causes": "cause",
             "recommendations": "recommendation", "rules": "rule", "checklists": "checklist"}
_ID = re.compile(r"^[a-z][a-z0-9_]*\Z")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_-]*\Z")
_RESERVED = frozenset({"all", "any", "not", "cause", "finding", "evidence", "min"})
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
    #: Ids of items that are declared but could not be built (they have errors of their
    #: own), by kind; references to them are not reported a second time.
    unbuilt: Mapping[str, str] = attrs.field(factory=dict)
    #: False when some item or rule could not be built: checks that need the whole
    #: rule set (unused observations, unreachable causes) are then skipped.
    complete: bool = True
    #: Checklists: related yes/no observations asked as one question.
    checklists: tuple[m.Checklist, ...] = ()


def bundled_rules_path() -> Path:
    """The folder of the bundled default knowledge base, inside the installed package."""
    return Path(str(resources.files("rejection_diagnosis") / "rules"))


@cached("loader.schema")
def schema() -> dict[str, Any]:
    """The published JSON Schema of a rule-set file (``schema/ruleset.schema.json``)."""
    text = (resources.files("rejection_diagnosis") / "schema" / "ruleset.schema.json").read_text(
        encoding="utf-8"
    )
    return cast(dict[str, Any], json.loads(text))


@cached("loader.checked_schema")
def _checked_schema() -> dict[str, Any]:
    # Schema errors under a rule's `when:` are dropped (conditions get their own, more
    # precise messages from _condition()), so the schema is checked without conditions:
    # they were four fifths of jsonschema's time. Without them nothing is recursive, so
    # every $ref is inlined once here: resolving references was most of what remained.
    # The errors reported are the same; the published file is unchanged.
    published = schema()
    defs = {**published["$defs"], "when": {}}
    return {k: _inline(v, defs) for k, v in published.items() if k != "$defs"}


@cached("loader.validator")
def _validator() -> jsonschema.protocols.Validator:
    # Imported when a rule file first fails the quick check: it is heavy, and loading valid
    # files (or importing the package) never needs it.
    import jsonschema

    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(
        schema())(_checked_schema())
    return validator


def _schema_errors(data: Any) -> Iterable[jsonschema.ValidationError]:
    """jsonschema's errors for ``data``; none, without asking it, when the quick check passes."""
    if _schema_check.is_valid(data, _checked_schema()) is True:
        return ()
    return _validator().iter_errors(data)


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
        if isinstance(raw, bytes) or not isinstance(raw, str | os.PathLike):
            raise TypeError(f"rule paths are str or os.PathLike, got {raw!r:.60} "
                            f"({type(raw).__name__})")
        if not os.fspath(raw):
            # Path("") would mean the current folder: never what an empty setting meant.
            problems.append(Problem("", 0, 0, "error", "file-not-found",
                                    "empty path; name a rule file or folder"))
            continue
        path = Path(raw)
        try:
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
            elif path.exists():
                problems.append(Problem(str(path), 0, 0, "error", "file-unreadable",
                                        "not a regular file or a folder"))
            else:
                problems.append(
                    Problem(str(path), 0, 0, "error", "file-not-found", "no such file or folder")
                )
        except OSError as exc:
            problems.append(Problem(str(path), 0, 0, "error", "file-unreadable",
                                    f"cannot read: {exc.strerror or exc}"))
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
        return Problem(str(path), 0, 0, "error", "file-unreadable",
                       f"cannot read file: {exc.strerror}")
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
        self.unbuilt: dict[str, str] = {}
        self.complete = True

    def loc(self, ypath: YamlPath) -> m.Location:
        line, column = self.doc.mark(ypath)
        return m.Location(self.path, line, column, format_yaml_path(ypath))

    def key_loc(self, ypath: YamlPath) -> m.Location:
        line, column = self.doc.key_mark(ypath)
        return m.Location(self.path, line, column, format_yaml_path(ypath))

    def error(self, ypath: YamlPath, code: str, message: str, rule_id: str | None = None,
              at_key: bool = False) -> None:
        where = self.key_loc(ypath) if at_key else self.loc(ypath)
        if rule_id is not None and not message.startswith("rule "):
            message = f"rule {rule_id!r}: {message}"
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
        found: list[tuple[YamlPath, bool, str, str]] = []
        for err in _schema_errors(data):
            # Conditions get their own, more precise messages from condition().
            if _inside_when(tuple(err.absolute_path)):
                continue
            leaf = _deepest(err)
            ypath = tuple(leaf.absolute_path)
            if _inside_when(ypath):
                continue
            found.extend(_SchemaExplainer(data).explain(leaf, ypath))
        for ypath, at_key, code, message in _prune(found):
            line, column = self.doc.key_mark(ypath) if at_key else self.doc.mark(ypath)
            self.problems.append(Problem(self.path, line, column, "error", code, message,
                                         format_yaml_path(ypath)))
            self.bad.add(ypath[:2])
        for section, kind in _SECTIONS.items():
            items = data.get(section)
            if (section,) in self.bad or (items is not None and not isinstance(items, list)):
                self.complete = False
                if isinstance(items, dict) and kind != "rule":
                    # One item written without its '- ', or items keyed by id: either way
                    # those ids are meant as declared.
                    idents = [items["id"]] if "id" in items else list(items)
                    for ident in idents:
                        self.unbuilt.setdefault(str(ident), kind)
                continue
            for i, item in enumerate(items or ()):
                if (section, i) in self.bad or not isinstance(item, dict):
                    self.complete = False
                    ident = item.get("id") if isinstance(item, dict) else None
                    if isinstance(ident, str) and kind != "rule":
                        self.unbuilt.setdefault(ident, kind)
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
                           f"observation id {item['id']!r} is reserved in conditions; "
                           "choose another")
            rng = item.get("range")
            if rng is not None and isinstance(rng, list) and len(rng) == 2 and rng[0] > rng[1]:
                self.error((*ypath, "range"), "empty-range",
                           f"observation {item['id']!r}: range [{rng[0]}, {rng[1]}] is empty; "
                           "write the smaller bound first")
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
                phrases=tuple(self.phrases(ypath, item)),
                steps_before=_named_values(item.get("steps_before")),
            )

    def phrases(self, ypath: YamlPath, item: dict[str, Any]) -> Iterator[m.Phrase]:
        """The ``phrases:`` of an observation: a list, or per category value a list.

        Only the shape is known here; :mod:`.validation` checks the phrase language and
        whether each value fits the observation.
        """
        raw = item.get("phrases")
        kind = kind_named(item.get("type"))  # not validated yet: may name no type
        groups: list[tuple[YamlPath, Any, list[Any]]] = []
        if isinstance(raw, list):
            # A boolean phrase sets true unless it says otherwise; the others say what.
            default = kind.default_phrase_value if kind is not None else None
            groups.append(((*ypath, "phrases"), default, raw))
        elif isinstance(raw, dict) and not (kind is not None and kind.has_values):
            self.error((*ypath, "phrases"), "bad-phrase",
                       f"observation {item.get('id')!r}: only a category lists phrases per "
                       f"value; a {item.get('type')} takes a list of phrases under 'phrases:'")
        elif isinstance(raw, dict):
            groups.extend(((*ypath, "phrases", key), key, entries)
                          for key, entries in raw.items() if isinstance(entries, list))
        for base, value, entries in groups:
            for j, entry in enumerate(entries):
                if isinstance(entry, str):
                    yield m.Phrase(entry, value, 1.0, self.loc((*base, j)))
                elif isinstance(entry, dict) and isinstance(entry.get("phrase"), str):
                    yield m.Phrase(entry["phrase"], _phrase_value(entry.get("value", value)),
                                   float(entry.get("certainty", 1.0)),
                                   self.loc((*base, j, "phrase")),
                                   _named_values(entry.get("also")),
                                   entry.get("step") is True, entry.get("ignore") is True)

    def findings(self) -> Iterator[m.Finding]:
        for ypath, item in self.items("findings"):
            yield m.Finding(item["id"], item["title"].strip(),
                            item.get("description", "").strip(), self.loc(ypath))

    def causes(self) -> Iterator[m.Cause]:
        for ypath, item in self.items("causes"):
            prior = item.get("prior")
            yield m.Cause(item["id"], item["title"].strip(), item["description"].strip(),
                          item.get("source", "").strip(), self.loc(ypath),
                          None if prior is None else float(prior))

    def recommendations(self) -> Iterator[m.Recommendation]:
        for ypath, item in self.items("recommendations"):
            yield m.Recommendation(item["id"], item["kind"], item["title"].strip(),
                                   item["text"].strip(), item.get("source", "").strip(),
                                   self.loc(ypath))

    def checklists(self) -> Iterator[m.Checklist]:
        for ypath, item in self.items("checklists"):
            yield m.Checklist(item["id"], item["question"].strip(), tuple(item["items"]),
                              item.get("unticked", "unknown"), self.loc(ypath),
                              tuple(self.loc((*ypath, "items", n))
                                    for n in range(len(item["items"]))))

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
                self.complete = False
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
                conclusion_location=self.loc((*ypath, "then", kind)),
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
                           f"'{head}:' takes a non-empty list of conditions "
                           f"(got {items_raw!r:.60})",
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
                           f"'{kind}:' and an optional 'min:'", rule_id, at_key=True)
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
            return m.ConclusionTest(kind, target, float(minimum), self.loc((*ypath, kind)))
        if head == "evidence":
            if len(keys) > 1:
                return self._extra_keys(raw, ypath, rule_id)
            value = raw["evidence"]
            if value not in ("sufficient", "insufficient"):
                self.error((*ypath, "evidence"), "condition",
                           f"'evidence:' is 'sufficient' or 'insufficient' (got {value!r})",
                           rule_id)
                return None
            return m.EvidenceTest(value == "sufficient", self.key_loc((*ypath, "evidence")))
        if len(keys) > 1:
            return self._extra_keys(raw, ypath, rule_id)
        return self._comparison(head, raw[head], (*ypath, head), rule_id)

    def _conditions(self, raw: list[Any], ypath: YamlPath,
                    rule_id: str) -> tuple[m.Condition, ...] | None:
        parsed = [self.condition(c, (*ypath, i), rule_id) for i, c in enumerate(raw)]
        if any(p is None for p in parsed):
            return None
        return tuple(cast(list[m.Condition], parsed))

    def _extra_keys(self, raw: dict[str, Any], ypath: YamlPath,
                    rule_id: str) -> m.Condition | None:
        """Report a mapping that holds several conditions; there is nothing to build."""
        keys = ", ".join(repr(k) for k in raw)
        self.error((*ypath, list(raw)[1]), "condition",
                   f"one condition per mapping (found {keys}); put each under 'all:' as its "
                   "own list item", rule_id, at_key=True)
        return None

    def _comparison(self, obs: str, raw: Any, ypath: YamlPath, rule_id: str) -> m.Compare | None:
        where = self.key_loc(ypath)
        if not isinstance(obs, str) or not obs.replace("_", "a").isalnum() or not obs[:1].isalpha():
            self.error(ypath, "condition", f"{obs!r} is not an observation id", rule_id)
            return None
        if not isinstance(raw, dict):
            if raw is None or isinstance(raw, list):
                self.error(ypath, "condition",
                           f"compare {obs!r} with a value or an operator mapping such as "
                           f"{{ge: 3}} (got {raw!r:.60})", rule_id)
                return None
            return m.Compare(obs, EQUALS, self._scalar(raw), where, self.loc(ypath))
        if len(raw) != 1:
            self.error(ypath, "condition",
                       f"one operator per comparison (got {', '.join(map(repr, raw))}); "
                       "use 'between:' for a range or 'all:' for several tests", rule_id)
            return None
        op, operand = next(iter(raw.items()))
        spec = OPERATORS.get(op)
        if spec is None:
            hint = (f" (did you mean {ALIASES[op]!r}?)" if op in ALIASES
                    else did_you_mean(str(op), NAMES))
            self.error((*ypath, op), "bad-operator",
                       f"unknown operator {op!r}{hint}; expected one of "
                       + ", ".join(NAMES), rule_id, at_key=True)
            return None
        opath = (*ypath, op)
        problem = spec.problem(operand)
        if problem is not None:
            self.error(opath, *problem, rule_id)
            return None
        return m.Compare(obs, spec.name, spec.operand_of(operand), where, self.loc(opath))

    @staticmethod
    def _scalar(value: Any) -> m.Scalar:
        if isinstance(value, bool | str):
            return value
        return float(value)


def _phrase_value(value: Any) -> Any:
    """A value a phrase sets, as the model holds values: numbers as floats."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


def _named_values(raw: Any) -> tuple[tuple[str, Any], ...]:
    """A mapping of other observations to values (``also:``, ``steps_before:``) as pairs,
    leaving out what is no value (nothing, a list, a mapping: the schema reports those)."""
    items = raw.items() if isinstance(raw, dict) else ()
    return tuple((str(k), _phrase_value(v)) for k, v in items
                 if v is not None and not isinstance(v, list | dict))


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


_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
               "array": "a list", "object": "a mapping", "boolean": "true or false",
               "null": "empty"}
_ID_RULES = {
    "id": "lower-case letters, digits and '_', starting with a letter",
    "rule_id": "lower-case letters, digits, '_' and '-', starting with a letter",
    "category": "lower-case letters, digits and '_'",
}


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"{value!r:.60}"


def _slug(text: str, rule: bool) -> str:
    out = re.sub(r"[^a-z0-9]+", "-" if rule else "_", text.strip().lower()).strip("-_")
    return out if out[:1].isalpha() else ("x" + ("-" if rule else "_") + out if out else "")


class _SchemaExplainer:
    """Turns jsonschema errors into messages a rule author can act on.

    Each explanation is (path in the YAML, point at the key rather than the value, code,
    message). Items are named by their id when they have one ("rule 'quick-no'"), and the
    message says what is expected, what was found and, where a close match exists, what
    was probably meant.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def item(self, ypath: YamlPath) -> str:
        if not ypath:
            return "file"
        section = ypath[0]
        if len(ypath) == 1 or section not in _SECTIONS or not isinstance(ypath[1], int):
            return f"'{section}:'"
        entries = self.data.get(section)
        entry = entries[ypath[1]] if isinstance(entries, list) and ypath[1] < len(entries) else None
        ident = entry.get("id") if isinstance(entry, dict) else None
        pattern = _RULE_ID if section == "rules" else _ID
        if isinstance(ident, str) and pattern.match(ident) and ypath[2:3] != ("id",):
            return f"{_SECTIONS[str(section)]} {ident!r}"
        return f"{section}[{ypath[1]}]"

    @staticmethod
    def field(ypath: YamlPath) -> str:
        """The key being described: ``'certainty:'`` for ``rules[0].then.certainty``."""
        names = [p for p in ypath[2:] if isinstance(p, str)]
        if not names:
            return ""
        return f"'{names[-1]}:'" if isinstance(ypath[-1], str) else f"a value of '{names[-1]}:'"

    def explain(self, err: jsonschema.ValidationError,
                ypath: YamlPath) -> Iterator[tuple[YamlPath, bool, str, str]]:
        item, field = self.item(ypath), self.field(ypath)
        who = f"{item}: {field}" if field else item
        validator = err.validator
        value: Any = err.instance
        schema = cast(dict[str, Any], err.schema)
        expected: Any = err.validator_value
        if validator == "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            for key in sorted(set(value) - set(allowed)):
                place = "top-level key" if not ypath else "key"
                yield ((*ypath, key), True, "unknown-key",
                       f"{item + ': ' if ypath else ''}unexpected {place} {key!r}"
                       f"{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}")
            return
        if validator == "required":
            missing = [k for k in expected if k not in value]
            for key in missing:
                yield (ypath, False, "missing-key", f"{who}: missing '{key}:'"
                       + (" (a category lists its values)" if key == "values" else ""))
            return
        if validator == "type":
            types = [str(t) for t in (expected if isinstance(expected, list) else [expected])]
            words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
            if len(ypath) == 1:
                yield (ypath, True, "wrong-type",
                       f"'{ypath[0]}:' must be a list of items, each starting with '- id:' "
                       f"(got {_type_word(value)})")
            elif len(ypath) == 2 and ypath[0] in _SECTIONS:
                yield (ypath, False, "wrong-type",
                       f"{item} must be a mapping that starts with 'id:' (got {_type_word(value)})")
            elif value is None:
                yield (ypath, False, "wrong-type", f"{who} is empty; expected {words}")
            elif "certainty" in ypath:
                yield (ypath, False, "wrong-type",
                       f"{who} must be a number in [-1, 1] (got {_type_word(value)})")
            else:
                hint = "; quote it to make it text" if words == "text" else ""
                yield (ypath, False, "wrong-type",
                       f"{who} must be {words} (got {_type_word(value)}){hint}")
            return
        if validator == "minLength" and value == "":
            yield (ypath, False, "bad-value", f"{who} is empty; write the text")
            return
        if validator == "maxLength":
            yield (ypath, False, "bad-value",
                   f"{who} is {len(value)} characters long; at most {expected}")
            return
        if validator == "const":
            if ypath == ("version",):
                yield (ypath, False, "bad-value",
                       f"version {value!r} is not supported; the only version is "
                       f"{expected!r}")
            else:
                yield (ypath, False, "bad-value",
                       f"{who} must be {expected!r} (got {value!r})")
            return
        if validator == "enum":
            options = [str(v) for v in expected]
            yield (ypath, False, "bad-value",
                   f"{who} must be one of {', '.join(options)} (got {value!r}"
                   f"{did_you_mean(str(value), options, ';')})")
            return
        if validator == "pattern":
            is_rule = len(ypath) == 3 and ypath[0] == "rules" and ypath[2] == "id"
            kind = "category" if "values" in ypath else ("rule_id" if is_rule else "id")
            what = "category value" if kind == "category" else ("rule id" if is_rule else "id")
            better = _slug(str(value), is_rule)
            yield (ypath, False, "bad-id",
                   f"{item}: {value!r} is not a valid {what}: use {_ID_RULES[kind]}"
                   + (f" (for example {better!r})" if better and better != value else ""))
            return
        if validator in ("minimum", "maximum") and ypath[-1] == "certainty":
            yield (ypath, False, "certainty-out-of-range",
                   f"{item}: certainty {value!r} is outside [-1, 1]; 1 is certain, -1 certainly "
                   "not")
            return
        if validator in ("minProperties", "maxProperties") and ypath[-1:] == ("then",):
            keys = ", ".join(map(str, value))
            yield (ypath, False, "bad-value",
                   f"{item}: 'then:' takes one of 'cause:', 'finding:' or 'recommend:' and "
                   f"'certainty:' (got {keys})")
            return
        if validator in ("minItems", "maxItems") and ypath[-1:] == ("range",):
            yield (ypath, False, "bad-value",
                   f"{who} takes two numbers [low, high] (got {value!r:.60})")
            return
        if validator == "minItems" and ypath[-1:] == ("values",):
            yield (ypath, False, "bad-value", f"{who} needs at least two values")
            return
        if validator == "uniqueItems":
            seen: set[Any] = set()
            twice = None
            for v in value:
                if v in seen:
                    twice = v
                    break
                seen.add(v)
            yield (ypath, False, "bad-value", f"{who} lists {twice!r} twice")
            return
        if validator == "not" and len(ypath) == 2 and isinstance(value, dict):
            kind = str(value.get("type"))
            for key in ("values", "range", "unit"):
                if key in value:
                    hint = {"values": "use type: category",
                            "range": "only numbers have a range",
                            "unit": "only numbers have a unit"}[key]
                    yield ((*ypath, key), True, "bad-value",
                           f"{item}: a {kind} observation takes no '{key}:' ({hint})")
            return
        yield (ypath, False, "schema", f"{who}: {err.message}")


def _prune(found: list[tuple[YamlPath, bool, str, str]]) -> list[tuple[YamlPath, bool, str, str]]:
    """Drop explanations that only repeat another one.

    A value of the wrong type fails every other check made at its place too; and a key
    reported missing is usually the misspelt key reported unexpected next to it.
    """
    wrong_type = {p for p, _, code, _ in found if code == "wrong-type"}
    misspelt = {(p[:-1], msg) for p, _, code, msg in found if code == "unknown-key"}
    out: list[tuple[YamlPath, bool, str, str]] = []
    for entry in dict.fromkeys(found):
        ypath, _, code, message = entry
        if code != "wrong-type" and (ypath in wrong_type or ypath[:-1] in wrong_type):
            continue
        if code == "missing-key":
            key = message.rsplit("missing '", 1)[1].split(":'", 1)[0]
            if any(parent == ypath and f"(did you mean {key!r}?)" in msg
                   for parent, msg in misspelt):
                continue
        out.append(entry)
    return out


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
    checklists: list[m.Checklist] = []
    unbuilt: dict[str, str] = {}
    complete = not problems
    for path in files:
        doc = _read(path, limits)
        if isinstance(doc, Problem):
            problems.append(doc)
            complete = False
            continue
        problems.extend(doc.problems)
        parser = _FileParser(str(path), doc, problems)
        if not parser.check_structure():
            complete = False
            continue
        observations.extend(parser.observations())
        findings.extend(parser.findings())
        causes.extend(parser.causes())
        recommendations.extend(parser.recommendations())
        rules.extend(parser.rules())
        checklists.extend(parser.checklists())
        for ident, kind in parser.unbuilt.items():
            unbuilt.setdefault(ident, kind)
        complete = complete and parser.complete
    ruleset = RuleSet(
        tuple(str(f) for f in files),
        tuple(observations),
        tuple(findings),
        tuple(causes),
        tuple(recommendations),
        tuple(rules),
        unbuilt,
        complete,
        tuple(checklists),
    )
    return ruleset, problems
