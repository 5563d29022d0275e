"""``rejection-diagnosis test [--rules PATH] SCENARIOS...``: run rule-set tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..diagnosis import Diagnosis
from ..loader import bundled_rules_path
from ..testing import Report, ScenarioResult, run_scenarios
from ._common import UsageError, add_rules_argument, dump_json, load_kb, rule_paths

NAME = "test"
HELP = "run scenario files (observations in, expected causes and recommendations out)"
EXAMPLE = """\
example:
  rejection-diagnosis test --rules my_rules/ my_rules/scenarios/ --coverage"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``test``."""
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIOS",
                        help="scenario files or folders; default: the 'scenarios' folder next "
                             "to each --rules folder, or the bundled scenarios")
    add_rules_argument(parser)
    parser.add_argument("--coverage", action="store_true",
                        help="list the rules that no scenario fires; fail below --fail-under")
    parser.add_argument("--fail-under", type=float, default=100.0, metavar="PERCENT",
                        help="with --coverage: the least rule coverage that passes "
                             "(default 100)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the full explanation of each failing scenario, and list "
                             "passing ones")


def _default_scenarios(args: argparse.Namespace) -> list[str]:
    if not args.rules:
        return [str(bundled_rules_path() / "scenarios")]
    found = [Path(p) / "scenarios" for p in rule_paths(args, args.rules)
             if (Path(p) / "scenarios").is_dir()]
    if not found:
        raise UsageError("give scenario files or folders (no 'scenarios' folder next to the "
                         "--rules folders)")
    return [str(p) for p in found]


def run(args: argparse.Namespace) -> int:
    """Run the scenarios; exit 1 when one fails (or coverage is too low with --coverage)."""
    if not 0 <= args.fail_under <= 100:
        raise UsageError(f"--fail-under takes a percentage from 0 to 100 (got {args.fail_under:g})")
    paths = args.scenarios or _default_scenarios(args)
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    kb = load_kb(args)
    report = run_scenarios(kb, paths)
    low = args.coverage and report.coverage * 100 < args.fail_under - 1e-9
    if args.format == "json":
        sys.stdout.write(dump_json(_json(report, args.coverage)) + "\n")
    else:
        _text(report, args)
    return 1 if report.failed or low else 0


def _summary(dx: Diagnosis) -> list[str]:
    def listed(items: Any) -> str:
        return ", ".join(f"{i.id} {i.certainty:.2f}" for i in items) or "none"

    reported = {c.id for c in dx.causes}
    below = [c for c in dx.considered if c.id not in reported]
    lines = [f"causes: {listed(dx.causes)}"]
    if below:
        lines.append(f"below the threshold: {listed(below)}")
    lines.append(f"coping: {listed(dx.coping)}")
    lines.append(f"next steps: {listed(dx.next_steps)}")
    return lines


def _text(report: Report, args: argparse.Namespace) -> None:
    for result in report.results:
        if result.passed:
            if args.verbose:
                print(f"PASS {result.scenario}")
            continue
        print(f"FAIL {result.scenario}")
        for failure in result.failures:
            print(f"  - {failure}")
        if result.diagnosis is not None:
            print("  diagnosis produced:")
            for line in _summary(result.diagnosis):
                print(f"    {line}")
            if args.verbose:
                print("    " + result.diagnosis.explain().replace("\n", "\n    ").rstrip())
    total, failed = len(report.results), len(report.failed)
    print(f"{total} scenario{'s' * (total != 1)}: {total - failed} passed, {failed} failed")
    if args.coverage:
        if report.phrases:
            _phrase_text(report, args.verbose)
        fired = len(report.rules) - len(report.uncovered)
        print(f"rule coverage: {fired} of {len(report.rules)} rules fired "
              f"({report.coverage:.0%})")
        for rule in report.uncovered:
            print(f"  {rule.location}: rule {rule.id!r} is fired by no scenario")


#: Uncovered phrases listed without -v.
_PHRASES_SHOWN = 20


def _phrase_text(report: Report, verbose: bool) -> None:
    # Reported, not failed on: a phrase no story exercises is a lint warning.
    total = len(report.phrases)
    uncovered = report.uncovered_phrases
    print(f"phrase coverage: {total - len(uncovered)} of {total} phrases matched by a "
          f"scenario story ({(total - len(uncovered)) / total:.0%})")
    shown = uncovered if verbose else uncovered[:_PHRASES_SHOWN]
    for ident, phrase in shown:
        print(f"  {phrase.location}: warning: phrase {phrase.text!r} of {ident!r} is matched "
              "by no scenario story [untested-phrase]")
    if len(shown) < len(uncovered):
        print(f"  ... and {len(uncovered) - len(shown)} more (-v lists them all)")


def _result_json(result: ScenarioResult) -> dict[str, Any]:
    sc = result.scenario
    out: dict[str, Any] = {"name": sc.name, "path": sc.path, "line": sc.line,
                           "passed": result.passed, "failures": list(result.failures)}
    if result.diagnosis is not None and not result.passed:
        out["diagnosis"] = result.diagnosis.to_dict()
    return out


def _json(report: Report, coverage: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "passed": len(report.results) - len(report.failed),
        "failed": len(report.failed),
        "scenarios": [_result_json(r) for r in report.results],
    }
    if coverage:
        out["coverage"] = {
            "rules": len(report.rules),
            "fired": len(report.rules) - len(report.uncovered),
            "ratio": report.coverage,
            "uncovered": [{"id": r.id, "path": r.location.path, "line": r.location.line,
                           "column": r.location.column} for r in report.uncovered],
            "phrases": len(report.phrases),
            "uncovered_phrases": [
                {"observation": ident, "phrase": p.text, "path": p.location.path,
                 "line": p.location.line, "column": p.location.column}
                for ident, p in report.uncovered_phrases],
        }
    return out
