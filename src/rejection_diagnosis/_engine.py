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
  next use registers a fresh copy under a new name.

The public ``durable.engine.Host`` is not used: it starts background timer threads and
routes every action through Python callables. The C module is driven directly, which
measured about five times faster; the pinned version range in ``pyproject.toml`` is the
one tested.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Mapping
from typing import Any, Protocol

import durable_rules_engine as _dre

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


def engine_stats() -> dict[str, int]:
    """Counts of engine rulesets registered in this process and retired after failures."""
    with _LOCK:
        return {"rulesets": len(_HANDLES), "retired": _RETIRED}


def _handle(group: Group) -> int:
    handle = _HANDLES.get(group.key)
    if handle is None:
        generation = _GENERATION.get(group.key, 0)
        name = group.key if generation == 0 else f"{group.key}_{generation}"
        try:
            handle = _dre.create_ruleset(name, group.definition_json)
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
        _GENERATION[group.key] = _GENERATION.get(group.key, 0) + 1


class DurableMatcher:
    """Matches case facts with durable-rules' C core."""

    def fired(self, group: Group, fact: Mapping[str, Any]) -> list[str]:
        """Assert ``fact``, collect the names of the rules it fires, retract it again."""
        payload = _ENCODE(fact)
        names: list[str] = []
        with _LOCK:
            handle = _handle(group)
            clean = False
            asserted = False
            try:
                result = _dre.assert_fact(handle, payload)
                asserted = True
                if result[0] == 0:
                    state = result[1]
                    started = _dre.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        # Engine rule names are "a<digits>", so the first quoted key is the name.
                        names.append(message[2 : message.index('"', 2)])
                        message = _dre.complete_and_start_action(handle, state)
                elif result[0] != 1:  # 1: the fact matched no rule, which is fine
                    raise EngineError(
                        f"the engine answered {result[0]} to a case fact in layer {group.layer}"
                    )
                _dre.retract_fact(handle, payload)
                clean = True
            except EngineError:
                raise
            except Exception as exc:
                raise EngineError(f"the engine failed while matching layer {group.layer}: {exc}") from exc
            finally:
                if not clean:
                    if asserted:
                        with contextlib.suppress(Exception):
                            _dre.retract_fact(handle, payload)
                    _retire(group)
        return names
