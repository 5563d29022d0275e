"""Score the blind coach readings against the dev labels, beside the bundled rules.

``eval/coach/coach_dev_*.yaml`` hold, for every dev case, the three most likely categories of a
helper acting as a career coach who read only what the candidate saw (the same briefs the blind
mappers got) and never the rules or the label. This prints the coach's top-1 / top-3, the bundled
rules' on the same cases' blind answers (``eval/cases/dev_v7.yaml``), and the cases the coach
got right and the rules did not, with the facts the coach said decided it::

    python eval/tools/score_coach.py

``--answers`` scores instead the coach who read only the blind questionnaire answers
(``eval/coach/answers/coach_answers_dev_*.yaml``, the answers of
``eval/cases/dev_v7_fresh.yaml``, never the account), beside the rules on the same answers::

    python eval/tools/score_coach.py --answers
"""

from __future__ import annotations

import argparse
import glob
from pathlib import Path

import yaml

import rejection_diagnosis as rd
from rejection_diagnosis.evaluation import bundled_categories_path, load_categories

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", action="store_true",
                    help="the coach who read only the questionnaire answers")
    args = ap.parse_args()
    kb = rd.load_rules()
    cmap = load_categories(bundled_categories_path())
    source, pattern, reads = (("dev_v7_fresh.yaml", "answers/coach_answers_dev_*.yaml",
                               "the answers") if args.answers
                              else ("dev_v7.yaml", "coach_dev_*.yaml", "the account"))
    dev = yaml.safe_load((ROOT / "eval" / "cases" / source).read_text(encoding="utf-8"))
    cases = {c["id"]: c for c in dev["cases"]}
    readings = []
    for name in sorted(glob.glob(str(ROOT / "eval" / "coach" / pattern))):
        readings += yaml.safe_load(Path(name).read_text(encoding="utf-8"))
    coach1 = coach3 = rules1 = rules3 = 0
    wins = []
    for entry in readings:
        case = cases[entry["id"]]
        truth = case["cause"]
        ranked: list[str] = []
        for conclusion in kb.diagnose(case["observations"]).ranked:
            category = cmap.get(conclusion.id, conclusion.id)
            if conclusion.certainty > 0 and category not in ranked:
                ranked.append(category)
        coach_right = entry["ranking"][0] == truth
        rules_right = bool(ranked) and ranked[0] == truth
        coach1 += coach_right
        coach3 += truth in entry["ranking"][:3]
        rules1 += rules_right
        rules3 += truth in ranked[:3]
        if coach_right and not rules_right:
            wins.append((entry["id"], truth, ranked[:3], entry.get("decisive", []),
                         entry.get("not_in_questionnaire", [])))
    n = len(readings)
    print(f"{n} dev cases: coach ({reads}) {coach1 / n:.0%} / {coach3 / n:.0%}, "
          f"rules (the blind answers) {rules1 / n:.0%} / {rules3 / n:.0%} top-1 / top-3")
    print(f"coach right, rules not: {len(wins)}")
    for case_id, truth, ranked, decisive, missing in wins:
        print(f"- {case_id} {truth}; rules {ranked}; decided by {decisive}; "
              f"not in the questionnaire: {missing}")


if __name__ == "__main__":
    main()
