"""The candidate's report: a diagnosis told in the words of the person who was turned down.

:func:`explain_text` in :mod:`.render` is the rule author's view (rule ids, source lines,
the certainty arithmetic, causes below the threshold). This is what a candidate reads
first: each likely cause by its title, how sure in words (the words of
:meth:`Diagnosis.strength <rejection_diagnosis.diagnosis.Diagnosis.strength>`) and as a
number, the plain explanation, what they said that points to it (each observation by its description, not
its id), then the advice. Nothing here computes; it only renders a finished diagnosis.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from .conclusions import Advice, BaseRate, Conclusion, Evidence
from .diagnosis import Diagnosis
from .model import Observation, show_value

__all__ = ["candidate_text"]

_WIDTH = 88


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=_WIDTH, initial_indent=indent,
                         subsequent_indent=indent) or [indent]


def _answer(obs: Observation | None, e: Evidence) -> str:
    """What the candidate answered, as they would say it."""
    value = e.value
    if isinstance(value, bool):
        said = "yes" if value else "no"
    elif isinstance(value, str):
        said = value.replace("_", " ")
    else:
        unit = f" {obs.unit}" if obs is not None and obs.unit else ""
        said = f"{show_value(value)}{unit}"
    if e.certainty < 1:
        said += f" (you were {e.certainty:.0%} sure)"
    return said


def _evidence_line(observations: Mapping[str, Observation],
                   findings: Mapping[str, Conclusion], e: Evidence) -> str | None:
    if e.kind == "observation":
        obs = observations.get(e.id)
        description = obs.description if obs is not None else e.id
        if isinstance(e.value, bool) and e.value and e.certainty >= 1:
            return description
        return f"{description} Your answer: {_answer(obs, e)}."
    if e.kind == "finding":
        finding = findings.get(e.id)
        return finding.title if finding is not None else e.id
    return None  # tests on causes and on the amount of evidence say nothing to a candidate


def _evidence(dx: Diagnosis, observations: Mapping[str, Observation], cause: Conclusion,
              positive: bool) -> list[str]:
    findings = {f.id: f for f in dx.findings}
    lines: dict[str, None] = {}
    for contribution in cause.contributions:
        if (contribution.contribution > 0) != positive:
            continue
        for e in contribution.evidence:
            line = _evidence_line(observations, findings, e)
            if line is not None:
                lines.setdefault(line)
    return list(lines)


def _cause_lines(dx: Diagnosis, observations: Mapping[str, Observation], rank: int,
                 cause: Conclusion) -> list[str]:
    out = [f"{rank}. {cause.title}",
           f"   How sure: {dx.strength(cause)} ({cause.certainty:.2f} on a scale from 0 to 1)"]
    out.extend(_wrap(cause.description, "   "))
    for positive, heading in ((True, "What you told us that points to it:"),
                              (False, "What speaks against it:")):
        items = _evidence(dx, observations, cause, positive)
        if items:
            out.append(f"   {heading}")
            for item in items:
                out.extend(textwrap.wrap(item, width=_WIDTH, initial_indent="   - ",
                                         subsequent_indent="     "))
    return out


def _base_rate_line(b: BaseRate) -> str:
    return f"- {b.title} (about {b.prior:.0%} of them)"


def _also_common_lines(dx: Diagnosis) -> list[str]:
    if not dx.also_common:
        return []
    out = [""]
    out.extend(_wrap("Also common in stories like these, though nothing you told us points to "
                     "them or rules them out:", ""))
    out.extend(_base_rate_line(b) for b in dx.also_common)
    return out


def _advice_lines(heading: str, items: tuple[Advice, ...]) -> list[str]:
    if not items:
        return []
    out = ["", heading]
    for i, advice in enumerate(items, 1):
        out.append(f"{i}. {advice.title}")
        out.extend(_wrap(advice.text, "   "))
    return out


def candidate_text(dx: Diagnosis, observations: Mapping[str, Observation],
                   settle: str | None = None) -> str:
    """The report a candidate reads: likely causes, why, and what to do now.

    Args:
        dx: the diagnosis.
        observations: the knowledge base's vocabulary (``kb.observations``), for the
            descriptions of what the candidate said.
        settle: when the evidence is thin, the question whose answer would tell most (for
            example the first of ``kb.next_questions``), shown as the next thing to find out.
    """
    out: list[str] = []
    if dx.insufficient_evidence:
        out.extend(_wrap(
            "What you told us does not point clearly to any one cause (none reached "
            f"{dx.threshold:.2f} on a scale from 0 to 1). Asking the company for feedback "
            "is the best way to learn more; the advice below still applies.", ""))
        if dx.possible:
            out.extend(["", "Possible, on weak evidence (most likely first):"])
            for cause in dx.possible:
                why = _evidence(dx, observations, cause, True)
                line = f"- {cause.title} ({dx.strength(cause)}, {cause.certainty:.2f})"
                out.extend(_wrap(line + (": " + "; ".join(why[:2]) if why else ""), "  ")
                           if why else [line])
            out.extend(_also_common_lines(dx))
        elif dx.base_rates:
            out.append("")
            out.extend(_wrap("Nothing you told us points to one cause yet. In real stories "
                             "like these, the most common reasons are:", ""))
            out.extend(_base_rate_line(b) for b in dx.base_rates[:3])
        if settle:
            out.extend(["", "The question that would tell most:"])
            out.extend(_wrap(settle, "  "))
    else:
        out.append("Most likely causes" if len(dx.causes) > 1 else "Most likely cause")
        for rank, cause in enumerate(dx.causes, 1):
            out.append("")
            out.extend(_cause_lines(dx, observations, rank, cause))
        out.extend(_also_common_lines(dx))
    out.extend(_advice_lines("What can help now", dx.coping))
    out.extend(_advice_lines("Next steps", dx.next_steps))
    return "\n".join(out) + "\n"
