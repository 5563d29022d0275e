"""Hostile observations: every one gets an ObservationError naming the culprit.

No lenient coercion is accepted (docs/robustness.md): strings are never read as booleans
or numbers, numbers never as booleans, None is never "unknown".
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rejection_diagnosis as rd


class Evil(str):
    """A str that claims to equal everything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("culture")


class LyingFloat(float):
    def __float__(self) -> float:
        return 30.0


HOSTILE = [
    # (case, observation named, what the message must say)
    ({"reposted": "true"}, "reposted", "must be true or false, got 'true' (str)"),
    ({"reposted": "yes"}, "reposted", "must be true or false, got 'yes' (str)"),
    ({"reposted": "False"}, "reposted", "must be true or false, got 'False' (str)"),
    ({"reposted": 0}, "reposted", "must be true or false, got 0 (int)"),
    ({"reposted": 1.0}, "reposted", "must be true or false, got 1.0 (float)"),
    ({"reposted": None}, "reposted", "must be true or false, got None (NoneType)"),
    ({"reposted": [True]}, "reposted", "must be true or false, got [True] (list)"),
    ({"reposted": {"value": {"value": True}}}, "reposted",
     "must be true or false, got {'value': True}"),
    ({"days": "12"}, "days", "must be a number from 0 to 365 (days), got '12' (str)"),
    ({"days": "1e3"}, "days", "got '1e3' (str)"),
    ({"days": math.nan}, "days", "got nan (float)"),
    ({"days": math.inf}, "days", "got inf (float)"),
    ({"days": -math.inf}, "days", "got -inf (float)"),
    ({"days": True}, "days", "got True (bool)"),
    ({"days": 10**400}, "days", "(int)"),
    ({"days": 366}, "days", "from 0 to 365"),
    ({"days": -0.001}, "days", "from 0 to 365"),
    ({"days": 3 + 0j}, "days", "(complex)"),
    ({"days": None}, "days", "got None"),
    ({"days": {"value": 3, "certainty": "0.5"}}, "days",
     "certainty must be a number in (0, 1], got '0.5' (str)"),
    ({"days": {"value": 3, "certainty": math.nan}}, "days", "got nan (float)"),
    ({"days": {"value": 3, "certainty": None}}, "days", "got None (NoneType)"),
    ({"days": {"value": 3, "certainty": True}}, "days", "got True (bool)"),
    ({"feedback": "Culture"}, "feedback", "must be one of 'none', 'skills', 'culture'"),
    ({"feedback": " culture"}, "feedback", "got ' culture' (str)"),
    ({"feedback": b"culture"}, "feedback", "got b'culture' (bytes)"),
    ({"feedback": 1}, "feedback", "got 1 (int)"),
    ({"feedback": ("culture",)}, "feedback", "(tuple)"),
    ({"feedback": {"culture"}}, "feedback", "(set)"),
    ({"feedback": Evil("rude")}, "feedback", "must be one of"),
    ({"feedback": "x" * 10_000_000}, "feedback", "got 'xxxx"),
    ({"feedback": ["a"] * 1_000_000}, "feedback", "(list)"),
    ({"reposted": {"value": True, **{f"k{i}": i for i in range(100_000)}}}, "reposted",
     "unexpected keys: k0, k1, k2, k3, k4, ..."),
    ({"x" * 1_000_000: True}, "x" * 77 + "...", "unknown observation 'xxxx"),
    ({"Reposted": True}, "Reposted", "(did you mean 'reposted'?)"),
    ({"": True}, "", "unknown observation ''"),
]


@pytest.mark.parametrize(("case", "named", "message"), HOSTILE,
                         ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_observation_is_refused_naming_it(tiny_kb, case, named, message):
    with pytest.raises(rd.ObservationError) as info:
        tiny_kb.diagnose(case)
    assert named == info.value.observation
    assert message in str(info.value)
    assert len(str(info.value)) < 500


@pytest.mark.parametrize("key", [1, 1.5, None, ("reposted",), b"reposted", True, frozenset()])
def test_non_string_keys_are_refused(tiny_kb, key):
    with pytest.raises(rd.ObservationError, match="observation ids must be strings"):
        tiny_kb.diagnose({key: True})


def test_enormous_dict_is_refused_without_looking_at_every_item(tiny_kb):
    huge = dict.fromkeys(range(2_000_000), True)
    with pytest.raises(rd.ObservationError, match="at most 10000 are accepted"):
        tiny_kb.diagnose(huge)


def test_a_mapping_that_lies_about_its_size_is_still_bounded(tiny_kb):
    class Endless(Mapping[str, Any]):
        def __len__(self) -> int:
            return 1

        def __iter__(self) -> Iterator[str]:
            while True:
                yield "reposted"

        def __getitem__(self, key: str) -> Any:
            return True

    with pytest.raises(rd.ObservationError, match="more than 10000 observations"):
        tiny_kb.diagnose(Endless())


def test_a_float_subclass_is_read_by_its_value_not_its_dunder(tiny_kb):
    # LyingFloat(10) says it is 30 through __float__; the library must see 10 (not slow).
    assert [] == list(tiny_kb.diagnose({"days": LyingFloat(10)}).findings)
    assert ["slow"] == [f.id for f in tiny_kb.diagnose({"days": 30.0}).findings]


def test_a_str_subclass_key_is_treated_as_its_text(tiny_kb):
    class Key(str):
        pass

    assert tiny_kb.diagnose({Key("reposted"): True}) == tiny_kb.diagnose({"reposted": True})


def test_observations_used_are_exact_builtin_values(tiny_kb):
    class Text(str):
        pass

    dx = tiny_kb.diagnose({"feedback": Text("culture")})
    assert str is type(dx.observations["feedback"].value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(
    st.one_of(st.text(max_size=30), st.sampled_from(["posting_reposted", "days_to_rejection",
                                                     "rejection_format", "distress_level"]),
              st.integers(), st.none()),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
                 | st.sampled_from(["generic_email", "phone_call", "yes", "no", "true"]),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["value", "certainty", "x"]), inner, max_size=3),
                 max_leaves=6),
    max_size=8))
def test_random_observations_on_the_bundled_rules_never_escape(case):
    kb = rd.load_rules()
    try:
        dx = kb.diagnose(case)
    except rd.ObservationError as exc:
        assert str(exc)
        return
    # Accepted: then every value was valid and every certainty within bounds.
    for c in (*dx.considered, *dx.findings, *dx.coping, *dx.next_steps):
        assert -1.0 <= c.certainty <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_valid_observations_on_the_bundled_rules_always_diagnose(data):
    kb = rd.load_rules()
    case: dict[str, Any] = {}
    for obs in data.draw(st.lists(st.sampled_from(list(kb.observations.values())), max_size=20)):
        if obs.type == "boolean":
            case[obs.id] = data.draw(st.booleans())
        elif obs.type == "category":
            case[obs.id] = data.draw(st.sampled_from(obs.values))
        else:
            lo, hi = obs.range or (-1e300, 1e300)
            case[obs.id] = data.draw(st.floats(lo, hi) | st.integers(int(lo), int(hi)))
    dx = kb.diagnose(case)
    assert all(-1.0 <= c.certainty <= 1.0 for c in dx.considered)
