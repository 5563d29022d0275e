"""First contact with the command line: help, version, usage errors, case files, templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

import rejection_diagnosis as rd
from rejection_diagnosis.cli import build_parser, main
from rejection_diagnosis.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int | str | None, str, str]:
    try:
        status: int | str | None = main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flags_print_the_installed_version(capsys, flag):
    assert (0, f"rejection-diagnosis {rd.__version__}\n", "") == _run(capsys, flag)


def test_the_bare_command_prints_help(capsys):
    status, out, _ = _run(capsys)
    assert 0 == status
    assert out.startswith("usage: rejection-diagnosis")
    assert "diagnose" in out and "example:" in out


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_every_help_ends_with_an_example(name):
    parser = build_parser()
    if name is not None:
        sub = next(a for a in parser._actions if a.dest == "command")
        parser = sub.choices[name]  # type: ignore[attr-defined]
    lines = parser.format_help().rstrip().splitlines()
    example = lines.index("example:")
    assert example > 0 and all(line.startswith("  rejection-diagnosis ")
                               for line in lines[example + 1:])


@pytest.mark.parametrize("value", ["2", "0", "-0.1", "nan", "inf", "lots"])
@pytest.mark.parametrize("command", ["diagnose", "explain"])
def test_a_bad_threshold_is_a_usage_error(capsys, command, value):
    status, _, err = _run(capsys, command, "case.yaml", "--threshold", value)
    assert 2 == status
    assert "argument --threshold: must be a number greater than 0 and at most 1" in err


def test_every_problem_of_a_case_file_is_located_at_once(tmp_path, capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("reposed: true\ndays: 400\nfeedback: rude\ndays: 3\n")
    status, out, err = _run(capsys, "diagnose", str(case), "--rules", str(rules))
    assert (1, "") == (status, out)
    assert [
        f"{case}:1:1: error: unknown observation 'reposed' (did you mean 'reposted'?); "
        "`rejection-diagnosis show observations` lists them [case-unknown-observation]",
        f"{case}:2:7: error: observation 'days' must be a number from 0 to 365 (days), "
        "got 400 (int) [case-value]",
        f"{case}:3:11: error: observation 'feedback' must be one of 'none', 'skills', "
        "'culture', got 'rude' (str) [case-value]",
    ] == err.splitlines()[:3]
    assert err.splitlines()[3].startswith(f"{case}:4:1: error: duplicate key 'days'")


def test_case_problems_inside_an_observations_envelope_are_located(tmp_path, capsys,
                                                                   write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    case = tmp_path / "story.yaml"
    case.write_text("name: x\nobservations:\n  reposted: maybe\n")
    status, _, err = _run(capsys, "explain", str(case), "--rules", str(rules))
    assert 1 == status
    assert err.startswith(f"{case}:3:13: error: observation 'reposted' must be true or false")


@pytest.mark.parametrize("command", [["diagnose", "--detail"], ["explain"]])
def test_detail_shows_rule_locations_relative_to_the_rules_folder(tmp_path, capsys, command):
    case = tmp_path / "case.yaml"
    case.write_text("posting_reposted: true\n")
    status, out, _ = _run(capsys, command[0], str(case), *command[1:])
    assert 0 == status
    assert "(rules/causes.yaml:" in out
    assert str(rd.bundled_rules_path()) not in out


def test_json_certainties_are_rounded_and_exact_on_request(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("posting_reposted: true\ndecision_slower_than_promised: true\n"
                    "interview_felt_great: true\nrejection_format: generic_email\n")
    _, out, _ = _run(capsys, "diagnose", str(case), "--format", "json")
    _, exact, _ = _run(capsys, "diagnose", str(case), "--format", "json", "--exact")

    def certainties(data: object) -> list[float]:
        found: list[float] = []
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, float) and key != "value":
                    found.append(value)
                else:
                    found.extend(certainties(value))
        elif isinstance(data, list):
            for item in data:
                found.extend(certainties(item))
        return found

    rounded, unrounded = certainties(json.loads(out)), certainties(json.loads(exact))
    assert rounded and all(round(c, 4) == c for c in rounded)
    assert [round(c, 4) + 0.0 for c in unrounded] == rounded
    assert any(round(c, 4) != c for c in unrounded), "the case should show float noise"


def test_show_observations_lists_each_ones_allowed_answers(capsys, write_rules):
    from tests.conftest import TINY

    rules = write_rules(TINY, "tiny.yaml")
    status, out, _ = _run(capsys, "show", "observations", "--rules", str(rules))
    assert 0 == status
    assert ("feedback (category): What did the feedback say?\n"
            "    answer: one of 'none', 'skills', 'culture'\n") in out
    assert "days (number): How many days?\n    answer: a number from 0 to 365 (days)\n" in out


def test_the_yaml_template_is_a_case_to_fill_in(tmp_path, capsys):
    status, out, _ = _run(capsys, "show", "observations", "--format", "yaml")
    assert 0 == status
    kb = rd.load_rules()
    assert yaml.safe_load(out) is None  # everything starts commented out
    filled = "\n".join(line[1:] if line.startswith("#") and ": " in line
                       and line[1:].split(":")[0] in kb.observations else line
                       for line in out.splitlines())
    case = yaml.safe_load(filled)
    assert sorted(kb.observations) == sorted(case)
    # Every example answer is valid (checked without the engine: a case that answers every
    # observation at once is a separate matter, the engine's 64-node stack, defect D1, fixed separately).
    assert [] == [e.message for e in Draft202012Validator(kb.case_schema()).iter_errors(case)]
    from rejection_diagnosis.observations import normalize

    assert sorted(case) == sorted(normalize(kb.observations, case))
    path = tmp_path / "case.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in list(case.items())[:12]))
    assert 0 == _run(capsys, "diagnose", str(path))[0]


def test_yaml_format_goes_only_with_observations(capsys):
    status, _, err = _run(capsys, "show", "causes", "--format", "yaml")
    assert 2 == status
    assert "--format yaml goes with 'show observations'" in err


def test_show_case_schema_prints_the_knowledge_bases_case_schema(capsys):
    status, out, _ = _run(capsys, "show", "case-schema")
    assert 0 == status
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert rd.load_rules().case_schema() == schema


def test_python_dash_m_bare_prints_help():
    done = subprocess.run([sys.executable, "-m", "rejection_diagnosis"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert (0, "") == (done.returncode, done.stderr)
    assert done.stdout.startswith("usage: rejection-diagnosis")
