"""The consultation state machine behind ``rejection-diagnosis ask``.

Records answers (a checklist's ticks are one step), "don't know", going back, and decides
when to stop (:mod:`.stopping`): by default when the leading cause is settled with
probability :data:`~.stopping.CONFIDENCE`, or after :data:`~.stopping.MAX_QUESTIONS`
questions; ``stop="guaranteed"`` stops only when no answers at all could change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .. import model as m
from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD, check_threshold
from ..conclusions import Conclusion
from ..diagnosis import Diagnosis
from ..errors import ObservationError
from ..observations import Given, normalize
from .analysis import LEAD, Value, open_observations
from .explanations import QuestionWhy, question_why
from .priors import AnswerModel, bundled_model
from .ranking import Question, Ranking, advice_question, rank
from .stopping import CONFIDENCE, MAX_QUESTIONS, Status, StopRule, probability_settled

__all__ = ["Consultation"]

#: In a probable stop, an advice question is asked only when it is at least this likely
#: to change the advice (P(answered) times P(an answer that changes it)).
ADVICE_MINIMUM = 0.1


@attrs.frozen
class _Answer:
    observation: str
    value: Value | None  # None: "don't know"
    certainty: float = 1.0


#: The knowledge base a consultation works on (``Consultation(kb).kb`` is ``kb``, typed).
K = TypeVar("K", bound=Knowledge)


class Consultation(Generic[K]):
    """An interactive consultation: ask, record answers, go back, stop when settled.

    Args:
        kb: the knowledge base.
        threshold: the report threshold of the diagnosis.
        lead: how many of the first reported causes must be settled.
        observations: what is known before the first question (not counted as asked).
        dont_know: observations known to be unknown before the first question.
        stop: ``"probable"`` (settled with probability ``confidence``) or ``"guaranteed"``.
        confidence: the probability at which a probable stop stops.
        max_questions: the question budget (a checklist is one question); None: no budget.
        model: how likely each answer is (default: the bundled answer frequencies).
        checklists: ask the knowledge base's checklists as single questions.

    Not thread-safe (one consultation belongs to one conversation); the knowledge base it
    uses is.
    """

    def __init__(self, kb: K, *, threshold: float = DEFAULT_THRESHOLD, lead: int = LEAD,
                 observations: Mapping[str, Any] | None = None, dont_know: Iterable[str] = (),
                 stop: StopRule = "probable", confidence: float = CONFIDENCE,
                 max_questions: int | None = MAX_QUESTIONS, model: AnswerModel | None = None,
                 checklists: bool = True) -> None:
        if lead < 1:
            raise ValueError(f"lead must be at least 1, got {lead!r}")
        if stop not in ("probable", "guaranteed"):
            raise ValueError(f"stop must be 'probable' or 'guaranteed', got {stop!r}")
        if not 0 < confidence <= 1:
            raise ValueError(f"confidence must be in (0, 1], got {confidence!r}")
        if max_questions is not None and max_questions < 0:
            raise ValueError(f"max_questions must be >= 0 or None, got {max_questions!r}")
        self.kb: K = kb
        self.threshold = check_threshold(threshold)
        self.lead = lead
        self.stop = stop
        self.confidence = confidence
        self.max_questions = max_questions
        self.model = model or bundled_model()
        self.checklists: tuple[m.Checklist, ...] = (
            tuple(kb.checklists.values()) if checklists else ())
        self._known: list[_Answer] = [
            _Answer(key, g.value, g.certainty)
            for key, g in normalize(kb.observations, observations or {}).items()]
        skipped = list(dont_know)
        normalize(kb.observations, dict.fromkeys(o for o in skipped if o not in kb.observations))
        self._known.extend(_Answer(o, None) for o in skipped
                           if o not in {a.observation for a in self._known})
        self._steps: list[tuple[_Answer, ...]] = []
        self._version = 0  # bumped on every change, so each state is ranked once
        self._cache: dict[str, Any] = {}

    # What is known -------------------------------------------------------------------------

    def _answers(self) -> list[_Answer]:
        return [*self._known, *(a for step in self._steps for a in step)]

    @property
    def asked(self) -> int:
        """How many questions were answered (a checklist is one; "don't know" counts)."""
        return len(self._steps)

    def given(self) -> dict[str, Given]:
        """The known observations so far."""
        return {a.observation: Given(a.value, a.certainty) for a in self._answers()
                if a.value is not None}

    def dont_know(self) -> frozenset[str]:
        """The observations the person could not answer."""
        return frozenset(a.observation for a in self._answers() if a.value is None)

    def case(self) -> dict[str, Any]:
        """The known observations as a case mapping (what ``diagnose`` reads)."""
        out: dict[str, Any] = {}
        for a in self._answers():
            if a.value is None:
                continue
            value: Any = a.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[a.observation] = value if a.certainty == 1.0 else {"value": value,
                                                                    "certainty": a.certainty}
        return out

    def diagnosis(self) -> Diagnosis:
        """The diagnosis of what is known so far."""
        return self.kb._diagnose(self.given(), self.threshold)

    def leading(self) -> tuple[Conclusion, ...]:
        """The leading causes now."""
        return self.diagnosis().causes[: self.lead]

    # Ranking and stopping --------------------------------------------------------------------

    def _cached(self, key: str, make: Any) -> Any:
        if self._cache.get("version") != self._version:
            self._cache = {"version": self._version}
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def _ranking(self) -> Ranking:
        ranking: Ranking = self._cached("ranking", lambda: rank(
            self.kb, self.given(), self.dont_know(), self.threshold, self.lead, self.model,
            self.checklists))
        return ranking

    def probability(self) -> float:
        """Estimated probability that the leading causes survive every open question."""
        def make() -> float:
            ranking = self._ranking()
            if ranking.guaranteed:
                return 1.0
            given = self.given()
            free = open_observations(self.kb, given, self.dont_know())
            return probability_settled(self.kb, given, ranking.base, free, ranking.leading,
                                       self.threshold, self.lead, self.model,
                                       contenders=ranking.contenders)

        value: float = self._cached("probability", make)
        return value

    def _stop_probability(self) -> float:
        # Deciding whether to stop needs only to know if the estimate reaches confidence:
        # sampling ends early when it cannot (status() then computes the full estimate).
        if self._ranking().guaranteed:
            return 1.0
        if "probability" in self._cache:
            return self.probability()
        value: float = self._cached("stop-probability", self._partial)
        return value

    def _partial(self) -> float:
        ranking = self._ranking()
        given = self.given()
        free = open_observations(self.kb, given, self.dont_know())
        return probability_settled(self.kb, given, ranking.base, free, ranking.leading,
                                   self.threshold, self.lead, self.model, needed=self.confidence,
                                   contenders=ranking.contenders)

    def questions(self, k: int = 3) -> tuple[Question, ...]:
        """The next ``k`` questions, most useful first (see :func:`.ranking.next_questions`)."""
        return self._ranking().questions[:k]

    def settled(self) -> bool:
        """True when no answers to the remaining questions could change the leading causes."""
        return self._ranking().guaranteed

    def _decide(self) -> tuple[Question | None, str]:
        def make() -> tuple[Question | None, str]:
            if self.max_questions is not None and self.asked >= self.max_questions:
                return None, "budget"
            ranking = self._ranking()
            probable = self.stop == "probable"
            reason = ""
            if ranking.guaranteed:
                reason = "settled"
            elif probable and self._stop_probability() >= self.confidence:
                reason = "probably settled"
            else:
                best = next((q for q in ranking.questions if q.expected_change > 0 or (
                    not probable and (q.order_change or q.certainty_change or q.potential))),
                            None)
                if best is not None:
                    return best, ""
                reason = "no useful question"
            # The causes are settled; what is still worth asking is what changes the advice
            # (distress, a run of rejections, contacts), which no cause rule may test.
            advice = advice_question(self.kb, self.given(), self.dont_know(), self.threshold,
                                     self.model, ADVICE_MINIMUM if probable else 0.0)
            return advice, reason

        decided: tuple[Question | None, str] = self._cached("decision", make)
        return decided

    def next_question(self) -> Question | None:
        """The question to ask now, or None when the consultation is over.

        Over means: the question budget is spent; or the leading causes are settled (for
        sure, or with the required probability) and no question is likely to change the
        advice; or no remaining question could change a cause that still contends.
        """
        return self._decide()[0]

    def status(self) -> Status:
        """How settled the leading causes are, why the consultation stops, what would move it."""
        question, reason = self._decide()
        ranking = self._ranking()
        best = next((q for q in ranking.questions if q.expected_change > 0), None)
        if question is not None:
            reason = ""
        return Status(ranking.leading, self.probability(), ranking.guaranteed, self.asked,
                      self.max_questions, reason, best)

    # Answers ---------------------------------------------------------------------------------

    def _record(self, answers: list[_Answer]) -> None:
        changed = {a.observation for a in answers}
        self._known = [a for a in self._known if a.observation not in changed]
        self._steps = [kept for step in self._steps
                       if (kept := tuple(a for a in step if a.observation not in changed))]
        self._steps.append(tuple(answers))
        self._version += 1

    def answer(self, observation: str, value: Any, certainty: float = 1.0) -> None:
        """Record an answer (checked like a diagnosis input).

        Raises:
            ObservationError: unknown observation, wrong type or value, bad certainty.
        """
        checked = normalize(self.kb.observations,
                            {observation: {"value": value, "certainty": certainty}})
        given = checked[observation]
        self._record([_Answer(observation, given.value, given.certainty)])

    def skip(self, observation: str, *others: str) -> None:
        """Record "don't know": the observations stay unknown and are not asked again.

        Several observations skipped at once (a checklist answered "don't know") are one
        step: one question asked, undone by one :meth:`back`.

        Raises:
            ObservationError: unknown observation.
        """
        for oid in (observation, *others):
            if oid not in self.kb.observations:
                normalize(self.kb.observations, {oid: None})
        self._record([_Answer(oid, None) for oid in dict.fromkeys((observation, *others))])

    def checklist(self, checklist_id: str) -> m.Checklist:
        """The checklist ``checklist_id``.

        Raises:
            ObservationError: the knowledge base has no such checklist.
        """
        found = self.kb.checklists.get(checklist_id)
        if found is None:
            from ..errors import did_you_mean

            hint = did_you_mean(checklist_id, sorted(self.kb.checklists))
            raise ObservationError(f"unknown checklist {checklist_id!r}{hint}", checklist_id)
        return found

    def tick(self, checklist_id: str, ticked: Iterable[str] | Mapping[str, float],
             items: Iterable[str] | None = None,
             denied: Iterable[str] | Mapping[str, float] = ()) -> None:
        """Answer a checklist in one step: ``ticked`` items are "yes" (with a certainty when
        given as a mapping), ``denied`` ones "no" (likewise); the other ``items`` (default: all) are
        "no" or "don't know", as the checklist says.

        Raises:
            ObservationError: an unknown checklist, or a ticked id that is not one of its items.
        """
        checklist = self.checklist(checklist_id)
        sure = dict(ticked) if isinstance(ticked, Mapping) else dict.fromkeys(ticked, 1.0)
        refused = dict(denied) if isinstance(denied, Mapping) else dict.fromkeys(denied, 1.0)
        stray = sorted((set(sure) | set(refused)) - set(checklist.items))
        if stray:
            raise ObservationError(f"{stray[0]!r} is not an item of checklist {checklist_id!r}; "
                                   f"its items: {', '.join(checklist.items)}", stray[0])
        asked = tuple(items) if items is not None else checklist.items
        unticked: bool | None = False if checklist.unticked == "no" else None
        answers = []
        for oid in asked:
            if oid in sure:
                checked = normalize(self.kb.observations,
                                    {oid: {"value": True, "certainty": sure[oid]}})[oid]
                answers.append(_Answer(oid, True, checked.certainty))
            elif oid in refused:
                checked = normalize(self.kb.observations,
                                    {oid: {"value": False, "certainty": refused[oid]}})[oid]
                answers.append(_Answer(oid, False, checked.certainty))
            else:
                answers.append(_Answer(oid, unticked))
        self._record(answers)

    def replay(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """Answer every question from ``answers`` until the consultation is over.

        An observation missing from ``answers`` is answered "don't know"; a checklist is
        ticked where ``answers`` says "yes" and an item denied where it says "no". Values are given as for a diagnosis
        (``{"value": v, "certainty": c}`` for an uncertain answer).

        Returns:
            The questions asked, in order (observation or checklist ids).

        Raises:
            ObservationError: ``answers`` names an unknown observation or a bad value.
        """
        checked = normalize(self.kb.observations, answers)
        asked: list[str] = []
        while (question := self.next_question()) is not None:
            asked.append(question.observation)
            if question.checklist is not None:
                self.tick(question.checklist,
                          {i: checked[i].certainty for i in question.items
                           if i in checked and checked[i].value is True}, question.items,
                          {i: checked[i].certainty for i in question.items
                           if i in checked and checked[i].value is False})
                continue
            given = checked.get(question.observation)
            if given is None:
                self.skip(question.observation)
            else:
                self.answer(question.observation, given.value, given.certainty)
        return tuple(asked)

    def back(self) -> str | None:
        """Undo the last question's answer; returns its observation (or checklist's first
        item) id, None when nothing was asked."""
        if not self._steps:
            return None
        self._version += 1
        step = self._steps.pop()
        return step[0].observation if step else None

    def why(self, observation: str) -> QuestionWhy:
        """Why ``observation`` is asked (MYCIN's WHY)."""
        return question_why(self.kb, observation, self.case(), dont_know=self.dont_know(),
                            threshold=self.threshold)
