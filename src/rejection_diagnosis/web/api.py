"""The JSON API for tools that embed the library: ``/api/...``, described at ``/api/openapi.json``.

Every error is JSON (``{"error": {"status", "code", "message", ...}}``): 400 for a body
that is not JSON, 413 for one over the limit, 422 for a case the library refuses (with
the observation at fault), 501 for story reading when this version has no reader.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import DiagnosisError
from . import _service as svc
from ._http import ApiError, error_response, json_body
from .openapi import openapi

if TYPE_CHECKING:
    from ..knowledge_base import KnowledgeBase

__all__ = ["routes"]

Handler = Callable[[Any], dict[str, Any]]


def _endpoint(work: Callable[[KnowledgeBase, float, Any], dict[str, Any]],
              kb: KnowledgeBase, threshold: float) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body = json_body(await request.body())
            # The library's work is CPU-bound: off the event loop, so one slow consultation
            # does not hold up the page of another person.
            result = await run_in_threadpool(work, kb, threshold, body)
        except (ApiError, DiagnosisError) as exc:
            return error_response(exc)
        return JSONResponse(result)

    return endpoint


def _diagnose(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    dx = kb.diagnose(svc.case_of(body), threshold=svc.threshold_of(body, threshold))
    exact = isinstance(body, dict) and "observations" in body and body.get("exact") is True
    return svc.diagnosis_json(kb, dx, exact=exact)


def _questions(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    from .. import Consultation

    case = svc.case_of(body)
    dont_know = body.get("dont_know", []) if "observations" in body else []
    k = body.get("k", 3) if "observations" in body else 3
    if not isinstance(dont_know, list) or not all(isinstance(d, str) for d in dont_know):
        raise ApiError(422, "bad-case", "'dont_know' must be a list of observation ids")
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= svc.MAX_K:
        raise ApiError(422, "bad-case", f"'k' must be a whole number from 0 to {svc.MAX_K}, "
                                        f"got {k!r}")
    limit = svc.threshold_of(body, threshold)
    consultation = Consultation(kb, threshold=limit, observations=case)
    for ident in dont_know:
        consultation.skip(ident)
    following = consultation.next_question()
    return {"questions": [svc.question_json(q) for q in consultation.questions(k)],
            "next": svc.question_json(following) if following else None,
            "settled": consultation.settled(),
            "leading": [c.id for c in consultation.leading()]}


def _what_if(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    case = svc.case_of(body)
    changes = svc.answers_mapping(body.get("changes", {}))
    result = kb.what_if(case, changes, threshold=svc.threshold_of(body, threshold))
    return svc.what_if_json(kb, result)


def _cause_of(kb: KnowledgeBase, body: Any) -> str:
    cause = body.get("cause") if isinstance(body, dict) else None
    if not isinstance(cause, str):
        raise ApiError(422, "bad-case", "give the cause to explain as 'cause': an id from "
                                        "/api/vocabulary")
    return cause


def _how(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    dx = kb.diagnose(svc.case_of(body), threshold=svc.threshold_of(body, threshold))
    return svc.how_json(kb.how(dx, _cause_of(kb, body)))


def _why_not(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    dx = kb.diagnose(svc.case_of(body), threshold=svc.threshold_of(body, threshold))
    return svc.why_not_json(kb.why_not(dx, _cause_of(kb, body)))


def _read_story(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    story = body.get("story") if isinstance(body, dict) else None
    if not isinstance(story, str):
        raise ApiError(422, "bad-story", "give the story as a JSON string under 'story'")
    if not svc.has_reader(kb):
        raise ApiError(501, "no-story-reader", "this version of rejection-diagnosis cannot "
                       "read stories; send observations to /api/diagnose instead")
    reading = kb.read_story(story)
    data: dict[str, Any] = reading.to_dict()
    return data


def _validate(kb: KnowledgeBase, threshold: float, body: Any) -> dict[str, Any]:
    files = body.get("files") if isinstance(body, dict) else None
    with_served = body.get("with_served", False) if isinstance(body, dict) else False
    if not isinstance(files, dict) or not all(isinstance(t, str) for t in files.values()):
        raise ApiError(422, "bad-upload", "give the rule files as 'files': an object of file "
                                          "name to YAML text")
    if not isinstance(with_served, bool):
        raise ApiError(422, "bad-upload", "'with_served' must be true or false")
    problems = svc.check_uploaded(kb, [(n, t.encode("utf-8")) for n, t in files.items()],
                                  with_served)
    errors = sum(p.severity == "error" for p in problems)
    return {"valid": errors == 0, "errors": errors, "warnings": len(problems) - errors,
            "problems": [p.to_dict() for p in problems]}


def routes(kb: KnowledgeBase, threshold: float) -> list[Route]:
    """The API's routes over ``kb``."""
    spec = openapi()

    async def vocabulary(request: Request) -> Response:
        return JSONResponse(svc.vocabulary_json(kb))

    async def description(request: Request) -> Response:
        return JSONResponse(spec)

    async def read_story(request: Request) -> Response:
        # Answered before the body is parsed, so a client learns at once that it cannot work.
        if not svc.has_reader(kb):
            return error_response(ApiError(
                501, "no-story-reader", "this version of rejection-diagnosis cannot read "
                "stories; send observations to /api/diagnose instead"))
        return await _endpoint(_read_story, kb, threshold)(request)

    post = [("/api/diagnose", _diagnose), ("/api/questions", _questions),
            ("/api/what-if", _what_if), ("/api/how", _how), ("/api/why-not", _why_not),
            ("/api/validate", _validate)]
    return [
        *(Route(path, _endpoint(work, kb, threshold), methods=["POST"]) for path, work in post),
        Route("/api/read-story", read_story, methods=["POST"]),
        Route("/api/vocabulary", vocabulary, methods=["GET"]),
        Route("/api/openapi.json", description, methods=["GET"]),
    ]
