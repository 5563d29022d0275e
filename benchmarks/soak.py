"""Soak and load test of the engine on the bundled rules; prints its figures.

Full run (a few minutes; the figures quoted in docs/robustness.md)::

    .venv/bin/python benchmarks/soak.py

Short run (what CI runs through tests/test_soak_quick.py; checks correctness only)::

    .venv/bin/python benchmarks/soak.py --quick

Each phase runs in its own child process so that a crash of the C engine is counted
(a child killed by a signal) instead of taking the report down with it:

* sequential: N diagnoses of random valid cases, every result checked against the first
  run of the same case; resident memory after warm-up, after 10,000 and at the end;
* concurrent: M diagnoses over T threads, every result checked against a sequential run;
* reloads: the same rule content loaded R times (each time from a fresh copy, so the
  compiled-knowledge-base cache cannot answer), with the engine's ruleset count checked
  and resident memory after 100 reloads and at the end (it must grow by less than 10 MB);
* batches: B batches of ``diagnose_many(workers=2)`` under each start method (fork, spawn,
  forkserver), every result checked against a sequential diagnosis of the same case.

Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import rejection_diagnosis as rd
from rejection_diagnosis import _engine
from rejection_diagnosis.loader import bundled_rules_path

#: Resident memory may grow by less than this after the first 10,000 diagnoses.
RSS_GROWTH_LIMIT = 10 * 1024 * 1024


def rss() -> int:
    """Resident set size of this process in bytes (/proc, else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def random_case(kb: rd.KnowledgeBase, rng: random.Random) -> dict[str, Any]:
    """A valid case: a random subset of the observations with random allowed values.

    Most cases give up to 15 observations, as a candidate answering a questionnaire would;
    one in ten gives many more (up to all of them), which fires many more rules.
    """
    case: dict[str, Any] = {}
    observations = list(kb.observations.values())
    size = rng.randint(0, min(15, len(observations)))
    if rng.random() < 0.1:
        size = rng.randint(size, len(observations))
    for obs in rng.sample(observations, size):
        value: Any
        if obs.type == "boolean":
            value = rng.random() < 0.5
        elif obs.type == "category":
            value = rng.choice(obs.values)
        else:
            lo, hi = obs.range or (0.0, 100.0)
            value = rng.choice([lo, hi, round(rng.uniform(lo, hi)), rng.uniform(lo, hi)])
        if rng.random() < 0.2:
            value = {"value": value, "certainty": rng.choice([0.3, 0.5, 0.9, rng.random() or 1.0])}
        case[obs.id] = value
    return case


def digest(dx: rd.Diagnosis) -> tuple[Any, ...]:
    """Everything a diagnosis concluded, as a comparable value."""
    return (
        tuple((c.id, c.certainty) for c in dx.considered),
        tuple((c.id, c.certainty) for c in dx.findings),
        tuple((a.id, a.certainty) for a in (*dx.coping, *dx.next_steps)),
        dx.insufficient_evidence,
    )


def cases(kb: rd.KnowledgeBase, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_case(kb, rng) for _ in range(count)]


def phase_sequential(diagnoses: int, pool: int) -> dict[str, Any]:
    kb = rd.load_rules()
    work = cases(kb, pool, seed=1)
    expected = [digest(kb.diagnose(c)) for c in work]
    start = rss()
    after_10k = None
    wrong = 0
    began = time.perf_counter()
    for n in range(diagnoses):
        i = n % pool
        if digest(kb.diagnose(work[i])) != expected[i]:
            wrong += 1
        if n + 1 == 10_000:
            after_10k = rss()
    seconds = time.perf_counter() - began
    end = rss()
    growth = end - (after_10k if after_10k is not None else start)
    return {
        "phase": "sequential",
        "diagnoses": diagnoses,
        "wrong": wrong,
        "rss_start_mb": round(start / 2**20, 1),
        "rss_after_10k_mb": round(after_10k / 2**20, 1) if after_10k else None,
        "rss_end_mb": round(end / 2**20, 1),
        "growth_after_10k_mb": round(growth / 2**20, 2),
        "microseconds_per_diagnosis": round(seconds / max(diagnoses, 1) * 1e6, 1),
        "engine": _engine.engine_stats(),
        "ok": wrong == 0 and growth < RSS_GROWTH_LIMIT,
    }


def phase_concurrent(diagnoses: int, threads: int, pool: int) -> dict[str, Any]:
    kb = rd.load_rules()
    work = cases(kb, pool, seed=2)
    expected = [digest(kb.diagnose(c)) for c in work]
    wrong = [0] * threads
    errors: list[str] = []
    per_thread = diagnoses // threads

    def run(t: int) -> None:
        try:
            for n in range(per_thread):
                i = (n * threads + t) % pool
                if digest(kb.diagnose(work[i])) != expected[i]:
                    wrong[t] += 1
        except BaseException as exc:
            errors.append(repr(exc))

    start = rss()
    began = time.perf_counter()
    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - began
    return {
        "phase": "concurrent",
        "diagnoses": per_thread * threads,
        "threads": threads,
        "wrong": sum(wrong),
        "errors": errors[:5],
        "rss_start_mb": round(start / 2**20, 1),
        "rss_end_mb": round(rss() / 2**20, 1),
        "seconds": round(seconds, 1),
        "ok": not errors and sum(wrong) == 0,
    }


def phase_reloads(reloads: int) -> dict[str, Any]:
    source = bundled_rules_path()
    case = {"posting_reposted": True, "decision_slower_than_promised": True}
    expected = digest(rd.load_rules().diagnose(case))
    rulesets = _engine.engine_stats()["rulesets"]
    start = rss()
    settled = start
    # By then the knowledge-base cache (16 entries) is full: memory must stay flat after.
    checkpoint = min(100, reloads // 2)
    wrong = 0
    changed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(reloads):
            # A fresh path each time: the knowledge-base cache is keyed by path and content,
            # so this exercises parsing, validation, compilation and engine registration.
            folder = Path(tmp) / f"r{n}"
            shutil.copytree(source, folder, ignore=shutil.ignore_patterns("scenarios"))
            kb = rd.load_rules(folder)
            if digest(kb.diagnose(case)) != expected:
                wrong += 1
            if _engine.engine_stats()["rulesets"] != rulesets:
                changed += 1
            shutil.rmtree(folder)
            if n + 1 == checkpoint:
                settled = rss()
    end = rss()
    return {
        "phase": "reloads",
        "reloads": reloads,
        "wrong": wrong,
        "rulesets": _engine.engine_stats()["rulesets"],
        "ruleset_count_changed": changed,
        "rss_start_mb": round(start / 2**20, 1),
        f"rss_after_{checkpoint}_mb": round(settled / 2**20, 1),
        "rss_end_mb": round(end / 2**20, 1),
        "ok": wrong == 0 and changed == 0 and end - settled < RSS_GROWTH_LIMIT,
    }


def phase_batches(batches: int, pool: int) -> dict[str, Any]:
    kb = rd.load_rules()
    work = cases(kb, min(pool, 64), seed=4)
    expected = [digest(kb.diagnose(c)) for c in work]
    wrong = errors = 0
    seconds: dict[str, float] = {}
    start = rss()
    for method in ("fork", "spawn", "forkserver"):
        began = time.perf_counter()
        for n in range(batches):
            first = (n * 16) % len(work)
            chosen = list(range(first, min(first + 16, len(work))))
            try:
                results = list(kb.diagnose_many([work[i] for i in chosen], workers=2,
                                                chunk_size=4, mp_context=method))
            except Exception:
                errors += 1
                continue
            for i, result in zip(chosen, results, strict=True):
                if result.diagnosis is None or digest(result.diagnosis) != expected[i]:
                    wrong += 1
        seconds[method] = round(time.perf_counter() - began, 1)
    return {
        "phase": "batches",
        "batches_per_start_method": batches,
        "wrong": wrong,
        "errors": errors,
        **{f"{method}_s": value for method, value in seconds.items()},
        "rss_start_mb": round(start / 2**20, 1),
        "rss_end_mb": round(rss() / 2**20, 1),
        "ok": wrong == 0 and errors == 0,
    }


def child(args: argparse.Namespace) -> int:
    if args.phase == "sequential":
        result = phase_sequential(args.diagnoses, args.pool)
    elif args.phase == "concurrent":
        result = phase_concurrent(args.concurrent, args.threads, args.pool)
    elif args.phase == "reloads":
        result = phase_reloads(args.reloads)
    else:
        result = phase_batches(args.batches, args.pool)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, for CI")
    parser.add_argument("--diagnoses", type=int, help="sequential diagnoses (1,000,000)")
    parser.add_argument("--concurrent", type=int, help="concurrent diagnoses (200,000)")
    parser.add_argument("--threads", type=int, default=8, help="threads (8)")
    parser.add_argument("--reloads", type=int, help="reloads of the same rules (1,000)")
    parser.add_argument("--batches", type=int,
                        help="batches of diagnose_many per start method (1,000)")
    parser.add_argument("--pool", type=int, default=2_000, help="distinct random cases")
    parser.add_argument("--phase", choices=["sequential", "concurrent", "reloads", "batches"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.diagnoses = args.diagnoses or (2_000 if quick else 1_000_000)
    args.concurrent = args.concurrent or (2_000 if quick else 200_000)
    args.reloads = args.reloads or (5 if quick else 1_000)
    args.batches = args.batches or (2 if quick else 1_000)
    if quick:
        args.pool = min(args.pool, 200)
    if args.phase:
        return child(args)

    print(f"rejection-diagnosis soak: {args.diagnoses:,} sequential, {args.concurrent:,} "
          f"concurrent over {args.threads} threads, {args.reloads:,} reloads, "
          f"{args.batches:,} batches per start method")
    crashes = 0
    ok = True
    for phase in ("sequential", "concurrent", "reloads", "batches"):
        command = [sys.executable, __file__, "--phase", phase, "--pool", str(args.pool),
                   "--diagnoses", str(args.diagnoses), "--concurrent", str(args.concurrent),
                   "--threads", str(args.threads), "--reloads", str(args.reloads),
                   "--batches", str(args.batches)]
        if quick:
            command.append("--quick")
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            crashes += done.returncode < 0
            ok = False
            print(f"{phase}: FAILED with exit status {done.returncode}\n{done.stderr[-2000:]}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        ok = ok and result["ok"]
        figures = ", ".join(f"{k}={v}" for k, v in result.items() if k not in ("phase", "ok"))
        print(f"{phase}: {'ok' if result['ok'] else 'FAILED'} in {seconds:.1f} s: {figures}")
    print(f"crashes: {crashes}")
    print("result: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
