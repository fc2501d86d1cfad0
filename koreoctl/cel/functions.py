"""Koreo's CEL helper functions, with the reference engine's results and error messages.

=====================  ==================================================================
``to_ref(m)``          ``{apiVersion?, kind?, name, namespace?}`` or ``{apiVersion?, kind?,
                       external}`` from a map (empty fields are left out)
``group_ref(m)``       as ``to_ref`` with ``apiGroup`` (given, or the group of ``apiVersion``)
                       instead of ``apiVersion``
``kindless_ref(m)``    ``{name, namespace?}`` or ``{external}``
``self_ref(r)``        ``{apiVersion, kind, name, namespace}`` of a resource
``config_connect_ready(r)``  whether a Config Connector resource has exactly one ``Ready``
                       condition, with reason ``UpToDate`` and status ``"True"``
``overlay(m, o)``      ``m`` with ``o`` merged in (maps merge recursively; anything else in
                       ``o`` replaces)
``flatten(l)``         a list of lists as one list
``lower(s)``, ``strip(s, chars)``, ``rstrip(s, chars)``, ``replace(s, old, new)``
``split(s, sep)``, ``split_first(s, sep)``, ``split_last(s, sep)``, ``split_index(s, sep, i)``
``to_json(v)``         JSON text with sorted keys (Koreo's quirk: CEL booleans come out as
                       ``1``/``0``, being integers underneath)
``from_json(s)``       the value of a JSON text
``b64encode(s)``, ``b64decode(s)``  Base64 of UTF-8 text, and back
=====================  ==================================================================

A helper that cannot produce a value returns a CEL error (it never raises), which fails the
expression with Koreo's message, e.g. ``split separator may not be empty``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError

from koreoctl.cel.convert import copy_value, new_map, to_cel

Error = CELEvalError
_S = celtypes.StringType


def deep_overlay(base: Any, overlay: Any) -> Any:
    """``base`` with ``overlay`` merged in: maps merge key by key, other values replace."""
    merged = copy_value(base)
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(value, celtypes.MapType) and isinstance(current, celtypes.MapType):
            merged[key] = deep_overlay(current, value)
        else:
            merged[key] = value
    return merged


# --- references ------------------------------------------------------------------------------


def _copy_present(source: Any, target: Any, *names: str) -> None:
    for name in names:
        value = source.get(_S(name))
        if value:
            target[_S(name)] = value


def _named(source: Any, reference: Any) -> Any:
    """Finish a reference with ``external``, or ``name`` and an optional ``namespace``."""
    if "external" in source:
        external = source.get(_S("external"))
        if not external:
            return Error("`external` must contain a value.")
        reference[_S("external")] = external
        return reference
    if "name" not in source:
        return Error("`external` or `name` are required to build a reference.")
    if not source.get(_S("name")):
        return Error("`name` must contain a value.")
    _copy_present(source, reference, "name", "namespace")
    return reference


def to_ref(source: Any) -> Any:
    reference = new_map()
    _copy_present(source, reference, "apiVersion", "kind")
    return _named(source, reference)


def group_ref(source: Any) -> Any:
    reference = new_map()
    group = source.get(_S("apiGroup"))
    api_version = source.get(_S("apiVersion"))
    if group:
        reference[_S("apiGroup")] = group
    elif api_version and isinstance(api_version, celtypes.StringType):
        reference[_S("apiGroup")] = _S(api_version.split("/", 1)[0])
    _copy_present(source, reference, "kind")
    return _named(source, reference)


def kindless_ref(source: Any) -> Any:
    return _named(source, new_map())


def self_ref(resource: Any) -> Any:
    for name in ("apiVersion", "kind", "metadata"):
        if not resource.get(_S(name)):
            return Error(f"Missing `{name}`.")
    metadata = resource.get(_S("metadata"))
    for name in ("name", "namespace"):
        if not metadata.get(_S(name)):
            return Error(f"Missing `metadata.{name}`.")
    return new_map(
        [
            (_S("apiVersion"), resource.get(_S("apiVersion"))),
            (_S("kind"), resource.get(_S("kind"))),
            (_S("name"), metadata.get(_S("name"))),
            (_S("namespace"), metadata.get(_S("namespace"))),
        ]
    )


def config_connect_ready(resource: Any) -> Any:
    status = resource.get("status") if "status" in resource else None
    if status is None or "conditions" not in status:
        return celtypes.BoolType(False)
    ready = [c for c in status.get("conditions") if c.get("type") == "Ready"]
    if len(ready) != 1:
        return celtypes.BoolType(False)
    (condition,) = ready
    is_ready = condition.get("reason") == "UpToDate" and condition.get("status") == "True"
    return celtypes.BoolType(is_ready)


# --- lists and strings -----------------------------------------------------------------------


def flatten(lists: Any) -> Any:
    flat = celtypes.ListType()
    for nested in lists or ():
        flat.extend(nested)
    return flat


def lower(text: Any) -> Any:
    return _S(text.lower())


def strip(text: Any, chars: Any) -> Any:
    return _S(text.strip(chars))


def rstrip(text: Any, chars: Any) -> Any:
    return _S(text.rstrip(chars))


def _separator_error(separator: Any) -> Any:
    return None if separator else Error("split separator may not be empty")


def split(text: Any, separator: Any) -> Any:
    if error := _separator_error(separator):
        return error
    return celtypes.ListType([_S(part) for part in text.split(separator)])


def split_first(text: Any, separator: Any) -> Any:
    if error := _separator_error(separator):
        return error
    return _S(text.split(separator, 1)[0] if text else "")


def split_last(text: Any, separator: Any) -> Any:
    if error := _separator_error(separator):
        return error
    return _S(text.rsplit(separator, 1)[-1] if text else "")


def split_index(text: Any, separator: Any, index: Any) -> Any:
    if error := _separator_error(separator):
        return error
    if not text:
        return _S("")
    parts = text.split(separator)
    try:
        return _S(parts[index])
    except IndexError:
        return Error("index out of bounds on split")


def replace(text: Any, old: Any, new: Any) -> Any:
    try:
        return _S(text.replace(old, new))
    except Exception as error:  # any failure is a CEL error, as in Koreo
        return Error(f"Replace error {error}")


# --- encodings -------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    try:
        return _S(json.dumps(value, sort_keys=True))
    except Exception as error:
        return Error(f"JSON Encoding error {error}")


def from_json(text: Any) -> Any:
    try:
        return to_cel(json.loads(text))
    except Exception as error:
        return Error(f"JSON Decoding error {error}")


def b64encode(text: Any) -> Any:
    try:
        return _S(base64.b64encode(text.encode()).decode())
    except Exception as error:
        return Error(f"Base64 Encoding error {error}")


def b64decode(text: Any) -> Any:
    try:
        return _S(base64.b64decode(text).decode("utf-8"))
    except Exception as error:
        return Error(f"Base64 Encoding error {error}")  # sic: Koreo says "Encoding" here too


FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "to_ref": to_ref,
        "self_ref": self_ref,
        "group_ref": group_ref,
        "kindless_ref": kindless_ref,
        "config_connect_ready": config_connect_ready,
        "overlay": deep_overlay,
        "lower": lower,
        "flatten": flatten,
        "split": split,
        "split_first": split_first,
        "split_last": split_last,
        "split_index": split_index,
        "strip": strip,
        "rstrip": rstrip,
        "to_json": to_json,
        "from_json": from_json,
        "b64encode": b64encode,
        "b64decode": b64decode,
        "replace": replace,
    }
)
ANNOTATIONS: Mapping[str, Any] = MappingProxyType(dict.fromkeys(FUNCTIONS, celtypes.FunctionType))
