"""Diagnosing many cases across processes, in input order, one error per failing case.

durable-rules holds the GIL while it matches and the library serialises every engine call
behind one lock, so threads cannot diagnose in parallel: processes can. Each worker process
receives the caller's knowledge base once, as compiled (never re-read from its files, which
may have changed, moved or gone since). The default start method is ``forkserver`` where
the platform has it (Linux, macOS), else ``spawn``: both start workers from a clean process,
so no lock or thread of the caller is copied into them (Python 3.12 warns that ``fork``
in a multi-threaded process may deadlock; 3.14 makes ``forkserver`` the default on
Linux); the knowledge base is then pickled once per batch and sent to each worker.
``mp_context="fork"`` is still correct (the engine adapter holds its lock across the fork,
every other lock of the package is fresh in the child) and starts workers in milliseconds
with the caller's compiled copy. As with any start method but ``fork``, a script that
starts a batch must guard its top level with ``if __name__ == "__main__":``. Cases travel
to the workers in chunks and results come back per chunk, at
most a few chunks in flight per worker, so memory stays bounded however long the input is.

What crosses the process boundary must pickle: a chunk of cases that does not (a value
that is a lambda, say) is diagnosed in the caller instead, so each of its cases gets the
result or the error :meth:`KnowledgeBase.diagnose` gives it. A source that fails part way
first yields every result before the failure, then raises its error, as one process does.
A :class:`~.diagnosis.Diagnosis` is plain data and comes back as it is. Unpickling a rich diagnosis in the caller costs about as much as computing it, so a batch
that only writes results out should ask for ``as_json=True``: the workers then render
:meth:`~.diagnosis.Diagnosis.to_dict` to a JSON string and the caller only receives text.

Diagnosis is a pure function of (rules, case): the same mapping scales further on any
engine that can call a Python function per record (see ``examples/distributed_dask.py``).
"""

from __future__ import annotations

import gc
import json
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, TypeVar

import attrs

from ._knowledge import Knowledge
from .certainty import DEFAULT_THRESHOLD, check_threshold
from .diagnosis import Diagnosis
from .errors import DiagnosisError

__all__ = ["BatchResult", "default_start_method", "diagnose_many", "ordered_map"]

#: Cases sent to a worker at a time: large enough to amortise the round trip (a few
#: hundred microseconds), small enough to keep the first results coming quickly.
DEFAULT_CHUNK_SIZE = 64
#: Chunks in flight per worker: one being computed, one queued, one coming back.
_IN_FLIGHT_PER_WORKER = 3

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class BatchResult:
    """The outcome of one case of a batch: a diagnosis (or its JSON text), or the error.

    Attributes:
        index: the case's position in the input, from 0.
        diagnosis: the diagnosis, or None when the case failed or ``as_json`` was asked.
        json: ``diagnosis.to_dict()`` as JSON text when ``as_json`` was asked, else None.
        error: the :class:`~.errors.DiagnosisError` this case raised (e.g. an
            :class:`~.errors.ObservationError`), or None.
    """

    index: int
    diagnosis: Diagnosis | None = None
    json: str | None = None
    error: DiagnosisError | None = None

    @property
    def ok(self) -> bool:
        """True when the case was diagnosed."""
        return self.error is None


# Worker side -------------------------------------------------------------------------------

_WORKER_KB: Knowledge | None = None


def _init_worker(kb: Knowledge | bytes) -> None:
    global _WORKER_KB
    # Inherited under fork; pickled once in the caller otherwise (see _shipped).
    _WORKER_KB = pickle.loads(kb) if isinstance(kb, bytes) else kb


def _diagnose_one(kb: Knowledge, index: int, case: Any, threshold: float,
                  as_json: bool) -> BatchResult:
    try:
        dx = kb.diagnose(case, threshold=threshold)
    except DiagnosisError as exc:
        return BatchResult(index, error=exc)
    if as_json:
        return BatchResult(index, json=json.dumps(dx.to_dict(), ensure_ascii=False))
    return BatchResult(index, diagnosis=dx)


def _diagnose_chunk(chunk: list[tuple[int, Any]], threshold: float,
                    as_json: bool) -> list[BatchResult]:
    assert _WORKER_KB is not None, "worker started without its knowledge base"
    kb = _WORKER_KB
    return [_diagnose_one(kb, index, case, threshold, as_json) for index, case in chunk]


# Caller side -------------------------------------------------------------------------------


def _context(name: str | None) -> Any:
    import multiprocessing  # imported on first use: `import rejection_diagnosis` stays quick

    if name is None:
        name = default_start_method()
    return multiprocessing.get_context(name)


def default_start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``; never ``fork``.

    ``fork`` copies every thread's locks as they happen to be (a web server's, a logging
    handler's), which can deadlock a worker; the caller's own default is not consulted
    since it may be ``fork`` (Linux before Python 3.14).
    """
    import multiprocessing

    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _start_method(name: str | None) -> str:
    return name if name is not None else default_start_method()


def _shipped(kb: Knowledge, mp_context: str | None) -> Knowledge | bytes:
    """What the workers' initializer receives: ``kb`` itself under fork, else its pickle.

    Raises:
        DiagnosisError: ``kb`` cannot be pickled (a matcher of :meth:`with_matcher` that
            does not pickle, under ``spawn`` or ``forkserver``).
    """
    if _start_method(mp_context) == "fork":
        return kb
    try:
        return pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise DiagnosisError(
            f"the knowledge base cannot be sent to {_start_method(mp_context)} worker "
            f"processes ({exc}); use workers=1, or a matcher that pickles") from exc


class _Done:
    """A finished result standing in for a worker's future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _check_workers(workers: int | None) -> int:
    if workers is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    return workers


def ordered_map(function: Callable[[list[T]], list[R]], items: Iterable[T], *, workers: int,
                chunk_size: int, initializer: Callable[..., None], initargs: tuple[Any, ...],
                mp_context: str | None = None,
                local: Callable[[list[T]], list[R]] | None = None) -> Iterator[R]:
    """``function`` over chunks of ``items`` in worker processes, results in input order.

    At most a few chunks per worker are in flight, so ``items`` is consumed lazily and
    memory is bounded. Closing the iterator early cancels what was not started. A chunk
    that does not pickle is given to ``local`` (run in this process) when there is one.
    When ``items`` itself raises, every result before that item is yielded first.

    Raises:
        DiagnosisError: a worker process died or could not start.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    source = iter(items)
    failure: list[BaseException] = []

    def chunks() -> Iterator[list[T]]:
        while True:
            chunk: list[T] = []
            try:
                for item in source:
                    chunk.append(item)
                    if len(chunk) == chunk_size:
                        break
            except Exception as exc:  # the caller's source: raised after what came before
                failure.append(exc)
                if chunk:
                    yield chunk
                return
            if not chunk:
                return
            yield chunk

    executor = ProcessPoolExecutor(workers, mp_context=_context(mp_context),
                                   initializer=initializer, initargs=initargs)

    def submit(chunk: list[T]) -> Any:
        try:
            # Pickled here, so that a case that cannot travel is known before it is sent.
            payload = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            if local is None:
                raise
            return _Done(local(chunk))
        return executor.submit(_Unpickled(function), payload)

    pending: deque[Any] = deque()
    try:
        feed = chunks()
        for chunk in islice(feed, workers * _IN_FLIGHT_PER_WORKER):
            pending.append(submit(chunk))
        while pending:
            try:
                done = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise DiagnosisError(
                    f"a worker process of the batch died or could not start ({exc})") from exc
            if isinstance(done, bytes):  # from a worker (see _Unpickled), not from local
                done = _loads(done)
            following = next(feed, None)
            if following is not None:
                pending.append(submit(following))
            yield from done
        if failure:
            raise failure[0]
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@attrs.frozen
class _Unpickled:
    """``function`` applied to a chunk that the caller pickled itself."""

    function: Callable[[list[Any]], list[Any]]

    def __call__(self, payload: bytes) -> bytes:
        # Pickled here too, and unpickled by the caller with the GC paused (_loads).
        return pickle.dumps(self.function(pickle.loads(payload)),
                            protocol=pickle.HIGHEST_PROTOCOL)


def _loads(payload: bytes) -> Any:
    """A chunk of results unpickled with the cyclic garbage collector paused.

    Unpickling makes a few dozen small container objects per diagnosis, and every 700 of
    them start a collection that walks what the caller keeps: on 10,000 bundled
    diagnoses kept in a list that was 115 us a diagnosis, 33 us with the collector paused
    for each chunk (a few milliseconds). It is turned back on as it was.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return pickle.loads(payload)
    finally:
        if paused:
            gc.enable()


def diagnose_many(kb: Knowledge, cases: Iterable[Mapping[str, Any]], *, workers: int | None = 1,
                  threshold: float = DEFAULT_THRESHOLD, as_json: bool = False, raise_errors: bool = False,
                  chunk_size: int = DEFAULT_CHUNK_SIZE,
                  mp_context: str | None = None) -> Iterator[BatchResult]:
    """Diagnose ``cases`` (any iterable, consumed lazily); yield one result per case, in order.

    See :meth:`KnowledgeBase.diagnose_many` for the arguments.
    """
    threshold = check_threshold(threshold)
    count = _check_workers(workers)
    if count == 1:
        results: Iterator[BatchResult] = (
            _diagnose_one(kb, i, case, float(threshold), as_json) for i, case in enumerate(cases))
    else:
        def local(chunk: list[tuple[int, Any]]) -> list[BatchResult]:
            return [_diagnose_one(kb, i, case, threshold, as_json) for i, case in chunk]

        results = ordered_map(
            _Chunk(threshold, as_json), enumerate(cases), workers=count,
            chunk_size=chunk_size, initializer=_init_worker,
            initargs=(_shipped(kb, mp_context),), mp_context=mp_context, local=local)
    for result in results:
        if result.error is not None and raise_errors:
            result.error.add_note(f"while diagnosing case {result.index} of the batch")
            raise result.error
        yield result


@attrs.frozen
class _Chunk:
    """The picklable worker function of :func:`diagnose_many` (a closure would not pickle)."""

    threshold: float
    as_json: bool

    def __call__(self, chunk: list[tuple[int, Any]]) -> list[BatchResult]:
        return _diagnose_chunk(chunk, self.threshold, self.as_json)
