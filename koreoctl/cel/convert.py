"""Moving values between plain JSON-like Python data and CEL (celpy) values.

``to_cel`` converts exactly as celpy's JSON adapter (``celpy.json_to_cel``, what Koreo
uses for test inputs, current resources and the objects it reads) but builds maps without
celpy's per-item typing checks, which made conversion a fifth of a test case's time.

``to_plain`` turns CEL values back into plain data the way Koreo does before it writes a
resource or compares a result: booleans become ``True``/``False`` (celpy's booleans are ints
underneath), timestamps and durations become their text, bytes become base64 text, CEL
``null`` becomes ``None``.
"""

from __future__ import annotations

import base64
from typing import Any

from celpy import celtypes
from celpy.adapter import json_to_cel


def to_cel(data: Any) -> Any:
    """Plain JSON-like data as CEL values (``None`` stays ``None``), as celpy.json_to_cel."""
    if isinstance(data, bool):
        return celtypes.BoolType(data)
    if isinstance(data, float):
        return celtypes.DoubleType(data)
    if isinstance(data, int):
        return celtypes.IntType(data)
    if isinstance(data, str):
        return celtypes.StringType(data)
    if data is None:
        return None
    if isinstance(data, list | tuple):
        return celtypes.ListType([to_cel(item) for item in data])
    if isinstance(data, dict):
        return new_map((to_cel(key), to_cel(value)) for key, value in data.items())
    return json_to_cel(data)  # timestamps, durations, and celpy's error for the rest


def to_plain(value: Any) -> Any:
    """CEL values (possibly nested in plain containers) as plain JSON-like Python data."""
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.StringType | celtypes.TimestampType | celtypes.DurationType):
        return str(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.BytesType):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {to_plain(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, celtypes.NullType):
        return None
    return value


def copy_value(value: Any) -> Any:
    """A deep copy of a CEL value: maps and lists are rebuilt, scalars (immutable) shared.

    Same result as ``copy.deepcopy`` for CEL values, several times faster: deepcopy rebuilds
    every celtypes scalar through pickling hooks.
    """
    if isinstance(value, dict):
        return new_map((key, copy_value(item)) for key, item in value.items())
    if isinstance(value, list):
        return celtypes.ListType([copy_value(item) for item in value])
    return value


def new_map(items: Any = ()) -> Any:
    """A CEL map of ``items`` (pairs or a mapping).

    ``MapType(items)`` checks each item against typing generics, which dominates building
    maps; its keys need no check here (they come from CEL maps or YAML keys made strings).
    """
    result = celtypes.MapType()
    result.update(items)
    return result


def is_bool(value: Any) -> bool:
    """True for a CEL boolean."""
    return isinstance(value, celtypes.BoolType)


def is_map(value: Any) -> bool:
    """True for a CEL map (or any mapping celpy accepts as one)."""
    return isinstance(value, dict)


def empty_map() -> Any:
    """A new, empty CEL map."""
    return new_map()


def cel_string(text: str) -> Any:
    """``text`` as a CEL string."""
    return celtypes.StringType(text)


def is_list(value: Any) -> bool:
    """True for a CEL list."""
    return isinstance(value, celtypes.ListType)


def is_switch_value(value: Any) -> bool:
    """True for what a ``refSwitch``'s ``switchOn`` may give: a CEL string or int (not a bool,
    which celpy keeps apart from ints)."""
    return isinstance(value, celtypes.StringType | celtypes.IntType)


def new_list(items: Any = ()) -> Any:
    """A CEL list of ``items``."""
    return celtypes.ListType(list(items))
