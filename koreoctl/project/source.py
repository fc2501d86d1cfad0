"""YAML text → SourceDoc values that remember where every node came from (the only ruamel user).

Documents are composed with ruamel's C parser (libyaml via ``ruamel.yaml.clib``; the pure
parser is used when the C one is missing) and built into plain Python data here, while each
node's position is recorded under its path, so any later stage can ask
``SourceDoc.span_of(("spec", "steps", 0, "ref"))`` and point at ``file:line:col``.

Plain scalars are resolved exactly as PyYAML resolves them (the loader behind the reference
engine, and YAML 1.1 like kubectl's): ``yes``/``on`` are booleans but ``y``/``n`` are strings,
``0777`` is octal, a float needs a dot and a signed exponent (``1e5`` and ``1.0e5`` stay
strings), ``2024-01-01`` is a date. A repeated key keeps its last value, in its first place
(reported as a warning). Problems become diagnostics, never exceptions:
syntax errors at their position, text that is not UTF-8, binary or huge files, alias bombs and
nesting too deep to be a Koreo program.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.project.layout import read_bounded

YamlPath = tuple[str | int, ...]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 200
MAX_NODES = 250_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class PyYamlResolver(BaseResolver):
    """YAML 1.1 implicit types with PyYAML's patterns (ruamel's own 1.1 set differs)."""

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        super().__init__(loadumper=loadumper)

    @property
    def processing_version(self) -> tuple[int, int]:
        return (1, 1)


PyYamlResolver.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    (
        "bool",
        r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        "yYnNtTfFoO",
    ),
    (
        "float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "int",
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+
        |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    ("null", r"^(?: ~ |null|Null|NULL | )$", ["~", "n", "N", ""]),
    (
        "timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
):
    PyYamlResolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern, re.X), list(_first)
    )


Where = tuple[int, int, int | None, int | None]  # line, column, end line, end column


class NodeInfo:
    """Where one node sits: its value's span, its key's span (in a mapping), its style.

    Positions are kept as plain tuples and made into ``Span`` values only when asked for:
    a file has a position for every node, and few of them are ever shown.
    """

    __slots__ = ("file", "key_where", "style", "where")

    def __init__(
        self, file: str, where: Where, key_where: Where | None = None, style: str | None = None
    ) -> None:
        self.file = file
        self.where = where
        self.key_where = key_where
        self.style = style

    @property
    def span(self) -> Span:
        return Span(self.file, *self.where)

    @property
    def key_span(self) -> Span | None:
        return None if self.key_where is None else Span(self.file, *self.key_where)


@dataclass(frozen=True)
class SourceDoc:
    """One YAML document: its plain data plus the position of every node in it."""

    file: str
    index: int
    data: Any
    nodes: Mapping[YamlPath, NodeInfo] = field(repr=False, compare=False)
    lines: tuple[str, ...] = field(repr=False, compare=False, default=())

    @property
    def span(self) -> Span:
        """The span of the whole document."""
        return self.span_of(())

    def span_of(self, path: YamlPath) -> Span:
        """The span of the value at ``path``, or of its nearest recorded ancestor."""
        return self._nearest(path).span

    def key_span_of(self, path: YamlPath) -> Span:
        """The span of the mapping key that holds ``path`` (the value's span if none)."""
        info = self._nearest(path)
        return info.key_span or info.span

    def style_of(self, path: YamlPath) -> str | None:
        """The scalar style at ``path``: None (plain), ``'"'``, ``"'"``, ``"|"`` or ``">"``."""
        info = self.nodes.get(path)
        return info.style if info else None

    def point_in_scalar(self, path: YamlPath, offset: int) -> Span:
        """The file position of character ``offset`` of the string scalar at ``path``.

        Exact for plain and quoted scalars on one line and for literal block scalars;
        otherwise the scalar's start.
        """
        info = self.nodes.get(path)
        if info is None:
            return self.span_of(path)
        start = info.span
        if info.style in (None, "", '"', "'"):
            if start.end_line in (None, start.line):
                if info.style in ('"', "'") and start.line <= len(self.lines):
                    line = self.lines[start.line - 1]
                    return Span(start.file, start.line, _quoted_col(line, start.col, offset))
                return Span(start.file, start.line, start.col + offset)
            return start
        if info.style == "|":
            return self._point_in_literal_block(start, offset)
        return start

    def _point_in_literal_block(self, start: Span, offset: int) -> Span:
        # The block's content starts on the line after its indicator.
        first = start.line  # 1-based line of the indicator == 0-based index of content
        if first >= len(self.lines):
            return start
        indent = len(self.lines[first]) - len(self.lines[first].lstrip(" "))
        remaining = offset
        for number in range(first, min(len(self.lines), (start.end_line or first) + 1)):
            text = self.lines[number][indent:]
            if remaining <= len(text):
                return Span(start.file, number + 1, indent + remaining + 1)
            remaining -= len(text) + 1
        return start

    def _nearest(self, path: YamlPath) -> NodeInfo:
        for cut in range(len(path), -1, -1):
            info = self.nodes.get(path[:cut])
            if info is not None:
                return info
        return NodeInfo(self.file, (1, 1, None, None))


def _quoted_col(line: str, quote_col: int, offset: int) -> int:
    """The 1-based column of character ``offset`` of the value of the quoted scalar that
    opens at ``quote_col``: an escape (``\\n``, ``\\u00e9``, ``''``) is several columns."""
    quote = line[quote_col - 1 : quote_col]
    index = quote_col  # 0-based index of the first character after the quote
    for _ in range(offset):
        if quote == '"' and line.startswith("\\", index):
            index += {"x": 4, "u": 6, "U": 10}.get(line[index + 1 : index + 2], 2)
        elif quote == "'" and line.startswith("''", index):
            index += 2
        else:
            index += 1
    return index + 1


@dataclass(frozen=True)
class LoadedFile:
    """Every document of one file, and what went wrong reading it."""

    file: str
    docs: tuple[SourceDoc, ...]
    diagnostics: tuple[Diagnostic, ...]
    lines: tuple[str, ...] = ()  # the text, when it could be read (even if not parsed)
    digest: str | None = None  # content_digest of the bytes read, when the file was read


def content_digest(raw: bytes) -> str:
    """The digest that identifies one version of a file's bytes (to notice a later change)."""
    return hashlib.sha256(raw).hexdigest()


def read_file(path: Path, display: str | None = None) -> LoadedFile:
    """Read and parse ``path``; ``display`` is the name used in spans (default: the path)."""
    name = display if display is not None else str(path)
    try:
        raw = read_bounded(path, MAX_FILE_BYTES + 1)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return _failed(name, "P003", f"cannot read file: {reason}")
    if raw is None:
        return _failed(name, "P003", "not a regular file (a device, pipe or socket); not read")
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return _failed(name, "P005", f"file is larger than {limit} MiB; not loaded")
    if b"\x00" in raw:
        return _failed(name, "P005", "binary file (contains NUL bytes); not loaded")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        before = raw[raw.rfind(b"\n", 0, err.start) + 1 : err.start].removeprefix(b"\xef\xbb\xbf")
        col = len(before.decode("utf-8", errors="replace")) + 1  # characters, like YAML marks
        message = f"file is not UTF-8 text: byte 0x{raw[err.start]:02x} is not UTF-8"
        return LoadedFile(name, (), (Diagnostic("P004", message, Span(name, line, col)),))
    return replace(parse_text(text, name), digest=content_digest(raw))


def parse_text(text: str, file: str) -> LoadedFile:
    """Parse every YAML document in ``text``; documents before a syntax error are kept."""
    if too_deep := _deep_nesting(text, file):
        return LoadedFile(file, (), (too_deep,), tuple(text.split("\n")))
    yaml = _new_yaml()
    lines = tuple(text.split("\n"))
    docs: list[SourceDoc] = []
    diagnostics: list[Diagnostic] = []
    try:
        for index, root in enumerate(yaml.compose_all(text)):
            if root is None:
                continue
            builder = _Builder(file, yaml.constructor)
            data = builder.build(root)
            diagnostics.extend(builder.diagnostics)
            docs.append(SourceDoc(file, index, data, builder.nodes, lines))
    except MarkedYAMLError as err:
        diagnostics.append(_syntax_error(file, err, lines))
    except YAMLError as err:
        diagnostics.append(Diagnostic("Y001", f"YAML error: {_one_line(str(err))}", Span(file)))
    except RecursionError:
        diagnostics.append(Diagnostic("Y004", "YAML nesting is too deep to load", Span(file, 1, 1)))
    return LoadedFile(file, tuple(docs), tuple(diagnostics), lines)


def _deep_nesting(text: str, file: str) -> Diagnostic | None:
    """Refuse absurd nesting before libyaml sees it: its C composer recurses per level and
    crashes the process somewhere past tens of thousands of levels.

    One linear pass bounds the depth from above: open block levels (an indentation stack,
    with ``- ``/``? `` indicators that open compact nested collections on one line) plus
    open flow brackets (counted everywhere, quotes included). The bound may overcount, so
    the limit is far above anything a real document needs; the exact depth is checked
    (lower) while building.
    """
    brackets = text.count("[") + text.count("{")
    if text.count("\n") + text.count("- ") + brackets <= _MAX_SCANNED_DEPTH:
        return None  # cannot be that deep: skip the scan
    # Each block level is indented further than its parent, except a sequence under a
    # mapping key, which may share the key's column: at most two levels per column of a
    # line's indentation (with its leading "- " and "? " indicators), plus the brackets.
    widest = max(map(len, _LINE_INDENT.findall(text)), default=0)
    if 2 * widest + brackets + 2 <= _MAX_SCANNED_DEPTH:
        return None
    levels: list[int] = []  # the columns of the open block levels
    brackets = 0
    for number, line in enumerate(text.split("\n"), start=1):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if brackets == 0:
            column = len(line) - len(content)
            while levels and levels[-1] >= column:
                levels.pop()
            levels.append(column)
            while content[:2] in ("- ", "? "):
                column += 2
                levels.append(column)
                content = content[2:].lstrip(" ")
                if len(levels) > _MAX_SCANNED_DEPTH:
                    break
        for char in content:
            if char in "[{":
                brackets += 1
                if len(levels) + brackets > _MAX_SCANNED_DEPTH:
                    break
            elif char in "]}":
                brackets = max(brackets - 1, 0)
        if len(levels) + brackets > _MAX_SCANNED_DEPTH:
            return Diagnostic("Y004", _TOO_DEEP, Span(file, number, 1))
    return None


_MAX_SCANNED_DEPTH = 1000
_LINE_INDENT = re.compile(r"^[ \t]*(?:[-?:][ \t]+)*", re.MULTILINE)
_TOO_DEEP = f"YAML nesting deeper than {_MAX_SCANNED_DEPTH} levels; not loaded"


def _new_yaml() -> YAML:
    # A fresh instance per parse: ruamel keeps per-instance state (no global constructors).
    yaml = YAML(typ="safe")
    yaml.Resolver = PyYamlResolver
    yaml.allow_duplicate_keys = True
    return yaml


def _failed(file: str, code: str, message: str) -> LoadedFile:
    return LoadedFile(file, (), (Diagnostic(code, message, Span(file, 1, 1)),))


def _syntax_error(file: str, err: MarkedYAMLError, lines: tuple[str, ...]) -> Diagnostic:
    mark = err.problem_mark or err.context_mark
    problem = _named_character(err.problem or err.context or "syntax error", mark, lines)
    if err.context and err.problem:
        context = err.context
        start = err.context_mark
        if (
            start is not None
            and mark is not None
            and (start.line, start.column)
            != (
                mark.line,
                mark.column,
            )
        ):
            context = f"{context} that starts at {start.line + 1}:{start.column + 1}"
        problem = f"{problem} ({context})"
    span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
    return Diagnostic("Y001", f"YAML syntax error: {_one_line(problem)}", span)


def _named_character(problem: str, mark: Any, lines: tuple[str, ...]) -> str:
    """libyaml's "found character that cannot start any token", with the character named
    (a tab, the most common one, with what to do about it)."""
    if "found character that cannot start any token" not in problem or mark is None:
        return problem
    line = lines[mark.line] if mark.line < len(lines) else ""
    char = line[mark.column] if mark.column < len(line) else ""
    if char == "\t":
        return "found a tab, which cannot start any token: YAML indents with spaces only"
    if char:
        return problem.replace("found character", f"found character {char!r}")
    return problem


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _span(file: str, node: Node) -> Span:
    return Span(file, *_where(node))


def _where(node: Node) -> Where:
    start, end = node.start_mark, node.end_mark
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Builder:
    """Builds plain data from a composed node tree and records every node's position."""

    def __init__(self, file: str, constructor: Any) -> None:
        self.file = file
        self.constructor = constructor
        self.nodes: dict[YamlPath, NodeInfo] = {}
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.too_big = False

    def build(self, root: Node) -> Any:
        return self._value(root, (), None, 0)

    def _value(self, node: Node, path: YamlPath, key_where: Where | None, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            self._report_too_big(node, depth)
            return None
        style = getattr(node, "style", None) if isinstance(node, ScalarNode) else None
        self.nodes[path] = NodeInfo(self.file, _where(node), key_where, style)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [
                self._value(item, (*path, index), None, depth + 1)
                for index, item in enumerate(node.value)
            ]
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: YamlPath, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        seen: dict[Any, Where] = {}
        for key_node, value_node in node.value:
            if _tag_of(key_node) == _MERGE_TAG:
                merged.update(self._merge_source(value_node, path, depth))
                continue
            key = self._key(key_node)
            key_where = _where(key_node)
            if key in seen:
                first = seen[key][0]
                self.diagnostics.append(
                    Diagnostic(
                        "Y002",
                        f"duplicate key {key!r} (first at line {first}); the last one is used",
                        Span(self.file, *key_where),
                        Severity.WARNING,
                    )
                )
            seen[key] = key_where
            result[key] = self._value(value_node, (*path, _path_key(key)), key_where, depth + 1)
        if merged:
            return {**{k: v for k, v in merged.items() if k not in result}, **result}
        return result

    def _merge_source(self, node: Node, path: YamlPath, depth: int) -> dict[Any, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[Any, Any] = {}
        for source in reversed(sources):
            value = self._value(source, path, None, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def _key(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            key = self._scalar(node)
            if isinstance(key, dict | list):
                return str(key)
            return key
        # A complex key (a mapping or sequence as a key): unusual; keep it as text.
        return f"<{type(node).__name__} at line {node.start_mark.line + 1}>"

    def _scalar(self, node: Node) -> Any:
        if _tag_of(node) == _STR_TAG:
            return node.value  # most scalars; the constructor would return the same text
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = self.constructor.construct_object(node, deep=True)
        return value

    def _report_too_big(self, node: Node, depth: int) -> None:
        if self.too_big:
            return
        self.too_big = True
        reason = (
            f"YAML nesting deeper than {MAX_DEPTH} levels"
            if depth > MAX_DEPTH
            else f"YAML expands to more than {MAX_NODES} nodes (an alias bomb?)"
        )
        self.diagnostics.append(Diagnostic("Y004", f"{reason}; not loaded", _span(self.file, node)))


def _tag_of(node: Node) -> str | None:
    """``node.tag``, without its cost for the tags the resolver gave (most of them): ruamel
    builds the text anew on each access, and a large file has hundreds of thousands."""
    tag: Any = node.ctag
    suffix = getattr(tag, "suffix", None)
    if getattr(tag, "handle", None) is None and isinstance(suffix, str) and "%" not in suffix:
        return suffix
    return node.tag


def _path_key(key: Any) -> str | int:
    return key if isinstance(key, str) else str(key)


def iter_paths(data: Any, prefix: YamlPath = ()) -> Iterator[tuple[YamlPath, Any]]:
    """Every (path, value) in ``data``, depth-first in document order, the root first."""
    yield prefix, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*prefix, _path_key(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*prefix, index))
