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
* **An interrupted drain locks the session.** If anything (a KeyboardInterrupt, an engine
  error) stops a diagnosis between assert and retract, that ruleset is retired and the
  next use registers a fresh copy under a new name. The same happens when a registration
  itself is interrupted, since its handle may be lost.
* **The engine reads numbers with its own JSON scanner and ``atof``.** It rejects
  exponents without a decimal point (``1e-05``, what ``json.dumps`` writes for small
  certainties) and ``atof`` follows the C locale, so a host that calls
  ``setlocale(LC_NUMERIC, "de_DE")`` would see ``0.5`` read as ``0``. Numbers therefore
  never reach the engine as decimals: every number, in rules and facts alike, is sent
  as the 64-bit integer whose order is the order of the floats (sign and magnitude of
  the IEEE-754 bits). Integer comparison in the C core is exact, so the engine compares
  exactly as Python does.
* **Property names are told apart by a 32-bit FNV-1a hash only.** Two names with the
  same hash would be confused silently; registration refuses such a group.

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
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from . import _durable_engine as _dre
from .compiler import Group
from .errors import EngineError

__all__ = ["DurableMatcher", "Matcher", "engine_stats"]


class Matcher(Protocol):
    """What inference needs from a rule engine: which engine rules a fact satisfies."""

    def fired(self, group: Group, fact: Mapping[str, Any]) -> list[str]:
        """Names of the rules of ``group`` whose condition ``fact`` satisfies."""
        ...


# One encoder for every fact (json.dumps with options builds a new one per call).
_ENCODE = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
_LOCK = threading.RLock()
_HANDLES: dict[str, int] = {}
_RETIRED = 0  # rulesets abandoned after an interrupted diagnosis (they cannot be freed)
_GENERATION: dict[str, int] = {}


def _hold_across_fork() -> None:
    _LOCK.acquire()


def _release_after_fork() -> None:
    _LOCK.release()


def _fresh_lock_in_child() -> None:
    global _LOCK
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # POSIX: fork only between two engine calls
    os.register_at_fork(before=_hold_across_fork, after_in_parent=_release_after_fork,
                        after_in_child=_fresh_lock_in_child)

# Properties the engine itself puts on facts and on the session state fact.
_ENGINE_PROPERTIES = ("id", "sid", "$s")


def engine_stats() -> dict[str, int]:
    """Counts of engine rulesets registered in this process and retired after failures."""
    with _LOCK:
        return {"rulesets": len(_HANDLES), "retired": _RETIRED}


def _ordered(number: float) -> int:
    """The integer whose order among integers is ``number``'s order among floats.

    Positive floats order like their IEEE-754 bit patterns read as integers; negative
    ones mirror that. ``-0.0`` and ``0.0`` both give 0, as they compare equal in Python.
    """
    magnitude: int = struct.unpack("<q", struct.pack("<d", abs(number)))[0]
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


def _fnv1a(name: str) -> int:
    # The engine hashes each byte as a C ``char``. Ids are ASCII (the schema says so), for
    # which signed and unsigned chars agree; other bytes are sign-extended as on x86.
    h = 0x811C9DC5
    for byte in name.encode("utf-8"):
        h = ((h ^ (byte - 256 if byte > 127 else byte)) * 0x01000193) & 0xFFFFFFFF
    return h


def _check_hashes(group: Group) -> None:
    seen: dict[int, str] = {}
    for name in (*_ENGINE_PROPERTIES, *sorted(group.properties)):
        other = seen.setdefault(_fnv1a(name), name)
        if other != name:
            raise EngineError(
                f"the engine cannot tell properties {other!r} and {name!r} apart (their "
                "32-bit hashes are equal); rename one of these observations or conclusions"
            )


def _handle(group: Group) -> int:
    handle = _HANDLES.get(group.key)
    if handle is None:
        _check_hashes(group)
        generation = _GENERATION.get(group.key, 0)
        name = group.key if generation == 0 else f"{group.key}_{generation}"
        # Whatever happens from here on, this name is spent: an interrupted registration
        # may have created the ruleset without the handle reaching us.
        _GENERATION[group.key] = generation + 1
        definition = json.dumps(_encode(json.loads(group.definition_json)), sort_keys=True)
        try:
            handle = _dre.create_ruleset(name, definition)
        except Exception as exc:  # the C core reports definition errors as bare codes
            raise EngineError(
                f"the engine refused a compiled rule group of layer {group.layer}: {exc}; "
                "this is a bug in rejection-diagnosis's compiler, please report it"
            ) from exc
        _HANDLES[group.key] = handle
    return handle


def _retire(group: Group) -> None:
    global _RETIRED
    if _HANDLES.pop(group.key, None) is not None:
        _RETIRED += 1


def _fact_json(fact: Mapping[str, Any]) -> str:
    try:
        # Facts hold floats, booleans and strings: the float test first keeps this cheap.
        return _ENCODE({k: _ordered(v) if type(v) is float else _encode(v)
                        for k, v in fact.items()})
    except (TypeError, ValueError) as exc:
        raise EngineError(f"a case fact cannot be sent to the engine: {exc}") from exc


def _action_name(group: Group, message: str) -> str:
    # The engine answers '{"a12":{"m":{...}}}': the first quoted key is the rule name.
    end = message.find('"', 2)
    name = message[2:end] if message.startswith('{"') and end > 2 else ""
    if name not in group.actions:
        raise EngineError(f"the engine reported an unknown rule {message[:60]!r}")
    return name


class DurableMatcher:
    """Matches case facts with durable-rules' C core."""

    def fired(self, group: Group, fact: Mapping[str, Any]) -> list[str]:
        """Assert ``fact``, collect the names of the rules it fires, retract it again.

        Raises:
            EngineError: the engine refused the fact or failed while running its actions;
                ``engine_rule`` names the engine rule being run, when there was one.
        """
        payload = _fact_json(fact)
        names: list[str] = []
        with _LOCK:
            handle = _handle(group)
            clean = False
            asserted = False
            current: str | None = None
            try:
                result = _dre.assert_fact(handle, payload)
                asserted = True
                if result[0] == 0:
                    state = result[1]
                    started = _dre.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        current = None
                        current = _action_name(group, message)
                        names.append(current)
                        message = _dre.complete_and_start_action(handle, state)
                    current = None
                elif result[0] != 1:  # 1: the fact matched no rule, which is fine
                    raise EngineError(
                        f"the engine answered {result[0]} to a case fact in layer {group.layer}"
                    )
                retracted = _dre.retract_fact(handle, payload)
                if retracted[0] != 0:
                    raise EngineError(
                        f"the engine answered {retracted[0]} when a case fact of layer "
                        f"{group.layer} was retracted"
                    )
                clean = True
            except EngineError as exc:
                exc.engine_rule = current
                raise
            except Exception as exc:
                raise EngineError(f"the engine failed while matching layer {group.layer}: {exc}",
                                  engine_rule=current) from exc
            finally:
                if not clean:
                    # Retire first: whatever the retraction below does, this session is
                    # never used again.
                    _retire(group)
                    if asserted:
                        with contextlib.suppress(Exception):  # retired anyway
                            _dre.retract_fact(handle, payload)
        return names
