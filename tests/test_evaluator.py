"""The one evaluator: the same certainties as the engine, for every case."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import cases

import rejection_diagnosis as rd
from rejection_diagnosis.consultation.analysis import analysis, evaluate_case, leading_causes
from rejection_diagnosis.evaluator import evaluate
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.observations import normalize
from rejection_diagnosis.scenarios import load_scenarios

BUNDLED = rd.load_rules()
SCENARIOS = load_scenarios(bundled_rules_path() / "scenarios")


def _cases(kb: rd.KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    return cases(kb, max_size=12)


def _without_engine(kb: rd.KnowledgeBase, case: dict[str, Any]) -> dict[str, float]:
    found = analysis(kb)
    given_ = normalize(kb.observations, case)
    result = evaluate(kb.program, found.order, given_, found.concluders)
    return {k: v for k, v in result.certainty.items() if k in kb.causes}


def _engine(kb: rd.KnowledgeBase, case: dict[str, Any]) -> dict[str, float]:
    return {c.id: c.certainty for c in kb.diagnose(case).considered}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_the_evaluator_gives_the_engines_certainties_on_every_scenario(scenario):
    assert _engine(BUNDLED, dict(scenario.observations)) == _without_engine(
        BUNDLED, dict(scenario.observations))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_evaluator_gives_the_engines_certainties_on_any_case(data):
    case = data.draw(_cases(BUNDLED))
    assert _engine(BUNDLED, case) == _without_engine(BUNDLED, case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_consultations_leading_cause_is_the_diagnosis_ranking(data):
    # The consultation ranks through diagnosis.ranking, the components of rank_key.
    case = data.draw(_cases(BUNDLED))
    dx = BUNDLED.diagnose(case)
    evaluation = evaluate_case(BUNDLED, normalize(BUNDLED.observations, case), 0.2)
    assert tuple(c.id for c in dx.causes[:3]) == leading_causes(BUNDLED, evaluation, 0.2, 3)
