"""Checklists: declared in rule files, validated with locations, asked as one question."""

from __future__ import annotations

import pytest
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis.consultation import AnswerError, parse_ticks

CHECKLIST = """
version: 1
checklists:
  - id: signs
    question: Which of these happened?
    items: [reposted, flag]
    unticked: {unticked}
"""

FLAG = """
version: 1
observations:
  - {id: flag, type: boolean, description: A flag was raised., question: 'Was a flag raised?'}
rules:
  - id: flag-fit
    when: {flag: true}
    then: {cause: fit, certainty: 0.4}
    because: Flags mean fit.
"""


@pytest.fixture
def kb_with(write_rules):
    def make(unticked: str = '"no"') -> rd.KnowledgeBase:
        return rd.load_rules(write_rules(TINY, "tiny.yaml"), write_rules(FLAG, "flag.yaml"),
                             write_rules(CHECKLIST.format(unticked=unticked), "lists.yaml"))

    return make


class TestLoading:
    def test_a_checklist_is_read_with_its_items_and_meaning_of_unticked(self, kb_with):
        checklist = kb_with().checklists["signs"]
        assert ("Which of these happened?", ("reposted", "flag"), "no") == (
            checklist.question, checklist.items, checklist.unticked)

    def test_unticked_defaults_to_unknown(self, write_rules):
        text = CHECKLIST.replace("    unticked: {unticked}\n", "")
        kb = rd.load_rules(write_rules(TINY, "tiny.yaml"), write_rules(FLAG, "flag.yaml"),
                           write_rules(text, "lists.yaml"))
        assert "unknown" == kb.checklists["signs"].unticked

    def test_the_bundled_checklists_load_and_list_only_boolean_observations(self):
        kb = rd.load_rules()
        assert len(kb.checklists) >= 3
        assert all(kb.observations[i].type == "boolean" for c in kb.checklists.values()
                   for i in c.items)

    def test_an_unknown_or_non_boolean_item_is_a_located_error(self, write_rules):
        bad = write_rules("""
            version: 1
            checklists:
              - id: signs
                question: Which?
                items: [reposted, days, repostd]
            """, "lists.yaml")
        problems = rd.check_rules(write_rules(TINY, "tiny.yaml"), bad)
        errors = [(p.line, p.column, p.code, p.message) for p in problems
                  if p.severity == "error"]
        assert [
            (6, 23, "checklist-item-type", "checklist 'signs': item 'days' is a number "
             "observation; a checklist ticks yes/no observations only (ask it as a question "
             "of its own)"),
            (6, 29, "unknown-reference", "checklist 'signs': unknown observation 'repostd' "
             "(did you mean 'reposted'?); a checklist lists observation ids declared under "
             "'observations:'"),
        ] == errors

    def test_a_bare_no_for_unticked_is_a_schema_error_at_its_place(self, write_rules):
        bad = write_rules(CHECKLIST.format(unticked="no"), "lists.yaml")
        problems = rd.check_rules(write_rules(TINY, "tiny.yaml"), write_rules(FLAG, "flag.yaml"),
                                  bad)
        assert [(7, 15, "bad-value")] == [(p.line, p.column, p.code) for p in problems
                                          if p.severity == "error"]

    def test_a_checklist_id_may_not_be_an_observation_id(self, write_rules):
        bad = write_rules("""
            version: 1
            checklists:
              - {id: reposted, question: Which?, items: [reposted, reposted_too]}
            observations:
              - {id: reposted_too, type: boolean, description: x., question: 'x?'}
            """, "lists.yaml")
        problems = rd.check_rules(write_rules(TINY, "tiny.yaml"), bad)
        assert ["duplicate-id"] == [p.code for p in problems if p.severity == "error"]


class TestConsultation:
    def test_a_checklist_is_proposed_as_one_question_with_its_open_items(self, kb_with):
        consultation = rd.Consultation(kb_with(), stop="guaranteed")
        question = next(q for q in consultation.questions(10) if q.checklist == "signs")
        assert ("signs", ("reposted", "flag")) == (question.observation, question.items)

    def test_ticking_answers_every_item_in_one_step(self, kb_with):
        consultation = rd.Consultation(kb_with())
        consultation.tick("signs", ["flag"])
        assert (1, {"flag": True, "reposted": False}) == (consultation.asked, consultation.case())

    def test_unticked_items_stay_unknown_when_the_checklist_says_so(self, kb_with):
        consultation = rd.Consultation(kb_with("unknown"))
        consultation.tick("signs", ["flag"])
        assert ({"flag": True}, frozenset({"reposted"})) == (consultation.case(),
                                                              consultation.dont_know())

    def test_a_denied_item_is_no_whatever_the_checklist_says(self, kb_with):
        consultation = rd.Consultation(kb_with("unknown"))
        consultation.tick("signs", [], denied=["reposted"])
        assert {"reposted": False} == consultation.case()

    def test_back_undoes_the_whole_checklist(self, kb_with):
        consultation = rd.Consultation(kb_with())
        consultation.tick("signs", ["flag"])
        consultation.back()
        assert (0, {}) == (consultation.asked, consultation.case())

    def test_replay_ticks_what_the_case_says(self, kb_with):
        consultation = rd.Consultation(kb_with("unknown"), stop="guaranteed")
        asked = consultation.replay({"flag": True, "reposted": False, "feedback": "none"})
        assert "signs" in asked
        assert {"flag": True, "reposted": False} == {
            k: v for k, v in consultation.case().items() if k in ("flag", "reposted")}

    def test_a_stray_item_is_refused(self, kb_with):
        with pytest.raises(rd.ObservationError, match="not an item of checklist 'signs'"):
            rd.Consultation(kb_with()).tick("signs", ["days"])


class TestParseTicks:
    ITEMS = tuple(rd.load_rules().observations[i] for i in ("posting_reposted", "went_silent",
                                                       "offer_withdrawn"))
    LABELS = ("The ad went back up", "They went silent", "The offer was withdrawn")

    @pytest.mark.parametrize(("text", "expected"), [
        ("1 3", (["posting_reposted", "offer_withdrawn"], [])),
        ("1, not 2", (["posting_reposted"], ["went_silent"])),
        ("they went silent", (["went_silent"], [])),
        ("none", ([], [])),
    ])
    def test_numbers_labels_and_denials(self, text, expected):
        assert expected == parse_ticks(self.ITEMS, self.LABELS, text)

    def test_an_unknown_part_says_how_to_answer(self):
        with pytest.raises(AnswerError, match="'7' is not one of the items"):
            parse_ticks(self.ITEMS, self.LABELS, "1 7")
