"""CI's short run of the soak script (benchmarks/soak.py --quick): correctness only.

The full run and its figures are documented in docs/robustness.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import rejection_diagnosis as rd

ROOT = Path(__file__).parent.parent


def test_quick_soak_runs_every_phase_without_a_crash_or_a_wrong_result():
    src = str(Path(rd.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--quick"],
        capture_output=True, text=True, env=env, check=False, timeout=600,
    )
    lines = done.stdout.splitlines()
    assert 0 == done.returncode, done.stdout + done.stderr
    assert ["crashes: 0", "result: ok"] == lines[-2:]
    assert 4 == sum(1 for line in lines if ": ok in " in line)
