"""Embedding: turn a web form's answers (all strings) into a JSON diagnosis.

No web framework is needed: ``diagnose_form`` takes what a form posts (field name to
string, empty meaning "not answered") and returns a JSON string. The library itself is
strict about types, so the conversion from form strings lives here, in the application,
where its choices ("yes"/"no", blank = unknown) are visible.

Run:  python examples/embed_web_form.py
"""

from __future__ import annotations

import json
from typing import Any

import rejection_diagnosis as rd

KB = rd.load_rules()  # load once at start-up; a KnowledgeBase is immutable and thread-safe

_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}


def form_to_observations(form: dict[str, str]) -> dict[str, Any]:
    """Convert form strings to typed observations; blank answers are left unknown."""
    observations: dict[str, Any] = {}
    for field, text in form.items():
        text = text.strip()
        if not text:
            continue
        spec = KB.observations.get(field)
        if spec is None:
            observations[field] = text  # the library reports it with a did-you-mean hint
        elif spec.type == "boolean":
            lowered = text.lower()
            observations[field] = True if lowered in _YES else False if lowered in _NO else text
        elif spec.type == "number":
            try:
                observations[field] = float(text)
            except ValueError:
                observations[field] = text  # refused below with a clear message
        else:
            observations[field] = text
    return observations


def diagnose_form(form: dict[str, str]) -> str:
    """The HTTP response body for a posted form: a diagnosis, or an error with its field."""
    try:
        dx = KB.diagnose(form_to_observations(form))
    except rd.ObservationError as exc:
        return json.dumps({"error": str(exc), "field": exc.observation})
    return json.dumps(dx.to_dict())


if __name__ == "__main__":
    posted = {
        "hiring_freeze_announced": "yes",
        "posting_taken_down": "yes",
        "days_to_rejection": "21",
        "rejections_in_a_row": "",
    }
    body = json.loads(diagnose_form(posted))
    print("top cause:", body["causes"][0]["id"] if body["causes"] else None)
    print("first next step:", body["next_steps"][0]["id"] if body["next_steps"] else None)
    print(json.loads(diagnose_form({"days_to_rejection": "three weeks"}))["error"])
