"""``rejection-diagnosis evaluate CASES...``: score the rules on labelled real cases."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from ..certainty import DEFAULT_THRESHOLD
from ..evaluation import (
    NONE,
    Evaluation,
    RuleFigures,
    Summary,
    bundled_categories_path,
    category_problems,
    evaluate,
    load_categories,
)
from ._common import UsageError, add_rules_argument, dump_json, load_kb, threshold_argument

NAME = "evaluate"
HELP = ("score the rules on labelled cases whose true cause is known: top-1, top-3, no cause "
        "reported, per-category recall and precision, confusion matrix, misleading rules")
EXAMPLE = """\
example:
  rejection-diagnosis evaluate eval/cases/dev_mapped_1.yaml --top 5"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``evaluate``."""
    parser.add_argument("cases", nargs="+", metavar="CASES",
                        help="labelled-case files or folders (YAML or JSON, with 'cases:')")
    add_rules_argument(parser)
    parser.add_argument("--categories", metavar="MAP",
                        help="map of cause ids onto coarser categories (YAML: 'categories: "
                             "{cause: category}'); default with the bundled rules: the bundled "
                             "map onto the labelled cases' ten categories")
    parser.add_argument("--no-categories", action="store_true",
                        help="score cause ids as they are, without a categories map")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json")
    parser.add_argument("--threshold", type=threshold_argument, default=DEFAULT_THRESHOLD,
                        help=f"report causes from this certainty on (default {DEFAULT_THRESHOLD})")
    tier = parser.add_mutually_exclusive_group()
    tier.add_argument("--include-possible", action="store_true",
                      help="score the per-category figures, the confusion matrix and the "
                           "misleading rules on every cause with positive certainty, also "
                           "below the threshold (top-1 and top-3 show every tier anyway)")
    tier.add_argument("--with-base-rates", action="store_true",
                      help="the same, rounded out to three with the most common causes no "
                           "rule spoke about when rules speak for one or two, and when no "
                           "rule speaks for any cause, on the causes the rules declare a "
                           "prior for, most common first")
    parser.add_argument("--from-story", action="store_true",
                        help="diagnose each case from its story with the story reader, even "
                             "when it has observations")
    parser.add_argument("--top", type=int, default=10, metavar="N",
                        help="rules shown in each list of the text output (default 10)")


def _categories(args: argparse.Namespace) -> tuple[dict[str, str], str]:
    if args.categories is not None and args.no_categories:
        raise UsageError("give --categories MAP or --no-categories, not both")
    if args.categories is not None:
        return load_categories(args.categories), args.categories
    if args.no_categories or (args.rules and not args.bundled):
        return {}, ""
    path = str(bundled_categories_path())
    return load_categories(path), path


def run(args: argparse.Namespace) -> int:
    """Evaluate and print; exit 1 when a file is bad."""
    if not 0 < args.threshold <= 1:  # NaN fails too
        raise UsageError(f"--threshold takes a number in (0, 1] (got {args.threshold:g})")
    if args.top < 0:
        raise UsageError(f"--top takes a count of 0 or more (got {args.top})")
    kb = load_kb(args)
    categories, where = _categories(args)
    if args.categories is not None:
        for problem in category_problems(kb, categories, where):
            print(problem, file=sys.stderr)
    ev = evaluate(kb, args.cases, categories, threshold=args.threshold,
                  tier=("considered" if args.include_possible else
                        "with_base_rates" if args.with_base_rates else "reported"),
                  from_story=args.from_story)
    if args.format == "json":
        sys.stdout.write(dump_json({**ev.to_dict(), "categories_map": where or None}) + "\n")
    else:
        sys.stdout.write(render_text(ev, where, args.top))
    return 0


def _short(path: str) -> str:
    """``path`` relative to the working folder when it is under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


def _pct(part: int, whole: int) -> str:
    return f"{part:4d} {part / whole:4.0%}" if whole else f"{part:4d}    -"


def _summary_row(name: str, summary: Summary) -> str:
    if len(name) > 19:
        name = name[:18] + "…"
    cells = [_pct(count, summary.n) for tk in (summary.reported, summary.considered)
             for count in (tk.top1, tk.top3, tk.no_cause)]
    return f"{name:<20}{summary.n:>4}  " + "  ".join(cells)


def _rule_row(f: RuleFigures) -> str:
    precision = f"{f.precision:6.0%}" if f.precision is not None else "     -"
    where = _short(f.location.path)
    return (f"  {f.lifted_wrong:>6} {f.fired:>6} {f.right:>6} {precision}  {f.rule_id} "
            f"({'against ' if f.certainty_factor < 0 else ''}{f.cause} {f.certainty_factor:+g})"
            f"  {where}:{f.location.line}")


def render_text(ev: Evaluation, categories: str, top: int) -> str:
    """The evaluation as a compact report for a terminal."""
    tier = {"reported": "reported causes",
            "considered": "every cause with positive certainty (--include-possible)",
            "with_base_rates": "every cause with positive certainty, rounded out to three "
                               "with common causes no rule spoke about, else the base rates "
                               "(--with-base-rates)"}[ev.tier]
    mapped = f"categories: {_short(categories)}" if categories else "no categories map"
    lines = [f"{ev.n} labelled case{'s' * (ev.n != 1)}; threshold {ev.threshold:g}; {mapped}",
             "",
             f"{'':<26}{'reported causes':^31}  {'also below the threshold':^31}",
             f"{'':<20}{'n':>4}  " + "  ".join(f"{h:>9}" for h in (
                 "top-1", "top-3", "no cause", "top-1", "top-3", "no cause"))]
    lines.append(_summary_row("all cases", ev.summary))
    files = {os.path.basename(name) or "(in Python)": summary
             for name, summary in ev.by_file.items()}
    groups: list[tuple[str, Mapping[str, Summary]]] = [("", files),
                                                       ("confidence ", ev.by_confidence),
                                                       ("split ", ev.by_split)]
    for kind, group in groups:
        if (kind == "confidence " and len(group) < 2) or not group:
            continue
        lines += [_summary_row(f"{kind}{name}", summary) for name, summary in group.items()]
    fallback = ev.summary.with_base_rates
    if fallback != ev.summary.considered:
        lines.append(f"{'all cases, with base rates':<26}{'':31}  " + "  ".join(
            _pct(count, fallback.n) for count in (fallback.top1, fallback.top3,
                                                  fallback.no_cause)))
    lines += ["", f"Per category, of the top cause (ranking: {tier}):",
              f"  {'category':<32}{'cases':>6}{'top':>6}{'right':>6}{'recall':>8}{'precision':>10}"]
    for c in ev.categories:
        recall = f"{c.recall:8.0%}" if c.recall is not None else "       -"
        precision = f"{c.precision:10.0%}" if c.precision is not None else "         -"
        lines.append(f"  {c.category:<32}{c.support:>6}{c.predicted:>6}{c.correct:>6}"
                     f"{recall}{precision}")
    conf = ev.confusion
    width = max(3, *(len(str(n)) for row in conf.counts for n in row))
    header = "".join(f"{i + 1:>{width + 1}}" for i in range(len(conf.labels)))
    lines += ["", "Confusion matrix (rows: truth; columns: top cause, by row number):",
              f"  {'':<35}{header} {NONE:>5}"]
    for i, (label, row) in enumerate(zip(conf.labels, conf.counts, strict=True)):
        cells = "".join(f"{n if n else '.':>{width + 1}}" for n in row[:-1])
        lines.append(f"  {i + 1:>2} {label:<32}{cells} {row[-1] or '.':>5}")
    head = f"  {'lifted':>6} {'fired':>6} {'right':>6} {'prec.':>6}  rule (cause, factor)  where"
    if ev.misleading and top:
        lines += ["", "Rules that most often lifted a wrong cause above the true one:", head]
        lines += [_rule_row(f) for f in ev.misleading[:top]]
    weak = sorted((f for f in ev.rules if f.fired >= 3 and (f.precision or 0) < 0.5),
                  key=lambda f: (f.precision or 0.0, -f.fired, f.rule_id))
    if weak and top:
        lines += ["", "Least precise rules (fired in 3 cases or more, right in under half):",
                  head]
        lines += [_rule_row(f) for f in weak[:top]]
    return "\n".join(line.rstrip() for line in lines) + "\n"
