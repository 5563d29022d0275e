"""``rejection-diagnosis explain CASE``: the full trace of one diagnosis."""

from __future__ import annotations

import argparse
import sys

from ..certainty import DEFAULT_THRESHOLD
from ..conclusions import Contribution
from ..diagnosis import Diagnosis
from ..knowledge_base import KnowledgeBase
from ..model import show_value
from ..render import Where, explain_text
from ._common import (
    add_rules_argument,
    dump_json,
    load_case,
    load_kb,
    rule_paths,
    short_locations,
    threshold_argument,
)

NAME = "explain"
HELP = ("diagnose a case and print the full trace: observations, every rule that fired in "
        "the order it ran, how certainties combined, then the diagnosis")
EXAMPLE = """\
example:
  rejection-diagnosis explain case.yaml --rules my_rules/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``explain``."""
    parser.add_argument("case", help="case file: YAML or JSON mapping of observation id to "
                                     "value ('-' reads standard input)")
    add_rules_argument(parser)
    parser.add_argument("--threshold", type=threshold_argument, default=DEFAULT_THRESHOLD,
                        help=f"report causes from this certainty on (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json (the diagnosis with every contribution)")


def run(args: argparse.Namespace) -> int:
    """Diagnose and print the trace."""
    kb = load_kb(args)
    dx = kb.diagnose(load_case(args.case, kb), threshold=args.threshold)
    if args.format == "json":
        sys.stdout.write(dump_json(dx.to_dict()) + "\n")
    else:
        sys.stdout.write(trace(kb, dx, short_locations(rule_paths(args, args.rules))))
    return 0


def trace(kb: KnowledgeBase, dx: Diagnosis, where: Where = str) -> str:
    """The trace as text: what was given, what fired layer by layer, then the diagnosis.

    ``where`` shows a rule's location (default: ``path:line:col`` as loaded).
    """
    out = [f"Observations ({len(dx.observations)} given; any other is unknown):"]
    for key, given in dx.observations.items():
        sure = f" (certainty {given.certainty:.2f})" if given.certainty != 1 else ""
        out.append(f"  {key} = {show_value(given.value)}{sure}")
    if not dx.observations:
        out.append("  (none)")
    index = {rule.id: i for i, rule in enumerate(kb.rules)}
    fired: list[tuple[int, str, str, Contribution]] = []
    for conclusion in (*dx.considered, *dx.findings):
        fired.extend((0, conclusion.kind, conclusion.id, c) for c in conclusion.contributions)
    for advice in (*dx.coping, *dx.next_steps):
        fired.extend((0, "recommendation", advice.id, c) for c in advice.why)
    layers = kb.program.rule_layer
    ordered = sorted(((layers[index[c.rule_id]], kind, ident, c) for _, kind, ident, c in fired),
                     key=lambda f: (f[0], index[f[3].rule_id]))
    out.append("")
    out.append(f"Rules that fired ({len(ordered)} of {len(kb.rules)}), in the order they ran:")
    layer = -1
    for number, kind, ident, c in ordered:
        if number != layer:
            layer = number
            out.append(f"  layer {layer + 1}")
        sign = f"{c.contribution:+.2f}"
        out.append(f"    {c.rule_id} ({where(c.location)}) -> {kind} {ident}: certainty factor "
                   f"{c.certainty_factor:+.2f} × condition {c.condition_certainty:.2f} = {sign}")
        for e in c.evidence:
            out.append(f"        {e.test}")
        if c.because:
            out.append(f"        because {c.because}")
    if not ordered:
        out.append("  (none)")
    out.append("")
    out.append("Combined certainties (MYCIN: positives a+b-ab, negatives a+b+ab, then "
               "(P+N)/(1-min(|P|,|N|))):")
    for conclusion in (*dx.considered, *dx.findings):
        state = ("reported" if conclusion in dx.causes else
                 "finding" if conclusion.kind == "finding" else "below the threshold")
        out.append(f"  {conclusion.kind} {conclusion.id}: for {conclusion.positive:.2f}, against "
                   f"{conclusion.negative:+.2f} -> {conclusion.certainty:+.2f} ({state})")
    for advice in (*dx.coping, *dx.next_steps):
        out.append(f"  recommendation {advice.id}: {advice.certainty:+.2f} ({advice.kind})")
    out.append("")
    out.append(explain_text(dx, where))
    return "\n".join(out)
