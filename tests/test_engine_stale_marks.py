"""The engine adapter heals marks that an interruption left behind (seen on Python 3.13).

Python 3.13 can raise a signal handler's exception where the adapter's ``finally`` (which
resets its in-use mark) or its ``with _LOCK`` (which releases the lock) does not run.
The next diagnosis must then not be refused as "in use" forever, nor deadlock another
thread: the marks are stale when no engine section is on the stack, and are cleared.
"""

from __future__ import annotations

import threading

import rejection_diagnosis as rd
from rejection_diagnosis import _engine
from rejection_diagnosis._engine_program import engine_program


def test_a_leaked_in_use_mark_and_lock_level_are_healed(tiny_kb: rd.KnowledgeBase) -> None:
    want = tiny_kb.diagnose({"reposted": True}).fired
    retired = _engine.engine_stats()["retired"]
    _engine._LOCK.acquire()  # what a skipped `with` exit leaves
    _engine._DEPTH = 1       # what a skipped `finally` leaves
    try:
        assert want == tiny_kb.diagnose({"reposted": True}).fired
    finally:
        while _engine._LOCK._recursion_count() > 0:  # type: ignore[attr-defined]
            _engine._LOCK.release()
    assert (0, None) == (_engine._DEPTH, _engine._ACTIVE)
    assert retired == _engine.engine_stats()["retired"]
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(tiny_kb.diagnose({}).fired))
    thread.start()
    thread.join(timeout=30)
    assert 1 == len(other), "another thread could not get the engine"


def test_an_interrupted_section_is_finished_before_the_next(tiny_kb: rd.KnowledgeBase) -> None:
    # A section stopped right after its fact was asserted, its cleanup skipped: the next
    # diagnosis drains and retracts it first, so the same fact can be asserted again.
    group = engine_program(tiny_kb.program).layers[0].groups[0]
    fact = {"reposted": True}
    payload = _engine._fact_json({**fact, "id": "x", "sid": "0"})
    handle = _engine._handle(group)
    log: list[object] = []
    with _engine._LOCK:
        _engine._call(log, "assert_fact", handle, payload)
    _engine._ACTIVE, _engine._DEPTH = (group, handle, payload, log), 1
    retired = _engine.engine_stats()["retired"]
    assert tiny_kb.diagnose(fact).causes
    assert (0, None, retired) == (_engine._DEPTH, _engine._ACTIVE,
                                  _engine.engine_stats()["retired"])
