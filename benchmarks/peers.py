"""The library beside a peer engine, CLIPS (through clipspy), on the same rules and cases.

On the synthetic knowledge bases of :mod:`synthetic` (about 40, 300 and 2,000 rules by
default, reproducible from ``--seed``), the compiled rules (``kb.program``) are translated
to CLIPS rules and run through `clipspy <https://pypi.org/project/clipspy/>`_; the same
cases go through the library (``kb.diagnose``), the engine floor (:mod:`engine_floor`,
durable-rules with nothing around it) and CLIPS. Before anything is timed, CLIPS must give
the library's answer on every case (reported causes and recommendations with their
certainties, rounded to 9 places, as the floors are checked in ``bench.py``); a mismatch
stops the script with status 1.

clipspy is not a dependency of the package (nor of CI). To run this::

    .venv/bin/pip install clipspy          # wheels with the CLIPS 6.4 core built in
    .venv/bin/python benchmarks/peers.py            # timing, a minute or two
    .venv/bin/python benchmarks/peers.py --quick    # answers checked on a few cases only

The translation (one CLIPS rule per alternative of a compiled rule):

* a fact ``(v (n NAME) (x VALUE))`` per known property, named as the engine names them
  (``o_<observation>``, ``c_<conclusion>``, ``s_evidence``); booleans are the symbols
  ``TRUE``/``FALSE``, categories strings, numbers numbers;
* each test is one pattern on its property: ``eq``/``in`` a literal constraint
  (``(x "a"|"b")``), ``ne``/``nin`` a negated one (``(x ~"a"&~"b")``; the property must be
  known, as in the library), ``lt``/``le``/``gt``/``ge`` a predicate constraint
  (``(x ?x&:(>= ?x 18.0))``), on numbers only;
* layers are kept as CLIPS modules: the rules of layer *k* live in module ``Lk`` (which
  imports the facts of ``MAIN``), and a layer is run with ``(focus Lk) (run)``, so rules of
  later layers wait on their own agendas. (A first version put a ``(layer (k K))`` control
  fact in front of every rule instead: asserting it joined it with every rule of the
  layer, and a case cost 2.2x more at 2,000 rules than at 300.)
* a case is one call of the deffunction ``rd-case`` (``reset``, then one fact per
  observation) and one call of ``rd-layer`` per layer (replace the facts of the conclusions
  the previous layer changed and, before the evidence layer, assert the evidence fact;
  focus and run; return the alternatives that fired). The driver calls them through
  clipspy's function-call API: two to four crossings into CLIPS per case (see
  ``ClipsPeer`` for why not ``Template.assert_fact``);
* a rule's action appends its rule and alternative indexes to a global multifield
  (``(bind ?*fired* (create$ ?*fired* 12 0))``), which ``rd-layer`` returns: no Python
  callback per rule (clipspy's callbacks cost about a third more per case).

**Certainties are combined in Python**, after CLIPS has told which alternatives fired: the
condition certainty (the weakest test of the best alternative that fired) and the MYCIN
combination per conclusion are the engine floor's code (``engine_floor.settle`` and
``answer``, which use the library's ``certainty`` module); a conclusion whose certainty a
layer changed is then set as a fact for the next layers' rules (a cause concluded from
observations in one layer and from a finding in the next has its fact replaced; one that
combined to 0 is retracted, as the engine floor drops it from its facts). CLIPS therefore
does the matching and the agenda, Python the arithmetic, as the engine floor splits it with
durable-rules.

Shapes: every shape :mod:`synthetic` writes (single tests, ``all``, ``any``, ``not`` of
boolean, number and category tests, ``between``, conclusion thresholds, evidence) agrees;
an operator the translation does not know makes the script stop (``NotImplementedError``)
rather than guess.

Timing is ``bench.py``'s: interleaved rounds, each case's best call, CPU clock of the thread
(clipspy runs CLIPS in the calling thread), median and p95 over cases.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Mismatch, print_table, summary, time_interleaved
from engine_floor import (
    CONCLUSION,
    OBSERVATION,
    Answer,
    EngineFloor,
    Plan,
    answer,
    answer_of,
    keep_fired,
    settle,
)
from synthetic import make_cases, write_knowledge_base

import rejection_diagnosis as rd
from rejection_diagnosis._engine_program import EVIDENCE_PROPERTY, prop_name
from rejection_diagnosis.certainty import reaches
from rejection_diagnosis.compiler import Test

try:
    import clips
except ImportError:  # pragma: no cover - explained to the user
    clips = None

#: The template of a property's fact, the layer's control fact, and the functions the
#: driver calls. ``rd-layer`` first sets the given properties (replacing their facts; ``nil``
#: only retracts, for a certainty that combined to 0), then runs the layer's module.
_PRELUDE = (
    "(defmodule MAIN (export ?ALL))",
    "(deftemplate v (slot n) (slot x))",
    "(deffunction rd-case ($?nx) (reset)"
    " (loop-for-count (?i 1 (div (length$ ?nx) 2))"
    " (assert (v (n (nth$ (- (* 2 ?i) 1) ?nx)) (x (nth$ (* 2 ?i) ?nx))))) TRUE)",
    "(defglobal ?*fired* = (create$))",
    "(deffunction rd-layer (?k $?nx) (bind ?*fired* (create$))"
    " (loop-for-count (?i 1 (div (length$ ?nx) 2))"
    " (bind ?n (nth$ (- (* 2 ?i) 1) ?nx)) (bind ?x (nth$ (* 2 ?i) ?nx))"
    " (do-for-all-facts ((?f v)) (eq ?f:n ?n) (retract ?f))"
    " (if (neq ?x nil) then (assert (v (n ?n) (x ?x)))))"
    " (focus (sym-cat L ?k)) (run) ?*fired*)",
)

_NIL = clips.Symbol("nil") if clips is not None else None
_OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise NotImplementedError(f"no CLIPS literal for {value!r}")


def _pattern(test: Test, n: int) -> str:
    """One CLIPS pattern for one test of the compiled program."""
    name = prop_name(test.kind, test.subject)
    op, value = test.op, test.value
    if op == "eq":
        constraint = _literal(value)
    elif op == "in":
        constraint = "|".join(_literal(v) for v in value)
    elif op == "ne":
        constraint = "~" + _literal(value)
    elif op == "nin":
        constraint = "&".join("~" + _literal(v) for v in value)
    elif op in _OPS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotImplementedError(f"{op} on {value!r}")
        constraint = f"?x{n}&:(numberp ?x{n})&:({_OPS[op]} ?x{n} {_literal(value)})"
    else:
        raise NotImplementedError(f"operator {op!r} has no CLIPS translation")
    return f"(v (n {name}) (x {constraint}))"


def clips_rules(kb: rd.KnowledgeBase) -> list[str]:
    """The CLIPS ``defrule`` of every alternative of every compiled rule."""
    program = kb.program
    out = [f"(defmodule L{k} (import MAIN ?ALL))" for k in range(len(program.layers))]
    for rule, alternatives in enumerate(program.alternatives):
        layer = program.rule_layer[rule]
        for alt in alternatives:
            patterns = " ".join(_pattern(t, n) for n, t in enumerate(alt.tests))
            out.append(f"(defrule L{layer}::r{rule}_{alt.index} {patterns}"
                       f" => (bind ?*fired* (create$ ?*fired* {rule} {alt.index})))")
    return out


class ClipsPeer:
    """Runs a knowledge base's compiled rules as CLIPS rules (clipspy), checked like a floor."""

    def __init__(self, kb: rd.KnowledgeBase, threshold: float = 0.2) -> None:
        assert clips is not None
        self.plan = Plan(kb)
        self.threshold = threshold
        program = kb.program
        self.layers = len(program.layers)
        env = clips.Environment()
        for text in _PRELUDE:
            env.build(text)
        for text in clips_rules(kb):
            env.build(text)
        self.env = env
        # Called through clipspy's function-call API, whose calls clean CLIPS's garbage:
        # asserting through Template.assert_fact leaves retracted facts and values in the
        # top-level garbage frame, which nothing cleans outside a CLIPS command loop, so a
        # case costs more with every case before it (7x after 1,200 cases of 40 rules).
        self.start = env.find_function("rd-case")
        self.layer = env.find_function("rd-layer")
        self.names: dict[str, Any] = {}  # property -> CLIPS symbol, made once

    def _symbol(self, prop: str) -> Any:
        symbol = self.names.get(prop)
        if symbol is None:
            symbol = self.names[prop] = clips.Symbol(prop)
        return symbol

    def run(self, case: Mapping[str, Any]) -> Answer:
        """The answer for one case (taken as valid)."""
        plan, symbol, run_layer = self.plan, self._symbol, self.layer
        flat: list[Any] = []
        values: dict[str, Any] = {}
        sure: dict[str, float] = {}
        for key, item in case.items():
            if isinstance(item, dict):
                value, sure[key] = item["value"], item["certainty"]
            else:
                value, sure[key] = item, 1.0
            values[OBSERVATION + key] = value
            flat.append(symbol(OBSERVATION + key))
            flat.append(value)
        self.start(*flat)  # reset, then one fact per observation
        certainty: dict[str, float] = {}
        contributions: dict[str, list[float]] = {}
        threshold = self.threshold
        changed: list[Any] = []  # property, value, ...: set before the next layer runs
        for layer in range(self.layers):
            if layer == plan.evidence_layer:
                sufficient = any(reaches(certainty.get(c, 0.0), threshold) for c in plan.causes)
                values[EVIDENCE_PROPERTY] = evidence = "sufficient" if sufficient else "insufficient"
                changed += (symbol(EVIDENCE_PROPERTY), evidence)
            # Set the changed facts, run the layer's module; the alternatives that fired.
            fired_now = run_layer(layer, *changed)
            changed.clear()
            fired: dict[int, float] = {}
            keep_fired(plan, zip(fired_now[::2], fired_now[1::2], strict=True), sure, certainty,
                       fired)
            conclusion = plan.conclusion
            before = {conclusion[rule]: certainty.get(conclusion[rule]) for rule in fired}
            settle(plan, fired, contributions, certainty, values)
            for node, was in before.items():
                now = certainty.get(node)
                if now != was:
                    # A conclusion of several layers (a cause also concluded from a finding)
                    # has its fact replaced, as the engine floor's next fact changes.
                    changed += (symbol(CONCLUSION + node), now if now else _NIL)
        return answer(plan, certainty, threshold)


def check(kb: rd.KnowledgeBase, peers: Sequence[Any], cases: Sequence[Mapping[str, Any]],
          label: str) -> int:
    """Every peer gives the library's answer on every case; the number of causes reported."""
    reported = 0
    for i, case in enumerate(cases):
        expected = answer_of(kb.diagnose(case))
        reported += len(expected[0])
        for peer in peers:
            actual = peer.run(case)
            if actual != expected:
                raise Mismatch(f"{label}: case {i}: library {expected} != "
                               f"{type(peer).__name__} {actual}")
    return reported


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="check answers on a few cases of small sizes; no timing")
    parser.add_argument("--sizes", default=None, help="synthetic sizes (default 40,300,2000)")
    parser.add_argument("--cases", type=int, default=None, help="cases per knowledge base")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args(argv)
    if clips is None:
        print("peers: clipspy is not installed (.venv/bin/pip install clipspy)", file=sys.stderr)
        return 2
    quick = args.quick
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [40, 300] if quick else [40, 300, 2000])
    n_cases = args.cases or (20 if quick else 500)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    print(f"rejection-diagnosis {rd.__version__}, clipspy {getattr(clips, '__version__', '?')}"
          f" on Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {n_cases} cases"
          f"{'' if quick else f' x {args.rounds} rounds'}; {args.clock} clock; seed {args.seed}"
          f"{'; QUICK mode: answers only' if quick else ''}")
    print("load average at start (1, 5, 15 min): "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    tmp = Path(tempfile.mkdtemp(prefix="rd-peers-"))
    rows = []
    for size in sizes:
        kb = rd.load_rules(str(write_knowledge_base(tmp / f"kb{size}", size, args.seed)))
        cases = make_cases(size, n_cases, args.seed)
        floor, peer = EngineFloor(kb), ClipsPeer(kb)
        reported = check(kb, [floor, peer], cases, f"synthetic {size}")
        alternatives = sum(len(a) for a in kb.program.alternatives)
        print(f"synthetic {size}: {len(kb.rules)} rules ({alternatives} CLIPS rules), "
              f"{len(cases)} cases agree (library = engine floor = CLIPS; "
              f"{reported / len(cases):.1f} causes reported per case)")
        if quick:
            continue
        times = time_interleaved({"library": kb.diagnose, "engine": floor.run,
                                  "clips": peer.run}, cases, args.rounds, clock)
        s = {name: summary(t) for name, t in times.items()}
        lib, eng, clp = (s[k]["median_us"] for k in ("library", "engine", "clips"))
        rows.append([f"synthetic {size}", len(kb.rules), len(cases), f"{lib:.0f}",
                     f"{eng:.0f}", f"{clp:.0f}", f"{lib / eng:.2f}x", f"{clp / eng:.2f}x",
                     f"{lib / clp:.2f}x"])
    if rows:
        print_table("Per case, median microseconds (answers checked equal across all three)",
                    ["knowledge base", "rules", "cases", "library", "engine floor", "CLIPS",
                     "library/engine", "CLIPS/engine", "library/CLIPS"], rows)
    print("load average at the end (1, 5, 15 min): "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print("\nAll answers agreed: library = engine floor = CLIPS on every case.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Mismatch as exc:
        print(f"peers: MISMATCH: {exc}", file=sys.stderr)
        sys.exit(1)
