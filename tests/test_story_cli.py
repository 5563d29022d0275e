"""``rejection-diagnosis diagnose --story``: what was read first, then the diagnosis."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import yaml

from rejection_diagnosis.cli import main

RULES = str(Path(__file__).parent / "story" / "rules.yaml")
STORY = "They never called my references. I think someone inside applied. The ad went back up.\n"


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_diagnose_a_story_shows_what_was_read_first(story, capsys):
    status, out, _ = run(["diagnose", "--rules", RULES, "--story", str(story)], capsys)
    assert 0 == status
    first, rest = out.split("\n", 1)
    assert "From your story (3 observations read):" == first
    assert ('  - The same job ad went back up after you were turned down ("ad went back up"): '
            "posting_reposted = yes") in rest
    assert ('  - not so: your references were actually contacted ("never called my '
            'references"): references_contacted = no') in rest
    assert "(certainty 0.70, hedged by 'i think')" in rest
    assert "--show-reading" in rest
    assert "(The rules behind this and their arithmetic: add --detail.)" in rest


def test_show_reading_prints_a_case_file_to_correct(story, capsys):
    status, out, _ = run(["diagnose", "--rules", RULES, "--story", str(story),
                          "--show-reading"], capsys)
    assert 0 == status
    assert {"references_contacted": False, "posting_reposted": True,
            "internal_candidate_mentioned": {"value": True, "certainty": 0.7}} == yaml.safe_load(out)
    assert '# "never called my references"' in out


def test_a_case_file_given_with_the_story_corrects_the_reading(story, tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("posting_reposted: false\n", encoding="utf-8")
    status, out, _ = run(["diagnose", str(case), "--rules", RULES, "--story", str(story),
                          "--format", "json"], capsys)
    assert 0 == status
    data = json.loads(out)
    assert {"posting_reposted": False} == data["corrections"]
    assert {"value": False, "certainty": 1.0} == data["diagnosis"]["observations"][
        "posting_reposted"]
    assert data["reading"]["observations"]["posting_reposted"] is True


def test_a_story_from_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(STORY.encode())))
    status, out, _ = run(["diagnose", "--rules", RULES, "--story", "-", "--show-reading"],
                         capsys)
    assert 0 == status
    assert "posting_reposted: true" in out


def test_a_story_that_reads_nothing_says_so_and_still_diagnoses(tmp_path, capsys):
    path = tmp_path / "story.txt"
    path.write_text("I loved the office.", encoding="utf-8")
    status, out, _ = run(["diagnose", "--rules", RULES, "--story", str(path)], capsys)
    assert 0 == status
    assert out.startswith("From your story: nothing the rules know about was read.\n"
                          "Nothing was read from:\n  - \"I loved the office.\"\n")


@pytest.mark.parametrize(("content", "message"), [
    (b"The ad went back up. " * 50_000, "at most 100,000"),
    (bytes(range(256)) * 10, "does not look like text"),
])
def test_a_story_that_cannot_be_read_is_a_clear_error(tmp_path, capsys, content, message):
    path = tmp_path / "story.txt"
    path.write_bytes(content)
    status, _, err = run(["diagnose", "--rules", RULES, "--story", str(path)], capsys)
    assert 1 == status
    assert err.startswith("rejection-diagnosis: error: the story was not read: ")
    assert message in err


def test_a_missing_story_file_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diagnose", "--rules", RULES, "--story", str(tmp_path / "nope.txt")])
    assert 2 == exc.value.code
    assert "cannot read story" in capsys.readouterr().err


def test_show_reading_needs_a_story(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diagnose", "--show-reading"])
    assert 2 == exc.value.code
