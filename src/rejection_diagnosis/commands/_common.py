"""Helpers shared by the subcommands: reading case files, loading rules, reporting errors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._yaml import Limits, Located, YamlPath, read_yaml
from ..certainty import check_threshold
from ..errors import DiagnosisError, ObservationError, Problem, RuleSetError, did_you_mean
from ..knowledge_base import KnowledgeBase, load_rules
from ..loader import bundled_rules_path
from ..model import Location
from ..observations import normalize

if TYPE_CHECKING:
    from ..story import Reading


class UsageError(Exception):
    """A command-line mistake: reported on stderr with exit status 2."""


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    """``--rules PATH`` (repeatable): rule files or folders instead of the bundled ones."""
    parser.add_argument(
        "--rules", action="append", metavar="PATH", default=[],
        help="rule file or folder (repeatable); default: the bundled knowledge base",
    )
    add_bundled_argument(parser)


def add_bundled_argument(parser: argparse.ArgumentParser) -> None:
    """``--bundled``: add the bundled knowledge base to the rules given (to extend it)."""
    parser.add_argument(
        "--bundled", action="store_true",
        help="also load the bundled knowledge base (for rule sets that extend it)",
    )


def rule_paths(args: argparse.Namespace, given: list[str]) -> list[str]:
    """The rule paths of a command: ``given``, with the bundled rules first if asked for."""
    return ([str(bundled_rules_path())] if getattr(args, "bundled", False) else []) + given


def threshold_argument(text: str) -> float:
    """``--threshold``'s type: a number in (0, 1]; anything else is a usage error (exit 2)."""
    try:
        return check_threshold(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number greater than 0 and at most 1, e.g. 0.3 (got {text!r})") from None


def short_locations(paths: Sequence[str]) -> Callable[[Location], str]:
    """Show a rule's location relative to the folder that holds the rules given.

    A rule of the bundled knowledge base shows as ``rules/causes.yaml:384:5``, one of
    ``--rules my_rules/`` as ``my_rules/agency.yaml:3:5``: never an absolute path into
    site-packages.
    """
    roots = [Path(p).resolve() for p in (paths or [str(bundled_rules_path())])]

    def where(location: Location) -> str:
        path = Path(location.path).resolve()
        for root in roots:
            if path == root or root in path.parents:
                return f"{path.relative_to(root.parent)}:{location.line}:{location.column}"
        return str(location)

    return where


def load_kb(args: argparse.Namespace) -> KnowledgeBase:
    """The knowledge base named by ``--rules`` and ``--bundled`` (or the bundled one)."""
    return load_rules(*rule_paths(args, args.rules))


def read_case(path: str) -> dict[str, Any]:
    """Read a case file (YAML or JSON): a mapping of observations, or ``{observations: ...}``.

    Raises:
        RuleSetError: the file is unreadable, not YAML/JSON, or not a mapping.
    """
    data, located, _ = _read_case(path)
    if located.problems:  # duplicate keys: which value was meant is unknown
        raise RuleSetError([attrs.evolve(p, severity="error") for p in located.problems])
    return data


def load_case(path: str, kb: KnowledgeBase) -> dict[str, Any]:
    """Read a case file and check it against ``kb``'s observations, every problem at once.

    Raises:
        RuleSetError: the file is unreadable or not a mapping, has duplicate keys, unknown
            observations or wrong values; each problem located as ``path:line:col``.
    """
    data, located, prefix = _read_case(path)
    # Duplicate keys (which value was meant is unknown), reported with everything else.
    problems = [attrs.evolve(p, severity="error") for p in located.problems]
    known = sorted(kb.observations)
    for key, value in data.items():
        where: YamlPath = (*prefix, key)
        if not isinstance(key, str) or key not in kb.observations:
            shown = repr(key) if isinstance(key, str) else f"{key!r} (a {type(key).__name__})"
            hint = did_you_mean(key, known) if isinstance(key, str) else ""
            problems.append(Problem(
                path, *located.key_mark(where), "error", "case-unknown-observation",
                f"unknown observation {shown}{hint}; `rejection-diagnosis show observations` "
                "lists them"))
            continue
        try:
            normalize(kb.observations, {key: value})
        except ObservationError as exc:
            problems.append(Problem(path, *located.mark(where), "error", "case-value",
                                    str(exc)))
    if problems:
        raise RuleSetError(problems)
    return data


def _read_case(path: str) -> tuple[dict[str, Any], Located, YamlPath]:
    """The case's observations, the located document, and the path to them inside it."""
    limits = Limits()
    try:
        if path == "-":
            if sys.stdin is None:
                raise RuleSetError([Problem("<stdin>", 0, 0, "error", "file-unreadable",
                                            "cannot read the case: standard input is closed")])
            raw = sys.stdin.buffer.read(limits.max_bytes + 1)
        else:
            # Only one byte more than allowed is read: /dev/zero is refused, not exhausted.
            with Path(path).open("rb") as handle:
                raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "file-unreadable",
                                    f"cannot read case file: {exc.strerror}")]) from exc
    doc = read_yaml(raw, path, limits)
    if isinstance(doc, Problem):
        if doc.code == "yaml-empty":  # the reader's wording is about rule files
            doc = attrs.evolve(doc, message="case file is empty; write one observation a "
                                            "line, e.g. posting_reposted: true")
        raise RuleSetError([doc])
    data = doc.data
    prefix: YamlPath = ()
    if isinstance(data, dict) and set(data) <= {"observations", "name", "story", "expect"} \
            and isinstance(data.get("observations"), dict):
        data = data["observations"]
        prefix = ("observations",)
    if not isinstance(data, dict):
        raise RuleSetError([Problem(path, 1, 1, "error", "case",
                                    "a case file is a mapping of observation id to value")])
    return data, doc, prefix


def read_story_text(path: str) -> str:
    """The text of a story file (``-`` reads standard input), for ``--story``.

    Bytes that are not UTF-8 are replaced (the reader then says the story is not text), and
    only what the reader's limit can hold is read (four bytes a character at most), so a
    huge file cannot exhaust memory: the reader refuses what is too long.

    Raises:
        UsageError: the file cannot be read.
    """
    import sys

    from ..story import MAX_CHARS

    most = 4 * MAX_CHARS + 4
    try:
        if path == "-":
            raw: bytes = sys.stdin.buffer.read(most + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(most + 1)
    except OSError as exc:
        raise UsageError(f"cannot read story {path}: {exc.strerror}") from exc
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def read_story_file(kb: KnowledgeBase, path: str) -> Reading:
    """Read the story in ``path`` (``-``: standard input) with ``kb``: for ``--story``.

    The commands print :func:`rejection_diagnosis.story.describe_reading` of the result
    first, then start from ``reading.observations`` (``diagnose``; ``ask`` asks only what
    is still open).

    Raises:
        UsageError: the file cannot be read.
        DiagnosisError: the story was refused (too long, not text); the message says why.
    """
    reading = kb.read_story(read_story_text(path))
    if reading.refusal:
        raise DiagnosisError(f"the story was not read: {reading.refusal}")
    return reading


def dump_json(data: Any) -> str:
    """Stable, readable JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False)
