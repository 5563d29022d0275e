"""The durable-rules adapter: the only module that imports the engine.

This is the global-state department. durable-rules keeps process-wide state that this
module owns and nobody else touches:

* **Ruleset names are global and rulesets can never be freed.** Compiled groups are kept
  here by content hash, so loading the same rules again (a server reloading its rules)
  reuses them; memory grows only with *distinct* rule content.
* **The engine is not thread-safe.** One lock serialises every call into it. The C core
  holds the GIL while matching anyway, so the lock costs no parallelism.
* **Sessions are capped and deleting them can crash.** Each ruleset has exactly one
  session (sid "0") that is reused forever: assert the case fact, drain the actions,
  retract the fact. Sessions are never deleted.
* **Forking copies the engine's memory.** A child process (``diagnose_many`` workers)
  can use the rulesets compiled before the fork, as long as no engine call was half done:
  the lock is held across every ``fork()`` and the child starts with a fresh one.
* **An interrupted drain locks the session.** Each engine call and the record of its
  answer are one C step (see :func:`_call`), so when a signal handler's exception (a
  request timeout, Ctrl-C) stops a diagnosis between assert and retract, the adapter
  knows where and finishes the diagnosis in the engine before the exception goes on. Only
  a failure of the engine itself leaves a session in an unknown state: that ruleset is
  then retired (and freed as far as the engine can: ``delete_ruleset`` does not free its
  session), and the next use registers a fresh copy under a new name.
* **Re-entry would interleave two diagnoses.** The lock is re-entrant (a signal handler
  in the same thread must not deadlock), and a diagnosis that finds the engine already in
  use by its own thread is refused.
* **The engine reads numbers with its own JSON scanner and ``atof``.** It rejects
  exponents without a decimal point (``1e-05``, what ``json.dumps`` writes for small
  certainties) and ``atof`` follows the C locale, so a host that calls
  ``setlocale(LC_NUMERIC, "de_DE")`` would see ``0.5`` read as ``0``. Numbers therefore
  never reach the engine as decimals: every number, in rules and facts alike, is sent
  as the 64-bit integer whose order is the order of the floats (sign and magnitude of
  the IEEE-754 bits). Integer comparison in the C core is exact, so the engine compares
  exactly as Python does.
* **Property names are told apart by a 32-bit FNV-1a hash only.** Two names with the
  same hash would be confused silently; the compiler never puts them in one group (see
  :mod:`._alpha`, which also keeps groups within the engine's other limits), and
  registration refuses such a group all the same.

The public ``durable.engine.Host`` is not used: it starts background timer threads and
routes every action through Python callables. The C module is driven directly, which
measured about five times faster. That module is durable-rules 2.0.28's C core, vendored
under ``vendor/durable-rules`` and built with this package as ``_durable_engine`` (see the
patches listed there), so the internals this adapter leans on cannot change under it.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import sys
import threading
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring_ascii
from types import FrameType
from typing import Any, Protocol

from . import _durable_engine as _dre
from ._alpha import ENGINE_PROPERTIES, engine_hash
from ._engine_program import EVIDENCE_PROPERTY, Group, engine_program
from .compiler import Program
from .errors import EngineError

__all__ = ["DurableMatcher", "Matcher", "engine_stats", "prepare"]


class Matcher(Protocol):
    """What inference needs from a rule engine: which alternatives of a layer hold.

    It is given our own program (:class:`~rejection_diagnosis.compiler.Program`), never
    an engine's dialect, so a reference evaluator can stand in for the engine.
    """

    def matches(self, program: Program, layer: int, observations: Mapping[str, Any],
                conclusions: Mapping[str, float], evidence: bool | None,
                ) -> Iterable[tuple[int, int]]:
        """The ``(rule index, alternative index)`` of each alternative of the rules of
        ``program.layers[layer]`` whose tests all hold (repeats allowed).

        Args:
            observations: the value of each known observation.
            conclusions: the certainty so far of each finding and cause that has one
                (never 0).
            evidence: whether some cause reaches the threshold; None before the layer
                that may test it.
        """
        ...


def prepare(program: Program) -> None:
    """Work out the engine's groups for ``program`` now, so that load time finds what
    the engine cannot hold.

    Raises:
        CompileLimitError: an alternative is more than any engine group can hold.
    """
    engine_program(program)


_LOCK = threading.RLock()
# 1 while this process is inside an engine section. The lock is re-entrant so that a
# signal handler in the same thread gets in instead of deadlocking; the depth tells it
# that it interrupted a diagnosis, which it must not interleave with (see _enter).
_DEPTH = 0
# The section in progress (group, handle, fact, call log), for _stale.
_ACTIVE: tuple[Group, int, str, list[Any]] | None = None
_HANDLES: dict[str, int] = {}
_RETIRED = 0  # rulesets given up after a failure that left their session unusable
_GENERATION: dict[str, int] = {}


def _hold_across_fork() -> None:
    _LOCK.acquire()


def _release_after_fork() -> None:
    _LOCK.release()


def _fresh_lock_in_child() -> None:
    global _LOCK, _DEPTH
    _LOCK = threading.RLock()
    _DEPTH = 0


if hasattr(os, "register_at_fork"):  # POSIX: fork only between two engine calls
    os.register_at_fork(before=_hold_across_fork, after_in_parent=_release_after_fork,
                        after_in_child=_fresh_lock_in_child)


def engine_stats() -> dict[str, int]:
    """Counts of engine rulesets registered in this process and retired after failures."""
    with _LOCK:
        return {"rulesets": len(_HANDLES), "retired": _RETIRED}


_DOUBLE = struct.Struct("<d").pack
_BITS = struct.Struct("<q").unpack


def _ordered(number: float) -> int:
    """The integer whose order among integers is ``number``'s order among floats.

    Positive floats order like their IEEE-754 bit patterns read as integers; negative
    ones mirror that. ``-0.0`` and ``0.0`` both give 0, as they compare equal in Python.
    """
    magnitude: int = _BITS(_DOUBLE(abs(number)))[0]
    return magnitude if number >= 0 else -magnitude


def _encode(value: Any) -> Any:
    """``value`` (parsed JSON) with every number replaced by :func:`_ordered`."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return _ordered(float(value))
    if isinstance(value, dict):
        # An existence test's operand is a placeholder the engine ignores.
        return {k: (v if k == "$ex" else _encode(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot send {type(value).__name__} to the engine")


def _check_hashes(group: Group) -> None:
    # The compiler already keeps colliding names apart (see _alpha); this stays as a guard.
    seen: dict[int, str] = {}
    for name in (*ENGINE_PROPERTIES, *sorted(group.properties)):
        other = seen.setdefault(engine_hash(name), name)
        if other != name:
            raise EngineError(
                f"the engine cannot tell properties {other!r} and {name!r} apart (their "
                "32-bit hashes are equal); rename one of these observations or conclusions"
            )


def _handle(group: Group) -> int:
    handle = _HANDLES.get(group.key)
    if handle is None:  # first use in this process, or retired after a failure
        _check_hashes(group)
        generation = _GENERATION.get(group.key, 0)
        name = group.key if generation == 0 else f"{group.key}_{generation}"
        _GENERATION[group.key] = generation + 1
        definition = json.dumps(_encode(json.loads(group.definition_json)), sort_keys=True)
        try:
            # dict.update over a map runs in C: no signal handler (a request timeout,
            # Ctrl-C) can run between the engine returning the handle and the handle
            # being kept, so an interrupted registration never loses a ruleset.
            registered = map(_dre.create_ruleset, (name,), (definition,))
            _HANDLES.update(zip((group.key,), registered, strict=True))
        except _dre.error as exc:  # the C core reports definition errors as bare codes
            raise EngineError(
                f"the engine refused a compiled rule group of layer {group.layer}: {exc}; "
                "this is a bug in rejection-diagnosis's compiler, please report it"
            ) from exc
        handle = _HANDLES[group.key]
    return handle


def _retire(group: Group, handle: int) -> None:
    """Give up a ruleset whose session may be unusable, and free its memory."""
    global _RETIRED
    if _HANDLES.get(group.key) == handle:
        del _HANDLES[group.key]
        _RETIRED += 1
        with contextlib.suppress(_dre.error):
            _dre.delete_ruleset(handle)


def _fact_json(fact: Mapping[str, Any]) -> str:
    """A whole fact as the engine reads it (what :meth:`DurableMatcher.matches` builds
    piece by piece); for tests and tools."""
    return "{" + ",".join(json.dumps(k) + ":" + _value_json(v) for k, v in fact.items()) + "}"


_JSON_BOOL = {True: "true", False: "false"}


def _value_json(value: Any) -> str:
    """One property value as the engine reads it (numbers as :func:`_ordered` integers)."""
    kind = type(value)
    if kind is bool:
        return _JSON_BOOL[value]
    if kind is float or kind is int:
        return str(_ordered(value))
    if kind is str:
        return encode_basestring_ascii(value)
    if isinstance(value, int | float):
        return _value_json(float(value))
    if isinstance(value, str):
        return _value_json(str(value))
    raise EngineError(f"a case fact cannot be sent to the engine: cannot send "
                      f"{kind.__name__} to the engine")


_FACT_END = ',"id":"case"}'
_EVIDENCE_TEXT = {flag: json.dumps(EVIDENCE_PROPERTY) + ":"
                  + json.dumps("sufficient" if flag else "insufficient")
                  for flag in (True, False)}


def _located(exc: EngineError, group: Group, program: Program) -> EngineError:
    """``exc`` naming the knowledge-base rule concerned, or the rules of the group."""
    if exc.rule_id is not None:
        return exc
    rules = program.rules
    if exc.engine_rule is not None and exc.engine_rule in group.actions:
        rule_id = rules[group.actions[exc.engine_rule][0][0]].id
        located = EngineError(f"rule {rule_id!r}: {exc}", rule_id)
    else:
        ids = [rules[i].id for i in group.rule_indexes]
        listed = ", ".join(repr(r) for r in ids[:5])
        listed += f" and {len(ids) - 5} more" if len(ids) > 5 else ""
        located = EngineError(f"while matching rules {listed}: {exc}",
                              ids[0] if len(ids) == 1 else None)
    return located


def _action_name(group: Group, message: str) -> str:
    # The engine answers '{"a12":{"m":{...}}}': the first quoted key is the rule name.
    end = message.find('"', 2)
    name = message[2:end] if message.startswith('{"') and end > 2 else ""
    if name not in group.actions:
        raise EngineError(f"the engine reported an unknown rule {message[:60]!r}")
    return name


def _call(log: list[Any], name: str, handle: int, arg: Any) -> Any:
    """The engine's function ``name`` called with ``(handle, arg)``, its answer kept in
    ``log`` in the same C step.

    ``list.extend`` over a ``map`` runs in C, so a signal handler raising between the
    engine's answer and the bookkeeping cannot leave us unsure whether the call was made:
    :func:`_recover` then knows exactly where the diagnosis stopped.
    """
    log.append(name)
    log.extend(map(getattr(_dre, name), (handle,), (arg,)))
    return log[-1]


def _recover(group: Group, handle: int, payload: str, log: list[Any],
             engine_failed: bool) -> None:
    """Finish an interrupted assert, drain, retract, so that the session is empty again.

    Each engine call is atomic; an interruption (a signal handler's exception, Ctrl-C)
    cuts only our sequence of them, and ``log`` says where: resuming it (draining the
    actions, then retracting the fact) leaves the session as a finished diagnosis does,
    and nothing is lost. After a failure of the engine itself the session's state is
    unknown: that ruleset is retired, and freed.
    """
    if engine_failed:
        _retire(group, handle)
        return
    calls, done = log[0::2], log[1::2]  # an unanswered last call was never made
    try:
        if not done or calls[len(done) - 1] == "retract_fact":
            return  # nothing reached the engine, or the session is already empty
        assertion = done[0]
        if assertion[0] == 0:
            state = assertion[1]
            if len(done) == 1:
                started = _dre.start_action_for_state(handle, state)
                message = started[1] if started else None
            else:
                message = done[-1] if calls[len(done) - 1] != "start_action_for_state" \
                    else (done[-1][1] if done[-1] else None)
            while message:
                message = _dre.complete_and_start_action(handle, state)
        if _dre.retract_fact(handle, payload)[0] != 0:
            _retire(group, handle)
    except BaseException:
        _retire(group, handle)
        raise


def _stale() -> bool:
    """Whether the engine looks in use only because an interruption skipped its cleanup.

    Python 3.13 can raise a signal handler's exception at a point where neither the
    ``finally`` that resets ``_DEPTH`` nor the ``with`` that releases ``_LOCK`` runs. The
    engine is really in use only when a :meth:`DurableMatcher._run` frame is on this
    thread's stack (a diagnosis started from a signal handler). Otherwise the marks are
    stale: the interrupted diagnosis is finished as its ``finally`` would have (``_ACTIVE``
    says where it stopped) and the marks are cleared. The stack is walked only when
    ``_DEPTH`` is set.
    """
    global _DEPTH, _ACTIVE
    frame: FrameType | None = sys._getframe(2)  # the caller of fired
    while frame is not None:
        if frame.f_code is DurableMatcher._run.__code__:
            return False
        frame = frame.f_back
    active, _ACTIVE, _DEPTH = _ACTIVE, None, 0
    while _LOCK._recursion_count() > 1:  # type: ignore[attr-defined]  # the C RLock (3.11+)
        _LOCK.release()
    if active is not None:
        _recover(*active, engine_failed=False)
    return True


class DurableMatcher:
    """Matches cases with durable-rules' C core."""

    def matches(self, program: Program, layer: int, observations: Mapping[str, Any],
                conclusions: Mapping[str, float], evidence: bool | None,
                ) -> list[tuple[int, int]]:
        """See :meth:`Matcher.matches`: one fact per group the case can fire.

        Raises:
            EngineError: the engine refused a fact or failed while running its actions
                (naming the rule concerned when there was one), or this thread is already
                inside the engine (a diagnosis started from a signal handler): diagnoses
                are never interleaved.
        """
        engine = engine_program(program)
        current = engine.layers[layer]
        groups = current.groups
        # Each known subject's text is made once, and joined into the fact of every group
        # that reads it (the groups not reached by any are never asserted into).
        parts: dict[int, list[str]] = {}
        if observations and current.by_observation:
            index, keys = current.by_observation, engine.observation_key
            for subject, value in observations.items():
                found = index.get(subject)
                if found is not None:
                    text = keys[subject] + _value_json(value)
                    for n in found:
                        if n in parts:
                            parts[n].append(text)
                        else:
                            parts[n] = [text]
        if conclusions and current.by_conclusion:
            index, keys = current.by_conclusion, engine.conclusion_key
            for subject, certainty in conclusions.items():
                found = index.get(subject)
                if found is not None:
                    text = keys[subject] + str(_ordered(certainty))
                    for n in found:
                        if n in parts:
                            parts[n].append(text)
                        else:
                            parts[n] = [text]
        if evidence is not None and current.by_evidence:
            text = _EVIDENCE_TEXT[evidence]
            for n in current.by_evidence:
                parts.setdefault(n, []).append(text)
        pairs: list[tuple[int, int]] = []
        for n in sorted(parts) if len(parts) > 1 else parts:
            group = groups[n]
            payload = "{" + ",".join(parts[n]) + _FACT_END
            try:
                names = self._run(group, payload)
            except EngineError as exc:
                located = _located(exc, group, program)
                if located is exc:
                    raise
                raise located from exc
            actions = group.actions
            # An $or with several true branches fires its engine rule once per branch.
            for name in set(names) if len(names) > 1 else names:
                pairs.extend(actions[name])
        return pairs

    def _run(self, group: Group, payload: str) -> list[str]:
        """Assert the fact ``payload``, collect the names of the rules it fires, retract it."""
        global _DEPTH, _ACTIVE
        names: list[str] = []
        with _LOCK:
            if _DEPTH and not _stale():
                raise EngineError(
                    "the engine is in use by a diagnosis that this one interrupted (started "
                    "from a signal handler?); run it after that diagnosis returns")
            _DEPTH = 1
            log: list[Any] = []
            clean = engine_failed = False
            handle = -1
            current: str | None = None
            try:
                handle = _handle(group)
                _ACTIVE = (group, handle, payload, log)
                # What _call does, written out: this loop is most of a diagnosis.
                log.append("assert_fact")
                log.extend(map(_dre.assert_fact, (handle,), (payload,)))
                result = log[-1]
                if result[0] == 0:
                    state = result[1]
                    log.append("start_action_for_state")
                    log.extend(map(_dre.start_action_for_state, (handle,), (state,)))
                    started = log[-1]
                    message = started[1] if started else None
                    while message:
                        current = None
                        current = _action_name(group, message)
                        names.append(current)
                        log.append("complete_and_start_action")
                        log.extend(map(_dre.complete_and_start_action, (handle,), (state,)))
                        message = log[-1]
                    current = None
                elif result[0] != 1:  # 1: the fact matched no rule, which is fine
                    raise EngineError(
                        f"the engine answered {result[0]} to a case fact in layer {group.layer}"
                    )
                retracted = _call(log, "retract_fact", handle, payload)
                if retracted[0] != 0:
                    raise EngineError(
                        f"the engine answered {retracted[0]} when a case fact of layer "
                        f"{group.layer} was retracted"
                    )
                clean = True
            except EngineError as exc:
                engine_failed = True
                exc.engine_rule = current
                raise
            except (_dre.error, MemoryError) as exc:  # the engine's own failures
                engine_failed = True
                raise EngineError(f"the engine failed while matching layer {group.layer}: {exc}",
                                  engine_rule=current) from exc
            finally:
                try:
                    if not clean and handle != -1:
                        _recover(group, handle, payload, log, engine_failed)
                finally:
                    _ACTIVE = None
                    _DEPTH = 0
        return names
