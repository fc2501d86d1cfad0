"""Rewriting values in YAML files in place, every other byte kept (a ruamel user).

``apply_edits(path, edits)`` sets the value at each ``Edit``'s path in one file. ruamel
composes the file (node positions) and renders each new value (its round-trip representer,
block style, quoting as needed), but the file is never re-dumped as a whole: ruamel's
round-trip dump re-indents sequences and normalises spacing everywhere. Instead the new text
is spliced into the old, and as little of it as possible: inside a mapping only the keys
that change are rewritten, so comments, quoting, order and formatting of everything else,
other documents included, stay byte-identical.

A new value is plain YAML: block style, keys in the order given, the file's own indentation,
and a string quoted whenever a YAML 1.1 or 1.2 reader (PyYAML, kubectl) could take it for
another type. Before anything is written the new text is loaded again and must hold exactly
the old data with the edits applied; any surprise (an anchor, a merge key, an odd layout)
refuses the file instead. A refused file is not touched; a changed file is written
atomically, and only when its text changed.
"""

from __future__ import annotations

import copy
import io
import itertools
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import LiteralScalarString

from koreoctl.diagnostics import Severity
from koreoctl.fileio import replace_atomically
from koreoctl.project.source import PyYamlResolver, YamlPath, content_digest, parse_text
from koreoctl.project.yamldump import CautiousResolver, float_text

__all__ = ["Edit", "EditResult", "apply_edits", "rewrite_document", "same_data"]


@dataclass(frozen=True)
class Edit:
    """Set the value at ``path`` (from the document's root) in document ``document_index``
    (0-based, counting every ``---`` document of the file) to ``value`` (plain data)."""

    document_index: int
    path: YamlPath
    value: Any


@dataclass(frozen=True)
class EditResult:
    """What ``apply_edits`` did to one file: ``changed`` when it rewrote it, else why not."""

    file: str
    edits: int
    changed: bool = False
    refusal: str | None = None


class _Refused(Exception):
    """Why a file is left alone (internal: caught in ``apply_edits``)."""


class _Changed(_Refused):
    """The edited text would not hold the data it should."""


def apply_edits(
    path: Path, edits: Sequence[Edit], *, digest: str | None = None, display: str | None = None
) -> EditResult:
    """Apply every edit to ``path``, all or nothing.

    ``digest`` is the ``content_digest`` of the file when it was loaded: a file that has
    changed since is refused. ``display`` names the file in the result.
    """
    name = display if display is not None else str(path)
    try:
        raw = path.read_bytes()
        if digest is not None and content_digest(raw) != digest:
            raise _Refused("it changed since koreoctl loaded it; run the tests again")
        text = _decode(raw)
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        edited = bom + _edited_text(text.removeprefix(bom), edits)
        if edited == text:
            return EditResult(name, len(edits))
        _write(path, edited.encode("utf-8"), raw)
    except _Refused as refusal:
        return EditResult(name, len(edits), refusal=str(refusal))
    except OSError as error:
        return EditResult(name, len(edits), refusal=f"cannot access it: {_reason(error)}")
    return EditResult(name, len(edits), changed=True)


def _edited_text(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with every edit applied (raises ``_Refused``)."""
    before = _load(text, "the file has YAML errors; fix them first")
    roots, keys = _compose(text)
    _check_disjoint(edits)
    try:
        return _edited(text, edits, before, roots, keys, blocks=True)
    except _Changed:
        # A `|` block takes in a comment line indented under it: quote multi-line strings.
        return _edited(text, edits, before, roots, keys, blocks=False)


def _edited(
    text: str,
    edits: Sequence[Edit],
    before: dict[int, Any],
    roots: list[Node | None],
    keys: _Keys,
    *,
    blocks: bool,
) -> str:
    splices: list[_Splice] = []
    for edit in edits:
        if not edit.path:
            raise _Refused("an edit must name a value inside the document, not the whole of it")
        root = roots[edit.document_index] if 0 <= edit.document_index < len(roots) else None
        if root is None or edit.document_index not in before:
            raise _Refused(f"it has no document {edit.document_index + 1}")
        walker = _Walker(text, keys, root, before[edit.document_index])
        slot, node, old = walker.walk(edit.path)
        # The layout nearest the value wins: its own, then its siblings', then the document's.
        style = _Style.of(text, node, *reversed(walker.ancestors))
        differ = _Differ(text, keys, style, blocks)
        differ.diff(slot, node, old, edit.value)
        splices.extend(differ.splices)
    edited = _spliced(text, splices)
    _verify(edited, before, edits)
    return edited


def rewrite_document(text: str, new: Any) -> str:
    """The text of one YAML document (maybe with its ``---`` line and comments) holding
    ``new`` instead of its data, rewritten as little as possible: in a block mapping only the
    keys whose values change are written anew (recursively), so comments, quoting and key
    order elsewhere stay byte-identical. A document that cannot be edited that way (not a
    block mapping, anchors, odd layouts) is written anew as a whole, after its leading comment
    lines. Raises ``ValueError`` when ``text`` is not exactly one valid YAML document.
    """
    try:
        before = _load(text, "the document has YAML errors")
        roots, keys = _compose(text)
    except _Refused as refusal:
        raise ValueError(str(refusal)) from refusal
    present = [(index, root) for index, root in enumerate(roots) if root is not None]
    if len(present) != 1 or present[0][0] not in before:
        raise ValueError("not exactly one YAML document")
    index, root = present[0]
    old = before[index]
    if same_data(old, new):
        return text
    if isinstance(root, MappingNode) and _own_block(root) and isinstance(new, dict) and new:
        style = _Style.of(text, root)
        for blocks in (True, False):
            differ = _Differ(text, keys, style, blocks)
            try:
                if not differ._diff_map(root, old, new):
                    break
                edited = _spliced(text, differ.splices)
                after = _load(edited, "")
            except _Refused:
                break
            if len(after) == 1 and same_data(next(iter(after.values())), new):
                return edited
    return _written_anew(text, root, new)


def _written_anew(text: str, root: Node, new: Any) -> str:
    """The document's leading lines (``---``, comments) and ``new`` as block YAML."""
    head = text[: _Text(text).line_start(root.start_mark.index)]
    style = _Style.of(text, root)
    differ = _Differ(text, _Keys(None), style, blocks=True)
    lines = differ._dump({"_": new})
    if isinstance(new, dict | list) and new:
        cut = style.step if isinstance(new, dict) else style.offset
        body = "\n".join(line[cut:] for line in lines[1:])
    else:
        body = lines[0][3:]
    return head + body.rstrip("\n") + style.newline


def same_data(a: Any, b: Any) -> bool:
    """Whether two plain values are equal as koreoctl compares them: maps whatever their key
    order, numbers by value (``1 == 1.0``), booleans never equal to numbers, nor strings to
    anything else."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_data(a[key], b[key]) for key in a)
        )
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(map(same_data, a, b))
        )
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and bool not in (type(a), type(b)):
        return a == b
    return type(a) is type(b) and a == b


# --- reading and writing ---------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Refused("it is not UTF-8 text") from error


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _write(path: Path, data: bytes, loaded: bytes) -> None:
    """Replace the file (the target of a symlink) with ``data`` via a temporary file in its
    folder, keeping its permissions, unless it changed while it was being edited."""
    target = path.resolve()
    if target.read_bytes() != loaded:
        raise _Refused("it changed while it was being edited; nothing written")
    replace_atomically(target, data, mode=stat.S_IMODE(target.stat().st_mode))


def _load(text: str, problem: str) -> dict[int, Any]:
    """Every document's data as koreoctl reads it, by document index."""
    loaded = parse_text(text, "<edit>")
    if any(d.severity is Severity.ERROR for d in loaded.diagnostics):
        raise _Refused(problem)
    return {doc.index: doc.data for doc in loaded.docs}


class _Keys:
    """Reads a mapping key's node as koreoctl does (the composer's types, PyYAML's rules)."""

    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor

    def data(self, key: Node) -> Any:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE:
            return _Unknown(key.start_mark.index)
        if key.tag == _STR:
            return key.value
        value = self.constructor.construct_object(key, deep=True)
        return str(value) if isinstance(value, dict | list) else value


def _compose(text: str) -> tuple[list[Node | None], _Keys]:
    # The pure parser: its marks' ``index`` counts characters of ``text``.
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = PyYamlResolver
    try:
        roots = list(yaml.compose_all(text))
    except YAMLError as error:
        raise _Refused("the file has YAML errors; fix them first") from error
    return roots, _Keys(yaml.constructor)


def _check_disjoint(edits: Sequence[Edit]) -> None:
    for index, edit in enumerate(edits):
        for other in edits[index + 1 :]:
            shorter = min(len(edit.path), len(other.path))
            if (
                edit.document_index == other.document_index
                and edit.path[:shorter] == other.path[:shorter]
            ):
                where = _dotted(edit.path[:shorter])
                raise _Refused(
                    f"two edits overlap at {where} in document {edit.document_index + 1}"
                )


def _verify(edited: str, before: dict[int, Any], edits: Sequence[Edit]) -> None:
    """The edited text must load as the old data with exactly the edits applied."""
    try:
        after = _load(edited, "")
    except _Refused as error:
        raise _Changed("editing it would not give valid YAML; edit it by hand") from error
    expected = copy.deepcopy(before)
    for edit in edits:
        parent = expected[edit.document_index]
        for key in edit.path[:-1]:
            parent = parent[_data_key(parent, key)]
        parent[_data_key(parent, edit.path[-1])] = copy.deepcopy(edit.value)
    if after.keys() != expected.keys() or not all(
        same_data(after[index], expected[index]) for index in expected
    ):
        raise _Changed(
            "editing it would change other values too (a YAML anchor, alias or merge key?); "
            "edit it by hand"
        )


def _data_key(data: Any, key: str | int) -> Any:
    """The key of ``data`` that the path element ``key`` names (paths spell keys as text)."""
    if isinstance(data, dict) and key not in data:
        return next((k for k in data if not isinstance(k, str) and str(k) == key), key)
    return key


def _dotted(path: YamlPath) -> str:
    text = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path)
    return text.removeprefix(".")


# --- finding the value -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """Where a value sits: just after its indicator (``key:`` or ``-``) at column ``col``."""

    after: int
    col: int
    dash: bool


class _Text:
    """Positions in the text: lines, indicators, where a node's content ends."""

    def __init__(self, text: str) -> None:
        self.text = text

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """The end of the line holding ``index``, before its line break."""
        end = self.text.find("\n", index)
        end = len(self.text) if end < 0 else end
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def next_line(self, index: int) -> int:
        """The start of the line after the one holding ``index``."""
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def at_line_start(self, index: int) -> bool:
        return not self.text[self.line_start(index) : index].strip()

    def key_slot(self, key: Node) -> _Slot:
        index = key.end_mark.index
        while index < len(self.text) and self.text[index] in " \t":
            index += 1
        if not isinstance(key, ScalarNode) or self.text[index : index + 1] != ":":
            raise _Refused(f"key at line {key.start_mark.line + 1} is too unusual to edit")
        return _Slot(index + 1, key.start_mark.column, dash=False)

    def item_slot(self, item: Node) -> _Slot:
        index = item.start_mark.index
        while index > 0 and self.text[index - 1] in " \t\r\n":
            index -= 1
        if self.text[index - 1 : index] != "-":
            raise _Refused(f"list item at line {item.start_mark.line + 1} is too unusual to edit")
        return _Slot(index, index - 1 - self.line_start(index - 1), dash=True)

    def end(self, node: Node, slot: _Slot) -> int:
        """Where the node's content ends (trailing comments and line breaks excluded)."""
        if _is_empty(node):  # its trailing spaces too, unless a comment follows them
            line = self.text[slot.after : self.line_end(slot.after)]
            blank = not line.strip()
            return slot.after + len(line) if blank else slot.after
        if isinstance(node, ScalarNode):
            end = int(node.end_mark.index)
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in "\r\n":
                    end -= 1
            return end
        if not _own_block(node) or not node.value:
            return int(node.end_mark.index)
        if isinstance(node, MappingNode):
            key, value = node.value[-1]
            return self.end(value, self.key_slot(key))
        last = node.value[-1]
        return self.end(last, self.item_slot(last))


class _Walker(_Text):
    """Follows a path down one document's nodes and data."""

    def __init__(self, text: str, keys: _Keys, root: Node, data: Any) -> None:
        super().__init__(text)
        self.keys = keys
        self.root = root
        self.data = data
        self.shared = _shared_nodes(root)

    def walk(self, path: YamlPath) -> tuple[_Slot, Node, Any]:
        """The value's slot, node and data; ``ancestors`` are the nodes above it."""
        node, data, slot = self.root, self.data, None
        self.ancestors: list[Node] = []
        for depth, key in enumerate(path):
            self.ancestors.append(node)
            missing = _Refused(f"it has no {_dotted(path[: depth + 1])}")
            if getattr(node, "flow_style", False):
                raise _Refused(f"{_dotted(path[:depth])} is written in flow style; edit it by hand")
            if isinstance(node, MappingNode) and isinstance(data, dict):
                found = [(k, v) for k, v in node.value if _path_key(self.keys.data(k)) == key]
                if not found or _data_key(data, key) not in data:
                    raise missing
                key_node, node = found[-1]
                slot, data = self.key_slot(key_node), data[_data_key(data, key)]
            elif isinstance(node, SequenceNode) and isinstance(data, list):
                if not isinstance(key, int) or not 0 <= key < len(node.value):
                    raise missing
                node, data = node.value[key], data[key]
                slot = self.item_slot(node)
            else:
                raise missing
            if id(node) in self.shared:
                raise _Refused(f"{_dotted(path[: depth + 1])} uses a YAML anchor or alias")
        assert slot is not None
        if any(id(inner) in self.shared for inner in _subtree(node)):
            raise _Refused(f"{_dotted(path)} uses a YAML anchor or alias")
        return slot, node, data


def _path_key(key: Any) -> str | int:
    return key if isinstance(key, str) else str(key)


def _is_empty(node: Node) -> bool:
    """A plain empty scalar (``key:`` with nothing after it): its marks point elsewhere."""
    return isinstance(node, ScalarNode) and node.style is None and node.value == ""


def _subtree(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _subtree(key)
            yield from _subtree(value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _subtree(item)


def _shared_nodes(root: Node) -> set[int]:
    """The ids of nodes that appear more than once (anchored and aliased)."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return shared


# --- writing the new value -------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """The file's layout that new text follows: its indentation step, where a list's ``-``
    sits under its key, and its line break."""

    step: int = 2
    offset: int = 2
    newline: str = "\n"

    @classmethod
    def of(cls, text: str, *nodes: Node) -> _Style:
        step = offset = None
        for node in nodes:
            for key, value in _block_pairs(node):
                if value.start_mark.line <= key.start_mark.line:
                    continue
                indent = value.start_mark.column - key.start_mark.column
                if step is None and isinstance(value, MappingNode) and indent > 0:
                    step = indent
                if offset is None and isinstance(value, SequenceNode) and indent >= 0:
                    offset = indent
        return cls(
            step=step or cls.step,
            offset=cls.offset if offset is None else offset,
            newline="\r\n" if "\r\n" in text else "\n",
        )


def _block_pairs(node: Node) -> Iterator[tuple[Node, Node]]:
    """Every (key, value) of the block mappings under ``node``, in document order."""
    for inner in _subtree(node):
        if isinstance(inner, MappingNode) and not inner.flow_style:
            yield from inner.value


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str


class _Differ(_Text):
    """The splices that turn the node's text into the new value's, changing as little as
    possible: unchanged values stay, a mapping changes key by key, a list of the same length
    item by item, and anything else is written anew."""

    def __init__(self, text: str, keys: _Keys, style: _Style, blocks: bool) -> None:
        super().__init__(text)
        self.keys = keys
        self.style = style
        self.blocks = blocks
        self.splices: list[_Splice] = []

    def diff(self, slot: _Slot, node: Node, old: Any, new: Any) -> None:
        if same_data(old, new):
            return
        block = _own_block(node)
        if isinstance(node, MappingNode) and block and isinstance(new, dict) and new:
            if self._diff_map(node, old, new):
                return
        elif isinstance(node, SequenceNode) and block and _same_length(node, new):
            for item, before, after in zip(node.value, old, new, strict=True):
                self.diff(self.item_slot(item), item, before, after)
            return
        lines = self._render(new)
        if isinstance(node, ScalarNode) and not _is_empty(node) and len(lines) == 1:
            self._splice(node.start_mark.index, self.end(node, slot), lines[0][3:])
            return
        self._replace(slot, node, new, lines)

    def _diff_map(self, node: MappingNode, old: dict[Any, Any], new: dict[Any, Any]) -> bool:
        """Edit a block mapping key by key; False when it must be written anew instead."""
        pairs = [(key, value, self.keys.data(key)) for key, value in node.value]
        keys = [data for _, _, data in pairs]
        kept = [pair for pair in pairs if pair[2] in new]
        dropped = [pair for pair in pairs if pair[2] not in new]
        if (
            len(set(keys)) != len(keys)
            or not kept
            or any(isinstance(data, _Unknown) for data in keys)
            or any(not self.at_line_start(key.start_mark.index) for key, _, _ in dropped)
        ):
            return False
        for key, value, data in kept:
            self.diff(self.key_slot(key), value, old[data], new[data])
        for key, value, _ in dropped:
            end = self.end(value, self.key_slot(key))
            self._splice(self.line_start(key.start_mark.index), self.next_line(end), "")
        self._insert(pairs, kept, [key for key in new if key not in keys], new)
        return True

    def _insert(
        self,
        pairs: list[tuple[Node, Node, Any]],
        kept: list[tuple[Node, Node, Any]],
        added: list[Any],
        new: dict[Any, Any],
    ) -> None:
        """Insert the new keys, each after the key that precedes it in ``new`` (the first
        ones before the first key kept)."""
        col = pairs[0][0].start_mark.column
        nodes = {data: (key, value) for key, value, data in pairs}
        groups: dict[Any, list[Any]] = {}
        previous: Any = _FIRST
        for key in new:
            if key in nodes:
                previous = key
            elif key in added:
                groups.setdefault(previous, []).append(key)
        newline, indent = self.style.newline, " " * col
        for after, group in groups.items():
            values = {key: new[key] for key in group}
            if after is _FIRST:
                first = kept[0][0].start_mark.index
                text = "".join(line + newline + indent for line in self._dump(values))
                self._splice(first, first, text)
            else:
                # At the start of the line after the key's value (after its own comment, and
                # after the lines of any of its keys that are removed).
                key, value = nodes[after]
                point = self.next_line(self.end(value, self.key_slot(key)))
                text = "".join(indent + line + newline for line in self._dump(values))
                if not self.text[:point].endswith("\n"):  # the last line, without a break
                    text = newline + text.removesuffix(newline)
                self._splice(point, point, text)

    def _replace(self, slot: _Slot, node: Node, new: Any, lines: list[str]) -> None:
        """Write ``new`` anew after its indicator: ``lines`` is it rendered as ``_: ...``."""
        rest, following = lines[0][2:], lines[1:]
        if _is_empty(node):
            self._fill(slot, rest, following)
            return
        start, end = node.start_mark.index, self.end(node, slot)
        if _ends_in_block(new):  # what follows on the old value's last line would join the block
            end = self.line_end(end)
        nested = bool(following) and not rest.strip()  # a block collection, not a scalar
        inner = _indent(following[0]) if following else 0
        if "#" in self.text[slot.after : start] and self.at_line_start(start):
            # A comment between the indicator and the value: keep it, write the value under it.
            col = node.start_mark.column
            if col < slot.col + (0 if isinstance(new, list) else 1):
                col = slot.col + (self.style.offset if isinstance(new, list) else self.style.step)
            if nested:
                text = " " * col + following.pop(0)[inner:] + self._lines(following, col - inner)
            else:
                text = " " * col + rest.lstrip() + self._lines(following, slot.col)
            self._splice(self.line_start(start), end, text)
        elif slot.dash and nested:  # compact: `- key: value` on the dash's line
            first = " " + following.pop(0)[inner:]
            self._splice(slot.after, end, first + self._lines(following, slot.col + 2 - inner))
        else:
            shift = slot.col
            same_kind = isinstance(node, MappingNode) == isinstance(new, dict)
            if nested and same_kind and _own_block(node) and self.at_line_start(start):
                shift = node.start_mark.column - inner  # keep the block's own indentation
            self._splice(slot.after, end, rest + self._lines(following, shift))

    def _fill(self, slot: _Slot, rest: str, following: list[str]) -> None:
        """Write a value where there was none (``key:`` or ``-`` alone, maybe a comment)."""
        point = self.line_end(slot.after)
        line = self.text[slot.after : point]
        spaces = point - len(line.lstrip(" \t"))
        comment = line.lstrip(" \t").startswith("#")
        nested = bool(following) and not rest.strip()
        inner = _indent(following[0]) if following else 0
        if nested and (comment or not slot.dash):  # the collection starts on the next line
            shift = slot.col + 2 if slot.dash else slot.col
            self._splice(point, point, self._lines(following, shift))
        elif nested:  # compact, on the dash's line
            first = " " + following.pop(0)[inner:]
            self._splice(slot.after, spaces, first + self._lines(following, slot.col + 2 - inner))
        else:  # a scalar, or a block's header, on the indicator's line; the block's lines below
            self._splice(slot.after, slot.after if comment else spaces, rest)
            if following:
                self._splice(point, point, self._lines(following, slot.col))

    def _lines(self, lines: list[str], shift: int) -> str:
        newline, indent = self.style.newline, " " * shift
        return "".join(newline + (indent + line if line else "") for line in lines)

    def _splice(self, start: int, end: int, text: str) -> None:
        self.splices.append(_Splice(start, end, text))

    def _render(self, value: Any) -> list[str]:
        """``value`` rendered as the value of a key ``_`` at column 0."""
        return self._dump({"_": value})

    def _dump(self, mapping: dict[Any, Any]) -> list[str]:
        """The mapping as block YAML lines (multi-line strings as ``|`` blocks if ``blocks``)."""
        yaml = YAML(typ="rt", pure=True)
        yaml.Resolver = CautiousResolver
        yaml.Representer = _Representer
        yaml.width = 1 << 30  # never fold a long line
        yaml.allow_unicode = True
        yaml.indent(
            mapping=self.style.step, sequence=self.style.offset + 2, offset=self.style.offset
        )
        buffer = io.StringIO()
        try:
            yaml.dump(_literal_blocks(mapping) if self.blocks else mapping, buffer)
        except YAMLError as error:
            raise _Refused(f"cannot write the new value as YAML: {error}") from error
        lines = buffer.getvalue().rstrip("\n").split("\n")
        return lines[:-1] if lines[-1] == "..." else lines  # after a trailing `|+` block


_FIRST = object()


@dataclass(frozen=True)
class _Unknown:
    """A key koreoctl cannot read back on its own: never equal to a new key."""

    at: int


def _ends_in_block(value: Any) -> bool:
    """Whether the text of ``value`` ends inside a ``|`` block (its last leaf is multi-line)."""
    while isinstance(value, dict | list) and value:
        value = list(value.values())[-1] if isinstance(value, dict) else value[-1]
    return isinstance(value, str) and "\n" in value.rstrip("\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _own_block(node: Node) -> bool:
    """Whether the node is a block mapping or sequence (not a scalar, not ``{...}``/``[...]``)."""
    return isinstance(node, MappingNode | SequenceNode) and not node.flow_style


def _same_length(node: SequenceNode, new: Any) -> bool:
    return isinstance(new, list) and len(new) == len(node.value)


def _spliced(text: str, splices: list[_Splice]) -> str:
    """``text`` with the splices made; insertions at one point keep the order they came in."""
    ordered = sorted(splices, key=lambda splice: (splice.start, splice.end))  # stable
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise _Refused("the edits overlap in the text; edit it by hand")
    for splice in reversed(ordered):
        text = text[: splice.start] + splice.text + text[splice.end :]
    return text


def _literal_blocks(value: Any) -> Any:
    """Multi-line strings as ``|`` blocks (ruamel falls back to quotes where it cannot)."""
    if isinstance(value, dict):
        return {key: _literal_blocks(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_literal_blocks(item) for item in value]
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return LiteralScalarString(value)
    return value


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class _Representer(RoundTripRepresenter):
    """Plain data the way koreoctl reads it back: ``null`` spelled out, floats with a dot."""


def _represent_none(representer: Any, data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _represent_float(representer: Any, data: float) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:float", float_text(data))


_Representer.add_representer(type(None), _represent_none)
_Representer.add_representer(float, _represent_float)
