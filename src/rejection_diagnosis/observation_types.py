"""The observation types of a rule file, each defined once (the types' registry).

A type is one subclass of :class:`ObservationKind` with one instance in :data:`TYPES`:
which answers it allows and how they read in words, how a given value is checked, its
JSON Schema, how a typed or form answer is read, what a rule may compare it with and
what its phrases may set. Every module that treats types differently asks the type
(``TYPES[obs.type].choices(obs)``, ``.numeric``), never compares the type's name.

The capabilities a module reads instead of a name:

* :attr:`~ObservationKind.numeric`: the value is a number (a unit and a range, phrases
  with a slot that reads a number, answers ranked by order); otherwise the type has a
  finite list of :meth:`~ObservationKind.choices`;
* :attr:`~ObservationKind.supports`: what operators may test it (see :mod:`.operators`);
* :attr:`~ObservationKind.has_values`: it declares ``values:`` (and lists phrases per value);
* :attr:`~ObservationKind.flips`: the opposite of an answer is an answer (yes and no).

Adding a type: a name in :data:`ObservationType`, a subclass and its case in
:func:`kind_of` (which builds :data:`TYPES`), the ``observation`` definition of
``schema/ruleset.schema.json`` and the tables of docs/authoring.md and docs/rule-format.md
(``tests/test_registries.py`` checks that they agree). An abstract method left out is an
error when the instance is made, and a case left out of :func:`kind_of` is one for mypy.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, TypeAlias, assert_never, get_args

from ._values import Scalar, show_in_message, show_value
from .errors import did_you_mean
from .operators import OPERATORS, Need, Operand, Operator

__all__ = [
    "BOOLEAN",
    "NAMES",
    "TYPES",
    "Declared",
    "ObservationKind",
    "ObservationType",
    "Problem",
    "exact_number",
    "kind_named",
    "kind_of",
]

ObservationType = Literal["boolean", "number", "category"]
#: A problem a type finds: (code, message); the caller adds its location and prefix.
Problem: TypeAlias = tuple[str, str]


class Declared(Protocol):
    """What a type reads of an observation (:class:`.model.Observation` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> ObservationType: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def range(self) -> tuple[float, float] | None: ...
    @property
    def values(self) -> tuple[str, ...]: ...


def exact_number(raw: Any) -> float | None:
    """``raw`` as an exact, finite float, or None when it is not an int or a float."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        # The base class's conversion: a subclass's own __float__ is not consulted.
        number = float.__float__(raw) if isinstance(raw, float) else int.__float__(raw)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _each(operand: Operand) -> tuple[Scalar, ...]:
    return operand if isinstance(operand, tuple) else (operand,)


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").replace("_", " ").split())


def _unit(obs: Declared) -> str:
    return f" ({obs.unit})" if obs.unit else ""


_YES = frozenset({"y", "yes", "true", "t", "1", "oui", "yep", "yeah"})
_NO = frozenset({"n", "no", "false", "f", "0", "non", "nope"})


class ObservationKind(abc.ABC):
    """One observation type: everything the library does differently for it."""

    name: ClassVar[ObservationType]
    #: The value is a number: a unit and a range, slots in phrases, ordered answers.
    numeric: ClassVar[bool]
    #: The needs of the operators that may test it (:attr:`.operators.OperatorSpec.needs`).
    supports: ClassVar[frozenset[Need]]
    #: It declares ``values:``, and lists its phrases per value.
    has_values: ClassVar[bool] = False
    #: The opposite of an answer is an answer: a negated phrase sets it, what-if flips it,
    #: and a checklist ticks it.
    flips: ClassVar[bool] = False
    #: What a phrase sets when it does not say.
    default_phrase_value: ClassVar[Scalar | None] = None
    #: An answer may be several words (a value printed with spaces).
    spaced_answers: ClassVar[bool] = False

    def tests_with(self, op: Operator) -> bool:
        """Whether operator ``op`` may test an observation of this type."""
        return OPERATORS[op].needs in self.supports

    @abc.abstractmethod
    def allowed(self, obs: Declared) -> str:
        """The allowed answers in words, for messages and prompts."""

    @abc.abstractmethod
    def choices(self, obs: Declared) -> tuple[Scalar, ...]:
        """Every answer, in order; empty for a numeric type (its answers are open)."""

    @abc.abstractmethod
    def answer_words(self, obs: Declared) -> tuple[str, ...]:
        """The :meth:`choices` as a person reads them (``form email``); empty when open."""

    @abc.abstractmethod
    def value(self, obs: Declared, raw: Any) -> bool | float | str | None:
        """``raw`` as an exact built-in value of this type, or None when it is not one."""

    @abc.abstractmethod
    def json_schema(self, obs: Declared) -> dict[str, Any]:
        """The JSON Schema of a plain value."""

    @abc.abstractmethod
    def example(self, obs: Declared) -> str:
        """A value as written in a case file, for help texts."""

    @abc.abstractmethod
    def form_value(self, obs: Declared, text: str) -> bool | float | str | None:
        """A web form's answer (a stripped string) as a value, or None when it is not one."""

    @abc.abstractmethod
    def read_answer(self, obs: Declared, words: Sequence[str]) -> tuple[Scalar | None, str]:
        """A typed answer (its words, a certainty already taken off) as (value, ""), or
        (None, why it is no answer) ending with what would be one."""

    @abc.abstractmethod
    def expected(self, obs: Declared) -> str:
        """What a typed answer may be, for "please answer with ..."."""

    @abc.abstractmethod
    def answer_example(self, obs: Declared) -> str:
        """A typed answer, for "(e.g. '... 0.7')"."""

    @abc.abstractmethod
    def operand_problems(self, obs: Declared, op: Operator,
                         operand: Operand) -> Iterator[Problem]:
        """Why a rule's ``obs <op> operand`` cannot apply to this type."""

    @abc.abstractmethod
    def phrase_value_problems(self, obs: Declared, value: Scalar | None,
                              said: str) -> Iterator[Problem]:
        """Why a phrase without a slot cannot set ``value`` (numeric types are checked by
        validation's number rules)."""

    @abc.abstractmethod
    def also_problems(self, obs: Declared, value: Scalar, said: str) -> Iterator[Problem]:
        """Why a phrase's ``also:`` cannot give ``obs`` the ``value``."""


class Boolean(ObservationKind):
    """Yes or no."""

    name = "boolean"
    numeric = False
    supports = frozenset({"equality"})
    flips = True
    default_phrase_value = True

    def allowed(self, obs: Declared) -> str:
        return "true or false"

    def choices(self, obs: Declared) -> tuple[Scalar, ...]:
        return (True, False)

    def answer_words(self, obs: Declared) -> tuple[str, ...]:
        return ("yes", "no")

    def value(self, obs: Declared, raw: Any) -> bool | None:
        return raw if isinstance(raw, bool) else None

    def json_schema(self, obs: Declared) -> dict[str, Any]:
        return {"type": "boolean"}

    def example(self, obs: Declared) -> str:
        return "true"

    def form_value(self, obs: Declared, text: str) -> bool | None:
        return text == "true" if text in ("true", "false") else None

    def read_answer(self, obs: Declared, words: Sequence[str]) -> tuple[Scalar | None, str]:
        word = " ".join(words)
        lowered = word.lower()
        if len(words) == 1 and lowered in _YES:
            return True, ""
        if len(words) == 1 and lowered in _NO:
            return False, ""
        return None, f"{word!r} is not an answer to this question; answer yes or no"

    def expected(self, obs: Declared) -> str:
        return "yes or no"

    def answer_example(self, obs: Declared) -> str:
        return "yes"

    def operand_problems(self, obs: Declared, op: Operator,
                         operand: Operand) -> Iterator[Problem]:
        if not self.tests_with(op) or not all(isinstance(v, bool) for v in _each(operand)):
            yield "type-mismatch", (f"{obs.id!r} is a boolean observation; compare it with true "
                                    f"or false (got {op} {show_in_message(operand)})")

    def phrase_value_problems(self, obs: Declared, value: Scalar | None,
                              said: str) -> Iterator[Problem]:
        if not isinstance(value, bool):
            yield "type-mismatch", (f"{said}: {obs.id!r} is a boolean; 'value:' is true or "
                                    f"false (got {show_in_message(value)})")

    def also_problems(self, obs: Declared, value: Scalar, said: str) -> Iterator[Problem]:
        if not isinstance(value, bool):
            yield "type-mismatch", (f"{said}: 'also:' gives {obs.id!r}, a boolean, "
                                    f"{show_in_message(value)}; use true or false")


class Number(ObservationKind):
    """A finite number, within the observation's ``range`` when it has one."""

    name = "number"
    numeric = True
    supports = frozenset({"equality", "membership", "order"})

    def allowed(self, obs: Declared) -> str:
        if obs.range is not None:
            lo, hi = obs.range
            return f"a number from {lo:g} to {hi:g}" + _unit(obs)
        return "a number" + _unit(obs)

    def choices(self, obs: Declared) -> tuple[Scalar, ...]:
        return ()

    def answer_words(self, obs: Declared) -> tuple[str, ...]:
        return ()

    def _inside(self, obs: Declared, number: float) -> bool:
        return obs.range is None or obs.range[0] <= number <= obs.range[1]

    def value(self, obs: Declared, raw: Any) -> float | None:
        number = exact_number(raw)
        if number is None or (obs.range is not None
                              and not obs.range[0] <= number <= obs.range[1]):
            return None
        return number

    def json_schema(self, obs: Declared) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if obs.range is not None:
            schema["minimum"], schema["maximum"] = obs.range
        return schema

    def example(self, obs: Declared) -> str:
        return show_value(float(obs.range[0])) if obs.range is not None else "0"

    def form_value(self, obs: Declared, text: str) -> float | None:
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None

    def read_answer(self, obs: Declared, words: Sequence[str]) -> tuple[Scalar | None, str]:
        if len(words) != 1:
            return None, f"please answer with {self.expected(obs)}"
        word = words[0]
        try:
            number = float(word)
        except ValueError:
            return None, f"{word!r} is not a number; answer {self.expected(obs)}"
        if not math.isfinite(number) or not self._inside(obs, number):
            return None, f"{word} is out of range; answer {self.expected(obs)}"
        return number, ""

    def expected(self, obs: Declared) -> str:
        return self.allowed(obs)

    def answer_example(self, obs: Declared) -> str:
        return f"{obs.range[0]:g}" if obs.range is not None else "3"

    def operand_problems(self, obs: Declared, op: Operator,
                         operand: Operand) -> Iterator[Problem]:
        operands = _each(operand)
        wrong = [v for v in operands if not isinstance(v, float)]
        if wrong:
            yield "type-mismatch", (f"{obs.id!r} is a number observation; {show_in_message(wrong[0])} is "
                                    "not a number")
        elif obs.range is not None and OPERATORS[op].needs != "order":
            # An order test outside the range is lint's (it may never or always hold).
            lo, hi = obs.range
            outside = [v for v in operands if isinstance(v, float) and not lo <= v <= hi]
            if outside:
                yield "value-out-of-range", (f"{show_in_message(outside[0])} is outside the range "
                                             f"[{lo:g}, {hi:g}] of {obs.id!r}")

    def phrase_value_problems(self, obs: Declared, value: Scalar | None,
                              said: str) -> Iterator[Problem]:
        return iter(())

    def also_problems(self, obs: Declared, value: Scalar, said: str) -> Iterator[Problem]:
        if isinstance(value, bool) or not isinstance(value, float):
            yield "type-mismatch", f"{said}: 'also:' gives {obs.id!r}, a number, {show_in_message(value)}"
        elif not self._inside(obs, value):
            assert obs.range is not None
            lo, hi = obs.range
            yield "value-out-of-range", (f"{said}: 'also:' gives {obs.id!r} {show_in_message(value)}, "
                                         f"outside its range [{lo:g}, {hi:g}]")


class Category(ObservationKind):
    """One of the observation's declared ``values``."""

    name = "category"
    numeric = False
    supports = frozenset({"equality", "membership"})
    has_values = True
    spaced_answers = True

    def allowed(self, obs: Declared) -> str:
        return "one of " + ", ".join(repr(v) for v in obs.values)

    def choices(self, obs: Declared) -> tuple[Scalar, ...]:
        return tuple(obs.values)

    def answer_words(self, obs: Declared) -> tuple[str, ...]:
        return tuple(v.replace("_", " ") for v in obs.values)

    def value(self, obs: Declared, raw: Any) -> str | None:
        if not isinstance(raw, str) or len(raw) > 200:
            return None
        text = str.__str__(raw)
        return text if text in obs.values else None

    def json_schema(self, obs: Declared) -> dict[str, Any]:
        return {"type": "string", "enum": list(obs.values)}

    def example(self, obs: Declared) -> str:
        return obs.values[0]

    def form_value(self, obs: Declared, text: str) -> str | None:
        return text if text in obs.values else None

    def find(self, obs: Declared, words: Sequence[str]) -> str | None:
        """The value ``words`` name: as printed, its id, a unique prefix or its number."""
        key = _key(" ".join(words))
        exact = [v for v in obs.values if v == key]
        if exact:
            return exact[0]
        matches = [v for v in obs.values if v.startswith(key)]
        if len(matches) == 1:
            return matches[0]
        if key.isdigit() and 1 <= int(key) <= len(obs.values):
            return obs.values[int(key) - 1]
        return None

    def read_answer(self, obs: Declared, words: Sequence[str]) -> tuple[Scalar | None, str]:
        found = self.find(obs, words)
        if found is not None:
            return found, ""
        word = " ".join(words)
        key = _key(word)
        matches = [v for v in obs.values if v.startswith(key)]
        hint = f" (could be {' or '.join(matches)})" if matches else ""
        return None, f"{word!r} is not one of the answers{hint}; answer {self.expected(obs)}"

    def expected(self, obs: Declared) -> str:
        return "one of " + ", ".join(self.answer_words(obs))

    def answer_example(self, obs: Declared) -> str:
        return obs.values[0]

    def operand_problems(self, obs: Declared, op: Operator,
                         operand: Operand) -> Iterator[Problem]:
        if not self.tests_with(op):
            yield "type-mismatch", (f"{obs.id!r} is a category; use a value, 'ne:' or 'in:' "
                                    f"(got {op})")
            return
        for v in _each(operand):
            if not isinstance(v, str) or v not in obs.values:
                # YAML 1.1 reads yes/no/on/off as booleans: the likely slip with categories.
                hint = (" (YAML reads unquoted yes/no/on/off/true/false as a boolean: quote "
                        "the value)" if isinstance(v, bool) else
                        did_you_mean(str(v), list(obs.values)))
                yield "unknown-category-value", (f"{show_in_message(v)!s} is not a value of {obs.id!r}"
                                                 f"{hint}; allowed: " + ", ".join(obs.values))

    def phrase_value_problems(self, obs: Declared, value: Scalar | None,
                              said: str) -> Iterator[Problem]:
        if isinstance(value, str) and value in obs.values:
            return
        if value is None:
            message = (f"{said}: say which value it sets, listing it under that value "
                       f"('phrases: {{{obs.values[0]}: [...]}}') or with 'value:'")
        else:
            message = (f"{said}: {show_in_message(value)} is not a value of {obs.id!r}"
                       f"{did_you_mean(str(value), list(obs.values))}; allowed: "
                       + ", ".join(obs.values))
        yield "unknown-category-value", message

    def also_problems(self, obs: Declared, value: Scalar, said: str) -> Iterator[Problem]:
        if value not in obs.values:
            yield "unknown-category-value", (
                f"{said}: 'also:' gives {obs.id!r} {show_in_message(value)}, not one of its values"
                + did_you_mean(str(value), list(obs.values)) + "; allowed: "
                + ", ".join(obs.values))


BOOLEAN = Boolean()
_NUMBER = Number()
_CATEGORY = Category()


def kind_of(name: ObservationType) -> ObservationKind:
    """The type named ``name`` (exhaustive: a name without a case is a mypy error)."""
    match name:
        case "boolean":
            return BOOLEAN
        case "number":
            return _NUMBER
        case "category":
            return _CATEGORY
        case _:
            assert_never(name)


#: The type names, in the order messages and schemas list them.
NAMES: tuple[ObservationType, ...] = get_args(ObservationType)
#: Each type by name (for hot paths: one dict lookup).
TYPES: Mapping[ObservationType, ObservationKind] = {name: kind_of(name) for name in NAMES}
assert all(kind.name == name for name, kind in TYPES.items()), "a type is filed under its name"


def kind_named(name: object) -> ObservationKind | None:
    """The type a rule file names, or None when ``name`` names none (not yet validated)."""
    return TYPES.get(name) if isinstance(name, str) else None  # type: ignore[call-overload]
