"""Would calibrate.py's factors carry over to stories they were not fitted on? Cross-validate.

The dev stories are split into folds by story id (every blind reading of a story falls in
the same fold, so no story is both fitted and scored). For each fold, ``calibrate.py
--apply`` fits the factors on the other folds' readings, in a copy of the rules, and both
the bundled rules and the refitted copy are scored on the fold's readings ("ranked": every
cause with positive certainty). This answers the question without opening the test split::

    python eval/tools/crossvalidate.py eval/cases/dev_v7.yaml eval/cases/dev_v7_fresh.yaml \\
        eval/cases/dev_v7_grouped.yaml [--folds 5] [--prior-weight 30] [--seed 7]

With several readings of each story, ``--prior-weight`` counts readings, not stories: three
readings and the default weight of calibrate.py (10 cases) is about 30 here.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

import rejection_diagnosis as rd
from rejection_diagnosis.evaluation import bundled_categories_path, load_categories

TOOLS = Path(__file__).resolve().parent


def _score(kb: rd.KnowledgeBase, cmap: dict[str, str], path: Path) -> tuple[int, int, int]:
    ev = rd.evaluate(kb, [path], cmap, tier="considered")
    return ev.summary.considered.top1, ev.summary.considered.top3, ev.n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="+", help="dev labelled-case files (readings of the same stories)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--prior-weight", default="30")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    docs = [yaml.safe_load(Path(p).read_text(encoding="utf-8")) for p in args.cases]
    for path, doc in zip(args.cases, docs, strict=True):
        if any(c.get("split") == "test" for c in doc["cases"]):
            raise SystemExit(f"{path}: has test cases; cross-validate on dev cases only")
    ids = sorted({c["id"] for doc in docs for c in doc["cases"]})
    random.Random(args.seed).shuffle(ids)
    folds = [set(ids[i::args.folds]) for i in range(args.folds)]
    bundled = Path(rd.bundled_rules_path())
    kb = rd.load_rules(bundled)
    cmap = load_categories(bundled_categories_path())
    totals = {"bundled": [0, 0], "refitted": [0, 0]}
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for k, fold in enumerate(folds, 1):
            train, held = [], []
            for i, doc in enumerate(docs):
                for name, held_out, out in (("train", False, train), ("held", True, held)):
                    part = {**doc, "cases": [c for c in doc["cases"]
                                             if (c["id"] in fold) == held_out]}
                    path = work / f"{name}_{i}.yaml"
                    path.write_text(yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
                    out.append(path)
            rules = work / "rules"
            shutil.rmtree(rules, ignore_errors=True)
            shutil.copytree(bundled, rules)
            fit = subprocess.run([sys.executable, str(TOOLS / "calibrate.py"), *map(str, train),
                                  "--rules", str(rules), "--prior-weight", args.prior_weight,
                                  "--apply"], capture_output=True, text=True)
            if fit.returncode != 0:
                sys.stderr.write(fit.stdout[-2000:] + fit.stderr[-2000:])
                return 1
            refitted = rd.load_rules(rules)
            row = []
            for name, rules_kb in (("bundled", kb), ("refitted", refitted)):
                t1 = t3 = m = 0
                for path in held:
                    a, b, c = _score(rules_kb, cmap, path)
                    t1, t3, m = t1 + a, t3 + b, m + c
                totals[name][0] += t1
                totals[name][1] += t3
                row.append(f"{name} {t1}/{t3}")
            n += m
            print(f"fold {k}: {m} readings of {len(fold)} stories; top-1/top-3 " + ", ".join(row))
    for name, (t1, t3) in totals.items():
        print(f"{name:9} top-1 {t1}/{n} ({t1 / n:.0%}), top-3 {t3}/{n} ({t3 / n:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
