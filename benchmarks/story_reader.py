"""How well the story reader reads real accounts, and how fast.

On the development cases (``../shared/eval/dev_cases.yaml``), each case's ``observations``
and ``candidate_state`` are joined into one text (one sentence per item) and read with
``kb.read_story``. What was read is compared with the two blind readers' case files (the
observations a person answered from the same text), observation by observation:

- precision: of what the reader read, the share a human reader also gave, with the same
  value (numbers within 25 %, or 1);
- recall: of what a human reader gave, the share the reader read.

Both are given against each human reader, per observation group and overall, and end to end:
top-1 and top-3 of the diagnosis from the text and from each reader's files, scored against
the revealed cause (causes mapped to the README's categories). Timing: median time to read
a 2,000-character story after warm-up, and the first read of a freshly loaded knowledge base
(building the reader) in a new process.

The readers' files are in the vocabulary they were written for: ``../shared/eval/
dev_mapped_{1,2}/`` (vocabulary v1) unless re-mapped files for the current vocabulary are in
``--mapped`` folders (default: ``/work/corpus/mapped_dev`` when it exists). Observations a
file names that the knowledge base does not have are left out of the comparison.

The same comparison is then made on all 166 development cases: these 71 and the 95 of
``eval/labels/dev_collected.yaml``, against the blind reading of ``eval/cases/dev_v3.yaml``
(joined on case id), with the end-to-end figures on the 166.

Run: PYTHONPATH=src python3 benchmarks/story_reader.py [--per-observation] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import rejection_diagnosis as rd

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
if not EVAL.exists():
    EVAL = Path("/work/shared/eval")
REMAPPED = Path("/work/corpus/mapped_dev")
#: The collected development cases (same form as dev_cases.yaml); with the shared 71 they
#: make the 166 development cases that eval/cases/dev_v3.yaml reads blind, keyed by id.
COLLECTED = ROOT / "eval" / "labels" / "dev_collected.yaml"

#: Bundled causes onto the evaluation's categories (see docs/evaluation.md).
CATEGORY: dict[str, str] = yaml.safe_load(
    (ROOT / "src" / "rejection_diagnosis" / "rules" / "evaluation" / "categories.yaml")
    .read_text(encoding="utf-8"))["categories"]
#: The blind readers of ../shared/eval/dev_mapped_{1,2} answered vocabulary v1: only these
#: observations are compared with their files.
V1 = frozenset("""
interview_felt_great interviewer_praised_you interviewer_raised_concern interview_perfunctory
asked_why_step_down role_described_differently logistics_raised_as_concern interviewer_count
panelist_disengaged panelist_skeptical panelists_disagreed senior_joined_late
extra_round_added posting_reposted reposted_role_changed posting_taken_down
references_contacted background_check_started asked_about_discrepancy went_silent
rejection_format interviews_rescheduled other_candidates_further_along days_to_rejection
decision_slower_than_promised posting_open_briefly interview_rounds hiring_freeze_announced
layoffs_announced reorganisation_announced hiring_manager_left public_sector_employer
internal_candidate_mentioned interim_in_role who_was_hired new_hire_had_connection
stated_reason told_close_second told_keep_in_touch told_decision_predetermined
overruled_above_panel salary_raised_as_concern told_not_unanimous feedback_requested
salary_asked_more_than_once salary_expectation_above_range went_quiet_after_salary
start_date_discussed offer_withdrawn role_is_step_down role_scope_changed rejections_in_a_row
distress_level months_searching thinking_of_giving_up has_industry_contacts
knows_someone_at_company same_feedback_before visa_sponsorship_required notice_period_weeks
would_need_to_relocate reference_may_be_lukewarm""".split())  # noqa: SIM905
#: The same cases mapped blind on the current vocabulary (by another reader), in the
#: repository: the newest of eval/cases/dev_vN.yaml (the readings named dev_vN_fresh and
#: dev_vN_grouped are other readers of the same questions, not newer ones).
V2_CASES = max((p for p in (ROOT / "eval" / "cases").glob("dev_v*.yaml")
                if p.stem.removeprefix("dev_v").isdigit()),
               default=ROOT / "missing.yaml", key=lambda p: int(p.stem.removeprefix("dev_v")))


def story_of(case: Mapping[str, Any]) -> str:
    """A case's account as one text: its observations, then the candidate's state."""
    items = [*(case.get("observations") or ()), *(case.get("candidate_state") or ())]
    return " ".join(s.strip().rstrip(".") + "." for s in items if s and s.strip())


def _value(raw: Any) -> Any:
    return raw["value"] if isinstance(raw, Mapping) else raw


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    return abs(float(a) - float(b)) <= max(1.0, 0.25 * abs(float(b)))


def ranked_categories(dx: rd.Diagnosis) -> list[str]:
    out: list[str] = []
    for c in dx.causes:
        cat = CATEGORY.get(c.id, c.id)
        if cat not in out:
            out.append(cat)
    return out


def load_mapped(folder: Path, kb: rd.KnowledgeBase,
                vocabulary: frozenset[str] | None = None) -> dict[str, dict[str, Any]]:
    """A folder of case files (case-NN.yaml), keeping the observations both sides know."""
    known = set(kb.observations) & (vocabulary if vocabulary is not None else set(kb.observations))
    out = {}
    for f in sorted(folder.glob("case-*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        out[f.stem] = {k: v for k, v in data.items() if k in known}
    return out


def load_v2(cases: list[dict[str, Any]], kb: rd.KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The v2 blind reading of the development cases, matched to them by source address."""
    by_url = {c["source"]["url"]: c["id"] for c in cases}
    out = {}
    for c in yaml.safe_load(V2_CASES.read_text(encoding="utf-8"))["cases"]:
        ident = by_url.get(c["source"]["url"])
        if ident is not None:
            out[ident] = {k: v for k, v in (c.get("observations") or {}).items()
                          if k in kb.observations}
    return out


def load_v3_by_id(kb: rd.KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The blind reading of every development case (eval/cases/dev_v3.yaml), by case id."""
    return {c["id"]: {k: v for k, v in (c.get("observations") or {}).items()
                      if k in kb.observations}
            for c in yaml.safe_load(V2_CASES.read_text(encoding="utf-8"))["cases"]
            if c.get("split", "dev") == "dev"}


def compare(kb: rd.KnowledgeBase, read: Mapping[str, Mapping[str, Any]],
            truth: Mapping[str, Mapping[str, Any]],
            vocabulary: frozenset[str] | None = None) -> dict[str, Any]:
    per_obs: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, read, truth
    for case, got in read.items():
        want = truth.get(case)
        if want is None:
            continue
        for ident, value in got.items():
            if vocabulary is not None and ident not in vocabulary:
                continue
            per_obs[ident][1] += 1
            if ident in want and same(_value(value), _value(want[ident])):
                per_obs[ident][0] += 1
        for ident in want:
            per_obs[ident][2] += 1
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    total = [0, 0, 0]
    for ident, (tp, n_read, n_truth) in per_obs.items():
        g = kb.observations[ident].group
        for bucket in (groups[g], total):
            bucket[0] += tp
            bucket[1] += n_read
            bucket[2] += n_truth

    def pr(tp: int, n_read: int, n_truth: int) -> dict[str, Any]:
        return {"precision": tp / n_read if n_read else None,
                "recall": tp / n_truth if n_truth else None,
                "true_positives": tp, "read": n_read, "given": n_truth}

    return {"overall": pr(*total), "groups": {g: pr(*v) for g, v in sorted(groups.items())},
            "observations": {o: pr(*v) for o, v in sorted(per_obs.items())}}


def end_to_end(kb: rd.KnowledgeBase, cases: list[dict[str, Any]],
               case_files: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    top1 = top3 = n = 0
    high1 = high3 = nh = 0
    for case in cases:
        if case["id"] not in case_files:
            continue
        ranked = ranked_categories(kb.diagnose(case_files[case["id"]]))
        hit1 = ranked[:1] == [case["revealed_cause"]]
        hit3 = case["revealed_cause"] in ranked[:3]
        n += 1
        top1 += hit1
        top3 += hit3
        if case.get("confidence_in_label") == "high":
            nh += 1
            high1 += hit1
            high3 += hit3
    return {"cases": n, "top1": top1 / n if n else None, "top3": top3 / n if n else None,
            "high_confidence_cases": nh, "high_top1": high1 / nh if nh else None,
            "high_top3": high3 / nh if nh else None}


def timing(kb: rd.KnowledgeBase, cases: list[dict[str, Any]]) -> dict[str, Any]:
    text = ""
    i = 0
    while len(text) < 2000:
        text += story_of(cases[i % len(cases)]) + " "
        i += 1
    text = text[:2000]
    for _ in range(20):
        kb.read_story(text)
    runs = []
    cpu = []
    for _ in range(200):
        start, start_cpu = time.perf_counter(), time.process_time()
        kb.read_story(text)
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    code = ("import time, rejection_diagnosis as rd; kb = rd.load_rules(); t = time.perf_counter();"
            " c = time.process_time(); kb.read_story('They never called my references.'); "
            "print(time.perf_counter() - t, time.process_time() - c)")
    first, first_cpu = map(float, subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    code_all = ("import time; t = time.perf_counter(); import rejection_diagnosis as rd; "
                "rd.load_rules().read_story('They never called my references.'); "
                "print(time.perf_counter() - t)")
    cold = float(subprocess.run([sys.executable, "-c", code_all], capture_output=True,
                                text=True, check=True).stdout)
    return {"chars": len(text), "median_ms": statistics.median(runs) * 1000,
            "median_cpu_ms": statistics.median(cpu) * 1000, "first_read_cpu_ms": first_cpu * 1000,
            "p95_ms": sorted(runs)[int(0.95 * len(runs))] * 1000,
            "first_read_ms": first * 1000, "import_load_and_first_read_ms": cold * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mapped", action="append", type=Path, default=[],
                        help="folders of human readers' case files (case-NN.yaml)")
    parser.add_argument("--per-observation", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cases", type=Path, default=EVAL / "dev_cases.yaml")
    parser.add_argument("--collected", type=Path, default=COLLECTED,
                        help="more development cases, read blind in eval/cases/dev_v*.yaml")
    args = parser.parse_args()
    kb = rd.load_rules()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    readings = {c["id"]: kb.read_story(story_of(c)) for c in cases}
    read = {k: dict(r.observations) for k, r in readings.items()}
    result: dict[str, Any] = {"cases": len(cases), "readers": {}, "end_to_end": {}}
    result["end_to_end"]["story"] = end_to_end(kb, cases, read)
    references: list[tuple[str, dict[str, dict[str, Any]], frozenset[str] | None]] = []
    newest = load_v2(cases, kb) if V2_CASES.exists() else None
    if newest is not None:
        references.append((f"{V2_CASES.stem} reader", newest, None))
    folders = args.mapped or ([REMAPPED] if REMAPPED.is_dir() and any(REMAPPED.glob("case-*"))
                              else [])
    references.extend((f.name, load_mapped(f, kb), None) for f in folders)
    references.extend((f"{n} (v1 only)", load_mapped(EVAL / n, kb, V1), V1)
                      for n in ("dev_mapped_1", "dev_mapped_2") if (EVAL / n).is_dir())
    for name, truth, vocabulary in references:
        result["readers"][name] = compare(kb, read, truth, vocabulary)
        result["end_to_end"][name] = end_to_end(kb, cases, truth)
    if (EVAL / "dev_mapped_1").is_dir() and (EVAL / "dev_mapped_2").is_dir():
        # How far two people agree: the second blind reader scored against the first.
        result["human_agreement"] = compare(
            kb, load_mapped(EVAL / "dev_mapped_2", kb, V1),
            load_mapped(EVAL / "dev_mapped_1", kb, V1), V1)["overall"]
        if newest is not None:
            # A person on today's wording against the v1 files: how much of the distance
            # between the story reader and those files is the questions having changed.
            result["current_reader_against_v1"] = {
                n: compare(kb, newest, load_mapped(EVAL / n, kb, V1), V1)["overall"]
                for n in ("dev_mapped_1", "dev_mapped_2")}
    result["conflicts"] = sum(len(r.conflicts) for r in readings.values())
    if V2_CASES.exists() and args.collected.exists():
        # All development cases: the shared ones and the collected ones, read blind in
        # the same file (joined on id).
        extra = [c for c in yaml.safe_load(args.collected.read_text(encoding="utf-8"))["cases"]
                 if c.get("split", "dev") == "dev" and c["id"] not in readings]
        every = [*cases, *extra]
        read_all = {**read, **{c["id"]: dict(kb.read_story(story_of(c)).observations)
                               for c in extra}}
        truth_all = load_v3_by_id(kb)
        every = [c for c in every if c["id"] in truth_all]
        result["all_dev"] = {
            "cases": len(every), "reader": f"{V2_CASES.stem} reader",
            "comparison": compare(kb, {c["id"]: read_all[c["id"]] for c in every}, truth_all),
            "end_to_end": {"story": end_to_end(kb, every, read_all),
                           f"{V2_CASES.stem} reader": end_to_end(kb, every, truth_all)}}
    result["timing"] = timing(kb, cases)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    _print(result, args.per_observation)


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


def _print(result: dict[str, Any], per_observation: bool) -> None:
    print(f"{result['cases']} development cases; {result['conflicts']} conflicts left unread")
    for name, r in result["readers"].items():
        o = r["overall"]
        print(f"\nagainst {name}: precision {_fmt(o['precision'])}  recall {_fmt(o['recall'])}"
              f"  ({o['true_positives']} agreed, {o['read']} read, {o['given']} given)")
        print(f"  {'group':<12} precision  recall   read given")
        for g, v in r["groups"].items():
            print(f"  {g:<12} {_fmt(v['precision'])}     {_fmt(v['recall'])}  {v['read']:5} "
                  f"{v['given']:5}")
        if per_observation:
            print(f"  {'observation':<36} precision  recall   read given")
            for ident, v in r["observations"].items():
                print(f"  {ident:<36} {_fmt(v['precision'])}     {_fmt(v['recall'])}  "
                      f"{v['read']:5} {v['given']:5}")
    a = result.get("all_dev")
    if a:
        o = a["comparison"]["overall"]
        print(f"\nall {a['cases']} development cases against {a['reader']}: precision "
              f"{_fmt(o['precision'])}  recall {_fmt(o['recall'])}  ({o['true_positives']} "
              f"agreed, {o['read']} read, {o['given']} given)")
        print(f"  {'group':<12} precision  recall   read given")
        for g, v in a["comparison"]["groups"].items():
            print(f"  {g:<12} {_fmt(v['precision'])}     {_fmt(v['recall'])}  {v['read']:5} "
                  f"{v['given']:5}")
        if per_observation:
            print(f"  {'observation':<36} precision  recall   read given")
            for ident, v in a["comparison"]["observations"].items():
                print(f"  {ident:<36} {_fmt(v['precision'])}     {_fmt(v['recall'])}  "
                      f"{v['read']:5} {v['given']:5}")
        for name, e in a["end_to_end"].items():
            print(f"  end to end from {name:<16} top-1 {_fmt(e['top1'])}  top-3 "
                  f"{_fmt(e['top3'])}   high-confidence ({e['high_confidence_cases']}): top-1 "
                  f"{_fmt(e['high_top1'])} top-3 {_fmt(e['high_top3'])}")
    h = result.get("human_agreement")
    if h:
        print(f"\nfor scale, reader 2 against reader 1 (v1 only): precision "
              f"{_fmt(h['precision'])}  recall {_fmt(h['recall'])}")
    for name, c in result.get("current_reader_against_v1", {}).items():
        print(f"for scale, the {V2_CASES.stem} blind reader (a person, today's questions) against "
              f"{name} (v1 only): precision {_fmt(c['precision'])}  recall {_fmt(c['recall'])}")
    print("\nend to end (top cause category vs revealed cause):")
    for name, e in result["end_to_end"].items():
        print(f"  from {name:<26} top-1 {_fmt(e['top1'])}  top-3 {_fmt(e['top3'])}   "
              f"high-confidence ({e['high_confidence_cases']}): top-1 {_fmt(e['high_top1'])} "
              f"top-3 {_fmt(e['high_top3'])}")
    t = result["timing"]
    print(f"\ntiming: {t['chars']}-character story, median {t['median_ms']:.2f} ms "
          f"({t['median_cpu_ms']:.2f} ms CPU), p95 {t['p95_ms']:.2f} ms; first read after "
          f"load_rules {t['first_read_ms']:.0f} ms ({t['first_read_cpu_ms']:.0f} ms CPU); "
          f"import + load + first read {t['import_load_and_first_read_ms']:.0f} ms")


if __name__ == "__main__":
    main()
