"""Reading a candidate's story in plain words into observations.

Not imported by ``import rejection_diagnosis``: :meth:`KnowledgeBase.read_story` loads it on
first use. Plain Python, no model or data to download: the words that set each observation
are the ``phrases:`` of the rule files.

The names below are imported on first use, so that checking the phrases of a rule file
(which needs only the phrase language) does not load the reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .reader import MAX_CHARS, Conflict, Reading, ReadObservation, Span, StoryReader
    from .render import describe_reading, reading_case_yaml

_FROM = {"MAX_CHARS": "reader", "Conflict": "reader", "ReadObservation": "reader",
         "Reading": "reader", "Span": "reader", "StoryReader": "reader",
         "describe_reading": "render", "reading_case_yaml": "render"}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["MAX_CHARS", "Conflict", "ReadObservation", "Reading", "Span", "StoryReader",
           "describe_reading", "reading_case_yaml"]
