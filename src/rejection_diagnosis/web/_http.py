"""HTTP plumbing shared by the page and the API: bounded bodies, headers, JSON errors.

Nothing here logs a request: what a person types (a story, answers) never leaves the
process except in the response to that person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import EngineError, ObservationError, RuleSetError

__all__ = ["MAX_BODY", "MAX_UPLOAD", "ApiError", "BodyLimit", "SecurityHeaders", "error_body",
           "error_response", "json_body"]

#: Largest request body the API and the candidate page accept (a case, a story).
MAX_BODY = 256 * 1024
#: Largest body of a rule-set upload on the coach page (the files and the form around them).
MAX_UPLOAD = 2 * 1024 * 1024

# Scripts and styles only from this server, no inline code, no framing, no outside
# connections: the page works offline and a story cannot be sent anywhere else.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


class ApiError(Exception):
    """An error answered as JSON: an HTTP status, a code and a message (plus details)."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_body(status: int, code: str, message: str, **details: Any) -> dict[str, Any]:
    """The JSON shape of every error: ``{"error": {"status", "code", "message", ...}}``."""
    return {"error": {"status": status, "code": code, "message": message, **details}}


def error_response(exc: Exception) -> JSONResponse:
    """The JSON response for an error raised while answering an API request."""
    if isinstance(exc, ApiError):
        return JSONResponse(error_body(exc.status, exc.code, exc.message, **exc.details),
                            status_code=exc.status)
    if isinstance(exc, RuleSetError):
        return JSONResponse(error_body(422, "bad-rules", str(exc),
                                       problems=[p.to_dict() for p in exc.problems]),
                            status_code=422)
    if isinstance(exc, ObservationError):
        return JSONResponse(error_body(422, "bad-case", str(exc), observation=exc.observation),
                            status_code=422)
    if isinstance(exc, LookupError):  # UnknownCauseError: a cause id the rules do not declare
        return JSONResponse(error_body(422, "unknown-cause", str(exc)), status_code=422)
    if isinstance(exc, EngineError):
        return JSONResponse(error_body(500, "engine-error", str(exc), rule=exc.rule_id),
                            status_code=500)
    raise exc


class BodyLimit:
    """Refuse request bodies over a limit with 413, whether or not they declare a length.

    ``limits`` maps a path prefix to its own limit (the coach's upload); others get
    ``default``.
    """

    def __init__(self, app: ASGIApp, default: int = MAX_BODY,
                 limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits or {})

    def _limit(self, path: str) -> int:
        return next((n for prefix, n in self.limits.items() if path.startswith(prefix)),
                    self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = limit + 1
                if declared > limit:
                    await self._refuse(scope, receive, send, limit)
                    return
        # Read the whole body first (it is small by definition): a body over the limit is
        # refused before any endpoint sees a byte of it, declared length or not.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse(
            error_body(413, "too-large", f"the request body is larger than {limit} bytes; "
                       "send a smaller case or story"),
            status_code=413, headers={"connection": "close"})
        await response(scope, receive, send)


class SecurityHeaders:
    """Add the security headers to every response, and ``no-store`` to every dynamic one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() != b"cache-control" or static]
                headers.extend(_HEADERS)
                if not static:
                    # Pages and answers hold what a person typed: never kept by a cache.
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def json_body(raw: bytes) -> Any:
    """Parse a JSON request body.

    Raises:
        ApiError: 400 when the body is not UTF-8 JSON.
    """
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "bad-json", f"the request body is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(400, "bad-json", "the request body nests too deeply") from exc

