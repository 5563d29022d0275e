"""The story reader: phrases found in plain text, negation, hedges, numbers, conflicts, spans
and bad input (tests/story/rules.yaml is the small rule set it reads with)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import rejection_diagnosis as rd
from rejection_diagnosis.story import Reading

HERE = Path(__file__).parent
kb = rd.load_rules(HERE / "story" / "rules.yaml")


def read(text: str) -> dict[str, object]:
    return dict(kb.read_story(text).observations)


# Phrases -----------------------------------------------------------------------------------


def test_a_phrase_sets_its_observation():
    assert {"posting_reposted": True} == read("A week on, the ad went back up.")


def test_phrases_match_other_forms_of_their_words():
    assert {"references_contacted": True} == read("They were contacting my references.")
    assert {"references_contacted": True} == read("My references got called.")


def test_a_phrase_allows_a_few_other_words_between_its_words():
    assert {"posting_reposted": True} == read("The job in Leeds was reposted.")


def test_a_phrase_does_not_reach_across_punctuation():
    assert {} == read("I went to the ad, back up the hill.")


def test_a_category_phrase_sets_its_value():
    assert {"rejection_format": "generic_email"} == read("It was a standard rejection.")


def test_a_longer_phrase_wins_over_one_inside_it(write_rules):
    rules = write_rules("""
    observations:
      - id: format
        type: category
        values: [email, form_email]
        description: d
        question: q
        phrases:
          email: [rejection email]
          form_email: [generic rejection email]
    """)
    assert {"format": "form_email"} == dict(rd.load_rules(rules).read_story(
        "A generic rejection email came.").observations)


def test_of_two_overlapping_phrases_saying_otherwise_the_later_one_stands(write_rules):
    rules = write_rules("""
    observations:
      - id: went_well
        type: boolean
        description: d
        question: q
        phrases:
          - every meeting went well
          - {phrase: went well until, value: false}
    """)
    reading = rd.load_rules(rules).read_story(
        "Every meeting went well until the final one with the dean.")
    assert ({"went_well": False}, ()) == (dict(reading.observations), reading.conflicts)


def test_overlapping_phrases_of_two_observations_both_stand():
    assert {"days_to_rejection": 2, "rejection_format": "phone_call"} == read(
        "The no came two days later. They rang me to say so.") | read(
        "They rang me to say the no came two days later.")


# Negation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "They never called my references.",
    "No one contacted my references.",
    "Not once did they call my references.",
    "They didn't call my references.",
    "They did not contact the references.",
    "Nobody phoned my references.",
])
def test_negation_gives_the_opposite_of_a_boolean(text):
    reading = kb.read_story(text)
    assert {"references_contacted": False} == dict(reading.observations)
    assert reading.items[0].negated


def test_negation_ends_at_a_new_clause():
    assert {"references_contacted": False, "posting_reposted": True} == read(
        "They never called my references, but the ad went back up.")
    assert {"references_contacted": False, "posting_reposted": True} == read(
        "They didn't call my references and the ad went back up.")


def test_negation_reaches_only_a_few_words():
    assert {"internal_candidate_mentioned": True} == read(
        "No feedback at all from the panel or the recruiter or HR about the internal "
        "candidate.")


def test_words_that_only_look_like_negation_do_not_negate():
    assert {"posting_reposted": True} == read("Not long after, the ad went back up.")
    assert {"days_to_rejection": 1} == read("They said no the next day.")


def test_a_denied_category_value_is_reported_without_a_value():
    reading = kb.read_story("They didn't ring me to say anything.")
    assert {} == dict(reading.observations)
    assert [("rejection_format", "phone_call")] == [(d.id, d.value) for d in reading.denied]


# Hedges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "certainty"), [
    ("I think someone inside applied.", 0.7),
    ("Maybe someone inside applied.", 0.5),
    ("It seemed someone inside applied.", 0.7),
    ("Someone inside applied, I think.", 0.7),
    ("Someone inside applied.", 1.0),
])
def test_hedges_lower_the_certainty(text, certainty):
    item = kb.read_story(text).get("internal_candidate_mentioned")
    assert item is not None
    assert certainty == item.certainty
    expected = True if certainty == 1 else {"value": True, "certainty": certainty}
    assert {"internal_candidate_mentioned": expected} == read(text)


def test_a_hedge_and_a_negation_together_give_an_uncertain_no():
    assert {"references_contacted": {"value": False, "certainty": 0.7}} == read(
        "I think they never called my references.")


def test_a_phrase_can_carry_its_own_certainty():
    assert {"internal_candidate_mentioned": {"value": True, "certainty": 0.6}} == read(
        "There was a rumour of an internal hire.")


def test_a_hedge_does_not_cross_but():
    assert {"internal_candidate_mentioned": True, "posting_reposted": True} == read(
        "I think the ad went back up, but someone inside applied.") | {
        "posting_reposted": True}


# Numbers and durations ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "days"), [
    ("The no came three weeks later.", 21),
    ("The answer came 10 days later.", 10),
    ("The rejection came a couple of days later.", 2),
    ("The decision came a fortnight later.", 14),
    ("The no came a month later.", 30),
    ("The no came two and a half weeks later.", 17.5),
    ("The no came twenty-one days later.", 21),
    ("The no came twenty one days later.", 21),
    ("They called the next day to say no.", 1),
])
def test_durations_in_words_fill_a_number_in_its_unit(text, days):
    assert {"days_to_rejection": days} == read(text)


def test_more_than_is_read_as_a_lower_bound():
    item = kb.read_story("The no came more than a week later.").get("days_to_rejection")
    assert item is not None
    assert (8, "more_than") == (item.value, item.bound)
    assert item.certainty < 1
    assert 7 == kb.read_story("I heard back after at least a week.").items[0].value


def test_numbers_in_words_fill_counts():
    assert {"interview_rounds": 3} == read("Three rounds in all.")
    assert {"interview_rounds": 4} == read("After 4 interviews I was sure.")


def test_a_number_joined_to_its_word_is_read_as_the_number_and_the_word():
    bundled = rd.load_rules()

    def read_bundled(text: str) -> dict[str, object]:
        return dict(bundled.read_story(text).observations)

    # A panel is also a group that decides (vocabulary v7), a suggestion only.
    assert {"interviewer_count": 4, "decided_by_group": {"value": True, "certainty": 0.6}} \
        == read_bundled("I faced a four-person panel.")
    assert {"employment_status": "freelance_or_temp"} == read_bundled(
        "I was on a six-month contract.")
    assert {"days_to_rejection": 21} == read("The no came twenty-one days later.")
    item = bundled.read_story("I faced a four-person panel.").get("interviewer_count")
    assert item is not None and item.spans[0].text == "four-person panel"


def test_ordinals_count_up_to_the_highest_not_a_conflict():
    bundled = rd.load_rules()
    reading = bundled.read_story("The first interview went fine. The second interview was "
                                 "with the director.")
    assert reading.observations["interview_rounds"] == 2
    assert not reading.conflicts
    # A count above an ordinal is the total; an ordinal above every count may be a round
    # only planned ("invited me to a third"): a conflict, not a guess.
    reading = bundled.read_story("The first interview went fine. Four interviews in all.")
    assert reading.observations["interview_rounds"] == 4
    reading = bundled.read_story("I had two interviews. Then they invited me to a third "
                                 "interview.")
    assert "interview_rounds" not in reading.observations


def test_very_is_a_word_a_phrase_can_ask_for():
    bundled = rd.load_rules()
    assert bundled.read_story("I was disappointed.").observations["distress_level"] == {
        "value": 4, "certainty": 0.5}
    assert bundled.read_story("I was very disappointed.").observations["distress_level"] == {
        "value": 6, "certainty": 0.5}
    # ... and still only one of the few words a phrase lets through.
    assert {"posting_reposted": True} == read("The ad was very quickly reposted.")


def test_a_duration_in_another_clause_is_not_the_wait_for_the_no():
    bundled = rd.load_rules()
    assert {"posting_reposted": True} == dict(
        bundled.read_story("The ad went back up a week later.").observations)
    assert {"posting_reposted": True} == dict(
        bundled.read_story("A week later the ad went back up.").observations)
    assert {"days_to_rejection": 14} == dict(
        bundled.read_story("Two weeks later they rejected me.").observations)


def test_a_number_outside_the_range_is_not_read():
    assert {} == read("Forty rounds of interviews.")


def test_a_negated_number_is_not_used():
    reading = kb.read_story("It was not three rounds.")
    assert {} == dict(reading.observations)
    assert ["interview_rounds"] == [d.id for d in reading.denied]


# Conflicts ---------------------------------------------------------------------------------


def test_an_observation_asserted_and_denied_is_a_conflict_not_a_guess():
    reading = kb.read_story("Someone inside applied. No one mentioned an internal candidate.")
    assert {} == dict(reading.observations)
    assert [("internal_candidate_mentioned", [True, False])] == [
        (c.id, [r.value for r in c.readings]) for c in reading.conflicts]


def test_two_values_of_a_category_are_a_conflict():
    reading = kb.read_story("A form email came. Then they rang me to say sorry.")
    assert ["rejection_format"] == [c.id for c in reading.conflicts]


def test_the_same_value_said_twice_is_one_reading_with_two_spans():
    reading = kb.read_story("The ad went back up. Yes, the job was reposted.")
    assert 1 == len(reading.items)
    assert ["ad went back up", "job was reposted"] == [s.text for s in reading.items[0].spans]


def test_a_denied_category_value_that_is_also_asserted_is_a_conflict():
    reading = kb.read_story("They rang me to say no. They never rang me to say anything.")
    assert ["rejection_format"] == [c.id for c in reading.conflicts]


# Spans and what was not read ---------------------------------------------------------------


def test_spans_give_the_offsets_and_the_phrase_that_matched():
    text = "Well. They never called my references."
    span = kb.read_story(text).items[0].spans[0]
    assert "never called my references" == text[span.start:span.end] == span.text
    assert "(called|contacted|phoned|rang) (my|the) references" == span.phrase
    assert span.location.path.endswith("rules.yaml") and span.location.line > 0


def test_sentences_nothing_matched_are_listed():
    reading = kb.read_story("I loved the office. The ad went back up! The coffee was good.")
    assert ("I loved the office.", "The coffee was good.") == reading.unmatched_sentences


def test_a_reading_is_plain_data():
    reading = kb.read_story("I think someone inside applied. The no came 3 weeks later.")
    data = reading.to_dict()
    assert {"internal_candidate_mentioned": {"value": True, "certainty": 0.7},
            "days_to_rejection": 21} == data["observations"]
    assert ["i think"] == data["items"][0]["hedges"]
    assert {"start", "end", "text", "phrase", "location"} == set(data["items"][0]["spans"][0])


def test_the_observations_read_are_a_case_to_diagnose():
    reading = kb.read_story("I think someone inside applied.")
    assert "internal_candidate" == kb.diagnose(reading.observations).top_cause.id


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t ", "\n\n"])
def test_an_empty_story_reads_nothing(text):
    reading = kb.read_story(text)
    assert ({}, "") == (dict(reading.observations), reading.refusal)
    assert reading.notes


def test_a_story_that_is_too_long_is_refused_quickly():
    start = time.perf_counter()
    reading = kb.read_story("The ad went back up. " * 50_000)  # about 1 MB
    assert time.perf_counter() - start < 0.5
    assert {} == dict(reading.observations)
    assert "at most 100,000" in reading.refusal


def test_a_long_story_under_the_limit_is_read_in_bounded_time():
    start = time.perf_counter()
    reading = kb.read_story("They never called my references and I waited. " * 2000)
    assert time.perf_counter() - start < 5
    assert {"references_contacted": False} == dict(reading.observations)


def test_binary_is_refused():
    reading = kb.read_story(bytes(range(256)).decode("latin-1") * 4)
    assert "not look like text" in reading.refusal


def test_control_characters_are_read_as_spaces():
    reading = kb.read_story("The ad\x00went\x07back up.")
    assert {"posting_reposted": True} == dict(reading.observations)
    assert any("control" in n for n in reading.notes)


def test_another_language_reads_nothing_and_says_why():
    reading = kb.read_story("Ils n'ont jamais appelé mes références. L'annonce est revenue "
                            "en ligne trois semaines plus tard.")
    assert {} == dict(reading.observations)
    assert any("English" in n for n in reading.notes)


def test_bytes_are_a_type_error():
    with pytest.raises(TypeError, match="str"):
        kb.read_story(b"the ad went back up")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_reads_without_error_and_spans_lie_inside_it(text):
    reading = kb.read_story(text)
    assert isinstance(reading, Reading)
    for item in [*reading.items, *reading.denied, *(r for c in reading.conflicts
                                                    for r in c.readings)]:
        assert 0 < item.certainty <= 1
        for span in item.spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start:span.end] == span.text
    kb.diagnose(reading.observations)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([
    "The ad went back up.", "They never called my references.", "I think someone inside "
    "applied.", "Three rounds.", "The no came two weeks later.", "It was a form email.",
    "The coffee was fine."]), max_size=6))
def test_the_reading_does_not_depend_on_the_order_of_sentences(parts):
    forward = dict(kb.read_story(" ".join(parts)).observations)
    backward = dict(kb.read_story(" ".join(reversed(parts))).observations)
    assert forward == backward


def test_reading_is_deterministic():
    text = "I think someone inside applied. They never called my references."
    assert kb.read_story(text) == kb.read_story(text)


def test_importing_the_library_and_diagnosing_do_not_import_the_reader():
    code = ("import sys, rejection_diagnosis as rd; a = 'rejection_diagnosis.story' in "
            "sys.modules; rd.diagnose({'posting_reposted': True}); "
            "print(a, 'rejection_diagnosis.story.reader' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "False False" == out.stdout.strip()


def test_fixed_numbers_read_as_a_scale_and_the_highest_wins(write_rules):
    rules = write_rules("""
    observations:
      - id: distress
        type: number
        range: [0, 10]
        description: d
        question: q
        phrases:
          - {phrase: upset, value: 6}
          - {phrase: devastated, value: 8}
          - "distress of {number}"
    """)
    kb_scale = rd.load_rules(rules)
    assert {"distress": 8} == dict(kb_scale.read_story("Upset, then devastated.").observations)
    reading = kb_scale.read_story("A distress of 3. A distress of 5.")
    assert ["distress"] == [c.id for c in reading.conflicts]


def test_durations_convert_to_months_and_weeks(write_rules):
    rules = write_rules("""
    observations:
      - id: months
        type: number
        unit: months
        description: d
        question: q
        phrases: ["searching for {duration}"]
      - id: weeks
        type: number
        unit: weeks
        description: d
        question: q
        phrases: ["notice of {duration}"]
    """)
    kb_units = rd.load_rules(rules)
    assert {"months": 24} == dict(kb_units.read_story("Searching for two years.").observations)
    assert {"weeks": 2} == dict(kb_units.read_story("A notice of a fortnight.").observations)


def test_the_reading_types_are_exported_lazily():
    import rejection_diagnosis.story as story

    assert (story.Reading, story.ReadObservation, story.Span, story.Conflict) == (
        rd.Reading, rd.ReadObservation, rd.Span, rd.Conflict)
    assert isinstance(kb.read_story("The ad went back up."), rd.Reading)


def test_denying_the_words_does_not_deny_what_they_only_implied():
    import rejection_diagnosis as rd

    reading = rd.load_rules().read_story("They never called my references.")
    assert {"references_contacted": False} == dict(reading.observations)


BUNDLED = rd.load_rules()


def test_what_another_phrase_implies_gives_way_to_the_storys_own_words():
    # "went silent" implies no one told the no; the form email says how it came.
    reading = BUNDLED.read_story("They went silent for two weeks, then a form email came.")
    assert (True, "generic_email", ()) == (reading.observations.get("went_silent"),
                                           reading.observations.get("rejection_format"),
                                           reading.conflicts)


@pytest.mark.parametrize("text", ["The recruiter went silent after the final round.",
                                  "They ghosted me.", "I am still waiting to hear back."])
def test_silence_with_no_answer_at_all_reads_never_told(text):
    assert "never_told" == BUNDLED.read_story(text).observations.get("rejection_format")


def test_a_duration_later_than_something_is_a_delay_not_the_wait():
    assert "days_to_rejection" not in BUNDLED.read_story(
        "The decision came three days later than promised.").observations
    assert 3 == BUNDLED.read_story("The decision came three days later.").observations[
        "days_to_rejection"]


def test_words_the_stemmer_keeps_whole_do_not_meet_shorter_words():
    from rejection_diagnosis.story._text import stem

    assert ("news", "new", "process") == (stem("news"), stem("new"), stem("process"))
    # "the new AP" is not news of the decision
    assert "days_to_rejection" not in BUNDLED.read_story(
        "A meeting announcing the new AP was held the same day.").observations


def test_a_word_said_twice_for_emphasis_does_not_end_the_phrase():
    assert BUNDLED.read_story("The interview went really, really well.").observations[
        "interview_felt_great"] is True
    assert "interview_felt_great" not in BUNDLED.read_story(
        "The interview went, well, badly.").observations


def test_a_hyphenated_word_is_read_as_its_parts():
    # written "reference check stage" in the rule file
    assert {"references_contacted": True, "references_requested": True} == dict(
        BUNDLED.read_story("The no came right after the reference-check stage.").observations)


def test_a_phrase_does_not_cut_a_hyphenated_word_in_two():
    # "interview ... well" is not in "a well-known firm"
    assert "interview_felt_great" not in BUNDLED.read_story(
        "Six interview rounds at a well-known firm.").observations


def test_what_another_observations_negated_phrase_is_about_is_not_denied():
    # "never worked in" is about her; the employer may or may not be public
    reading = BUNDLED.read_story("She had never worked in the public sector.")
    assert "public_sector_employer" not in reading.observations
    assert "public_sector_employer" not in {d.id for d in reading.denied}
    # a negation of its own still denies
    assert BUNDLED.read_story("It was not a public sector job.").observations[
        "public_sector_employer"] is False


@pytest.mark.parametrize("text", [
    "The manager was about to offer me the job.",
    "The offer would follow once the background check cleared.",
])
def test_what_was_only_about_to_happen_is_not_read(text):
    reading = BUNDLED.read_story(text)
    assert ("offer_withdrawn" not in reading.observations
            and "checks_passed" not in reading.observations)


def test_the_agency_contact_is_not_the_agency_contacting_you():
    assert "approached_by_company" not in BUNDLED.read_story(
        "The result came through the agency contact.").observations
    assert BUNDLED.read_story("The agency contacted me.").observations[
        "approached_by_company"] is True


def test_a_companys_bankruptcy_is_not_a_mark_on_your_record():
    reading = BUNDLED.read_story("Days later the retailer filed for Chapter 11 bankruptcy.")
    assert (True, None) == (reading.observations.get("company_in_trouble_signs"),
                            reading.observations.get("record_issue"))


@pytest.mark.parametrize(("text", "absent"), [
    ("I had a gut feeling about it.", "distress_level"),
    ("I asked to move the start date to after my vacation.", "would_need_to_relocate"),
    ("I applied about a month earlier.", "months_searching"),
    ("The position was reposted and opened to external candidates.", "who_was_hired"),
    ("He called it unofficial good news.", "interview_felt_great"),
    ("My listed references and resume are solid.", "checks_passed"),
])
def test_words_that_only_resemble_a_phrase_set_nothing(text, absent):
    assert absent not in BUNDLED.read_story(text).observations
