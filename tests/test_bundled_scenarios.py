"""The bundled knowledge base's own tests: every scenario file under rules/scenarios/."""

from __future__ import annotations

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios, run_scenario

SCENARIOS = load_scenarios(bundled_rules_path() / "scenarios")
KB = rd.load_rules()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario):
    dx, failures = run_scenario(KB, scenario)
    assert failures == [], f"{scenario}\n" + "\n".join(failures) + (
        "\n\n" + dx.explain() if dx else "")
