"""``rejection-diagnosis diagnose CASE``: diagnose one case file."""

from __future__ import annotations

import argparse
import sys

from ..knowledge_base import DEFAULT_THRESHOLD
from ._common import add_rules_argument, dump_json, load_kb, read_case

NAME = "diagnose"
HELP = "diagnose a case file (YAML or JSON) and print the causes and recommendations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``diagnose``."""
    parser.add_argument("case", help="case file: YAML or JSON mapping of observation id to value "
                                     "('-' reads standard input)")
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"report causes from this certainty on (default {DEFAULT_THRESHOLD})")


def run(args: argparse.Namespace) -> int:
    """Diagnose and print."""
    kb = load_kb(args)
    dx = kb.diagnose(read_case(args.case), threshold=args.threshold)
    sys.stdout.write(dump_json(dx.to_dict()) + "\n" if args.format == "json" else dx.explain())
    return 0
