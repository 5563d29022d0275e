"""kb.case_schema(): a JSON Schema (draft 2020-12) that accepts exactly the cases diagnose does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

import rejection_diagnosis as rd

VALID: list[dict[str, Any]] = [
    {},
    {"reposted": True},
    {"reposted": False, "days": 0, "feedback": "none"},
    {"days": 365.0},
    {"days": {"value": 40, "certainty": 0.5}, "feedback": {"value": "skills"}},
    {"reposted": {"value": True, "certainty": 1}},
]
INVALID: list[dict[str, Any]] = [
    {"repost": True},                                  # unknown observation
    {"reposted": "yes"},                               # a string for a boolean
    {"reposted": 1},                                   # a number for a boolean
    {"days": True},                                    # a boolean for a number
    {"days": "12"},
    {"days": 366},                                     # out of range
    {"days": -1},
    {"feedback": "rude"},                              # not one of the values
    {"reposted": None},
    {"reposted": {"value": True, "certainty": 0}},     # certainty must be > 0
    {"reposted": {"value": True, "certainty": 1.5}},
    {"reposted": {"certainty": 0.5}},                  # no value
    {"reposted": {"value": True, "sure": 0.5}},        # an unknown key
]


@pytest.fixture
def validator(tiny_kb: rd.KnowledgeBase) -> Draft202012Validator:
    schema = tiny_kb.case_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _accepted(kb: rd.KnowledgeBase, case: dict[str, Any]) -> bool:
    try:
        kb.diagnose(case)
    except rd.ObservationError:
        return False
    return True


def test_the_schema_is_draft_2020_12_of_an_object_of_observations(
        tiny_kb: rd.KnowledgeBase) -> None:
    schema = tiny_kb.case_schema()
    assert "https://json-schema.org/draft/2020-12/schema" == schema["$schema"]
    assert ("object", False) == (schema["type"], schema["additionalProperties"])
    assert sorted(tiny_kb.observations) == list(schema["properties"])


def test_each_observation_carries_type_range_values_description_and_question(
        tiny_kb: rd.KnowledgeBase) -> None:
    days = tiny_kb.case_schema()["properties"]["days"]
    assert {"type": "number", "minimum": 0, "maximum": 365} == days["oneOf"][0]
    assert ("How many days?", "Days to the answer.", "number", "days") == (
        days["title"], days["description"], days["x-observation-type"], days["x-unit"])
    feedback = tiny_kb.case_schema()["properties"]["feedback"]
    assert {"type": "string", "enum": ["none", "skills", "culture"]} == feedback["oneOf"][0]
    assert "What did the feedback say?" == feedback["x-question"]


@pytest.mark.parametrize("case", VALID, ids=repr)
def test_valid_cases_pass_the_schema_and_the_diagnosis(
        tiny_kb: rd.KnowledgeBase, validator: Draft202012Validator, case: dict[str, Any]) -> None:
    assert [] == [e.message for e in validator.iter_errors(case)]
    assert _accepted(tiny_kb, case)


@pytest.mark.parametrize("case", INVALID, ids=repr)
def test_invalid_cases_fail_the_schema_and_the_diagnosis(
        tiny_kb: rd.KnowledgeBase, validator: Draft202012Validator, case: dict[str, Any]) -> None:
    assert not validator.is_valid(case)
    assert not _accepted(tiny_kb, case)


def test_the_bundled_schema_accepts_the_readme_case() -> None:
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent
    kb = rd.load_rules()
    Draft202012Validator.check_schema(kb.case_schema())
    case = yaml.safe_load((root / "examples/cases/reposted.yaml").read_text(encoding="utf-8"))
    assert Draft202012Validator(kb.case_schema()).is_valid(case)
