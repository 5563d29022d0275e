"""Shared fixtures: small rule sets written to temporary files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import rejection_diagnosis as rd

TINY = """
observations:
  - {id: reposted, type: boolean, description: Ad went back up., question: 'Did the ad go back up?'}
  - {id: days, type: number, range: [0, 365], unit: days, description: Days to the answer., question: 'How many days?'}
  - {id: feedback, type: category, values: [none, skills, culture], description: What feedback said., question: 'What did the feedback say?'}
findings:
  - {id: slow, title: The process was slow}
causes:
  - {id: fit, title: Fit, description: Not the profile they wanted.}
  - {id: budget, title: Budget, description: The money went away.}
recommendations:
  - {id: ask, kind: coping, title: Ask for feedback, text: Ask them.}
  - {id: move_on, kind: next_step, title: Move on, text: Keep applying.}
rules:
  - id: reposted-fit
    when: {reposted: true}
    then: {cause: fit, certainty: 0.5}
    because: They are still looking.
  - id: reposted-not-budget
    when: {reposted: true}
    then: {cause: budget, certainty: -0.6}
    because: The money is there.
  - id: slow-process
    when: {days: {gt: 21}}
    then: {finding: slow, certainty: 0.8}
    because: Long waits mean trouble.
  - id: slow-budget
    when: [{finding: slow}, {not: {reposted: true}}]
    then: {cause: budget, certainty: 0.5}
    because: A stall without a new ad suggests money.
  - id: culture-fit
    when: {feedback: {in: [culture, skills]}}
    then: {cause: fit, certainty: 0.7}
    because: They said so.
  - id: always-ask
    when: {evidence: insufficient}
    then: {recommend: ask, certainty: 0.9}
    because: Without a cause, feedback is the way to learn one.
  - id: fit-move-on
    when: {cause: fit, min: 0.3}
    then: {recommend: move_on, certainty: 0.6}
    because: Another role will fit better.
"""


@pytest.fixture
def write_rules(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text (dedented) to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_kb(write_rules: Callable[[str, str], Path]) -> rd.KnowledgeBase:
    """A seven-rule knowledge base covering every condition form."""
    return rd.load_rules(write_rules(TINY, "tiny.yaml"))
