"""Rendering a :class:`~rejection_diagnosis.diagnosis.Diagnosis` as text or as plain data.

This module sits below :mod:`.diagnosis` (whose ``to_dict`` and ``explain`` call it): it
reads a diagnosis through :class:`Rendered`, the fields it shows, and knows nothing else.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .conclusions import Advice, BaseRate, Conclusion, Contribution, Evidence
from .model import Location, show_value
from .observations import Given

#: How a rule's location is shown: ``str`` gives ``path:line:col`` with the path as loaded.
Where = Callable[[Location], str]

__all__ = ["PLACES", "SCHEMA_VERSION", "Rendered", "Where", "diagnosis_to_dict", "explain_text"]

#: Version of the :func:`diagnosis_to_dict` shape; bumped on any incompatible change.
SCHEMA_VERSION = 1


class Rendered(Protocol):
    """What rendering reads from a diagnosis (a :class:`~.diagnosis.Diagnosis` is one)."""

    @property
    def causes(self) -> tuple[Conclusion, ...]: ...
    @property
    def findings(self) -> tuple[Conclusion, ...]: ...
    @property
    def coping(self) -> tuple[Advice, ...]: ...
    @property
    def next_steps(self) -> tuple[Advice, ...]: ...
    @property
    def considered(self) -> tuple[Conclusion, ...]: ...
    @property
    def possible(self) -> tuple[Conclusion, ...]: ...
    @property
    def observations(self) -> Mapping[str, Given]: ...
    @property
    def threshold(self) -> float: ...
    @property
    def insufficient_evidence(self) -> bool: ...
    @property
    def fired(self) -> tuple[str, ...]: ...
    @property
    def base_rates(self) -> tuple[BaseRate, ...]: ...
    @property
    def also_common(self) -> tuple[BaseRate, ...]: ...


def _pct(value: float) -> str:
    return f"{value:+.2f}" if value < 0 else f"{value:.2f}"


#: Decimal places of certainties in :func:`diagnosis_to_dict` unless ``exact`` is asked for:
#: enough for any rule's arithmetic to be read back (factors have two places), few enough
#: that float noise (``0.44999999999999996``) never shows.
PLACES = 4

_Number = Callable[[float], float]


def _rounded(value: float) -> float:
    return round(value, PLACES) + 0.0  # + 0.0: no "-0.0" in the JSON


def _exact(value: float) -> float:
    return value


def _evidence_dict(e: Evidence, n: _Number) -> dict[str, Any]:
    return {"kind": e.kind, "id": e.id, "test": e.test, "value": e.value,
            "certainty": n(e.certainty)}


def _contribution_dict(c: Contribution, n: _Number) -> dict[str, Any]:
    return {
        "rule": c.rule_id,
        "certainty_factor": n(c.certainty_factor),
        "condition_certainty": n(c.condition_certainty),
        "contribution": n(c.contribution),
        "evidence": [_evidence_dict(e, n) for e in c.evidence],
        "because": c.because,
        "source": c.source,
        "location": {"path": c.location.path, "line": c.location.line,
                     "column": c.location.column},
    }


def _conclusion_dict(c: Conclusion, n: _Number) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "certainty": n(c.certainty),
        "description": c.description,
        "positive": n(c.positive),
        "negative": n(c.negative),
        "contributions": [_contribution_dict(x, n) for x in c.contributions],
        "source": c.source,
    }


def _advice_dict(a: Advice, n: _Number) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "text": a.text,
        "certainty": n(a.certainty),
        "why": [_contribution_dict(x, n) for x in a.why],
        "source": a.source,
    }


def _base_rate_dict(b: BaseRate, n: _Number) -> dict[str, Any]:
    return {"id": b.id, "title": b.title, "prior": n(b.prior)}


def diagnosis_to_dict(dx: Rendered, *, exact: bool = False) -> dict[str, Any]:
    """The documented JSON shape (see README, "Result shape").

    A cause appears once: under ``causes`` when reported, else under ``also_considered``.
    Certainties are rounded to :data:`PLACES` decimals unless ``exact`` is true (then they
    are the floats the arithmetic gave, float noise included).
    """
    n = _exact if exact else _rounded
    reported = {c.id for c in dx.causes}
    return {
        "schema_version": SCHEMA_VERSION,
        "threshold": dx.threshold,
        "insufficient_evidence": dx.insufficient_evidence,
        "causes": [_conclusion_dict(c, n) for c in dx.causes],
        "findings": [_conclusion_dict(c, n) for c in dx.findings],
        "coping": [_advice_dict(a, n) for a in dx.coping],
        "next_steps": [_advice_dict(a, n) for a in dx.next_steps],
        "also_considered": [_conclusion_dict(c, n) for c in dx.considered
                            if c.id not in reported],
        # Causes with some evidence but below the threshold (ids; details in also_considered).
        "possible": [c.id for c in dx.possible],
        "base_rates": [_base_rate_dict(b, n) for b in dx.base_rates],
        # Common causes no rule spoke about, rounding out a list of one or two (not evidence).
        "also_common": [_base_rate_dict(b, n) for b in dx.also_common],
        "fired_rules": list(dx.fired),
        "observations": {
            k: {"value": g.value, "certainty": n(g.certainty)}
            for k, g in sorted(dx.observations.items())
        },
    }


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, width=88, initial_indent=indent, subsequent_indent=indent) or [indent]


def _contribution_lines(c: Contribution, indent: str, where: Where) -> list[str]:
    lines = [
        f"{indent}- rule {c.rule_id} ({where(c.location)}): certainty factor {_pct(c.certainty_factor)}"
        f" × condition {c.condition_certainty:.2f} = {_pct(c.contribution)}"
    ]
    for e in c.evidence:
        notes = []
        if e.kind != "evidence" and not e.test.endswith(f"= {show_value(e.value)}"):
            notes.append(f"{e.id} = {show_value(e.value) if e.kind == 'observation' else _pct(float(e.value))}")
        if e.certainty != 1 and e.kind == "observation":
            notes.append(f"certainty {e.certainty:.2f}")
        lines.append(f"{indent}    {e.test}" + (f"   [{', '.join(notes)}]" if notes else ""))
    if c.because:
        lines.extend(_wrap("because " + c.because, indent + "    "))
    return lines


def _conclusion_lines(c: Conclusion, rank: int | None, where: Where) -> list[str]:
    head = f"{rank}. " if rank is not None else "- "
    lines = [f"{head}{c.title} [{c.id}] certainty {_pct(c.certainty)}"]
    lines.extend(_wrap(c.description, "   "))
    for contribution in c.contributions:
        lines.extend(_contribution_lines(contribution, "   ", where))
    if len(c.contributions) > 1:
        lines.append(
            f"   combined: evidence for {c.positive:.2f}, against {_pct(c.negative)} "
            f"→ {_pct(c.certainty)}"
        )
    return lines


def _advice_lines(items: tuple[Advice, ...]) -> list[str]:
    lines: list[str] = []
    for i, a in enumerate(items, 1):
        lines.append(f"{i}. {a.title} [{a.id}] ({a.certainty:.2f})")
        lines.extend(_wrap(a.text, "   "))
        reasons = ", ".join(dict.fromkeys(c.rule_id for c in a.why))
        if reasons:
            lines.append(f"   why: rules {reasons}")
    return lines or ["(none)"]


def explain_text(dx: Rendered, where: Where = str) -> str:
    """The full explanation for a rule author: rules, locations, arithmetic, every cause.

    Args:
        dx: the diagnosis.
        where: how to show a rule's location (default: as loaded, ``path:line:col``).
    """
    out: list[str] = []
    if dx.insufficient_evidence:
        out.append(
            f"Insufficient evidence: no cause reached certainty {dx.threshold:.2f}. "
            "Seek feedback to learn more; the recommendations below still apply."
        )
    else:
        out.append(f"Likely causes (certainty ≥ {dx.threshold:.2f}):")
        for i, c in enumerate(dx.causes, 1):
            out.extend(_conclusion_lines(c, i, where))
    reported = {c.id for c in dx.causes}
    others = [c for c in dx.considered if c.id not in reported]
    if others:
        out.append("")
        out.append("Also considered (below the threshold or evidence against):")
        for c in others:
            out.extend(_conclusion_lines(c, None, where))
    if dx.findings:
        out.append("")
        out.append("Findings:")
        for c in dx.findings:
            out.extend(_conclusion_lines(c, None, where))
    out.append("")
    out.append("Coping:")
    out.extend(_advice_lines(dx.coping))
    out.append("")
    out.append("Next steps:")
    out.extend(_advice_lines(dx.next_steps))
    return "\n".join(out) + "\n"
