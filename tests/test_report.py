"""The candidate's report: titles, how sure in words, evidence in the person's terms, advice."""

from __future__ import annotations

import rejection_diagnosis as rd
from rejection_diagnosis.report import candidate_text


def test_a_cause_is_told_by_title_with_words_number_explanation_and_evidence(
        tiny_kb: rd.KnowledgeBase) -> None:
    dx = tiny_kb.diagnose({"reposted": True, "feedback": "culture"})
    text = candidate_text(dx, tiny_kb.observations)
    assert text.startswith(
        "Most likely cause\n\n"
        "1. Fit\n"
        "   How sure: likely (0.85 on a scale from 0 to 1)\n"
        "   Not the profile they wanted.\n"
        "   What you told us that points to it:\n"
        "   - What feedback said. Your answer: culture.\n"
        "   - Ad went back up.\n")
    assert "\nNext steps\n1. Move on\n   Keep applying.\n" in text


def test_the_report_names_no_rule_id_observation_id_or_path(tiny_kb: rd.KnowledgeBase) -> None:
    dx = tiny_kb.diagnose({"reposted": True, "days": 40, "feedback": "skills"})
    text = candidate_text(dx, tiny_kb.observations)
    for hidden in ("reposted-fit", "culture-fit", "[fit]", "reposted", ".yaml",
                   "certainty factor", "Budget"):  # budget is below the threshold
        assert hidden not in text


def test_uncertain_and_numeric_answers_are_said_as_given(tiny_kb: rd.KnowledgeBase) -> None:
    dx = tiny_kb.diagnose({"days": {"value": 40, "certainty": 0.5}, "reposted": False},
                          threshold=0.1)
    text = candidate_text(dx, tiny_kb.observations)
    assert "   - The process was slow\n" in text  # a finding, by its title
    assert "Budget" in text


def test_without_a_likely_cause_the_report_says_so_and_still_advises(
        tiny_kb: rd.KnowledgeBase) -> None:
    text = candidate_text(tiny_kb.diagnose({}), tiny_kb.observations)
    assert text.startswith("What you told us does not point clearly to any one cause")
    assert "\nWhat can help now\n1. Ask for feedback\n   Ask them.\n" in text
    assert "Possible, on weak evidence" not in text


def test_weak_signs_are_named_when_no_cause_is_likely(tiny_kb: rd.KnowledgeBase) -> None:
    dx = tiny_kb.diagnose({"feedback": {"value": "culture", "certainty": 0.2}})
    text = candidate_text(dx, tiny_kb.observations)
    assert "\nPossible, on weak evidence (most likely first):\n  - Fit (weak, 0.14): " in text


def test_the_bundled_example_reads_as_plain_language() -> None:
    kb = rd.load_rules()
    dx = kb.diagnose({"posting_reposted": True, "interview_felt_great": True})
    text = candidate_text(dx, kb.observations)
    assert "1. They wanted a different fit for the role\n   How sure: possible (0.45" in text
    assert "   - The same job ad went back up after you were turned down.\n" in text
