"""Hostile rule files: each is refused quickly, with bounded memory and a located error.

The corpus lives in ``tests/hostile/``; the expected problem of each file (code, line,
column) is listed here. Larger files are generated in the tests so the repository stays
small. Time and memory bounds are loose on purpose (CI machines vary): what they catch is
an unbounded expansion, a quadratic scan or a parser that reads past a limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

import rejection_diagnosis as rd

HOSTILE = Path(__file__).parent / "hostile"
SRC = os.pathsep.join([str(Path(rd.__file__).parent.parent), os.environ.get("PYTHONPATH", "")])
SECONDS = 2.0
MEGABYTES = 64

EXPECTED = {
    "python_apply.yaml": ("yaml-tag", 1, 8),
    "python_name.yaml": ("yaml-tag", 3, 11),
    "python_object_new.yaml": ("yaml-tag", 1, 9),
    "billion_laughs.yaml": ("yaml-too-large", 5, 28),
    "recursive_alias.yaml": ("yaml-alias", 2, 5),
    "undefined_alias.yaml": ("yaml-syntax", 1, 8),
    "deep_nesting.yaml": ("yaml-too-deep", 1, 71),
    "deep_block_nesting.yaml": ("yaml-too-deep", 65, 129),
    "non_utf8.yaml": ("yaml-encoding", 2, 12),
    "bom.yaml": ("yaml-bom", 1, 1),
    "utf16.yaml": ("yaml-encoding", 1, 1),
    "tabs.yaml": ("yaml-syntax", 2, 1),
    "empty.yaml": ("yaml-empty", 1, 1),
    "comments_only.yaml": ("yaml-empty", 1, 1),
    "list.yaml": ("not-a-mapping", 1, 1),
    "scalar.yaml": ("not-a-mapping", 1, 1),
    "null_document.yaml": ("not-a-mapping", 1, 1),
    "duplicate_keys.yaml": ("yaml-duplicate-key", 3, 1),
    "duplicate_nested_keys.yaml": ("yaml-duplicate-key", 4, 5),
    "merge_key.yaml": ("yaml-tag", 3, 5),
    "timestamp.yaml": ("yaml-tag", 1, 10),
    "binary.yaml": ("yaml-tag", 1, 10),
    "set.yaml": ("yaml-tag", 1, 10),
    "custom_tag.yaml": ("yaml-tag", 1, 10),
    "nul_byte.yaml": ("yaml-encoding", 2, 1),
    "control_char.yaml": ("yaml-encoding", 2, 10),
    "two_documents.yaml": ("yaml-multiple-documents", 2, 1),
    "nan.yaml": ("yaml-value", 4, 33),
    "infinity.yaml": ("yaml-value", 4, 16),
    "huge_integer.yaml": ("yaml-value", 1, 10),
    "complex_key.yaml": ("yaml-key", 1, 3),
    "unclosed_bracket.yaml": ("yaml-syntax", 2, 6),
    "lone_surrogate_escape.yaml": ("yaml-encoding", 1, 10),
}


def refusal(path: Path, limits: rd.Limits | None = None,
            code: str | None = None) -> tuple[rd.Problem, float, float]:
    """The problem of loading ``path`` (the first, or the first with ``code``), the seconds
    it took and the peak MB allocated.

    Timed without tracemalloc (which slows allocation-heavy code several times), then
    loaded again under tracemalloc for the memory peak.
    """
    began = time.perf_counter()
    with pytest.raises(rd.RuleSetError) as info:
        rd.load_rules(path, limits=limits)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    try:
        with pytest.raises(rd.RuleSetError):
            rd.load_rules(path, limits=limits)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    problems = [p for p in info.value.problems if code is None or p.code == code]
    return (problems or list(info.value.problems))[0], seconds, peak


def test_every_corpus_file_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.name for p in HOSTILE.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_its_located_error_quickly(name):
    problem, seconds, peak = refusal(HOSTILE / name, code=EXPECTED[name][0])
    assert (str(HOSTILE / name), *EXPECTED[name]) == (
        problem.path, problem.code, problem.line, problem.column)
    assert seconds < SECONDS
    assert peak < MEGABYTES


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_rules_reports_the_same_problem_without_raising(name):
    problems = rd.check_rules(HOSTILE / name)
    assert EXPECTED[name] in [(p.code, p.line, p.column) for p in problems]


def test_error_message_starts_with_the_location():
    with pytest.raises(rd.RuleSetError) as info:
        rd.load_rules(HOSTILE / "python_apply.yaml")
    assert str(info.value).startswith(f"{HOSTILE / 'python_apply.yaml'}:1:8: error: tag ")


def test_nothing_in_a_rule_file_runs_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("python_apply.yaml", "python_object_new.yaml"):
        with pytest.raises(rd.RuleSetError):
            rd.load_rules(HOSTILE / name)
    assert [] == list(tmp_path.iterdir())


class TestGeneratedFiles:
    def test_a_file_over_the_size_limit_is_refused_without_reading_it(self, tmp_path):
        path = tmp_path / "huge.yaml"
        path.write_bytes(b"# padding\n" * 1_000_000)  # 10 MB
        problem, seconds, peak = refusal(path)
        assert ("yaml-too-large", 1, 1) == (problem.code, problem.line, problem.column)
        assert "at most 1000000" in problem.message
        assert seconds < SECONDS and peak < 16

    def test_a_very_long_string_is_refused(self, tmp_path):
        path = tmp_path / "long.yaml"
        path.write_text("version: 1\ncauses:\n  - id: " + "x" * 500_000 + "\n")
        problem, seconds, peak = refusal(path)
        assert ("yaml-string-too-long", 3, 9) == (problem.code, problem.line, problem.column)
        assert seconds < SECONDS and peak < MEGABYTES

    def test_a_file_of_many_small_values_stops_at_the_value_limit(self, tmp_path):
        # The most expensive shape under the byte limit: every 3 bytes a new value. Run in
        # a child process so that its peak resident memory can be measured cheaply.
        path = tmp_path / "many.yaml"
        path.write_text("rules: [" + "1, " * 300_000 + "1]\n")  # 900 kB, under max_bytes
        script = (
            "import resource, sys, time\n"
            "import rejection_diagnosis as rd\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "began = time.perf_counter()\n"
            "problems = rd.check_rules(sys.argv[1])\n"
            "seconds = time.perf_counter() - began\n"
            "grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024\n"
            "print(problems[0].code, problems[0].line, seconds, grown)\n"
        )
        done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONPATH": SRC})
        code, line, seconds, grown = done.stdout.split()
        assert ("yaml-too-large", "1") == (code, line)
        assert float(seconds) < SECONDS * 2 and float(grown) < MEGABYTES

    def test_many_empty_values(self, tmp_path):
        path = tmp_path / "empty-values.yaml"
        path.write_text("".join(f"k{i}:\n" for i in range(20_000)))  # 40,000 values
        began = time.perf_counter()
        problems = rd.check_rules(path)
        assert time.perf_counter() - began < SECONDS * 2
        assert "yaml-too-large" not in [p.code for p in problems]

    def test_a_syntax_error_after_many_values(self, tmp_path):
        path = tmp_path / "late-error.yaml"
        path.write_text("notes: [" + "1, " * 20_000 + "}\n")  # 60 kB, then a stray brace
        began = time.perf_counter()
        problem = rd.check_rules(path)[0]
        assert time.perf_counter() - began < SECONDS
        assert ("yaml-syntax", 1) == (problem.code, problem.line)

    def test_deep_nesting_up_to_the_size_limit(self, tmp_path):
        path = tmp_path / "deep.yaml"
        path.write_text("rules: " + "[" * 900_000)
        problem, seconds, peak = refusal(path)
        assert ("yaml-too-deep", 1, 71) == (problem.code, problem.line, problem.column)
        assert seconds < SECONDS and peak < MEGABYTES

    def test_wide_billion_laughs(self, tmp_path):
        lines = ["a0: &a0 [" + ", ".join(["x"] * 1000) + "]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 1000) + "]" for i in range(1, 9)]
        path = tmp_path / "laughs.yaml"
        path.write_text("\n".join(lines) + "\n")
        problem, seconds, peak = refusal(path)
        assert ("yaml-too-large", 2) == (problem.code, problem.line)
        assert seconds < SECONDS and peak < MEGABYTES


class TestLimits:
    def test_limits_are_configurable(self, tmp_path):
        path = tmp_path / "nested.yaml"
        path.write_text("version: 1\nnotes: " + "[" * 10 + "]" * 10 + "\n")
        problem, _, _ = refusal(path, rd.Limits(max_depth=5))
        assert ("yaml-too-deep", "nesting deeper than 5 levels (raise Limits.max_depth)") == (
            problem.code, problem.message)

    def test_raising_a_limit_lets_the_file_through_to_the_next_check(self, tmp_path):
        path = tmp_path / "long.yaml"
        path.write_text("version: 1\nname: " + "n" * 30_000 + "\n")
        assert "yaml-string-too-long" == refusal(path)[0].code
        # Read now; what remains is that a name is not meant to be 30,000 characters long.
        assert "name" in refusal(path, rd.Limits(max_string=50_000))[0].message

    def test_check_rules_takes_limits(self, tmp_path):
        path = tmp_path / "small.yaml"
        path.write_text("version: 1\n")
        assert "yaml-too-large" == rd.check_rules(path, limits=rd.Limits(max_bytes=5))[0].code

    @pytest.mark.parametrize("field", ["max_bytes", "max_depth", "max_nodes", "max_string"])
    @pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
    def test_a_limit_must_be_a_positive_int(self, field, bad):
        with pytest.raises(ValueError, match=f"Limits.{field} must be a positive int"):
            rd.Limits(**{field: bad})

    def test_the_bundled_rules_load_within_the_default_limits(self):
        assert len(rd.load_rules().rules) > 0
