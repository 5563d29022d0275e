"""A model of durable-rules' alpha network, so that compiled groups stay within its limits.

The C core (``rete.c``, ``events.c``, ``state.c`` of durable-rules 2.0.28) turns each
engine rule's flat ``$and`` into a chain of *alpha nodes* below one root; equal tests
under the same parent are shared, and each ``$or`` adds its branches under the previous
node, all leading to one fresh "forward" node. Matching a fact walks this tree depth
first with a fixed stack:

* ``MAX_STACK_SIZE`` (64): popping a node pushes every child the fact satisfies, so the
  stack holds the matching children of the current node plus the siblings still waiting
  at every level above. One entry too many and the assertion fails (error 303). This
  module bounds that peak for *any* fact, assuming the worst visiting order.
* ``NEXT_BUCKET_LENGTH`` (512) children per node (more hangs registration) and
  ``NEXT_LIST_LENGTH`` (128) forward links per node (error 107).
* ``MAX_OBJECT_PROPERTIES`` (255) properties per fact, including ``id`` and ``sid``
  (error 302).
* property names are told apart by a 32-bit FNV-1a hash of their JSON text only.

Nothing here imports the engine: it reads the same JSON expressions the engine is given
(:func:`rejection_diagnosis._engine_program.alternative_expression`), so the engine
adapter can pack rules into groups that the engine is guaranteed to hold, and validation
can refuse, located, what no grouping can hold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "ENGINE_PROPERTIES",
    "MAX_CHILDREN",
    "MAX_FACT_PROPERTIES",
    "MAX_FORWARDS",
    "MAX_STACK",
    "AlphaNetwork",
    "engine_hash",
]

#: Alpha nodes the engine's matching stack holds (``MAX_STACK_SIZE``).
MAX_STACK = 64
#: Children one alpha node may have (``NEXT_BUCKET_LENGTH`` slots, one kept free).
MAX_CHILDREN = 511
#: ``$or`` continuations one alpha node may lead to (``NEXT_LIST_LENGTH``).
MAX_FORWARDS = 127
#: Properties of one fact (``MAX_OBJECT_PROPERTIES``), the engine's own included.
MAX_FACT_PROPERTIES = 255
#: Properties the engine itself puts on facts and on the session state fact.
ENGINE_PROPERTIES = ("id", "sid", "$s")

_OPERATORS = {"$neq": "ne", "$lt": "lt", "$lte": "le", "$gt": "gt", "$gte": "ge", "$ex": "ex"}


def engine_hash(name: str) -> int:
    """The engine's 32-bit FNV-1a hash of a property name, as it reads it from JSON.

    The C core hashes the bytes between the quotes as written (``"c_fv\\n"`` is hashed
    with its backslash), each byte taken as a signed C ``char`` (x86).
    """
    h = 0x811C9DC5
    for byte in json.dumps(name)[1:-1].encode("utf-8"):
        h = ((h ^ (byte - 256 if byte > 127 else byte)) * 0x01000193) & 0xFFFFFFFF
    return h


Key = tuple[str, str, str, Any]  # operator, property, value type, value


def _key(op: str, prop: str, value: Any) -> Key:
    # The type goes in the key: True == 1 for a dict, not for the engine.
    return (op, prop, type(value).__name__, value)


def _items(expression: Mapping[str, Any]) -> list[Key | list[Key]]:
    """The chain of one flat ``{"$and": [...]}``: a test, or the branches of a ``$or``."""
    chain: list[Key | list[Key]] = []
    for item in expression["$and"]:
        ((name, operand),) = item.items()
        if name == "$or":
            chain.append([_test(branch) for branch in operand])
        else:
            chain.append(_test(item))
    return chain


def _test(item: Mapping[str, Any]) -> Key:
    ((name, operand),) = item.items()
    if name in _OPERATORS:
        ((prop, value),) = operand.items()
        return _key(_OPERATORS[name], prop, 1 if name == "$ex" else value)
    return _key("eq", name, operand)


def _holds(op: str, value: Any, x: Any) -> bool:
    if op == "eq":
        return bool(x == value)
    if op == "ne":
        return bool(x != value)
    if op == "lt":
        return bool(x < value)
    if op == "le":
        return bool(x <= value)
    if op == "gt":
        return bool(x > value)
    return bool(x >= value)


def _most_at_once(tests: Sequence[tuple[str, Any]]) -> int:
    """How many of these tests on one property one value can satisfy together."""
    exists = sum(1 for op, _ in tests if op == "ex")
    compared = [(op, v) for op, v in tests if op != "ex"]
    if not compared:
        return exists
    values = [v for _, v in compared]
    candidates: set[Any]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        # Which tests hold changes only at a test's value: try each, and just beside it.
        candidates = set()
        for v in values:
            f = float(v)
            candidates.update((f, math.nextafter(f, math.inf), math.nextafter(f, -math.inf)))
    elif all(isinstance(v, bool) for v in values):
        candidates = {True, False}
    elif all(isinstance(v, str) for v in values):
        candidates = {*values, "\0none of these"}
    else:  # mixed types cannot be reasoned about: assume all hold
        return exists + len(compared)
    return exists + max(sum(1 for op, v in compared if _holds(op, v, x)) for x in candidates)


class _Node:
    __slots__ = ("by_prop", "forwards", "kids", "most", "peak", "per_prop")

    def __init__(self) -> None:
        self.kids: dict[Key, _Node] = {}
        self.forwards: list[_Node] = []
        self.by_prop: dict[str, list[tuple[str, Any]]] = {}
        self.per_prop: dict[str, int] = {}
        self.most = 0  # children one fact can satisfy together (an upper bound)
        self.peak = 0  # stack entries matching below this node can need (an upper bound)

    def child(self, key: Key, undo: list[Any]) -> _Node:
        node = self.kids.get(key)
        if node is None:
            node = self.kids[key] = _Node()
            undo.append(("kid", self, key))
            op, prop, _, value = key
            tests = self.by_prop.setdefault(prop, [])
            tests.append((op, value))
            old = self.per_prop.get(prop, 0)
            new = self.per_prop[prop] = _most_at_once(tests)
            self.most += new - old
            undo.append(("prop", self, prop, old))
        return node

    def update(self) -> None:
        below = max((n.peak for n in (*self.kids.values(), *self.forwards)), default=0)
        # The worst order: the deepest child visited first, its siblings all waiting.
        self.peak = 0 if self.most == 0 else max(self.most, self.most - 1 + below)


class AlphaNetwork:
    """The alpha network one engine ruleset will have, built expression by expression."""

    def __init__(self) -> None:
        self._root = _Node()
        self._expressions: set[str] = set()
        self._properties: set[str] = set()
        self._hashes: dict[int, str] = {engine_hash(p): p for p in ENGINE_PROPERTIES}

    @property
    def peak(self) -> int:
        """The most stack entries matching one fact can need (an upper bound)."""
        return self._root.peak

    def add(self, expressions: Iterable[Mapping[str, Any]]) -> str | None:
        """Add engine expressions if the engine can hold the result; else say why not.

        Returns:
            None when they were added; otherwise the reason, and nothing was added.
        """
        undo: list[Any] = []
        added: list[str] = []
        props: list[str] = []
        reason = None
        for expression in expressions:
            text = json.dumps(expression, sort_keys=True)
            if text in self._expressions:
                continue  # the engine gets each distinct expression once
            self._expressions.add(text)
            added.append(text)
            reason = self._add_chain(_items(expression), undo, props)
            if reason:
                break
        if reason is None and len(self._properties) + 2 >= MAX_FACT_PROPERTIES:
            reason = (f"a case fact would need {len(self._properties)} properties, and the "
                      f"engine holds {MAX_FACT_PROPERTIES - 2} besides its own")
        if reason is None and self._root.peak > MAX_STACK:
            reason = (f"one case could match {self._root.peak} engine tests at once, and the "
                      f"engine's matching stack holds {MAX_STACK}")
        if reason is not None:
            self._undo(undo, added, props)
        return reason

    def _add_chain(self, chain: list[Key | list[Key]], undo: list[Any],
                   props: list[str]) -> str | None:
        node = self._root
        path: list[list[_Node]] = [[node]]
        for item in chain:
            for key in item if isinstance(item, list) else (item,):
                prop = key[1]
                if prop not in self._properties:
                    other = self._hashes.setdefault(engine_hash(prop), prop)
                    if other != prop:
                        return (f"the engine cannot tell properties {other!r} and {prop!r} "
                                "apart (their 32-bit hashes are equal); rename one of them")
                    self._properties.add(prop)
                    props.append(prop)
            if isinstance(item, list):
                forward = _Node()
                branches = [node.child(key, undo) for key in dict.fromkeys(item)]
                if len(node.kids) > MAX_CHILDREN:
                    return f"more than {MAX_CHILDREN} engine tests follow one engine test"
                for branch in branches:
                    if len(branch.forwards) >= MAX_FORWARDS:
                        return f"more than {MAX_FORWARDS} 'in:' tests share one engine test"
                    branch.forwards.append(forward)
                    undo.append(("forward", branch))
                path.extend((branches, [forward]))
                node = forward
            else:
                parent, node = node, node.child(item, undo)
                if len(parent.kids) > MAX_CHILDREN:
                    return f"more than {MAX_CHILDREN} engine tests follow one engine test"
                path.append([node])
        for level in reversed(path):
            for n in level:
                undo.append(("peak", n, n.peak))
                n.update()
        return None

    def _undo(self, undo: list[Any], added: list[str], props: list[str]) -> None:
        for entry in reversed(undo):
            kind, node = entry[0], entry[1]
            if kind == "kid":
                del node.kids[entry[2]]
                prop = entry[2][1]
                node.by_prop[prop].pop()
                if not node.by_prop[prop]:
                    del node.by_prop[prop]
            elif kind == "prop":
                node.most += entry[3] - node.per_prop[entry[2]]
                if entry[3]:
                    node.per_prop[entry[2]] = entry[3]
                else:
                    del node.per_prop[entry[2]]
            elif kind == "forward":
                node.forwards.pop()
            else:
                node.peak = entry[2]
        self._expressions.difference_update(added)
        for prop in props:
            self._properties.discard(prop)
            del self._hashes[engine_hash(prop)]
