"""The corpus of broken rule files: each yields exactly the problems its author should see.

Each ``tests/broken/NAME.yaml`` (or folder ``NAME/`` for mistakes across files) has a
``NAME.expected`` listing every problem, one per line, as the command line prints it:
``path:line:column: severity: message [code]`` with paths relative to ``tests/broken``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.lint import LINT_CODES
from rejection_diagnosis.validation import ERROR_CODES

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name.removesuffix(".expected") for p in BROKEN.glob("*.expected"))
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
                  r"(?P<message>.*) \[(?P<code>[a-z-]+)\]$")


def expected(name: str) -> list[tuple[str, int, int, str, str, str]]:
    out = []
    for text in (BROKEN / f"{name}.expected").read_text(encoding="utf-8").splitlines():
        match = LINE.match(text)
        assert match, f"{name}.expected: malformed line {text!r}"
        g = match.groupdict()
        out.append((g["path"], int(g["line"]), int(g["column"]), g["severity"], g["code"],
                    g["message"]))
    return out


def target(name: str) -> str:
    return name if (BROKEN / name).is_dir() else f"{name}.yaml"


@pytest.fixture(autouse=True)
def _in_corpus(monkeypatch):
    # Problems name files as they were given: relative paths keep the expectations portable.
    monkeypatch.chdir(BROKEN)


def actual(name: str) -> list[tuple[str, int, int, str, str, str]]:
    return [(p.path.replace(os.sep, "/"), p.line, p.column, p.severity, p.code, p.message)
            for p in rd.check_rules(target(name))]


def test_the_corpus_has_at_least_thirty_broken_rule_sets():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_broken_rule_set_yields_exactly_the_expected_problems(name):
    assert expected(name) == actual(name)


@pytest.mark.parametrize("name", CASES)
def test_every_problem_in_a_file_has_a_line_and_column(name):
    assert all(line >= 1 and column >= 1 for _, line, column, *_ in actual(name))


def test_every_error_file_cannot_be_loaded_and_the_exception_holds_all_errors():
    for name in CASES:
        errors = [p for p in expected(name) if p[3] == "error"]
        if not errors:
            continue
        with pytest.raises(rd.RuleSetError) as caught:
            rd.load_rules(target(name))
        assert [(e[1], e[2], e[4]) for e in errors] == [
            (p.line, p.column, p.code) for p in caught.value.errors]


def test_corpus_exercises_every_code_a_rule_file_can_show():
    # Codes about paths, sizes and limits are tested in test_loader.py with generated input.
    elsewhere = {"file-not-found", "file-unreadable", "no-rule-files", "yaml-encoding",
                 "yaml-bom", "yaml-key", "yaml-too-large", "yaml-too-deep",
                 "yaml-string-too-long", "too-complex", "schema"}
    seen = {p[4] for name in CASES for p in expected(name)}
    assert set(ERROR_CODES) - elsewhere | set(LINT_CODES) == seen
