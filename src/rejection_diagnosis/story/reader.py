"""Reading a story: the phrases of a knowledge base found in plain text.

:class:`StoryReader` is built once per knowledge base from the ``phrases:`` of its
observations (on the first :meth:`~rejection_diagnosis.KnowledgeBase.read_story`). It splits
the text into sentences, finds every phrase, decides for each match whether it is negated
or hedged (:mod:`._cues`), reads numbers and durations (:mod:`._numbers`), and returns a
:class:`Reading`: plain data, one floor below any rendering.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from .. import model as m
from ..observation_types import TYPES
from . import _cues as cues
from ._numbers import Bound, Quantity, duration_at, number_at, ordinal, starts_number
from ._patterns import GAP, SKIP, SKIP_STEMS, WIDE, WIDE_GAP, compile_phrase, slot_of
from ._text import Token, clean, sentences, stem, tokenize

__all__ = ["MAX_CHARS", "Conflict", "ReadObservation", "Reading", "Span", "StoryReader"]

#: Longer stories are refused rather than read (about thirty pages of text).
MAX_CHARS = 100_000
# A story where more than this share of characters is control or replacement characters
# is not text.
_BINARY_SHARE = 0.1
# Function words of English: a story of some length without them is in another language.
_ENGLISH = frozenset({"the", "and", "i", "to", "a", "was", "of", "they", "it", "in", "that",
                      "my", "me", "for", "but", "not", "with", "on", "had", "he", "she",
                      "we", "is", "were", "after", "said", "an", "no", "be", "at", "them"})
# Certainty left by a bound or an approximation ("more than a week", "about a month").
_APPROXIMATE = 0.9
# Certainty left on a step read from the order of the story rather than said outright.
_STEP = 0.8
# A phrase ending on one of these words and followed by "than" is a comparison.
_COMPARATIVES = frozenset({"later", "earlier", "sooner", "longer"})
# Units of time: a number in one of them is a measure, not a count (see ``_counts``).
_TIME_UNITS = frozenset({"hour", "hours", "day", "days", "week", "weeks", "month", "months",
                         "year", "years"})
_UNIT_STEMS = frozenset(stem(u) for u in (*_TIME_UNITS, "fortnight", "fortnights"))
# Words that point at one unit of time ("the next day", "the same week").
_POINTING = frozenset(stem(w) for w in ("next", "following", "same", "previous", "coming"))
_STRONG_TERMINATORS = frozenset({";", ":", "but", "however", "although", "though", "yet",
                                 "whereas", "so", "because", "(", ")"})


@attrs.frozen
class Span:
    """Where a phrase matched: character offsets into the story and the words there."""

    start: int
    end: int
    text: str
    #: The phrase of the rule file that matched, as written there.
    phrase: str
    #: Where that phrase is written.
    location: m.Location = attrs.field(default=m.Location("<python>"), eq=False)


@attrs.frozen
class ReadObservation:
    """One observation the story supports (or, in :attr:`Reading.denied`, denies)."""

    id: str
    value: m.Scalar
    certainty: float
    spans: tuple[Span, ...]
    #: A negation turned the phrase around ("they never called my references").
    negated: bool = False
    #: The hedges that lowered the certainty ("I think", "maybe").
    hedges: tuple[str, ...] = ()
    #: For numbers: exact, about, or a bound ("more than a week" is more_than).
    bound: Bound = "exact"

    def case_value(self) -> Any:
        """The value as a case holds it: plain when certain, else ``{value, certainty}``."""
        if self.certainty >= 1:
            return self.value
        return {"value": self.value, "certainty": self.certainty}

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"id": self.id, "value": self.value, "certainty": self.certainty,
                "negated": self.negated, "hedges": list(self.hedges), "bound": self.bound,
                "spans": [_span_dict(s) for s in self.spans]}


@attrs.frozen
class Conflict:
    """An observation the story both asserts and denies, or gives two values: not guessed."""

    id: str
    readings: tuple[ReadObservation, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"id": self.id, "readings": [r.to_dict() for r in self.readings]}


@attrs.frozen
class Reading:
    """What a story said, in the vocabulary of a knowledge base."""

    text: str
    #: The observations read, in the order their first phrase appears.
    items: tuple[ReadObservation, ...] = ()
    #: Category values and numbers the story denies ("they did not call me"): no value.
    denied: tuple[ReadObservation, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    #: Sentences where no phrase matched.
    unmatched: tuple[tuple[int, int], ...] = ()
    #: Why the story was not read at all ("" when it was).
    refusal: str = ""
    #: Remarks about the text as a whole (another language, control characters).
    notes: tuple[str, ...] = ()
    #: Words that look like an observation but say something else (``ignore:`` phrases).
    set_aside: tuple[Span, ...] = ()
    observations: Mapping[str, Any] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "observations",
                           MappingProxyType({i.id: i.case_value() for i in self.items}))

    def get(self, ident: str) -> ReadObservation | None:
        """The reading of one observation, or None."""
        return next((i for i in self.items if i.id == ident), None)

    @property
    def unmatched_sentences(self) -> tuple[str, ...]:
        """The text of the sentences nothing matched."""
        return tuple(self.text[a:b] for a, b in self.unmatched)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "observations": dict(self.observations),
            "items": [i.to_dict() for i in self.items],
            "denied": [i.to_dict() for i in self.denied],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "unmatched": [{"start": a, "end": b, "text": self.text[a:b]}
                          for a, b in self.unmatched],
            "refusal": self.refusal,
            "notes": list(self.notes),
            "set_aside": [_span_dict(s) for s in self.set_aside],
        }


def _span_dict(s: Span) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": s.text, "phrase": s.phrase,
            "location": str(s.location)}


@attrs.frozen
class _Phrase:
    observation: m.Observation
    phrase: m.Phrase
    sequence: tuple[str, ...]
    slot: str | None
    #: The stems a sentence must hold for the phrase to match it (a cheap first test).
    needs: frozenset[str] = frozenset()
    #: Set through another observation's ``also:``. Denying the words denies only what
    #: they say directly: "they never called my references" does not mean none were asked.
    implied: bool = False


class _Sentence:
    """One sentence's tokens, with what every phrase test asks of them computed once."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.stems = frozenset(t.stem for t in tokens)
        self._numbers: dict[tuple[str, int, str | None], Quantity | None] = {}
        self._cues: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
        #: The words each phrase found in the sentence matched, by observation.
        self.claimed: list[tuple[str, frozenset[int]]] = []
        #: Matches of ``ignore:`` phrases: words set aside.
        self.set_aside: list[_Hit] = []

    def slot(self, j: int, slot: str, unit: str | None) -> Quantity | None:
        key = (slot, j, unit if slot == "{duration}" else None)
        if key not in self._numbers:
            self._numbers[key] = _slot(self.tokens, j, slot, unit)
        return self._numbers[key]

    def cues(self, kind: str) -> list[tuple[int, int, tuple[str, ...]]]:
        if kind not in self._cues:
            table: Sequence[tuple[str, ...]] | dict[tuple[str, ...], float] = {
                "pre": cues.PRE, "post": cues.POST, "pseudo": cues.PSEUDO,
                "hypothetical": cues.HYPOTHETICAL}.get(kind, cues.HEDGES)
            self._cues[kind] = cues.find(self.tokens, table)
        return self._cues[kind]


@attrs.frozen
class _Hit:
    phrase: _Phrase
    indexes: tuple[int, ...]  # raw token indexes of the phrase's words (and slot tokens)
    quantity: Quantity | None

    @property
    def first(self) -> int:
        return self.indexes[0]

    @property
    def last(self) -> int:
        return self.indexes[-1]


_SLOT_KEY = "#slot"
_GAP_AFTER_SLOT = 0


class StoryReader:
    """Finds the phrases of a set of observations in stories. Immutable once built."""

    def __init__(self, observations: Iterable[m.Observation]) -> None:
        self._index: dict[str, dict[str, list[_Phrase]]] = {}
        count = 0
        observations = list(observations)
        known = {o.id: o for o in observations}
        self._observations = known
        for obs in observations:
            for phrase in obs.phrases:
                # A phrase that also sets other observations is matched once per
                # observation: each reading keeps the same words and span.
                targets = [(obs, phrase)] + [
                    (known[ident], attrs.evolve(phrase, value=value, also=()))
                    for ident, value in phrase.also if ident in known]
                for seq in compile_phrase(phrase.text):
                    needs = frozenset(p for p in seq if p != WIDE and not p.startswith("{"))
                    key = _SLOT_KEY if seq[0].startswith("{") else seq[0]
                    # Second key: another word the sentence must hold, so that a common
                    # first word ("asked", "job") does not bring every phrase it starts.
                    second = next((p for p in seq[1:] if p in needs and p != key), "")
                    for target, said in targets:
                        slot = slot_of((seq,)) if target is obs else None
                        self._index.setdefault(key, {}).setdefault(second, []).append(
                            _Phrase(target, said, seq, slot, needs, target is not obs))
                        count += 1
        self.size = count

    def read(self, text: str, *, max_chars: int = MAX_CHARS) -> Reading:
        """Read ``text``; never raises for any ``str`` (bad input gives a refusal or notes).

        Raises:
            TypeError: ``text`` is not a ``str`` (decode bytes first).
        """
        if not isinstance(text, str):
            raise TypeError(f"a story is text (str), got {type(text).__name__}")
        if len(text) > max_chars:
            return Reading(text, refusal=f"the story is {len(text):,} characters long; the reader "
                                         f"reads at most {max_chars:,} (shorten it to the part "
                                         "about this rejection)")
        if not text.strip():
            return Reading(text, notes=("the story is empty: nothing to read",))
        cleaned = clean(text)
        notes: list[str] = []
        odd = sum(1 for a, b in zip(text, cleaned, strict=True) if a != b and a not in "\t") \
            + text.count("\ufffd")
        if odd > _BINARY_SHARE * len(text):
            return Reading(text, refusal="the story does not look like text (it is mostly "
                                         "control or binary characters)")
        if odd:
            notes.append(f"{odd} control or invisible character{'s' * (odd != 1)} read as spaces")
        hits: list[tuple[_Hit, _Sentence]] = []
        set_aside: list[Span] = []
        unmatched: list[tuple[int, int]] = []
        words = 0
        english = 0
        for start, end in sentences(cleaned):
            tokens = tokenize(cleaned[start:end], start)
            sentence = _Sentence(tokens)
            found = self._sentence(sentence)
            for h in sentence.set_aside:
                a, b = tokens[h.first].start, tokens[h.last].end
                set_aside.append(Span(a, b, text[a:b], h.phrase.phrase.text,
                                      h.phrase.phrase.location))
            sentence.claimed = [(h.phrase.observation.id, frozenset(h.indexes)) for h in found]
            for t in tokens:
                if t.is_word:
                    words += 1
                    english += t.lower in _ENGLISH
            if not found:
                unmatched.append((start, end))
            hits.extend((h, sentence) for h in found)
        if not hits and words >= 8 and english < 0.05 * words:
            notes.append("the story does not look like English; the reader knows English "
                         "phrases only")
        return self._combine(text, hits, tuple(unmatched), tuple(notes), tuple(set_aside))

    # Matching ---------------------------------------------------------------------------

    def _sentence(self, sentence: _Sentence) -> list[_Hit]:
        found: list[_Hit] = []
        stems = sentence.stems
        tokens = sentence.tokens
        slotted = self._usable(_SLOT_KEY, stems)
        usable = {stem: self._usable(stem, stems) for stem in stems if stem in self._index}
        for i, token in enumerate(tokens):
            if not token.is_word:
                continue
            candidates = usable.get(token.stem) or []
            if slotted and starts_number(token):
                candidates = [*candidates, *slotted]
            for phrase in candidates:
                hit = _match(sentence, phrase, i)
                if hit is not None:
                    found.append(hit)
        # Words an ``ignore:`` phrase sets aside ("the manager left on vacation") hold no
        # match of its observation ("manager left"); they set nothing themselves.
        aside = [h for h in found if h.phrase.phrase.ignore]
        if aside:
            sentence.set_aside = aside
            found = [h for h in found if not h.phrase.phrase.ignore and not any(
                a.phrase.observation.id == h.phrase.observation.id
                and not set(a.indexes).isdisjoint(h.indexes) for a in aside)]
        # A match whose words all belong to a longer match of the same observation gives
        # way to it: a coach writes "generic rejection email" to win over "rejection
        # email". Matches of different observations both stand ("the decision came by
        # phone two days later" says how and when).
        sets = [(h.phrase.observation.id, frozenset(h.indexes)) for h in found]
        kept = [h for h, (ident, mine) in zip(found, sets, strict=True) if not any(
            other_id == ident and len(other) > len(mine) and mine < other
            for other_id, other in sets)]
        # Two matches of one observation that share words, neither holding the other,
        # and set different fixed values: the one reaching further into the clause
        # qualifies the other ("every meeting went well until the final one"), so it
        # stands alone rather than making a conflict out of one stretch of words.
        kept = [h for h in kept if not any(_overtaken(h, o) for o in kept)]
        # Two phrases of one observation on the very same words are one reading: the
        # first found (in phrase order) stands, so they cannot conflict with each other.
        seen: set[tuple[str, tuple[int, ...]]] = set()
        unique = []
        for h in kept:
            key = (h.phrase.observation.id, h.indexes)
            if key not in seen:
                seen.add(key)
                unique.append(h)
        return unique

    def _usable(self, key: str, stems: frozenset[str]) -> list[_Phrase]:
        """The phrases indexed under ``key`` whose words are all in ``stems``."""
        by_second = self._index.get(key)
        if not by_second:
            return []
        out = [p for p in by_second.get("", ()) if p.needs <= stems]
        for second in by_second.keys() & stems:
            out.extend(p for p in by_second[second] if p.needs <= stems)
        return out

    # Combining ---------------------------------------------------------------------------

    def _combine(self, text: str, found: list[tuple[_Hit, _Sentence]],
                 unmatched: tuple[tuple[int, int], ...], notes: tuple[str, ...],
                 set_aside: tuple[Span, ...]) -> Reading:
        asserted: dict[str, list[ReadObservation]] = {}
        denied: dict[str, list[ReadObservation]] = {}
        # Observations the story names in words of their own, not only through another
        # phrase's ``also:``. What ``also:`` adds is an inference ("they went silent" says
        # no one told you the no), and the story's own words about it win over it
        # ("... then a form email came"): they are not a conflict.
        direct: set[str] = set()
        implied: list[tuple[str, ReadObservation]] = []
        # Steps named along the way (an interview, a test), with the start of their
        # sentence: which one the no followed is known only once the no is found.
        steps: list[tuple[int, ReadObservation]] = []
        for hit, sentence in found:
            reading = _interpret(text, hit, sentence)
            if reading is None:
                continue
            if hit.phrase.phrase.step:
                if reading[0] == "asserted" and not reading[1].negated:
                    steps.append((sentence.tokens[0].start, reading[1]))
                continue
            if hit.phrase.implied:
                implied.append(reading)
                continue
            direct.add(reading[1].id)
            target, item = reading
            (denied if target == "denied" else asserted).setdefault(item.id, []).append(item)
        for target, item in implied:
            if item.id not in direct:
                (denied if target == "denied" else asserted).setdefault(item.id, []).append(item)
        items: list[ReadObservation] = []
        conflicts: list[Conflict] = []
        for ident, readings in asserted.items():
            values = {_key(r.value) for r in readings}
            against = [d for d in denied.get(ident, ()) if _key(d.value) in values]
            if len(values) > 1 and not against and (
                    _scale(readings) or _ordinals(readings)
                    or _counts(self._observations.get(ident), readings)
                    or _stretch(self._observations.get(ident), readings)):
                # Fixed numbers are a scale ("upset" 6, "devastated" 8): the highest said
                # is the reading, not a conflict between them. So are ordinals: "the first
                # interview ... the second interview" is two rounds. And so are counts of
                # things (rounds, people): a story counts up as it goes ("the first
                # interview, then a callback for a second", "a phone screen ... four
                # in-person interviews"), and the highest count it gives is the total.
                # A stretch of time told in parts is the same ("two days after the
                # interview the recruiter went on holiday ... nearly two weeks with no
                # news"): the longest part it gives is the whole.
                top = max(readings, key=lambda r: (float(r.value), r.certainty))
                readings = [r for r in readings if r.value == top.value]
                values = {_key(top.value)}
            if len(values) > 1 or against:
                conflicts.append(Conflict(ident, tuple(_merge(readings + against))))
            else:
                items.extend(_merge(readings))
        items.extend(self._last_steps(steps, items, found, asserted.keys() | denied.keys()))
        denials = [d for ident, ds in denied.items() if ident not in asserted
                   for d in _merge(ds)]
        items.sort(key=lambda r: r.spans[0].start)
        conflicts.sort(key=lambda c: min(r.spans[0].start for r in c.readings))
        denials.sort(key=lambda r: r.spans[0].start)
        return Reading(text, tuple(items), tuple(denials), tuple(conflicts), unmatched,
                       "", notes, set_aside=set_aside)


    def _last_steps(self, steps: Sequence[tuple[int, ReadObservation]],
                    items: Sequence[ReadObservation], found: Sequence[tuple[_Hit, _Sentence]],
                    said: Iterable[str]) -> Iterator[ReadObservation]:
        """The step each ``steps_before`` observation followed: the one named last before the no.

        A story tells the steps in order ("a presentation ... the call came the same
        afternoon"), so the step named last, in the no's sentence or before it, is the step
        the no came after. Only when the story says nothing of the observation itself, and
        the no is marked by what ``steps_before`` names (a no within days); the order of a
        story is evidence, not a statement, so the reading is less certain.
        """
        if not steps:
            return
        said = set(said)
        starts = sorted({sentence.tokens[0].start for _, sentence in found})
        by_id: dict[str, list[tuple[int, ReadObservation]]] = {}
        for start, reading in steps:
            by_id.setdefault(reading.id, []).append((start, reading))
        for ident, named in by_id.items():
            obs = self._observations[ident]
            if ident in said:
                continue
            marks = [span for item in items for span in item.spans[:1]
                     if any(item.id == mark and _marks(item.value, value)
                            for mark, value in obs.steps_before)]
            if not marks:
                continue
            no = min(marks, key=lambda span: span.start)
            sentence = max((s for s in starts if s <= no.start), default=0)
            before = [(r.spans[0].start, r) for start, r in named if start <= sentence]
            if not before:
                continue
            _, last = max(before, key=lambda sr: sr[0])
            yield attrs.evolve(last, certainty=round(last.certainty * _STEP, 4),
                               spans=tuple(sorted({*last.spans, no}, key=lambda sp: sp.start)))


def _marks(read: m.Scalar, wanted: m.Scalar) -> bool:
    """Whether a value read is the one ``steps_before`` names (a number: at most it)."""
    if isinstance(wanted, bool) or isinstance(read, bool) or isinstance(wanted, str):
        return read == wanted
    return isinstance(read, int | float) and read <= wanted


def _scale(readings: Sequence[ReadObservation]) -> bool:
    """Every reading is a number set by a phrase's fixed ``value:`` (no slot)."""
    return all(isinstance(r.value, int | float) and not isinstance(r.value, bool)
               and all("{" not in s.phrase for s in r.spans) for r in readings)


def _counts(obs: m.Observation | None, readings: Sequence[ReadObservation]) -> bool:
    """``obs`` counts things (rounds, people), and the highest count read is a count said.

    Not a stretch of time, nor a scale. An ordinal above every count ("two interviews, then
    they invited me to a third") names a round that may only have been planned: that stays
    a conflict.
    """
    if obs is None or not TYPES[obs.type].numeric or obs.unit is None or _measures_time(obs):
        return False
    top = max(float(r.value) for r in readings)
    return any(float(r.value) == top and not all("{ordinal}" in s.phrase for s in r.spans)
               for r in readings)


def _stretch(obs: m.Observation | None, readings: Sequence[ReadObservation]) -> bool:
    """``obs`` measures time (its unit is one of time), and every reading is a number.

    Not when one is only an upper bound ("within a day"): a longest part says nothing
    about the whole then, so "the same day ... within a day" stays a conflict.
    """
    return (obs is not None and TYPES[obs.type].numeric and _measures_time(obs)
            and all(isinstance(r.value, int | float) and not isinstance(r.value, bool)
                    and r.bound not in ("at_most", "less_than") for r in readings))


def _measures_time(obs: m.Observation) -> bool:
    """The observation's unit is one of time (days, weeks ...)."""
    return obs.unit is not None and obs.unit.lower() in _TIME_UNITS


def _ordinals(readings: Sequence[ReadObservation]) -> bool:
    """Every reading is a number set by an ``{ordinal}`` slot ("the third round")."""
    return all(isinstance(r.value, int | float) and not isinstance(r.value, bool)
               and all("{ordinal}" in s.phrase for s in r.spans) for r in readings)


def _key(value: m.Scalar) -> tuple[str, m.Scalar]:
    return (type(value).__name__ if isinstance(value, bool) else "v", value)


def _merge(readings: Sequence[ReadObservation]) -> list[ReadObservation]:
    """One reading per (value, negated): the most certain, with every span."""
    groups: dict[tuple[Any, bool], list[ReadObservation]] = {}
    for r in readings:
        groups.setdefault((_key(r.value), r.negated), []).append(r)
    out = []
    for group in groups.values():
        best = max(group, key=lambda r: r.certainty)
        spans = tuple(sorted({s for r in group for s in r.spans}, key=lambda s: s.start))
        hedges = tuple(dict.fromkeys(h for r in group for h in r.hedges))
        out.append(attrs.evolve(best, spans=spans, hedges=hedges if best.hedges else ()))
    return sorted(out, key=lambda r: r.spans[0].start)


def _overtaken(hit: _Hit, other: _Hit) -> bool:
    """``other`` shares words with ``hit``, starts and ends after it, and says otherwise."""
    mine, theirs = hit.phrase, other.phrase
    return (mine.observation.id == theirs.observation.id
            and not mine.implied and not theirs.implied
            and mine.slot is None and theirs.slot is None
            and mine.phrase.value != theirs.phrase.value
            and other.first > hit.first and other.last > hit.last
            and not set(hit.indexes).isdisjoint(other.indexes))


def _match(sentence: _Sentence, phrase: _Phrase, i: int) -> _Hit | None:
    tokens = sentence.tokens
    seq = phrase.sequence
    indexes: list[int] = []
    quantity: list[Quantity] = []

    def step(k: int, j: int, gap: int, wide: bool) -> bool:
        if k == len(seq):
            return True
        item = seq[k]
        if item == WIDE:
            return step(k + 1, j, WIDE_GAP, True)
        skipped = 0
        while j < len(tokens):
            tok = tokens[j]
            if item.startswith("{"):
                q = sentence.slot(j, item, phrase.observation.unit)
                if q is not None:
                    indexes.extend(range(q.start, q.end))
                    quantity.append(q)
                    # The word after a number is what it counts ("three rounds"; a phrase
                    # names adjectives it allows): not "three weeks after the interview".
                    if step(k + 1, q.end, _GAP_AFTER_SLOT, False):
                        return True
                    del indexes[len(indexes) - (q.end - q.start):]
                    quantity.pop()
            elif tok.stem == item and tok.lower not in SKIP:
                indexes.append(j)
                if step(k + 1, j + 1, GAP, False):
                    return True
                indexes.pop()
            if not tok.is_word:
                if not wide or tok.lower in _STRONG_TERMINATORS or k == 0:
                    return False
            elif tok.lower not in SKIP and tok.stem not in SKIP_STEMS:
                if item in _UNIT_STEMS and k and seq[k - 1] in _POINTING \
                        and starts_number(tok):
                    # A count between "next" and a unit of time makes a stretch of
                    # time out of a point in it: "the next several days" is not "the
                    # next day" (while "no reply for three weeks" is "for weeks").
                    return False
                skipped += 1
                if skipped > gap:
                    return False
            j += 1
        return False

    if not step(0, i, 0, False) or not indexes:
        return None
    if indexes[0] != i and not seq[0].startswith("{"):
        return None
    after = indexes[-1] + 1
    if tokens[indexes[0]].joined or (after < len(tokens) and tokens[after].joined):
        # A phrase does not cut a hyphenated word in two: "a well-known firm" does not
        # say the interview went "well".
        return None
    if tokens[indexes[-1]].lower in _COMPARATIVES and after < len(tokens) \
            and tokens[after].lower == "than":
        # "the decision came three days later than promised" is a delay, not a wait.
        return None
    return _Hit(phrase, tuple(sorted(indexes)), quantity[0] if quantity else None)


def _slot(tokens: list[Token], j: int, slot: str, unit: str | None) -> Quantity | None:
    if slot == "{number}":
        q = number_at(tokens, j)
        # "a third team member", "an interview": a bare article is not a count.
        if q is not None and q.end == j + 1 and tokens[j].lower in ("a", "an"):
            return None
        return q
    if slot == "{duration}":
        return duration_at(tokens, j, unit)
    value = ordinal(tokens[j].lower)
    return Quantity(float(value), "exact", j, j + 1) if value is not None else None


def _terminated(tokens: list[Token], a: int, b: int, strong_only: bool = False) -> bool:
    """Whether a scope from token ``a`` to token ``b`` (exclusive) is cut in between."""
    for j in range(a, b):
        w = tokens[j].lower
        if w in (_STRONG_TERMINATORS if strong_only else cues.TERMINATORS):
            return True
        if w == "and" and j + 1 < len(tokens) and tokens[j + 1].lower in cues.CLAUSE_STARTERS:
            return True
    return False


def _distance(tokens: list[Token], a: int, b: int) -> int:
    return sum(1 for t in tokens[a:b] if t.is_word and t.lower not in SKIP)


def _negated(sentence: _Sentence, hit: _Hit) -> tuple[int, int] | None:
    """The tokens of the cue that negates ``hit``, or None."""
    tokens = sentence.tokens
    own = set(hit.indexes)
    pseudo = {j for s, e, _ in sentence.cues("pseudo") for j in range(s, e)}
    for s, e, _ in sentence.cues("pre"):
        if own & set(range(s, e)) or pseudo & set(range(s, e)):
            continue
        if e <= hit.first and _distance(tokens, e, hit.first) <= cues.SCOPE \
                and not _terminated(tokens, e, hit.first):
            return s, e
        if hit.first < s and e <= hit.last:
            return s, e
    for s, e, _ in sentence.cues("post"):
        if own & set(range(s, e)):
            continue
        if s > hit.last and _distance(tokens, hit.last + 1, s) <= 3 \
                and not _terminated(tokens, hit.last + 1, s):
            return s, e
    return None


def _hypothetical(sentence: _Sentence, hit: _Hit) -> bool:
    """Whether ``hit`` is in the scope of a hypothetical cue ("about to", "once", "if")."""
    tokens = sentence.tokens
    # "once" in "not once" is part of a negation.
    own = set(hit.indexes) | {j for s, e, _ in sentence.cues("pre") for j in range(s, e)}
    # A cue between the phrase's words counts too: "the manager promised to call".
    return any(not own & set(range(s, e)) and (
        (e <= hit.first and _distance(tokens, e, hit.first) <= cues.SCOPE
         and not _terminated(tokens, e, hit.first)) or hit.first < s < hit.last)
        for s, e, _ in sentence.cues("hypothetical"))


def _governed(sentence: _Sentence, hit: _Hit, cue: tuple[int, int]) -> bool:
    """Whether the negation ``cue`` belongs to another observation's phrase ending before ``hit``.

    Then ``hit`` is what that negated phrase is about, not a fact denied: "she had never
    worked in the public sector" says something about her ("never worked in"), nothing
    about whether the employer is public; "never told the role depended on passing a
    background check" neither passes nor fails the check.
    """
    words = set(range(*cue))
    return any(ident != hit.phrase.observation.id and words & claimed
               and max(claimed) < hit.first for ident, claimed in sentence.claimed)


def _hedges(sentence: _Sentence, hit: _Hit) -> tuple[tuple[str, float], ...]:
    tokens = sentence.tokens
    own = set(hit.indexes)
    out = []
    for s, e, cue in sentence.cues("hedge"):
        if own & set(range(s, e)):
            continue
        before = e <= hit.first and not _terminated(tokens, e, hit.first, strong_only=True)
        after = s > hit.last and cue in cues.POST_HEDGES and not _terminated(
            tokens, hit.last + 1, s, strong_only=True)
        if before or after:
            out.append((" ".join(cue), cues.HEDGES[cue]))
    return tuple(out)


def _interpret(text: str, hit: _Hit, sentence: _Sentence
               ) -> tuple[str, ReadObservation] | None:
    tokens = sentence.tokens
    obs, phrase = hit.phrase.observation, hit.phrase.phrase
    if _hypothetical(sentence, hit):
        return None
    cue = _negated(sentence, hit)
    negated = cue is not None
    if cue is not None and _governed(sentence, hit, cue):
        return None
    if negated and hit.phrase.implied:
        return None
    hedges = _hedges(sentence, hit)
    certainty = phrase.certainty * min((w for _, w in hedges), default=1.0)
    bound: Bound = "exact"
    value: m.Scalar
    if TYPES[obs.type].numeric:
        if hit.quantity is not None and hit.phrase.slot is not None:
            number = hit.quantity.value
            bound = hit.quantity.bound
            step = 1.0
            if bound == "more_than":
                number += step
            elif bound == "less_than":
                number = max(number - step, 0.0)
            if bound != "exact":
                certainty *= _APPROXIMATE
        else:
            assert isinstance(phrase.value, int | float)
            number = float(phrase.value)
        if obs.range is not None and not obs.range[0] <= number <= obs.range[1]:
            return None
        if not math.isfinite(number):
            return None
        value = int(number) if float(number).is_integer() else number
    else:
        value = phrase.value if phrase.value is not None else True
    # The span shows the negation too: "never called my references".
    first, last = (min(hit.first, cue[0]), max(hit.last, cue[1] - 1)) if cue else (
        hit.first, hit.last)
    start, end = tokens[first].start, tokens[last].end
    span = Span(start, end, text[start:end], phrase.text, phrase.location)
    certainty = round(certainty, 4)
    item = ReadObservation(obs.id, value, certainty, (span,), negated,
                           tuple(h for h, _ in hedges), bound)
    if not negated:
        return "asserted", item
    if TYPES[obs.type].flips:
        assert isinstance(value, bool)
        return "asserted", attrs.evolve(item, value=not value)
    return "denied", item
