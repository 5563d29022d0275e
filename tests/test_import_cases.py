"""eval/tools/import_cases.py: mapped case files joined with a labels file on the id."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.eval_tools import load_tool

import rejection_diagnosis as rd

ROOT = Path(__file__).resolve().parent.parent
tool = load_tool("import_cases")

LABELS = """
meta: {count: 3}
cases:
  - id: case-01
    source: {url: 'https://example.org/1', title: One, also: 'https://example.org/1b'}
    story: The ad went back up.
    observations: [the ad went back up]
    candidate_state: [upset]
    revealed_cause: budget_constraints
    secondary_causes: [role_changed]
    revealed_detail: A freeze.
    confidence_in_label: high
  - id: case-02
    source: {url: 'https://example.org/2', title: Two}
    story: Nothing was said.
    revealed_cause: fit_mismatch
    secondary_causes: []
    confidence_in_label: low
  - id: case-03
    source: {url: 'https://example.org/3', title: Three}
    story: Not mapped.
    revealed_cause: fit_mismatch
    confidence_in_label: medium
"""


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path]:
    mapped = tmp_path / "mapped"
    mapped.mkdir()
    (mapped / "case-01.yaml").write_text(
        "# case-01\nposting_reposted: true   # \"the ad went back up\"\n"
        "interview_felt_great: {value: true, certainty: 0.8}\n")
    (mapped / "case-02.yaml").write_text("# case-02\n{}\n# nothing the candidate could say\n")
    labels = tmp_path / "labels.yaml"
    labels.write_text(textwrap.dedent(LABELS))
    return mapped, labels


def test_cases_are_joined_on_the_id_keeping_the_readers_comments(inputs, tmp_path, capsys):
    mapped, labels = inputs
    out = tmp_path / "out.yaml"
    assert 0 == tool.main([str(mapped), str(labels), "--split", "dev", "-o", str(out)])
    assert "label 'case-03' has no case file" in capsys.readouterr().err
    text = out.read_text()
    assert '    posting_reposted: true   # "the ad went back up"' in text
    one, two = rd.load_cases(out)
    assert ("case-01", "budget_constraints", ("role_changed",), "high", "dev") == (
        one.id, one.cause, one.secondary, one.confidence, one.split)
    assert {"posting_reposted": True,
            "interview_felt_great": {"value": True, "certainty": 0.8}} == one.observations
    assert ("https://example.org/1b", "The ad went back up.", "A freeze.") == (
        one.source.also, one.story, one.revealed)
    assert ({}, "low") == (two.observations, two.confidence)


def test_blind_story_is_what_the_candidate_saw(inputs, tmp_path):
    mapped, labels = inputs
    out = tmp_path / "out.yaml"
    assert 0 == tool.main([str(mapped), str(labels), "--blind-story", "-o", str(out)])
    one, two = rd.load_cases(out)
    assert ("the ad went back up\nupset", None) == (one.story, one.split)
    assert "" == two.story


def test_a_mapped_file_without_a_label_stops_the_tool(inputs, tmp_path):
    mapped, labels = inputs
    (mapped / "case-09.yaml").write_text("posting_reposted: true\n")
    with pytest.raises(SystemExit, match="no label with id 'case-09'"):
        tool.main([str(mapped), str(labels), "-o", str(tmp_path / "out.yaml")])
