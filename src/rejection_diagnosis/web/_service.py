"""What the page and the API need from the library, as plain data (no HTTP here).

Checking a request's case, and turning the library's results (diagnoses, questions,
explanations) into JSON-ready dicts and into the words a candidate reads.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import model as m
from ..conclusions import Conclusion
from ..diagnosis import Diagnosis
from ..errors import ObservationError, Problem
from ..observation_types import TYPES
from ._http import ApiError

if TYPE_CHECKING:
    from ..consult import How, Question, QuestionWhy, WhatIf, WhyNot
    from ..knowledge_base import KnowledgeBase

__all__ = ["answer_words", "case_of", "case_schema", "diagnosis_json", "evidence_in_words",
           "has_reader", "how_json", "question_json", "question_why_json", "short_description",
           "threshold_of",
           "typed_answer", "vocabulary_json", "what_if_json", "why_not_json"]

#: Most questions one /api/questions call returns.
MAX_K = 50


def has_reader(kb: KnowledgeBase) -> bool:
    """Whether this version of the library reads stories (the story reader of issue 12)."""
    return callable(getattr(kb, "read_story", None))


def _mapping(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "bad-case", f"{what} must be a JSON object, got {type(body).__name__}")
    return body


def case_of(body: Any) -> dict[str, Any]:
    """The observations of a request: ``{"observations": {...}, ...}`` or a bare mapping.

    The values are those of :meth:`KnowledgeBase.diagnose`, so the ``observations`` of a
    diagnosis's ``to_dict()`` (``{id: {"value": v, "certainty": c}}``) is a valid case.
    """
    whole = _mapping(body, "the request body")
    if "observations" in whole:
        return _mapping(whole["observations"], "'observations'")
    return whole


def threshold_of(body: Any, default: float) -> float:
    """The ``threshold`` of a request, or ``default``."""
    if not isinstance(body, dict) or "observations" not in body or "threshold" not in body:
        return default
    value = body["threshold"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and 0 < value <= 1):
        raise ApiError(422, "bad-threshold", f"'threshold' must be a number in (0, 1], got {value!r}")
    return float(value)


def _pct(certainty: float) -> int:
    return round(certainty * 100)


def _conclusion(dx: Diagnosis, c: Conclusion, exact: bool) -> dict[str, Any]:
    from ..render import PLACES

    certainty = c.certainty if exact else round(c.certainty, PLACES) + 0.0
    return {"id": c.id, "title": c.title, "certainty": certainty, "percent": _pct(c.certainty),
            "strength": dx.strength(c), "reported": c in dx.causes}


def diagnosis_json(kb: KnowledgeBase, dx: Diagnosis, exact: bool = False) -> dict[str, Any]:
    """``dx.to_dict()`` and, under ``ranked``, every cause with evidence for it and its
    strength; numbers rounded as ``to_dict`` rounds them unless ``exact``."""
    from ..report import candidate_text

    out = dx.to_dict(exact=exact)
    out["ranked"] = [_conclusion(dx, c, exact) for c in dx.ranked]
    # The plain report a candidate reads (what `diagnose` prints), for tools that show text.
    out["report"] = candidate_text(dx, kb.observations)
    return out


def question_json(q: Question) -> dict[str, Any]:
    """A question as JSON: what to ask, the allowed answers, and why it is useful; a
    checklist has ``checklist`` (its id, also ``observation``) and its open ``items``."""
    return {"observation": q.observation, "question": q.question, "type": q.type,
            "allowed": q.allowed, "answers": list(q.answers), "reason": q.reason,
            "group": q.group, "checklist": getattr(q, "checklist", None),
            "items": list(getattr(q, "items", ()))}


def question_why_json(w: QuestionWhy) -> dict[str, Any]:
    """Why a question is asked: the rules its answer feeds."""
    return {"observation": w.observation, "question": w.question, "reason": w.reason,
            "rules": [{"rule": u.rule_id, "test": u.test, "conclusion_kind": u.conclusion_kind,
                       "conclusion": u.conclusion, "certainty_factor": u.certainty_factor,
                       "because": u.because, "causes": list(u.causes), "live": u.live}
                      for u in w.rules],
            "text": w.text()}


def how_json(h: How) -> dict[str, Any]:
    """How a cause got its certainty, step by step."""
    return {"cause": h.cause, "title": h.title, "certainty": h.certainty,
            "reported": h.reported,
            "steps": [{"kind": s.kind, "id": s.id, "title": s.title, "certainty": s.certainty,
                       "depth": s.depth,
                       "rules": [{"rule": c.rule_id, "contribution": c.contribution,
                                  "because": c.because,
                                  "evidence": [{"kind": e.kind, "id": e.id, "test": e.test,
                                                "value": e.value} for e in c.evidence]}
                                 for c in s.contributions]}
                      for s in h.steps],
            "text": h.text()}


def why_not_json(w: WhyNot) -> dict[str, Any]:
    """Why a cause is not (more) certain: evidence against it and rules that did not fire."""
    return {"cause": w.cause, "title": w.title, "certainty": w.certainty, "rank": w.rank,
            "against": [{"rule": c.rule_id, "contribution": c.contribution,
                         "because": c.because} for c in w.against],
            "missing": [{"rule": r.rule_id, "certainty_factor": r.certainty_factor,
                         "because": r.because,
                         "tests": [{"subject": t.subject, "test": t.test, "status": t.status}
                                   for t in r.tests]}
                        for r in w.missing],
            "text": w.text()}


def what_if_json(kb: KnowledgeBase, w: WhatIf) -> dict[str, Any]:
    """What changes: per-cause certainties before and after, and the leading cause."""
    before, after = w.before.top_cause, w.after.top_cause
    return {"differences": [{"id": c.id, "title": c.title, "before": c.before,
                             "after": c.after, "delta": c.delta} for c in w.differences],
            "leading_before": before.id if before else None,
            "leading_after": after.id if after else None,
            "after": diagnosis_json(kb, w.after),
            "text": w.text()}


def _minimal_schema(kb: KnowledgeBase) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for o in kb.observations.values():
        plain = TYPES[o.type].json_schema(o)
        props[o.id] = {"description": o.description, "oneOf": [plain, {
            "type": "object", "required": ["value"], "additionalProperties": False,
            "properties": {"value": plain,
                           "certainty": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "A case: observation id to value", "type": "object",
            "additionalProperties": False, "properties": props}


def case_schema(kb: KnowledgeBase) -> dict[str, Any]:
    """The case JSON Schema: the library's own (``kb.case_schema()``) when it has one."""
    own = getattr(kb, "case_schema", None)
    if callable(own):
        schema: dict[str, Any] = own()
        return schema
    return _minimal_schema(kb)


def vocabulary_json(kb: KnowledgeBase) -> dict[str, Any]:
    """The observations (with their questions), the causes and the case JSON Schema."""
    return {
        "observations": [{"id": o.id, "type": o.type, "description": o.description,
                          "question": o.question, "group": o.group, "allowed": o.allowed(),
                          **({"values": list(o.values)} if o.values else {}),
                          **({"range": list(o.range)} if o.range else {}),
                          **({"unit": o.unit} if o.unit else {})}
                         for o in kb.observations.values()],
        "causes": [{"id": c.id, "title": c.title, "description": c.description,
                    **({"prior": c.prior} if c.prior is not None else {})}
                   for c in kb.causes.values()],
        "case_schema": case_schema(kb),
        "reads_stories": has_reader(kb),
    }


def answer_words(obs: m.Observation, value: object) -> str:
    """An answer as a person says it: yes/no, a category in words, a number with its unit."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        shown = m.show_value(float(value))
        return f"{shown} {obs.unit}" if obs.unit else shown
    return str(value).replace("_", " ")


def short_description(obs: m.Observation) -> str:
    """An observation's description without the list of values a category's may end with,
    and without the hints for answering that follow a long one's first sentence."""
    text = obs.description
    if TYPES[obs.type].has_values and ": " in text:
        text = text.split(": ", 1)[0]
    if len(text) > 120 and ". " in text:
        text = text.split(". ", 1)[0] + "."
    return text


def typed_answer(obs: m.Observation, text: str) -> bool | float | str:
    """A form's answer (always a string) as the type the observation declares.

    Raises:
        ObservationError: the text is not an answer of that type (the message says which are).
    """
    value = TYPES[obs.type].form_value(obs, text.strip())
    if value is not None:
        return value
    raise ObservationError(f"{obs.question} Please answer {obs.allowed()}.", obs.id)


def evidence_in_words(kb: KnowledgeBase, dx: Diagnosis, cause: Conclusion,
                      positive: bool = True) -> list[tuple[str, str]]:
    """What the person said for ``cause`` (or, ``positive=False``, against it):
    (observation description, answer) pairs.

    Follows the chain of :meth:`KnowledgeBase.how` so that answers reaching the cause through a
    finding count too; each observation once, in the order the chain meets it.
    """
    out: dict[str, tuple[str, str]] = {}
    for step in kb.how(dx, cause.id).steps:
        for c in step.contributions:
            # Against: only what spoke against the cause itself, not against its findings.
            wanted = c.contribution > 0 if positive else c.contribution < 0 and step.depth == 0
            if not wanted:
                continue
            for e in c.evidence:
                obs = kb.observations.get(e.id)
                if e.kind == "observation" and obs is not None and e.id not in out:
                    out[e.id] = (short_description(obs), answer_words(obs, e.value))
    return list(out.values())


def answers_mapping(raw: Any) -> Mapping[str, Any]:
    """``raw`` if it is a mapping, else a 422 (for ``changes`` and the like)."""
    return _mapping(raw, "'changes'")


#: Most rule files one check may hold.
MAX_FILES = 20
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml")


def upload_problem(names: Sequence[str]) -> str:
    """What is wrong with the names of files to check ("" when nothing)."""
    if not names:
        return "choose one or more rule files (.yaml) to check"
    if len(names) > MAX_FILES:
        return f"{len(names)} files given; at most {MAX_FILES} are checked at once"
    for i, name in enumerate(names):
        if not _NAME.fullmatch(name):
            return (f"{name!r} is not a rule file name: use letters, digits, '.', '_' or '-', "
                    "ending in .yaml or .yml")
        if name in names[:i]:
            return f"{name!r} is given twice"
    return ""


def check_uploaded(kb: KnowledgeBase, files: Sequence[tuple[str, bytes]],
                   with_served: bool) -> list[Problem]:
    """Every problem in uploaded rule files (alone, or with the served rules when
    ``with_served``), located in the uploaded names.

    The files are written to a private temporary folder under their plain names (checked
    by :func:`upload_problem` first), checked, and the folder is deleted before returning.
    """
    from ..knowledge_base import check_rules

    problem = upload_problem([n for n, _ in files])
    if problem:
        raise ApiError(422, "bad-upload", problem)
    with tempfile.TemporaryDirectory(prefix="rd-validate-") as folder:
        for name, data in files:
            Path(folder, name).write_bytes(data)
        served = list(kb.files) if with_served else []
        return [_relocated(p, folder) for p in check_rules(*served, folder)]


def _relocated(p: Problem, folder: str) -> Problem:
    import attrs

    path = p.path
    if path.startswith(folder):
        path = path[len(folder):].lstrip("/\\") or "(upload)"
    else:
        path = Path(path).name
    message = p.message.replace(folder + "/", "").replace(folder, "(upload)")
    return attrs.evolve(p, path=path, message=message)
