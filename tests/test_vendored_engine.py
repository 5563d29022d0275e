"""The vendored engine: upstream durable-rules 2.0.28 plus the listed patches, and nothing else."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis import _durable_engine

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "durable-rules"

pytestmark = pytest.mark.skipif(not VENDOR.is_dir(), reason="no vendor/ folder (installed tests)")


def _patches() -> list[Path]:
    return sorted((VENDOR / "patches").glob("*.patch"))


def _upstream_hashes() -> dict[str, str]:
    lines = (VENDOR / "UPSTREAM.sha256").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines)}


def test_every_patch_is_listed_in_the_readme_and_every_listed_patch_exists():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"patches/(\d{4}-[\w.-]+\.patch)", readme))
    assert {p.name for p in _patches()} == listed


def test_every_patch_says_why_before_its_diff():
    for patch in _patches():
        head = patch.read_text(encoding="utf-8").split("diff --git", 1)[0]
        assert head.startswith("Subject: [PATCH "), patch.name
        assert len(head.split("\n\n", 1)[1].strip()) > 40, patch.name


def test_reversing_the_patches_gives_back_the_released_files(tmp_path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to reverse the patches")
    shutil.copytree(VENDOR / "src", tmp_path / "src")
    for patch in reversed(_patches()):
        subprocess.run([git, "apply", "-R", "-p1", str(patch)], cwd=tmp_path, check=True,
                       capture_output=True)
    actual = {str(p.relative_to(tmp_path)): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted((tmp_path / "src").rglob("*")) if p.is_file()}
    assert _upstream_hashes() == actual


def test_the_engine_is_this_package_s_own_extension_module():
    assert "rejection_diagnosis._durable_engine" == _durable_engine.__name__
    assert "rejection_diagnosis._durable_engine.error" == (
        f"{_durable_engine.error.__module__}.{_durable_engine.error.__qualname__}")
    assert Path(_durable_engine.__file__).parent == Path(rd.__file__).parent


def test_no_durable_rules_distribution_is_needed():
    from importlib.metadata import requires

    assert [] == [r for r in requires("rejection-diagnosis") or [] if r.startswith("durable")]
