"""Locks that a forked child never inherits held.

``fork()`` copies a lock in whatever state it is: if another thread of the parent held it
(a thread inside ``load_rules`` while ``diagnose_many`` forks its workers), the child's
copy stays locked for ever and the child hangs at its first use. Every lock this package
owns is a :class:`ForkSafeLock`, which the child renews right after the fork. The data
they guard is changed only by single C-level dict operations, which a fork (taken while
the forking thread holds the GIL) never splits. The engine's own lock is held across the
fork instead (see :mod:`._engine`): an engine call must never be cut in two.
"""

from __future__ import annotations

import os
import threading
import weakref
from types import TracebackType

__all__ = ["ForkSafeLock"]


class ForkSafeLock:
    """A ``threading.Lock`` (as a context manager) that is fresh in a forked child."""

    __slots__ = ("__weakref__", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        _ALL.add(self)

    def __enter__(self) -> ForkSafeLock:
        self._lock.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._lock.release()

    def locked(self) -> bool:
        """Whether some thread holds the lock."""
        return self._lock.locked()


_ALL: weakref.WeakSet[ForkSafeLock] = weakref.WeakSet()


def _renew_in_child() -> None:
    for lock in list(_ALL):
        lock._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_in_child)
