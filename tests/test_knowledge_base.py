"""The diagnosis semantics: unknown vs false, certainties, layers, threshold, determinism."""

from __future__ import annotations

import json
import random

import pytest

import rejection_diagnosis as rd


def certainties(dx: rd.Diagnosis) -> dict[str, float]:
    return {c.id: round(c.certainty, 6) for c in dx.considered}


class TestUnknownIsNotFalse:
    def test_missing_observation_fires_nothing(self, tiny_kb):
        dx = tiny_kb.diagnose({})
        assert [] == list(dx.causes)
        assert dx.insufficient_evidence

    def test_negated_condition_needs_a_known_false(self, tiny_kb):
        # slow-budget needs "not reposted": unknown reposted must not satisfy it.
        unknown = tiny_kb.diagnose({"days": 30})
        known_false = tiny_kb.diagnose({"days": 30, "reposted": False})
        assert "budget" not in certainties(unknown)
        assert {"budget": 0.4} == {k: v for k, v in certainties(known_false).items() if k == "budget"}

    def test_known_true_blocks_negated_condition(self, tiny_kb):
        dx = tiny_kb.diagnose({"days": 30, "reposted": True})
        assert -0.6 == certainties(dx)["budget"]


class TestCertainty:
    def test_contribution_is_factor_times_observation_certainty(self, tiny_kb):
        dx = tiny_kb.diagnose({"reposted": {"value": True, "certainty": 0.5}})
        fit = dx.cause("fit")
        assert fit is not None
        assert (0.5, 0.25) == (fit.contributions[0].condition_certainty, fit.certainty)

    def test_two_positive_rules_combine_mycin_style(self, tiny_kb):
        dx = tiny_kb.diagnose({"reposted": True, "feedback": "culture"})
        # 0.5 and 0.7 combine to 0.5 + 0.7 - 0.35
        assert pytest.approx(0.85) == dx.cause("fit").certainty

    def test_finding_chains_with_its_certainty(self, tiny_kb):
        dx = tiny_kb.diagnose({"days": {"value": 40, "certainty": 0.5}, "reposted": False})
        # slow = 0.8 * 0.5 = 0.4; budget = 0.5 * min(0.4, 1.0) = 0.2
        assert pytest.approx(0.4) == dx.findings[0].certainty
        assert pytest.approx(0.2) == dx.cause("budget").certainty

    def test_in_operator_and_range_boundary(self, tiny_kb):
        assert "fit" in certainties(tiny_kb.diagnose({"feedback": "skills"}))
        assert "fit" not in certainties(tiny_kb.diagnose({"feedback": "none"}))
        assert [] == list(tiny_kb.diagnose({"days": 21}).findings)


class TestThresholdAndRecommendations:
    def test_insufficient_evidence_recommends_feedback(self, tiny_kb):
        dx = tiny_kb.diagnose({})
        assert (True, ["ask"]) == (dx.insufficient_evidence, [a.id for a in dx.coping])

    def test_cause_condition_feeds_recommendation(self, tiny_kb):
        dx = tiny_kb.diagnose({"feedback": "culture"})
        assert ["move_on"] == [a.id for a in dx.next_steps]
        assert "fit-move-on" == dx.next_steps[0].why[0].rule_id

    def test_threshold_hides_weak_causes(self, tiny_kb):
        dx = tiny_kb.diagnose({"reposted": True}, threshold=0.6)
        assert (True, ["fit"]) == (dx.insufficient_evidence, [c.id for c in dx.considered
                                                              if c.certainty > 0])

    @pytest.mark.parametrize("bad", [0, -0.1, 1.5, float("nan"), True, "0.2"])
    def test_bad_threshold_is_refused(self, tiny_kb, bad):
        with pytest.raises(ValueError, match="threshold"):
            tiny_kb.diagnose({}, threshold=bad)


class TestDeterminism:
    def test_input_order_does_not_change_the_result(self, tiny_kb):
        case = {"reposted": False, "days": 30, "feedback": "culture"}
        items = list(case.items())
        results = set()
        for seed in range(5):
            random.Random(seed).shuffle(items)
            results.add(json.dumps(tiny_kb.diagnose(dict(items)).to_dict(), sort_keys=True))
        assert 1 == len(results)

    def test_rule_order_in_files_does_not_change_certainties(self, write_rules):
        import yaml
        from tests.conftest import TINY

        data = yaml.safe_load(TINY)
        data["rules"].reverse()
        a = rd.load_rules(write_rules(TINY, "a.yaml"))
        b = rd.load_rules(write_rules(yaml.safe_dump(data), "b.yaml"))
        case = {"reposted": True, "days": 30, "feedback": "skills"}
        assert certainties(a.diagnose(case)) == certainties(b.diagnose(case))

    def test_no_fact_leaks_between_diagnoses(self, tiny_kb):
        first = tiny_kb.diagnose({"reposted": True})
        tiny_kb.diagnose({"feedback": "culture", "days": 50, "reposted": False})
        assert first.to_dict() == tiny_kb.diagnose({"reposted": True}).to_dict()


class TestResultShape:
    def test_to_dict_is_json_ready_and_versioned(self, tiny_kb):
        data = json.loads(json.dumps(tiny_kb.diagnose({"reposted": True}).to_dict()))
        assert (1, "fit") == (data["schema_version"], data["causes"][0]["id"])
        assert "reposted-fit" == data["causes"][0]["contributions"][0]["rule"]

    def test_explain_names_rules_observations_and_because(self, tiny_kb):
        text = tiny_kb.diagnose({"reposted": True}).explain()
        assert "reposted-fit" in text and "reposted = true" in text
        assert "They are still looking." in text

    def test_module_level_diagnose_uses_bundled_rules(self):
        dx = rd.diagnose({})
        assert dx.insufficient_evidence
        assert rd.load_rules().diagnose({}) == dx


class TestThresholdEdges:
    def test_single_contribution_exactly_at_threshold_is_reported(self, write_rules):
        # Regression: 1 - (1 - 0.2) is 0.19999999999999996, which once hid the cause.
        kb = rd.load_rules(write_rules("""
            observations:
              - {id: x, type: boolean, description: X., question: 'X?'}
            causes:
              - {id: c, title: C, description: C.}
            rules:
              - {id: r, when: {x: true}, then: {cause: c, certainty: 0.2}, because: b}
            """))
        dx = kb.diagnose({"x": True})
        assert (0.2, ["c"]) == (dx.considered[0].certainty, [c.id for c in dx.causes])

    def test_fired_lists_every_rule_that_fired_even_below_threshold(self, tiny_kb):
        dx = tiny_kb.diagnose({"reposted": {"value": True, "certainty": 0.1}})
        assert ("always-ask", "reposted-fit", "reposted-not-budget") == tuple(sorted(dx.fired))
        assert [] == list(dx.causes)


def test_to_dict_lists_each_cause_once_with_the_documented_keys(tiny_kb):
    data = tiny_kb.diagnose({"reposted": True}).to_dict()
    assert ["also_common", "also_considered", "base_rates", "causes", "coping", "findings",
            "fired_rules", "insufficient_evidence", "next_steps", "observations", "possible",
            "schema_version", "threshold"] == sorted(data)
    assert (["fit"], ["budget"]) == ([c["id"] for c in data["causes"]],
                                     [c["id"] for c in data["also_considered"]])
