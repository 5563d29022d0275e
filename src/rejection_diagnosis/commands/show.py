"""``rejection-diagnosis show WHAT``: browse the vocabulary and rules of a knowledge base."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .. import model as m
from ..errors import did_you_mean
from ..knowledge_base import KnowledgeBase
from ..loader import schema
from ..validation import iter_conditions
from ._common import add_rules_argument, dump_json, load_kb

NAME = "show"
HELP = ("browse the knowledge base: observations, findings, causes, recommendations, rules, "
        "or one id; 'schema' prints the JSON Schema of rule files (for editors)")
LISTS = ("observations", "findings", "causes", "recommendations", "rules")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``show``."""
    parser.add_argument("what", metavar="WHAT",
                        help="observations | findings | causes | recommendations | rules | "
                             "schema | ID")
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")


def run(args: argparse.Namespace) -> int:
    """Print a list or one item."""
    if args.what == "schema":
        sys.stdout.write(dump_json(schema()) + "\n")
        return 0
    kb = load_kb(args)
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
        return {cond.observation: operand if cond.op == "eq" else {cond.op: operand}}
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
