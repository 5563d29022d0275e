"""Reproducible synthetic knowledge bases, written as real YAML rule files.

A knowledge base of about ``n`` rules is made of *clusters*: each cluster owns six
observations (booleans, numbers and categories), one finding, and eight rules over its own
observations (three conclude the finding, four conclude causes, one of which also tests the
finding, and one recommends on a cause). Causes and recommendations are shared between
clusters, so contributions combine. One rule recommends seeking feedback on insufficient
evidence, across everything.

A realistic case knows the observations of two to four clusters (a candidate who noticed a
few related things), with now and then an uncertain answer. The number of rules that fire
per case therefore stays about the same whatever the size of the knowledge base, which is
what "cost grows with the rules that fire, not with the rules loaded" needs to be measured.

Everything is drawn from ``random.Random(seed)``: the same seed gives the same files and the
same cases, byte for byte.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

__all__ = ["RULES_PER_CLUSTER", "SIZES", "make_cases", "write_knowledge_base"]

#: The sizes the benchmark measures (rules, about).
SIZES = (40, 300, 2000, 5000)
RULES_PER_CLUSTER = 8
_OBS_PER_CLUSTER = 6
_CATEGORIES = ("none", "generic", "skills", "culture", "salary")
# Observation kinds of a cluster's six observations, in order.
_KINDS = ("boolean", "boolean", "number", "category", "boolean", "number")


def _clusters(rules: int) -> int:
    return max(1, round((rules - 1) / RULES_PER_CLUSTER))


def _obs(k: int, i: int) -> str:
    return f"o{k}_{i}"


def _comparison(rng: random.Random, k: int, i: int, negate: bool = False) -> str:
    kind = _KINDS[i]
    name = _obs(k, i)
    if kind == "boolean":
        text = f"{{{name}: {str(rng.random() < 0.7).lower()}}}"
    elif kind == "number":
        op = rng.choice(("ge", "le", "gt", "lt", "between"))
        if op == "between":
            lo = rng.randint(0, 60)
            text = f"{{{name}: {{between: [{lo}, {lo + rng.randint(10, 40)}]}}}}"
        else:
            text = f"{{{name}: {{{op}: {rng.randint(10, 90)}}}}}"
    else:
        values = rng.sample(_CATEGORIES, rng.randint(1, 2))
        text = (f"{{{name}: {values[0]}}}" if len(values) == 1
                else f"{{{name}: {{in: [{', '.join(values)}]}}}}")
    return f"{{not: {text}}}" if negate else text


def _condition(rng: random.Random, k: int, shape: str) -> str:
    picks = rng.sample(range(_OBS_PER_CLUSTER), 3)
    if shape == "one":
        return _comparison(rng, k, picks[0])
    if shape == "all":
        return f"{{all: [{_comparison(rng, k, picks[0])}, {_comparison(rng, k, picks[1])}]}}"
    if shape == "any":
        return f"{{any: [{_comparison(rng, k, picks[0])}, {_comparison(rng, k, picks[1])}]}}"
    # "mixed": a conjunction with a negated test and an any-of.
    return (f"{{all: [{_comparison(rng, k, picks[0])}, {_comparison(rng, k, picks[1], True)}, "
            f"{{any: [{_comparison(rng, k, picks[2])}, {_comparison(rng, k, picks[0], True)}]}}]}}")


def _certainty(rng: random.Random, low: float = 0.2, high: float = 0.8) -> float:
    return round(rng.uniform(low, high), 2)


def write_knowledge_base(folder: Path, rules: int, seed: int = 1) -> Path:
    """Write a knowledge base of about ``rules`` rules into ``folder``; return the folder.

    Files: ``vocabulary.yaml`` (findings, causes, recommendations),
    ``observations-NN.yaml`` and ``rules-NN.yaml``, split as an author of a large rule set
    would split them, so that no file nears the default reading limits (``rd.Limits``).
    """
    rng = random.Random(f"{seed}:{rules}")
    clusters = _clusters(rules)
    causes = max(2, clusters // 2)
    recs = max(2, causes // 2)
    folder.mkdir(parents=True, exist_ok=True)
    observations: list[str] = []
    for k in range(clusters):
        for i, kind in enumerate(_KINDS):
            extra = ""
            if kind == "number":
                extra = ", range: [0, 100], unit: days"
            elif kind == "category":
                extra = f", values: [{', '.join(_CATEGORIES)}]"
            observations.append(
                f"  - {{id: {_obs(k, i)}, type: {kind}{extra}, group: g{k},"
                f" description: Observation {i} of cluster {k}.,"
                f" question: 'What about observation {i} of cluster {k}?'}}")
    _write_chunks(folder, "observations", [[line] for line in observations], 2000)
    vocab = ["version: 1", "findings:"]
    vocab.extend(f"  - {{id: f{k}, title: Finding {k}, description: Pattern {k} was seen.}}"
                 for k in range(clusters))
    vocab.append("causes:")
    vocab.extend(f"  - {{id: c{j}, title: Cause {j}, description: Cause {j} explains it.,"
                 f" source: synthetic}}" for j in range(causes))
    vocab.append("recommendations:")
    vocab.append("  - {id: seek_feedback, kind: coping, title: Seek feedback,"
                 " text: Ask them what tipped it., source: synthetic}")
    vocab.extend(f"  - {{id: r{j}, kind: {'coping' if j % 2 else 'next_step'},"
                 f" title: Advice {j}, text: Do thing {j}., source: synthetic}}"
                 for j in range(recs))
    (folder / "vocabulary.yaml").write_text("\n".join(vocab) + "\n", encoding="utf-8")

    out: list[list[str]] = []

    def rule(rule_id: str, when: str, then: str) -> None:
        out.append([f"  - id: {rule_id}", f"    when: {when}", f"    then: {then}",
                    f"    because: Synthetic rule {rule_id}.", "    source: synthetic"])

    for k in range(clusters):
        for n, shape in enumerate(("one", "all", "any")):
            rule(f"k{k}-finding-{n}", _condition(rng, k, shape),
                 f"{{finding: f{k}, certainty: {_certainty(rng, 0.4, 0.9)}}}")
        for n, shape in enumerate(("one", "all", "mixed")):
            sign = -1 if rng.random() < 0.2 else 1
            rule(f"k{k}-cause-{n}", _condition(rng, k, shape),
                 f"{{cause: c{rng.randrange(causes)}, certainty: {sign * _certainty(rng)}}}")
        rule(f"k{k}-cause-finding", f"[{{finding: f{k}}}, {_comparison(rng, k, 0)}]",
             f"{{cause: c{k % causes}, certainty: {_certainty(rng, 0.3, 0.7)}}}")
        j = rng.randrange(causes)
        rule(f"k{k}-recommend", f"{{cause: c{j}, min: 0.3}}",
             f"{{recommend: r{j % recs}, certainty: {_certainty(rng, 0.5, 0.9)}}}")
    rule("insufficient-seek-feedback", "{evidence: insufficient}",
         "{recommend: seek_feedback, certainty: 0.9}")
    _write_chunks(folder, "rules", out, 1000)
    return folder


def _write_chunks(folder: Path, section: str, items: list[list[str]], per_file: int) -> None:
    """Write ``items`` (each a list of YAML lines) under ``section:`` in numbered files."""
    for n, start in enumerate(range(0, max(len(items), 1), per_file)):
        lines = ["version: 1", f"{section}:"]
        for item in items[start:start + per_file]:
            lines.extend(item)
        (folder / f"{section}-{n:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_cases(rules: int, count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` realistic cases for the knowledge base of about ``rules`` rules."""
    rng = random.Random(f"cases:{seed}:{rules}")
    clusters = _clusters(rules)
    cases: list[dict[str, Any]] = []
    for _ in range(count):
        case: dict[str, Any] = {}
        for k in rng.sample(range(clusters), min(clusters, rng.randint(2, 4))):
            for i in rng.sample(range(_OBS_PER_CLUSTER), rng.randint(4, _OBS_PER_CLUSTER)):
                kind = _KINDS[i]
                value: Any
                if kind == "boolean":
                    value = rng.random() < 0.6
                elif kind == "number":
                    value = rng.randint(0, 100)
                else:
                    value = rng.choice(_CATEGORIES)
                case[_obs(k, i)] = (
                    {"value": value, "certainty": round(rng.uniform(0.5, 1.0), 2)}
                    if rng.random() < 0.1 else value
                )
        cases.append(case)
    return cases


def bundled_cases(observations: Any, count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` realistic cases for a vocabulary (e.g. the bundled knowledge base's).

    A candidate answers six to fourteen of the questions, now and then unsure.
    """
    rng = random.Random(f"bundled:{seed}")
    vocab = list(observations.values())
    cases: list[dict[str, Any]] = []
    for _ in range(count):
        case: dict[str, Any] = {}
        for obs in rng.sample(vocab, min(len(vocab), rng.randint(6, 14))):
            value: Any
            if obs.type == "boolean":
                value = rng.random() < 0.5
            elif obs.type == "number":
                lo, hi = obs.range if obs.range is not None else (0.0, 100.0)
                value = rng.randint(int(lo), int(min(hi, lo + 120)))
            else:
                value = rng.choice(obs.values)
            case[obs.id] = (
                {"value": value, "certainty": round(rng.uniform(0.5, 1.0), 2)}
                if rng.random() < 0.1 else value
            )
        cases.append(case)
    return cases
