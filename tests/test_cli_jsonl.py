"""``rejection-diagnosis diagnose --jsonl``: streaming many cases to JSON Lines."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

import rejection_diagnosis as rd
from conftest import TINY
from rejection_diagnosis.cli import main

CASES = [{"reposted": True}, {"days": 30}, {"feedback": "culture", "reposted": False}, {}]


@pytest.fixture
def rules(write_rules: Callable[[str, str], Path]) -> Path:
    return write_rules(TINY, "tiny.yaml")


def _write_cases(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_every_line_gives_its_diagnosis_in_order(rules: Path, tmp_path: Path, workers: int,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cases = CASES * 50
    source = _write_cases(tmp_path / "in.jsonl", [json.dumps(c) for c in cases])
    out = tmp_path / "out.jsonl"
    status = main(["diagnose", "--rules", str(rules), "--jsonl", str(source), "-o", str(out),
                   "--workers", str(workers)])
    kb = rd.load_rules(rules)
    expected = [kb.diagnose(c).to_dict() for c in cases]
    actual = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (0, expected) == (status, actual)
    assert "" == capsys.readouterr().err  # stderr is not a terminal: no progress bar


def test_a_bad_line_is_reported_in_place_and_the_rest_goes_on(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write_cases(tmp_path / "in.jsonl", [
        '{"reposted": true}', "", "{not json", '{"reposted": "yes"}', "[1, 2]",
        '{"observations": {"days": 3}}',
    ])
    status = main(["diagnose", "--rules", str(rules), "--jsonl", str(source)])
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert 1 == status
    assert [None, 3, 4, 5, None] == [line.get("line") for line in lines]
    assert ["schema_version", "schema_version"] == [
        next(iter(line)) for line in lines if "line" not in line]
    errors = captured.err.splitlines()
    assert [f"{source}:{n}: error:" for n in (3, 4, 5)] == [e[: len(f"{source}:3: error:")]
                                                          for e in errors]
    assert "reposted" in errors[1]


def test_standard_input_is_read_with_a_dash(rules: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import io

    # Like the real one, a text stream over bytes (the records are read as bytes).
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(
        io.BytesIO(b'{"reposted": true}\n{"days": 40}\n'), encoding="utf-8"))
    status = main(["diagnose", "--rules", str(rules), "--jsonl", "-"])
    out = capsys.readouterr().out.splitlines()
    assert (0, 2) == (status, len(out))


@pytest.mark.parametrize("argv", [
    ["diagnose"],
    ["diagnose", "case.yaml", "--jsonl", "in.jsonl"],
    ["diagnose", "case.yaml", "--workers", "2"],
    ["diagnose", "--jsonl", "in.jsonl", "--workers", "0"],
])
def test_usage_mistakes_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert 2 == info.value.code


def test_a_progress_bar_is_drawn_when_stderr_is_a_terminal(rules: Path, tmp_path: Path) -> None:
    source = _write_cases(tmp_path / "in.jsonl", [json.dumps(c) for c in CASES * 25])
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = pexpect.spawn(sys.executable, ["-m", "rejection_diagnosis", "diagnose", "--rules",
                                           str(rules), "--jsonl", str(source), "-o", str(out)],
                          env=env, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert 0 == child.exitstatus
    assert "100/100" in child.before
    assert "cases/s" in child.before
    assert "ETA 0:00" in child.before
    assert 100 == len(out.read_text(encoding="utf-8").splitlines())
