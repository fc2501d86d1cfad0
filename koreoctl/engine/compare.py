"""Does a resource in the cluster match what the function wants? Koreo's difference detection.

Only the fields the function specifies are compared (defaults and fields set by controllers
are ignored), and the first difference found is named as a path, e.g.
``'spec' -> 'replicas' -> <target:[3], resource:[1]>``. Compare directives change how a
field is compared:

* ``x-koreo-compare-as-set: [key, ...]`` - those lists are compared as sets of scalars;
* ``x-koreo-compare-as-map: {key: [field, ...]}`` - those lists of objects are compared as
  maps keyed by the named fields;
* ``x-koreo-compare-last-applied: [key, ...]`` - those fields are compared with the value
  last applied by Koreo (the ``koreo.dev/last-applied-configuration`` annotation) instead of
  the live value, for fields a controller rewrites.

Order: where several fields differ, koreoctl reports the first in the order the function
writes them (map keys as written; for sets, missing values in the target's order, then
unexpected ones in the resource's order). The reference engine walks Python sets there, so
its choice depends on the hash seed; every field it could name is a real difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DIRECTIVES = frozenset(
    {"x-koreo-compare-as-set", "x-koreo-compare-as-map", "x-koreo-compare-last-applied"}
)


@dataclass(frozen=True)
class Match:
    """Whether target and actual match, and if not, the path to the first difference."""

    match: bool
    differences: tuple[str, ...] = ()


_MATCH = Match(True)


def _differ(*parts: str) -> Match:
    return Match(False, parts)


def compare(target: Any, actual: Any, last_applied: Any = None, as_set: bool = False) -> Match:
    """Compare the wanted ``target`` with the ``actual`` resource (plain data)."""
    if isinstance(target, dict) or isinstance(actual, dict):
        return _compare_maps(target, actual, last_applied)
    if isinstance(target, list | tuple) or isinstance(actual, list | tuple):
        return _compare_lists(target, actual, last_applied, as_set)
    if isinstance(target, bool) or isinstance(actual, bool):
        return _compare_bools(target, actual)
    if actual is None and target:
        return _differ(f"<target:{type(target)}, resource:null or missing>")
    if target is None and actual:
        return _differ(f"<target:null, resource:{type(actual)}")
    if target == actual:
        return _MATCH
    return _differ(f"<target:[{target}], resource:[{actual}]>")


def _compare_maps(target: Any, actual: Any, last_applied: Any) -> Match:
    if not isinstance(actual, dict):
        return _differ(f"<target:object, resource:{type(actual)}>")
    if not isinstance(target, dict):
        return _differ(f"<target:{type(target)}, resource:object>")
    as_set = {key for key in target.get("x-koreo-compare-as-set", ()) if key}
    by_last_applied = {key for key in target.get("x-koreo-compare-last-applied", ()) if key}
    as_map = {
        key: [name for name in fields if name]
        for key, fields in target.get("x-koreo-compare-as-map", {}).items()
        if key
    }
    applied = last_applied if isinstance(last_applied, dict) else {}
    for key in target:
        if key in DIRECTIVES or key == "ownerReferences":
            continue
        if key in by_last_applied:
            current = applied.get(key)
        elif key not in actual:
            return _differ(f"<missing '{key}' in resource>")
        else:
            current = actual[key]
        if key in as_map:
            fields = as_map[key]
            result = compare(
                _keyed(target[key], fields),
                _keyed(current, fields),
                _keyed(applied.get(key), fields),
            )
        else:
            result = compare(target[key], current, applied.get(key), key in as_set)
        if not result.match:
            return Match(False, (f"'{key}'", *result.differences))
    return _MATCH


def _compare_lists(target: Any, actual: Any, last_applied: Any, as_set: bool) -> Match:
    if not isinstance(target, list | tuple):
        return _differ(f"<target:{type(target)}, resource:array>")
    if not isinstance(actual, list | tuple):
        return _differ(f"<target:array, resource:{type(actual)}>")
    if as_set:
        return _compare_sets(target, actual)
    if not target and not actual:
        return _MATCH
    if len(target) != len(actual):
        return _differ(f"<length mismatch target:{len(target)}, actual:{len(actual)}")
    applied = last_applied if isinstance(last_applied, list | tuple) else ()
    for index, (wanted, current) in enumerate(zip(target, actual, strict=True)):
        before = applied[index] if index < len(applied) else None
        result = compare(wanted, current, before)
        if not result.match:
            return Match(False, (f"at index '{index}'", *result.differences))
    return _MATCH


def _compare_sets(target: Sequence[Any], actual: Sequence[Any]) -> Match:
    if not target and not actual:
        return _MATCH
    try:
        wanted, current = set(target), set(actual)
    except TypeError as error:
        if "dict" in f"{error}":
            return _differ("Could not compare array-as-set, try: `x-koreo-compare-as-map`")
        return _differ(f"Could not compare array-as-set ({error})")
    for value in target:
        if value not in current:
            return _differ(f"<missing '{value}'>")
    for value in actual:
        if value not in wanted:
            return _differ(f"<unexpectedly found '{value}'>")
    return _MATCH


def _compare_bools(target: Any, actual: Any) -> Match:
    if isinstance(target, bool) and isinstance(actual, bool):
        return _MATCH if target == actual else _differ(f"<target:[{target}], resource:[{actual}]>")
    if isinstance(target, bool):
        return _differ(f"<target:bool, resource:{type(actual)}>")
    return _differ(f"<target:{type(target)}, resource:bool>")


def _keyed(items: Any, fields: Sequence[Any]) -> dict[str, Any] | None:
    """A list of objects as a map keyed by the values of ``fields`` (joined with ``$``)."""
    if not items:
        return None
    return {"$".join(f"{item.get(field)}".strip() for field in fields): item for item in items}


def exact_match(target: Any, actual: Any, as_set: bool = False) -> tuple[bool, Any]:
    """Compare exactly, both ways (a FunctionTest's ``expectResource`` / ``expectReturn``).

    Returns (matched, differences): a map of key → ``"missing"`` / ``"unexpected"`` / nested
    differences for objects, a list (``None`` for equal items) for lists, else a sentence.
    Compare directives in ``target`` apply as for ``compare``.
    """
    if isinstance(target, dict) and isinstance(actual, dict):
        return _exact_maps(target, actual)
    if isinstance(target, dict) or isinstance(actual, dict):
        if isinstance(target, dict):
            return False, f"expected `object` but found `{type(actual)}`"
        return False, f"expected `{type(target)}` but found `object`"
    if isinstance(target, list | tuple) and isinstance(actual, list | tuple):
        return _exact_sets(target, actual) if as_set else _exact_lists(target, actual)
    if isinstance(target, list | tuple):
        return False, f"expected `array` but found `{type(actual)}`"
    if isinstance(actual, list | tuple):
        return False, f"expected `{type(target)}` but found `array`"
    if isinstance(target, bool) and isinstance(actual, bool):
        return (
            target == actual,
            () if target == actual else f"expected `{target}` but found `{actual}`",
        )
    if isinstance(target, bool):
        return False, f"expected `bool` but found `{type(actual)}`"
    if isinstance(actual, bool):
        return False, f"expected `{type(target)}` but found `bool`"
    if target == actual:
        return True, ()
    return False, f"expected '`{target}`' but found '`{actual}`'"


def _exact_maps(target: dict[str, Any], actual: dict[str, Any]) -> tuple[bool, Any]:
    as_set = {key for key in target.get("x-koreo-compare-as-set", ()) if key}
    as_map = {
        key: [name for name in fields if name]
        for key, fields in target.get("x-koreo-compare-as-map", {}).items()
        if key
    }
    wanted = [key for key in target if key not in DIRECTIVES]
    present = [key for key in actual if key not in DIRECTIVES]
    differences: dict[str, Any] = {key: "missing" for key in wanted if key not in actual}
    differences.update({key: "unexpected" for key in present if key not in target})
    for key in wanted:
        if key not in actual or key in DIRECTIVES:
            continue
        if key in as_map:
            fields = as_map[key]
            matched, detail = exact_match(
                _keyed_all(target[key], fields), _keyed_all(actual[key], fields)
            )
        else:
            matched, detail = exact_match(target[key], actual[key], key in as_set)
        if not matched:
            differences[key] = detail
    return not differences, differences


def _exact_lists(target: Sequence[Any], actual: Sequence[Any]) -> tuple[bool, Any]:
    if len(target) != len(actual):
        return False, f"<length mismatch target:{len(target)}, actual:{len(actual)}"
    details = [exact_match(wanted, got) for wanted, got in zip(target, actual, strict=True)]
    matched = all(ok for ok, _ in details)
    return matched, [None if ok else detail for ok, detail in details]


def _exact_sets(target: Sequence[Any], actual: Sequence[Any]) -> tuple[bool, Any]:
    try:
        wanted, current = set(target), set(actual)
    except TypeError as error:
        if "dict" in f"{error}":
            return False, "Could not compare array-as-set, try: `x-koreo-compare-as-map`"
        return False, f"Could not compare array-as-set ({error})"
    missing = [f"<missing '{value}'>" for value in target if value not in current]
    unexpected = [f"<unexpectedly found '{value}'>" for value in actual if value not in wanted]
    if not missing and not unexpected:
        return True, ()
    return False, [*dict.fromkeys(missing), *dict.fromkeys(unexpected)]


def _keyed_all(items: Sequence[Any], fields: Sequence[Any]) -> dict[str, Any]:
    return {"$".join(f"{item.get(field)}".strip() for field in fields): item for item in items}
