"""Subcommands of the ``rejection-diagnosis`` command line, one module each.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

COMMANDS = (
    "ask",
    "diagnose",
    "validate",
    "test",
    "explain",
    "evaluate",
    "show",
    "serve",
)
