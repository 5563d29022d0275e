"""Check each rule's certainty factor against labelled real cases (the dev split only).

For every rule that speaks for a cause, count the dev cases in which it fired (gave that
cause a positive contribution) and how often the cause's category was the truth: the rule's
precision p. With b the category's share of the dev cases (its base rate), MYCIN's own
definition of a measure of belief gives the factor the cases support:

    MB = (p - b) / (1 - b)      when p > b, else 0

A handful of cases is weak evidence, so the suggestion blends the author's factor with the
measured one, weighting the author's as if it were PRIOR_WEIGHT cases:

    suggested = (n * MB + PRIOR_WEIGHT * current) / (n + PRIOR_WEIGHT)

Only rules that fired in at least MIN_FIRED cases are touched; rules with negative factors,
and rules that conclude findings or recommendations, are reported but never changed. The
output is a table a coach can read and argue with; ``--apply`` writes the suggestions into
the rule file, keeping every rule's ``because`` and ``source``.

usage: python eval/tools/calibrate.py CASES.yaml... [--rules DIR] [--categories MAP]
                                      [--apply] [--min-fired N] [--prior-weight W]
CASES are labelled-case files (docs/evaluation.md); cases whose split is "test" are refused.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

import yaml

import rejection_diagnosis as rd

MIN_FIRED = 4
PRIOR_WEIGHT = 10.0


def load_cases(paths: list[str]) -> list[dict]:
    cases: list[dict] = []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        for case in data["cases"]:
            if case.get("split") == "test":
                raise SystemExit(f"{path}: case {case['id']!r} is in the test split; "
                                 "calibrate on dev cases only")
            cases.append(case)
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--rules", default=str(rd.bundled_rules_path()))
    ap.add_argument("--categories", default=None,
                    help="cause id -> category map (default: the bundled one)")
    ap.add_argument("--apply", action="store_true")
    ap.add_argument("--min-fired", type=int, default=MIN_FIRED)
    ap.add_argument("--prior-weight", type=float, default=PRIOR_WEIGHT)
    args = ap.parse_args(argv)

    kb = rd.load_rules(args.rules)
    cat_path = Path(args.categories) if args.categories else (
        Path(rd.bundled_rules_path()) / "evaluation" / "categories.yaml")
    cat = yaml.safe_load(cat_path.read_text(encoding="utf-8"))["categories"]
    cases = load_cases(args.cases)
    truth_count = collections.Counter(c["cause"] for c in cases)
    base = {k: v / len(cases) for k, v in truth_count.items()}

    fired: collections.Counter[str] = collections.Counter()
    right: collections.Counter[str] = collections.Counter()
    for case in cases:
        dx = kb.diagnose(case.get("observations") or {})
        for conclusion in dx.considered:
            for c in conclusion.contributions:
                if c.contribution > 0:
                    fired[c.rule_id] += 1
                    right[c.rule_id] += cat.get(conclusion.id, conclusion.id) == case["cause"]

    rules = {r.id: r for r in kb.rules}
    changes: dict[str, float] = {}
    print(f"{len(cases)} dev cases; base rates: "
          + ", ".join(f"{k} {v:.2f}" for k, v in sorted(base.items(), key=lambda x: -x[1])))
    print(f"{'rule':44} {'cause':28} {'n':>3} {'p':>5} {'b':>5} {'MB':>5} {'cf':>5} {'new':>5}")
    for rule_id, n in sorted(fired.items(), key=lambda x: -x[1]):
        rule = rules[rule_id]
        if rule.conclusion_kind != "cause" or rule.certainty <= 0:
            continue
        category = cat.get(rule.conclusion, rule.conclusion)
        p = right[rule_id] / n
        b = base.get(category, 0.0)
        mb = max(0.0, (p - b) / (1 - b)) if b < 1 else 0.0
        new = round((n * mb + args.prior_weight * rule.certainty) / (n + args.prior_weight), 2)
        mark = ""
        if n >= args.min_fired and abs(new - rule.certainty) >= 0.02:
            changes[rule_id] = new
            mark = " *"
        print(f"{rule_id:44} {rule.conclusion:28} {n:3d} {p:5.2f} {b:5.2f} {mb:5.2f} "
              f"{rule.certainty:5.2f} {new:5.2f}{mark}")
    print(f"{len(changes)} factors to change (marked *)")
    if args.apply and changes:
        for path in sorted({str(rules[r].location.path) for r in changes}):
            text = Path(path).read_text(encoding="utf-8")
            for rule_id, new in changes.items():
                if str(rules[rule_id].location.path) != path:
                    continue
                head = r"(  - id: " + re.escape(rule_id) + r"\n(?:    .*\n|      .*\n)*?"
                pattern = re.compile(head + r"    then: \{\w+: \w+, certainty: )(-?[0-9.]+)(\})")
                text, count = pattern.subn(lambda m, v=new: f"{m.group(1)}{v}{m.group(3)}", text,
                                           count=1)
                if count != 1:
                    print(f"could not rewrite {rule_id} in {path}", file=sys.stderr)
                    return 1
            Path(path).write_text(text, encoding="utf-8")
        print("applied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
