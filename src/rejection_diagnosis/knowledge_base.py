"""Loading a knowledge base and diagnosing cases with it."""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import model as m
from ._caches import register
from ._engine import DurableMatcher, Matcher, prepare
from ._forksafe import ForkSafeLock
from ._yaml import Limits
from .certainty import DEFAULT_THRESHOLD, check_threshold, reaches
from .compiler import CompileLimitError, Program, compile_rules
from .conclusions import Advice, BaseRate, Conclusion, Contribution, rank_key
from .diagnosis import Diagnosis
from .errors import DiagnosisError, Problem, RuleSetError
from .inference import Inference, infer, plan_for
from .lint import lint_problems
from .loader import RuleSet, bundled_rules_path, discover, parse_rule_files
from .observations import Given, normalize
from .validation import semantic_problems

#: A ranked answer naming fewer causes than this is rounded out with the most common causes
#: no rule spoke about (``Diagnosis.also_common``): a coach names the usual suspects too.
ALSO_COMMON_UP_TO = 3

if TYPE_CHECKING:
    from .batch import BatchResult
    from .consultation import AnswerModel, How, Question, WhatIf, WhyNot
    from .story import Reading, StoryReader

__all__ = ["DEFAULT_THRESHOLD", "KnowledgeBase", "check_rules", "diagnose", "load_rules"]


class KnowledgeBase:
    """A loaded, validated and compiled rule set. Immutable and safe to share across threads.

    Attributes:
        observations: the vocabulary, by id (in file order).
        findings, causes, recommendations: the conclusions, by id.
        checklists: related yes/no observations asked as one question, by id.
        rules: every rule, in file order.
        files: the rule files it was read from.
    """

    def __init__(self, ruleset: RuleSet, program: Program, matcher: Matcher | None = None) -> None:
        self._ruleset = ruleset
        self._program = program
        self._matcher: Matcher = matcher or DurableMatcher()
        self.observations: Mapping[str, m.Observation] = MappingProxyType(
            {o.id: o for o in ruleset.observations})
        self.findings: Mapping[str, m.Finding] = MappingProxyType(
            {f.id: f for f in ruleset.findings})
        self.causes: Mapping[str, m.Cause] = MappingProxyType({c.id: c for c in ruleset.causes})
        self.recommendations: Mapping[str, m.Recommendation] = MappingProxyType(
            {r.id: r for r in ruleset.recommendations})
        self.rules: tuple[m.Rule, ...] = ruleset.rules
        self.checklists: Mapping[str, m.Checklist] = MappingProxyType(
            {c.id: c for c in ruleset.checklists})
        self.files: tuple[str, ...] = ruleset.files
        self._cause_ids = frozenset(self.causes)
        self._plan = plan_for(program)
        # Most common first; ties by id so the order never depends on file order.
        self._base_rates = tuple(
            BaseRate(c.id, c.title, c.description, c.prior)
            for c in sorted(self.causes.values(), key=lambda c: (-(c.prior or 0.0), c.id))
            if c.prior)
        self._reader: StoryReader | None = None
        # Held only while the reader is built (on the first read_story); fresh after fork.
        self._reader_lock = ForkSafeLock()

    def __reduce__(self) -> tuple[Any, ...]:
        # What a worker process of diagnose_many receives (once): the rules as compiled
        # here, never re-read from files that may have changed since.
        return (KnowledgeBase, (self._ruleset, self._program, self._matcher))

    def __repr__(self) -> str:
        return (f"<KnowledgeBase {len(self.observations)} observations, {len(self.causes)} causes, "
                f"{len(self.recommendations)} recommendations, {len(self.rules)} rules>")

    @property
    def program(self) -> Program:
        """The compiled program (rule alternatives and layers, engine-neutral); for tools
        and tests."""
        return self._program

    def with_matcher(self, matcher: Matcher) -> KnowledgeBase:
        """The same knowledge base evaluated by another matcher (e.g. a reference evaluator)."""
        return KnowledgeBase(self._ruleset, self._program, matcher)

    def case_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of a valid case for this knowledge base.

        Each observation is a property with its type, range or allowed values,
        description and question; see :mod:`rejection_diagnosis.case_schema`.
        """
        from .case_schema import case_schema

        return case_schema(self.observations)

    def diagnose(self, observations: Mapping[str, Any], *,
                 threshold: float = DEFAULT_THRESHOLD) -> Diagnosis:
        """Diagnose one case.

        Args:
            observations: observation id -> value (bool, number or category string), or
                ``{"value": v, "certainty": c}`` with 0 < c <= 1. Missing ids are unknown.
            threshold: causes and recommendations from this certainty on are reported.

        Raises:
            ObservationError: an unknown id, a wrong type, a value out of range.
            EngineError: the engine failed; no partial diagnosis is returned.
        """
        threshold = check_threshold(threshold)
        given = normalize(self.observations, observations)
        return self._diagnose(given, threshold)

    def diagnose_many(self, cases: Iterable[Mapping[str, Any]], *, workers: int | None = 1,
                      threshold: float = DEFAULT_THRESHOLD, as_json: bool = False,
                      raise_errors: bool = False, chunk_size: int = 64,
                      mp_context: str | None = None) -> Iterator[BatchResult]:
        """Diagnose many cases, in worker processes; yield one result per case, in input order.

        Args:
            cases: an iterable of observation mappings, consumed lazily (a generator over a
                file of millions of records is fine: memory stays bounded).
            workers: worker processes; 1 diagnoses in this process, None uses every CPU.
                Each worker receives this knowledge base once, as compiled here (inherited
                under ``fork``, pickled otherwise; a matcher given to :meth:`with_matcher`
                must then pickle): the files are never read again, so a batch always
                answers as :meth:`diagnose` does.
            threshold: as for :meth:`diagnose`.
            as_json: give each result's ``to_dict()`` as JSON text (``result.json``)
                instead of a :class:`Diagnosis`: much cheaper to bring back from a worker.
            raise_errors: raise the first case's error (with a note naming the case)
                instead of reporting it in that case's result and going on.
            chunk_size: cases sent to a worker at a time.
            mp_context: multiprocessing start method (``"forkserver"``, ``"spawn"`` or
                ``"fork"``); default :func:`~rejection_diagnosis.batch.default_start_method`,
                ``forkserver`` where available, else ``spawn``. Except under ``fork``, a
                script that starts workers needs ``if __name__ == "__main__":``.

        Returns:
            An iterator of :class:`~rejection_diagnosis.batch.BatchResult`: ``index``, and
            ``diagnosis`` (or ``json``) or ``error`` (an :class:`ObservationError`, ...).
        """
        from .batch import diagnose_many

        return diagnose_many(self, cases, workers=workers, threshold=threshold,
                             as_json=as_json, raise_errors=raise_errors,
                             chunk_size=chunk_size, mp_context=mp_context)
    def next_questions(self, observations: Mapping[str, Any], k: int = 3, *,
                       dont_know: Iterable[str] = (), threshold: float = DEFAULT_THRESHOLD,
                       lead: int = 1, model: AnswerModel | None = None) -> tuple[Question, ...]:
        """The ``k`` open observations whose answers are expected to change the diagnosis most.

        See :func:`rejection_diagnosis.consultation.next_questions`.
        """
        from .consultation import next_questions

        return next_questions(self, observations, k, dont_know=dont_know, threshold=threshold,
                              lead=lead, model=model)

    def what_if(self, observations: Mapping[str, Any], changes: Mapping[str, Any], *,
                threshold: float = DEFAULT_THRESHOLD) -> WhatIf:
        """The diagnosis after ``changes`` (None forgets one), with per-cause differences.

        See :func:`rejection_diagnosis.consultation.what_if`.
        """
        from .consultation import what_if

        return what_if(self, observations, changes, threshold=threshold)

    def how(self, dx: Diagnosis, cause_id: str) -> How:
        """The chain of rules and observations behind ``cause_id``'s certainty in ``dx``
        (MYCIN's HOW), ``dx`` being a diagnosis made with this knowledge base.

        See :func:`rejection_diagnosis.consultation.how`.

        Raises:
            UnknownCauseError: no such cause in this knowledge base.
        """
        from .consultation import how

        return how(self, dx, cause_id)

    def why_not(self, dx: Diagnosis, cause_id: str) -> WhyNot:
        """What evidence for ``cause_id`` was missing, unknown or pointed the other way in
        ``dx``, a diagnosis made with this knowledge base.

        See :func:`rejection_diagnosis.consultation.why_not`.

        Raises:
            UnknownCauseError: no such cause in this knowledge base.
        """
        from .consultation import why_not

        return why_not(self, dx, cause_id)

    def read_story(self, text: str, *, max_chars: int | None = None) -> Reading:
        """The observations a story in plain words supports, with where each was read.

        The words that set each observation are the ``phrases:`` of the rule files. The
        reader is built on first use. It never raises for text: an empty story reads
        nothing, one that is too long or not text gives a :attr:`Reading.refusal`.

        Args:
            text: the story.
            max_chars: refuse longer stories (default
                :data:`rejection_diagnosis.story.MAX_CHARS`).

        Returns:
            A :class:`~rejection_diagnosis.story.Reading`; its ``observations`` is a case
            for :meth:`diagnose`.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        from .story import MAX_CHARS, StoryReader

        if self._reader is None:
            with self._reader_lock:
                if self._reader is None:
                    self._reader = StoryReader(self.observations.values())
        return self._reader.read(text, max_chars=MAX_CHARS if max_chars is None else max_chars)

    def _infer(self, given: Mapping[str, Given], threshold: float) -> Inference:
        """The inference of a normalised case, for the consultation's explanations."""
        return infer(self._program, self._matcher, given, self._cause_ids, threshold, self._plan)

    def _diagnose(self, given: dict[str, Given], threshold: float) -> Diagnosis:
        inf = infer(self._program, self._matcher, given, self._cause_ids, threshold, self._plan)
        considered: list[Conclusion] = []
        findings: list[Conclusion] = []
        coping: list[Advice] = []
        next_steps: list[Advice] = []
        for node, contributions in inf.contributions.items():
            certainty = inf.certainty[node]
            positive, negative = inf.totals[node]
            ordered = (tuple(contributions) if len(contributions) == 1
                       else tuple(sorted(contributions, key=_by_weight)))
            if node in self.causes:
                cause = self.causes[node]
                considered.append(Conclusion(node, "cause", cause.title, cause.description,
                                             certainty, positive, negative, ordered, cause.source))
            elif node in self.findings:
                finding = self.findings[node]
                if certainty > 0:
                    findings.append(Conclusion(node, "finding", finding.title, finding.description,
                                               certainty, positive, negative, ordered))
            elif reaches(certainty, threshold):
                rec = self.recommendations[node]
                advice = Advice(node, rec.kind, rec.title, rec.text, certainty, ordered, rec.source)
                (coping if rec.kind == "coping" else next_steps).append(advice)
        considered.sort(key=rank_key)
        causes = tuple(c for c in considered if reaches(c.certainty, threshold))
        ranked = sum(1 for c in considered if c.certainty > 0)
        base_rates = () if ranked else self._base_rates
        also_common = self._also_common(considered, ranked)
        return Diagnosis(
            causes=causes,
            findings=tuple(sorted(findings, key=rank_key)),
            coping=tuple(sorted(coping, key=rank_key)),
            next_steps=tuple(sorted(next_steps, key=rank_key)),
            considered=tuple(considered),
            observations=MappingProxyType(dict(sorted(given.items()))),
            threshold=threshold,
            insufficient_evidence=not causes,
            fired=tuple(inf.fired),
            base_rates=base_rates,
            also_common=also_common,
        )

    def _also_common(self, considered: list[Conclusion], ranked: int) -> tuple[BaseRate, ...]:
        """The most common causes no rule spoke about, to make a short ranked list three."""
        if not 0 < ranked < ALSO_COMMON_UP_TO:
            return ()
        spoken = {c.id for c in considered}
        return tuple(b for b in self._base_rates if b.id not in spoken)[:ALSO_COMMON_UP_TO - ranked]


# Loading --------------------------------------------------------------------------------

_CACHE_LOCK = ForkSafeLock()
# Compiled knowledge bases by the content of their files: reloading unchanged rules (a server
# that reloads on a signal) costs a read and a hash. Bounded; the engine keeps compiled
# groups by content anyway, so an evicted entry recompiles without new engine memory.
_CACHE: OrderedDict[str, KnowledgeBase] = OrderedDict()
_CACHE_SIZE = 16


def _clear_loaded() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


register("knowledge_base.loaded", _clear_loaded, lambda: len(_CACHE))


def _content_key(paths: tuple[str | os.PathLike[str], ...], limits: Limits) -> str | None:
    files, problems = discover(paths)
    if problems:
        return None
    digest = hashlib.sha256(repr(limits).encode())
    for f in files:
        try:
            with f.open("rb") as handle:
                data = handle.read(limits.max_bytes + 1)
        except OSError:
            return None
        digest.update(str(f).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _by_weight(c: Contribution) -> tuple[float, str]:
    # Heaviest contribution first; ties by rule id, so the order never depends on layers.
    return -abs(c.contribution), c.rule_id


def _build(paths: tuple[str | os.PathLike[str], ...], limits: Limits,
           lint: bool = False) -> tuple[KnowledgeBase | None, list[Problem]]:
    ruleset, problems = parse_rule_files(paths, limits)
    problems.extend(semantic_problems(ruleset))
    if lint:
        problems.extend(lint_problems(ruleset, problems))
    if any(p.severity == "error" for p in problems):
        return None, problems
    try:
        program = compile_rules(ruleset.rules, (c.id for c in ruleset.causes))
        prepare(program)  # the engine's own limits: refused here, located, not mid-diagnosis
    except CompileLimitError as exc:
        # compile_rules stops at the first; find every rule that is too large, located.
        from .compiler import expand

        for rule in ruleset.rules:
            try:
                expand(rule.when)
            except CompileLimitError as inner:
                where = rule.location
                problems.append(Problem(where.path, where.line, where.column, "error",
                                        "too-complex", f"rule {rule.id!r}: {inner}",
                                        where.yaml_path, rule.id))
        if exc.rule_index is not None:  # the grouping: no engine group can hold this rule
            rule = ruleset.rules[exc.rule_index]
            where = rule.location
            problems.append(Problem(where.path, where.line, where.column, "error",
                                    "engine-limit", f"rule {rule.id!r}: {exc}",
                                    where.yaml_path, rule.id))
        if not problems:  # pragma: no cover - expand() and compile_rules() agree
            raise DiagnosisError(str(exc)) from exc
        return None, problems
    if lint:  # only the problems are wanted (check_rules): no plan to build
        return None, problems
    return KnowledgeBase(ruleset, program), problems


def load_rules(*paths: str | os.PathLike[str], limits: Limits | None = None) -> KnowledgeBase:
    """Load, validate and compile rule files into a :class:`KnowledgeBase`.

    Args:
        paths: rule files or folders (a folder contributes its ``*.yaml``/``*.yml`` files,
            not recursing). None given: the bundled default knowledge base.
        limits: bounds on each file (size, depth, values); see :class:`Limits`.

    Raises:
        RuleSetError: every error found in the files, each located as ``path:line:col``.
    """
    limits = limits or Limits()
    chosen = paths or (bundled_rules_path(),)
    key = _content_key(chosen, limits)
    if key is not None:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
            if cached is not None:
                _CACHE.move_to_end(key)
                return cached
    kb, problems = _build(chosen, limits)
    if kb is None:
        raise RuleSetError(problems)
    if key is not None:
        with _CACHE_LOCK:
            _CACHE[key] = kb
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return kb


def check_rules(*paths: str | os.PathLike[str], limits: Limits | None = None) -> list[Problem]:
    """Every problem in the rule files, errors and lint warnings, sorted by place.

    Never raises for bad files: each :class:`~rejection_diagnosis.errors.Problem` has a
    path, a 1-based line and column (0 when the whole file is concerned), a severity
    (``"error"`` or ``"warning"``), a code and a message.
    """
    _, problems = _build(paths or (bundled_rules_path(),), limits or Limits(), lint=True)
    return sorted(problems, key=Problem.sort_key)


_DEFAULT: KnowledgeBase | None = None
_DEFAULT_LOCK = ForkSafeLock()


def _clear_default() -> None:
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = None


register("knowledge_base.default", _clear_default, lambda: int(_DEFAULT is not None))


def diagnose(observations: Mapping[str, Any], *, threshold: float = DEFAULT_THRESHOLD) -> Diagnosis:
    """:meth:`KnowledgeBase.diagnose` on the bundled knowledge base (loaded once, lazily)."""
    global _DEFAULT
    kb = _DEFAULT  # read once: clear_caches() may reset it from another thread meanwhile
    if kb is None:
        with _DEFAULT_LOCK:
            kb = _DEFAULT
            if kb is None:
                kb = _DEFAULT = load_rules()
    return kb.diagnose(observations, threshold=threshold)
