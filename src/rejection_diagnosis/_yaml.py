"""Safe YAML reading that keeps where every value came from.

Plain ``yaml.safe_load`` forgets positions, silently keeps the last of two duplicate keys
and expands aliases without limit. Here the document is *composed* into nodes, checked
(tags, duplicate keys, depth, size, alias expansion) and converted to plain Python values
together with a map from each value's path inside the document to its 1-based line and
column. PyYAML marks are 0-based; they are converted once, here.
"""

from __future__ import annotations

from typing import Any

import attrs
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

__all__ = ["Limits", "Located", "YamlPath", "read_yaml"]

YamlPath = tuple[str | int, ...]

# The only tags a rule file may use; everything else (python objects, timestamps, binary,
# sets) is refused so that nothing in a rule file can run code or surprise the loader.
_ALLOWED_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
    }
)


@attrs.frozen
class Limits:
    """Bounds on what one rule file may contain; all are checked before any value is built.

    Attributes:
        max_bytes: largest file accepted.
        max_depth: deepest nesting of mappings and lists.
        max_nodes: most values after aliases are expanded (stops "billion laughs").
        max_string: longest single string.
    """

    max_bytes: int = 2_000_000
    max_depth: int = 64
    max_nodes: int = 200_000
    max_string: int = 20_000


@attrs.frozen
class Located:
    """A YAML document as plain values, with the position of every value by its path."""

    data: Any
    marks: dict[YamlPath, tuple[int, int]]
    #: Position of the *key* of each mapping entry (``marks`` holds its value's position).
    keys: dict[YamlPath, tuple[int, int]] = attrs.field(factory=dict)
    #: Problems that did not stop the reading (duplicate keys: the first one is kept).
    problems: tuple[Problem, ...] = ()

    def mark(self, path: YamlPath) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def key_mark(self, path: YamlPath) -> tuple[int, int]:
        """The position of the key that names ``path``, else :meth:`mark`."""
        return self.keys.get(path) or self.mark(path)


class _Refusal(Exception):
    def __init__(self, node: Node | None, code: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.code = code
        self.message = message


def _position(node: Node | None) -> tuple[int, int]:
    if node is None:
        return (1, 1)
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def format_yaml_path(path: YamlPath) -> str:
    """``('rules', 3, 'when')`` as ``rules[3].when``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Converter:
    def __init__(self, limits: Limits, text: str = "") -> None:
        self.limits = limits
        self.text = text
        self.count = 0
        self.marks: dict[YamlPath, tuple[int, int]] = {}
        self.keys: dict[YamlPath, tuple[int, int]] = {}
        # Duplicate keys as (key node, message): reported, but reading goes on so that the
        # author sees every other problem of the file in the same pass.
        self.duplicates: list[tuple[Node, str]] = []
        self._scalars = yaml.SafeLoader("")

    def _value_position(self, key_node: Node, value_node: Node) -> tuple[int, int]:
        # An empty value in a flow mapping (`{reposted: }`): libyaml marks it at the next
        # token, PyYAML's own parser just after the colon. Report PyYAML's place whichever
        # parser ran, so that positions never depend on how PyYAML was built.
        start, end = value_node.start_mark, value_node.end_mark
        if (isinstance(value_node, ScalarNode) and value_node.value == "" and start.index == end.index
                and self.text):
            colon = self.text.find(":", key_node.end_mark.index, start.index)
            if colon != -1 and "\n" not in self.text[colon:start.index]:
                return (start.line + 1, start.column + 1 - (start.index - colon - 1))
        return _position(value_node)

    def convert(self, node: Node, path: YamlPath, depth: int) -> Any:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise _Refusal(
                node,
                "yaml-too-large",
                f"document expands to more than {self.limits.max_nodes} values "
                "(aliases included); split it or raise Limits.max_nodes",
            )
        if depth > self.limits.max_depth:
            raise _Refusal(
                node,
                "yaml-too-deep",
                f"nesting deeper than {self.limits.max_depth} levels",
            )
        if node.tag not in _ALLOWED_TAGS:
            raise _Refusal(
                node,
                "yaml-tag",
                f"tag {node.tag!r} is not allowed in a rule file "
                "(only plain strings, numbers, booleans, null, mappings and lists; "
                "quote the value if it is meant as text)",
            )
        self.marks.setdefault(path, _position(node))
        if isinstance(node, ScalarNode):
            if len(node.value) > self.limits.max_string:
                raise _Refusal(
                    node,
                    "yaml-string-too-long",
                    f"string of {len(node.value)} characters; at most {self.limits.max_string}",
                )
            return self._scalars.construct_object(node, deep=False)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Refusal(key_node, "yaml-tag", "merge keys ('<<') are not allowed")
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                    raise _Refusal(key_node, "yaml-key", "mapping keys must be plain strings")
                key = self._scalars.construct_object(key_node, deep=False)
                if not isinstance(key, str):
                    key = str(key_node.value)
                if key in result:
                    first = self.keys.get((*path, key), (0, 0))
                    self.duplicates.append((
                        key_node,
                        f"duplicate key {key!r} (first at line {first[0]}, column {first[1]}); "
                        "plain YAML would silently keep only the last one: remove or rename one",
                    ))
                    continue
                self.keys[(*path, key)] = _position(key_node)
                self.marks[(*path, key)] = self._value_position(key_node, value_node)
                result[key] = self.convert(value_node, (*path, key), depth + 1)
            return result
        raise _Refusal(node, "yaml-syntax", "unsupported YAML node")  # pragma: no cover


# libyaml's parser (when PyYAML was built with it) composes the same nodes with the same
# marks about ten times faster than the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> Node | None:
    try:
        return _compose_with(_LOADER, text)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
    # A broken file: PyYAML's own parser words the error and places it (libyaml's wording
    # and marks differ), so messages never depend on how PyYAML was built.
    return _compose_with(yaml.SafeLoader, text)


def _compose_with(cls: Any, text: str) -> Node | None:
    loader = cls(text)
    try:
        root: Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return root


def read_yaml(raw: bytes, path: str, limits: Limits | None = None) -> Located | Problem:
    """Parse ``raw`` (the bytes of ``path``) into a :class:`Located`, or say what is wrong.

    Never raises for bad input: every failure comes back as one located :class:`Problem`.
    """
    limits = limits or Limits()

    def problem(line: int, column: int, code: str, message: str) -> Problem:
        return Problem(path, line, column, "error", code, message)

    if len(raw) > limits.max_bytes:
        return problem(
            1, 1, "yaml-too-large", f"file is {len(raw)} bytes; at most {limits.max_bytes}"
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        return problem(1, 1, "yaml-bom",
                       "file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return problem(
            line, column, "yaml-encoding",
            f"byte {raw[exc.start]:#04x} is not UTF-8; save the file as UTF-8",
        )
    if "\x00" in text:
        return problem(1, 1, "yaml-encoding", "file contains a NUL character; is it a text file?")
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            where = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
            where = where.removeprefix("a ").removeprefix("an ")
            what += (f" (in the {where} that starts at line {exc.context_mark.line + 1}, "
                     f"column {exc.context_mark.column + 1})")
        if "\t" in what or "\\t" in what or "tab" in what:
            what += " (indent with spaces, not tabs)"
        return problem(line, column, "yaml-syntax", f"YAML syntax error: {what}")
    except yaml.YAMLError as exc:
        return problem(1, 1, "yaml-syntax", f"YAML error: {exc}")
    except RecursionError:
        return problem(1, 1, "yaml-too-deep", f"nesting deeper than {limits.max_depth} levels")
    if root is None:
        return problem(1, 1, "yaml-empty",
                       "file is empty; a rule file is a mapping with 'rules:' and friends")
    converter = _Converter(limits, text)
    try:
        data = converter.convert(root, (), 0)
    except _Refusal as exc:
        line, column = _position(exc.node)
        return problem(line, column, exc.code, exc.message)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        return problem(1, 1, "yaml-syntax", f"YAML value error: {exc}")
    except RecursionError:
        return problem(1, 1, "yaml-too-deep", f"nesting deeper than {limits.max_depth} levels")
    duplicates = tuple(
        problem(*_position(node), "yaml-duplicate-key", message)
        for node, message in converter.duplicates
    )
    return Located(data, converter.marks, converter.keys, duplicates)
