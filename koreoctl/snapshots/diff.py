"""What changed between two render or test payloads (the only deepdiff user; pure functions).

``diff_payloads`` takes two payloads (the JSON data of ``koreoctl render -o json
--include-trigger`` or of ``koreoctl test -f json``) and returns a ``DiffReport``:

- rendered objects (and each render's trigger) matched by (apiVersion group, kind, namespace,
  name), each added, removed or changed field by field;
- renders matched by their trigger (workflow, converged, outcome, pass count, unstable);
- tests matched by (namespace, name), cases by label: started / stopped failing, other status
  changes, outcome changes, result (``return`` / ``resource``) changes; a side that is a
  sharded run with shards missing (its merged payload's ``shards``) gives a warning.

Before comparing, ignored paths are dropped and lists of named items are keyed by their
``name`` (or ``type``) so that deepdiff matches them by key, not by index; subtrees equal on
both sides are then trimmed with ``==`` so deepdiff only walks what differs. docs/diff.md
describes the path syntax, the default ignores and the order of everything reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from koreoctl.errors import UsageError

Change = Literal["added", "removed", "changed"]
CaseChangeKind = Literal[
    "added", "removed", "started-failing", "stopped-failing", "status", "outcome", "result"
]

# uid-like and time-like fields that differ between any two runs, and the applied-config
# annotation, which repeats the whole object as one JSON string (every change would show twice,
# the second time as an unreadable string). An owner reference's uid is the owner's
# metadata.uid: the owner's apiVersion, kind and name beside it are still compared.
DEFAULT_IGNORES: tuple[str, ...] = (
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.generation",
    "metadata.creationTimestamp",
    "metadata.deletionTimestamp",
    "metadata.managedFields",
    "metadata.ownerReferences[*].uid",
    'metadata.annotations["koreo.dev/last-applied-configuration"]',
    "**.lastTransitionTime",
    "**.lastUpdateTime",
    "**.lastProbeTime",
    "**.lastHeartbeatTime",
    "**.lastScheduleTime",
    "**.lastSuccessfulTime",
)


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side of the comparison, for the headers of the output."""

    id: str
    description: str


@dataclass(frozen=True)
class FieldChange:
    """One field that was added, removed or changed (``path`` in the printed path syntax)."""

    path: str
    change: Change
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class ObjectChange:
    """One Kubernetes object: a rendered object or a render's trigger (``trigger``)."""

    change: Change
    api_version: str
    kind: str
    namespace: str | None
    name: str
    trigger: bool
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class RenderChange:
    """A render's own results, per trigger (``"Workload demo/web"``)."""

    trigger: str
    change: Change
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CaseChange:
    """A test (``case`` None) or one of its cases that changed."""

    test: str
    case: str | None
    change: CaseChangeKind
    old: Any = None
    new: Any = None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class DiffReport:
    """Everything that differs between side A and side B."""

    command: Literal["render", "test"]
    a: Side
    b: Side
    objects: tuple[ObjectChange, ...] = ()
    renders: tuple[RenderChange, ...] = ()
    cases: tuple[CaseChange, ...] = ()
    unchanged: int = 0
    ignored: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. a side is a sharded run with shards missing

    @property
    def has_differences(self) -> bool:
        return bool(self.objects or self.renders or self.cases)


# --- paths -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A list item matched by a key: ``[name=web]`` is ``Item("name", "web")``."""

    key: str
    value: str


Segment: TypeAlias = str | int | Item  # a mapping key, a list index, a named list item

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.:/@+-]+")


def format_path(segments: Iterable[Segment]) -> str:
    """``spec.containers[name=web].image``, ``args[2]``, ``labels["app.kubernetes.io/name"]``."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, Item):
            value = segment.value
            shown = value if _PLAIN_VALUE.fullmatch(value) else _quote(value)
            parts.append(f"[{segment.key}={shown}]")
        elif isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif _PLAIN_KEY.fullmatch(segment):
            parts.append(f".{segment}" if parts else segment)
        else:
            parts.append(f"[{_quote(segment)}]")
    return "".join(parts)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _path_order(segments: tuple[Segment, ...]) -> tuple[tuple[Any, ...], ...]:
    """Keys alphabetically, indexes numerically, named items by key then value."""
    return tuple(
        (2, s.key, s.value) if isinstance(s, Item) else (1, s) if isinstance(s, int) else (0, s)
        for s in segments
    )


# --- ignore patterns -------------------------------------------------------------------------


class _Wild(str):
    """A wildcard token of a pattern (a distinct type so that a key ``*`` stays a key)."""


ANY_SEGMENT = _Wild("*")
ANY_ITEM = _Wild("[*]")
ANY_DEPTH = _Wild("**")

Token: TypeAlias = Segment | _Wild


@dataclass(frozen=True)
class IgnorePattern:
    """A parsed ``--ignore`` path: the text as given and its tokens."""

    text: str
    tokens: tuple[Token, ...]


def parse_ignore(pattern: str) -> IgnorePattern:
    """Parse an ``--ignore`` path; a malformed one is a ``UsageError`` naming it."""
    try:
        return IgnorePattern(pattern, tuple(_tokens(pattern)))
    except ValueError as error:
        raise UsageError(f"--ignore {pattern!r}: {error}") from None


def _tokens(text: str) -> Iterator[Token]:
    if not text:
        raise ValueError("the path is empty")
    pos = 0
    while pos < len(text):
        if text[pos] == "[":
            token, pos = _bracket(text, pos)
            yield token
            continue
        if pos:
            if text[pos] != ".":
                raise ValueError(f"expected '.' or '[' at character {pos + 1}")
            pos += 1
        token, pos = _name(text, pos)
        yield token


def _name(text: str, pos: int) -> tuple[Token, int]:
    if text.startswith("**", pos):
        return ANY_DEPTH, pos + 2
    if text.startswith("*", pos):
        return ANY_SEGMENT, pos + 1
    found = _PLAIN_KEY.match(text, pos)
    if found is None:
        where = f"at character {pos + 1}" if pos < len(text) else "at the end"
        raise ValueError(f"expected a key, '*' or '**' {where} (quote other keys: [\"a.b\"])")
    return found.group(), found.end()


def _bracket(text: str, pos: int) -> tuple[Token, int]:
    start = pos + 1
    if text.startswith('"', start):
        quoted, end = _json_string(text, start)
        return quoted, _close(text, end, pos)
    if text.startswith("*]", start):
        return ANY_ITEM, start + 2
    digits = re.compile(r"[0-9]+").match(text, start)
    if digits is not None:
        return int(digits.group()), _close(text, digits.end(), pos)
    key = _PLAIN_KEY.match(text, start)
    if key is None or not text.startswith("=", key.end()):
        raise ValueError(f"'[' at character {pos + 1} needs an index, *, a quoted key or key=value")
    value_start = key.end() + 1
    if text.startswith('"', value_start):
        value, end = _json_string(text, value_start)
    else:
        plain = _PLAIN_VALUE.match(text, value_start)
        if plain is None:
            raise ValueError(f"expected a value after '=' at character {value_start + 1}")
        value, end = plain.group(), plain.end()
    return Item(key.group(), value), _close(text, end, pos)


def _json_string(text: str, pos: int) -> tuple[str, int]:
    try:
        value, end = json.JSONDecoder().raw_decode(text, pos)
    except json.JSONDecodeError:
        raise ValueError(f"unterminated or malformed quoted key at character {pos + 1}") from None
    return str(value), end


def _close(text: str, pos: int, opened: int) -> int:
    if not text.startswith("]", pos):
        raise ValueError(f"'[' at character {opened + 1} is not closed")
    return pos + 1


State: TypeAlias = frozenset[tuple[int, int]]  # (pattern number, tokens matched so far)


class _Ignorer:
    """Steps a set of patterns along a path, one segment at a time (memoised per diff)."""

    def __init__(self, patterns: Sequence[IgnorePattern]) -> None:
        self.patterns = tuple(p.tokens for p in patterns)
        self.start = self._closure({(n, 0) for n in range(len(self.patterns))})
        self._steps: dict[tuple[State, Segment], tuple[State, bool]] = {}

    def step(self, state: State, segment: Segment) -> tuple[State, bool]:
        """The state below ``segment`` and whether the path there is ignored."""
        key = (state, segment)
        found = self._steps.get(key)
        if found is None:
            found = self._steps[key] = self._advance(state, segment)
        return found

    def _advance(self, state: State, segment: Segment) -> tuple[State, bool]:
        moved: set[tuple[int, int]] = set()
        for number, at in state:
            tokens = self.patterns[number]
            if at == len(tokens):
                continue
            token = tokens[at]
            if token is ANY_DEPTH:
                moved.add((number, at))
            elif _token_matches(token, segment):
                moved.add((number, at + 1))
        after = self._closure(moved)
        return after, any(at == len(self.patterns[n]) for n, at in after)

    def _closure(self, positions: set[tuple[int, int]]) -> State:
        """Also every position reached by letting a ``**`` match no segment."""
        pending = list(positions)
        seen = set(positions)
        while pending:
            number, at = pending.pop()
            tokens = self.patterns[number]
            if at < len(tokens) and tokens[at] is ANY_DEPTH and (number, at + 1) not in seen:
                seen.add((number, at + 1))
                pending.append((number, at + 1))
        return frozenset(seen)


def _token_matches(token: Token, segment: Segment) -> bool:
    if token is ANY_SEGMENT:
        return True
    if token is ANY_ITEM:
        return isinstance(segment, int | Item)
    return type(token) is type(segment) and token == segment


# --- comparing values ------------------------------------------------------------------------


class _Named(dict[Item, Any]):
    """A list of named items keyed by ``Item`` (so deepdiff matches them by name)."""


def _list_key(items: list[Any]) -> str | None:
    for key in ("name", "type"):
        values = [item.get(key) if isinstance(item, dict) else None for item in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _prepare(value: Any, state: State, ignorer: _Ignorer) -> Any:
    """``value`` without its ignored paths, with lists of named items keyed by name."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            below, ignored = ignorer.step(state, key)
            if not ignored:
                kept[key] = _prepare(item, below, ignorer)
        return kept
    if isinstance(value, list):
        return _prepare_list(value, state, ignorer)
    return value


def _prepare_list(items: list[Any], state: State, ignorer: _Ignorer) -> Any:
    key = _list_key(items) if items else None
    if key is None:
        kept: list[Any] = []
        for index, item in enumerate(items):
            below, ignored = ignorer.step(state, index)
            if not ignored:
                kept.append(_prepare(item, below, ignorer))
        return kept
    named = _Named()
    for item in items:
        segment = Item(key, item[key])
        below, ignored = ignorer.step(state, segment)
        if not ignored:
            named[segment] = _prepare(item, below, ignorer)
    return named


def _plain(value: Any) -> Any:
    """Prepared data back as JSON data (named items as a list again)."""
    if isinstance(value, _Named):
        return [_plain(item) for item in value.values()]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _split(old: Any, new: Any, state: State, at: _Flat, ignorer: _Ignorer) -> None:
    """Put what differs between ``old`` and ``new`` into ``at``, flat, keyed by path.

    Equal branches are left out (``==``) and never prepared; mappings on both sides are
    gone into, so that deepdiff, which walks every node it is given, is handed only the
    branches that differ, in one call. It still decides what was added, removed or changed
    (a key on one side only is in one of the two maps) and how lists line up.
    """
    if old == new and type(old) is type(new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        _split_mapping(old, new, state, at, ignorer)
        return
    if isinstance(old, list) and isinstance(new, list) and old and new:
        key = _list_key(old)
        if key is not None and key == _list_key(new):
            named_old = {Item(key, item[key]): item for item in old}
            named_new = {Item(key, item[key]): item for item in new}
            _split_mapping(named_old, named_new, state, at, ignorer)
            return
    _split_prepared(_prepare(old, state, ignorer), _prepare(new, state, ignorer), at)


def _split_mapping(
    old: dict[Any, Any], new: dict[Any, Any], state: State, at: _Flat, ignorer: _Ignorer
) -> None:
    for key, value in old.items():
        below, ignored = ignorer.step(state, key)
        if ignored:
            continue
        if key in new:
            _split(value, new[key], below, at.below(key), ignorer)
        else:
            at.left[(*at.path, key)] = _prepare(value, below, ignorer)
    for key, value in new.items():
        below, ignored = ignorer.step(state, key)
        if key not in old and not ignored:
            at.right[(*at.path, key)] = _prepare(value, below, ignorer)


def _split_prepared(old: Any, new: Any, at: _Flat) -> None:
    """``_split`` for values already prepared (named lists keyed, ignores gone)."""
    if old == new and type(old) is type(new):
        return
    if not (isinstance(old, dict) and isinstance(new, dict) and type(old) is type(new)):
        at.left[at.path], at.right[at.path] = old, new
        return
    for key, value in old.items():
        if key in new:
            _split_prepared(value, new[key], at.below(key))
        else:
            at.left[(*at.path, key)] = value
    for key, value in new.items():
        if key not in old:
            at.right[(*at.path, key)] = value


@dataclass(frozen=True)
class _Flat:
    """Where ``_split`` puts what differs: both sides' maps and the path it has reached."""

    left: dict[Any, Any]
    right: dict[Any, Any]
    path: tuple[Any, ...]

    def below(self, key: Any) -> _Flat:
        return _Flat(self.left, self.right, (*self.path, key))


_REPORTS: dict[str, Change] = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
}

# what to compare: owner, path prefix, old, new, the ignore state at the prefix
_Pair: TypeAlias = tuple[Any, tuple[Segment, ...], Any, Any, State]


def _changed_fields(
    pairs: Iterable[_Pair], ignorer: _Ignorer
) -> dict[Any, tuple[FieldChange, ...]]:
    """The fields that differ in each pair, by owner, sorted by path."""
    left: dict[Any, Any] = {}
    right: dict[Any, Any] = {}
    for owner, prefix, old, new, state in pairs:
        _split(old, new, state, _Flat(left, right, (owner, *prefix)), ignorer)
    if not left and not right:
        return {}
    from deepdiff import DeepDiff

    found: dict[Any, list[tuple[tuple[Segment, ...], FieldChange]]] = {}
    for report, levels in DeepDiff(left, right, view="tree", threshold_to_diff_deeper=0).items():
        change = _REPORTS.get(report)
        if change is None:
            continue
        for level in levels:
            (owner, *start), *deeper = level.path(output_format="list")
            path = (*start, *deeper)
            field = _field(format_path(path), change, level.t1, level.t2)
            found.setdefault(owner, []).append((path, field))
    return {
        owner: tuple(f for _, f in sorted(fields, key=lambda pair: _path_order(pair[0])))
        for owner, fields in found.items()
    }


def _field(path: str, change: Change, old: Any, new: Any) -> FieldChange:
    return FieldChange(
        path,
        change,
        None if change == "added" else _plain(old),
        None if change == "removed" else _plain(new),
    )


# --- render payloads -------------------------------------------------------------------------

_Identity: TypeAlias = tuple[str, str, str, str, bool]  # group, kind, namespace, name, trigger


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _identity(obj: Mapping[str, Any], trigger: bool) -> _Identity:
    metadata = obj.get("metadata") or {}
    return (
        _group(str(obj.get("apiVersion") or "")),
        str(obj.get("kind") or ""),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
        trigger,
    )


def _objects(payload: Mapping[str, Any]) -> dict[_Identity, Mapping[str, Any]]:
    """Every object of every render, and each render's trigger (the first copy wins)."""
    found: dict[_Identity, Mapping[str, Any]] = {}
    for render in payload.get("renders") or ():
        for obj in render.get("objects") or ():
            found.setdefault(_identity(obj, False), obj)
        if isinstance(render.get("trigger"), dict):
            found.setdefault(_identity(render["trigger"], True), render["trigger"])
    return found


def _object_change(
    identity: _Identity, change: Change, obj: Mapping[str, Any], fields: tuple[FieldChange, ...]
) -> ObjectChange:
    namespace = (obj.get("metadata") or {}).get("namespace")
    return ObjectChange(
        change=change,
        api_version=str(obj.get("apiVersion") or ""),
        kind=identity[1],
        namespace=str(namespace) if namespace else None,
        name=identity[3],
        trigger=identity[4],
        fields=fields,
    )


def _diff_objects(
    a: Mapping[str, Any], b: Mapping[str, Any], ignorer: _Ignorer
) -> tuple[tuple[ObjectChange, ...], int]:
    before, after = _objects(a), _objects(b)
    both = [key for key in before.keys() & after.keys() if before[key] != after[key]]
    fields = _changed_fields(
        ((key, (), before[key], after[key], ignorer.start) for key in both), ignorer
    )
    changes: list[ObjectChange] = []
    for identity in sorted(before.keys() | after.keys()):
        if identity not in before:
            changes.append(_object_change(identity, "added", after[identity], ()))
        elif identity not in after:
            changes.append(_object_change(identity, "removed", before[identity], ()))
        elif identity in fields:
            changes.append(_object_change(identity, "changed", after[identity], fields[identity]))
    unchanged = len(before.keys() & after.keys()) - sum(c.change == "changed" for c in changes)
    return tuple(changes), unchanged


def _trigger_name(render: Mapping[str, Any]) -> str:
    ref = render.get("triggerRef") or {}
    namespace, name = ref.get("namespace"), ref.get("name") or ""
    return (
        f"{ref.get('kind') or ''} {namespace}/{name}" if namespace else f"{ref.get('kind')} {name}"
    )


def _render_results(render: Mapping[str, Any]) -> dict[str, Any]:
    outcome = render.get("outcome") or {}
    return {
        "workflow": render.get("workflow"),
        "converged": render.get("converged"),
        "outcome.type": outcome.get("type"),
        "outcome.message": outcome.get("message"),
        "outcome.delay": outcome.get("delay"),
        "passes": len(render.get("passes") or ()),
        "unstable": render.get("unstable"),
    }


def _diff_renders(
    a: Mapping[str, Any], b: Mapping[str, Any], ignorer: _Ignorer
) -> tuple[RenderChange, ...]:
    before = _numbered(a.get("renders") or (), _trigger_name)
    after = _numbered(b.get("renders") or (), _trigger_name)
    changes: list[RenderChange] = []
    for trigger in sorted(before.keys() | after.keys()):
        if trigger not in before:
            changes.append(RenderChange(trigger, "added"))
        elif trigger not in after:
            changes.append(RenderChange(trigger, "removed"))
        else:
            old, new = _render_results(before[trigger]), _render_results(after[trigger])
            fields = tuple(
                FieldChange(path, "changed", old[path], new[path])
                for path in old
                if old[path] != new[path] and not _ignored_name(path, ignorer)
            )
            if fields:
                changes.append(RenderChange(trigger, "changed", fields))
    return tuple(changes)


def _ignored_name(path: str, ignorer: _Ignorer) -> bool:
    state, ignored = ignorer.start, False
    for key in path.split("."):
        state, ignored = ignorer.step(state, key)
        if ignored:
            return True
    return ignored


def _numbered(entries: Iterable[Mapping[str, Any]], name: Any) -> dict[str, Mapping[str, Any]]:
    """Entries by name; a repeated name gets " #2", " #3"."""
    found: dict[str, Mapping[str, Any]] = {}
    seen: dict[str, int] = {}
    for entry in entries:
        base = str(name(entry))
        seen[base] = seen.get(base, 0) + 1
        found[base if seen[base] == 1 else f"{base} #{seen[base]}"] = entry
    return found


# --- test payloads ---------------------------------------------------------------------------


def _test_name(test: Mapping[str, Any]) -> str:
    return f"{test.get('namespace') or ''}/{test.get('name') or ''}"


def _case_label(case: Mapping[str, Any]) -> str:
    label = case.get("label")
    return str(label) if label else f"case {case.get('index')}"


def _diff_tests(
    a: Mapping[str, Any], b: Mapping[str, Any], ignorer: _Ignorer
) -> tuple[tuple[CaseChange, ...], int]:
    before = _numbered(a.get("tests") or (), _test_name)
    after = _numbered(b.get("tests") or (), _test_name)
    changes: list[CaseChange] = []
    unchanged = 0
    for test in sorted(before.keys() | after.keys()):
        old, new = before.get(test), after.get(test)
        if old is None and new is not None:
            changes.append(CaseChange(test, None, "added", new=new.get("status")))
        elif new is None and old is not None:
            changes.append(CaseChange(test, None, "removed", old=old.get("status")))
        elif old is not None and new is not None:
            found, same = _diff_test(test, old, new, ignorer)
            changes.extend(found)
            unchanged += same
    return tuple(changes), unchanged


def _diff_test(
    test: str, old: Mapping[str, Any], new: Mapping[str, Any], ignorer: _Ignorer
) -> tuple[list[CaseChange], int]:
    """A test that errored on one side only is reported as a whole (its cases did not run)."""
    was, now = old.get("status"), new.get("status")
    if was != now and "error" in (was, now):
        kind: CaseChangeKind = (
            "started-failing"
            if now == "error"
            else "stopped-failing"
            if now == "passed"
            else "status"
        )
        fields = _text_field("error", old.get("error"), new.get("error"))
        return [CaseChange(test, None, kind, was, now, fields)], 0
    before = _numbered(old.get("cases") or (), _case_label)
    after = _numbered(new.get("cases") or (), _case_label)
    changes: list[CaseChange] = []
    unchanged = 0
    for label in _case_order(before, after):
        found = _diff_case(test, label, before.get(label), after.get(label), ignorer)
        changes.extend(found)
        unchanged += not found
    return changes, unchanged


def _case_order(
    before: dict[str, Mapping[str, Any]], after: dict[str, Mapping[str, Any]]
) -> list[str]:
    """B's cases in B's order, each removed case after the B case of its old index."""

    def order(label: str) -> tuple[int, int]:
        if label in after:
            return (int(after[label].get("index") or 0), 0)
        return (int(before[label].get("index") or 0), 1)

    return sorted(before.keys() | after.keys(), key=lambda label: (*order(label), label))


def _diff_case(
    test: str,
    label: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    ignorer: _Ignorer,
) -> list[CaseChange]:
    if old is None:
        return [CaseChange(test, label, "added", new=(new or {}).get("status"))]
    if new is None:
        return [CaseChange(test, label, "removed", old=old.get("status"))]
    changes: list[CaseChange] = []
    was, now = old.get("status"), new.get("status")
    if was != now:
        message = _text_field("message", old.get("message"), new.get("message"))
        changes.append(CaseChange(test, label, _transition(was, now), was, now, message))
    if old.get("outcome") != new.get("outcome"):
        changes.append(CaseChange(test, label, "outcome", old.get("outcome"), new.get("outcome")))
    result = _result_fields(old, new, ignorer)
    if result:
        changes.append(CaseChange(test, label, "result", fields=result))
    return changes


def _transition(was: Any, now: Any) -> CaseChangeKind:
    if was == "passed" and now in ("failed", "error"):
        return "started-failing"
    if was == "failed" and now == "passed":
        return "stopped-failing"
    return "status"


def _text_field(path: str, old: Any, new: Any) -> tuple[FieldChange, ...]:
    if old == new:
        return ()
    change: Change = "added" if old is None else "removed" if new is None else "changed"
    return (FieldChange(path, change, old, new),)


def _result_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], ignorer: _Ignorer
) -> tuple[FieldChange, ...]:
    """``return`` and ``resource`` changes; a pattern applies to the path within the value
    (``metadata.uid``) as well as to the printed one (``resource.metadata.uid``)."""
    pairs: list[_Pair] = []
    for key in ("return", "resource"):
        if old.get(key) != new.get(key):
            below, ignored = ignorer.step(ignorer.start, key)
            if not ignored:
                state = below | ignorer.start
                pairs.append((key, (key,), old.get(key), new.get(key), state))
    changed = _changed_fields(pairs, ignorer)
    fields = [*changed.get("return", ()), *changed.get("resource", ())]
    if bool(old.get("deleted")) != bool(new.get("deleted")):
        fields.extend(_text_field("deleted", old.get("deleted"), new.get("deleted")))
    return tuple(fields)


# --- the entry point -------------------------------------------------------------------------


def diff_payloads(
    command: str,
    a: Side,
    a_payload: Mapping[str, Any],
    b: Side,
    b_payload: Mapping[str, Any],
    *,
    ignore: Sequence[str] = (),
    defaults: bool = True,
) -> DiffReport:
    """What changed from ``a_payload`` to ``b_payload`` (both of ``command``: render or test)."""
    texts = (*(DEFAULT_IGNORES if defaults else ()), *ignore)
    ignorer = _Ignorer([parse_ignore(text) for text in texts])
    if command == "render":
        objects, unchanged = _diff_objects(a_payload, b_payload, ignorer)
        renders = _diff_renders(a_payload, b_payload, ignorer)
        return DiffReport("render", a, b, objects, renders, (), unchanged, texts)
    if command == "test":
        cases, unchanged = _diff_tests(a_payload, b_payload, ignorer)
        warnings = tuple(
            warning
            for name, side, payload in (("A", a, a_payload), ("B", b, b_payload))
            if (warning := _incomplete(name, side, payload)) is not None
        )
        return DiffReport("test", a, b, (), (), cases, unchanged, texts, warnings)
    raise UsageError(f"cannot diff {command!r} snapshots: only render and test are compared")


def _incomplete(name: str, side: Side, payload: Mapping[str, Any]) -> str | None:
    """The warning for a side that is a sharded run with shards missing (the merged payload
    of ``koreoctl.snapshots.shards`` says which it has)."""
    shards = payload.get("shards")
    if not isinstance(shards, Mapping) or shards.get("complete", True):
        return None
    count = shards.get("count")
    present = ",".join(str(index) for index in shards.get("present") or ())
    missing = ", ".join(f"{index}/{count}" for index in shards.get("missing") or ())
    return (
        f"{name} ({side.id}) is an incomplete sharded run: it has shards {present} of "
        f"{count}, missing {missing}; comparing the tests of the shards it has"
    )
