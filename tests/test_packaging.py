"""The sdist and the wheel: what installing, using and testing the package need."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built *from that sdist*."""
    pytest.importorskip("build")  # the `test` extra
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "-o", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert 0 == done.returncode, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("rejection_diagnosis-*.tar.gz")
    (wheel,) = out.glob("rejection_diagnosis-*.whl")
    return sdist, wheel


def _files_under(folder: str) -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".so", ".pyc")}


def test_the_sdist_carries_the_engine_sources_tests_docs_and_examples(
        built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    needed = {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "setup.py", ".ci/run"}
    for folder in ("vendor/durable-rules", "tests", "docs", "examples", "benchmarks", "eval",
                   "src/rejection_diagnosis"):
        needed |= _files_under(folder)
    assert set() == needed - names
    assert [] == sorted(n for n in names if n.endswith((".so", ".pyc")) or ".venv" in n)


def test_the_wheel_carries_the_engine_rules_schema_types_and_licences(
        built: tuple[Path, Path]) -> None:
    _, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src/rejection_diagnosis"
    data = {str(p.relative_to(package.parent)) for p in (package / "rules").rglob("*.yaml")}
    assert data and set() == data - names
    assert {"rejection_diagnosis/py.typed", "rejection_diagnosis/_durable_engine.pyi",
            "rejection_diagnosis/schema/ruleset.schema.json",
            "rejection_diagnosis/schema/cases.schema.json",
            "rejection_diagnosis/rules/evaluation/categories.yaml",
            # The web page's assets: served from the package, never fetched (issue 15).
            "rejection_diagnosis/web/static/app.js",
            "rejection_diagnosis/web/static/style.css"} <= names
    # The labelled cases are a folder of the repository, not package data.
    assert [] == [n for n in names if n.startswith("eval/") or "/eval/" in n]
    assert 1 == sum(n.startswith("rejection_diagnosis/_durable_engine.") and n.endswith(
        (".so", ".pyd")) for n in names)
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/vendor/durable-rules/LICENSE"} <= names
    assert not any(n.startswith(("vendor/", "tests/")) for n in names)


def test_the_metadata_states_licence_pythons_urls_and_extras(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    assert "MIT" == meta["License-Expression"]
    assert ">=3.11" == meta["Requires-Python"]
    classifiers = set(meta.get_all("Classifier") or [])
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (11, 12, 13)} <= classifiers
    assert {"Repository", "Documentation", "Changelog"} == {
        url.split(",")[0] for url in meta.get_all("Project-URL") or []}
    assert {"dask", "test", "dev", "web"} <= set(meta.get_all("Provides-Extra") or [])
    assert [] == [r for r in meta.get_all("Requires-Dist") or [] if r.startswith("durable")]
    assert "text/markdown" == meta["Description-Content-Type"]
    assert meta.get_payload().startswith("# rejection-diagnosis")


def test_the_version_comes_from_the_installed_metadata() -> None:
    from importlib.metadata import version

    import rejection_diagnosis as rd

    assert version("rejection-diagnosis") == rd.__version__


def test_the_changelog_has_unreleased_above_a_dated_section_for_this_version() -> None:
    import re
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["version"]
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
                          re.MULTILINE)
    assert "[Unreleased]" == headings[0]
    assert re.fullmatch(rf"\[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}", headings[1])
