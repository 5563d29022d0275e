"""The JSON Schema (draft 2020-12) of a valid case for one knowledge base.

A case is what :meth:`KnowledgeBase.diagnose` takes: a mapping of observation id to a
plain value or to ``{"value": ..., "certainty": ...}``. The schema spells out, for each
observation, its type, range or allowed values, description and question, so that a form
generator or a tool call can produce input the knowledge base accepts. It says what
:func:`~rejection_diagnosis.observations.normalize` checks, and a test holds the two
together on valid and invalid cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Observation
from .observation_types import TYPES

__all__ = ["DIALECT", "case_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_CERTAINTY = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 1,
    "description": "How sure the answer is: more than 0, at most 1 (1 is sure).",
}


def _value_schema(obs: Observation) -> dict[str, Any]:
    """What one observation's plain value may be."""
    return TYPES[obs.type].json_schema(obs)


def _observation_schema(obs: Observation) -> dict[str, Any]:
    value = _value_schema(obs)
    schema: dict[str, Any] = {
        "title": obs.question,
        "description": obs.description,
        "oneOf": [
            value,
            {
                "type": "object",
                "properties": {"value": value, "certainty": _CERTAINTY},
                "required": ["value"],
                "additionalProperties": False,
            },
        ],
        # Annotations (ignored by validation) for tools that build forms or questions.
        "x-observation-type": obs.type,
        "x-question": obs.question,
        "x-group": obs.group,
        "x-allowed": obs.allowed(),
    }
    if obs.unit:
        schema["x-unit"] = obs.unit
    return schema


def case_schema(observations: Mapping[str, Observation], title: str = "") -> dict[str, Any]:
    """The JSON Schema of a case over ``observations`` (a knowledge base's vocabulary).

    Args:
        observations: observation id to :class:`~rejection_diagnosis.model.Observation`.
        title: the schema's title (default: a generic one).

    Returns:
        A JSON-ready dict: a draft 2020-12 schema of an object whose properties are the
        observations, none required (a missing observation is unknown), no others allowed.
    """
    return {
        "$schema": DIALECT,
        "title": title or "A case for rejection-diagnosis",
        "description": (
            "What a candidate observed: observation id to a plain value, or to "
            "{\"value\": ..., \"certainty\": ...} for an answer they are not sure of. "
            "Leave out what is not known: unknown is not the same as false."
        ),
        "type": "object",
        "properties": {ident: _observation_schema(obs)
                       for ident, obs in sorted(observations.items())},
        "additionalProperties": False,
    }
