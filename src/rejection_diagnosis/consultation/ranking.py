"""Which question to ask next: the expected change an answer makes to the causes' ranking.

For each open observation, every *distinct* answer (one per class of answers that every
rule treats alike) is evaluated exactly, with the same semantics as a diagnosis. Its
*change* is how much it would move the ranking of the causes:

    change(answer) = 1    if the leading cause would differ
                     0.5  else if the order of the first ``lead`` causes would differ
                     0    otherwise
                   + the largest change in certainty of a cause that leads (before or
                     after the answer) or that still contends for the lead

and the question's **expected change** weighs each answer by how likely it is
(:mod:`.priors`): ``P(answered) × Σ P(answer | answered) × change(answer)`` ("don't know"
changes nothing). A question whose answer matters only together with other answers (a rule
``all: [a, b]``) has no change of its own; it gets ``0.05 × P(answered) × min(1, potential)``,
where the potential sums the certainty factors of the rules that test it, can still fire
and reach a contending cause. Ties are broken by the worst-case components of earlier
versions (order change, certainty change, potential, other change), then by id.

A checklist competes as one question: its items' expected changes (ticked is "yes";
unticked is "no" or "don't know", as the checklist says) combine like independent chances
on the scale of the largest change, 2: ``2 × (1 − Π (1 − item / 2))`` (changes of one
ranking do not add up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .. import model as m
from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD, check_threshold, reaches
from ..diagnosis import Diagnosis
from ..evaluator import Evaluation
from ..observation_types import BOOLEAN, TYPES
from ..observations import Given, normalize
from .analysis import (
    LEAD,
    CertaintyChange,
    Value,
    analysis,
    changes,
    evaluate_case,
    leading_causes,
    open_observations,
    with_answers,
)
from .bounds import contenders, interval_bounds
from .priors import AnswerModel, bundled_model

__all__ = ["Effect", "Question", "Ranking", "advice_question", "next_questions", "rank"]

#: Weight of the potential of a question that matters only with other answers.
POTENTIAL_WEIGHT = 0.05


@attrs.frozen
class Effect:
    """What one answer to a question would do to the diagnosis."""

    answer: Value
    #: Causes whose certainty would change, largest change first.
    changes: tuple[CertaintyChange, ...]
    #: The leading causes after this answer (ids, most certain first).
    leading: tuple[str, ...]
    #: How likely this answer is, given that the person answers (see :mod:`.priors`).
    probability: float = 1.0


@attrs.frozen
class Question:
    """An open observation (or a checklist) worth asking about, and what it could change.

    Ranked by ``expected_change`` (see :mod:`.ranking`), then by the worst-case components:
    ``order_change`` is 2 when some answer would change the leading cause, 1 when it would
    change the order or membership of the leading causes; ``certainty_change`` is the
    largest change in a leading cause's certainty over the answers; ``potential`` weighs
    the rules, still able to fire, through which the answer can reach a cause that is not
    settled; ``other_change`` is the largest change in any other cause's certainty.

    A checklist question has ``checklist`` set, ``observation`` is the checklist id and
    ``items`` the open boolean observations it asks about at once.
    """

    observation: str
    question: str
    type: m.ObservationType
    allowed: str
    #: The answers to choose from (booleans and categories; empty for numbers).
    answers: tuple[Value, ...]
    reason: str
    order_change: int
    certainty_change: float
    potential: float
    other_change: float
    effects: tuple[Effect, ...]
    group: str = "general"
    #: The expected change of the causes' ranking (the measure questions are chosen by).
    expected_change: float = 0.0
    #: P(the person can answer), from the answer model.
    answer_probability: float = 1.0
    checklist: str | None = None
    items: tuple[str, ...] = ()

    def rank_key(self) -> tuple[float, int, float, float, float, str]:
        """Sort key: most useful first, ties by id (deterministic)."""
        return (-round(self.expected_change, 9), -self.order_change,
                -round(self.certainty_change, 9), -round(self.potential, 9),
                -round(self.other_change, 9), self.observation)

    def text(self) -> str:
        """The question, its allowed answers and why it is useful, as text."""
        from .text import cf, show

        lines = [self.question, f"  answer: {self.allowed}; '?' if you don't know",
                 f"  ({self.observation}: {self.reason})"]
        for e in self.effects:
            if e.changes:
                shown = ", ".join(f"{c.id} {cf(c.before)}→{cf(c.after)}" for c in e.changes[:3])
                lines.append(f"    {show(e.answer)}: {shown}")
        return "\n".join(lines) + "\n"


@attrs.frozen
class Ranking:
    """Every useful question of one state, ranked, and what they were ranked against."""

    questions: tuple[Question, ...]
    #: No answers at all to the open questions could change the leading causes.
    guaranteed: bool
    leading: tuple[str, ...]
    contenders: frozenset[str]
    base: Evaluation


def next_questions(kb: Knowledge, observations: Mapping[str, Any], k: int = 3, *,
                   dont_know: Iterable[str] = (), threshold: float = DEFAULT_THRESHOLD,
                   lead: int = LEAD, model: AnswerModel | None = None) -> tuple[Question, ...]:
    """The ``k`` open observations whose answers are expected to change the diagnosis most.

    Args:
        observations: what is known so far (as for :meth:`KnowledgeBase.diagnose`).
        k: how many questions to return at most.
        dont_know: observations the person cannot answer; never proposed.
        threshold: the report threshold of the diagnosis.
        lead: how many of the first reported causes count as the leading causes.
        model: how likely each answer is; default the bundled answer frequencies.

    Returns:
        Questions ranked by :meth:`Question.rank_key`; an observation whose answer could not
        change any cause's certainty, alone or together with other answers, never appears.

    Raises:
        ObservationError: ``observations`` or ``dont_know`` name unknown observations.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a whole number >= 0, got {k!r}")
    threshold = check_threshold(threshold)
    if lead < 1:
        raise ValueError(f"lead must be at least 1, got {lead!r}")
    skipped = set(dont_know)
    unknown = sorted(skipped - set(kb.observations))
    if unknown:
        normalize(kb.observations, {unknown[0]: None})  # raises with a did-you-mean
    given = normalize(kb.observations, observations)
    return rank(kb, given, frozenset(skipped), threshold, lead, model).questions[:k]


def rank(kb: Knowledge, given: Mapping[str, Given], dont_know: frozenset[str],
         threshold: float, lead: int, model: AnswerModel | None = None,
         checklists: Sequence[m.Checklist] = ()) -> Ranking:
    """Every useful question, ranked, and whether the leading causes are settled for sure."""
    model = model or bundled_model()
    found = analysis(kb)
    base = evaluate_case(kb, given, threshold)
    free = open_observations(kb, given, dont_know)
    live: set[int] = set()
    ranges = interval_bounds(kb, given, free, threshold, live)
    leading = leading_causes(kb, base, threshold, lead)
    contending = contenders(kb, leading, ranges, threshold, lead)
    out: list[Question] = []
    for oid in sorted(free):
        rules = [i for i in found.testers.get(oid, ()) if i in live]
        if not rules:
            continue  # every rule that tests it is already blocked: no answer can matter
        if contending and not found.observation_reach(oid, kb.program.rules) & contending:
            # It reaches no cause that could still change the leading ones: its answers
            # could move other causes only, which no stop and no choice weighs.
            continue
        potential = sum(abs(kb.program.rules[i].certainty) for i in rules
                        if found.reach.get(kb.program.rules[i].conclusion, frozenset())
                        & contending)
        distribution = model.distribution(found, kb, oid)
        answered = model.answer_probability(oid)
        effects: list[Effect] = []
        order_change, lead_change, other_change, expected = 0, 0.0, 0.0, 0.0
        for value in found.domain[oid]:
            after = with_answers(kb, base, given, {oid: Given(value)})
            moved = changes(kb, base.certainty, after.certainty)
            new_leading = leading_causes(kb, after, threshold, lead)
            probability = distribution.get(value, 0.0)
            effects.append(Effect(value, moved, new_leading, probability))
            step = 0.0
            if new_leading[:1] != leading[:1]:
                order_change, step = 2, 1.0
            elif new_leading != leading:
                order_change, step = max(order_change, 1), 0.5
            watched = set(leading) | set(new_leading) | contending
            largest = 0.0
            for change in moved:
                if change.id in watched:
                    largest = max(largest, abs(change.delta))
                    lead_change = max(lead_change, abs(change.delta))
                else:
                    other_change = max(other_change, abs(change.delta))
            expected += probability * (step + largest)
        if not (order_change or lead_change or potential or other_change):
            continue
        expected = answered * (expected + POTENTIAL_WEIGHT * min(1.0, potential))
        obs = kb.observations[oid]
        out.append(Question(
            oid, obs.question, obs.type, obs.allowed(),
            TYPES[obs.type].choices(obs),
            _reason(kb, effects, leading, threshold, rules), order_change, lead_change,
            potential, other_change, tuple(effects), obs.group, expected, answered))
    out.extend(_checklist_questions(out, checklists, free, leading))
    out.sort(key=Question.rank_key)
    return Ranking(tuple(out), not contending, leading, contending, base)


def _checklist_questions(singles: Sequence[Question], checklists: Sequence[m.Checklist],
                         free: frozenset[str], leading: tuple[str, ...]) -> list[Question]:
    by_id = {q.observation: q for q in singles}
    out: list[Question] = []
    for checklist in checklists:
        useful = [by_id[i] for i in checklist.items if i in by_id]
        if len(useful) < 2:
            continue  # a single useful item is asked as itself
        unchanged = 1.0
        for q in useful:
            yes = next((e.probability for e in q.effects if e.answer is True), 0.5)
            ticked = q.answer_probability * yes
            item = 0.0
            for e in q.effects:
                size = (1.0 if e.leading[:1] != leading[:1] else 0.0) + max(
                    (abs(c.delta) for c in e.changes), default=0.0)
                if e.answer is True:
                    item += ticked * size
                elif checklist.unticked == "no":
                    item += (1 - ticked) * size
            # Changes of one ranking do not add up: combined as independent chances on the
            # scale of the largest change (2), like a noisy-or.
            unchanged *= 1.0 - min(1.0, item / 2.0)
        expected = 2.0 * (1.0 - unchanged)
        open_items = tuple(i for i in checklist.items if i in free)
        out.append(Question(
            checklist.id, checklist.question, BOOLEAN.name, "the numbers of the items that apply",
            (), f"asks {len(open_items)} related questions at once",
            max(q.order_change for q in useful), max(q.certainty_change for q in useful),
            sum(q.potential for q in useful), max(q.other_change for q in useful), (),
            "checklist", expected, 1.0, checklist.id, open_items))
    return out


def _advice(dx: Diagnosis) -> tuple[str, ...]:
    return tuple(a.id for a in (*dx.coping, *dx.next_steps))


def advice_question(kb: Knowledge, given: dict[str, Given], dont_know: frozenset[str],
                    threshold: float, model: AnswerModel | None = None,
                    minimum: float = 0.0) -> Question | None:
    """The open observation most likely to change the advice given, or None.

    Only observations that recommendation rules test directly are tried; each of their
    representative answers is diagnosed in full. Ranked by P(answered) × P(an answer that
    changes the advice); below ``minimum``, none is proposed.
    """
    model = model or bundled_model()
    found = analysis(kb)
    testers = {t.subject for rule, alts in zip(kb.program.rules, kb.program.alternatives,
                                               strict=True)
               if rule.conclusion_kind == "recommendation"
               for alt in alts for t in alt.tests if t.kind == "observation"}
    base = kb._diagnose(given, threshold)
    before = _advice(base)
    best: tuple[float, int, Question] | None = None
    for n, oid in enumerate(kb.observations):
        if oid not in testers or oid in given or oid in dont_know or oid not in found.domain:
            continue
        effects: list[Effect] = []
        gained: set[str] = set()
        lost: set[str] = set()
        distribution = model.distribution(found, kb, oid)
        likely = 0.0
        for value in found.domain[oid]:
            after = _advice(kb._diagnose({**given, oid: Given(value)}, threshold))
            if after != before:
                gained |= set(after) - set(before)
                lost |= set(before) - set(after)
                likely += distribution.get(value, 0.0)
                effects.append(Effect(value, (), tuple(c.id for c in base.causes[:1]),
                                      distribution.get(value, 0.0)))
        if not effects:
            continue
        answered = model.answer_probability(oid)
        expected = answered * likely
        if expected < minimum:
            continue
        changed = sorted(gained) or sorted(lost)
        verb = "recommend" if gained else "drop"
        obs = kb.observations[oid]
        question = Question(
            oid, obs.question, obs.type, obs.allowed(),
            TYPES[obs.type].choices(obs),
            f"could {verb} {', '.join(changed[:2])} in the advice",
            0, 0.0, 0.0, 0.0, tuple(effects), obs.group, expected, answered)
        if best is None or (-expected, n) < (-best[0], best[1]):
            best = (expected, n, question)
    return best[2] if best is not None else None


def _reason(kb: Knowledge, effects: Sequence[Effect], leading: tuple[str, ...],
            threshold: float, rules: Sequence[int]) -> str:
    phrases: dict[str, tuple[int, float, str]] = {}  # cause -> (strength, size, phrase)

    def offer(cid: str, strength: int, size: float, phrase: str) -> None:
        if cid not in phrases or (strength, size) > phrases[cid][:2]:
            phrases[cid] = (strength, size, phrase)

    current_top = leading[0] if leading else None
    for effect in effects:
        for c in effect.changes:
            if effect.leading[:1] == (c.id,) and c.id != current_top:
                offer(c.id, 4, abs(c.delta), f"make {c.id} the leading cause")
            elif reaches(c.after, threshold) and not reaches(c.before, threshold):
                offer(c.id, 3, abs(c.delta), f"confirm {c.id}")
            elif reaches(c.before, threshold) and not reaches(c.after, threshold):
                offer(c.id, 3, abs(c.delta), f"rule out {c.id}")
            elif c.delta > 0:
                offer(c.id, 1, c.delta, f"raise {c.id}")
            else:
                offer(c.id, 1, -c.delta, f"lower {c.id}")
    if phrases:
        best = sorted(phrases.values(), key=lambda p: (-p[0], -p[1], p[2]))[:2]
        return "could " + " or ".join(p[2] for p in best)
    reached = sorted({c for i in rules
                      for c in analysis(kb).reach.get(kb.program.rules[i].conclusion, ())})
    shown = ", ".join(reached[:3]) + (" ..." if len(reached) > 3 else "")
    return f"could matter together with other answers (rules about {shown})"


