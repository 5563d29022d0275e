"""Consultation: which question to ask next, when to stop, why, how, why not and what-if.

One module per concept, each working on a loaded knowledge base:

* :mod:`.analysis`: what the consultation works out once per knowledge base, and how it
  evaluates an answer it considers (the one evaluator of :mod:`..evaluator`);
* :mod:`.priors`: how likely each answer is (answer frequencies over a uniform prior);
* :mod:`.ranking`: the next question, by the expected change of the causes' ranking;
* :mod:`.bounds`: the certainties still reachable, and the guaranteed stop;
* :mod:`.stopping`: the probable stop and the question budget;
* :mod:`.explanations`: WHY a question, HOW a cause, WHY NOT a cause;
* :mod:`.what_if`: a diagnosis before and after changes;
* :mod:`.answers`: reading typed answers and checklist ticks;
* :mod:`.session`: the :class:`Consultation` state machine behind ``ask``;
* :mod:`.text`: how values and certainties read in every rendering.
"""

from __future__ import annotations

from .analysis import LEAD, CertaintyChange
from .answers import AnswerError, answer_words, parse_answer, parse_ticks
from .bounds import bounds, settled
from .explanations import (
    How,
    QuestionWhy,
    RuleCheck,
    RuleUse,
    Step,
    TestStatus,
    UnknownCauseError,
    WhyNot,
    how,
    question_why,
    why_not,
)
from .priors import AnswerModel, bundled_model
from .ranking import Effect, Question, next_questions
from .session import Consultation
from .stopping import CONFIDENCE, MAX_QUESTIONS, Status
from .what_if import WhatIf, what_if

__all__ = [
    "CONFIDENCE",
    "LEAD",
    "MAX_QUESTIONS",
    "AnswerError",
    "AnswerModel",
    "CertaintyChange",
    "Consultation",
    "Effect",
    "How",
    "Question",
    "QuestionWhy",
    "RuleCheck",
    "RuleUse",
    "Status",
    "Step",
    "TestStatus",
    "UnknownCauseError",
    "WhatIf",
    "WhyNot",
    "answer_words",
    "bounds",
    "bundled_model",
    "how",
    "next_questions",
    "parse_answer",
    "parse_ticks",
    "question_why",
    "settled",
    "what_if",
    "why_not",
]
