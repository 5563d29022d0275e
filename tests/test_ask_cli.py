"""``rejection-diagnosis ask`` through a real pseudo-terminal (pexpect), and its replay mode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis.cli import main

SRC = str(Path(rd.__file__).resolve().parents[1])


@pytest.fixture
def rules(write_rules):
    return write_rules(TINY, "tiny.yaml")


def _spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(sys.executable, ["-m", "rejection_diagnosis", "ask", *args], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, 200))
    return child


def _finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.exitstatus


def test_a_whole_consultation_with_why_how_back_and_dont_know(rules, tmp_path):
    saved = tmp_path / "case.yaml"
    child = _spawn("--rules", str(rules), "--save", str(saved))
    child.expect_exact("Leading causes: none yet.")
    child.expect_exact("1. What did the feedback say? [none / skills / culture]")
    child.expect_exact("> ")
    child.sendline("maybe")
    child.expect_exact("'maybe' is not one of the answers; answer one of none, skills, culture")
    child.expect_exact("> ")
    child.sendline("why")
    child.expect_exact("Why ask about feedback? It could make fit the leading cause.")
    child.expect_exact("rule culture-fit")
    child.expect_exact("> ")
    child.sendline("how fit")
    child.expect_exact("No rule spoke about it")
    child.sendline("how fitt")
    child.expect_exact("unknown cause 'fitt' (did you mean 'fit'?)")
    child.sendline("back")
    child.expect_exact("There is no previous answer to change.")
    child.sendline("?")
    child.expect_exact("2. Did the ad go back up? [yes / no]")
    child.sendline("no 0.9")
    child.expect_exact("3. How many days? [a number from 0 to 365 (days)]")
    child.sendline("back")
    child.expect_exact("Going back to: Did the ad go back up?")
    child.expect_exact("2. Did the ad go back up? [yes / no]")
    child.sendline("no")
    child.expect_exact("3. How many days?")
    child.sendline("thirty")
    child.expect_exact("'thirty' is not a number; answer a number from 0 to 365 (days)")
    child.sendline("30")
    child.expect_exact("Leading causes: budget (0.40)")
    child.expect_exact("No remaining question could change the leading causes.")
    child.expect_exact("Saved the case to")
    child.expect_exact("1. Budget [budget] certainty 0.40")
    assert 0 == _finish(child)
    assert "Traceback" not in (child.before or "")
    assert "days: 30\nreposted: false\n" in saved.read_text()


def test_saved_case_diagnoses_the_same(rules, tmp_path, capsys):
    saved = tmp_path / "case.yaml"
    child = _spawn("--rules", str(rules), "--save", str(saved))
    child.expect_exact("> ")
    child.sendline("culture 0.5")
    child.expect_exact("Leading causes: fit (0.35)")
    child.expect_exact("2. Did the ad go back up? [yes / no]")
    child.sendline("yes 50%")
    child.expect_exact("Leading causes: fit (0.51)")
    assert 0 == _finish(child)
    assert ("feedback:\n  certainty: 0.5\n  value: culture\n"
            "reposted:\n  certainty: 0.5\n  value: true\n") in saved.read_text()
    assert 0 == main(["diagnose", str(saved), "--rules", str(rules), "--detail"])
    assert "1. Fit [fit] certainty 0.51" in capsys.readouterr().out


def test_quit_ends_with_the_diagnosis_so_far(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendline("quit")
    child.expect_exact("Insufficient evidence")
    child.expect_exact("1. Ask for feedback [ask]")
    assert 0 == _finish(child)


def test_end_of_input_is_a_quit_not_a_traceback(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendeof()
    child.expect_exact("Insufficient evidence")
    assert 0 == _finish(child)
    assert "Traceback" not in (child.before or "")


def test_help_lists_the_commands(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendline("help")
    child.expect_exact("how CAUSE")
    child.expect_exact("> ")
    child.sendline("quit")
    assert 0 == _finish(child)


# Replay (no terminal needed) ------------------------------------------------------------------


def test_answers_file_replays_and_absent_ids_are_dont_know(rules, tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("reposted: false\ndays: 30\n")
    assert 0 == main(["ask", "--rules", str(rules), "--answers", str(answers)])
    out = capsys.readouterr().out
    assert "What did the feedback say?\n  > don't know\nDid the ad go back up?\n  > no\n" in out
    assert "Asked 3 questions." in out
    assert "1. Budget [budget] certainty 0.40" in out


def test_answers_file_with_a_bad_value_is_one_located_error_line(rules, tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("reposted: maybe\n")
    assert 1 == main(["ask", "--rules", str(rules), "--answers", str(answers)])
    err = capsys.readouterr().err
    assert [f"{answers}: error: observation 'reposted' must be true or false, got 'maybe' "
            "(str) [answers]"] == err.splitlines()


def test_lead_below_one_is_refused(rules, capsys):
    assert 1 == main(["ask", "--rules", str(rules), "--lead", "0"])
    assert "--lead must be at least 1" in capsys.readouterr().err
