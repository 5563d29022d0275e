"""Semantic checks: references, types, duplicates, cycles, without cascades of errors."""

from __future__ import annotations

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.lint import LINT_CODES
from rejection_diagnosis.validation import ERROR_CODES

OBS = """
observations:
  - {id: reposted, type: boolean, description: d, question: q}
  - {id: feedback, type: category, values: [none, skills, culture], description: d, question: q}
causes:
  - {id: fit, title: Fit, description: d}
"""


def found(write_rules, text: str) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in rd.check_rules(write_rules(text))]


class TestNoCascades:
    def test_a_broken_cause_is_reported_once_not_again_at_every_rule_concluding_it(
            self, write_rules):
        text = OBS.replace("{id: fit, title: Fit, description: d}",
                           "{id: fit, title: Fit, descripton: d}") + """
rules:
  - {id: a, when: {reposted: true}, then: {cause: fit, certainty: 0.5}, because: b}
  - {id: b, when: {cause: fit}, then: {cause: fit, certainty: 0.5}, because: b}
"""
        codes = [code for code, _ in found(write_rules, text)]
        # Not "missing 'description:'" (the typo says it), nor "unknown cause 'fit'" twice.
        assert ["unknown-key", "cycle"] == codes

    def test_a_broken_observation_silences_references_to_it(self, write_rules):
        text = OBS.replace("type: boolean", "type: bool") + """
rules:
  - {id: a, when: {reposted: true}, then: {cause: fit, certainty: 0.5}, because: b}
"""
        assert ["bad-value"] == [code for code, _ in found(write_rules, text)]


class TestMessages:
    def test_category_value_that_yaml_read_as_a_boolean_says_to_quote_it(self, write_rules):
        text = OBS.replace("[none, skills, culture]", "['yes', 'no']") + """
rules:
  - {id: a, when: {feedback: no}, then: {cause: fit, certainty: 0.5}, because: b}
"""
        [(code, message)] = found(write_rules, text)
        assert "unknown-category-value" == code
        assert "YAML reads unquoted yes/no/on/off/true/false as a boolean: quote" in message

    @pytest.mark.parametrize(("written", "meant"), [
        ("gte", "ge"), (">=", "ge"), ("lte", "le"), ("equals", "eq"), ("!=", "ne")])
    def test_operators_from_other_languages_suggest_ours(self, write_rules, written, meant):
        text = OBS + f"""
rules:
  - {{id: a, when: {{feedback: {{'{written}': none}}}}, then: {{cause: fit, certainty: 0.5}},
     because: b}}
"""
        [(code, message)] = found(write_rules, text)
        assert ("bad-operator", f"(did you mean {meant!r}?)") == (code, message[
            message.index("(did"):message.index(")") + 1])

    def test_duplicate_rule_id_in_the_same_file_names_the_line(self, write_rules):
        text = OBS + """
rules:
  - {id: a, when: {reposted: true}, then: {cause: fit, certainty: 0.5}, because: b}
  - {id: a, when: {reposted: false}, then: {cause: fit, certainty: -0.5}, because: b}
"""
        assert [("duplicate-rule-id",
                 "rule id 'a' is already used by the rule at line 9; rule ids must be unique")
                ] == found(write_rules, text)

    def test_load_rules_raises_one_error_with_every_problem(self, write_rules):
        text = OBS + """
rules:
  - {id: a, when: {repostd: true}, then: {cause: fitt, certainty: 0.5}, because: b}
"""
        with pytest.raises(rd.RuleSetError) as caught:
            rd.load_rules(write_rules(text))
        assert ["unknown-observation", "unknown-reference"] == [
            p.code for p in caught.value.problems]
        assert str(caught.value).startswith(f"{caught.value.problems[0].path}:9:20: error: ")


class TestCodes:
    def test_error_and_warning_codes_do_not_overlap(self):
        assert set() == set(ERROR_CODES) & set(LINT_CODES)

    def test_every_code_is_kebab_case_with_a_one_line_meaning(self):
        for code, meaning in {**ERROR_CODES, **LINT_CODES}.items():
            assert code == code.lower() and " " not in code
            assert meaning and "\n" not in meaning
