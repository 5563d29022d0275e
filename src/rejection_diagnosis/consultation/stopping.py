"""When a consultation stops: the leading cause settled with high probability, or a budget.

The probability that the leading cause is settled is estimated by sampling: each open
observation is answered at random from the answer model (:mod:`.priors`: "don't know" with
probability 1 - P(answered), else an answer class by its probability; answers independent
across observations, each given with certainty 1), the sampled case is evaluated with the
same semantics as a diagnosis, and the estimate is the share of samples whose leading cause
is the current one. ``SAMPLES`` samples are drawn from a generator seeded by the state, so
the same answers always give the same estimate. When the interval bounds show that no
answers at all could change the leading cause, the probability is exactly 1 (the
guaranteed stop).

The default stop is at probability ``CONFIDENCE`` (0.98) or after ``MAX_QUESTIONS`` (10)
questions, whichever comes first; the guaranteed stop remains available.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from .._knowledge import Knowledge
from ..evaluator import Evaluation
from ..observations import Given
from .analysis import Value, analysis, leading_causes, with_answers
from .priors import AnswerModel

if TYPE_CHECKING:
    from .ranking import Question

__all__ = ["CONFIDENCE", "MAX_QUESTIONS", "SAMPLES", "Status", "StopRule", "probability_settled"]

#: Stop when the leading cause stays the same with at least this probability.
CONFIDENCE = 0.98
#: Stop after this many questions (a checklist is one question).
MAX_QUESTIONS = 10
#: Samples drawn to estimate the probability (its standard error is at most 0.035 at 0.5
#: and 0.015 at 0.95).
SAMPLES = 200

StopRule = Literal["probable", "guaranteed"]


@attrs.frozen
class Status:
    """How settled a consultation's leading causes are, and what would move them most."""

    #: The leading causes now (ids, most certain first; empty: none reported).
    leading: tuple[str, ...]
    #: Estimated probability that answering every open question leaves them unchanged.
    probability: float
    #: True when no answers at all to the open questions could change them.
    guaranteed: bool
    #: Questions asked so far (a checklist counts as one), and the budget (None: none).
    asked: int
    max_questions: int | None
    #: Whether the consultation is over, and why: "settled", "probably settled", "budget",
    #: "no useful question", or "" while it goes on.
    reason: str
    #: The open question expected to change the ranking most (None when none can).
    next_best: Question | None = None


def probability_settled(kb: Knowledge, given: Mapping[str, Given], base: Evaluation,
                        free: frozenset[str], leading: tuple[str, ...], threshold: float,
                        lead: int, model: AnswerModel, samples: int = SAMPLES,
                        needed: float | None = None,
                        contenders: frozenset[str] | None = None) -> float:
    """P(the leading causes stay ``leading`` once every observation in ``free`` is answered).

    With ``needed``, sampling ends as soon as the estimate can no longer reach it (the
    share so far is returned): what is asked is only whether to stop. With ``contenders``
    (the causes whose bounds still overlap the lead), observations that reach none of
    them are not sampled: no answer to them can change the leading causes.
    """
    found = analysis(kb)
    choices: list[tuple[str, list[tuple[float, Value | None]]]] = []
    for oid in sorted(free):
        if not found.cone.get(oid):
            continue
        if contenders is not None and not (
                found.observation_reach(oid, kb.program.rules) & contenders):
            continue
        answered = model.answer_probability(oid)
        cumulative: list[tuple[float, Value | None]] = []
        total = 1.0 - answered
        cumulative.append((total, None))
        for value, p in model.distribution(found, kb, oid).items():
            total += answered * p
            cumulative.append((total, value))
        choices.append((oid, cumulative))
    if not choices:
        return 1.0
    seed = zlib.crc32(repr((sorted((k, repr(g.value), g.certainty) for k, g in given.items()),
                            sorted(free), leading)).encode())
    rng = random.Random(seed)
    same = 0
    allowed = samples if needed is None else (1.0 - needed) * samples
    seen: dict[frozenset[tuple[str, Value]], bool] = {}
    for drawn_so_far in range(1, samples + 1):
        answers: dict[str, Given] = {}
        for oid, cumulative in choices:
            r = rng.random()
            for edge, drawn in cumulative:
                if r < edge:
                    if drawn is not None:
                        answers[oid] = Given(drawn)
                    break
        if not answers:
            same += 1
            continue
        key = frozenset((k, g.value) for k, g in answers.items())
        kept = seen.get(key)
        if kept is None:
            after = with_answers(kb, base, given, answers)
            kept = seen[key] = leading_causes(kb, after, threshold, lead) == leading
        same += kept
        if drawn_so_far - same > allowed:
            return same / drawn_so_far
    return same / samples
