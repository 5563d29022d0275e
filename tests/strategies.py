"""Hypothesis strategies shared by the property tests: random partial cases of a knowledge base."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import rejection_diagnosis as rd


def values(obs: Any) -> st.SearchStrategy[Any]:
    """A valid answer to ``obs`` (numbers kept within 60 of the bottom of its range)."""
    if obs.type == "boolean":
        return st.booleans()
    if obs.type == "category":
        return st.sampled_from(obs.values)
    lo, hi = obs.range if obs.range is not None else (0, 100)
    return st.integers(int(lo), int(min(hi, lo + 60)))


def cases(kb: rd.KnowledgeBase, max_size: int = 8) -> st.SearchStrategy[dict[str, Any]]:
    """Random partial cases: a few observations, some with a certainty below 1."""
    return st.dictionaries(st.sampled_from(sorted(kb.observations)), st.none(),
                           max_size=max_size).flatmap(lambda keys: st.fixed_dictionaries({
                               k: st.one_of(values(kb.observations[k]), st.fixed_dictionaries({
                                   "value": values(kb.observations[k]),
                                   "certainty": st.sampled_from([0.3, 0.6, 0.9])}))
                               for k in keys}))
