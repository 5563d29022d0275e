"""How likely each answer is: the weights of the expected-value question choice.

A person may answer a question or say "don't know", and when they answer, some answers are
more common than others. Both are estimated with add-one (Laplace) smoothing from a table
of answer frequencies in real stories, over a uniform prior:

* P(answered) = (stories that give the observation + 1) / (stories + 2); an observation the
  table was not built over gets the prior alone, 1/2;
* P(answer class | answered) = (stories whose value falls in the class + prior weight) /
  (answered stories + total prior weight), where the prior weight of a class is the number
  of allowed values in it (booleans: one per value; categories: one per listed value;
  numbers: one per interval the rules distinguish).

The bundled table (``answer_frequencies.json``) is derived from the development stories
(``shared/eval/dev_mapped_1``) by ``benchmarks/answer_frequencies.py``, which regenerates
it. Without a table (:meth:`AnswerModel.uniform`), every answer class is weighted by the
prior alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import attrs

from .._caches import cached
from .._knowledge import Knowledge
from ..observation_types import TYPES
from ..observations import normalize
from .analysis import Analysis, Value

__all__ = ["AnswerModel", "bundled_model"]

_TABLE = "answer_frequencies.json"


@attrs.frozen
class AnswerModel:
    """Answer frequencies per observation, from ``cases`` stories (see the module docs)."""

    cases: int = 0
    #: Stories that give each observation, for the observations the table was built over.
    answered: Mapping[str, int] = attrs.field(factory=dict)
    #: Each observation's values in those stories, with their counts.
    values: Mapping[str, tuple[tuple[Value, int], ...]] = attrs.field(factory=dict)
    # Distributions already worked out, by (analysis, observation): they depend on the
    # knowledge base and the table only, and are asked for at every question.
    _memo: dict[tuple[int, str], tuple[Analysis, dict[Value, float]]] = attrs.field(
        factory=dict, eq=False, repr=False, init=False)

    @classmethod
    def uniform(cls) -> AnswerModel:
        """No data: every observation answered with probability 1/2, answers by the prior."""
        return cls()

    @classmethod
    def from_cases(cls, kb: Knowledge, cases: Iterable[Mapping[str, Any]]) -> AnswerModel:
        """The frequencies in ``cases`` (mappings as :meth:`KnowledgeBase.diagnose` reads)."""
        answered = dict.fromkeys(kb.observations, 0)
        counts: dict[str, dict[Value, int]] = {}
        n = 0
        for case in cases:
            n += 1
            for oid, given in normalize(kb.observations, case).items():
                answered[oid] += 1
                bucket = counts.setdefault(oid, {})
                bucket[given.value] = bucket.get(given.value, 0) + 1
        return cls(n, answered, {k: tuple(sorted(v.items(), key=repr)) for k, v in counts.items()})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerModel:
        """Read the table written by :meth:`to_json`."""
        return cls(int(data["cases"]), dict(data["answered"]),
                   {k: tuple((v, int(n)) for v, n in pairs)
                    for k, pairs in data["values"].items()})

    def to_json(self) -> dict[str, Any]:
        """The table as JSON-ready data."""
        return {"cases": self.cases, "answered": dict(sorted(self.answered.items())),
                "values": {k: [list(p) for p in v] for k, v in sorted(self.values.items())}}

    def answer_probability(self, observation: str) -> float:
        """P(the person answers rather than "don't know")."""
        if observation not in self.answered:
            return 0.5
        return (self.answered[observation] + 1) / (self.cases + 2)

    def distribution(self, found: Analysis, kb: Knowledge,
                     observation: str) -> dict[Value, float]:
        """P(each representative answer | answered), over the classes the rules distinguish."""
        key = (id(found), observation)
        entry = self._memo.get(key)
        if entry is not None and entry[0] is found:
            return entry[1]
        result = self._distribution(found, kb, observation)
        self._memo[key] = (found, result)
        return result

    def _distribution(self, found: Analysis, kb: Knowledge,
                      observation: str) -> dict[Value, float]:
        reps = found.domain.get(observation, ())
        obs = kb.observations[observation]
        weight: dict[Value, float] = dict.fromkeys(reps, 0.0)
        kind = TYPES[obs.type]
        if not kind.numeric:
            # Each answer counts once, in the class of answers the rules treat alike.
            for v in kind.choices(obs):
                rep = found.answer_class(observation, v)
                if rep is not None:
                    weight[rep] += 1.0
        else:
            for rep in reps:
                weight[rep] = 1.0
        for value, n in self.values.get(observation, ()):
            try:
                rep = found.answer_class(observation, value)
            except TypeError:  # a table built over another vocabulary
                rep = None
            if rep is not None:
                weight[rep] += n
        total = sum(weight.values())
        return {rep: w / total for rep, w in weight.items()} if total else {}


@cached("consultation.bundled_model")
def bundled_model() -> AnswerModel:
    """The answer frequencies of the development stories, shipped with the package."""
    text = (resources.files("rejection_diagnosis.consultation") / _TABLE).read_text("utf-8")
    return AnswerModel.from_json(json.loads(text))
