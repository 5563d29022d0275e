"""Rule-set tests ("scenarios"): observations in, expected causes and recommendations out.

A scenario file is YAML with a top-level ``scenarios:`` list; each scenario has a ``name``,
an optional ``story`` (the candidate's account in plain words), ``observations`` and
``expect``. :func:`check_scenario` returns the unmet expectations as readable sentences, so
a failure shows what the diagnosis produced instead.

A scenario with a story also tests the story reader when it says what should be read from
it (``reads:``, exactly the observations the story gives), or when it gives no
``observations:`` at all: its case is then what the story says.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._yaml import Limits, Located, YamlPath, read_yaml
from .diagnosis import Diagnosis
from .errors import DiagnosisError, ObservationError, Problem, RuleSetError, did_you_mean
from .knowledge_base import KnowledgeBase
from .model import show_value
from .observations import normalize

if TYPE_CHECKING:
    from .story import Reading

__all__ = ["EXPECTATIONS", "Scenario", "check_reading", "check_scenario", "load_scenarios",
           "run_scenario", "run_scenario_reading", "scenario_problems"]

# What each expectation holds: the kind of ids it names, and its shape.
_CAUSE_LISTS = ("causes_include", "causes_exclude", "ranked_include")
_RECOMMENDATION_LISTS = ("recommendations_include", "recommendations_exclude")
_RECOMMENDATION_IDS = ("top_coping", "top_next_step")

EXPECTATIONS = (
    "top_cause",
    "top_ranked",
    "ranked_include",
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
    column: int = 0
    # Where each part of the scenario was written, for located problems.
    source: Located | None = attrs.field(default=None, eq=False, repr=False)
    index: int = 0
    #: The observations the story should give, exactly (None: the reading is not checked).
    reads: Mapping[str, Any] | None = None
    #: No ``observations:`` were written: the case is what the story says.
    from_story: bool = False

    @property
    def reads_story(self) -> bool:
        """Whether running the scenario reads its story."""
        return bool(self.story) and (self.reads is not None or self.from_story)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name}"

    def position(self, *parts: str | int, key: bool = False) -> tuple[int, int]:
        """Line and column of a part of this scenario (its key with ``key=True``)."""
        if self.source is None:
            return (self.line, self.column)
        ypath: YamlPath = ("scenarios", self.index, *parts)
        return self.source.key_mark(ypath) if key else self.source.mark(ypath)

    def problem(self, parts: tuple[str | int, ...], message: str, key: bool = False) -> Problem:
        """A located error about a part of this scenario."""
        line, column = self.position(*parts, key=key)
        return Problem(self.path, line, column, "error", "scenario",
                       f"scenario {self.name!r}: {message}")


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
        limits = Limits()
        try:
            with f.open("rb") as handle:  # bounded: /dev/zero is refused, not exhausted
                raw_bytes = handle.read(limits.max_bytes + 1)
        except OSError as exc:
            problems.append(Problem(str(f), 0, 0, "error", "file-unreadable", str(exc.strerror)))
            continue
        doc = read_yaml(raw_bytes, str(f), limits)
        if isinstance(doc, Problem):
            problems.append(doc)
            continue
        if doc.problems:  # duplicate keys: a second 'expect:' must not pass unseen
            problems.extend(doc.problems)
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
            extra = set(item) - {"name", "story", "observations", "expect", "reads"}
            if extra:
                bad(("scenarios", i, sorted(extra)[0]), f"unexpected key {sorted(extra)[0]!r}")
                continue
            observations = item.get("observations") or {}
            expect = item.get("expect") or {}
            if not isinstance(observations, dict) or not isinstance(expect, dict):
                bad(("scenarios", i), "'observations:' and 'expect:' must be mappings")
                continue
            reads = item.get("reads")
            if "reads" in item and not isinstance(reads, dict):
                bad(("scenarios", i, "reads"), "'reads:' maps observation ids to the values "
                    "the story should give, e.g. {posting_reposted: true} ({} for nothing)")
                continue
            if "reads" in item and not isinstance(item.get("story"), str):
                bad(("scenarios", i, "reads"), "'reads:' needs a 'story:' to read")
                continue
            unknown = set(expect) - set(EXPECTATIONS)
            if unknown:
                key = sorted(unknown)[0]
                bad(("scenarios", i, "expect", key),
                    f"unknown expectation {key!r}{did_you_mean(key, list(EXPECTATIONS))}; "
                    f"expected one of {', '.join(EXPECTATIONS)}")
                continue
            shape = _shape_problem(expect)
            if shape is not None:
                bad(("scenarios", i, "expect", *shape[0]), shape[1])
                continue
            line, column = doc.mark(("scenarios", i))
            story = str(item.get("story") or "").strip()
            scenarios.append(Scenario(item["name"], observations, expect, story, str(f), line,
                                      column, doc, i, reads,
                                      bool(story) and "observations" not in item))
    if problems:
        raise RuleSetError(problems)
    return scenarios


def _shape_problem(expect: Mapping[str, Any]) -> tuple[tuple[str | int, ...], str] | None:
    """The first expectation that is not shaped as documented, as (path, message)."""
    for key in ("top_cause", "top_ranked", *_RECOMMENDATION_IDS):
        if key in expect and not isinstance(expect[key], str):
            return (key,), f"'{key}:' takes one id (got {expect[key]!r:.60})"
    for key in (*_CAUSE_LISTS, *_RECOMMENDATION_LISTS):
        value = expect.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return (key,), f"'{key}:' takes a list of ids such as [a, b] (got {value!r:.60})"
    bounds = expect.get("certainty", {})
    if not isinstance(bounds, dict):
        return ("certainty",), ("'certainty:' maps cause ids to [low, high], e.g. "
                                f"{{fit_mismatch: [0.4, 0.7]}} (got {bounds!r:.60})")
    for cid, pair in bounds.items():
        ok = (isinstance(pair, list) and len(pair) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair))
        if not ok or not -1 <= pair[0] <= pair[1] <= 1:
            return ("certainty", cid), (f"certainty of {cid!r} takes [low, high] with "
                                        f"-1 <= low <= high <= 1 (got {pair!r:.60})")
    if "insufficient_evidence" in expect and not isinstance(expect["insufficient_evidence"], bool):
        return ("insufficient_evidence",), "'insufficient_evidence:' is true or false"
    return None


def scenario_problems(kb: KnowledgeBase, scenarios: Iterable[Scenario]) -> list[Problem]:
    """Located problems of scenarios against ``kb``: unknown or mistyped observations, and
    expectations that name causes or recommendations ``kb`` does not have."""
    problems: list[Problem] = []
    causes = sorted(kb.causes)
    recommendations = sorted(kb.recommendations)
    for sc in scenarios:
        for part, given in (("observations", sc.observations), ("reads", sc.reads or {})):
            for key, value in given.items():
                try:
                    normalize(kb.observations, {key: value})
                except ObservationError as exc:
                    at_key = key not in kb.observations
                    problems.append(sc.problem((part, key), str(exc), key=at_key))

        def name(parts: tuple[str | int, ...], ident: str, kind: str, known: list[str],
                 sc: Scenario = sc, key: bool = False) -> None:
            if ident not in known:
                problems.append(sc.problem(
                    parts, f"unknown {kind} {ident!r}{did_you_mean(ident, known)}", key=key))

        expect = sc.expect
        for key in ("top_cause", "top_ranked"):
            if key in expect:
                name(("expect", key), expect[key], "cause", causes)
        for key in _CAUSE_LISTS:
            for i, ident in enumerate(expect.get(key, ())):
                name(("expect", key, i), ident, "cause", causes)
        for ident in expect.get("certainty") or {}:
            name(("expect", "certainty", ident), ident, "cause", causes, key=True)
        for key in _RECOMMENDATION_IDS:
            if key in expect:
                name(("expect", key), expect[key], "recommendation", recommendations)
        for key in _RECOMMENDATION_LISTS:
            for i, ident in enumerate(expect.get(key, ())):
                name(("expect", key, i), ident, "recommendation", recommendations)
    return sorted(problems, key=Problem.sort_key)


def run_scenario(kb: KnowledgeBase, scenario: Scenario) -> tuple[Diagnosis | None, list[str]]:
    """Diagnose the scenario and list every unmet expectation (empty when it passes)."""
    dx, failures, _ = run_scenario_reading(kb, scenario)
    return dx, failures


def run_scenario_reading(kb: KnowledgeBase, scenario: Scenario
                         ) -> tuple[Diagnosis | None, list[str], Reading | None]:
    """:func:`run_scenario`, with the reading of the story (None when it is not read)."""
    reading = kb.read_story(scenario.story) if scenario.reads_story else None
    failures: list[str] = []
    if reading is not None and scenario.reads is not None:
        failures.extend(check_reading(kb, reading, scenario.reads))
    case = reading.observations if reading is not None and scenario.from_story \
        else scenario.observations
    try:
        dx = kb.diagnose(case)
    except DiagnosisError as exc:
        return None, [*failures, f"diagnosis failed: {exc}"], reading
    return dx, [*failures, *check_scenario(dx, scenario.expect)], reading


def check_reading(kb: KnowledgeBase, reading: Reading, reads: Mapping[str, Any]) -> list[str]:
    """How ``reading`` differs from the observations ``reads`` expects, as sentences.

    The reading must give exactly the ids of ``reads`` with their values; a certainty is
    compared (to 0.01) only where ``reads`` gives one.
    """
    failures: list[str] = []
    expected = normalize(kb.observations, reads)
    got = normalize(kb.observations, reading.observations)
    conflicts = {c.id: c for c in reading.conflicts}

    def quoted(ident: str) -> str:
        item = reading.get(ident)
        return ", ".join(f'"{s.text}"' for s in item.spans) if item else ""

    for ident, want in expected.items():
        have = got.get(ident)
        if have is None:
            why = (" (the story says conflicting things about it)" if ident in conflicts else "")
            failures.append(f"story: expected {ident} = {show_value(want.value)} to be read, "
                            f"but it was not{why}")
        elif have.value != want.value:
            failures.append(f"story: {ident} read as {show_value(have.value)} "
                            f"({quoted(ident)}), expected {show_value(want.value)}")
        elif isinstance(reads[ident], Mapping) and "certainty" in reads[ident] \
                and abs(have.certainty - want.certainty) > 0.01:
            failures.append(f"story: {ident} read with certainty {have.certainty:.2f} "
                            f"({quoted(ident)}), expected {want.certainty:.2f}")
    for ident in got.keys() - expected.keys():
        failures.append(f"story: {ident} = {show_value(got[ident].value)} read "
                        f"({quoted(ident)}) but not expected under 'reads:'")
    return failures


def _ids(items: Iterable[Any]) -> list[str]:
    return [i.id for i in items]


def check_scenario(dx: Diagnosis, expect: Mapping[str, Any]) -> list[str]:
    """The unmet expectations of ``expect`` on ``dx``, as sentences."""
    failures: list[str] = []
    causes = _ids(dx.causes)
    recs = _ids(dx.coping) + _ids(dx.next_steps)
    shown = ", ".join(f"{c.id} {c.certainty:.2f}" for c in dx.causes) or "none"
    if "top_cause" in expect and (causes[:1] != [expect["top_cause"]]):
        failures.append(f"top cause: expected {expect['top_cause']}, got "
                        f"{causes[0] if causes else 'none'} (causes: {shown})")
    for cid in expect.get("causes_include", ()):
        if cid not in causes:
            got = dx.cause(cid)
            failures.append(f"cause {cid} not reported (certainty "
                            f"{got.certainty:.2f} " if got else f"cause {cid} not reported (")
            failures[-1] += (f"; causes: {shown})" if got else
                             f"no rule spoke of it; causes: {shown})")
    ranked = _ids(dx.ranked)
    shown_ranked = ", ".join(f"{c.id} {c.certainty:.2f}" for c in dx.ranked) or "none"
    if "top_ranked" in expect and ranked[:1] != [expect["top_ranked"]]:
        failures.append(f"top ranked cause: expected {expect['top_ranked']}, got "
                        f"{ranked[0] if ranked else 'none'} (ranked: {shown_ranked})")
    for cid in expect.get("ranked_include", ()):
        if cid not in ranked:
            failures.append(f"cause {cid} not among the likely or possible causes "
                            f"(ranked: {shown_ranked})")
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
    wanted = expect.get("insufficient_evidence", dx.insufficient_evidence)
    if dx.insufficient_evidence != wanted:
        failures.append(f"insufficient_evidence: expected {expect['insufficient_evidence']}, got "
                        f"{dx.insufficient_evidence} (causes: {shown})")
    return failures
