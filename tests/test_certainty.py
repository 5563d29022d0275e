"""The certainty-factor algebra: MYCIN's formulas, the edges, and order independence."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rejection_diagnosis.certainty import combine, combine_many

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
