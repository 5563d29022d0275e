"""Safe YAML reading that keeps where every value came from.

Plain ``yaml.safe_load`` forgets positions, silently keeps the last of two duplicate keys
and expands aliases without limit. Here the parser's *events* are composed into nodes by a
small iterative composer that checks every limit as it goes (tags, depth, values after
alias expansion, string length), so a hostile file is refused after reading only as much
of it as it takes to exceed a limit, with no recursion and no alias ever expanded. The
nodes are then converted to plain Python values together with a map from each value's
path inside the document to its 1-based line and column. PyYAML marks are 0-based; they
are converted once, here.

libyaml (bundled with PyYAML's wheels) is used when present: the pure-Python scanner is
about fifty times slower, which matters for the time a file at the size limit takes.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import attrs
import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
    StreamStartEvent,
)
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

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters YAML does not allow in a document (C0/C1 controls other than tab, newline
# and carriage return; lone surrogates; the two non-characters). Checked before parsing so
# that the error is located the same way with and without libyaml.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _positive(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Limits.{attribute.name} must be a positive int, got {value!r}")


@attrs.frozen
class Limits:
    """Bounds on what one rule file may contain; each is checked while the file is read.

    The defaults are generous for hand-written rules (the largest bundled file is 47 kB
    and 2,500 values, about 50 bytes a value) and keep the worst case of a hostile file
    to a fraction of a second and about 20 MB: reading costs about 5 to 10 microseconds
    a value, so ``max_nodes`` bounds the time a file can take.

    Attributes:
        max_bytes: largest file accepted, in bytes (only this much is ever read).
        max_depth: deepest nesting of mappings and lists.
        max_nodes: most values, counting every alias as the values it stands for
            (stops "billion laughs").
        max_string: longest single string or number, in characters.
    """

    max_bytes: int = attrs.field(default=1_000_000, validator=_positive)
    max_depth: int = attrs.field(default=64, validator=_positive)
    max_nodes: int = attrs.field(default=50_000, validator=_positive)
    max_string: int = attrs.field(default=20_000, validator=_positive)


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
    def __init__(self, where: Node | Event | None, code: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.code = code
        self.message = message


def _position(where: Node | Event | None) -> tuple[int, int]:
    mark = getattr(where, "start_mark", None)
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def format_yaml_path(path: YamlPath) -> str:
    """``('rules', 3, 'when')`` as ``rules[3].when``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _tag_refusal(where: Node | Event, tag: str) -> _Refusal:
    return _Refusal(
        where,
        "yaml-tag",
        f"tag {tag!r} is not allowed in a rule file "
        "(only plain strings, numbers, booleans, null, mappings and lists; "
        "quote the value if it is meant as text)",
    )


class _EmptyScalarMark:
    """Where PyYAML's own parser places an empty value: just after its ``:``.

    libyaml places it at the next token instead (``{a: }`` at the ``}``, ``a:`` at the
    next key's line). Messages about a missing value are located the PyYAML way whichever
    parser read the file, so that a rule author sees the same place either way.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def __call__(self, mark: Any) -> Any:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        if mark.line >= len(self.starts):
            return mark
        index = self.starts[mark.line] + mark.column
        # Walk back over the blank gap only: no copy of the text, so many empty values in
        # a large file cost no more than the file's length.
        i = index
        while i > 0 and self.text[i - 1] in " \t\r\n":
            i -= 1
        if i == 0 or self.text[i - 1] != ":":
            return mark
        line = mark.line - self.text.count("\n", i, index)
        column = i - (self.text.rfind("\n", 0, i) + 1)
        return yaml.Mark(mark.name, i, line, column, None, None)  # type: ignore[arg-type]


def _compose(loader: Any, limits: Limits,
             empty_mark: _EmptyScalarMark | None = None) -> Node | None:
    """Build the single document's node graph from parser events, checking every limit.

    Iterative, so nesting cannot exhaust the stack; aliases are never expanded, only
    counted: ``sizes`` holds how many values each finished node stands for. ``loader`` is
    a PyYAML loader (C or Python), whose event API the type stubs do not describe.
    """
    loader.get_event()  # StreamStartEvent (guaranteed by the parser)
    if loader.check_event(StreamEndEvent):
        return None
    loader.get_event()  # DocumentStartEvent
    anchors: dict[str, Node] = {}
    sizes: dict[int, int] = {}
    # Open collections: the node, the key awaiting its value (mappings), its own size so far.
    stack: list[list[Any]] = []
    total = 0
    root: Node | None = None
    # Plain scalars repeat a lot (true, false, ids); resolving their tag is a regex match.
    resolved: dict[tuple[str, Any], str] = {}

    def attach(node: Node, size: int, event: Event) -> None:
        nonlocal total, root
        total += size
        if total > limits.max_nodes:
            raise _Refusal(
                event, "yaml-too-large",
                f"document expands to more than {limits.max_nodes} values (aliases "
                "included); split it or raise Limits.max_nodes",
            )
        if not stack:
            root = node
            return
        frame = stack[-1]
        frame[2] += size
        parent = frame[0]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif frame[1] is None:
            frame[1] = node
        else:
            parent.value.append((frame[1], node))
            frame[1] = None

    while True:
        event: Any = loader.get_event()
        if type(event) is ScalarEvent:  # by far the most common event
            tag = event.tag
            if tag is None or tag == "!":
                key = (event.value, event.implicit)
                tag = resolved.get(key) if len(event.value) < 100 else None
                if tag is None:
                    tag = loader.resolve(ScalarNode, event.value, event.implicit)
                    if len(event.value) < 100 and len(resolved) < 10_000:
                        resolved[key] = tag
            if tag == "tag:yaml.org,2002:merge":
                raise _Refusal(event, "yaml-tag", "merge keys ('<<') are not allowed; "
                               "write the keys out")
            if tag not in _ALLOWED_TAGS:
                raise _tag_refusal(event, tag)
            if event.style == '"' and _SURROGATE.search(event.value):
                raise _Refusal(event, "yaml-encoding",
                               "a \\u escape in this string makes half of a UTF-16 pair, "
                               "which is not text; write the character itself")
            if len(event.value) > limits.max_string:
                raise _Refusal(
                    event, "yaml-string-too-long",
                    f"string of {len(event.value)} characters; at most {limits.max_string} "
                    "(raise Limits.max_string)",
                )
            start: Any = event.start_mark  # a C or a Python mark; the stubs know one
            if empty_mark is not None and not event.value and not event.style:
                start = empty_mark(start)
            node: Node = ScalarNode(tag, event.value, start, start, style=event.style)
            if event.anchor is not None:
                anchors[event.anchor] = node
            sizes[id(node)] = 1
            attach(node, 1, event)
        elif isinstance(event, AliasEvent):
            anchor: Any = event.anchor
            target = anchors.get(anchor)
            if target is None:
                raise _Refusal(event, "yaml-syntax", f"alias *{event.anchor} refers to no anchor")
            if id(target) not in sizes:  # still open: the alias is inside its own anchor
                raise _Refusal(event, "yaml-alias",
                               f"alias *{event.anchor} refers to a value that contains it")
            attach(target, sizes[id(target)], event)
        elif isinstance(event, CollectionStartEvent):
            is_map = isinstance(event, MappingStartEvent)
            kind = MappingNode if is_map else SequenceNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            if tag not in _ALLOWED_TAGS:
                raise _tag_refusal(event, tag)
            if len(stack) >= limits.max_depth:
                raise _Refusal(event, "yaml-too-deep",
                               f"nesting deeper than {limits.max_depth} levels "
                               "(raise Limits.max_depth)")
            start = event.start_mark
            node = kind(tag, [], start, None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = node
            attach(node, 1, event)
            stack.append([node, None, 1])
        elif isinstance(event, SequenceEndEvent | MappingEndEvent):
            closed, _, size = stack.pop()
            closed.end_mark = event.end_mark
            sizes[id(closed)] = size
            if stack:
                stack[-1][2] += size - 1  # the 1 was counted when the collection opened
        elif isinstance(event, DocumentEndEvent):
            break
        elif isinstance(event, StreamStartEvent | DocumentStartEvent | StreamEndEvent):
            # Unreachable: the parser guarantees one stream around one document.
            raise _Refusal(event, "yaml-syntax", "unexpected document structure")
    if not loader.check_event(StreamEndEvent):
        raise _Refusal(loader.peek_event(), "yaml-multiple-documents",
                       "a rule file holds one YAML document; remove the '---' or split the file")
    return root


#: The largest integer that is also a float (larger ones cannot be compared as numbers).
_LARGEST = int(sys.float_info.max)


class _Converter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.marks: dict[YamlPath, tuple[int, int]] = {}
        self.keys: dict[YamlPath, tuple[int, int]] = {}
        # Duplicate keys as (key node, message): reported, but reading goes on so that the
        # author sees every other problem of the file in the same pass.
        self.duplicates: list[tuple[Node, str]] = []
        self._scalars = yaml.SafeLoader("")

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            value = self._scalars.construct_object(node, deep=False)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            raise _Refusal(node, "yaml-value", f"cannot read {node.value[:40]!r}: {exc}") from None
        except (KeyError, IndexError):
            # PyYAML's constructors index into the text: `!!bool "maybe"`, `!!int ""`.
            tag = node.tag.rsplit(":", 1)[-1]
            raise _Refusal(node, "yaml-value",
                           f"cannot read {node.value[:40]!r} as !!{tag}") from None
        if type(value) is int and not -_LARGEST <= value <= _LARGEST:
            raise _Refusal(node, "yaml-value",
                           f"{node.value[:40]!r}... is too large a number (at most about 1.8e308)")
        if isinstance(value, float) and not math.isfinite(value):
            raise _Refusal(
                node, "yaml-value",
                f"{node.value[:40]!r} is not a finite number; rule files have no use for "
                "infinities or NaN (leave a bound out instead)",
            )
        return value

    def convert(self, node: Node, path: YamlPath, depth: int) -> Any:
        # Aliases can nest an anchor's values deeper than where it was written.
        if depth > self.limits.max_depth:
            raise _Refusal(node, "yaml-too-deep",
                           f"nesting deeper than {self.limits.max_depth} levels "
                           "(aliases included; raise Limits.max_depth)")
        self.marks.setdefault(path, _position(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Refusal(key_node, "yaml-key",
                               "mapping keys must be plain strings, not lists or mappings")
            key = self.scalar(key_node)
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
            self.marks[(*path, key)] = _position(value_node)
            result[key] = self.convert(value_node, (*path, key), depth + 1)
        return result


def _line_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


#: Syntax errors within this many characters from the start are re-read by PyYAML's parser
#: (pure Python, about 250 kB/s: this bounds the extra time to a fraction of a second).
_REPARSE_LIMIT = 64_000


def _parse(loader_class: type[yaml.SafeLoader], text: str, limits: Limits,
           empty_mark: _EmptyScalarMark | None) -> Node | None:
    loader = loader_class(text)
    try:
        return _compose(loader, limits, empty_mark)
    finally:
        loader.dispose()


def _prefix_length(text: str, exc: yaml.MarkedYAMLError) -> int:
    """How many characters precede the line of the error (bounded work: stops there)."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return 0
    return sum(len(part) + 1 for part in text.split("\n", mark.line)[: mark.line])


def read_yaml(raw: bytes, path: str, limits: Limits | None = None) -> Located | Problem:
    """Parse ``raw`` (the bytes of ``path``) into a :class:`Located`, or say what is wrong.

    Never raises for bad input: every failure comes back as one located :class:`Problem`.
    """
    limits = limits or Limits()

    def problem(line: int, column: int, code: str, message: str) -> Problem:
        return Problem(path, line, column, "error", code, message)

    if len(raw) > limits.max_bytes:
        return problem(
            1, 1, "yaml-too-large",
            f"file is {len(raw)} bytes or more; at most {limits.max_bytes} "
            "(raise Limits.max_bytes)",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        return problem(1, 1, "yaml-bom",
                       "file starts with a byte-order mark; save it as UTF-8 without BOM")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem(1, 1, "yaml-encoding", "file is UTF-16; save it as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        column = len(before.decode("utf-8", "replace")) + 1
        return problem(
            line, column, "yaml-encoding",
            f"byte {raw[exc.start]:#04x} is not UTF-8; save the file as UTF-8"
        )
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, column = _line_column(text, bad.start())
        what = "a NUL character; is it a text file?" if bad.group() == "\x00" else (
            f"the control character {bad.group()!r}, which YAML does not allow")
        return problem(line, column, "yaml-encoding", f"file contains {what}")
    fast = _LOADER is not yaml.SafeLoader
    try:
        try:
            root = _parse(_LOADER, text, limits, _EmptyScalarMark(text) if fast else None)
        except yaml.MarkedYAMLError as exc:
            if not fast or _prefix_length(text, exc) > _REPARSE_LIMIT:
                raise
            # libyaml words syntax errors differently, often places them a token later and
            # refuses a few things PyYAML reads ({p :}); a file it cannot read is read again
            # by PyYAML's own parser, so that results never depend on how PyYAML was built.
            root = _parse(yaml.SafeLoader, text, limits, None)
    except _Refusal as exc:
        line, column = _position(exc.where)
        return problem(line, column, exc.code, exc.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            where = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
            where = where.removeprefix("a ").removeprefix("an ")
            what += (f" (in the {where} that starts at line {exc.context_mark.line + 1}, "
                     f"column {exc.context_mark.column + 1})")
        lines = text.split("\n", line)
        if "\t" in what or "tab" in what or (
                mark and len(lines) >= line and "\t" in lines[line - 1][: mark.column + 1]):
            what += " (indent with spaces, not tabs)"
        elif "flow mapping" in (exc.context or "") and "but got '?'" in what:
            # `{question: Why?}`: inside braces, '?' starts a key, so the text must be quoted.
            what += "; if the '?' is part of a text inside braces, quote the text: 'Why?'"
        return problem(line, column, "yaml-syntax", f"YAML syntax error: {what}")
    except yaml.YAMLError as exc:
        return problem(1, 1, "yaml-syntax", f"YAML error: {exc}")
    if root is None:
        return problem(1, 1, "yaml-empty",
                       "file is empty; a rule file is a mapping with 'rules:' and friends")
    converter = _Converter(limits)
    try:
        data = converter.convert(root, (), 0)
    except _Refusal as exc:
        line, column = _position(exc.where)
        return problem(line, column, exc.code, exc.message)
    duplicates = tuple(
        problem(*_position(node), "yaml-duplicate-key", message)
        for node, message in converter.duplicates
    )
    return Located(data, converter.marks, converter.keys, duplicates)
