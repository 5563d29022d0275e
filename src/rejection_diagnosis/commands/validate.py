"""``rejection-diagnosis validate PATH...``: check rule files and report every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import attrs

from ..errors import Problem
from ..knowledge_base import check_rules
from ._common import UsageError, add_bundled_argument, dump_json, rule_paths

NAME = "validate"
HELP = "check rule files: every error and lint warning, located as path:line:col"
EXAMPLE = """\
example:
  rejection-diagnosis validate my_rules/ --bundled --strict"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``validate``."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="rule file or folder (a folder: its *.yaml and *.yml files); "
                             "all paths together form one knowledge base; none: the bundled "
                             "knowledge base")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default): one problem a line; json: a list of problems")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings as errors (exit 1 on any warning)")
    add_bundled_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Check the files; exit 0 when clean, 1 on errors (or warnings with --strict)."""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    problems = check_rules(*rule_paths(args, args.paths))
    if args.strict:
        problems = [attrs.evolve(p, severity="error") for p in problems]
    errors = sum(1 for p in problems if p.severity == "error")
    if args.format == "json":
        sys.stdout.write(dump_json({
            "ok": errors == 0,
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.to_dict() for p in problems],
        }) + "\n")
    else:
        for problem in problems:
            print(problem)
        print(_summary(problems, errors), file=sys.stderr)
    return 1 if errors else 0


def _summary(problems: list[Problem], errors: int) -> str:
    warnings = len(problems) - errors
    if not problems:
        return "no problems found"
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return " and ".join(parts) + " found"
