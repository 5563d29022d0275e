"""rejection_diagnosis.testing: the pytest helper for rule authors, scenario runs, coverage."""

from __future__ import annotations

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.scenarios import Scenario
from rejection_diagnosis.testing import (
    assert_diagnosis,
    assert_scenario,
    fired_rules,
    run_scenarios,
)


class TestAssertDiagnosis:
    def test_met_expectations_return_the_diagnosis(self, tiny_kb):
        dx = assert_diagnosis(tiny_kb, {"reposted": True, "feedback": "culture"},
                              top_cause="fit", causes_exclude=["budget"],
                              certainty={"fit": (0.8, 0.9)},
                              recommendations_include={"move_on"}, insufficient_evidence=False)
        assert "fit" == dx.top_cause.id

    def test_unmet_expectations_are_all_listed_with_the_explanation(self, tiny_kb):
        with pytest.raises(AssertionError) as caught:
            assert_diagnosis(tiny_kb, {"reposted": True}, top_cause="budget",
                             recommendations_exclude=["move_on"])
        message = str(caught.value)
        assert message.startswith("diagnosis does not match:\n"
                                  "top cause: expected budget, got fit (causes: fit 0.50)\n"
                                  "recommendation move_on present but should not be\n")
        assert "Likely causes" in message

    def test_unknown_expectation_keyword_is_a_type_error(self, tiny_kb):
        with pytest.raises(TypeError, match="unknown expectation 'top_causes'"):
            assert_diagnosis(tiny_kb, {}, top_causes="fit")

    def test_expectation_naming_an_unknown_cause_is_located_and_suggests(self, tiny_kb):
        with pytest.raises(rd.RuleSetError, match=r"unknown cause 'fitt' \(did you mean 'fit'\?\)"):
            assert_diagnosis(tiny_kb, {"reposted": True}, causes_include=["fitt"])


class TestRunScenarios:
    def test_report_counts_failures_and_uncovered_rules(self, tiny_kb):
        report = run_scenarios(tiny_kb, [
            Scenario("fit", {"reposted": True}, {"top_cause": "fit"}),
            Scenario("wrong", {"days": 30, "reposted": False}, {"top_cause": "fit"}),
        ])
        assert ["wrong"] == [r.scenario.name for r in report.failed]
        assert ["culture-fit", "always-ask"] == [r.id for r in report.uncovered]
        assert pytest.approx(5 / 7) == report.coverage

    def test_fired_rules_include_rules_whose_conclusion_is_not_reported(self, tiny_kb):
        dx = tiny_kb.diagnose({"days": 30, "reposted": True})
        # budget ends negative (considered, not reported); fit reaches move_on.
        assert {"reposted-fit", "reposted-not-budget", "slow-process", "fit-move-on"} == \
            fired_rules(dx)

    def test_assert_scenario_passes_and_fails(self, tiny_kb):
        assert_scenario(tiny_kb, Scenario("ok", {"reposted": True}, {"top_cause": "fit"}))
        with pytest.raises(AssertionError, match="top cause: expected budget"):
            assert_scenario(tiny_kb, Scenario("bad", {"reposted": True}, {"top_cause": "budget"}))


class TestScenarioFiles:
    def test_malformed_expectation_is_located(self, tiny_kb, tmp_path):
        path = tmp_path / "s.yaml"
        path.write_text("scenarios:\n  - name: s\n    observations: {}\n"
                        "    expect: {certainty: {fit: [0.9, 0.1]}}\n", encoding="utf-8")
        with pytest.raises(rd.RuleSetError) as caught:
            run_scenarios(tiny_kb, [path])
        assert [(4, 31, "scenario")] == [(p.line, p.column, p.code)
                                         for p in caught.value.problems]
        assert "-1 <= low <= high <= 1 (got [0.9, 0.1])" in caught.value.problems[0].message

    def test_mistyped_observation_value_is_located_at_the_value(self, tiny_kb, tmp_path):
        path = tmp_path / "s.yaml"
        path.write_text("scenarios:\n  - name: s\n    observations:\n      days: soon\n",
                        encoding="utf-8")
        with pytest.raises(rd.RuleSetError) as caught:
            run_scenarios(tiny_kb, [path])
        assert [(4, 13)] == [(p.line, p.column) for p in caught.value.problems]
