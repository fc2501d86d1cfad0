"""Associative paths (ConfigHub yamlkit syntax): parsing, resolution, get/set/delete, registry.

A path is dot-separated segments over plain data (maps, lists, scalars; ruamel round-trip
containers work too, since they are ``dict``/``list`` subclasses and are mutated in place):

=====================  ==================================================================
``spec.replicas``      literal map keys; an all-digit segment is a list index on a list
``app~1name``          ``~1`` is a ``.`` inside a key, ``~0`` a ``~``
``?key=value``         in a list: the first element whose ``key`` is the *string* ``value``
``?key:param=value``   the same, binding ``param`` to the matched value
``?key=*``             rewritten to ``*?key`` (so a ``%s`` argument ``*`` means "all")
``*``                  every map entry or list element
``*?key[:param]``      every entry/element, binding ``param`` to ``child.key`` when present
``*@:param``           every entry of a *map*, binding ``param`` to the map key
``@key:param``         the literal key ``key``, binding ``param=key``; ``@*:param`` is
                       rewritten to ``*@:param``
``a.|b.c``             existence boundary: setters create only below it
=====================  ==================================================================

Decisions beyond the ConfigHub note (SDK behaviour was read, not copied):

* No match drops out silently. ``?key=value`` compares only ``str`` scalars, so
  ``?port=80`` does not match ``{"port": 80}``. ``?key=value`` and ``*@:param`` on
  anything but a list (a map) yield nothing; they are never errors.
* ``|`` may precede the first segment (then nothing needs to exist, as in the SDK); a second
  ``|`` is a ``PathError``. ``#accessor`` suffixes are not supported (``PathError``), and a
  parameter bound twice in one path is a ``PathError``.
* Setters (``resolve_for_set``) create missing *literal* segments (keys and ``@key:param``)
  only at or after the boundary and after the last wildcard/associative segment. A list
  element is never created; an all-digit segment creates a map key only under an existing
  map. A ``null`` value in the way counts as an empty map.
* Results are sorted by their concrete path, list indexes numerically (``2`` before ``10``).
* A ``*?key:param`` binding is the child's scalar as text (``true``/``false`` for booleans);
  non-scalar values are not bound. Map keys that are not strings are not addressable.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from koreoctl.errors import UsageError

PathKey = str | int
_INDEX = re.compile(r"[0-9]+")
_PARAM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


class PathError(UsageError):
    """A malformed associative path, or a concrete path that cannot be written."""


class SegmentKind(enum.Enum):
    """What one segment of an associative path does."""

    KEY = "key"  # a literal map key (or a list index when all digits)
    BIND_KEY = "bind-key"  # @key:param
    LOOKUP = "lookup"  # ?key=value, ?key:param=value
    EACH = "each"  # *, *?key, *?key:param
    EACH_KEY = "each-key"  # *@:param

    @property
    def creatable(self) -> bool:
        return self in (SegmentKind.KEY, SegmentKind.BIND_KEY)


@dataclass(frozen=True)
class Segment:
    """One parsed segment; ``key``/``value``/``param`` are unescaped ("" when unused)."""

    kind: SegmentKind
    text: str
    key: str = ""
    value: str = ""
    param: str = ""


@dataclass(frozen=True)
class AssociativePath:
    """A parsed path; ``boundary`` is the index of the first segment after ``|``."""

    text: str
    segments: tuple[Segment, ...]
    boundary: int | None

    @property
    def create_from(self) -> int:
        """The first segment index a setter may create (after the boundary and wildcards)."""
        last = max(
            (i for i, s in enumerate(self.segments) if not s.kind.creatable),
            default=-1,
        )
        return max(self.boundary or 0, last + 1)


@dataclass(frozen=True)
class Match:
    """One concrete path an associative path denotes in a document."""

    path: tuple[PathKey, ...]
    text: str
    bindings: tuple[tuple[str, str], ...]
    value: Any
    exists: bool


# --- parsing ---------------------------------------------------------------------------


def _unescape(text: str) -> str:
    return text.replace("~1", ".").replace("~0", "~")


def _escape(text: str) -> str:
    return text.replace("~", "~0").replace(".", "~1")


def _param(name: str, raw: str, path: str) -> str:
    if not _PARAM.fullmatch(name):
        raise PathError(f"invalid parameter name {name!r} in segment {raw!r} of path {path!r}")
    return name


def _key_and_param(spec: str, raw: str, path: str) -> tuple[str, str]:
    parts = spec.split(":")
    if len(parts) > 2 or not parts[0]:
        raise PathError(f"invalid key in segment {raw!r} of path {path!r}")
    param = _param(parts[1], raw, path) if len(parts) == 2 else ""
    return _unescape(parts[0]), param


def _parse_lookup(raw: str, path: str) -> Segment:
    spec, eq, value = raw[1:].partition("=")
    if not eq:
        raise PathError(f"lookup {raw!r} in path {path!r} needs '=value' (or use '*?key')")
    if value == "*":
        return _parse_each("*?" + spec, path)
    key, param = _key_and_param(spec, raw, path)
    return Segment(SegmentKind.LOOKUP, raw, key=key, value=_unescape(value), param=param)


def _parse_each(raw: str, path: str) -> Segment:
    if raw == "*":
        return Segment(SegmentKind.EACH, raw)
    if raw.startswith("*?"):
        key, param = _key_and_param(raw[2:], raw, path)
        return Segment(SegmentKind.EACH, raw, key=key, param=param)
    if raw.startswith("*@:"):
        return Segment(SegmentKind.EACH_KEY, raw, param=_param(raw[3:], raw, path))
    if raw.startswith("*@"):
        raise PathError(f"segment {raw!r} of path {path!r} needs ':param' after '@'")
    raise PathError(f"unknown operator in segment {raw!r} of path {path!r}")


def _parse_bind_key(raw: str, path: str) -> Segment:
    if ":" not in raw:
        raise PathError(f"segment {raw!r} of path {path!r} needs ':param' after '@key'")
    if raw.startswith("@*:"):
        return _parse_each("*@:" + raw[3:], path)
    key, param = _key_and_param(raw[1:], raw, path)
    return Segment(SegmentKind.BIND_KEY, raw, key=key, param=param)


def _parse_segment(raw: str, path: str) -> Segment:
    if not raw:
        raise PathError(f"empty segment in path {path!r}")
    if "#" in raw:
        raise PathError(f"accessor '#' in segment {raw!r} of path {path!r} is not supported")
    match raw[0]:
        case "?":
            return _parse_lookup(raw, path)
        case "*":
            return _parse_each(raw, path)
        case "@":
            return _parse_bind_key(raw, path)
        case "|":
            raise PathError(f"more than one '|' boundary in path {path!r}")
    return Segment(SegmentKind.KEY, raw, key=_unescape(raw))


def parse_path(text: str) -> AssociativePath:
    """Parse ``text``; raise ``PathError`` (one line, naming the path) when malformed."""
    if not text:
        raise PathError("empty path")
    boundary: int | None = None
    segments = []
    for index, raw in enumerate(text.split(".")):
        if raw.startswith("|") and boundary is None:
            boundary, raw = index, raw[1:]
        segments.append(_parse_segment(raw, text))
    params = [s.param for s in segments if s.param]
    twice = sorted({p for p in params if params.count(p) > 1})
    if twice:
        raise PathError(f"parameter {twice[0]!r} is bound twice in path {text!r}")
    return AssociativePath(text, tuple(segments), boundary)


def format_path(path: tuple[PathKey, ...]) -> str:
    """A concrete path as dotted text: ``.`` in a key is ``~1`` and ``~`` is ``~0``."""
    return ".".join(str(k) if isinstance(k, int) else _escape(k) for k in path)


# --- resolution ------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    path: tuple[PathKey, ...]
    bindings: tuple[tuple[str, str], ...]
    node: Any
    exists: bool

    def child(self, key: PathKey, node: Any, binding: tuple[str, str] | None = None) -> _State:
        bindings = (*self.bindings, binding) if binding else self.bindings
        return _State((*self.path, key), bindings, node, True)

    def missing(self, key: str, binding: tuple[str, str] | None = None) -> _State:
        bindings = (*self.bindings, binding) if binding else self.bindings
        return _State((*self.path, key), bindings, None, False)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _step_key(seg: Segment, state: _State, creatable: bool) -> Iterator[_State]:
    node, key = state.node, seg.key
    binding = (seg.param, key) if seg.param else None
    if state.exists and isinstance(node, Mapping):
        if key in node:
            yield state.child(key, node[key], binding)
        elif creatable:
            yield state.missing(key, binding)
    elif state.exists and isinstance(node, list):
        if seg.kind is SegmentKind.KEY and _INDEX.fullmatch(key) and int(key) < len(node):
            yield state.child(int(key), node[int(key)])
    elif creatable and node is None and not _INDEX.fullmatch(key):
        yield state.missing(key, binding)


def _step_lookup(seg: Segment, state: _State) -> Iterator[_State]:
    if not (state.exists and isinstance(state.node, list)):
        return
    for index, element in enumerate(state.node):
        if isinstance(element, Mapping):
            found = element.get(seg.key)
            if isinstance(found, str) and found == seg.value:
                yield state.child(index, element, (seg.param, found) if seg.param else None)
                return


def _children(node: Any) -> Iterator[tuple[PathKey, Any]]:
    if isinstance(node, Mapping):
        yield from ((k, v) for k, v in node.items() if isinstance(k, str))
    elif isinstance(node, list):
        yield from enumerate(node)


def _step_each(seg: Segment, state: _State) -> Iterator[_State]:
    if not state.exists:
        return
    for key, child in _children(state.node):
        binding = None
        if seg.key and seg.param and isinstance(child, Mapping) and seg.key in child:
            text = _scalar_text(child[seg.key])
            binding = (seg.param, text) if text is not None else None
        yield state.child(key, child, binding)


def _step_each_key(seg: Segment, state: _State) -> Iterator[_State]:
    if state.exists and isinstance(state.node, Mapping):
        for key, child in _children(state.node):
            yield state.child(key, child, (seg.param, str(key)))


def _step(seg: Segment, state: _State, creatable: bool) -> Iterator[_State]:
    match seg.kind:
        case SegmentKind.KEY | SegmentKind.BIND_KEY:
            return _step_key(seg, state, creatable)
        case SegmentKind.LOOKUP:
            return _step_lookup(seg, state)
        case SegmentKind.EACH:
            return _step_each(seg, state)
        case SegmentKind.EACH_KEY:
            return _step_each_key(seg, state)


def _sort_key(match: Match) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, k, "") if isinstance(k, int) else (1, 0, k) for k in match.path)


def _resolve(document: Any, path: AssociativePath | str, upsert: bool) -> tuple[Match, ...]:
    parsed = parse_path(path) if isinstance(path, str) else path
    if not isinstance(document, Mapping | list):
        return ()
    create_from = parsed.create_from if upsert else len(parsed.segments)
    states = [_State((), (), document, True)]
    for index, seg in enumerate(parsed.segments):
        creatable = index >= create_from
        states = [new for state in states for new in _step(seg, state, creatable)]
    matches = (
        Match(s.path, format_path(s.path), tuple(sorted(s.bindings)), s.node, s.exists)
        for s in states
    )
    return tuple(sorted(matches, key=_sort_key))


def resolve(document: Any, path: AssociativePath | str) -> tuple[Match, ...]:
    """Every existing concrete path ``path`` denotes in ``document``, sorted."""
    return _resolve(document, path, upsert=False)


def resolve_for_set(document: Any, path: AssociativePath | str) -> tuple[Match, ...]:
    """Like ``resolve``, plus the missing trailing literal paths a setter may create."""
    return _resolve(document, path, upsert=True)


# --- concrete paths --------------------------------------------------------------------


def _child(node: Any, key: PathKey) -> tuple[bool, Any]:
    if isinstance(key, str) and isinstance(node, Mapping):
        return (key in node, node.get(key))
    if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
        return (True, node[key])
    return (False, None)


def get_at(document: Any, path: tuple[PathKey, ...]) -> Any:
    """The value at a concrete path, or ``None`` when any step is missing."""
    node = document
    for key in path:
        found, node = _child(node, key)
        if not found:
            return None
    return node


def _settable(node: Any, key: PathKey) -> bool:
    """A map may gain a key; a list element may only be replaced."""
    if isinstance(key, str):
        return isinstance(node, MutableMapping)
    return isinstance(node, list) and 0 <= key < len(node)


def _writable_parent(document: Any, path: tuple[PathKey, ...]) -> bool:
    """Whether ``set_at`` can reach the parent of ``path[-1]`` creating only maps."""
    node = document
    for index, key in enumerate(path):
        if not _settable(node, key):
            return False
        found, child = _child(node, key)
        if not found or child is None:
            return all(isinstance(k, str) for k in path[index + 1 :])
        node = child
    return True


def set_at(document: Any, path: tuple[PathKey, ...], value: Any) -> None:
    """Set the value at a concrete path in place, creating missing maps (never list items).

    A ``PathError`` leaves the document unchanged.
    """
    if not path:
        raise PathError("cannot set the empty path")
    if not _writable_parent(document, path):
        raise PathError(
            f"cannot set {format_path(path)!r}: a scalar is in the way or a list element"
            " would have to be created"
        )
    node = document
    for key in path[:-1]:
        found, child = _child(node, key)
        if not found or child is None:
            node[key] = child = {}
        node = child
    node[path[-1]] = value


def delete_at(document: Any, path: tuple[PathKey, ...]) -> bool:
    """Remove the value at a concrete path; ``True`` if something was removed.

    Deleting a list element shifts later indexes: delete several matches in reverse order.
    """
    if not path:
        return False
    parent = get_at(document, path[:-1])
    found, _ = _child(parent, path[-1])
    if found:
        del parent[path[-1]]
    return found


# --- the path registry -----------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """A named attribute's path for some resource types ("*" for any)."""

    name: str
    resource_types: tuple[str, ...]
    path: str
    params: tuple[str, ...]


_WORKLOADS = (
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "apps/v1/ReplicaSet",
    "batch/v1/Job",
)
_POD_SPECS = (
    (_WORKLOADS, "spec.template.spec"),
    (("batch/v1/CronJob",), "spec.jobTemplate.spec.template.spec"),
    (("v1/Pod",), "spec"),
)
_CONTAINER_LISTS = ("containers", "initContainers")
_CONTAINER = "?name:container-name=%s"


def _container_attributes(name: str, tail: str, params: tuple[str, ...]) -> tuple[Attribute, ...]:
    return tuple(
        Attribute(name, types, f"{prefix}.{lst}.{_CONTAINER}.{tail}", ("container-name", *params))
        for types, prefix in _POD_SPECS
        for lst in _CONTAINER_LISTS
    )


PATH_REGISTRY: Mapping[str, tuple[Attribute, ...]] = MappingProxyType(
    {
        "replicas": (
            Attribute(
                "replicas",
                ("apps/v1/Deployment", "apps/v1/StatefulSet", "apps/v1/ReplicaSet"),
                "spec.replicas",
                (),
            ),
        ),
        "container-image": _container_attributes("container-image", "image", ()),
        "env-var": _container_attributes("env-var", "env.?name:env-var=%s.value", ("env-var",)),
        "namespace": (Attribute("namespace", ("*",), "metadata.namespace", ()),),
        "label": (Attribute("label", ("*",), "metadata.labels.@%s:label-key", ("label-key",)),),
        "annotation": (
            Attribute(
                "annotation",
                ("*",),
                "metadata.annotations.@%s:annotation-key",
                ("annotation-key",),
            ),
        ),
    }
)


def _fill(attribute: Attribute, args: tuple[str, ...]) -> AssociativePath:
    if len(args) != len(attribute.params):
        raise PathError(
            f"attribute {attribute.name!r} takes {len(attribute.params)} argument(s) "
            f"({', '.join(attribute.params) or 'none'}), got {len(args)}"
        )
    return parse_path(attribute.path % tuple(_escape(a) for a in args))


def attribute_paths(name: str, resource_type: str, *args: str) -> tuple[AssociativePath, ...]:
    """The paths of attribute ``name`` for ``resource_type``, with ``%s`` filled by ``args``."""
    return _attribute_paths(name, resource_type, args)


@functools.lru_cache(maxsize=1024)
def _attribute_paths(
    name: str, resource_type: str, args: tuple[str, ...]
) -> tuple[AssociativePath, ...]:
    # Cached: a function asks for the same paths for every resource of a type.
    attributes = PATH_REGISTRY.get(name)
    if attributes is None:
        known = ", ".join(sorted(PATH_REGISTRY))
        raise PathError(f"unknown attribute {name!r} (known: {known})")
    return tuple(
        _fill(a, args)
        for a in attributes
        if resource_type in a.resource_types or "*" in a.resource_types
    )
