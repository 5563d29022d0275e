"""The benchmark's short mode: the library and both floors agree (no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_quick_benchmark_finds_library_and_floors_in_agreement() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                          text=True, env=env, timeout=600)
    assert (0, "") == (done.returncode, done.stderr)
    assert "All answers agreed" in done.stdout
    assert "synthetic 300" in done.stdout
