"""The library's exceptions and the located problems a rule set can have."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

__all__ = [
    "DiagnosisError",
    "EngineError",
    "ObservationError",
    "Problem",
    "RuleSetError",
]

Severity = Literal["error", "warning"]


@attrs.frozen(order=False)
class Problem:
    """One located problem in a rule set: where it is, how bad, which check, what to do.

    ``line`` and ``column`` are 1-based; 0 means the position is not known (a problem with
    a whole file, or with a value that came from Python rather than YAML).
    """

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    yaml_path: str = ""
    rule_id: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order problems by file, then position, then code, so output is stable."""
        return (self.path, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        # A problem with a whole file has no position to show ("case.yaml: error: ...").
        where = (f"{self.path}:{self.line}:{self.column}: " if self.line else
                 f"{self.path}: " if self.path else "")
        return f"{where}{self.severity}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping of every field."""
        return attrs.asdict(self)


class DiagnosisError(Exception):
    """Base class of every exception this library raises on purpose."""


class RuleSetError(DiagnosisError, ValueError):
    """A rule set could not be loaded; ``problems`` holds every problem found, located."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        errors = [p for p in self.problems if p.severity == "error"]
        shown = errors or list(self.problems)
        lines = [str(p) for p in shown]
        if len(lines) > 1:
            # The first line still starts with path:line:col so editors can jump to it.
            text = lines[0] + f"\n({len(errors)} errors in all)\n" + "\n".join(lines[1:])
        else:
            text = lines[0] if lines else "invalid rule set"
        super().__init__(text)

    @property
    def errors(self) -> Sequence[Problem]:
        """Only the problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


class ObservationError(DiagnosisError, ValueError):
    """An observation given to a diagnosis is unknown, of the wrong type or out of range."""

    def __init__(self, message: str, observation: str | None = None) -> None:
        super().__init__(message)
        self.observation = observation


class EngineError(DiagnosisError, RuntimeError):
    """The inference engine failed or refused a fact; the diagnosis was not produced.

    ``rule_id`` names the knowledge-base rule involved when it is known; ``engine_rule``
    the compiled engine rule that was running (for the library's own error reports).
    """

    def __init__(self, message: str, rule_id: str | None = None,
                 engine_rule: str | None = None) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.engine_rule = engine_rule


def did_you_mean(word: str, options: Iterable[str], style: str = "(") -> str:
    """A did-you-mean hint for ``word`` among ``options``, or "" when none is close.

    ``style="("`` gives `` (did you mean 'x'?)``; ``style=";"`` gives ``; did you mean 'x'?``.
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {close[0]!r}?" if style == ";" else f" (did you mean {close[0]!r}?)"
