"""The certainty-factor algebra: MYCIN's formulas, the edges, and order independence."""

from __future__ import annotations

import ast
import inspect
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rejection_diagnosis.certainty import DEFAULT_THRESHOLD, combine, combine_many

cf = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0.3, 0.3, 0.51),          # a + b - ab
        (-0.3, -0.3, -0.51),       # a + b + ab
        (0.6, -0.4, 0.2 / 0.6),    # (a + b) / (1 - min(|a|, |b|))
        (0.5, 0.0, 0.5),
        (1.0, 0.5, 1.0),
        (1.0, -1.0, 0.0),          # contradiction: defined as 0
        (1.0, -0.5, 1.0),
        (-1.0, 0.5, -1.0),
    ],
)
def test_combine_follows_mycin(a, b, expected):
    assert pytest.approx(expected) == combine(a, b)


@given(st.lists(cf, max_size=12))
def test_result_stays_within_bounds(values):
    assert -1.0 <= combine_many(values) <= 1.0


@given(st.lists(cf, min_size=1, max_size=12), st.randoms())
def test_order_never_matters_to_the_last_bit(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert combine_many(values) == combine_many(shuffled)


@given(cf, cf)
def test_combine_is_commutative(a, b):
    assert combine(a, b) == combine(b, a)


def test_certain_evidence_both_ways_is_zero_whatever_the_order():
    values = [1.0, -1.0, 0.5, -0.2]
    results = set()
    for seed in range(10):
        random.Random(seed).shuffle(values)
        results.add(combine_many(values))
    assert {0.0} == results


# The default threshold ------------------------------------------------------------------------

_SRC = Path(__file__).resolve().parent.parent / "src" / "rejection_diagnosis"


def _threshold_defaults() -> list[tuple[str, ast.expr]]:
    """(where, default) for every ``threshold`` parameter with a default and every
    ``--threshold`` option of the command line, in the package's source."""
    found: list[tuple[str, ast.expr]] = []
    for path in sorted(_SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(_SRC)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = [*args.posonlyargs, *args.args]
                pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults,
                              strict=True),
                         *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                  strict=True) if d is not None)]
                found.extend((where, d) for a, d in pairs if a.arg == "threshold")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "add_argument"
                  and any(isinstance(a, ast.Constant) and a.value == "--threshold"
                          for a in node.args)):
                found.extend((where, k.value) for k in node.keywords if k.arg == "default")
    return found


def test_every_default_threshold_is_the_one_constant():
    defaults = _threshold_defaults()
    assert len(defaults) >= 10  # the library, the consultation, batch, web and the CLI
    written_out = [(where, ast.unparse(d)) for where, d in defaults
                   if not (isinstance(d, ast.Name) and d.id == "DEFAULT_THRESHOLD")]
    assert [] == written_out


def test_the_public_defaults_are_the_constant():
    import rejection_diagnosis as rd
    from rejection_diagnosis.consultation import Consultation, next_questions

    for function in (rd.diagnose, rd.KnowledgeBase.diagnose, rd.KnowledgeBase.what_if,
                     next_questions, Consultation.__init__, rd.evaluate):
        assert DEFAULT_THRESHOLD == inspect.signature(function).parameters["threshold"].default
    assert 0.2 == rd.DEFAULT_THRESHOLD == DEFAULT_THRESHOLD
