"""``rejection-diagnosis show WHAT``: browse the vocabulary and rules of a knowledge base."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from .. import model as m
from ..errors import did_you_mean
from ..knowledge_base import KnowledgeBase
from ..loader import schema
from ..observation_types import TYPES
from ..operators import EQUALS
from ..validation import iter_conditions
from ._common import UsageError, add_rules_argument, dump_json, load_kb

NAME = "show"
HELP = ("browse the knowledge base: observations, findings, causes, recommendations, rules, "
        "or one id; 'schema' prints the JSON Schema of rule files (for editors), "
        "'case-schema' the JSON Schema of a case (for forms and tools)")
EXAMPLE = """\
example:
  rejection-diagnosis show observations               # what you can tell it, and the answers
  rejection-diagnosis show observations --format yaml > case.yaml   # a case to fill in
  rejection-diagnosis show fit_mismatch               # one cause, and the rules about it"""
LISTS = ("observations", "findings", "causes", "recommendations", "rules")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``show``."""
    parser.add_argument("what", metavar="WHAT",
                        help="observations | findings | causes | recommendations | rules | "
                             "schema | case-schema | ID")
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json", "yaml"), default="text",
                        help="text (default) or json; yaml with observations: a case file "
                             "to fill in")


def run(args: argparse.Namespace) -> int:
    """Print a list or one item."""
    if args.what == "schema":
        sys.stdout.write(dump_json(schema()) + "\n")
        return 0
    if args.format == "yaml" and args.what != "observations":
        raise UsageError("--format yaml goes with 'show observations' (a case to fill in)")
    kb = load_kb(args)
    if args.what == "case-schema":
        sys.stdout.write(dump_json(kb.case_schema()) + "\n")
        return 0
    if args.what == "observations" and args.format != "json":
        sys.stdout.write(case_template(kb) if args.format == "yaml" else _observations_text(kb))
        return 0
    if args.what in LISTS:
        rows = _list(kb, args.what)
        if args.format == "json":
            sys.stdout.write(dump_json(rows) + "\n")
            return 0
        for row in rows:
            title = row.get("title") or row.get("question") or row.get("because", "")
            kind = row.get("type") or row.get("kind") or ""
            extra = f" ({kind})" if kind else ""
            print(f"{row['id']}{extra}: {title}")
        return 0
    data = _item(kb, args.what)
    if args.format == "json":
        sys.stdout.write(dump_json(data) + "\n")
    else:
        _print_item(data)
    return 0


def _observations_text(kb: KnowledgeBase) -> str:
    """Each observation: id, type and question, then the answers it takes."""
    out: list[str] = []
    for obs in kb.observations.values():
        out.append(f"{obs.id} ({obs.type}): {obs.question}")
        out.append(f"    answer: {obs.allowed()}")
    return "\n".join(out) + "\n"


def _example_value(obs: m.Observation) -> str:
    return TYPES[obs.type].example(obs)


def case_template(kb: KnowledgeBase) -> str:
    """A case file to fill in: every observation commented out, with its question."""
    out = [
        "# A case for rejection-diagnosis. For each thing you know, remove the '#' in front",
        "# of its line and give your answer. Leave out what you do not know: unknown is not",
        "# the same as no. Not sure? Write {value: true, certainty: 0.6}.",
        "# Then: rejection-diagnosis diagnose THIS-FILE.yaml",
    ]
    group = None
    for obs in kb.observations.values():
        if obs.group != group:
            group = obs.group
            out.extend(["", f"# --- {group} ---"])
        out.append("")
        out.extend(textwrap.wrap(obs.question, width=86, initial_indent="# ",
                                 subsequent_indent="# "))
        out.append(f"# answer: {obs.allowed()}")
        out.append(f"#{obs.id}: {_example_value(obs)}")
    return "\n".join(out) + "\n"


def _where(location: m.Location) -> str:
    return str(location)


def _condition(cond: m.Condition) -> Any:
    """A condition as plain data, close to how it is written in a rule file."""
    if isinstance(cond, m.All | m.Any):
        return {type(cond).__name__.lower(): [_condition(c) for c in cond.items]}
    if isinstance(cond, m.Not):
        return {"not": _condition(cond.item)}
    if isinstance(cond, m.Compare):
        operand = list(cond.operand) if isinstance(cond.operand, tuple) else cond.operand
        return {cond.observation: operand if cond.op == EQUALS else {cond.op: operand}}
    if isinstance(cond, m.ConclusionTest):
        return {cond.kind: cond.id, "min": cond.min}
    return {"evidence": "sufficient" if cond.sufficient else "insufficient"}


def _rule(rule: m.Rule) -> dict[str, Any]:
    verb = "recommend" if rule.conclusion_kind == "recommendation" else rule.conclusion_kind
    return {"id": rule.id, "kind": "rule", "when": _condition(rule.when),
            "then": {verb: rule.conclusion, "certainty": rule.certainty},
            "because": rule.because, "source": rule.source, "location": _where(rule.location)}


def _list(kb: KnowledgeBase, what: str) -> list[dict[str, Any]]:
    if what == "rules":
        return [_rule(r) for r in kb.rules]
    items: Any = {"observations": kb.observations, "findings": kb.findings, "causes": kb.causes,
                  "recommendations": kb.recommendations}[what]
    return [_plain(item) for item in items.values()]


def _plain(item: m.Observation | m.Finding | m.Cause | m.Recommendation) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id}
    for field in ("type", "kind", "title", "question", "description", "text", "group", "unit",
                  "range", "values", "source"):
        value = getattr(item, field, None)
        if value not in (None, "", ()):
            out[field] = list(value) if isinstance(value, tuple) else value
    out["location"] = _where(item.location)
    return out


def _item(kb: KnowledgeBase, ident: str) -> dict[str, Any]:
    rule = next((r for r in kb.rules if r.id == ident), None)
    if rule is not None:
        return _rule(rule)
    for kind, items in (("observation", kb.observations), ("finding", kb.findings),
                        ("cause", kb.causes), ("recommendation", kb.recommendations)):
        if ident in items:
            out = {"kind": kind, **_plain(items[ident])}
            out["concluded_by"] = [r.id for r in kb.rules if r.conclusion == ident]
            out["tested_by"] = [r.id for r in kb.rules if _tests(r, ident)]
            if kind == "observation":
                del out["concluded_by"]
            return out
    known = [*kb.observations, *kb.findings, *kb.causes, *kb.recommendations,
             *(r.id for r in kb.rules)]
    raise ValueError(f"no observation, finding, cause, recommendation or rule {ident!r}"
                     f"{did_you_mean(ident, known)}; or give one of {', '.join(LISTS)}")


def _tests(rule: m.Rule, ident: str) -> bool:
    for cond in iter_conditions(rule.when):
        if isinstance(cond, m.Compare) and cond.observation == ident:
            return True
        if isinstance(cond, m.ConclusionTest) and cond.id == ident:
            return True
    return False


def _print_item(data: dict[str, Any]) -> None:
    print(f"{data['kind']} {data['id']}  ({data['location']})")
    for key, value in data.items():
        if key in ("id", "kind", "location") or value in ([], ""):
            continue
        if isinstance(value, list) and key in ("concluded_by", "tested_by"):
            label = key.replace("_", " ")
            print(f"  {label}: {', '.join(value)}")
        elif isinstance(value, dict | list):
            print(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
        else:
            print(f"  {key}: {value}")
