"""Bad observations get an ObservationError naming the culprit and what was expected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import cases

import rejection_diagnosis as rd
from rejection_diagnosis.observations import _checked, normalize


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"repostd": True}, "unknown observation 'repostd' (did you mean 'reposted'?)"),
        ({"reposted": "yes"}, "'reposted' must be true or false, got 'yes' (str)"),
        ({"reposted": 1}, "'reposted' must be true or false, got 1 (int)"),
        ({"reposted": None}, "'reposted' must be true or false, got None"),
        ({"days": "12"}, "'days' must be a number from 0 to 365 (days), got '12' (str)"),
        ({"days": float("nan")}, "'days' must be a number"),
        ({"days": float("inf")}, "'days' must be a number"),
        ({"days": True}, "'days' must be a number"),
        ({"days": 400}, "'days' must be a number from 0 to 365"),
        ({"feedback": "rude"}, "'feedback' must be one of 'none', 'skills', 'culture'"),
        ({"feedback": ["none"]}, "'feedback' must be one of"),
        ({"reposted": {"value": True, "certainty": 0}}, "certainty must be a number in (0, 1]"),
        ({"reposted": {"value": True, "certainty": 1.5}}, "certainty must be a number in (0, 1]"),
        ({"reposted": {"certainty": 0.5}}, "give a plain value or"),
        ({"reposted": {"value": True, "sure": 1}}, "unexpected keys: sure"),
        ({1: True}, "observation ids must be strings"),
    ],
)
def test_bad_observation_is_refused_with_a_clear_message(tiny_kb, case, message):
    with pytest.raises(rd.ObservationError) as info:
        tiny_kb.diagnose(case)
    assert message in str(info.value)


@pytest.mark.parametrize("raw", [None, [("reposted", True)], "reposted", 3])
def test_observations_must_be_a_mapping(tiny_kb, raw):
    with pytest.raises(rd.ObservationError, match="must be a mapping"):
        tiny_kb.diagnose(raw)


def test_observation_error_is_a_value_error_and_names_the_observation(tiny_kb):
    with pytest.raises(ValueError) as info:
        tiny_kb.diagnose({"reposted": "no"})
    assert "reposted" == info.value.observation


def test_integers_and_floats_are_the_same_number(tiny_kb):
    assert tiny_kb.diagnose({"days": 30}).to_dict() == tiny_kb.diagnose({"days": 30.0}).to_dict()


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_fast_path_checks_a_case_exactly_as_the_full_checks(data: st.DataObject) -> None:
    kb = rd.load_rules()
    case = data.draw(cases(kb, max_size=12))
    assert _checked(kb.observations, case) == normalize(kb.observations, case)
    assert [type(g.value) for g in _checked(kb.observations, case).values()] == [
        type(g.value) for g in normalize(kb.observations, case).values()]


@pytest.mark.parametrize("case", [
    {"reposted": 1},                        # an int for a boolean
    {"days": True},                         # a boolean for a number
    {"days": 10**400},                      # an int no float holds
    {"days": float("nan")},
    {"feedback": "nope"},
    {"reposted": True, "unknown_x": True},  # an unknown id after a good one
    {"reposted": {"value": True, "certainty": 2}},
])
def test_the_fast_path_raises_what_the_full_checks_raise(tiny_kb: rd.KnowledgeBase,
                                                         case: dict[str, object]) -> None:
    with pytest.raises(rd.ObservationError) as full:
        _checked(tiny_kb.observations, case)
    with pytest.raises(rd.ObservationError) as fast:
        normalize(tiny_kb.observations, case)
    assert str(full.value) == str(fast.value)
