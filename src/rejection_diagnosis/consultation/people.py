"""The consultation in words for the person consulting: titles, not ids.

What ``rejection-diagnosis ask`` prints to a person. Every line names causes by their
titles and observations by their questions or descriptions; ids appear only where a
person types them (``how 2``, ``why not fit_mismatch``). The library's own ``.text()``
renderings stay the rule author's view, with ids and rule conditions.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from .._knowledge import Knowledge
from ..diagnosis import Diagnosis
from ..report import candidate_text
from .answers import answer_words
from .explanations import How, QuestionWhy, WhyNot
from .ranking import Question
from .stopping import Status
from .text import show

__all__ = ["checklist_labels", "how_text", "leading_line", "prompt", "result_text",
           "titled", "why_not_text", "why_text"]

_WORD = re.compile(r"[a-z][a-z0-9_]*")


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), 92, initial_indent=indent,
                         subsequent_indent=indent) or [indent]


def titled(kb: Knowledge, text: str) -> str:
    """``text`` with every cause or finding id replaced by its title in quotes."""
    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in kb.causes:
            return f"'{kb.causes[word].title}'"
        if word in kb.findings:
            return f"'{kb.findings[word].title}'"
        if word in kb.recommendations:
            return f"'{kb.recommendations[word].title}'"
        return word

    return _WORD.sub(name, text)


def leading_line(kb: Knowledge, dx: Diagnosis, shown: int = 3) -> str:
    """The most likely causes now, by title."""
    if not dx.causes:
        return "Most likely so far: nothing stands out yet."
    names = "; ".join(f"{c.title} ({c.certainty:.2f})" for c in dx.causes[:shown])
    return f"Most likely so far: {names}"


def checklist_labels(kb: Knowledge, items: Sequence[str]) -> list[str]:
    """How each checklist item reads: the observation's description."""
    return [" ".join(kb.observations[i].description.split()) for i in items]


def prompt(kb: Knowledge, q: Question, number: int) -> str:
    """A question as the person sees it, with the answers they can type."""
    lines = [f"{number}. {' '.join(q.question.split())}"]
    if q.checklist is not None:
        for n, label in enumerate(checklist_labels(kb, q.items), 1):
            lines.extend(textwrap.wrap(f"{n}) {label}", 92, initial_indent="   ",
                                       subsequent_indent="      "))
        lines.append("   Type the numbers that apply (e.g. '1 3'), 'not 2' for one that "
                     "certainly did not happen, 'none', or '?'.")
        return "\n".join(lines) + "\n"
    obs = kb.observations[q.observation]
    words = answer_words(obs)
    lines[0] += f" [{' / '.join(words) if words else obs.allowed()}]"
    return "\n".join(lines) + "\n"


def why_text(kb: Knowledge, why: QuestionWhy, shown: int = 4) -> str:
    """Why the question matters, in the rules' own reasons."""
    lines = []
    if why.reason:
        lines.append(f"This answer {titled(kb, why.reason)}.")
    live = [u for u in why.rules if u.live]
    if live:
        lines.append("What the answer feeds:")
        for u in live[:shown]:
            causes = ", ".join(kb.causes[c].title for c in u.causes if c in kb.causes)
            because = u.because or titled(kb, f"{u.conclusion_kind} {u.conclusion}")
            lines.extend(_wrap(f"- {because}" + (f" (towards: {causes})" if causes else "")))
    elif not why.rules:
        lines.append("No rule uses this answer.")
    else:
        lines.append("Your other answers already settle what this could change.")
    return "\n".join(lines) + "\n"


def _answered(kb: Knowledge, oid: str, value: object) -> str:
    obs = kb.observations.get(oid)
    if obs is None:
        return ""
    return f"{' '.join(obs.question.split())} You said: {show(value).replace('_', ' ')}."


def how_text(kb: Knowledge, h: How) -> str:
    """How a cause got its certainty, as the reasons that pointed to it and against it."""
    if not h.steps:
        return f"{h.title}: nothing you said points to it or against it yet.\n"
    state = "among the likely reasons" if h.reported else "not likely enough to report"
    lines = [f"{h.title}: how sure {h.certainty:.2f} ({state})."]
    for c in h.steps[0].contributions:
        sign = "for" if c.contribution > 0 else "against"
        lines.extend(_wrap(f"- {sign} ({c.contribution:+.2f}): {c.because or c.rule_id}"))
        for e in c.evidence:
            if e.kind == "observation":
                lines.extend(_wrap(_answered(kb, e.id, e.value), "      "))
            elif e.kind in ("finding", "cause"):
                title = (kb.findings[e.id].title if e.id in kb.findings
                         else kb.causes[e.id].title if e.id in kb.causes else e.id)
                lines.extend(_wrap(f"because: {title}", "      "))
    return "\n".join(lines) + "\n"


def why_not_text(kb: Knowledge, w: WhyNot, shown: int = 3) -> str:
    """Why a cause is not (more) likely: what spoke against it, what would support it."""
    if w.rank is not None:
        head = f"{w.title} is reason number {w.rank} (how sure {w.certainty:.2f})."
    else:
        head = f"{w.title} is not likely enough to report (how sure {w.certainty:.2f})."
    lines = [head]
    for c in w.against:
        lines.extend(_wrap(f"- against it: {c.because or c.rule_id}"))
    if w.missing:
        lines.append("What would support it:")
        for r in w.missing[:shown]:
            unknown = [kb.observations[t.subject].question for t in r.tests
                       if t.status == "unknown" and t.subject in kb.observations]
            text = r.because or r.rule_id
            if unknown:
                text += " (not answered yet: " + " / ".join(" ".join(q.split())
                                                            for q in unknown[:2]) + ")"
            lines.extend(_wrap(f"- {text}"))
    return "\n".join(lines) + "\n"


def result_text(kb: Knowledge, dx: Diagnosis, status: Status) -> str:
    """The plain result: the candidate's report, how settled it is, what would move it."""
    best = status.next_best
    lines = [candidate_text(dx, kb.observations,
                            " ".join(best.question.split()) if best is not None else None)]
    lines.append("")
    lines.append(_settled_line(status))
    if best is not None and not status.guaranteed and not dx.insufficient_evidence:
        lines.extend(_wrap("The question that could change it most: "
                           + " ".join(best.question.split()), ""))
    return "\n".join(lines) + "\n"


def _settled_line(status: Status) -> str:
    asked = f"after {status.asked} question{'s' if status.asked != 1 else ''}"
    if status.guaranteed:
        return f"This is settled {asked}: no answer to the remaining questions could change it."
    return (f"How settled, {asked}: the most likely reason would stay the same with "
            f"probability {status.probability:.2f} if you answered every remaining question.")
