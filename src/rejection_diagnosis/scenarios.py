"""Rule-set tests ("scenarios"): observations in, expected causes and recommendations out.

A scenario file is YAML with a top-level ``scenarios:`` list; each scenario has a ``name``,
an optional ``story`` (the candidate's account in plain words), ``observations`` and
``expect``. :func:`check_scenario` returns the unmet expectations as readable sentences, so
a failure shows what the diagnosis produced instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from ._yaml import Limits, read_yaml
from .diagnosis import Diagnosis
from .errors import DiagnosisError, Problem, RuleSetError
from .knowledge_base import KnowledgeBase

__all__ = ["EXPECTATIONS", "Scenario", "check_scenario", "load_scenarios", "run_scenario"]

EXPECTATIONS = (
    "top_cause",
    "causes_include",
    "causes_exclude",
    "certainty",
    "recommendations_include",
    "recommendations_exclude",
    "top_coping",
    "top_next_step",
    "insufficient_evidence",
)


@attrs.frozen
class Scenario:
    """One rule-set test case."""

    name: str
    observations: Mapping[str, Any]
    expect: Mapping[str, Any]
    story: str = ""
    path: str = ""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name}"


def load_scenarios(*paths: str | os.PathLike[str]) -> list[Scenario]:
    """Read scenario files (or folders of them).

    Raises:
        RuleSetError: a file is not valid YAML or not shaped as a scenario file.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
                     if p.is_dir() else [p])
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for f in files:
        try:
            raw_bytes = f.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(f), 0, 0, "error", "file-unreadable", str(exc.strerror)))
            continue
        doc = read_yaml(raw_bytes, str(f), Limits())
        if isinstance(doc, Problem):
            problems.append(doc)
            continue

        def bad(path: tuple[str | int, ...], message: str, f: Path = f, doc: Any = doc) -> None:
            line, column = doc.mark(path)
            problems.append(Problem(str(f), line, column, "error", "scenario", message))

        items = doc.data.get("scenarios") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            bad((), "a scenario file is a mapping with a 'scenarios:' list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                bad(("scenarios", i), "each scenario needs a 'name:'")
                continue
            extra = set(item) - {"name", "story", "observations", "expect"}
            if extra:
                bad(("scenarios", i, sorted(extra)[0]), f"unexpected key {sorted(extra)[0]!r}")
                continue
            observations = item.get("observations") or {}
            expect = item.get("expect") or {}
            if not isinstance(observations, dict) or not isinstance(expect, dict):
                bad(("scenarios", i), "'observations:' and 'expect:' must be mappings")
                continue
            unknown = set(expect) - set(EXPECTATIONS)
            if unknown:
                key = sorted(unknown)[0]
                bad(("scenarios", i, "expect", key),
                    f"unknown expectation {key!r}; expected one of {', '.join(EXPECTATIONS)}")
                continue
            line, _ = doc.mark(("scenarios", i))
            scenarios.append(Scenario(item["name"], observations, expect,
                                      str(item.get("story", "")).strip(), str(f), line))
    if problems:
        raise RuleSetError(problems)
    return scenarios


def run_scenario(kb: KnowledgeBase, scenario: Scenario) -> tuple[Diagnosis | None, list[str]]:
    """Diagnose the scenario and list every unmet expectation (empty when it passes)."""
    try:
        dx = kb.diagnose(scenario.observations)
    except DiagnosisError as exc:
        return None, [f"diagnosis failed: {exc}"]
    return dx, check_scenario(dx, scenario.expect)


def _ids(items: Iterable[Any]) -> list[str]:
    return [i.id for i in items]


def check_scenario(dx: Diagnosis, expect: Mapping[str, Any]) -> list[str]:
    """The unmet expectations of ``expect`` on ``dx``, as sentences."""
    failures: list[str] = []
    causes = _ids(dx.causes)
    recs = _ids(dx.coping) + _ids(dx.next_steps)
    shown = ", ".join(f"{c.id} {c.certainty:.2f}" for c in dx.causes) or "none"
    if "top_cause" in expect and (causes[:1] != [expect["top_cause"]]):
        failures.append(f"top cause: expected {expect['top_cause']}, got {causes[0] if causes else 'none'}"
                        f" (causes: {shown})")
    for cid in expect.get("causes_include", ()):
        if cid not in causes:
            got = dx.cause(cid)
            failures.append(f"cause {cid} not reported (certainty "
                            f"{got.certainty:.2f} " if got else f"cause {cid} not reported (")
            failures[-1] += f"; causes: {shown})" if got else f"no rule spoke of it; causes: {shown})"
    for cid in expect.get("causes_exclude", ()):
        if cid in causes:
            failures.append(f"cause {cid} reported but should not be (causes: {shown})")
    for cid, bounds in (expect.get("certainty") or {}).items():
        got = dx.cause(cid)
        value = got.certainty if got else 0.0
        lo, hi = bounds
        if not lo <= value <= hi:
            failures.append(f"certainty of {cid}: expected within [{lo}, {hi}], got {value:.3f}")
    for rid in expect.get("recommendations_include", ()):
        if rid not in recs:
            failures.append(f"recommendation {rid} missing (got: {', '.join(recs) or 'none'})")
    for rid in expect.get("recommendations_exclude", ()):
        if rid in recs:
            failures.append(f"recommendation {rid} present but should not be")
    for key, items in (("top_coping", dx.coping), ("top_next_step", dx.next_steps)):
        if key in expect:
            got_ids = _ids(items)
            if got_ids[:1] != [expect[key]]:
                failures.append(f"{key}: expected {expect[key]}, got "
                                f"{got_ids[0] if got_ids else 'none'} ({', '.join(got_ids)})")
    if "insufficient_evidence" in expect and dx.insufficient_evidence != expect["insufficient_evidence"]:
        failures.append(f"insufficient_evidence: expected {expect['insufficient_evidence']}, got "
                        f"{dx.insufficient_evidence} (causes: {shown})")
    return failures
