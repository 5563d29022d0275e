"""Explain a job rejection that followed a seemingly great interview.

A transparent rule-based expert system: YAML rule sets that a career coach can read,
inference on durable-rules, MYCIN certainty factors, and explanations of every step::

    import rejection_diagnosis as rd
    dx = rd.diagnose({"posting_reposted": True})
    print(dx.explain())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._caches import clear_caches
from ._yaml import Limits
from .batch import BatchResult
from .certainty import DEFAULT_THRESHOLD
from .conclusions import Advice, Conclusion, Contribution, Evidence
from .diagnosis import Diagnosis
from .errors import DiagnosisError, EngineError, ObservationError, Problem, RuleSetError
from .evaluation import Evaluation, evaluate
from .knowledge_base import KnowledgeBase, check_rules, diagnose, load_rules
from .labelled import LabelledCase, load_cases
from .loader import bundled_rules_path

if TYPE_CHECKING:
    from .consultation import (
        AnswerError,
        CertaintyChange,
        Consultation,
        Effect,
        How,
        Question,
        QuestionWhy,
        RuleCheck,
        RuleUse,
        Step,
        TestStatus,
        UnknownCauseError,
        WhatIf,
        WhyNot,
    )
    from .story import Conflict, Reading, ReadObservation, Span

# The consultation API is imported on first use: its module defines many classes and
# costs about as much as the rest of `import rejection_diagnosis` (issue 6: import time).
_CONSULT = frozenset({
    "AnswerError", "CertaintyChange", "Consultation", "Effect", "How", "Question",
    "QuestionWhy", "RuleCheck", "RuleUse", "Step", "TestStatus", "UnknownCauseError",
    "WhatIf", "WhyNot",
})


# The story reader's results (`kb.read_story`), imported on first use like the reader.
_STORY = frozenset({"Conflict", "ReadObservation", "Reading", "Span"})


def __getattr__(name: str) -> Any:
    if name in _STORY:
        from . import story

        value = getattr(story, name)
        globals()[name] = value
        return value
    if name in _CONSULT:
        from . import consultation as consult

        value = getattr(consult, name)
        globals()[name] = value
        return value
    # __version__ is read from the installed metadata on first use: importlib.metadata
    # costs tens of milliseconds, more than the rest of `import rejection_diagnosis`.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("rejection-diagnosis")
        except PackageNotFoundError:  # running from a source tree that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_THRESHOLD",
    "Advice",
    "AnswerError",
    "BatchResult",
    "CertaintyChange",
    "Conclusion",
    "Conflict",
    "Consultation",
    "Contribution",
    "Diagnosis",
    "DiagnosisError",
    "Effect",
    "EngineError",
    "Evaluation",
    "Evidence",
    "How",
    "KnowledgeBase",
    "LabelledCase",
    "Limits",
    "ObservationError",
    "Problem",
    "Question",
    "QuestionWhy",
    "ReadObservation",
    "Reading",
    "RuleCheck",
    "RuleSetError",
    "RuleUse",
    "Span",
    "Step",
    "TestStatus",
    "UnknownCauseError",
    "WhatIf",
    "WhyNot",
    "__version__",
    "bundled_rules_path",
    "check_rules",
    "clear_caches",
    "diagnose",
    "evaluate",
    "load_cases",
    "load_rules",
]
