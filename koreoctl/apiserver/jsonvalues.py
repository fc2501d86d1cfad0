"""JSON-like values as the API server keeps them: deep copies, and equality that tells true from 1.

Objects go into and out of the store only as copies, so no caller can change what is stored.
Python's ``==`` says ``True == 1``; JSON (and the API server) does not, so comparisons that
decide whether an object changed use ``same_json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

T = TypeVar("T")


@overload
def copy_json(value: Mapping[str, Any]) -> dict[str, Any]: ...


@overload
def copy_json(value: T) -> T: ...


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like ``value``: mappings become dicts, tuples become lists."""
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(item) for item in value]
    return value


def same_json(one: Any, other: Any) -> bool:
    """Whether two JSON-like values are equal as JSON values (``true`` is not ``1``)."""
    if isinstance(one, bool) or isinstance(other, bool):
        return type(one) is type(other) and one == other
    if isinstance(one, Mapping) and isinstance(other, Mapping):
        return one.keys() == other.keys() and all(same_json(one[k], other[k]) for k in one)
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(same_json, one, other))
    if isinstance(one, int | float) and isinstance(other, int | float):
        return one == other
    return type(one) is type(other) and bool(one == other)
