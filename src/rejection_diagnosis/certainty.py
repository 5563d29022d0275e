"""Certainty-factor algebra (MYCIN / EMYCIN), made independent of evaluation order.

A contribution is a number in [-1, 1]. Contributions to one conclusion combine as:

* positives ``a`` and ``b``: ``a + b - a*b``;
* negatives: ``a + b + a*b``;
* a positive total ``P`` with a negative total ``N``: ``(P + N) / (1 - min(|P|, |N|))``.

MYCIN folds contributions one by one, and the mixed formula is then not associative at
the edges (+1 then -1 then 0.5 differs from +1 then 0.5 then -1). Here all positives are
combined first, then all negatives, then the two totals once, so the order of rules never
matters. Certain evidence both ways (``P = 1`` and ``N = -1``) is a contradiction; it is
defined as 0 (no conclusion either way), and the explanation shows both totals.
Contributions are sorted before combining so results are identical to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["EPSILON", "check_threshold", "combine", "combine_many", "combine_totals", "reaches",
           "split_totals"]

#: Causes and recommendations from this combined certainty on are reported, unless a
#: caller asks for another threshold: the one default of every entry point (the library,
#: the command line, the consultation, the web application).
DEFAULT_THRESHOLD = 0.2

#: Certainties closer than this are equal when compared with a threshold, so that float
#: noise (0.1 + 0.1 combining to 0.19 with a trailing ...9) never decides what is reported.
EPSILON = 1e-9


def check_threshold(threshold: object) -> float:
    """``threshold`` as a float: the one check of a report threshold for every entry point.

    Raises:
        ValueError: it is not a number in (0, 1] (booleans, NaN and infinities are not).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not (
        math.isfinite(threshold) and 0 < threshold <= 1
    ):
        raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}")
    return float(threshold)


def reaches(certainty: float, threshold: float) -> bool:
    """``certainty >= threshold``, tolerant of float noise below :data:`EPSILON`."""
    return certainty >= threshold - EPSILON


def combine(a: float, b: float) -> float:
    """Combine two certainty factors (commutative; see module docs for the edges)."""
    return combine_many((a, b))


def split_totals(contributions: Iterable[float]) -> tuple[float, float]:
    """The combined positive total P in [0, 1] and negative total N in [-1, 0]."""
    positive = 0.0
    negative = 0.0
    # Folding in sorted order makes the result independent of the input order to the last
    # bit, and a single contribution comes back exactly (0.2 stays 0.2, not 0.19999...).
    for c in sorted(contributions):
        if c > 0:
            positive = positive + c - positive * c
        elif c < 0:
            negative = negative + c + negative * c
    return positive, negative


def combine_many(contributions: Iterable[float]) -> float:
    """The combined certainty of any number of contributions, in [-1, 1]."""
    return combine_totals(*split_totals(contributions))


def combine_totals(positive: float, negative: float) -> float:
    """Combine a positive total P and a negative total N: (P + N) / (1 - min(|P|, |N|))."""
    if positive == 0.0:
        return negative
    if negative == 0.0:
        return positive
    smaller = min(positive, -negative)
    if smaller >= 1.0:
        return 0.0
    result = (positive + negative) / (1.0 - smaller)
    return max(-1.0, min(1.0, result))
