"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from ..observation_types import NAMES as TYPE_NAMES

__all__ = ["openapi"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "The body is not JSON."),
    "413": _json(_ref("Error"), "The body is larger than the server accepts."),
    "422": _json(_ref("Error"), "The case is not valid: an unknown observation, a wrong type "
                                "or value (`observation` names it)."),
}


def _post(summary: str, request: str, response: str, description: str,
          extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"post": {
        "summary": summary, "description": description,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref(request)}}},
        "responses": {"200": _json(_ref(response), "Success."), **_ERRORS, **(extra or {})},
    }}


_OBSERVATIONS = {
    "type": "object",
    "description": "Observation id to value (boolean, number or category string), or to "
                   "{value, certainty}. Unknown observations are left out. The full schema "
                   "of this server's vocabulary is `case_schema` in GET /api/vocabulary.",
    "additionalProperties": True,
}


def openapi() -> dict[str, Any]:
    """The OpenAPI document (a fresh dict each call)."""
    from .. import __version__

    case_props = {"observations": _OBSERVATIONS,
                  "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "rejection-diagnosis", "version": __version__,
                 "description": "Explain a job rejection after a great interview: ranked "
                                "causes with certainties, coping strategies and next steps. "
                                "Nothing sent is stored or logged."},
        "paths": {
            "/api/diagnose": _post(
                "Diagnose a case", "Case", "Diagnosis",
                "The diagnosis of a case, as `Diagnosis.to_dict()`, with `ranked`: every "
                "cause with evidence for it and its strength (likely, possible, weak), and "
                "`report`: the plain report a candidate reads (what `diagnose` prints)."),
            "/api/questions": _post(
                "The next questions", "QuestionsRequest", "Questions",
                "The questions whose answers could change the diagnosis most, as "
                "`rejection-diagnosis ask` chooses them, and whether the leading causes are "
                "settled."),
            "/api/what-if": _post(
                "What if an answer changed", "WhatIfRequest", "WhatIf",
                "Per-cause certainty changes after `changes` (null forgets an answer)."),
            "/api/how": _post("How a cause got its certainty", "CauseRequest", "Explanation",
                              "The chain of rules and observations behind a cause."),
            "/api/why-not": _post("Why a cause is not more certain", "CauseRequest",
                                  "Explanation",
                                  "Evidence against a cause and its rules that did not fire."),
            "/api/read-story": _post(
                "Read a story", "StoryRequest", "Reading",
                "The observations a story in plain words supports, with where each was read.",
                {"501": _json(_ref("Error"), "This version of the library has no story "
                                             "reader.")}),
            "/api/validate": _post(
                "Check rule files", "ValidateRequest", "Validation",
                "Every problem in the rule files (errors and lint warnings), located in the "
                "names given, as `rejection-diagnosis validate` reports them. The files are "
                "checked in a temporary folder deleted at once."),
            "/api/vocabulary": {"get": {
                "summary": "The vocabulary",
                "description": "Observations with their questions, causes, and the case "
                               "JSON Schema.",
                "responses": {"200": _json(_ref("Vocabulary"), "Success.")}}},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": _json({"type": "object"}, "Success.")}}},
        },
        "components": {"schemas": {
            "Case": {"type": "object", "properties": {
                         **case_props,
                         "exact": {"type": "boolean", "description": "unrounded numbers"}},
                     "description": "A case: `observations` (and an optional `threshold`), or "
                                    "the observations mapping itself."},
            "QuestionsRequest": {"type": "object", "properties": {
                **case_props,
                "dont_know": {"type": "array", "items": {"type": "string"}},
                "k": {"type": "integer", "minimum": 0, "maximum": 50}}},
            "WhatIfRequest": {"type": "object", "required": ["changes"], "properties": {
                **case_props,
                "changes": {"type": "object", "additionalProperties": True}}},
            "CauseRequest": {"type": "object", "required": ["cause"], "properties": {
                **case_props, "cause": {"type": "string"}}},
            "ValidateRequest": {"type": "object", "required": ["files"], "properties": {
                "files": {"type": "object", "additionalProperties": {"type": "string"},
                          "description": "file name (letters, digits, '.', '_', '-'; ending "
                                         "in .yaml or .yml) to YAML text; at most 20"},
                "with_served": {"type": "boolean",
                                "description": "check together with the served rules"}}},
            "Validation": {"type": "object", "properties": {
                "valid": {"type": "boolean"}, "errors": {"type": "integer"},
                "warnings": {"type": "integer"},
                "problems": {"type": "array", "items": _ref("Problem")}}},
            "Problem": {"type": "object", "properties": {
                "path": {"type": "string"}, "line": {"type": "integer"},
                "column": {"type": "integer"}, "severity": {"enum": ["error", "warning"]},
                "code": {"type": "string"}, "message": {"type": "string"},
                "yaml_path": {"type": "string"}, "rule_id": {"type": ["string", "null"]}}},
            "StoryRequest": {"type": "object", "required": ["story"],
                             "properties": {"story": {"type": "string"}}},
            "Diagnosis": {"type": "object", "required": ["schema_version", "causes", "ranked"],
                          "properties": {
                              "schema_version": {"type": "integer"},
                              "causes": {"type": "array", "items": {"type": "object"}},
                              "ranked": {"type": "array", "items": _ref("RankedCause")},
                              "report": {"type": "string"},
                              "coping": {"type": "array", "items": {"type": "object"}},
                              "next_steps": {"type": "array", "items": {"type": "object"}},
                              "base_rates": {"type": "array", "items": {"type": "object"}},
                              "also_common": {"type": "array", "items": {"type": "object"}}}},
            "RankedCause": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"},
                "certainty": {"type": "number"}, "percent": {"type": "integer"},
                "strength": {"enum": ["likely", "possible", "weak"]},
                "reported": {"type": "boolean"}}},
            "Question": {"type": "object", "properties": {
                "observation": {"type": "string"}, "question": {"type": "string"},
                "type": {"enum": list(TYPE_NAMES)},
                "allowed": {"type": "string"}, "answers": {"type": "array"},
                "reason": {"type": "string"}, "group": {"type": "string"}}},
            "Questions": {"type": "object", "properties": {
                "questions": {"type": "array", "items": _ref("Question")},
                "next": {"oneOf": [_ref("Question"), {"type": "null"}]},
                "settled": {"type": "boolean"},
                "leading": {"type": "array", "items": {"type": "string"}}}},
            "WhatIf": {"type": "object", "properties": {
                "differences": {"type": "array", "items": {"type": "object"}},
                "leading_before": {"type": ["string", "null"]},
                "leading_after": {"type": ["string", "null"]},
                "after": _ref("Diagnosis"), "text": {"type": "string"}}},
            "Explanation": {"type": "object", "properties": {
                "cause": {"type": "string"}, "title": {"type": "string"},
                "certainty": {"type": "number"}, "text": {"type": "string"}}},
            "Reading": {"type": "object", "properties": {
                "observations": {"type": "object"}, "items": {"type": "array"},
                "conflicts": {"type": "array"}, "refusal": {"type": "string"}}},
            "Vocabulary": {"type": "object", "properties": {
                "observations": {"type": "array", "items": {"type": "object"}},
                "causes": {"type": "array", "items": {"type": "object"}},
                "case_schema": {"type": "object"}, "reads_stories": {"type": "boolean"}}},
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["status", "code", "message"], "properties": {
                    "status": {"type": "integer"}, "code": {"type": "string"},
                    "message": {"type": "string"},
                    "observation": {"type": ["string", "null"]},
                    "problems": {"type": "array", "items": {"type": "object"}}}}}},
        }},
    }
