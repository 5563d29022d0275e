"""The diagnose command: formats, exit statuses and error lines (never a traceback)."""

from __future__ import annotations

import json

import pytest

from rejection_diagnosis.cli import main


def test_diagnose_prints_text_by_default(tmp_path, capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("reposted: true\n")
    assert 0 == main(["diagnose", str(case), "--rules", str(rules)])
    out = capsys.readouterr().out
    assert "1. Fit\n   How sure: likely (0.50 on a scale from 0 to 1)\n" in out
    assert "[fit]" not in out


def test_diagnose_detail_is_the_authors_view(tmp_path, capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("reposted: true\n")
    assert 0 == main(["diagnose", str(case), "--rules", str(rules), "--detail"])
    assert "1. Fit [fit] certainty 0.50" in capsys.readouterr().out


def test_diagnose_json_case_file_and_json_output(tmp_path, capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"observations": {"feedback": "culture"}}))
    assert 0 == main(["diagnose", str(case), "--rules", str(rules), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert ["fit"] == [c["id"] for c in data["causes"]]


def test_unknown_observation_is_one_error_line_with_exit_1(tmp_path, capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("repost: true\n")
    assert 1 == main(["diagnose", str(case), "--rules", str(rules)])
    err = capsys.readouterr().err
    assert [f"{case}:1:1: error: unknown observation 'repost' (did you mean 'reposted'?); "
            "`rejection-diagnosis show observations` lists them [case-unknown-observation]"
            ] == err.splitlines()


def test_bad_rule_file_reports_located_problems(tmp_path, capsys, write_rules):
    rules = write_rules("rules:\n  - id: x\n    when: {a: true}\n", "bad.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("{}\n")
    assert 1 == main(["diagnose", str(case), "--rules", str(rules)])
    assert f"{rules}:2:5: error:" in capsys.readouterr().err


def test_missing_case_file_is_reported(capsys):
    assert 1 == main(["diagnose", "no/such/case.yaml"])
    err = capsys.readouterr().err
    assert "no/such/case.yaml: error: cannot read case file: No such file or directory" in err
    assert ":0:0:" not in err


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as info:
        main(["diagnose"])
    assert 2 == info.value.code


def test_empty_case_file_says_it_is_a_case_file(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("")
    assert 1 == main(["diagnose", str(case)])
    assert "case file is empty; write one observation a line" in capsys.readouterr().err
