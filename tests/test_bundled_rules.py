"""Properties the bundled knowledge base promises, whatever its exact content."""

from __future__ import annotations

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios

KB = rd.load_rules()
SCENARIOS = load_scenarios(bundled_rules_path() / "scenarios")
RESULTS = {s.name: KB.diagnose(s.observations) for s in SCENARIOS}

SEED_CAUSES = ["fit_mismatch", "internal_candidate", "budget_constraints", "panel_dynamics"]
SEED_COPING = ["seek_feedback", "maintain_perspective", "leverage_experience"]
SEED_NEXT = ["stay_persistent", "network", "seek_professional_help"]


def test_stable_ids_from_the_seed_article_exist():
    assert set(SEED_CAUSES) <= set(KB.causes)
    assert set(SEED_COPING) == {r for r in SEED_COPING if KB.recommendations[r].kind == "coping"}
    assert set(SEED_NEXT) == {r for r in SEED_NEXT if KB.recommendations[r].kind == "next_step"}


def test_knowledge_base_goes_beyond_the_article():
    assert len(KB.causes) >= 8
    assert len(KB.observations) >= 30


def test_every_observation_has_a_question_and_every_rule_says_because_and_source():
    assert [] == [o.id for o in KB.observations.values() if not o.question.strip()]
    assert [] == [r.id for r in KB.rules if not r.because or not r.source]
    assert [] == [c.id for c in KB.causes.values() if not c.source]


def test_there_are_at_least_25_scenarios_with_unique_names():
    names = [s.name for s in SCENARIOS]
    assert len(names) >= 25
    assert len(names) == len(set(names))


@pytest.mark.parametrize("cause", SEED_CAUSES)
def test_each_seed_cause_is_ranked_first_in_some_scenario(cause):
    assert any(dx.top_cause is not None and dx.top_cause.id == cause for dx in RESULTS.values())


def test_every_cause_and_recommendation_is_reached_by_some_scenario():
    reached = set()
    for dx in RESULTS.values():
        reached |= {c.id for c in dx.causes}
        reached |= {a.id for a in (*dx.coping, *dx.next_steps)}
    assert [] == sorted((set(KB.causes) | set(KB.recommendations)) - reached)


def test_no_evidence_means_insufficient_evidence_and_feedback_first():
    dx = KB.diagnose({})
    assert (True, "seek_feedback") == (dx.insufficient_evidence,
                                       dx.coping[0].id if dx.coping else None)
