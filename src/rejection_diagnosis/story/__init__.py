"""Reading a candidate's story in plain words into observations.

Not imported by ``import rejection_diagnosis``: :meth:`KnowledgeBase.read_story` loads it on
first use. Plain Python, no model or data to download: the words that set each observation
are the ``phrases:`` of the rule files.
"""

from __future__ import annotations

from .reader import MAX_CHARS, Conflict, Reading, ReadObservation, Span, StoryReader
from .render import describe_reading, reading_case_yaml

__all__ = ["MAX_CHARS", "Conflict", "ReadObservation", "Reading", "Span", "StoryReader",
           "describe_reading", "reading_case_yaml"]
