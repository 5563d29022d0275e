"""Consultation: next questions, settledness, how / why not / why, what-if, the state machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import cases

import rejection_diagnosis as rd
from rejection_diagnosis import consult
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios

BUNDLED = rd.load_rules()
SCENARIOS = load_scenarios(bundled_rules_path() / "scenarios")


def _ids(questions: tuple[rd.Question, ...]) -> list[str]:
    return [q.observation for q in questions]


def _top(dx: rd.Diagnosis) -> str | None:
    return dx.top_cause.id if dx.top_cause else None


def _cases(kb: rd.KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    return cases(kb, max_size=8)


# next_questions ------------------------------------------------------------------------------


class TestNextQuestions:
    def test_ranks_answers_that_change_the_leading_cause_first(self, tiny_kb):
        assert ["feedback", "reposted", "days"] == _ids(tiny_kb.next_questions({}))

    def test_k_limits_the_number_of_questions(self, tiny_kb):
        assert ["feedback"] == _ids(tiny_kb.next_questions({}, k=1))

    def test_never_proposes_an_observation_whose_answer_cannot_change_anything(self, tiny_kb):
        # reposted = true blocks the only rule through which days reaches a cause.
        assert ["feedback"] == _ids(tiny_kb.next_questions({"reposted": True}))

    def test_never_proposes_what_the_person_does_not_know(self, tiny_kb):
        assert ["reposted", "days"] == _ids(tiny_kb.next_questions({}, dont_know=["feedback"]))

    def test_never_proposes_what_is_already_known(self, tiny_kb):
        assert "reposted" not in _ids(tiny_kb.next_questions({"reposted": False}))

    def test_question_carries_text_allowed_answers_and_reason(self, tiny_kb):
        q = tiny_kb.next_questions({}, k=1)[0]
        assert ("feedback", "What did the feedback say?", ("none", "skills", "culture"),
                "could make fit the leading cause") == (q.observation, q.question, q.answers,
                                                        q.reason)

    def test_reason_names_causes_raised_and_lowered(self, tiny_kb):
        q = tiny_kb.next_questions({}, k=2)[1]
        assert "could make fit the leading cause or lower budget" == q.reason

    def test_a_question_that_matters_only_with_other_answers_says_so(self, tiny_kb):
        q = tiny_kb.next_questions({})[2]
        assert ("days", 0, 0.0, "could matter together with other answers (rules about budget)") \
            == (q.observation, q.order_change, q.certainty_change, q.reason)

    def test_effects_list_each_distinct_answer_with_the_changes(self, tiny_kb):
        q = tiny_kb.next_questions({}, k=2)[1]
        yes = next(e for e in q.effects if e.answer is True)
        assert [("budget", 0.0, -0.6), ("fit", 0.0, 0.5)] == [
            (c.id, c.before, c.after) for c in yes.changes]

    def test_numbers_are_probed_once_per_interval_the_rules_distinguish(self, tiny_kb):
        q = next(q for q in tiny_kb.next_questions({"reposted": False}) if q.observation == "days")
        assert [20.0, 22.0] == [e.answer for e in q.effects]

    def test_text_shows_question_allowed_answers_and_reason(self, tiny_kb):
        text = tiny_kb.next_questions({}, k=1)[0].text()
        assert "What did the feedback say?" in text
        assert "could make fit the leading cause" in text

    def test_unknown_dont_know_id_is_an_observation_error(self, tiny_kb):
        with pytest.raises(rd.ObservationError, match="did you mean 'feedback'"):
            tiny_kb.next_questions({}, dont_know=["feedbak"])

    def test_negative_k_is_refused(self, tiny_kb):
        with pytest.raises(ValueError, match="k must be"):
            tiny_kb.next_questions({}, k=-1)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_each_effect_is_exactly_what_the_engine_diagnoses(self, data):
        # The probes re-evaluate only the rules an answer reaches; they must agree with the
        # engine to the last bit, both certainties and the order of the leading causes.
        case = data.draw(_cases(BUNDLED))
        for q in BUNDLED.next_questions(case, k=4):
            for effect in q.effects:
                after = BUNDLED.what_if(case, {q.observation: effect.answer})
                assert (after.differences, tuple(c.id for c in after.after.causes[:1])) == (
                    effect.changes, effect.leading)


# Settledness and bounds ---------------------------------------------------------------------


class TestBounds:
    def test_nothing_known_leaves_every_cause_open(self, tiny_kb):
        assert {"fit": (0.0, 0.85), "budget": (-0.6, 0.4), "slow": (0.0, 0.8)} == {
            k: (round(lo, 9), round(hi, 9)) for k, (lo, hi) in consult.bounds(tiny_kb, {}).items()}

    def test_everything_known_gives_the_exact_certainties(self, tiny_kb):
        case = {"reposted": False, "days": 30, "feedback": "none"}
        dx = tiny_kb.diagnose(case)
        assert {c.id: (c.certainty, c.certainty) for c in dx.considered} == {
            k: v for k, v in consult.bounds(tiny_kb, case).items() if k in tiny_kb.causes}

    def test_settled_when_no_answers_could_overtake_the_leading_cause(self, tiny_kb):
        assert consult.settled(tiny_kb, {"reposted": True})

    def test_not_settled_while_another_cause_could_overtake(self, tiny_kb):
        assert not consult.settled(tiny_kb, {"reposted": False, "days": 30})

    def test_dont_know_closes_a_question(self, tiny_kb):
        assert consult.settled(tiny_kb, {"reposted": False, "days": 30}, dont_know=["feedback"])

    @pytest.mark.parametrize("kb_name", ["tiny", "bundled"])
    @settings(max_examples=60, deadline=None, suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_every_completion_of_a_case_stays_within_its_bounds(self, kb_name, tiny_kb, data):
        kb = tiny_kb if kb_name == "tiny" else BUNDLED
        case = data.draw(_cases(kb))
        extra = data.draw(_cases(kb))
        dont_know = data.draw(st.lists(st.sampled_from(sorted(kb.observations)), max_size=4))
        ranges = consult.bounds(kb, case, dont_know=dont_know)
        completed = {**{k: v for k, v in extra.items() if k not in dont_know}, **case}
        for c in kb.diagnose(completed).considered:
            lo, hi = ranges.get(c.id, (0.0, 0.0))
            assert lo - 1e-9 <= c.certainty <= hi + 1e-9, (c.id, c.certainty, lo, hi)


# The consultation reaches the diagnosis of the full case --------------------------------------


def _guaranteed(kb: rd.KnowledgeBase, **options: Any) -> rd.Consultation:
    # The guaranteed stop, asking one observation at a time (a checklist's unticked items
    # stay unknown, which a case that says "no" would not).
    return rd.Consultation(kb, stop="guaranteed", max_questions=None, checklists=False,
                           **options)


def _replayed_top(kb: rd.KnowledgeBase, observations: dict[str, Any]) -> tuple[str | None, int]:
    consultation = _guaranteed(kb)
    asked = consultation.replay(observations)
    return _top(consultation.diagnosis()), len(asked)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_consultation_of_a_bundled_scenario_reaches_its_leading_cause(scenario):
    top, _ = _replayed_top(BUNDLED, dict(scenario.observations))
    assert _top(BUNDLED.diagnose(scenario.observations)) == top


def test_bundled_scenarios_exist_for_the_consultation_test():
    assert len(SCENARIOS) >= 25


EXAMPLE_RULES = Path(__file__).resolve().parents[1] / "examples" / "custom_rules"
EXAMPLE_KB = rd.load_rules(bundled_rules_path(), EXAMPLE_RULES)


@pytest.mark.parametrize("scenario", load_scenarios(EXAMPLE_RULES / "scenarios"),
                         ids=lambda s: s.name)
def test_consultation_on_an_extended_rule_set_reaches_its_leading_cause(scenario):
    top, _ = _replayed_top(EXAMPLE_KB, dict(scenario.observations))
    assert _top(EXAMPLE_KB.diagnose(scenario.observations)) == top


@settings(max_examples=100, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_with_lead_two_the_first_two_causes_are_those_of_the_full_case(tiny_kb, data):
    case = data.draw(_cases(tiny_kb))
    consultation = _guaranteed(tiny_kb, lead=2)
    consultation.replay(case)
    assert [c.id for c in tiny_kb.diagnose(case).causes[:2]] == [
        c.id for c in consultation.diagnosis().causes[:2]]


@pytest.mark.parametrize("scenario", SCENARIOS[::8], ids=lambda s: s.name)
def test_with_lead_two_a_bundled_consultation_settles_the_first_two_causes(scenario):
    consultation = _guaranteed(BUNDLED, lead=2)
    consultation.replay(scenario.observations)
    assert [c.id for c in BUNDLED.diagnose(scenario.observations).causes[:2]] == [
        c.id for c in consultation.diagnosis().causes[:2]]
    # Settling the first two causes settles the first one.
    assert not consultation.settled() or consult.settled(
        BUNDLED, consultation.case(), dont_know=consultation.dont_know(), lead=1)


@settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_consultation_of_any_tiny_case_reaches_its_leading_cause(tiny_kb, data):
    case = data.draw(_cases(tiny_kb))
    top, asked = _replayed_top(tiny_kb, case)
    assert _top(tiny_kb.diagnose(case)) == top
    assert asked <= len(tiny_kb.observations)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_consultation_of_any_bundled_case_reaches_its_leading_cause(data):
    case = data.draw(_cases(BUNDLED))
    assert _top(BUNDLED.diagnose(case)) == _replayed_top(BUNDLED, case)[0]


# The state machine ------------------------------------------------------------------------------


class TestConsultation:
    def test_asks_the_most_useful_question_first(self, tiny_kb):
        assert "feedback" == rd.Consultation(tiny_kb).next_question().observation

    def test_stops_once_the_leading_cause_is_settled(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.answer("feedback", "culture")
        consultation.answer("reposted", True)
        assert (None, True) == (consultation.next_question(), consultation.settled())

    def test_dont_know_moves_on_and_is_not_asked_again(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.skip("feedback")
        assert ("reposted", frozenset({"feedback"})) == (
            consultation.next_question().observation, consultation.dont_know())

    def test_back_undoes_the_last_answer(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.skip("feedback")
        consultation.answer("reposted", False)
        assert ("reposted", "reposted") == (consultation.back(),
                                            consultation.next_question().observation)

    def test_back_with_nothing_answered_returns_none(self, tiny_kb):
        assert rd.Consultation(tiny_kb).back() is None

    def test_answering_again_replaces_the_answer(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.answer("reposted", True)
        consultation.answer("reposted", False, 0.5)
        assert {"reposted": {"value": False, "certainty": 0.5}} == consultation.case()

    def test_case_is_what_diagnose_reads(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.answer("days", 30.0)
        consultation.answer("reposted", False)
        consultation.skip("feedback")
        assert {"days": 30, "reposted": False} == consultation.case()
        assert tiny_kb.diagnose(consultation.case()) == consultation.diagnosis()

    def test_invalid_answer_is_an_observation_error(self, tiny_kb):
        with pytest.raises(rd.ObservationError, match="'days' must be a number from 0 to 365"):
            rd.Consultation(tiny_kb).answer("days", 400)

    def test_replay_answers_dont_know_for_absent_ids(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        assert ("feedback", "reposted", "days") == consultation.replay({"days": 30,
                                                                       "reposted": False})
        assert frozenset({"feedback"}) == consultation.dont_know()

    def test_why_lists_the_rules_the_question_feeds(self, tiny_kb):
        why = rd.Consultation(tiny_kb).why("days")
        assert [("slow-process", "finding", "slow", ("budget",), True)] == [
            (u.rule_id, u.conclusion_kind, u.conclusion, u.causes, u.live) for u in why.rules]
        assert "Why ask about days?" in why.text()

    def test_why_marks_rules_that_can_no_longer_fire(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb)
        consultation.answer("days", 10)
        assert [("reposted-not-budget", True), ("reposted-fit", True), ("slow-budget", False)] == [
            (u.rule_id, u.live) for u in consultation.why("reposted").rules]


# how, why not, what if -------------------------------------------------------------------------


class TestHow:
    def test_chain_goes_from_the_cause_through_its_findings(self, tiny_kb):
        h = tiny_kb.how(tiny_kb.diagnose({"days": 30, "reposted": False}), "budget")
        assert [("cause", "budget", 0), ("finding", "slow", 1)] == [
            (s.kind, s.id, s.depth) for s in h.steps]

    def test_each_step_keeps_its_contributions(self, tiny_kb):
        h = tiny_kb.how(tiny_kb.diagnose({"days": 30, "reposted": False}), "budget")
        assert [("slow-budget", 0.5 * 0.8)] == [
            (c.rule_id, c.contribution) for c in h.steps[0].contributions]

    def test_text_shows_rules_and_observations(self, tiny_kb):
        text = tiny_kb.how(tiny_kb.diagnose({"days": 30, "reposted": False}), "budget").text()
        assert "rule slow-budget: 0.50 × 0.80 = 0.40" in text
        assert "days > 21  [days = 30]" in text

    def test_a_cause_no_rule_spoke_of_has_no_steps(self, tiny_kb):
        h = tiny_kb.how(tiny_kb.diagnose({}), "fit")
        assert ((), 0.0, False) == (h.steps, h.certainty, h.reported)
        assert "No rule spoke about it" in h.text()

    def test_unknown_cause_suggests_the_closest(self, tiny_kb):
        with pytest.raises(rd.UnknownCauseError, match="did you mean 'budget'"):
            tiny_kb.how(tiny_kb.diagnose({}), "budgt")

    def test_a_diagnosis_from_other_rules_is_refused(self, tiny_kb):
        other = rd.diagnose({"posting_reposted": True})  # the bundled rules
        with pytest.raises(rd.DiagnosisError, match="'posting_reposted'"):
            tiny_kb.how(other, "budget")
        with pytest.raises(rd.DiagnosisError, match="made it"):
            tiny_kb.why_not(other, "budget")


class TestWhyNot:
    def test_closest_rules_first_with_each_condition_status(self, tiny_kb):
        w = tiny_kb.why_not(tiny_kb.diagnose({"reposted": False}), "fit")
        assert [("culture-fit", ["unknown"]), ("reposted-fit", ["failed"])] == [
            (r.rule_id, [t.status for t in r.tests]) for r in w.missing]

    def test_evidence_against_is_listed(self, tiny_kb):
        w = tiny_kb.why_not(tiny_kb.diagnose({"reposted": True}), "budget")
        assert (["reposted-not-budget"], None) == ([c.rule_id for c in w.against], w.rank)

    def test_a_reported_cause_gives_its_rank(self, tiny_kb):
        w = tiny_kb.why_not(tiny_kb.diagnose({"reposted": True}), "fit")
        assert (1, ["culture-fit"]) == (w.rank, [r.rule_id for r in w.missing])

    def test_text_says_why_it_is_not_reported(self, tiny_kb):
        text = tiny_kb.why_not(tiny_kb.diagnose({"reposted": True}), "budget").text()
        assert "budget is not reported: certainty -0.60, below 0.20." in text
        assert "not (reposted = true) [failed: yes]" in text


class TestWhatIf:
    def test_lists_certainty_differences_largest_first(self, tiny_kb):
        w = tiny_kb.what_if({"reposted": True}, {"reposted": None, "feedback": "culture"})
        assert [("budget", -0.6, 0.0), ("fit", 0.5, 0.7)] == [
            (c.id, c.before, c.after) for c in w.differences]

    def test_after_is_the_diagnosis_of_the_changed_case(self, tiny_kb):
        w = tiny_kb.what_if({"reposted": True}, {"feedback": "culture"})
        assert tiny_kb.diagnose({"reposted": True, "feedback": "culture"}) == w.after

    def test_no_change_says_so(self, tiny_kb):
        assert "No cause's certainty changes.\n" == tiny_kb.what_if({}, {"feedback": "none"}).text()

    def test_invalid_change_is_an_observation_error(self, tiny_kb):
        with pytest.raises(rd.ObservationError):
            tiny_kb.what_if({}, {"reposted": "maybe"})


# Typed answers --------------------------------------------------------------------------------


class TestParseAnswer:
    @pytest.mark.parametrize(("text", "expected"), [
        ("yes", (True, 1.0)), ("N", (False, 1.0)), ("true 0.7", (True, 0.7)),
        ("no 80%", (False, 0.8)),
    ])
    def test_booleans(self, tiny_kb, text, expected):
        assert expected == consult.parse_answer(tiny_kb.observations["reposted"], text)

    @pytest.mark.parametrize(("text", "expected"), [
        ("culture", ("culture", 1.0)), ("cul", ("culture", 1.0)), ("2", ("skills", 1.0)),
        ("Skills 0.5", ("skills", 0.5)),
    ])
    def test_categories_by_value_prefix_or_number(self, tiny_kb, text, expected):
        assert expected == consult.parse_answer(tiny_kb.observations["feedback"], text)

    def test_numbers(self, tiny_kb):
        assert (14.0, 0.9) == consult.parse_answer(tiny_kb.observations["days"], "14 0.9")

    @pytest.mark.parametrize(("obs", "text", "message"), [
        ("reposted", "maybe", "'maybe' is not an answer to this question; answer yes or no"),
        ("feedback", "x", "'x' is not one of the answers; answer one of none, skills, culture"),
        ("days", "soon", "'soon' is not a number; answer a number from 0 to 365 (days)"),
        ("days", "400", "400 is out of range; answer a number from 0 to 365 (days)"),
        ("reposted", "yes 2", "'2' is not a certainty"),
    ])
    def test_invalid_answers_say_what_would_fit(self, tiny_kb, obs, text, message):
        with pytest.raises(rd.AnswerError) as info:
            consult.parse_answer(tiny_kb.observations[obs], text)
        assert str(info.value).startswith(message)


def test_the_library_example_in_the_documentation_runs(capsys):
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "consultation.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    exec(compile(block.group(1), "docs/consultation.md", "exec"), {})
    assert "Why ask about" in capsys.readouterr().out


def test_a_consultation_can_start_from_known_observations(tiny_kb):
    consultation = rd.Consultation(tiny_kb, observations={"reposted": True})
    assert ({"reposted": True}, None) == (consultation.case(), consultation.next_question())


def test_consultation_goes_on_to_ask_what_changes_the_advice():
    # Regression: distress and a run of rejections feed only recommendation rules, so a
    # consultation that stopped when the causes settled never asked them.
    from rejection_diagnosis.consult import Consultation

    kb = rd.load_rules()
    consultation = Consultation(kb, stop="guaranteed", max_questions=None)
    asked = consultation.replay({"internal_candidate_mentioned": True, "who_was_hired": "internal",
                                 "distress_level": 9, "rejections_in_a_row": 6})
    dx = consultation.diagnosis()
    # (Once distress alone recommends professional help, a run of rejections changes
    # nothing more, so it need not be asked.)
    assert "distress_level" in asked
    assert ("internal_candidate", True) == (dx.causes[0].id, "seek_professional_help" in
                                            [a.id for a in dx.next_steps])


def test_lazily_exported_consultation_names_match_the_module():
    # rejection_diagnosis lists the consultation names by hand so that importing the
    # package does not import consult; this keeps that list from drifting.
    from rejection_diagnosis import consult

    lazy = set(rd._CONSULT)
    assert lazy <= set(consult.__all__)
    assert lazy <= set(rd.__all__)
    assert all(getattr(rd, name) is getattr(consult, name) for name in sorted(lazy))


def test_a_probable_stop_still_asks_about_distress():
    # Distress feeds only the advice (professional help); people nearly always say it.
    consultation = rd.Consultation(BUNDLED)
    asked = consultation.replay({"internal_candidate_mentioned": True, "who_was_hired": "internal",
                                 "distress_level": 9})
    assert "distress_level" in asked
    assert "seek_professional_help" in [a.id for a in consultation.diagnosis().next_steps]


# Expected-value ranking, answer model, probable stop -------------------------------------------


class TestAnswerModel:
    def test_answer_probability_is_laplace_over_the_stories(self):
        model = rd.consultation.AnswerModel(8, {"reposted": 2}, {})
        assert (0.3, 0.5) == (model.answer_probability("reposted"),
                              model.answer_probability("never_counted"))

    def test_answer_classes_are_weighted_by_their_values_and_the_stories(self, tiny_kb):
        from rejection_diagnosis.consultation.analysis import analysis

        model = rd.consultation.AnswerModel(4, {"feedback": 4}, {"feedback": (("culture", 4),)})
        # The rules tell "none" from {"skills", "culture"}: prior weights 1 and 2, plus 4.
        assert {"none": 1 / 7, "skills": 6 / 7} == model.distribution(
            analysis(tiny_kb), tiny_kb, "feedback")

    def test_the_bundled_table_round_trips(self):
        model = rd.consultation.bundled_model()
        assert model == rd.consultation.AnswerModel.from_json(model.to_json())


class TestExpectedChange:
    def test_a_question_people_cannot_answer_goes_last(self, tiny_kb):
        model = rd.consultation.AnswerModel(98, {"feedback": 0, "reposted": 90, "days": 90}, {})
        ranked = tiny_kb.next_questions({}, model=model)
        assert "feedback" == ranked[-1].observation

    def test_expected_change_weighs_each_answers_change_by_its_probability(self, tiny_kb):
        q = tiny_kb.next_questions({}, k=1, model=rd.consultation.AnswerModel.uniform())[0]
        change = sum(e.probability * ((1.0 if e.leading[:1] != () else 0.0) + max(
            (abs(c.delta) for c in e.changes), default=0.0)) for e in q.effects)
        # P(answered) is 1/2 without data; plus the small weight of the potential.
        assert round(0.5 * (change + 0.05 * min(1.0, q.potential)), 9) == round(
            q.expected_change, 9)


class TestProbableStop:
    def test_probability_is_one_when_the_bounds_settle_it(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb, observations={"reposted": True})
        assert (1.0, True, "settled") == (consultation.probability(),
                                          consultation.status().guaranteed,
                                          consultation.status().reason)

    def test_the_same_answers_give_the_same_probability(self):
        a, b = rd.Consultation(BUNDLED), rd.Consultation(BUNDLED)
        for c in (a, b):
            c.answer("rejection_format", "never_told")
        assert a.probability() == b.probability()
        assert 0.0 < a.probability() < 1.0

    def test_the_budget_ends_it_and_the_status_says_what_would_move_it(self):
        consultation = rd.Consultation(BUNDLED, max_questions=2)
        consultation.replay({})
        status = consultation.status()
        assert (2, "budget") == (status.asked, status.reason)
        assert status.next_best is not None and status.next_best.expected_change > 0

    def test_a_probable_stop_asks_fewer_questions_than_the_guaranteed_one(self):
        case = dict(SCENARIOS[0].observations)
        probable = rd.Consultation(BUNDLED, max_questions=None)
        guaranteed = rd.Consultation(BUNDLED, stop="guaranteed", max_questions=None)
        assert len(probable.replay(case)) < len(guaranteed.replay(case))

    @pytest.mark.parametrize(("option", "value"), [("stop", "maybe"), ("confidence", 0.0),
                                                   ("max_questions", -1)])
    def test_bad_options_are_refused(self, tiny_kb, option, value):
        with pytest.raises(ValueError, match=option):
            rd.Consultation(tiny_kb, **{option: value})

    def test_what_is_known_at_the_start_is_not_counted_as_asked(self, tiny_kb):
        consultation = rd.Consultation(tiny_kb, observations={"days": 30},
                                       dont_know=["feedback"])
        assert (0, frozenset({"feedback"}), "reposted") == (
            consultation.asked, consultation.dont_know(),
            consultation.next_question().observation)


def test_the_consultation_package_imports_one_way():
    # Within the package, no module imports one that imports it back (deferred and
    # TYPE_CHECKING imports included).
    import ast

    folder = Path(rd.__file__).parent / "consultation"
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        if path.stem == "__init__":
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                names.add(node.module.split(".")[0])
        graph[path.stem] = names

    def cycle(start: str, node: str, seen: frozenset[str]) -> bool:
        return any(n == start or (n not in seen and cycle(start, n, seen | {n}))
                   for n in graph.get(node, ()))

    assert [] == [name for name in sorted(graph) if cycle(name, name, frozenset({name}))]
