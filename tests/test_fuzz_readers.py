"""Fuzzing the readers: whatever bytes a rule file, a case file, a scenario file or a JSON
Lines record holds, only the library's own exceptions escape (issue 10).

Inputs are drawn from YAML-ish fragments (the keys and values the readers look for,
explicit tags, anchors, brackets, odd numbers and bytes) so that they reach past the
first syntax check, and from raw bytes.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis.commands._common import read_case
from rejection_diagnosis.commands.diagnose import diagnose_line
from rejection_diagnosis.scenarios import load_scenarios

FRAGMENTS = [
    "observations:", "findings:", "causes:", "recommendations:", "rules:", "scenarios:",
    "\n", "\n  ", "\n    ", "\n  - ", "- ", ": ", ", ", "{", "}", "[", "]", "'", '"',
    "id: ", "type: ", "boolean", "number", "category", "values: ", "range: ", "when: ",
    "then: ", "cause: ", "finding: ", "recommend: ", "certainty: ", "because: ", "min: ",
    "all: ", "any: ", "not: ", "evidence: ", "in: ", "gt: ", "lt: ", "between: ",
    "observations: ", "expect: ", "name: ", "top_cause: ", "posting_reposted: ",
    "days_to_rejection: ", "x", "y", "z", "fit", "a-b", "fv\n", "0", "1", "-1", "0.5",
    "1e400", "1" + "0" * 400, ".nan", ".inf", "true", "false", "null", "~", "yes",
    '!!bool "maybe"', '!!int ""', '!!float ""', "!!str 1", "!!python/name:os.system",
    "!!binary aGk=", "&a ", "*a", "<<: ", "? ", "|", ">", "#", "---", "...", "\t",
    "\x00", "\ufeff", "é", "\ud7ff",
]

#: Values that once got past the readers as non-library exceptions.
NASTY = ['!!bool "maybe"', '!!int ""', '!!int "-"', '!!float ""', "1" + "0" * 400, "1e400",
         ".nan", "-.inf", '"fv\n"', "[" * 70, "{a: 1, a: 2}", "!!binary aGk=", "*nothing"]

yamlish = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
replacement = st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(NASTY))


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` (a valid file) with a few of its words or marks replaced by fragments, so
    that most inputs get past the YAML syntax to the checks behind it."""
    tokens = re.findall(r"\w+|\s+|\S", text)
    for _ in range(draw(st.integers(1, 3))):
        words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
        where = draw(st.sampled_from(words) | st.integers(0, len(tokens) - 1))
        tokens[where] = draw(replacement)
    return "".join(tokens)


CASE = "posting_reposted: true\ndays_to_rejection: 12\n"
SCENARIO = ("scenarios:\n  - name: s\n    observations: {posting_reposted: true}\n"
            "    expect: {top_cause: fit_mismatch}\n")


def _blobs(valid: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.one_of(yamlish, mutated(valid)).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=300))

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(_blobs(TINY))
def test_rule_readers_raise_only_library_errors(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_bytes(data)
        problems = rd.check_rules(path)  # documented never to raise for a bad file
        assert all(isinstance(p, rd.Problem) for p in problems)
        try:
            kb = rd.load_rules(path)
        except rd.RuleSetError:
            return
    for case in ({}, {o: True for o, ob in kb.observations.items() if ob.type == "boolean"}):
        kb.diagnose(case)


@pytest.fixture(scope="module")
def bundled() -> rd.KnowledgeBase:
    return rd.load_rules()


@FUZZ
@given(_blobs(CASE))
def test_the_case_reader_raises_only_library_errors(bundled: rd.KnowledgeBase, data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_bytes(data)
        try:
            case = read_case(str(path))
        except rd.RuleSetError:
            return
    with contextlib.suppress(rd.ObservationError):
        bundled.diagnose(case)


@FUZZ
@given(_blobs(SCENARIO))
def test_the_scenario_reader_raises_only_library_errors(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenarios.yaml"
        path.write_bytes(data)
        with contextlib.suppress(rd.RuleSetError):
            load_scenarios(path)


JSONISH = ["{", "}", "[", "]", ",", ":", '"posting_reposted"', '"days_to_rejection"',
           '"observations"', '"value"', '"certainty"', "true", "false", "null", "1",
           "1e999", "-0", "0.5", '"x"', '"\\ud800"', "\xff", " ", "9" * 400]


@FUZZ
@given(st.one_of(st.lists(st.sampled_from(JSONISH), max_size=40).map(
    lambda parts: "".join(parts).encode("utf-8", "surrogateescape")), st.binary(max_size=200)))
def test_a_jsonl_record_is_a_result_or_that_lines_error(bundled: rd.KnowledgeBase,
                                                         line: bytes):
    number, text, error = diagnose_line(bundled, 7, line, 0.2)
    assert 7 == number
    assert (text is None) != (error is None)
