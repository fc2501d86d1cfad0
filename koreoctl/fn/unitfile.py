"""Reading a unit's YAML text into a ``Unit`` and writing the changed unit back as text.

Reading keeps every value's position (``Resource.source_of``). Writing changes as few bytes
as possible: a document no function changed is copied byte for byte; in a changed document
a scalar replaced by a scalar is spliced into its place (its quoting kept where it can be);
any other change rewrites only the keys that changed (``yamledit.rewrite_document``), so
comments and key order survive; a deleted resource's document is dropped whole.

Documents are found in the text by their ``---`` lines: YAML forbids a document marker at
the start of a line inside any scalar, so the split is exact. Text before the first marker
that holds no content (comments, blank lines, directives) belongs to the first document.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from koreoctl.diagnostics import Severity
from koreoctl.errors import KoreoctlError
from koreoctl.fn.model import Change, Resource, Unit
from koreoctl.fn.paths import PathKey, get_at
from koreoctl.project.source import LoadedFile, SourceDoc, parse_text
from koreoctl.project.yamledit import rewrite_document

__all__ = ["UnitError", "UnitText", "collection_paused", "read_unit", "write_unit"]

_MARKER = re.compile(r"^---(?:[ \t]|$)")
_CONTENT = re.compile(r"^(?![ \t]*(?:#|$)|%)")  # a line that is not blank, comment, directive
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./:@+=-]*")
# Plain words a YAML 1.1 or 1.2 reader takes for another type, and text ending in ":".
_NOT_PLAIN = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null)|.*:")


class UnitError(KoreoctlError):
    """The unit cannot be read (not YAML, not resources) or written back: exit code 2."""


@dataclass(frozen=True)
class UnitText:
    """A unit as read: its text, the loaded file, and the text of each document by index."""

    file: str
    text: str
    loaded: LoadedFile
    chunks: tuple[str, ...]
    first_lines: tuple[int, ...]  # the 0-based line where each chunk starts
    resource_indexes: frozenset[int]  # the documents that hold a resource


def read_unit(text: str, file: str) -> tuple[Unit, UnitText]:
    """Parse ``text`` (a unit read from ``file``); raises ``UnitError`` for bad input."""
    loaded = _parsed(text, file)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise UnitError(f"{first.span}: {first.message} [{first.code}]")
    resources = []
    for doc in loaded.docs:
        if doc.data is None:
            continue  # an empty document (nothing, or only comments): kept as text
        if not isinstance(doc.data, dict):
            kind = "a list" if isinstance(doc.data, list) else "a scalar"
            raise UnitError(
                f"{doc.span}: document {doc.index + 1} is {kind}, not a Kubernetes resource "
                "(a mapping with apiVersion and kind) [F001]"
            )
        resources.append(Resource(doc.index, doc.data, doc))
    chunks, first_lines = _chunks(text)
    _check_alignment(loaded.docs, first_lines, len(chunks), file)
    indexes = frozenset(r.index for r in resources)
    return Unit(file, tuple(resources)), UnitText(
        file, text, loaded, tuple(chunks), tuple(first_lines), indexes
    )


def _parsed(text: str, file: str) -> LoadedFile:
    with collection_paused():
        return parse_text(text, file)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a large unit is hundreds of thousands of new
    objects, none of them garbage, which it would otherwise walk again and again (a fifth of
    the time). Reference counting still frees everything that is not in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(text: str) -> tuple[list[str], list[int]]:
    lines = text.splitlines(keepends=True)
    chunks: list[list[str]] = [[]]
    starts = [0]
    for number, line in enumerate(lines):
        if _MARKER.match(line):
            chunks.append([])
            starts.append(number)
        chunks[-1].append(line)
    if len(chunks) > 1 and not any(_CONTENT.match(line) for line in chunks[0]):
        chunks[1] = chunks[0] + chunks[1]  # a preamble of comments: the first document's
        starts[1] = starts[0]
        del chunks[0], starts[0]
    return ["".join(chunk) for chunk in chunks], starts


def _check_alignment(docs: Iterable[SourceDoc], starts: list[int], count: int, file: str) -> None:
    for doc in docs:
        if doc.data is None:
            continue  # an empty document has no position of its own
        line = doc.span.line - 1
        index = doc.index
        end = starts[index + 1] if index + 1 < count else None
        if index >= count or line < starts[index] or (end is not None and line >= end):
            raise UnitError(
                f"{doc.span}: cannot tell where document {index + 1} starts in the text "
                "(a '...' end marker followed by content?) [F002]"
            )


def write_unit(read: UnitText, unit: Unit, changes: Iterable[Change]) -> str:
    """The text of ``unit`` after the recorded ``changes`` to the unit read as ``read``."""
    by_document: dict[int, list[Change]] = {}
    for change in changes:
        by_document.setdefault(change.document, []).append(change)
    kept = {resource.index: resource for resource in unit.resources}
    parts = []
    for index, chunk in enumerate(read.chunks):
        resource = kept.get(index)
        if resource is None and index in read.resource_indexes:
            continue  # deleted
        if resource is None or index not in by_document:
            parts.append(chunk)
            continue
        parts.append(_rewritten(read, index, chunk, resource, by_document[index]))
    return "".join(parts)


def _rewritten(
    read: UnitText, index: int, chunk: str, resource: Resource, changes: list[Change]
) -> str:
    doc = resource.doc
    if doc is not None:
        spliced = _spliced_scalars(read, index, chunk, doc, resource, changes)
        if spliced is not None:
            return spliced
    try:
        text = rewrite_document(chunk, resource.data)
    except ValueError as error:
        raise UnitError(f"{read.file}: cannot write document {index + 1} back: {error}") from None
    if not text.endswith("\n"):
        text += "\n"
    return text


def _spliced_scalars(
    read: UnitText,
    index: int,
    chunk: str,
    doc: SourceDoc,
    resource: Resource,
    changes: list[Change],
) -> str | None:
    """The chunk with each changed one-line scalar replaced in place (the common case:
    ``set-image``, ``set-replicas``); None when some change is not of that kind."""
    paths: dict[tuple[PathKey, ...], None] = {}
    for change in changes:
        if change.action != "update":
            return None
        paths[change.path] = None
    lines = chunk.splitlines(keepends=True)
    offset = read.first_lines[index]
    edits: list[tuple[int, int, int, str]] = []
    for path in paths:
        info = doc.nodes.get(path)
        new = get_at(resource.data, path)
        if info is None or not _is_scalar(new):
            return None
        line, col, end_line, end_col = info.where
        # A scalar node has a style ("" when plain); a collection has None. (The data
        # itself cannot tell: it is the resource's, already changed.)
        style = info.style
        if end_line != line or end_col is None or style not in ("", '"', "'"):
            return None
        row = line - 1 - offset
        if not 0 <= row < len(lines):
            return None
        in_flow = any(bracket in lines[row][: col - 1] for bracket in "{[")
        text = _scalar_text(new, '"' if in_flow and style == "" else style)
        if text is None:
            return None
        edits.append((row, col - 1, end_col - 1, text))
    for row, start, end, text in sorted(edits, reverse=True):
        current = lines[row]
        lines[row] = current[:start] + text + current[end:]
    return "".join(lines)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float) or value is None


def _scalar_text(value: object, style: str) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or "\n" in value:
        return None
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and _PLAIN.fullmatch(value) and not _NOT_PLAIN.fullmatch(value):
        return value
    return json.dumps(value, ensure_ascii=False)
