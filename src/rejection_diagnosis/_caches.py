"""The process-wide caches of the package, and their one reset: the cache department.

Outside the engine adapter (which owns the engine's rulesets, see :mod:`._engine`), every
module-level cache registers here: what it is called, how to empty it and how full it is.
:func:`clear_caches` (public as :func:`rejection_diagnosis.clear_caches`) empties them all.
Nothing here changes a result: every cache holds what would be computed again the same
way (a knowledge base compiled from the same bytes, the published schemas, the bundled
answer frequencies, word stems). Clearing gives back memory in a long-lived process and
gives tests a cold start.

A new cache is defined with :func:`cached` (a memoised function) or, for one that is not a
function, a :func:`register` call next to it; ``tests/test_caches.py`` checks that no module
outside this one and the engine fence memoises with ``functools`` itself.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

from ._forksafe import ForkSafeLock

__all__ = ["cached", "clear_caches", "per_object", "register", "sizes"]

P = ParamSpec("P")
T = TypeVar("T")
K = TypeVar("K")

# name -> (empty it, how many entries it holds)
_REGISTRY: dict[str, tuple[Callable[[], object], Callable[[], int]]] = {}
# Guards the registry only, never held while a cache is cleared or measured: a clear
# function takes its cache's own lock, and code holding such a lock may import a module
# that registers a cache (building the default knowledge base does imports), so holding
# both at once in two orders could deadlock.
_LOCK = ForkSafeLock()


def register(name: str, clear: Callable[[], object], size: Callable[[], int]) -> None:
    """Own a module-level cache: ``clear`` empties it, ``size`` counts its entries.

    Raises:
        ValueError: ``name`` is already registered (two caches would share a name).
    """
    with _LOCK:
        if name in _REGISTRY:
            raise ValueError(f"a cache named {name!r} is already registered")
        _REGISTRY[name] = (clear, size)


def cached(name: str, *, maxsize: int | None = None) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A decorator: ``functools.lru_cache(maxsize)`` registered as ``name``.

    ``maxsize=None`` keeps every result (for functions of no or few arguments).
    """
    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        memo = functools.lru_cache(maxsize=maxsize)(function)
        register(name, memo.cache_clear, lambda: memo.cache_info().currsize)
        return cast(Callable[P, T], memo)

    return decorate


def per_object(name: str) -> Callable[[Callable[[K], T]], Callable[[K], T]]:
    """A decorator: memoise a function of one object for as long as that object lives.

    Keyed by the object's identity (it need not be hashable, and two equal objects are
    two entries); an entry goes when its object is collected. Registered as ``name``.
    Two threads may both compute a missing entry; the function must then give equal
    results (it is a cache, not a registry of identities).
    """
    def decorate(function: Callable[[K], T]) -> Callable[[K], T]:
        memo: dict[int, tuple[weakref.ref[K], T]] = {}

        @functools.wraps(function)
        def wrapper(obj: K) -> T:
            entry = memo.get(id(obj))
            if entry is not None and entry[0]() is obj:
                return entry[1]
            value = function(obj)
            memo[id(obj)] = (weakref.ref(obj), value)
            weakref.finalize(obj, memo.pop, id(obj), None)
            return value

        register(name, memo.clear, lambda: len(memo))
        return wrapper

    return decorate


def clear_caches() -> None:
    """Empty every process-wide cache of the package. Thread-safe.

    The next :func:`~rejection_diagnosis.load_rules` reads and compiles its files again
    (the knowledge bases already returned stay valid), the next
    :func:`~rejection_diagnosis.diagnose` loads the bundled rules again, and the schemas,
    answer frequencies and story-reader tables are rebuilt on first use. Results never
    change. The engine's compiled rulesets are not caches of this kind: they belong to the
    engine adapter and live as long as the process.
    """
    with _LOCK:
        clears = [clear for clear, _ in _REGISTRY.values()]
    for clear in clears:
        clear()


def sizes() -> dict[str, int]:
    """How many entries each registered cache holds now, by name (for tests and tools)."""
    with _LOCK:
        registered = sorted(_REGISTRY.items())
    return {name: size() for name, (_, size) in registered}
