"""What the floors above a knowledge base read from it: the :class:`Knowledge` protocol.

The consultation, its explanations and :mod:`.batch` work on a loaded
:class:`~rejection_diagnosis.KnowledgeBase`, and the knowledge base offers them as methods
(``kb.next_questions``, ``kb.how``, ``kb.diagnose_many``, ...). So that the arrows point one
way, they do not import it: they read it through this protocol, which sits below both
(the knowledge base satisfies it without naming it; mypy checks that at every call).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from . import model as m
from .certainty import DEFAULT_THRESHOLD
from .compiler import Program
from .diagnosis import Diagnosis
from .inference import Inference
from .observations import Given

__all__ = ["Knowledge"]


class Knowledge(Protocol):
    """A loaded knowledge base, as the consultation and the batch see it."""

    @property
    def observations(self) -> Mapping[str, m.Observation]: ...
    @property
    def findings(self) -> Mapping[str, m.Finding]: ...
    @property
    def causes(self) -> Mapping[str, m.Cause]: ...
    @property
    def recommendations(self) -> Mapping[str, m.Recommendation]: ...
    @property
    def checklists(self) -> Mapping[str, m.Checklist]: ...
    @property
    def program(self) -> Program: ...

    def diagnose(self, observations: Mapping[str, Any], *,
                 threshold: float = DEFAULT_THRESHOLD) -> Diagnosis:
        """Diagnose one case (checked and normalised)."""
        ...

    # Package-internal: the consultation evaluates many cases it only considers, already
    # normalised, and re-infers a diagnosis to explain it.
    def _diagnose(self, given: dict[str, Given], threshold: float) -> Diagnosis: ...
    def _infer(self, given: Mapping[str, Given], threshold: float) -> Inference: ...
