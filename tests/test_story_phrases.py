"""The phrase format of rule files: schema, located errors, lint, scenarios and coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

import rejection_diagnosis as rd
from rejection_diagnosis.cli import main
from rejection_diagnosis.story._patterns import PhraseSyntaxError, check_phrase, compile_phrase
from rejection_diagnosis.testing import load_scenarios, run_scenarios

HERE = Path(__file__).parent

HEAD = """
observations:
  - id: reposted
    type: boolean
    description: d
    question: q
    phrases: {reposted}
  - id: days
    type: number
    unit: days
    range: [0, 365]
    description: d
    question: q
    phrases: {days}
  - id: rounds
    type: number
    unit: rounds
    range: [1, 15]
    description: d
    question: q
  - id: format
    type: category
    values: [email, call]
    description: d
    question: q
    phrases: {format}
causes:
  - {{id: fit, title: Fit, description: d}}
rules:
  - {{id: r1, when: {{reposted: true}}, then: {{cause: fit, certainty: 0.5}}, because: b}}
  - {{id: r2, when: {{days: {{gt: 3}}}}, then: {{cause: fit, certainty: 0.5}}, because: b}}
  - {{id: r3, when: {{format: call}}, then: {{cause: fit, certainty: 0.5}}, because: b}}
  - {{id: r4, when: {{rounds: {{gt: 3}}}}, then: {{cause: fit, certainty: 0.5}}, because: b}}
"""


def problems(write_rules, reposted="[ad went back up]", days="['{duration} later']",
             fmt="{email: [form email], call: [rang me]}") -> list[str]:
    path = write_rules(HEAD.format(reposted=reposted, days=days, format=fmt))
    return [f"{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]"
            for p in rd.check_rules(path)]


def test_phrases_of_every_form_load_cleanly(write_rules):
    assert [] == problems(write_rules, reposted="[ad went back up, {phrase: ad stayed down, "
                          "value: false}, {phrase: maybe reposted, certainty: 0.5}]",
                          days="['{duration} later', {phrase: next day, value: 1}]")


@pytest.mark.parametrize(("field", "text", "expected"), [
    ("reposted", "['the (ad went back up']",
     "7:15: error: observation 'reposted': phrase 'the (ad went back up': missing ')' "
     "[bad-phrase]"),
    ("reposted", "['ad ]went']",
     "7:15: error: observation 'reposted': phrase 'ad ]went': ']' closes nothing [bad-phrase]"),
    ("reposted", "['{number} ads']",
     "7:15: error: observation 'reposted': phrase '{number} ads': {number} fills numbers, and "
     "'reposted' is a boolean [bad-phrase]"),
    ("reposted", "['the my']",
     "7:15: error: observation 'reposted': phrase 'the my': nothing to match: a phrase needs a "
     "word other than small words such as 'the' or 'my' [bad-phrase]"),
    ("reposted", "[{phrase: ad, value: 3}]",
     "7:24: error: observation 'reposted': phrase 'ad': 'reposted' is a boolean; 'value:' is "
     "true or false (got 3) [type-mismatch]"),
    ("reposted", "{true: [ad]}",
     "7:14: error: observation 'reposted': only a category lists phrases per value"),
    ("days", "[later]",
     "14:15: error: observation 'days': phrase 'later': a number phrase needs a slot "
     "({number}, {duration} or {ordinal}) or a 'value:' [bad-phrase]"),
    ("days", "['{size} later']",
     "14:15: error: observation 'days': phrase '{size} later': unknown slot '{size}'; slots "
     "are {number}, {duration}, {ordinal} [bad-phrase]"),
    ("days", "['(in {duration}|later)']",
     "every alternative must hold the same slot"),
    ("days", "['{number} {duration}']",
     "at most one slot"),
    ("days", "[{phrase: next year, value: 400}]",
     "14:24: error: observation 'days': phrase 'next year': 400 is outside the range [0, 365] "
     "of 'days' [value-out-of-range]"),
    ("days", "[{phrase: '{number} days', value: 3}]",
     "14:24: error: observation 'days': phrase '{number} days': give a slot or a 'value:', not "
     "both [bad-phrase]"),
    ("format", "{emial: [form email]}",
     "26:23: error: observation 'format': phrase 'form email': 'emial' is not a value of "
     "'format' (did you mean 'email'?); allowed: email, call [unknown-category-value]"),
    ("format", "[form email]",
     "26:15: error: observation 'format': phrase 'form email': say which value it sets"),
    ("reposted", "[{phrase: ad, certainty: 2}]",
     "certainty"),
    ("reposted", "[{phrse: ad}]",
     "unexpected key 'phrse' (did you mean 'phrase'?)"),
    ("reposted", "['(his|the job) went up']",
     "7:15: error: observation 'reposted': phrase '(his|the job) went up': an alternative "
     "holds only small words that stories skip (such as 'his', 'had', 'some'), which makes "
     "the whole group optional; drop it, or mark the group optional with '( )?' [bad-phrase]"),
    ("reposted", "{ad: [x]}",
     "7:14: error: observation 'reposted': only a category lists phrases per value; a boolean "
     "takes a list of phrases under 'phrases:' [bad-phrase]"),
])
def test_phrase_errors_are_located_and_say_what_to_do(write_rules, field, text, expected):
    kwargs = {"reposted": "[ad went back up]", "days": "['{duration} later']",
              "fmt": "{email: [form email], call: [rang me]}"}
    kwargs["fmt" if field == "format" else field] = text
    found = problems(write_rules, **kwargs)
    assert any(expected in p for p in found), found


def test_phrase_errors_stop_the_rule_set_from_loading(write_rules):
    path = write_rules(HEAD.format(reposted="['(ad']", days="['{duration} later']",
                                   format="{email: [form email]}"))
    with pytest.raises(rd.RuleSetError, match=r"missing '\)'"):
        rd.load_rules(path)


def test_a_phrase_two_observations_claim_is_a_lint_warning(write_rules):
    found = problems(write_rules, reposted="[form email]")
    assert ["26:23: warning: observation 'format': phrase 'form email' reads as 'form email', "
            "like phrase 'form email' (line 7) of 'reposted': a story saying it would set "
            "both; keep it in one [duplicate-phrase]"] == found


def test_a_phrase_that_reads_like_another_of_the_same_observation_is_a_warning(write_rules):
    found = problems(write_rules, reposted="[the ad went back up, ads go back up]")
    assert ["7:36: warning: observation 'reposted': phrase 'ads go back up' reads as "
            "'ad go back up', like phrase 'the ad went back up' (line 7) of the same "
            "observation: remove one [duplicate-phrase]"] == found


def test_the_published_schema_describes_phrases():
    from rejection_diagnosis.loader import schema as published

    phrases = published()["$defs"]["observation"]["properties"]["phrases"]
    assert {"array", "object"} == set(phrases["type"])


@pytest.mark.parametrize(("text", "expected"), [
    ("the ad went back up", (("ad", "go", "back", "up"),)),
    ("[never] heard back", (("never", "hear", "back"), ("hear", "back"))),
    ("(ad|job) reposted", (("ad", "repost"), ("job", "repost"))),
    ("asked ... salary", (("ask", "...", "salari"),)),
    ("{duration} later", (("{duration}", "later"),)),
])
def test_phrases_compile_to_stem_sequences(text, expected):
    assert expected == compile_phrase(text)


@pytest.mark.parametrize("check", [check_phrase, compile_phrase])
def test_a_phrase_with_too_many_alternatives_is_refused(check):
    with pytest.raises(PhraseSyntaxError, match="more than 1024"):
        check("(a1|a2|a3|a4) (b1|b2|b3|b4) (c1|c2|c3|c4) (d1|d2|d3|d4) (e1|e2|e3|e4) "
                       "(f1|f2|f3|f4)")


# Scenarios ---------------------------------------------------------------------------------


def test_story_scenarios_check_what_was_read_and_diagnose_it():
    kb = rd.load_rules(HERE / "story" / "rules.yaml")
    report = run_scenarios(kb, [HERE / "story" / "scenarios"])
    assert [] == [str(r.scenario) for r in report.failed]
    assert () == report.uncovered_phrases


def test_a_story_scenario_fails_with_what_was_read_instead(write_rules):
    kb = rd.load_rules(HERE / "story" / "rules.yaml")
    path = write_rules("""
    scenarios:
      - name: wrong-reading
        story: They never called my references. The no came three weeks later.
        reads:
          references_contacted: true
          posting_reposted: true
        expect: {}
    """, "scenarios.yaml")
    [result] = run_scenarios(kb, [path]).results
    assert [
        'story: references_contacted read as false ("never called my references"), expected '
        "true",
        "story: expected posting_reposted = true to be read, but it was not",
        'story: days_to_rejection = 21 read ("no came three weeks later") but not expected under '
        "'reads:'",
    ] == list(result.failures)


def test_reads_without_a_story_is_a_located_error(write_rules):
    path = write_rules("""
    scenarios:
      - name: no-story
        reads: {posting_reposted: true}
        expect: {}
    """, "scenarios.yaml")
    with pytest.raises(rd.RuleSetError, match=r"scenarios.yaml:4:\d+: .*'reads:' needs a "
                                              "'story:'"):
        load_scenarios(path)


def test_reads_naming_an_unknown_observation_is_a_located_error(write_rules):
    kb = rd.load_rules(HERE / "story" / "rules.yaml")
    path = write_rules("""
    scenarios:
      - name: typo
        story: The ad went back up.
        reads: {posting_repost: true}
        expect: {}
    """, "scenarios.yaml")
    with pytest.raises(rd.RuleSetError, match="posting_repost"):
        run_scenarios(kb, [path])


def test_a_scenario_whose_story_is_only_for_people_does_not_read_it():
    [scenario] = [s for s in load_scenarios(rd.bundled_rules_path() / "scenarios")
                  if s.name == "nothing-known-yet"]
    assert not scenario.reads_story


def test_coverage_lists_the_phrases_no_scenario_story_matched(write_rules, capsys):
    rules = HERE / "story" / "rules.yaml"
    path = write_rules("""
    scenarios:
      - name: one
        story: The ad went back up.
        reads: {posting_reposted: true}
        expect: {top_cause: fit_mismatch}
    """, "scenarios.yaml")
    assert 1 == main(["test", "--rules", str(rules), str(path), "--coverage"])
    out = capsys.readouterr().out
    assert "phrase coverage: 1 of 18 phrases matched by a scenario story (6%)" in out
    assert ("rules.yaml:20:9: warning: phrase '(called|contacted|phoned|rang) (my|the) "
            "references' of 'references_contacted' is matched by no scenario story "
            "[untested-phrase]") in out


@pytest.mark.parametrize("text", [
    "the ad went back up", "(b c|e) d", "[x] y", "(p|q)? r", "{number} (rounds|stages)",
    "asked ... salary", "(x (y|z)|w) v",
])
def test_checking_a_phrase_agrees_with_compiling_it(text):
    shape = check_phrase(text)
    variants = compile_phrase(text)
    assert shape.variants >= len(variants)
    assert shape.min_words == min(sum(1 for p in v if p not in ("...",) and not p.startswith("{"))
                                  for v in variants)


ALSO = """
observations:
  - id: offer
    type: boolean
    description: d
    question: q
    phrases:
      - {{phrase: verbal offer, also: {also}}}
  - {{id: top, type: boolean, description: d, question: q}}
  - {{id: days, type: number, range: [0, 365], description: d, question: q}}
  - {{id: fmt, type: category, values: [call, email], description: d, question: q}}
causes:
  - {{id: c, title: t, description: d}}
rules:
  - id: r
    when: [{{offer: true}}, {{top: true}}, {{days: {{gt: 1}}}}, {{fmt: call}}]
    then: {{cause: c, certainty: 0.5}}
    because: b
"""


def test_a_phrase_can_also_set_other_observations(write_rules):
    kb = rd.load_rules(write_rules(ALSO.format(also="{top: true, days: 3, fmt: call}")))
    assert {"offer": {"value": True, "certainty": 0.7}, "top": {"value": True, "certainty": 0.7},
            "days": {"value": 3, "certainty": 0.7}, "fmt": {"value": "call", "certainty": 0.7}
            } == dict(kb.read_story("I think I got a verbal offer.").observations)
    reading = kb.read_story("There was never a verbal offer.")
    assert {"offer": False} == dict(reading.observations)  # denied words deny only themselves
    assert [] == [d.id for d in reading.denied]


@pytest.mark.parametrize(("also", "expected"), [
    ("{tpo: true}", "8:18: error: observation 'offer': phrase 'verbal offer': 'also:' names "
                    "unknown observation 'tpo' (did you mean 'top'?) [unknown-observation]"),
    ("{offer: true}", "'also:' names 'offer', the observation the phrase is listed under"),
    ("{top: 1}", "'also:' gives 'top', a boolean, 1; use true or false [type-mismatch]"),
    ("{days: 900}", "'also:' gives 'days' 900, outside its range [0, 365] [value-out-of-range]"),
    ("{fmt: letter}", "'also:' gives 'fmt' 'letter', not one of its values; allowed: call, "
                      "email [unknown-category-value]"),
])
def test_also_names_observations_with_values_that_fit_them(write_rules, also, expected):
    found = [f"{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]"
             for p in rd.check_rules(write_rules(ALSO.format(also=also)))]
    assert any(expected in p for p in found), found


STEPS = """
observations:
  - id: days
    type: number
    unit: days
    range: [0, 365]
    description: d
    question: q
    phrases: ['(no|rejection) came {{duration}} later']
  - id: after
    type: category
    values: [test, pay]
    description: d
    question: q
    steps_before: {steps_before}
    phrases:
      test: [{{phrase: presentation, step: true}}]
      pay: [{{phrase: (salary|pay) talk, step: true}}, the no followed the pay talk]
causes:
  - {{id: c, title: C, description: d}}
rules:
  - {{id: r1, when: {{after: test}}, then: {{cause: c, certainty: 0.5}}, because: b}}
  - {{id: r2, when: {{days: {{gt: 1}}}}, then: {{cause: c, certainty: 0.5}}, because: b}}
"""


def test_the_step_named_last_before_a_quick_no_is_the_step_it_followed(write_rules):
    kb = rd.load_rules(write_rules(STEPS.format(steps_before="{days: 2}")))
    story = "We had a salary talk. Then I gave a presentation. The no came two days later."
    assert {"after": {"value": "test", "certainty": 0.8}, "days": 2} == dict(
        kb.read_story(story).observations)
    # A late no, a step named after the no, and the story's own words each leave it alone.
    assert "after" not in kb.read_story("I gave a presentation. The no came ten days later."
                                        ).observations
    assert "pay" == kb.read_story("We had a salary talk. The no came a day later. Then I gave "
                                  "a presentation.").observations["after"]["value"]
    assert "pay" == kb.read_story("I gave a presentation. The no came a day later. The no "
                                  "followed the pay talk.").observations["after"]


@pytest.mark.parametrize(("steps_before", "expected"), [
    ("{dyas: 2}", "observation 'after': steps_before names unknown observation 'dyas' (did "
                  "you mean 'days'?) [unknown-observation]"),
    ("{after: test}", "steps_before names 'after' itself"),
    ("{days: 900}", "'days' 900, outside its range [0, 365] [value-out-of-range]"),
    ("{}", "[schema]"),
])
def test_steps_before_names_an_observation_with_a_value_that_fits(write_rules, steps_before,
                                                                  expected):
    found = [f"{p.line}:{p.column}: {p.severity}: {p.message} [{p.code}]"
             for p in rd.check_rules(write_rules(STEPS.format(steps_before=steps_before)))]
    assert any(expected in p for p in found), found


def test_a_step_phrase_needs_steps_before(write_rules):
    text = STEPS.replace("    steps_before: {steps_before}\n", "").format()
    found = [p.message for p in rd.check_rules(write_rules(text))]
    assert any("a 'step:' phrase needs 'steps_before:'" in p for p in found), found


def test_an_ignore_phrase_sets_aside_words_that_only_look_like_the_observation(write_rules):
    reposted = "[ad went back up, {phrase: 'went back up (to|for) (lunch|the office)', ignore: true}]"
    kb = rd.load_rules(write_rules(HEAD.format(reposted=reposted, days="['{duration} later']",
                                               format="{email: [form email], call: [rang me]}")))
    reading = kb.read_story("The ad went back up to the office wall. Two days later, a form email.")
    assert {"days": 2, "format": "email"} == dict(reading.observations)
    assert [("went back up to the office", "went back up (to|for) (lunch|the office)")] == [
        (s.text, s.phrase) for s in reading.set_aside]
    assert {"reposted": True} == dict(kb.read_story("The ad went back up.").observations)


def test_an_ignore_phrase_takes_no_also_or_step(write_rules):
    reposted = "[{phrase: ad went back up, ignore: true, also: {days: 3}}]"
    found = problems(write_rules, reposted=reposted)
    assert any("an 'ignore:' phrase sets nothing, so it takes no 'also:' or 'step:'" in p
               for p in found), found
