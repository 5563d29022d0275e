"""examples/distributed_dask.py runs locally and diagnoses every case."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "distributed_dask.py"


def test_dask_example_diagnoses_every_case_on_local_processes() -> None:
    pytest.importorskip("dask.bag")  # installed by the `dev` extra (what CI installs)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert 0 == done.returncode, done.stderr
    counts = [int(line.split()[0]) for line in done.stdout.splitlines()]
    assert 400 == sum(counts)


def test_without_dask_the_example_says_which_extra_to_install() -> None:
    hide_dask = ("import runpy, sys; sys.modules['dask'] = None; "
                 f"runpy.run_path({str(EXAMPLE)!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", hide_dask], capture_output=True, text=True,
                          timeout=120)
    assert 1 == done.returncode
    assert "pip install 'rejection-diagnosis[dask]'" in done.stderr
