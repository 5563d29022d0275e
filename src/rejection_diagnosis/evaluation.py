"""Measuring a knowledge base against labelled real cases (:func:`evaluate`).

Definitions (also in ``docs/evaluation.md``):

- A case's *ranking* is the list of distinct categories of its causes, in the diagnosis'
  order (a category ranks where its best cause ranks). Each cause id is mapped through the
  categories map; a cause the map does not name is its own category. The true label is
  mapped the same way (it may already be a category).
- Tier ``reported``: the causes in ``dx.causes`` (certainty at least the threshold). Tier
  ``considered``: every cause in ``dx.considered`` with a positive certainty, so also those
  below the threshold (``dx.ranked``). Tier ``with_base_rates``: the same, rounded out to
  three with the common causes no rule spoke about when rules speak for one or two
  (``dx.also_common``), or, when no rule speaks for any cause, the causes the rule set
  declares a prior for (``dx.base_rates``, most common first). Top-1 and top-3 are given
  for every tier; the per-category figures, the confusion matrix and the misleading rules
  are of the tier asked for.
- The *top cause* is the first of the ranking. An empty ranking is "no cause reported": a
  miss for top-1 and top-3, and the ``none`` column of the confusion matrix.
- Top-k: the true category is among the first k of the ranking.
- Per category (of the top cause): recall = right top causes / cases with that truth;
  precision = right top causes / cases whose top cause it is.
- Per rule that spoke of a cause in a case (it is among the cause's contributions): fired
  counts those cases; right counts those where it was right (a rule for a cause: the
  cause's category was the truth; a rule against a cause: it was not). A rule *lifted a
  wrong cause* in a case when it added positive certainty to a cause whose category ranks
  above the true category (or to any ranked cause, when the truth is not ranked).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._yaml import Limits, read_yaml
from .certainty import DEFAULT_THRESHOLD
from .conclusions import BaseRate, Conclusion
from .diagnosis import Diagnosis
from .errors import ObservationError, Problem, RuleSetError, did_you_mean
from .labelled import LabelledCase, case_problems, read_cases, unique_cases
from .loader import bundled_rules_path
from .model import Location

if TYPE_CHECKING:
    from .knowledge_base import KnowledgeBase

__all__ = ["NONE", "TIERS", "CaseResult", "CategoryFigures", "Confusion", "Evaluation", "RuleFigures",
           "Summary", "Tier", "TopK", "bundled_categories_path", "category_problems",
           "evaluate", "load_categories"]

Tier = Literal["reported", "considered", "with_base_rates"]
TIERS: tuple[Tier, ...] = ("reported", "considered", "with_base_rates")
#: The confusion-matrix column of cases with no cause.
NONE = "none"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@attrs.frozen
class TopK:
    """Top-1, top-3 and empty answers over ``n`` cases, as counts (rates are properties)."""

    n: int
    top1: int
    top3: int
    no_cause: int
    #: Top cause is the truth or one of the case's secondary causes.
    top1_or_secondary: int

    @property
    def top1_rate(self) -> float | None:
        """Share of cases whose top cause is the truth (None with no cases)."""
        return _rate(self.top1, self.n)

    @property
    def top3_rate(self) -> float | None:
        """Share of cases with the truth among the first three."""
        return _rate(self.top3, self.n)

    @property
    def no_cause_rate(self) -> float | None:
        """Share of cases with no cause at all."""
        return _rate(self.no_cause, self.n)

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates, JSON-ready."""
        return {**attrs.asdict(self), "top1_rate": self.top1_rate, "top3_rate": self.top3_rate,
                "no_cause_rate": self.no_cause_rate,
                "top1_or_secondary_rate": _rate(self.top1_or_secondary, self.n)}


@attrs.frozen
class Summary:
    """The headline figures of a group of cases, for every tier."""

    n: int
    reported: TopK
    considered: TopK
    with_base_rates: TopK

    def tier(self, tier: Tier) -> TopK:
        """The figures of ``tier``."""
        return {"reported": self.reported, "considered": self.considered,
                "with_base_rates": self.with_base_rates}[tier]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"n": self.n, **{t: self.tier(t).to_dict() for t in TIERS}}


@attrs.frozen
class CategoryFigures:
    """Recall and precision of the top cause for one category (or cause)."""

    category: str
    #: Cases whose truth is this category.
    support: int
    #: Cases whose top cause is this category.
    predicted: int
    #: Cases where both hold.
    correct: int

    @property
    def recall(self) -> float | None:
        """correct / support (None when no case has this truth)."""
        return _rate(self.correct, self.support)

    @property
    def precision(self) -> float | None:
        """correct / predicted (None when it is never the top cause)."""
        return _rate(self.correct, self.predicted)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**attrs.asdict(self), "recall": self.recall, "precision": self.precision}


@attrs.frozen
class Confusion:
    """Cases by true category (rows) and top cause (columns, the last one :data:`NONE`)."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The labels, then :data:`NONE`."""
        return (*self.labels, NONE)

    def count(self, truth: str, predicted: str) -> int:
        """Cases whose truth is ``truth`` and whose top cause is ``predicted`` (or NONE)."""
        return self.counts[self.labels.index(truth)][self.columns.index(predicted)]

    def to_dict(self) -> dict[str, Any]:
        """``{"columns": [...], "rows": {truth: {predicted: count}}}`` (every cell)."""
        return {"columns": list(self.columns),
                "rows": {t: dict(zip(self.columns, row, strict=True))
                         for t, row in zip(self.labels, self.counts, strict=True)}}


@attrs.frozen
class RuleFigures:
    """How one rule that concludes about a cause did over the cases where it fired."""

    rule_id: str
    cause: str
    category: str
    certainty_factor: float
    location: Location
    #: Cases where the rule spoke of its cause.
    fired: int
    #: Of those, cases where it was right (for a cause: it was the truth; against: it was not).
    right: int
    #: Cases where it added certainty to a wrong cause that ranked above the true one.
    lifted_wrong: int

    @property
    def precision(self) -> float | None:
        """right / fired."""
        return _rate(self.right, self.fired)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the rule's place as ``path:line:col``."""
        return {"rule_id": self.rule_id, "cause": self.cause, "category": self.category,
                "certainty_factor": self.certainty_factor, "location": str(self.location),
                "fired": self.fired, "right": self.right, "precision": self.precision,
                "lifted_wrong": self.lifted_wrong}


@attrs.frozen
class CaseResult:
    """One case's truth and rankings (categories, best first)."""

    id: str
    truth: str
    secondary: tuple[str, ...]
    confidence: str
    split: str | None
    #: Categories of ``dx.causes``, best first.
    reported: tuple[str, ...]
    #: Categories of the causes with positive certainty, best first.
    considered: tuple[str, ...]
    #: ``considered``, or when it is empty the categories of the base rates, most common first.
    with_base_rates: tuple[str, ...]
    #: The reported causes as (cause id, certainty).
    causes: tuple[tuple[str, float], ...]
    location: Location

    def ranking(self, tier: Tier) -> tuple[str, ...]:
        """The ranking of ``tier``."""
        return {"reported": self.reported, "considered": self.considered,
                "with_base_rates": self.with_base_rates}[tier]

    def rank(self, tier: Tier) -> int | None:
        """1-based place of the truth in ``tier``'s ranking, or None when it is not there."""
        ranking = self.ranking(tier)
        return ranking.index(self.truth) + 1 if self.truth in ranking else None

    def top(self, tier: Tier) -> str:
        """The top category of ``tier``, or :data:`NONE`."""
        ranking = self.ranking(tier)
        return ranking[0] if ranking else NONE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"id": self.id, "truth": self.truth, "secondary": list(self.secondary),
                "confidence": self.confidence, "split": self.split,
                "reported": list(self.reported), "considered": list(self.considered),
                "with_base_rates": list(self.with_base_rates),
                "causes": [{"id": c, "certainty": x} for c, x in self.causes],
                "location": str(self.location)}


@attrs.frozen
class Evaluation:
    """Every figure of an evaluation, as plain data (:meth:`to_dict` for JSON).

    Attributes:
        summary: top-1, top-3 and no-cause counts of all cases, for both tiers.
        by_confidence: the same per label confidence (``high``, ``medium``, ``low``) present.
        by_split: the same per split (``dev``, ``test``) present; empty when no case has one.
        by_file: the same per labelled-case file, when the cases come from more than one
            (two readers' descriptions of the same cases, say).
        categories: recall and precision of the top cause per category (``tier``).
        confusion: true category by top cause (``tier``).
        rules: every rule that spoke of a cause in some case, in rule-file order.
        misleading: the rules that lifted a wrong cause above the true one, most often first.
        cases: each case's truth and rankings, in input order.
        tier: the tier of the detailed figures: ``reported``, ``considered`` or
            ``with_base_rates``.
        threshold: the reporting threshold of the diagnoses.
        category_map: cause id -> category used (empty: causes are their own categories).
    """

    summary: Summary
    by_confidence: Mapping[str, Summary]
    by_split: Mapping[str, Summary]
    by_file: Mapping[str, Summary]
    categories: tuple[CategoryFigures, ...]
    confusion: Confusion
    rules: tuple[RuleFigures, ...]
    misleading: tuple[RuleFigures, ...]
    cases: tuple[CaseResult, ...]
    tier: Tier
    threshold: float
    category_map: Mapping[str, str]

    @property
    def n(self) -> int:
        """Number of cases."""
        return self.summary.n

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every figure."""
        return {
            "n": self.n, "tier": self.tier, "threshold": self.threshold,
            "summary": self.summary.to_dict(),
            "by_confidence": {k: v.to_dict() for k, v in self.by_confidence.items()},
            "by_split": {k: v.to_dict() for k, v in self.by_split.items()},
            "by_file": {k: v.to_dict() for k, v in self.by_file.items()},
            "categories": [c.to_dict() for c in self.categories],
            "confusion": self.confusion.to_dict(),
            "rules": [r.to_dict() for r in self.rules],
            "misleading": [r.rule_id for r in self.misleading],
            "cases": [c.to_dict() for c in self.cases],
            "category_map": dict(self.category_map),
        }


# The categories map -------------------------------------------------------------------------


def bundled_categories_path() -> Path:
    """The map of the bundled causes onto the labelled cases' categories."""
    return bundled_rules_path() / "evaluation" / "categories.yaml"


def load_categories(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a categories map: a YAML or JSON mapping ``categories: {cause id: category}``.

    Raises:
        RuleSetError: the file is unreadable or not shaped so, every problem located.
    """
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RuleSetError([Problem(name, 0, 0, "error", "file-unreadable",
                                    f"cannot read categories map: {exc.strerror}")]) from exc
    doc = read_yaml(raw, name, Limits())
    if isinstance(doc, Problem):
        if doc.code == "yaml-empty":
            doc = attrs.evolve(doc, message="file is empty; a categories map is "
                                            "'categories:' mapping cause ids to categories")
        raise RuleSetError([doc])
    problems = list(doc.problems)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise RuleSetError([*problems, Problem(
            name, *doc.mark(("categories",)), "error", "categories",
            "a categories map is a mapping with 'categories:', which maps each cause id to "
            "its category, e.g. 'second_choice: stronger_external_candidate'")])
    extra = sorted(set(data) - {"categories", "meta"})
    for key in extra:
        problems.append(Problem(name, *doc.key_mark((key,)), "error", "unknown-key",
                                f"unexpected top-level key {key!r}"
                                f"{did_you_mean(key, ['categories', 'meta'])}; "
                                "allowed: categories, meta"))
    out: dict[str, str] = {}
    for cause, category in data["categories"].items():
        if not isinstance(category, str) or not category:
            problems.append(Problem(name, *doc.mark(("categories", cause)), "error",
                                    "categories", f"cause {cause!r}: the category must be a "
                                    f"name (got {category!r:.60})"))
            continue
        out[cause] = category
    if problems:
        raise RuleSetError(problems)
    return out


def category_problems(kb: KnowledgeBase, categories: Mapping[str, str],
                      path: str = "") -> list[Problem]:
    """Warnings about a categories map for ``kb``: causes it leaves out (scored as their own
    category) and ids that are not causes of ``kb`` (ignored; perhaps misspelt)."""
    problems: list[Problem] = []
    for cause in kb.causes:
        if cause not in categories:
            problems.append(Problem(path, 0, 0, "warning", "categories",
                                    f"cause {cause!r} is not in the categories map; it is "
                                    "scored as its own category"))
    for cause in categories:
        if cause not in kb.causes:
            problems.append(Problem(path, 0, 0, "warning", "categories",
                                    f"{cause!r} is not a cause of these rules; ignored"
                                    f"{did_you_mean(cause, sorted(kb.causes))}"))
    return problems


# Evaluating ---------------------------------------------------------------------------------


def evaluate(kb: KnowledgeBase,
             cases: Iterable[LabelledCase | str | os.PathLike[str]],
             categories: Mapping[str, str] | str | os.PathLike[str] | None = None, *,
             threshold: float = DEFAULT_THRESHOLD, tier: Tier = "reported",
             from_story: bool = False) -> Evaluation:
    """Diagnose every labelled case with ``kb`` and score the rankings against the truth.

    Args:
        kb: the knowledge base to measure.
        cases: labelled cases, or paths of labelled-case files or folders (mixed freely).
        categories: cause id -> coarser category (or the path of a categories map); the
            true labels may use either. None: every cause is its own category.
        threshold: the reporting threshold of the diagnoses.
        tier: the tier of the per-category figures, the confusion matrix and the misleading
            rules: ``reported`` (``dx.causes``), ``considered`` (every cause with positive
            certainty, ``dx.ranked``) or ``with_base_rates`` (the same, rounded out to three
            with ``dx.also_common``, or the base rates when no rule speaks). Top-1 and top-3
            are given for every tier.
        from_story: diagnose every case from its ``story`` with ``kb.read_story``, even when
            it has observations (to measure the story reader end to end).

    Raises:
        RuleSetError: a file is not a valid labelled-case file, or a case does not fit
            ``kb`` (unknown observation, unknown label, a story and no story reader); every
            problem at once, located.
        EngineError: the engine failed.
    """
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(map(repr, TIERS))} (got {tier!r})")
    cmap: dict[str, str] = {}
    if isinstance(categories, str | os.PathLike):
        cmap = load_categories(categories)
    elif categories is not None:
        cmap = dict(categories)
    labelled, problems = _gather(cases)
    # Problems against the knowledge base too, for the cases that could be read: a file is
    # fixed in one pass.
    problems += case_problems(kb, labelled, set(cmap.values()), from_story=from_story)
    if problems:
        raise RuleSetError(problems)
    results: list[CaseResult] = []
    diagnoses: list[Diagnosis] = []
    for case in labelled:
        try:
            dx = kb.diagnose(_observations(kb, case, from_story), threshold=threshold)
        except ObservationError as exc:
            # An observation the story reader produced that the vocabulary refuses.
            problems.append(case.problem(("story",), str(exc), key=True, code="story"))
            continue
        diagnoses.append(dx)
        results.append(_result(case, dx, cmap))
    if problems:
        raise RuleSetError(problems)
    return _score(kb, results, diagnoses, cmap, tier, threshold)


def _gather(cases: Iterable[LabelledCase | str | os.PathLike[str]],
            ) -> tuple[list[LabelledCase], list[Problem]]:
    given: list[LabelledCase | list[str | os.PathLike[str]]] = []
    for item in cases:
        if isinstance(item, LabelledCase):
            given.append(item)
        elif isinstance(item, str | os.PathLike):
            if not given or not isinstance(given[-1], list):
                given.append([])
            given[-1].append(item)  # type: ignore[union-attr]
        else:
            raise TypeError(f"cases are LabelledCase objects or paths, got {item!r:.60} "
                            f"({type(item).__name__})")
    read: list[LabelledCase] = []
    problems: list[Problem] = []
    for entry in given:
        if isinstance(entry, LabelledCase):
            read.append(entry)
        else:
            found, trouble = read_cases(entry)
            read.extend(found)
            problems.extend(trouble)
    out = unique_cases(read, problems)
    return out, problems


def _observations(kb: KnowledgeBase, case: LabelledCase, from_story: bool) -> Mapping[str, Any]:
    if case.observations is not None and not from_story:
        return case.observations
    # Looked up, not called as a method: the story reader is a later addition to the API.
    reader: Any = getattr(kb, "read_story", None)
    reading = reader(case.story)
    found = reading if isinstance(reading, Mapping) else reading.observations
    # The reader may give Given-like objects (value and certainty); diagnose takes mappings.
    return {key: ({"value": v.value, "certainty": v.certainty}
                  if hasattr(v, "value") and hasattr(v, "certainty") else v)
            for key, v in found.items()}


def _ranking(conclusions: Iterable[Conclusion | BaseRate],
             cmap: Mapping[str, str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for c in conclusions:
        out.setdefault(cmap.get(c.id, c.id))
    return tuple(out)


def _result(case: LabelledCase, dx: Diagnosis, cmap: Mapping[str, str]) -> CaseResult:
    return CaseResult(
        id=case.id, truth=cmap.get(case.cause, case.cause),
        secondary=tuple(cmap.get(s, s) for s in case.secondary),
        confidence=case.confidence, split=case.split,
        reported=_ranking(dx.causes, cmap),
        considered=(considered := _ranking(dx.ranked, cmap)),
        with_base_rates=(_ranking((*dx.ranked, *dx.also_common), cmap) if considered
                         else _ranking(dx.base_rates, cmap)),
        causes=tuple((c.id, c.certainty) for c in dx.causes),
        location=Location(case.path, case.line, case.column))


def _topk(results: Sequence[CaseResult], tier: Tier) -> TopK:
    ranks = [r.rank(tier) for r in results]
    return TopK(
        n=len(results),
        top1=sum(1 for k in ranks if k == 1),
        top3=sum(1 for k in ranks if k is not None and k <= 3),
        no_cause=sum(1 for r in results if not r.ranking(tier)),
        top1_or_secondary=sum(1 for r in results
                              if r.top(tier) in (r.truth, *r.secondary)),
    )


def _summary(results: Sequence[CaseResult]) -> Summary:
    return Summary(len(results), *(_topk(results, t) for t in TIERS))


def _groups(results: Sequence[CaseResult], key: Callable[[CaseResult], str | None],
            order: Sequence[str] | None = None) -> Mapping[str, Summary]:
    present = {key(r) for r in results} - {None}
    names = [n for n in order if n in present] if order is not None else list(
        dict.fromkeys(k for r in results if (k := key(r)) is not None))
    return MappingProxyType({name: _summary([r for r in results if key(r) == name])
                             for name in names})


def _score(kb: KnowledgeBase, results: list[CaseResult], diagnoses: list[Diagnosis],
           cmap: Mapping[str, str], tier: Tier, threshold: float) -> Evaluation:
    labels = sorted({r.truth for r in results} | {r.top(tier) for r in results} - {NONE}
                    | {cmap.get(c, c) for c in kb.causes})
    columns = (*labels, NONE)
    counts = [[0] * len(columns) for _ in labels]
    for r in results:
        counts[labels.index(r.truth)][columns.index(r.top(tier))] += 1
    confusion = Confusion(tuple(labels), tuple(tuple(row) for row in counts))
    per_category = tuple(
        CategoryFigures(label, sum(counts[i]),
                        sum(row[i] for row in counts), counts[i][i])
        for i, label in enumerate(labels))

    fired: dict[str, int] = {}
    right: dict[str, int] = {}
    lifted: dict[str, int] = {}
    about: dict[str, tuple[str, float, Location]] = {}
    for r, dx in zip(results, diagnoses, strict=True):
        for cause in dx.considered:
            category = cmap.get(cause.id, cause.id)
            for c in cause.contributions:
                about.setdefault(c.rule_id, (cause.id, c.certainty_factor, c.location))
                fired[c.rule_id] = fired.get(c.rule_id, 0) + 1
                correct = (category == r.truth) == (c.certainty_factor > 0)
                right[c.rule_id] = right.get(c.rule_id, 0) + correct
        ranking = r.ranking(tier)
        above = set(ranking[: ranking.index(r.truth)] if r.truth in ranking else ranking)
        # Base rates are no rule's doing: only causes rules spoke for are blamed.
        ranked = dx.causes if tier == "reported" else dx.ranked
        culprits = {c.rule_id for cause in ranked if cmap.get(cause.id, cause.id) in above
                    for c in cause.contributions if c.contribution > 0}
        for rule_id in culprits:
            lifted[rule_id] = lifted.get(rule_id, 0) + 1
    order = {rule.id: i for i, rule in enumerate(kb.rules)}
    rules = tuple(
        RuleFigures(rule_id, cause, cmap.get(cause, cause), cf, location, fired[rule_id],
                    right[rule_id], lifted.get(rule_id, 0))
        for rule_id, (cause, cf, location) in sorted(
            about.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    # Most often first; then the least precise; then by id, so the order is stable.
    misleading = tuple(sorted((f for f in rules if f.lifted_wrong),
                              key=lambda f: (-f.lifted_wrong, f.precision or 0.0, f.rule_id)))
    return Evaluation(
        summary=_summary(results),
        by_confidence=_groups(results, lambda r: r.confidence, ("high", "medium", "low")),
        by_split=_groups(results, lambda r: r.split, ("dev", "test")),
        by_file=files if len(files := _groups(results, lambda r: r.location.path)) > 1 else
        MappingProxyType({}),
        categories=per_category, confusion=confusion, rules=rules, misleading=misleading,
        cases=tuple(results), tier=tier, threshold=threshold,
        category_map=MappingProxyType(dict(cmap)))
