"""Pickling frozen result objects as ``cls(*fields)``.

attrs' default for a slotted class pickles a state that is put back field by field after
an empty object is made; a diagnosis holds dozens of small objects (each contribution,
its evidence and location), and putting them back that way cost ``diagnose_many`` as
much in the caller as the diagnosis cost in a worker. Calling the class with its fields
in order unpickles in about half the time, and reads the same.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

__all__ = ["positional_pickle"]

T = TypeVar("T")


def positional_pickle(cls: type[T]) -> type[T]:
    """Make instances of the attrs class ``cls`` pickle as ``cls(*fields)``.

    Every field must be an ``__init__`` argument, in field order (no ``init=False``).
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    assert all(f.init and not f.kw_only for f in fields), f"{cls.__name__} is not positional"
    names = tuple(f.name for f in fields)

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
