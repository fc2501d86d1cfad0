"""Copying JSON-like data (dicts, lists, scalars) quickly.

Kubernetes objects, test inputs and results are plain JSON-like trees; ``copy.deepcopy``
copies them through its generic machinery, several times slower than rebuilding the dicts
and lists. Scalars (str, int, float, bool, None) are immutable and shared.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def copy_data(value: T) -> T:
    """A deep copy of JSON-like ``value`` (other objects inside are shared, not copied)."""
    if isinstance(value, dict):
        return {key: copy_data(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [copy_data(item) for item in value]  # type: ignore[return-value]
    return value


def mapping_at(value: object, *keys: str) -> dict[str, Any]:
    """The mapping under ``keys`` in ``value`` ({} when any step is missing or not a mapping)."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}
