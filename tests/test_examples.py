"""Every example script and the README's diagnose command run as a newcomer would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rejection_diagnosis as rd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # The package as this test imports it (installed, or built in place by an editable install).
    env = dict(os.environ, PYTHONPATH=str(Path(rd.__file__).parent.parent))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_cleanly(script):
    result = run(str(script))
    assert (0, "") == (result.returncode, result.stderr)


def test_quickstart_names_the_internal_candidate():
    assert "Most likely: An internal candidate was preferred" in run("examples/quickstart.py").stdout


def test_web_form_example_converts_strings_and_reports_bad_fields():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import embed_web_form
    finally:
        sys.path.pop(0)
    ok = json.loads(embed_web_form.diagnose_form({"internal_candidate_mentioned": "Yes",
                                                  "days_to_rejection": ""}))
    bad = json.loads(embed_web_form.diagnose_form({"days_to_rejection": "soon"}))
    assert "internal_candidate" == ok["causes"][0]["id"]
    assert "days_to_rejection" == bad["field"]


def test_custom_rule_set_example_passes_its_own_scenarios():
    out = run("examples/custom_rule_set.py").stdout
    assert ["ok   agency-fee-came-up", "ok   applied-directly"] == [
        line for line in out.splitlines() if line.startswith(("ok", "FAIL"))]


def test_readme_case_file_diagnoses_from_the_command_line():
    result = run("-m", "rejection_diagnosis", "diagnose", "examples/cases/reposted.yaml",
                 "--format", "json")
    assert 0 == result.returncode, result.stderr
    assert json.loads(result.stdout)["causes"], "the README's example case finds a cause"
