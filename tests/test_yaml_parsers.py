"""libyaml (fast) and PyYAML's own parser give the same data, positions and problems."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rejection_diagnosis import _yaml

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p for folder in ("tests", "src/rejection_diagnosis/rules", "examples")
    for p in (ROOT / folder).rglob("*.yaml")
)


def _read(raw: bytes, loader: object, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(_yaml, "_LOADER", loader)
    doc = _yaml.read_yaml(raw, "case.yaml")
    if isinstance(doc, _yaml.Located):
        return doc.data, doc.marks
    return doc


pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_reads_the_same_with_either_parser(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    assert _read(raw, yaml.SafeLoader, monkeypatch) == _read(raw, yaml.CSafeLoader, monkeypatch)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "rules:\n", "  - id: r\n", "    when: {a: }\n", "    when: {a: 1, b: }\n", "    when:\n",
    "      all: [{a: true}, {b: {ge: 3}}]\n", "x: [1, 2\n", "y: {k: v\n", "\t- bad\n",
    "z: 'unclosed\n", "a:\n", "  b: !!python/name:os.system\n", "- 1\n", "k: &a [1]\nl: *a\n",
    "m: {n:   }\n", "o: {p :}\n", "q: \"x\"\n", "# comment\n",
]), max_size=8))
def test_snippets_read_the_same_with_either_parser(lines: list[str]) -> None:
    raw = "".join(lines).encode()
    with pytest.MonkeyPatch.context() as mp:
        slow = _read(raw, yaml.SafeLoader, mp)
        fast = _read(raw, yaml.CSafeLoader, mp)
    assert slow == fast
