"""How many questions a consultation asks, over the bundled scenarios.

Each scenario is replayed as a consultation that starts from nothing and answers from the
scenario ("don't know" where it is silent). Printed: the vocabulary size (asking
everything), the observations each scenario holds, the questions asked, how many
consultations reached the same leading cause as diagnosing the full scenario, and, for
comparison, the same figures for a consultation that stops as soon as no *single* answer
could change the leading cause (what ``ask`` does not do; see docs/consultation.md).

Run: .venv/bin/python benchmarks/consultation_questions.py [--rules PATH ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import rejection_diagnosis as rd
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios


def _top(dx: rd.Diagnosis) -> str | None:
    return dx.top_cause.id if dx.top_cause else None


def _single_answer_stop(kb: rd.KnowledgeBase, answers: Mapping[str, Any]) -> rd.Consultation:
    consultation = rd.Consultation(kb)
    while True:
        questions = consultation.questions(1)
        if not questions or questions[0].order_change == 0:
            return consultation
        oid = questions[0].observation
        value = answers.get(oid)
        if value is None:
            consultation.skip(oid)
        elif isinstance(value, Mapping):
            consultation.answer(oid, value["value"], value.get("certainty", 1.0))
        else:
            consultation.answer(oid, value)


def _settled_stop(kb: rd.KnowledgeBase, answers: Mapping[str, Any]) -> rd.Consultation:
    consultation = rd.Consultation(kb)
    consultation.replay(answers)
    return consultation


def _measure(name: str, kb: rd.KnowledgeBase, scenarios: list[Any],
             policy: Callable[[rd.KnowledgeBase, Mapping[str, Any]], rd.Consultation]) -> None:
    asked: list[int] = []
    same = 0
    started = time.perf_counter()
    for scenario in scenarios:
        consultation = policy(kb, scenario.observations)
        asked.append(consultation.asked)
        same += _top(consultation.diagnosis()) == _top(kb.diagnose(scenario.observations))
    seconds = (time.perf_counter() - started) / len(scenarios)
    print(f"{name}: mean {statistics.mean(asked):.1f} questions (median "
          f"{statistics.median(asked):g}, min {min(asked)}, max {max(asked)}); same leading "
          f"cause as the full scenario in {same} of {len(scenarios)}; "
          f"{seconds * 1000:.0f} ms per consultation")


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", action="append", default=[], metavar="PATH")
    parser.add_argument("--scenarios", default=str(bundled_rules_path() / "scenarios"))
    args = parser.parse_args()
    kb = rd.load_rules(*args.rules)
    scenarios = load_scenarios(args.scenarios)
    held = [len(s.observations) for s in scenarios]
    print(f"knowledge base: {kb!r}")
    print(f"scenarios: {len(scenarios)}")
    print(f"vocabulary (asking everything): {len(kb.observations)} questions")
    print(f"observations per scenario: mean {statistics.mean(held):.1f} (min {min(held)}, "
          f"max {max(held)})")
    _measure("ask (stops when settled)", kb, scenarios, _settled_stop)
    _measure("single-answer look-ahead (for comparison)", kb, scenarios, _single_answer_stop)


if __name__ == "__main__":
    main()
