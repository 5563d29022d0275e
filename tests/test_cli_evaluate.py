"""The evaluate command: text and JSON reports, the default categories map, exit statuses."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from tests.test_evaluation import CASES, CATEGORIES, RULES

from rejection_diagnosis.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def files(tmp_path, write_rules) -> tuple[str, str, str]:
    rules = write_rules(RULES, "rules.yaml")
    cases = tmp_path / "cases.yaml"
    cases.write_text(textwrap.dedent(CASES), encoding="utf-8")
    categories = tmp_path / "map.yaml"
    categories.write_text("categories:\n" + "".join(f"  {k}: {v}\n" for k, v in
                                                    CATEGORIES.items()), encoding="utf-8")
    return str(rules), str(cases), str(categories)


def test_text_report_has_summary_categories_confusion_and_rules(files, capsys):
    rules, cases, categories = files
    assert 0 == main(["evaluate", cases, "--rules", rules, "--categories", categories])
    out = capsys.readouterr().out
    assert "7 labelled cases; threshold 0.2; categories: " in out
    assert ("all cases              7     3  43%     4  57%     2  29%     3  43%     4  57%"
            "     1  14%") in out
    assert "confidence high        4     2  50%     3  75%     0   0%" in out
    assert "split test             2     1  50%     2 100%     0   0%" in out
    assert "  budget                               3     1     1     33%      100%" in out
    assert "   1 budget                             1   1   1     ." in out
    assert "Rules that most often lifted a wrong cause above the true one:" in out
    assert "r-culture-fit (fit +0.7)" in out


def test_json_report_is_the_evaluations_dict(files, capsys):
    rules, cases, categories = files
    assert 0 == main(["evaluate", cases, "--rules", rules, "--categories", categories,
                      "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert (7, 3, 2) == (data["n"], data["summary"]["reported"]["top1"],
                         data["summary"]["reported"]["no_cause"])
    assert categories == data["categories_map"]
    assert "reported" == data["tier"]


def test_include_possible_scores_the_considered_tier(files, capsys):
    rules, cases, categories = files
    assert 0 == main(["evaluate", cases, "--rules", rules, "--categories", categories,
                      "--format", "json", "--include-possible"])
    data = json.loads(capsys.readouterr().out)
    assert "considered" == data["tier"]
    assert "r-days-stronger" == data["misleading"][0]


def test_threshold_option(files, capsys):
    rules, cases, categories = files
    assert 0 == main(["evaluate", cases, "--rules", rules, "--categories", categories,
                      "--format", "json", "--threshold", "0.05"])
    assert 1 == json.loads(capsys.readouterr().out)["summary"]["reported"]["no_cause"]


def test_custom_rules_without_a_map_score_cause_ids(files, tmp_path, capsys):
    rules, _, _ = files
    cases = tmp_path / "ids.yaml"
    cases.write_text("cases:\n  - {id: a, cause: runner_up, confidence: high, "
                     "source: {url: u, title: t}, observations: {days: 30}}\n")
    assert 0 == main(["evaluate", str(cases), "--rules", rules, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert (1, None) == (data["summary"]["reported"]["top1"], data["categories_map"])


def test_bundled_rules_default_to_the_bundled_map(capsys):
    path = ROOT / "eval" / "cases" / "dev_mapped_1.yaml"
    assert 0 == main(["evaluate", str(path), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["categories_map"].endswith("rules/evaluation/categories.yaml")
    assert "stronger_external_candidate" == data["category_map"]["second_choice"]


def test_a_map_that_leaves_causes_out_warns_on_stderr(files, tmp_path, capsys):
    rules, cases, _ = files
    partial = tmp_path / "partial.yaml"
    partial.write_text("categories:\n  runner_up: other_candidate\n  stronger: other_candidate\n"
                       "  fit: fit\n")
    assert 0 == main(["evaluate", cases, "--rules", rules, "--categories", str(partial)])
    assert (f"{partial}: warning: cause 'budget' is not in the categories map; it is "
            "scored as its own category [categories]") in capsys.readouterr().err


def test_bad_case_file_gives_located_lines_and_exit_1(files, tmp_path, capsys):
    rules, _, categories = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases:\n  - {id: a, cause: fit, confidence: high, source: {url: u, title: t},"
                   " observations: {reposed: true}}\n")
    assert 1 == main(["evaluate", str(bad), "--rules", rules, "--categories", categories])
    err = capsys.readouterr().err
    assert (f"{bad}:2:86: error: case 'a': unknown observation 'reposed' (did you mean "
            "'reposted'?)") in err
    assert "Traceback" not in err


def test_missing_case_file_exits_1_with_a_located_line(files, capsys):
    rules, _, categories = files
    assert 1 == main(["evaluate", "no/such.yaml", "--rules", rules, "--categories", categories])
    assert "no/such.yaml: error: no such file or folder" in capsys.readouterr().err


def test_bad_categories_map_exits_1(files, tmp_path, capsys):
    rules, cases, _ = files
    bad = tmp_path / "map.yaml"
    bad.write_text("fit: fit\n")
    assert 1 == main(["evaluate", cases, "--rules", rules, "--categories", str(bad)])
    assert f"{bad}:1:1: error: a categories map is a mapping" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [
    ["--threshold", "0"],
    ["--threshold", "nan"],
    ["--top", "-1"],
    ["--categories", "x.yaml", "--no-categories"],
    ["--format", "xml"],
])
def test_usage_errors_exit_2(files, extra, capsys):
    rules, cases, _ = files
    with pytest.raises(SystemExit) as info:
        main(["evaluate", cases, "--rules", rules, *extra])
    assert 2 == info.value.code
    assert "Traceback" not in capsys.readouterr().err


def test_no_cases_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["evaluate"])
    assert 2 == info.value.code


def test_the_repositorys_dev_files_get_a_row_each(capsys):
    assert 0 == main(["evaluate", str(ROOT / "eval" / "cases")])
    out = capsys.readouterr().out
    assert "806 labelled cases" in out
    assert "dev_mapped_1.yaml     71" in out and "dev_mapped_2.yaml     71" in out
    assert "dev_v7.yaml          166" in out
    assert "dev_v7_fresh.yaml    166" in out
    assert "dev_v7_grouped.yaml  166" in out
    assert "dev_v7_fresh_clean…  166" in out
