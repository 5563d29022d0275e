"""The comparison operators of a rule file, each defined once (the operators' registry).

An operator is one :class:`OperatorSpec` in :data:`OPERATORS`: how its operand is written
(and the error when it is not), how it reads to a coach, which capability of an
observation type it needs (see :mod:`.observation_types`), and how the compiler lowers it
to the primitive tests of the engine-neutral program. The primitive tests (:data:`TestOp`)
and what each means on a known value are defined here as well; the engine fence
(:mod:`._engine_program`) alone says how each is written in the engine's dialect.

Adding an operator: a name in :data:`Operator`, its case in :func:`spec_of`, the
``comparison`` definition of ``schema/ruleset.schema.json`` and the tables of
docs/authoring.md and docs/rule-format.md (``tests/test_registries.py`` checks that they
agree). A new primitive test (:data:`TestOp`) also needs its encoding in the engine fence.
"""

from __future__ import annotations

import math
import operator as _op
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias, assert_never, get_args

import attrs

from ._values import Scalar, show_value

__all__ = [
    "ALIASES",
    "COMPLEMENT",
    "EQUALS",
    "HOLDS",
    "NAMES",
    "OPERATORS",
    "Lowered",
    "Need",
    "Operand",
    "Operator",
    "OperatorSpec",
    "TestOp",
    "spec_of",
]

Operator = Literal["eq", "ne", "in", "lt", "le", "gt", "ge", "between"]
#: The primitive tests of a compiled program (an operator is lowered to these).
TestOp = Literal["eq", "ne", "in", "nin", "lt", "le", "gt", "ge"]
#: What an operator needs of an observation type: equality (any type), membership in a
#: list of values, or an order (numbers).
Need = Literal["equality", "membership", "order"]
Operand: TypeAlias = Scalar | tuple[Scalar, ...]
#: A lowered comparison: alternatives, each a conjunction of (primitive test, operand).
Lowered: TypeAlias = list[tuple[tuple[TestOp, Any], ...]]

#: The operator a bare value means (``obs: value``).
EQUALS: Operator = "eq"

#: What each primitive test means on a known value (the reference semantics):
#: ``HOLDS[op](value, operand)``.
HOLDS: Mapping[TestOp, Callable[[Any, Any], bool]] = {
    "eq": _op.eq, "ne": _op.ne, "in": lambda x, v: x in v, "nin": lambda x, v: x not in v,
    "lt": _op.lt, "le": _op.le, "gt": _op.gt, "ge": _op.ge,
}
#: The primitive test that holds exactly when the other fails on a known value.
COMPLEMENT: Mapping[TestOp, TestOp] = {
    "eq": "ne", "ne": "eq", "in": "nin", "nin": "in", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(value: Any) -> Scalar:
    if isinstance(value, bool | str):
        return value
    return float(value)


@attrs.frozen
class OperatorSpec:
    """One operator: its operand, its words, what it needs of a type, its lowering."""

    name: Operator
    #: ``value`` (one scalar), ``bound`` (one number), ``values`` (a non-empty list) or ``range``
    #: (two numbers, low first).
    operand: Literal["value", "bound", "values", "range"]
    needs: Need
    #: ``obs <symbol> value`` for a coach; None when :attr:`words` says it instead.
    symbol: str | None = None
    #: The comparison in words, for operators without a symbol.
    words: Callable[[str, tuple[Scalar, ...]], str] | None = None
    #: The lowering when it is not the primitive test of the same name (``negate`` pushes a
    #: ``not`` into the tests: three-valued, so a negated test needs a known value).
    lower_with: Callable[[Any, bool], Lowered] | None = None

    def __attrs_post_init__(self) -> None:
        if self.lower_with is None and self.name not in HOLDS:
            raise ValueError(f"operator {self.name!r} is no primitive test: give its lower_with")
        if (self.symbol is None) == (self.words is None):
            raise ValueError(f"operator {self.name!r}: give either a symbol or words")

    @property
    def takes_list(self) -> bool:
        """The operand is a list in the rule file (and a tuple in the model)."""
        return self.operand in ("values", "range")

    def problem(self, operand: Any) -> tuple[str, str] | None:
        """(code, message) when ``operand`` is not how this operator's operand is written."""
        name = self.name
        if self.takes_list:
            if not isinstance(operand, list) or not operand or any(
                isinstance(v, list | dict) or v is None for v in operand
            ):
                return "condition", (f"'{name}:' takes a non-empty list of values "
                                     f"(got {operand!r:.60})")
            if self.operand == "range":
                if len(operand) != 2 or not all(_is_number(v) for v in operand):
                    return "condition", (f"'{name}:' takes two numbers [low, high] "
                                         f"(got {operand!r:.60})")
                if operand[0] > operand[1]:
                    return "empty-range", (f"{name} [{operand[0]}, {operand[1]}] can never "
                                           "hold; write the smaller bound first")
            return None
        if self.operand == "bound" and not _is_number(operand):
            return "type-mismatch", f"'{name}:' compares numbers (got {operand!r:.60})"
        if isinstance(operand, list | dict) or operand is None:
            return "condition", f"'{name}:' takes a single value (got {operand!r:.60})"
        return None

    def operand_of(self, raw: Any) -> Operand:
        """The model's operand for a written one that passed :meth:`problem`."""
        if self.takes_list:
            return tuple(_scalar(v) for v in raw)
        return _scalar(raw)

    def describe(self, observation: str, operand: Operand) -> str:
        """The comparison as a coach would read it."""
        if self.words is not None:
            assert isinstance(operand, tuple)
            return self.words(observation, operand)
        assert self.symbol is not None and not isinstance(operand, tuple)
        return f"{observation} {self.symbol} {show_value(operand)}"

    def lower(self, operand: Any, negate: bool) -> Lowered:
        """The comparison as alternatives of primitive tests, negated when ``negate``."""
        if self.lower_with is not None:
            return self.lower_with(operand, negate)
        op: TestOp = self.name  # type: ignore[assignment]  # a primitive of the same name
        return [((COMPLEMENT[op] if negate else op, operand),)]


def _one_of(observation: str, values: tuple[Scalar, ...]) -> str:
    return f"{observation} is one of {', '.join(show_value(v) for v in values)}"


def _between(observation: str, bounds: tuple[Scalar, ...]) -> str:
    lo, hi = bounds
    return f"{observation} between {show_value(lo)} and {show_value(hi)}"


def _lower_in(operand: Any, negate: bool) -> Lowered:
    # One value listed (perhaps repeated) is an equality: the engine matches it directly.
    if isinstance(operand, tuple) and len(set(operand)) == 1:
        return [(("ne" if negate else "eq", operand[0]),)]
    return [(("nin" if negate else "in", operand),)]


def _lower_between(operand: Any, negate: bool) -> Lowered:
    lo, hi = operand
    if negate:
        return [(("lt", lo),), (("gt", hi),)]
    return [(("ge", lo), ("le", hi))]


def spec_of(name: Operator) -> OperatorSpec:
    """The operator named ``name`` (exhaustive: a name without a case is a mypy error)."""
    match name:
        case "eq":
            return OperatorSpec("eq", "value", "equality", symbol="=")
        case "ne":
            return OperatorSpec("ne", "value", "equality", symbol="≠")
        case "in":
            return OperatorSpec("in", "values", "membership", words=_one_of, lower_with=_lower_in)
        case "lt":
            return OperatorSpec("lt", "bound", "order", symbol="<")
        case "le":
            return OperatorSpec("le", "bound", "order", symbol="≤")
        case "gt":
            return OperatorSpec("gt", "bound", "order", symbol=">")
        case "ge":
            return OperatorSpec("ge", "bound", "order", symbol="≥")
        case "between":
            return OperatorSpec("between", "range", "order", words=_between,
                                lower_with=_lower_between)
        case _:
            assert_never(name)


#: The operators in the order messages list them.
NAMES: tuple[Operator, ...] = get_args(Operator)
#: Each operator by name (read this; :func:`spec_of` builds it once).
OPERATORS: Mapping[Operator, OperatorSpec] = {name: spec_of(name) for name in NAMES}
assert all(spec.name == name for name, spec in OPERATORS.items()), "filed under its name"
#: Spellings authors bring from other languages and rule engines.
ALIASES: Mapping[str, Operator] = {
    "gte": "ge", ">=": "ge", "lte": "le", "<=": "le", ">": "gt", "<": "lt", "==": "eq",
    "=": "eq", "equals": "eq", "is": "eq", "!=": "ne", "neq": "ne", "not": "ne",
    "one_of": "in", "range": "between",
}
