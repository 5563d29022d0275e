"""Thin evidence is ranked honestly: a "possible" tier below the threshold, base rates when
nothing speaks, and words for how strong each cause is."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.diagnosis import strength

RULES = textwrap.dedent("""
    observations:
      - {id: a, type: boolean, description: A., question: A?}
      - {id: b, type: boolean, description: B., question: B?}
    causes:
      - {id: common, title: Common, description: Often., prior: 0.6}
      - {id: rare, title: Rare, description: Seldom., prior: 0.1}
      - {id: unrated, title: Unrated, description: No base rate.}
    rules:
      - id: a-weakly-rare
        when: {a: true}
        then: {cause: rare, certainty: 0.1}
        because: A hints at rare.
        source: test
      - id: b-strongly-common
        when: {b: true}
        then: {cause: common, certainty: 0.7}
        because: B shows common.
        source: test
""")


def _load(tmp_path: Path, name: str, text: str) -> rd.KnowledgeBase:
    path = tmp_path / name
    path.write_text(text)
    return rd.load_rules(path)


@pytest.fixture
def kb(tmp_path: Path) -> rd.KnowledgeBase:
    return _load(tmp_path, "rules.yaml", RULES)


def test_a_weak_sign_is_a_possible_cause_not_an_empty_answer(kb: rd.KnowledgeBase) -> None:
    dx = kb.diagnose({"a": True})
    assert () == dx.causes
    assert ["rare"] == [c.id for c in dx.possible]
    assert ["rare"] == [c.id for c in dx.ranked]
    assert "weak" == dx.strength(dx.possible[0])
    assert () == dx.base_rates          # a rule spoke, so no fallback to base rates
    assert ["rare"] == dx.to_dict()["possible"]


def test_reported_causes_come_before_possible_ones(kb: rd.KnowledgeBase) -> None:
    dx = kb.diagnose({"a": True, "b": True})
    assert ["common", "rare"] == [c.id for c in dx.ranked]
    assert "likely" == dx.strength(dx.causes[0])


def test_when_nothing_speaks_the_base_rates_are_offered_most_common_first(
        kb: rd.KnowledgeBase) -> None:
    dx = kb.diagnose({"a": False})
    assert () == dx.ranked
    assert [("common", 0.6), ("rare", 0.1)] == [(b.id, b.prior) for b in dx.base_rates]
    assert [{"id": "common", "title": "Common", "prior": 0.6},
            {"id": "rare", "title": "Rare", "prior": 0.1}] == dx.to_dict()["base_rates"]


@pytest.mark.parametrize(("certainty", "threshold", "word"), [
    (0.9, 0.2, "likely"), (0.5, 0.2, "likely"), (0.49, 0.2, "possible"),
    (0.2, 0.2, "possible"), (0.19, 0.2, "weak"), (0.6, 0.7, "weak"), (0.7, 0.7, "likely"),
])
def test_strength_words(certainty: float, threshold: float, word: str) -> None:
    assert word == strength(certainty, threshold)


def test_a_prior_outside_zero_to_one_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.replace("prior: 0.6", "prior: 1.5"))
    with pytest.raises(rd.RuleSetError) as err:
        rd.load_rules(path)
    assert str(err.value).startswith(f"{path}:")
    assert "prior" in str(err.value)


def test_every_bundled_cause_declares_a_base_rate_and_they_sum_to_one() -> None:
    kb = rd.load_rules()
    priors = [c.prior for c in kb.causes.values()]
    assert all(p is not None and p > 0 for p in priors)
    assert 1.0 == pytest.approx(sum(p for p in priors if p is not None), abs=0.02)


def test_the_candidates_report_shows_weak_signs_with_their_evidence(kb, tmp_path, capsys):
    from rejection_diagnosis.cli import main

    rules = tmp_path / "rules.yaml"
    case = tmp_path / "case.yaml"
    case.write_text("a: true\n")
    assert 0 == main(["diagnose", str(case), "--rules", str(rules)])
    out = capsys.readouterr().out
    assert "Possible, on weak evidence (most likely first):" in out
    assert "- Rare (weak, 0.10): A." in out
    assert "The question that would tell most:\n  B?" in out


def test_when_nothing_speaks_the_report_names_the_most_common_causes(kb, tmp_path, capsys):
    from rejection_diagnosis.cli import main

    rules = tmp_path / "rules.yaml"
    case = tmp_path / "case.yaml"
    case.write_text("a: false\n")
    assert 0 == main(["diagnose", str(case), "--rules", str(rules)])
    out = capsys.readouterr().out
    assert "reasons are:\n- Common (about 60% of them)\n- Rare (about 10% of them)" \
        in out
    assert "B?" in out


ROUNDED = textwrap.dedent("""
    observations:
      - {id: a, type: boolean, description: A., question: A?}
      - {id: b, type: boolean, description: B., question: B?}
      - {id: c, type: boolean, description: C., question: C?}
    causes:
      - {id: first, title: First, description: Most common., prior: 0.4}
      - {id: second, title: Second, description: Next., prior: 0.3}
      - {id: third, title: Third, description: Then., prior: 0.2}
      - {id: fourth, title: Fourth, description: Least., prior: 0.1}
    rules:
      - id: a-fourth
        when: {a: true}
        then: {cause: fourth, certainty: 0.6}
        because: A shows fourth.
        source: test
      - id: b-not-first
        when: {b: true}
        then: {cause: first, certainty: -0.5}
        because: B rules out first.
        source: test
      - id: c-third
        when: {c: true}
        then: {cause: third, certainty: 0.3}
        because: C hints at third.
        source: test
""")


def _report(tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str, case: str) -> str:
    """What `rejection-diagnosis diagnose` prints for ``case`` on the rule file ``rules``."""
    from rejection_diagnosis.cli import main

    rules_path, case_path = tmp_path / "report-rules.yaml", tmp_path / "report-case.yaml"
    rules_path.write_text(rules)
    case_path.write_text(case)
    assert 0 == main(["diagnose", str(case_path), "--rules", str(rules_path)])
    return capsys.readouterr().out


@pytest.fixture
def rounded(tmp_path: Path) -> rd.KnowledgeBase:
    return _load(tmp_path, "rounded.yaml", ROUNDED)


def test_a_short_answer_is_rounded_out_with_the_most_common_other_causes(
        rounded: rd.KnowledgeBase) -> None:
    dx = rounded.diagnose({"a": True})
    assert ["fourth"] == [c.id for c in dx.ranked]
    assert [("first", 0.4), ("second", 0.3)] == [(b.id, b.prior) for b in dx.also_common]
    assert () == dx.base_rates
    assert [{"id": "first", "title": "First", "prior": 0.4},
            {"id": "second", "title": "Second", "prior": 0.3}] == dx.to_dict()["also_common"]


def test_a_cause_a_rule_spoke_against_is_not_offered_as_common(
        rounded: rd.KnowledgeBase) -> None:
    dx = rounded.diagnose({"a": True, "b": True})
    assert ["second", "third"] == [b.id for b in dx.also_common]


def test_two_causes_get_one_more_and_three_get_none(rounded: rd.KnowledgeBase) -> None:
    assert ["first"] == [b.id for b in rounded.diagnose({"a": True, "c": True}).also_common]
    assert ["second"] == [b.id for b in
                          rounded.diagnose({"a": True, "b": True, "c": True}).also_common]
    assert () == rounded.diagnose({"b": True}).also_common   # nothing for: base rates instead
    assert ["second", "third", "fourth"] == [b.id for b in rounded.diagnose({"b": True}).base_rates
                                             if b.id != "first"]


def test_the_report_names_the_common_causes_as_common_not_as_evidence(tmp_path, capsys):
    out = _report(tmp_path, capsys, ROUNDED, "a: true\n")
    assert ("\nAlso common in stories like these, though nothing you told us points to them or "
            "rules\nthem out:\n- First (about 40% of them)\n- Second (about 30% of them)\n") in out
    assert out.index("1. Fourth") < out.index("Also common")


def test_weak_evidence_names_the_common_causes_once_before_the_deciding_question(
        tmp_path, capsys):
    out = _report(tmp_path, capsys, RULES, "a: true\n")
    assert 1 == out.count("Also common in stories like these")
    assert "- Common (about 60% of them)" in out
    assert (out.index("Possible, on weak evidence") < out.index("Also common")
            < out.index("The question that would tell most"))
