"""Subcommands of the ``rejection-diagnosis`` command line, one module each.

Each module defines ``NAME``, ``HELP``, ``EXAMPLE`` (the end of its ``--help``: an
``example:`` line, then commands to copy), ``add_arguments(parser)`` and
``run(args) -> int``.
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
