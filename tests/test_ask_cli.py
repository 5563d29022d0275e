"""``rejection-diagnosis ask`` through a real pseudo-terminal (pexpect), and its replay mode."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis.cli import main

SRC = str(Path(rd.__file__).resolve().parents[1])


@pytest.fixture
def rules(write_rules):
    return write_rules(TINY, "tiny.yaml")


def _spawn(*args: str, cwd: Path | None = None) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(sys.executable, ["-m", "rejection_diagnosis", "ask", *args], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, 200),
                          cwd=str(cwd) if cwd else None)
    child.logfile_read = io.StringIO()  # everything it printed, for the whole-output checks
    return child


def _printed(child: pexpect.spawn) -> str:
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    return log.getvalue().replace("\r\n", "\n")


def _finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.exitstatus


def test_a_whole_consultation_with_why_how_back_and_dont_know(rules, tmp_path):
    saved = tmp_path / "case.yaml"
    child = _spawn("--rules", str(rules), "--save", str(saved))
    child.expect_exact("Most likely so far: nothing stands out yet.")
    child.expect_exact("1. What did the feedback say? [none / skills / culture]")
    child.expect_exact("> ")
    child.sendline("maybe")
    child.expect_exact("'maybe' is not one of the answers; answer one of none, skills, culture")
    # The question is shown again after a bad answer, after why and after how.
    child.expect_exact("1. What did the feedback say? [none / skills / culture]")
    child.sendline("why")
    child.expect_exact("This answer could make 'Fit' the leading cause.")
    child.expect_exact("- They said so. (towards: Fit)")
    child.expect_exact("1. What did the feedback say?")
    child.sendline("how fit")
    child.expect_exact("Fit: nothing you said points to it or against it yet.")
    child.expect_exact("1. What did the feedback say?")
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
    child.expect_exact("3. How many days?")
    child.sendline("30")
    child.expect_exact("Most likely so far: Budget (0.40)")
    child.expect_exact("No remaining question could change the most likely reason.")
    child.expect_exact("Saved the case to")
    child.expect_exact("1. Budget")
    child.expect_exact("How sure: possible (0.40")
    child.expect_exact("This is settled after 3 questions")
    assert 0 == _finish(child)
    assert "Traceback" not in (child.before or "")
    assert "days: 30\nreposted: false\n" in saved.read_text()


def test_no_printed_line_shows_a_cause_id(rules, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("reposted: false\ndays: 30\n")
    child = _spawn("--rules", str(rules), "--case", str(case))
    child.expect_exact("1. What did the feedback say?")
    for command in ("why", "causes", "how 1", "why not fit"):
        child.sendline(command)
        child.expect_exact("1. What did the feedback say?")
    child.sendline("quit")
    child.expect_exact("1. Budget")
    assert 0 == _finish(child)
    text = _printed(child)
    assert "Budget: how sure 0.40" in text
    assert "Fit is not likely enough to report" in text
    shown = [line for line in text.splitlines() if not line.startswith(">")]
    assert [] == [line for line in shown if {"fit", "budget"} & set(line.split())]


def test_saved_case_diagnoses_the_same(rules, tmp_path, capsys):
    saved = tmp_path / "case.yaml"
    child = _spawn("--rules", str(rules), "--save", str(saved), "--stop", "guaranteed")
    child.expect_exact("> ")
    child.sendline("culture 0.5")
    child.expect_exact("Most likely so far: Fit (0.35)")
    child.expect_exact("2. Did the ad go back up? [yes / no]")
    child.sendline("yes 50%")
    child.expect_exact("Most likely so far: Fit (0.51)")
    assert 0 == _finish(child)
    assert ("feedback:\n  certainty: 0.5\n  value: culture\n"
            "reposted:\n  certainty: 0.5\n  value: true\n") in saved.read_text()
    assert 0 == main(["diagnose", str(saved), "--rules", str(rules), "--detail"])
    assert "1. Fit [fit] certainty 0.51" in capsys.readouterr().out


def test_quit_ends_with_the_plain_result_so_far(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendline("quit")
    child.expect_exact("does not point clearly to any one cause")
    child.expect_exact("What can help now")
    child.expect_exact("1. Ask for feedback")
    assert 0 == _finish(child)


def test_end_of_input_is_a_quit_not_a_traceback(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendeof()
    child.expect_exact("does not point clearly to any one cause")
    assert 0 == _finish(child)
    assert "Traceback" not in (child.before or "")


def test_help_lists_the_commands_and_asks_again(rules):
    child = _spawn("--rules", str(rules))
    child.expect_exact("> ")
    child.sendline("help")
    child.expect_exact("how N / how CAUSE")
    child.expect_exact("1. What did the feedback say?")
    child.expect_exact("> ")
    child.sendline("quit")
    assert 0 == _finish(child)


def test_the_budget_ends_the_consultation_and_says_what_would_move_it_most(rules):
    child = _spawn("--rules", str(rules), "--max-questions", "1")
    child.expect_exact("> ")
    child.sendline("?")
    child.expect_exact("That was the last question of this consultation.")
    child.expect_exact("The question that would tell most:")
    child.expect_exact("Did the ad go back up?")
    child.expect_exact("How settled, after 1 question:")
    assert 0 == _finish(child)


def test_ctrl_c_keeps_the_answers_and_resume_goes_on_from_them(rules, tmp_path):
    progress = tmp_path / "progress.yaml"
    child = _spawn("--rules", str(rules), "--progress", str(progress))
    child.expect_exact("> ")
    child.sendline("?")
    child.expect_exact("2. Did the ad go back up?")
    child.expect_exact("> ")
    child.kill(signal.SIGINT)
    child.expect_exact("Your answers are kept in")
    assert 130 == _finish(child)
    assert {"observations": {}, "dont_know": ["feedback"], "asked": 1} == yaml.safe_load(
        progress.read_text())
    child = _spawn("--rules", str(rules), "--resume", str(progress))
    # The numbering goes on, and what was answered is not asked again.
    child.expect_exact("2. Did the ad go back up? [yes / no]")
    child.sendline("quit")
    assert 0 == _finish(child)


def test_a_case_file_is_a_starting_point(rules, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("days: 30\nreposted: false\n")
    child = _spawn("--rules", str(rules), "--case", str(case), "--stop", "guaranteed")
    child.expect_exact("Most likely so far: Budget (0.40)")
    child.expect_exact("1. What did the feedback say?")
    child.sendline("quit")
    assert 0 == _finish(child)


def test_a_checklist_is_one_question_with_ticks_and_denials():
    child = _spawn("--max-questions", "1")
    child.expect_exact("1. Which of these")
    child.expect_exact("   1) ")
    child.expect_exact("> ")
    child.sendline("1 eleventy")
    child.expect_exact("'eleventy' is not one of the items")
    child.expect_exact("1. Which of these")
    child.expect_exact("> ")
    child.sendline("1 not 2")
    child.expect_exact("That was the last question of this consultation.")
    child.expect_exact("after 1 question")
    assert 0 == _finish(child)


HOW_TOLD = """
version: 1
observations:
  - {id: how_told, type: category, values: [form_email, phone_call], description: How.,
     question: 'How did they tell you?'}
causes:
  - {id: quick, title: A quick no, description: They decided fast.}
rules:
  - id: form-quick
    when: {how_told: form_email}
    then: {cause: quick, certainty: 0.5}
    because: A form email is a quick no.
"""


def test_answer_words_as_printed_are_accepted(write_rules):
    child = _spawn("--rules", str(write_rules(HOW_TOLD, "told.yaml")))
    child.expect_exact("1. How did they tell you? [form email / phone call]")
    child.sendline("form email")
    child.expect_exact("1. A quick no")
    assert 0 == _finish(child)


def test_json_format_drives_the_consultation_line_by_line(rules):
    child = _spawn("--rules", str(rules), "--format", "json", "--stop", "guaranteed")
    child.expect_exact('"event": "question"')
    child.expect_exact("\n")
    child.sendline("maybe")
    child.expect_exact('"event": "error"')
    child.sendline("culture")
    child.sendline("no")
    child.sendline("?")
    child.expect_exact('"event": "result"')
    assert 0 == _finish(child)
    events = [json.loads(line) for line in _printed(child).splitlines()
              if line.startswith("{")]
    assert "fit" == events[-1]["diagnosis"]["causes"][0]["id"]


# Replay (no terminal needed) ------------------------------------------------------------------


def test_answers_file_replays_and_absent_ids_are_dont_know(rules, tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("reposted: false\ndays: 30\n")
    assert 0 == main(["ask", "--rules", str(rules), "--answers", str(answers)])
    out = capsys.readouterr().out
    assert "What did the feedback say?\n  > don't know\nDid the ad go back up?\n  > no\n" in out
    assert "Asked 3 questions." in out
    assert "1. Budget\n   How sure: possible (0.40" in out


def test_answers_file_with_json_format_gives_the_result_as_data(rules, tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text("reposted: false\ndays: 30\n")
    assert 0 == main(["ask", "--rules", str(rules), "--answers", str(answers),
                      "--format", "json"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    result = events[-1]
    assert ("result", {"days": 30, "reposted": False}, ["feedback"], True) == (
        result["event"], result["case"], result["dont_know"], result["status"]["guaranteed"])


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


def test_a_story_is_a_starting_point_when_the_knowledge_base_reads_stories(tmp_path, capsys):
    if not hasattr(rd.KnowledgeBase, "read_story"):
        pytest.skip("this version reads no stories")
    story = tmp_path / "story.txt"
    story.write_text("The ad went back up a week later and they never replied.")
    answers = tmp_path / "answers.yaml"
    answers.write_text("{}\n")
    assert 0 == main(["ask", "--story", str(story), "--answers", str(answers),
                      "--format", "json"])
    result = [json.loads(line) for line in capsys.readouterr().out.splitlines()][-1]
    assert result["case"]["posting_reposted"] is True


def test_a_story_without_a_story_reader_is_a_usage_error(rules, tmp_path, capsys):
    story = tmp_path / "story.txt"
    story.write_text("They reposted the ad.")
    if hasattr(rd.KnowledgeBase, "read_story"):
        pytest.skip("this version reads stories")
    with pytest.raises(SystemExit) as info:
        main(["ask", "--rules", str(rules), "--story", str(story)])
    assert 2 == info.value.code
    assert "cannot read stories yet" in capsys.readouterr().err
