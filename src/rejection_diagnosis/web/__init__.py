"""A web page for candidates and coaches, and a JSON API for tools that embed the library.

Needs the ``web`` extra (``pip install 'rejection-diagnosis[web]'``: Starlette, uvicorn and
python-multipart). Run it with ``rejection-diagnosis serve``, or build the ASGI application
with :func:`create_app` and serve it with any ASGI server::

    from rejection_diagnosis.web import create_app
    app = create_app(rd.load_rules())

Nothing a person types is stored or logged; every request body is bounded; the server
reads no file but the rule files it was started with and its own bundled assets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..certainty import DEFAULT_THRESHOLD
from . import _html, api, pages
from ._http import MAX_BODY, MAX_UPLOAD, BodyLimit, SecurityHeaders, error_body

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

    from ..knowledge_base import KnowledgeBase

__all__ = ["LOOPBACK_HOSTS", "MAX_BODY", "MAX_UPLOAD", "create_app", "make_server"]


#: The names a browser uses for this computer: what a server bound to loopback answers to.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def create_app(kb: KnowledgeBase, *, threshold: float = DEFAULT_THRESHOLD, max_body: int = MAX_BODY,
               max_upload: int = MAX_UPLOAD,
               allowed_hosts: Sequence[str] | None = None) -> ASGIApp:
    """The ASGI application serving the page, the coach page and the API over ``kb``.

    Args:
        kb: the knowledge base to diagnose with (shared by every request; it is immutable).
        threshold: the report threshold of every diagnosis (an API request may give its own).
        max_body: the largest request body accepted (413 above it).
        max_upload: the same for rule files to check (the coach's page, ``/api/validate``).
        allowed_hosts: answer only requests whose ``Host`` is one of these (400 otherwise);
            ``serve`` on a loopback address passes :data:`LOOPBACK_HOSTS`, so that a web
            page elsewhere cannot reach the server through a name of its own (DNS
            rebinding). None: any host.
    """

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        words = {404: "no such page", 405: "method not allowed"}.get(status, "error")
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_body(status, words.replace(" ", "-"),
                                           f"{request.method} {request.url.path}: {words}; "
                                           "see /api/openapi.json"), status_code=status)
        return HTMLResponse(_html.page(words.capitalize(), f"<h1>{words.capitalize()}</h1>"
                                       '<p><a href="/">Start here</a></p>'), status_code=status)

    app = Starlette(routes=[*pages.routes(kb, threshold), *api.routes(kb, threshold)],
                    exception_handlers={404: not_found, 405: not_found})
    inner: ASGIApp = BodyLimit(app, max_body, {"/coach/validate": max_upload,
                                                "/api/validate": max_upload})
    if allowed_hosts is not None:
        inner = TrustedHostMiddleware(inner, allowed_hosts=[
            f"[{h}]" if ":" in h else h for h in allowed_hosts])
    return SecurityHeaders(inner)


def make_server(app: ASGIApp, host: str = "127.0.0.1", port: int = 8000) -> uvicorn.Server:
    """A uvicorn server for ``app`` as ``rejection-diagnosis serve`` runs it: one worker, no
    access log (request lines would be the only trace of who asked what), no server header.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            server_header=False, proxy_headers=False, workers=1)
    return uvicorn.Server(config)
