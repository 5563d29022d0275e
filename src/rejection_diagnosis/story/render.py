"""A :class:`~rejection_diagnosis.story.Reading` in words: what was read, and as a case file.

One floor above the reader: these functions only format the plain data a reading holds.
The command line's ``diagnose --story`` (and ``ask --story``) print :func:`describe_reading`
first, so the candidate sees what was understood before any diagnosis, and
:func:`reading_case_yaml` is the case file to correct it with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..model import Observation, show_value
from ..observation_types import TYPES
from .reader import Reading, ReadObservation

__all__ = ["describe_reading", "reading_case_yaml"]

_QUOTE_WIDTH = 70


def _value(item: ReadObservation, obs: Observation | None) -> str:
    if isinstance(item.value, bool):
        text = "yes" if item.value else "no"
    else:
        text = show_value(item.value)
        if obs is not None and obs.unit and TYPES[obs.type].numeric:
            text += f" {obs.unit}"
    bound = {"about": "about ", "at_least": "at least ", "more_than": "more than ",
             "at_most": "at most ", "less_than": "less than "}.get(item.bound, "")
    if bound and item.spans:
        text += f" (read from {bound.strip()} ...)"
    return text


def _quotes(item: ReadObservation) -> str:
    return ", ".join(json.dumps(" ".join(s.text.split())[:_QUOTE_WIDTH], ensure_ascii=False)
                     for s in item.spans)


def _short(description: str) -> str:
    """The gist of a description: its first sentence, without asides in brackets, and
    before any list it introduces."""
    text = re.sub(r" \([^()]*\)", "", " ".join(description.split()))
    for stop in (". ", ": "):
        text = text.split(stop, 1)[0]
    return text.rstrip(".")


def _line(item: ReadObservation, observations: Mapping[str, Observation]) -> str:
    obs = observations.get(item.id)
    parts = [f"{item.id} = {_value(item, obs)}"]
    if item.certainty < 1:
        hedged = f", hedged by {', '.join(repr(h) for h in item.hedges)}" if item.hedges else ""
        parts.append(f"(certainty {item.certainty:.2f}{hedged})")
    said = _short(obs.description) if obs is not None else item.id
    if item.value is False:
        said = f"not so: {said[:1].lower()}{said[1:]}"
    return f"  - {said} ({_quotes(item)}): {' '.join(parts)}"


def describe_reading(reading: Reading, observations: Mapping[str, Observation]) -> str:
    """What was read, in words, ending with a newline.

    Args:
        reading: from :meth:`KnowledgeBase.read_story`.
        observations: the knowledge base's ``observations`` (for descriptions and units).
    """
    if reading.refusal:
        return f"The story was not read: {reading.refusal}.\n"
    lines: list[str] = []
    n = len(reading.items)
    if n:
        lines.append(f"From your story ({n} observation{'s' * (n != 1)} read):")
        lines.extend(_line(i, observations) for i in reading.items)
    else:
        lines.append("From your story: nothing the rules know about was read.")
    if reading.conflicts:
        lines.append("The story says both; not used (answer these yourself):")
        for c in reading.conflicts:
            said = " but ".join(f"{_value(r, observations.get(c.id))} ({_quotes(r)})"
                                for r in c.readings)
            lines.append(f"  - {c.id}: {said}")
    if reading.denied:
        lines.append("Said not to be so (no value used):")
        for d in reading.denied:
            lines.append(f"  - {d.id} is not {_value(d, observations.get(d.id))} ({_quotes(d)})")
    if reading.unmatched:
        lines.append("Nothing was read from:")
        for text in reading.unmatched_sentences:
            short = " ".join(text.split())
            short = short if len(short) <= _QUOTE_WIDTH else short[:_QUOTE_WIDTH - 3] + "..."
            lines.append(f"  - {json.dumps(short, ensure_ascii=False)}")
    lines.extend(f"Note: {note}." for note in reading.notes)
    return "\n".join(lines) + "\n"


def reading_case_yaml(reading: Reading) -> str:
    """The case the reading gives, as a YAML case file with the words quoted beside each value.

    Edit it and diagnose it (``rejection-diagnosis diagnose case.yaml``) to correct what
    was read; conflicting observations are listed as comments to answer.
    """
    lines = ["# Read from your story. Correct what is wrong, then run:",
             "#   rejection-diagnosis diagnose THIS_FILE"]
    for item in reading.items:
        value = item.case_value()
        shown = (json.dumps(value) if not isinstance(value, dict) else
                 f"{{value: {json.dumps(value['value'])}, certainty: {value['certainty']:g}}}")
        lines.append(f"{item.id}: {shown}  # {_quotes(item)}")
    for c in reading.conflicts:
        said = " vs ".join(f"{json.dumps(r.value)} ({_quotes(r)})" for r in c.readings)
        lines.append(f"# {c.id}: ?  # the story says both: {said}")
    if not reading.items and not reading.conflicts:
        lines.append("{}")
    return "\n".join(lines) + "\n"
