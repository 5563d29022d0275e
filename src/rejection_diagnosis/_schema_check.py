"""A fast yes/no check of a rule file against the published JSON Schema.

``jsonschema`` takes longer to import than everything else a cold load does, and most rule
files are valid. This module answers only "valid or not?" for the keywords the schema
uses, following JSON Schema 2020-12 (the same schema document, so there is no second
source of truth). A valid file is then never shown to ``jsonschema``; a file that fails, or
a schema keyword this module does not know, goes to ``jsonschema`` as before, which words
the errors. So the messages never change, only the time the valid case takes.

``tests/test_schema_check.py`` holds it to ``jsonschema`` on both published schemas (rule
files and labelled-case files): on every YAML file of the repository, the broken and
hostile corpora included, and on generated documents. It still pays (2026-12, on the
bundled rules): a cold ``load_rules()`` takes 69 ms with it and 167 ms without (jsonschema
is then imported), and the schema step of the bundled files 16 ms against 50 ms warm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._caches import cached

__all__ = ["UNKNOWN", "is_valid"]

#: Returned when the schema uses a keyword this module does not implement.
UNKNOWN = None

# Keywords that never affect validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default",
                          "examples", "$defs", "definitions"})


class _Unknown(Exception):
    """The schema uses a keyword this module does not implement."""


@cached("schema_check.regex", maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if name == "number":
        return True
    if name == "integer":
        return isinstance(value, int) or value.is_integer()
    raise _Unknown(name)


def _equal(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, 1 is 1.0, containers compare member by member.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return bool(a == b) and (isinstance(a, str) == isinstance(b, str))


def _valid(value: Any, schema: Any) -> bool:
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    if not isinstance(schema, Mapping):
        raise _Unknown(repr(schema))
    for keyword, arg in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type":
            names = arg if isinstance(arg, list) else [arg]
            if not any(_is_type(value, n) for n in names):
                return False
        elif keyword == "enum":
            if not any(_equal(value, option) for option in arg):
                return False
        elif keyword == "const":
            if not _equal(value, arg):
                return False
        elif keyword in ("properties", "additionalProperties", "required", "minProperties",
                         "maxProperties", "propertyNames"):
            if isinstance(value, dict) and not _valid_object(value, keyword, arg, schema):
                return False
        elif keyword in ("items", "minItems", "maxItems", "uniqueItems"):
            if isinstance(value, list) and not _valid_array(value, keyword, arg):
                return False
        elif keyword in ("pattern", "minLength", "maxLength"):
            if isinstance(value, str) and not _valid_string(value, keyword, arg):
                return False
        elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if _is_type(value, "number") and not _valid_number(value, keyword, arg):
                return False
        elif keyword == "allOf":
            if not all(_valid(value, s) for s in arg):
                return False
        elif keyword == "anyOf":
            if not any(_valid(value, s) for s in arg):
                return False
        elif keyword == "oneOf":
            if sum(1 for s in arg if _valid(value, s)) != 1:
                return False
        elif keyword == "not":
            if _valid(value, arg):
                return False
        elif keyword == "if":
            branch = "then" if _valid(value, arg) else "else"
            if branch in schema and not _valid(value, schema[branch]):
                return False
        elif keyword in ("then", "else"):
            continue  # applied with "if"
        else:
            raise _Unknown(keyword)
    return True


def _valid_object(value: dict[str, Any], keyword: str, arg: Any,
                  schema: Mapping[str, Any]) -> bool:
    if keyword == "properties":
        return all(_valid(value[k], s) for k, s in arg.items() if k in value)
    if keyword == "additionalProperties":
        if "patternProperties" in schema:
            raise _Unknown("patternProperties")
        known = schema.get("properties", {})
        return all(_valid(v, arg) for k, v in value.items() if k not in known)
    if keyword == "required":
        return all(k in value for k in arg)
    if keyword == "minProperties":
        return len(value) >= int(arg)
    if keyword == "maxProperties":
        return len(value) <= int(arg)
    return all(_valid(k, arg) for k in value)  # propertyNames


def _valid_array(value: list[Any], keyword: str, arg: Any) -> bool:
    if keyword == "items":
        if isinstance(arg, list):
            raise _Unknown("items as a list")
        return all(_valid(v, arg) for v in value)
    if keyword == "minItems":
        return len(value) >= int(arg)
    if keyword == "maxItems":
        return len(value) <= int(arg)
    if not arg:  # uniqueItems: false
        return True
    return all(not _equal(value[i], value[j])
               for i in range(len(value)) for j in range(i + 1, len(value)))


def _valid_string(value: str, keyword: str, arg: Any) -> bool:
    if keyword == "pattern":
        return _regex(arg).search(value) is not None
    if keyword == "minLength":
        return len(value) >= int(arg)
    return len(value) <= int(arg)


def _valid_number(value: float, keyword: str, arg: Any) -> bool:
    if keyword == "minimum":
        return bool(value >= arg)
    if keyword == "maximum":
        return bool(value <= arg)
    if keyword == "exclusiveMinimum":
        return bool(value > arg)
    return bool(value < arg)


def is_valid(instance: Any, schema: Mapping[str, Any]) -> bool | None:
    """True or False as JSON Schema 2020-12 says, or :data:`UNKNOWN` for keywords (or a
    ``$ref``) this module does not implement; the schema must have its references inlined."""
    try:
        return _valid(instance, schema)
    except (_Unknown, RecursionError):
        return UNKNOWN
