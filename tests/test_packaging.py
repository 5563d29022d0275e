"""The wheel carries the bundled rules, their scenarios, the schema and py.typed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rules_scenarios_schema_and_type_marker(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("rejection_diagnosis-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {p.name for p in (ROOT / "src/rejection_diagnosis/rules").glob("*.yaml")}
    scenarios = {p.name for p in (ROOT / "src/rejection_diagnosis/rules/scenarios").glob("*.yaml")}
    assert rules and scenarios
    assert set() == {f"rejection_diagnosis/rules/{n}" for n in rules} - names
    assert set() == {f"rejection_diagnosis/rules/scenarios/{n}" for n in scenarios} - names
    assert {"rejection_diagnosis/py.typed",
            "rejection_diagnosis/schema/ruleset.schema.json",
            "rejection_diagnosis/schema/cases.schema.json",
            "rejection_diagnosis/rules/evaluation/categories.yaml"} <= names
    # The labelled cases are a folder of the repository, not package data.
    assert [] == [n for n in names if n.startswith("eval/") or "/eval/" in n]
