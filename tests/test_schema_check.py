"""The quick schema check agrees with jsonschema on every document (it only decides speed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejection_diagnosis import _schema_check, _yaml
from rejection_diagnosis.loader import _checked_schema, _validator

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p for folder in ("tests", "src/rejection_diagnosis/rules", "examples")
    for p in (ROOT / folder).rglob("*.yaml")
)


def _agree(data: Any) -> None:
    quick = _schema_check.is_valid(data, _checked_schema())
    assert _validator().is_valid(data) is quick


def test_the_published_schema_uses_only_keywords_the_quick_check_knows() -> None:
    assert _schema_check.is_valid({}, _checked_schema()) is not _schema_check.UNKNOWN


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_quick_check_agrees_with_jsonschema_on_every_yaml_file(path: Path) -> None:
    doc = _yaml.read_yaml(path.read_bytes(), str(path))
    if isinstance(doc, _yaml.Located):
        _agree(doc.data)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 400), st.floats(-2, 2),
                     st.sampled_from(["", "x", "ok_id", "Bad Id", "boolean", "number",
                                      "category", "coping", "next_step", "a" * 3000]))
_keys = st.sampled_from(["id", "type", "values", "range", "unit", "group", "description",
                         "question", "title", "text", "kind", "source", "when", "then",
                         "because", "cause", "finding", "recommend", "certainty", "extra"])
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=4)), max_leaves=8)
_items = st.lists(st.dictionaries(_keys, _values, max_size=7), max_size=3)
_documents = st.dictionaries(
    st.sampled_from(["version", "observations", "findings", "causes", "recommendations",
                     "rules", "extra"]),
    st.one_of(_items, _scalars), max_size=6)


@settings(max_examples=400, deadline=None)
@given(_documents)
def test_quick_check_agrees_with_jsonschema_on_generated_documents(doc: dict[str, Any]) -> None:
    _agree(doc)


@settings(max_examples=200, deadline=None)
# Bundled files with a list to change (rule files and scenarios; not the categories map).
@given(st.sampled_from([p for p in FILES if "rules" in p.parts and "evaluation" not in p.parts]),
       st.data())
def test_quick_check_agrees_after_one_change_to_a_valid_file(path: Path,
                                                             data: st.DataObject) -> None:
    doc = _yaml.read_yaml(path.read_bytes(), str(path))
    assert isinstance(doc, _yaml.Located)
    content = doc.data
    section = data.draw(st.sampled_from(sorted(k for k in content if isinstance(content[k],
                                                                                 list))))
    if not content[section]:
        return
    i = data.draw(st.integers(0, len(content[section]) - 1))
    item = dict(content[section][i])
    key = data.draw(st.sampled_from([*sorted(item), "extra"]))
    item[key] = data.draw(_values)
    _agree({**content, section: [*content[section][:i], item, *content[section][i + 1:]]})


# Labelled-case files: the same quick check against the published cases schema ---------------

# Every labelled-case file of the repository, and the broken and hostile corpus (rule files
# there are simply invalid case files).
CASE_FILES = sorted([*(ROOT / "eval").rglob("*.yaml"), *(ROOT / "tests" / "broken").glob("*.yaml"),
                     *(ROOT / "tests" / "hostile").glob("*.yaml")])


def _agree_on_cases(data: Any) -> bool:
    import jsonschema

    from rejection_diagnosis import labelled

    checked = labelled._checked_schema()
    quick = _schema_check.is_valid(data, checked)
    full = jsonschema.validators.validator_for(labelled.cases_schema())(checked).is_valid(data)
    assert full is quick
    return full


def test_the_cases_schema_uses_only_keywords_the_quick_check_knows() -> None:
    from rejection_diagnosis import labelled

    assert _schema_check.is_valid({}, labelled._checked_schema()) is not _schema_check.UNKNOWN


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_quick_check_agrees_with_jsonschema_on_every_case_file(path: Path) -> None:
    doc = _yaml.read_yaml(path.read_bytes(), str(path))
    if isinstance(doc, _yaml.Located):
        _agree_on_cases(doc.data)


def test_the_case_files_include_valid_and_invalid_ones() -> None:
    # Otherwise the agreement above would say little: both answers must occur.
    verdicts = set()
    for path in CASE_FILES:
        doc = _yaml.read_yaml(path.read_bytes(), str(path))
        if isinstance(doc, _yaml.Located):
            verdicts.add(_agree_on_cases(doc.data))
            if isinstance(doc.data, dict):
                verdicts.add(_agree_on_cases({**doc.data, "extra": 1}))
    assert {True, False} == verdicts


_case_keys = st.sampled_from(["id", "cause", "confidence", "source", "observations", "story",
                              "also", "extra", "value", "certainty", "url", "title"])
_case_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_case_keys, inner, max_size=4)), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(_case_keys, _case_values, max_size=6), max_size=3),
       st.sampled_from([None, 1, 2, "1"]))
def test_quick_check_agrees_with_jsonschema_on_generated_case_files(
        cases: list[dict[str, Any]], version: Any) -> None:
    _agree_on_cases({"cases": cases, **({} if version is None else {"version": version})})
