"""``rejection-diagnosis serve``: the web page and the JSON API on a local port."""

from __future__ import annotations

import argparse
import sys

from ._common import UsageError, add_rules_argument, load_kb

NAME = "serve"
HELP = "serve the web page and the JSON API (needs the 'web' extra)"
EXAMPLE = """\
example:
  rejection-diagnosis serve                  # then open http://127.0.0.1:8000/
  rejection-diagnosis serve --rules my-rules/ --bundled --port 8080"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--rules``, ``--host``, ``--port``."""
    add_rules_argument(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")


def run(args: argparse.Namespace) -> int:
    """Load the rules, then serve until interrupted."""
    try:
        import uvicorn  # noqa: F401  (checked here so a missing one is named; make_server uses it)

        from ..web import LOOPBACK_HOSTS, create_app, make_server
    except ImportError as exc:
        raise UsageError(
            f"serve needs the web extra ({exc.name or exc} is missing): "
            "pip install 'rejection-diagnosis[web]'") from exc
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, got {args.port}")
    # On this computer only, answer only to its own names (no DNS rebinding).
    hosts = LOOPBACK_HOSTS if args.host in LOOPBACK_HOSTS else None
    server = make_server(create_app(load_kb(args), allowed_hosts=hosts), args.host, args.port)
    print(f"rejection-diagnosis: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)",
          file=sys.stderr)
    server.run()
    return 0
