"""The web benchmark's short mode runs: the real server starts and answers (no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "web.py"


def test_quick_web_benchmark_serves_diagnoses() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--connections", "1", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert (0, "") == (done.returncode, done.stderr)
    assert "POST /api/diagnose, 1 worker, 2 connections" in done.stdout
