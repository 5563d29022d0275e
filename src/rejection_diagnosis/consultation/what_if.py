"""What if: the diagnosis before and after changing some observations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD
from ..diagnosis import Diagnosis
from ..observations import normalize
from .analysis import CertaintyChange, changes
from .text import cf

__all__ = ["WhatIf", "differences", "what_if"]


@attrs.frozen
class WhatIf:
    """A diagnosis before and after changing some observations."""

    before: Diagnosis
    after: Diagnosis
    #: Causes whose certainty changed, largest change first.
    differences: tuple[CertaintyChange, ...]

    def text(self) -> str:
        """The differences as text."""
        if not self.differences:
            return "No cause's certainty changes.\n"
        lines = ["Certainty changes:"]
        for c in self.differences:
            lines.append(f"- {c.id}: {cf(c.before)} → {cf(c.after)} ({c.delta:+.2f})")
        before = self.before.top_cause.id if self.before.top_cause else "none"
        after = self.after.top_cause.id if self.after.top_cause else "none"
        lines.append(f"Leading cause: {before} → {after}" if before != after
                     else f"Leading cause unchanged: {after}")
        return "\n".join(lines) + "\n"


def differences(kb: Knowledge, before: Diagnosis,
                after: Diagnosis) -> tuple[CertaintyChange, ...]:
    """The causes whose certainty differs between two diagnoses, largest change first."""
    return changes(kb, {c.id: c.certainty for c in before.considered},
                   {c.id: c.certainty for c in after.considered})


def what_if(kb: Knowledge, observations: Mapping[str, Any], changes: Mapping[str, Any], *,
            threshold: float = DEFAULT_THRESHOLD) -> WhatIf:
    """The diagnosis after ``changes`` (id -> new value, or None to forget an observation).

    Raises:
        ObservationError: an observation or a change is not valid.
    """
    before = kb.diagnose(observations, threshold=threshold)
    merged = {k: v for k, v in observations.items()}
    for key, value in changes.items():
        if value is None:
            if key not in kb.observations:
                normalize(kb.observations, {key: None})  # raises with a did-you-mean
            merged.pop(key, None)
        else:
            merged[key] = value
    after = kb.diagnose(merged, threshold=threshold)
    return WhatIf(before, after, differences(kb, before, after))


