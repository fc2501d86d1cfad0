"""Applying a patch to a stored object: JSON merge patch, or top-level replacement.

``MERGE`` is RFC 7386 JSON merge patch, what a real server does with
``application/merge-patch+json``: objects merge key by key, ``null`` deletes a key, anything
else (lists included) replaces. ``REPLACE_TOP_LEVEL`` is what Koreo's FunctionTest runner
does: every top-level key of the patch replaces the stored value wholesale (``null``
included, stored as null).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from koreoctl.apiserver.jsonvalues import copy_json


class PatchStrategy(enum.Enum):
    """How the server applies a patch to the stored object."""

    MERGE = "merge"
    REPLACE_TOP_LEVEL = "top-level"


def apply_patch(
    strategy: PatchStrategy, target: Mapping[str, Any], patch: Mapping[str, Any]
) -> dict[str, Any]:
    """A new object: ``patch`` applied to ``target`` with ``strategy``."""
    if strategy is PatchStrategy.REPLACE_TOP_LEVEL:
        return replace_top_level(target, patch)
    merged: dict[str, Any] = merge_patch(target, patch)
    return merged


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge recursively, ``null`` deletes, everything else replaces."""
    if not isinstance(patch, Mapping):
        return copy_json(patch)
    result: dict[str, Any] = copy_json(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def replace_top_level(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Each top-level key of ``patch`` replaces the stored value."""
    return {**copy_json(target), **copy_json(patch)}
