"""Helpers for testing rule sets: assertions for pytest, scenario runs and rule coverage.

For rule authors who test with pytest::

    import rejection_diagnosis as rd
    from rejection_diagnosis.testing import assert_diagnosis

    kb = rd.load_rules("my_rules/")

    def test_reposted_ad_points_to_fit():
        assert_diagnosis(kb, {"posting_reposted": True}, top_cause="fit_mismatch",
                         certainty={"fit_mismatch": (0.3, 0.6)})

The same expectations are what scenario files hold (see ``docs/authoring.md``);
:func:`run_scenarios` runs them and measures which rules no scenario fires, which is what
``rejection-diagnosis test --coverage`` prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .diagnosis import Diagnosis
from .errors import RuleSetError
from .knowledge_base import KnowledgeBase
from .model import Phrase, Rule
from .scenarios import (
    EXPECTATIONS,
    Scenario,
    check_scenario,
    load_scenarios,
    run_scenario,
    run_scenario_reading,
    scenario_problems,
)

__all__ = [
    "EXPECTATIONS",
    "Report",
    "ScenarioResult",
    "assert_diagnosis",
    "assert_scenario",
    "fired_rules",
    "load_scenarios",
    "run_scenarios",
]


def fired_rules(dx: Diagnosis) -> set[str]:
    """Ids of the rules that fired in ``dx``, whether their conclusion was reported or not.

    Every contribution kept in the diagnosis (causes considered, findings, advice) is from
    one of these rules.
    """
    fired = set(dx.fired)
    fired.update(c.rule_id for conclusion in (*dx.considered, *dx.findings)
                 for c in conclusion.contributions)
    fired.update(c.rule_id for advice in (*dx.coping, *dx.next_steps) for c in advice.why)
    return fired


def _check_keys(expect: Mapping[str, Any]) -> None:
    unknown = sorted(set(expect) - set(EXPECTATIONS))
    if unknown:
        raise TypeError(f"unknown expectation {unknown[0]!r}; expected one of "
                        + ", ".join(EXPECTATIONS))


def _plain(expect: Mapping[str, Any]) -> dict[str, Any]:
    """Python-friendly spellings (tuples, sets) as the lists scenario files hold."""
    out: dict[str, Any] = {}
    for key, value in expect.items():
        if key == "certainty":
            out[key] = {cid: list(bounds) for cid, bounds in value.items()}
        elif isinstance(value, tuple | set | frozenset):
            out[key] = sorted(value) if isinstance(value, set | frozenset) else list(value)
        else:
            out[key] = value
    return out


def assert_diagnosis(kb: KnowledgeBase, observations: Mapping[str, Any],
                     **expect: Any) -> Diagnosis:
    """Diagnose ``observations`` on ``kb`` and assert every expectation; return the diagnosis.

    Expectations (all optional, the same as in scenario files): ``top_cause``,
    ``causes_include``, ``causes_exclude``, ``certainty`` (cause id -> (low, high)),
    ``recommendations_include``, ``recommendations_exclude``, ``top_coping``,
    ``top_next_step``, ``insufficient_evidence``.

    Raises:
        AssertionError: an expectation is not met; the message lists every unmet one and
            the full explanation of the diagnosis that was produced instead.
        TypeError: an unknown expectation keyword.
        ObservationError: the observations do not fit ``kb``'s vocabulary.
    """
    _check_keys(expect)
    plain = _plain(expect)
    scenario = Scenario("assert_diagnosis", observations, plain)
    problems = scenario_problems(kb, [scenario])
    if problems:
        raise RuleSetError(problems)
    dx = kb.diagnose(observations)
    failures = check_scenario(dx, plain)
    if failures:
        raise AssertionError("\n".join(["diagnosis does not match:", *failures, "",
                                        dx.explain()]))
    return dx


def assert_scenario(kb: KnowledgeBase, scenario: Scenario) -> Diagnosis:
    """Run one scenario (from :func:`load_scenarios`) and assert its expectations."""
    problems = scenario_problems(kb, [scenario])
    if problems:
        raise RuleSetError(problems)
    dx, failures = run_scenario(kb, scenario)
    if failures or dx is None:
        raise AssertionError("\n".join([f"{scenario}", *failures, "",
                                        dx.explain() if dx else ""]))
    return dx


@attrs.frozen
class ScenarioResult:
    """One scenario run: what was produced and which expectations were not met."""

    scenario: Scenario
    diagnosis: Diagnosis | None
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Every expectation was met."""
        return not self.failures


@attrs.frozen
class Report:
    """All scenario runs on one knowledge base, and which of its rules they fired."""

    results: tuple[ScenarioResult, ...]
    rules: tuple[Rule, ...]
    fired: frozenset[str]
    #: Every phrase of the knowledge base, with the id of its observation.
    phrases: tuple[tuple[str, Phrase], ...] = ()
    #: Where the phrases that matched some scenario's story are written ("path:line:col").
    matched_phrases: frozenset[str] = frozenset()

    @property
    def uncovered_phrases(self) -> tuple[tuple[str, Phrase], ...]:
        """Phrases that no scenario story (read by its scenario) matched, in file order."""
        return tuple(p for p in self.phrases if str(p[1].location) not in self.matched_phrases)

    @property
    def failed(self) -> tuple[ScenarioResult, ...]:
        """The scenarios with unmet expectations."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def uncovered(self) -> tuple[Rule, ...]:
        """Rules that no scenario fired, in file order."""
        return tuple(r for r in self.rules if r.id not in self.fired)

    @property
    def coverage(self) -> float:
        """The share of rules fired by some scenario (1.0 when there are no rules)."""
        if not self.rules:
            return 1.0
        return (len(self.rules) - len(self.uncovered)) / len(self.rules)


def run_scenarios(kb: KnowledgeBase,
                  scenarios: Iterable[Scenario | str | os.PathLike[str]]) -> Report:
    """Run scenarios (objects, or scenario files and folders) on ``kb``.

    Raises:
        RuleSetError: a scenario file is malformed, or names observations, causes or
            recommendations that ``kb`` does not have (every problem, located).
    """
    items = list(scenarios)
    paths = [s for s in items if not isinstance(s, Scenario)]
    loaded: Sequence[Scenario] = [s for s in items if isinstance(s, Scenario)]
    if paths:
        loaded = [*loaded, *load_scenarios(*paths)]
    problems = scenario_problems(kb, loaded)
    if problems:
        raise RuleSetError(problems)
    results = []
    fired: set[str] = set()
    matched: set[str] = set()
    for scenario in loaded:
        dx, failures, reading = run_scenario_reading(kb, scenario)
        if dx is not None:
            fired |= fired_rules(dx)
        if reading is not None:
            read = [*reading.items, *reading.denied,
                    *(r for c in reading.conflicts for r in c.readings)]
            matched.update(str(span.location) for item in read for span in item.spans)
            matched.update(str(span.location) for span in reading.set_aside)
        results.append(ScenarioResult(scenario, dx, tuple(failures)))
    phrases = tuple((o.id, p) for o in kb.observations.values() for p in o.phrases)
    return Report(tuple(results), tuple(kb.rules), frozenset(fired), phrases,
                  frozenset(matched))
