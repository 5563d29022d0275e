"""The engine fence: our program is engine-neutral, and only the engine modules speak
durable-rules' dialect (its JSON, its property names, its limits)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import given, settings
from tests.strategies import cases

import rejection_diagnosis as rd
from rejection_diagnosis import evaluator
from rejection_diagnosis._engine_program import engine_program, prop_name
from rejection_diagnosis.compiler import Program
from rejection_diagnosis.observations import Given

PACKAGE = Path(rd.__file__).parent
ENGINE_MODULES = {"_engine.py", "_engine_program.py", "_alpha.py"}
DIALECT = re.compile(r"""["']\$(and|or|ex|nex|neq|lt|lte|gt|gte|not)["']|["'][oc]_["']|s_evidence""")
BUNDLED = rd.load_rules()


def test_only_the_engine_modules_speak_the_engines_dialect() -> None:
    speakers = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                if DIALECT.search(p.read_text(encoding="utf-8"))}
    assert set() == speakers - ENGINE_MODULES


def test_the_compiled_program_holds_no_engine_text() -> None:
    program = BUNDLED.program
    text = repr((program.alternatives, program.layers, program.rule_layer))
    assert None is DIALECT.search(text)
    assert all(isinstance(i, int) for layer in program.layers for i in layer)


def test_every_rule_of_a_layer_is_in_exactly_one_engine_group_of_that_layer() -> None:
    program = BUNDLED.program
    for layer, engine_layer in zip(program.layers, engine_program(program).layers, strict=True):
        pairs = sorted(p for g in engine_layer.groups for ps in g.actions.values() for p in ps)
        assert sorted((i, a.index) for i in layer for a in program.alternatives[i]) == pairs


def test_engine_property_names() -> None:
    assert ("o_days", "c_slow", "s_evidence") == (
        prop_name("observation", "days"), prop_name("cause", "slow"),
        prop_name("evidence", "evidence"))


class EvaluatorMatcher:
    """A matcher on the neutral program alone: the seam needs nothing of the engine."""

    def matches(self, program: Program, layer: int, observations: Mapping[str, Any],
                conclusions: Mapping[str, float], evidence: bool | None,
                ) -> list[tuple[int, int]]:
        given_ = {k: Given(v, 1.0) for k, v in observations.items()}
        return [(i, alt.index) for i in program.layers[layer]
                for alt in program.alternatives[i]
                if all(evaluator.test_strength(t, given_, conclusions, evidence) is not None
                       for t in alt.tests)]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_matcher_on_the_neutral_program_diagnoses_as_the_engine(data: st.DataObject) -> None:
    case = data.draw(cases(BUNDLED))
    assert BUNDLED.diagnose(case) == BUNDLED.with_matcher(EvaluatorMatcher()).diagnose(case)
