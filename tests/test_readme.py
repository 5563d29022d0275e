"""Every Python example in the README runs as written, from the repository root."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rejection_diagnosis

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"),
                    flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("code", BLOCKS, ids=lambda c: c.splitlines()[2][:40])
def test_readme_python_block_runs(code):
    # The package as this test imports it (installed, or built in place by an editable install).
    env = dict(os.environ, PYTHONPATH=str(Path(rejection_diagnosis.__file__).parent.parent))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert (0, "") == (result.returncode, result.stderr)
