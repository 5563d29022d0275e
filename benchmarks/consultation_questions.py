"""How many questions a consultation asks, and whether it ends on the right leading cause.

Replays every development case (``shared/eval/dev_mapped_1/*.yaml``) and every bundled
scenario as a consultation that starts from nothing and answers from the case ("don't
know" where the case is silent; in a checklist, an item is ticked where the case says yes,
marked "not" where it says no, and left unticked where it is silent). Printed per
corpus and policy: the median, 90th percentile and maximum of the questions asked (a
checklist is one), how often the leading cause is the one of diagnosing the whole case,
and the time to choose one question (median and 90th percentile over every question).

Policies: ``probable`` (the default of ``ask``: stop when the leading cause is settled
with probability 0.98, or after 10 questions), ``guaranteed`` (stop only when no answers
could change it; the former behaviour) and, with ``--leave-one-out``, ``probable`` with
answer frequencies counted without the case being replayed (so that a development case
does not help choose its own questions).

When the knowledge base can read stories (``KnowledgeBase.read_story``), the development
cases are also replayed starting from what the reader finds in each case's story
(``shared/eval/dev_cases.yaml``).

Run: .venv/bin/python benchmarks/consultation_questions.py [--rules PATH ...]
     [--cases DIR] [--leave-one-out] [--max-questions N] [--confidence P]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import rejection_diagnosis as rd
from rejection_diagnosis.consultation import CONFIDENCE, AnswerModel, bundled_model
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios

CASES = Path("/work/shared/eval/dev_mapped_1")
STORIES = Path("/work/shared/eval/dev_cases.yaml")


def _top(dx: rd.Diagnosis) -> str | None:
    return dx.top_cause.id if dx.top_cause else None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = q * (len(ordered) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def _read_cases(folder: Path, kb: rd.KnowledgeBase) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out.append((path.stem, {k: v for k, v in data.items() if k in kb.observations}))
    return out


def _replay(kb: rd.KnowledgeBase, case: Mapping[str, Any], timings: list[float],
            start: Mapping[str, Any] | None = None, **options: Any) -> rd.Consultation:
    consultation = rd.Consultation(kb, observations=start, **options)
    checked = dict(case)
    while True:
        started = time.perf_counter()
        question = consultation.next_question()
        timings.append(time.perf_counter() - started)
        if question is None:
            return consultation
        if question.checklist is not None:
            consultation.tick(question.checklist,
                              {i: _certainty(checked[i]) for i in question.items
                               if _value(checked.get(i)) is True}, question.items,
                              {i: _certainty(checked[i]) for i in question.items
                               if _value(checked.get(i)) is False})
        elif question.observation in checked:
            raw = checked[question.observation]
            if isinstance(raw, Mapping):
                consultation.answer(question.observation, raw["value"], raw.get("certainty", 1.0))
            else:
                consultation.answer(question.observation, raw)
        else:
            consultation.skip(question.observation)


def _value(raw: Any) -> Any:
    return raw.get("value") if isinstance(raw, Mapping) else raw


def _certainty(raw: Any) -> float:
    return float(raw.get("certainty", 1.0)) if isinstance(raw, Mapping) else 1.0


def _measure(name: str, kb: rd.KnowledgeBase, cases: list[tuple[str, dict[str, Any]]],
             models: Mapping[str, AnswerModel] | None = None,
             starts: Mapping[str, Mapping[str, Any]] | None = None,
             **options: Any) -> dict[str, Any]:
    asked: list[float] = []
    same = 0
    merged = 0
    timings: list[float] = []
    misses = []
    for ident, case in cases:
        model = models[ident] if models is not None else None
        start = starts.get(ident) if starts is not None else None
        consultation = _replay(kb, case, timings, start, model=model, **options)
        asked.append(consultation.asked)
        agree = _top(consultation.diagnosis()) == _top(kb.diagnose(case))
        same += agree
        if start is not None:
            # What the story said is never asked again: the reading wins over the case.
            merged += _top(consultation.diagnosis()) == _top(kb.diagnose({**case, **start}))
        if not agree:
            misses.append(ident)
    line = (f"{name}: median {statistics.median(asked):g} questions, p90 "
            f"{_percentile(asked, 0.9):g}, max {max(asked):g}; same leading cause as the "
            f"whole case in {same} of {len(cases)} ({100 * same / len(cases):.1f}%); one "
            f"question chosen in {1000 * statistics.median(timings):.1f} ms (median), "
            f"{1000 * _percentile(timings, 0.9):.1f} ms (p90)")
    if starts is not None:
        line += (f"; same as the whole case with the story's reading in {merged} of "
                 f"{len(cases)} ({100 * merged / len(cases):.1f}%)")
    print(line)
    if misses:
        print(f"    different leading cause: {', '.join(misses)}")
    return {"asked": asked, "same": same, "n": len(cases)}


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", action="append", default=[], metavar="PATH")
    parser.add_argument("--scenarios", default=str(bundled_rules_path() / "scenarios"))
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--leave-one-out", action="store_true")
    parser.add_argument("--stories", type=Path, default=STORIES,
                        help="the stories of the development cases (for the story replay, "
                             "when the knowledge base can read stories)")
    parser.add_argument("--guaranteed", action="store_true",
                        help="also measure the guaranteed stop (slow: every question)")
    parser.add_argument("--max-questions", type=int, default=10)
    parser.add_argument("--confidence", type=float, default=CONFIDENCE)
    args = parser.parse_args()
    kb = rd.load_rules(*args.rules)
    scenarios = [(s.name, dict(s.observations)) for s in load_scenarios(args.scenarios)]
    cases = _read_cases(args.cases, kb) if args.cases.is_dir() else []
    print(f"knowledge base: {kb!r}; {len(kb.checklists)} checklists")
    print(f"development cases: {len(cases)}; bundled scenarios: {len(scenarios)}")
    options = {"max_questions": args.max_questions or None, "confidence": args.confidence}
    corpora = [("development cases", cases), ("bundled scenarios", scenarios),
               ("all", cases + scenarios)]
    for label, corpus in corpora:
        if not corpus:
            continue
        _measure(f"{label}, probable stop", kb, corpus, **options)
    if args.leave_one_out and cases:
        model = bundled_model()
        models = {ident: _without(model, kb, case) for ident, case in cases}
        _measure("development cases, probable stop, leave-one-out frequencies", kb, cases,
                 models, **options)
    stories = _stories(kb, args.stories) if cases else {}
    if stories:
        _measure("development cases, probable stop, starting from the story", kb,
                 [(i, c) for i, c in cases if i in stories], starts=stories, **options)
    if args.guaranteed:
        for label, corpus in corpora[:2]:
            if corpus:
                _measure(f"{label}, guaranteed stop (no budget)", kb, corpus,
                         stop="guaranteed", max_questions=None)


def _stories(kb: rd.KnowledgeBase, path: Path) -> dict[str, dict[str, Any]]:
    """What the story reader finds in each development case's story (none without one)."""
    reader = getattr(kb, "read_story", None)
    if reader is None or not path.is_file():
        if reader is None:
            print("(no story reader in this version: the replay from stories is skipped)")
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("cases", data) if isinstance(data, dict) else data
    out = {}
    for item in items:
        found = reader(str(item.get("story", "")))
        if getattr(found, "refusal", None):
            continue
        observations = getattr(found, "observations", found)
        if isinstance(observations, Mapping):
            out[str(item["id"])] = {k: v for k, v in observations.items()
                                    if k in kb.observations}
    return out


def _without(model: AnswerModel, kb: rd.KnowledgeBase, case: Mapping[str, Any]) -> AnswerModel:
    """``model`` with one case's answers taken out of its counts."""
    answered = dict(model.answered)
    values = {k: dict(v) for k, v in model.values.items()}
    for oid, raw in case.items():
        value = _value(raw)
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if oid in answered:
            answered[oid] = max(0, answered[oid] - 1)
        bucket = values.get(oid, {})
        for known in list(bucket):
            if known == value and type(known) is type(value):
                bucket[known] -= 1
                if bucket[known] <= 0:
                    del bucket[known]
    return AnswerModel(max(0, model.cases - 1), answered,
                       {k: tuple(v.items()) for k, v in values.items()})


if __name__ == "__main__":
    main()
