"""The authoring commands: validate, test, explain, show (exit codes and output)."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import TINY
from rejection_diagnosis.cli import main

SCENARIOS = """
scenarios:
  - name: reposted
    observations: {reposted: true}
    expect: {top_cause: fit, causes_exclude: [budget]}
  - name: slow-without-repost
    observations: {days: 30, reposted: false}
    expect: {top_cause: budget, certainty: {budget: [0.3, 0.5]}}
  - name: nothing-known
    observations: {}
    expect: {insufficient_evidence: true, top_coping: ask}
"""


@pytest.fixture
def rules(write_rules):
    return write_rules(TINY, "tiny.yaml")


@pytest.fixture
def scenarios(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(textwrap.dedent(SCENARIOS), encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


class TestValidate:
    def test_clean_rules_exit_0(self, capsys, rules):
        assert (0, "", "no problems found\n") == run(capsys, "validate", rules)

    def test_errors_exit_1_with_one_located_line_each(self, capsys, write_rules):
        path = write_rules(TINY.replace("{reposted: true}", "{reposted: 3}", 1))
        status, out, err = run(capsys, "validate", path)
        assert (1, "1 error found\n") == (status, err)
        assert out.startswith(f"{path}:16:22: error: rule 'reposted-fit': 'reposted' is a "
                              "boolean observation")

    def test_warnings_pass_but_fail_with_strict(self, capsys, write_rules):
        path = write_rules(TINY.replace("    because: They said so.\n", ""))
        status, out, _ = run(capsys, "validate", path)
        assert (0, ["missing-because"]) == (status, [line.rsplit("[", 1)[1][:-1]
                                                     for line in out.splitlines()])
        assert ": warning: " in out
        status, out, err = run(capsys, "validate", "--strict", path)
        assert (1, "1 error found\n") == (status, err)
        assert ": error: rule 'culture-fit' has no 'because:'" in out

    def test_json_format_lists_every_field(self, capsys, write_rules):
        path = write_rules(TINY.replace("cause: fit, certainty: 0.5",
                                        "cause: fitt, certainty: 0.5"))
        status, out, _ = run(capsys, "validate", "--format", "json", path)
        data = json.loads(out)
        assert (1, False, 1, 0) == (status, data["ok"], data["errors"], data["warnings"])
        assert {"path": str(path), "line": 17, "column": 19, "severity": "error",
                "code": "unknown-reference", "rule_id": "reposted-fit",
                "yaml_path": "rules[0].then.cause"} == {
            k: v for k, v in data["problems"][0].items() if k != "message"}

    def test_bundled_adds_the_bundled_rules_to_extend_them(self, capsys, write_rules):
        extension = write_rules("""
causes:
  - {id: extra_cause, title: Extra, description: d}
rules:
  - {id: extra, when: {posting_reposted: true}, then: {cause: extra_cause, certainty: 0.3},
     because: b}
""")
        assert 1 == run(capsys, "validate", extension)[0]
        status, out, _ = run(capsys, "validate", "--bundled", extension)
        assert (0, "") == (status, "".join(line for line in out.splitlines(keepends=True)
                                           if "extension" in line or str(extension) in line))

    def test_missing_path_is_a_usage_error(self, capsys, tmp_path):
        status, _, err = run(capsys, "validate", tmp_path / "nope.yaml")
        assert 2 == status
        assert "no such file or folder" in err


class TestTest:
    def test_passing_scenarios_exit_0(self, capsys, rules, scenarios):
        assert (0, "3 scenarios: 3 passed, 0 failed\n", "") == run(
            capsys, "test", "--rules", rules, scenarios)

    def test_full_coverage_passes(self, capsys, rules, scenarios):
        (scenarios / "culture.yaml").write_text(
            "scenarios:\n  - name: culture\n    observations: {feedback: culture}\n"
            "    expect: {top_cause: fit}\n", encoding="utf-8")
        assert (0, "4 scenarios: 4 passed, 0 failed\nrule coverage: 7 of 7 rules fired (100%)\n",
                "") == run(capsys, "test", "--rules", rules, scenarios, "--coverage")

    def test_coverage_lists_the_rules_no_scenario_fires_and_fails(self, capsys, rules, scenarios):
        status, out, _ = run(capsys, "test", "--rules", rules, scenarios, "--coverage")
        assert 1 == status
        assert f"  {rules}:31:5: rule 'culture-fit' is fired by no scenario\n" == \
            out.splitlines(keepends=True)[-1]

    def test_fail_under_relaxes_coverage(self, capsys, rules, scenarios):
        assert 0 == run(capsys, "test", "--rules", rules, scenarios, "--coverage",
                        "--fail-under", "80")[0]

    def test_failure_shows_what_was_expected_and_the_diagnosis_produced(self, capsys, rules,
                                                                        tmp_path):
        path = tmp_path / "wrong.yaml"
        path.write_text("scenarios:\n  - name: wrong\n    observations: {reposted: true}\n"
                        "    expect: {top_cause: budget}\n", encoding="utf-8")
        status, out, _ = run(capsys, "test", "--rules", rules, path)
        assert 1 == status
        assert [f"FAIL {path}:2: wrong",
                "  - top cause: expected budget, got fit (causes: fit 0.50)",
                "  diagnosis produced:",
                "    causes: fit 0.50",
                "    below the threshold: budget -0.60",
                "    coping: none",
                "    next steps: move_on 0.30",
                "1 scenario: 0 passed, 1 failed"] == out.splitlines()

    def test_scenario_naming_unknown_ids_is_a_located_error(self, capsys, rules, tmp_path):
        path = tmp_path / "typo.yaml"
        path.write_text("scenarios:\n  - name: typo\n    observations: {repostd: true}\n"
                        "    expect: {top_cause: fitt}\n", encoding="utf-8")
        status, _, err = run(capsys, "test", "--rules", rules, path)
        assert 1 == status
        assert [f"{path}:3:20: error: scenario 'typo': unknown observation 'repostd' (did you "
                "mean 'reposted'?); see KnowledgeBase.observations for the vocabulary [scenario]",
                f"{path}:4:25: error: scenario 'typo': unknown cause 'fitt' (did you mean "
                "'fit'?) [scenario]"] == err.splitlines()

    def test_default_scenarios_are_next_to_the_rules_folder(self, capsys, write_rules, tmp_path,
                                                            scenarios):
        write_rules(TINY, "tiny.yaml")
        status, out, _ = run(capsys, "test", "--rules", tmp_path)
        assert (0, "3 scenarios: 3 passed, 0 failed\n") == (status, out)

    def test_json_format(self, capsys, rules, scenarios):
        status, out, _ = run(capsys, "test", "--rules", rules, scenarios, "--coverage",
                             "--format", "json")
        data = json.loads(out)
        assert (1, 3, 0, ["culture-fit"]) == (status, data["passed"], data["failed"], [
            r["id"] for r in data["coverage"]["uncovered"]])


class TestExplainAndShow:
    def test_explain_prints_observations_fired_rules_by_layer_and_sums(self, capsys, rules,
                                                                       tmp_path):
        case = tmp_path / "case.yaml"
        case.write_text("reposted: true\nfeedback: culture\n", encoding="utf-8")
        status, out, _ = run(capsys, "explain", case, "--rules", rules)
        assert 0 == status
        assert "Rules that fired (4 of 7), in the order they ran:\n  layer 1\n" in out
        assert "  cause fit: for 0.85, against +0.00 -> +0.85 (reported)\n" in out
        assert out.index("layer 1") < out.index("layer 2") < out.index("Likely causes")

    def test_show_lists_and_items(self, capsys, rules):
        assert (0, "fit: Fit\nbudget: Budget\n", "") == run(capsys, "show", "causes",
                                                            "--rules", rules)
        status, out, _ = run(capsys, "show", "reposted", "--rules", rules)
        assert 0 == status
        assert "  tested by: reposted-fit, reposted-not-budget, slow-budget\n" in out
        status, out, _ = run(capsys, "show", "slow-budget", "--rules", rules, "--format", "json")
        assert {"finding": "slow", "min": 0.2} == json.loads(out)["when"]["all"][0]

    def test_show_unknown_id_suggests_the_closest(self, capsys, rules):
        status, _, err = run(capsys, "show", "budgte", "--rules", rules)
        assert 1 == status
        assert "(did you mean 'budget'?)" in err


def test_bundled_rules_reach_full_rule_coverage_with_their_scenarios(capsys):
    status, out, _ = run(capsys, "test", "--coverage")
    assert (0, "(100%)") == (status, out.splitlines()[-1][-6:])


def test_validate_without_paths_checks_the_bundled_rules_strictly(capsys):
    from rejection_diagnosis.cli import main

    assert 0 == main(["validate", "--strict"])
    assert "no problems found" in capsys.readouterr().err
