"""Koreo's CEL helper functions, giving the reference engine's values and error messages.

=====================================  ======================================================
Helper                                 Result
=====================================  ======================================================
``to_ref(m)``                          ``{apiVersion, kind, name, namespace}`` or
                                       ``{apiVersion, kind, external}`` from map ``m``; empty
                                       fields are left out; ``external`` wins over ``name``
``group_ref(m)``                       as ``to_ref``, with ``apiGroup`` (given, or the part of
                                       ``apiVersion`` before ``/``) for ``apiVersion``
``kindless_ref(m)``                    ``{name, namespace}`` or ``{external}``
``self_ref(r)``                        ``{apiVersion, kind, name, namespace}`` of resource
                                       ``r``; all four must be set
``config_connect_ready(r)``            true when ``r.status.conditions`` has exactly one
                                       ``Ready`` condition, with reason ``UpToDate`` and
                                       status ``"True"``; false otherwise
``overlay(m, o)``                      ``m`` with ``o`` merged in: maps merge key by key, any
                                       other value of ``o`` (a list too) replaces
``flatten(l)``                         a list of lists as one list
``lower(s)``                           ``s`` in lower case
``strip(s, cs)``, ``rstrip(s, cs)``    ``s`` without the characters ``cs`` at both ends / at
                                       the end
``replace(s, old, new)``               ``s`` with every ``old`` replaced by ``new``
``split(s, sep)``                      the parts of ``s`` between separators ``sep``
``split_first(s, sep)``                the first part (``""`` for an empty ``s``)
``split_last(s, sep)``                 the last part (``""`` for an empty ``s``)
``split_index(s, sep, i)``             part ``i``, negative counting from the end (``""`` for
                                       an empty ``s``, whatever ``i``)
``to_json(v)``                         JSON text with sorted keys; booleans come out as
                                       ``1``/``0``
``from_json(s)``                       the value of JSON text ``s``
``b64encode(s)``, ``b64decode(s)``     Base64 of the UTF-8 of ``s``, and back
=====================================  ======================================================

A helper that cannot give a value returns a CEL error with Koreo's message (``split separator
may not be empty``, ``index out of bounds on split``, ...); an argument of the wrong type fails
as celpy's ``no such overload``, quoting the Python error Koreo's helper raises.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError

from koreoctl.cel.convert import copy_value, new_map

# Every helper below does, on its arguments, the same Python operations as Koreo's, in the same
# order: a wrong argument type (a number where a map is expected, say) then raises the same
# Python error, which celpy turns into a "no such overload" error quoting it. For the same
# reason the helpers carry Koreo's Python names and parameter names: celpy quotes Python's
# arity errors ("_split() missing 1 required positional argument: 'on'").

_S = celtypes.StringType
_EMPTY_SEPARATOR = "split separator may not be empty"


def deep_overlay(base: Any, overlay: Any) -> Any:
    """A copy of ``base`` with ``overlay`` merged in (``base`` and ``overlay`` are unchanged).

    Where both hold a map under the same key the maps merge, recursively; otherwise the
    overlay's value (a list, a scalar, ``null``) replaces the base's. New keys go last.
    """
    merged = copy_value(base)
    _merge_into(merged, overlay)
    return merged


def _merge_into(target: Any, overlay: Any) -> None:
    """Merge ``overlay`` into ``target``, a map this module made and may change."""
    for key, value in overlay.items():
        # Subscript, not .get: a CEL map refuses some key types on lookup, as Koreo's does.
        if key in target and _are_maps(target[key], value):
            _merge_into(target[key], value)
        else:
            target[key] = value


def _are_maps(*values: Any) -> bool:
    return all(isinstance(value, celtypes.MapType) for value in values)


# --- references ------------------------------------------------------------------------------


def _copy_set_fields(source: Any, reference: Any, *names: str) -> None:
    """Copy the named fields of ``source`` that hold a non-empty value."""
    for name in names:
        value = source.get(_S(name))
        if value:
            reference[_S(name)] = value


def _finish_reference(source: Any, reference: Any) -> Any:
    """Add ``external``, else ``name`` (and ``namespace`` when set), or say what is missing."""
    if "external" in source:
        external = source.get(_S("external"))
        if not external:
            return CELEvalError("`external` must contain a value.")
        reference[_S("external")] = external
        return reference
    if "name" not in source:
        return CELEvalError("`external` or `name` are required to build a reference.")
    if not source.get(_S("name")):
        return CELEvalError("`name` must contain a value.")
    _copy_set_fields(source, reference, "name", "namespace")
    return reference


def _api_group(source: Any) -> Any:
    """``apiGroup`` if set, else the group part of a string ``apiVersion`` (maybe ``""``)."""
    group = source.get(_S("apiGroup"))
    if group:
        return group
    api_version = source.get(_S("apiVersion"))
    if api_version and isinstance(api_version, celtypes.StringType):
        return _S(api_version.split("/", 1)[0])
    return None


def _to_ref(source: Any) -> Any:
    reference = new_map()
    _copy_set_fields(source, reference, "apiVersion", "kind")
    return _finish_reference(source, reference)


def _group_ref(source: Any) -> Any:
    reference = new_map()
    group = _api_group(source)
    if group is not None:
        reference[_S("apiGroup")] = group
    _copy_set_fields(source, reference, "kind")
    return _finish_reference(source, reference)


def _kindless_ref(source: Any) -> Any:
    return _finish_reference(source, new_map())


def _self_ref(resource: Any) -> Any:
    found: dict[str, Any] = {}
    for name in ("apiVersion", "kind", "metadata"):
        found[name] = resource.get(_S(name))
        if not found[name]:
            return CELEvalError(f"Missing `{name}`.")
    for name in ("name", "namespace"):
        found[name] = found["metadata"].get(_S(name))
        if not found[name]:
            return CELEvalError(f"Missing `metadata.{name}`.")
    return new_map((_S(name), found[name]) for name in ("apiVersion", "kind", "name", "namespace"))


# --- readiness -------------------------------------------------------------------------------


def _only_ready_condition(conditions: Any) -> Any:
    """The one condition of type ``Ready``; None when there is none or more than one."""
    ready = None
    for condition in conditions:
        # ``!=`` with the value on the left, as Koreo compares: celpy's numbers, lists and
        # maps refuse to compare with a string, and each says so in its own words.
        if condition.get("type") != "Ready":
            continue
        if ready is not None:
            return None  # stop at the second: conditions after it are never looked at
        ready = condition
    return ready


def _config_connect_ready(resource: Any) -> Any:
    if "status" not in resource:
        return celtypes.BoolType(False)
    status = resource.get("status")
    if "conditions" not in status:
        return celtypes.BoolType(False)
    condition = _only_ready_condition(status.get("conditions"))
    if not condition or condition.get("reason") != "UpToDate":
        return celtypes.BoolType(False)
    if condition.get("status") != "True":
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


# --- maps and lists --------------------------------------------------------------------------


def _overlay(resource: Any, overlay: Any) -> Any:
    return deep_overlay(resource, overlay)


def _flatten(resource: Any) -> Any:
    flat = celtypes.ListType()
    for nested in resource or ():
        flat.extend(nested)
    return flat


# --- strings ---------------------------------------------------------------------------------


def _lower(string: Any) -> Any:
    return _S(string.lower())


def _strip(string: Any, on: Any) -> Any:
    return _S(string.strip(on))


def _rstrip(string: Any, on: Any) -> Any:
    return _S(string.rstrip(on))


def _replace(value: Any, old: Any, new: Any) -> Any:
    try:
        return _S(value.replace(old, new))
    except Exception as error:  # Koreo turns any failure here into its own CEL error
        return CELEvalError(f"Replace error {error}")


def _split(string: Any, on: Any) -> Any:
    if not on:
        return CELEvalError(_EMPTY_SEPARATOR)
    return celtypes.ListType([_S(part) for part in string.split(on)])


def _split_first(string: Any, on: Any) -> Any:
    if not on:
        return CELEvalError(_EMPTY_SEPARATOR)
    return _S(string.split(on, 1)[0] if string else "")


def _split_last(string: Any, on: Any) -> Any:
    if not on:
        return CELEvalError(_EMPTY_SEPARATOR)
    return _S(string.rsplit(on, 1)[-1] if string else "")


def _split_index(string: Any, on: Any, index: Any) -> Any:
    if not on:
        return CELEvalError(_EMPTY_SEPARATOR)
    if not string:
        return _S("")  # even when the index is out of range
    parts = string.split(on)
    try:
        return _S(parts[index])
    except IndexError:
        return CELEvalError("index out of bounds on split")


# --- encodings -------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    # Python's json on celpy values: a CEL bool is an int underneath, so true becomes 1.
    try:
        return _S(json.dumps(value, sort_keys=True))
    except Exception as error:
        return CELEvalError(f"JSON Encoding error {error}")


def _from_json(value: Any) -> Any:
    try:
        return json_to_cel(json.loads(value))
    except Exception as error:
        return CELEvalError(f"JSON Decoding error {error}")


def _b64encode(value: Any) -> Any:
    try:
        return _S(base64.b64encode(value.encode()).decode())
    except Exception as error:
        return CELEvalError(f"Base64 Encoding error {error}")


def _b64decode(value: Any) -> Any:
    try:
        return _S(base64.b64decode(value).decode("utf-8"))
    except Exception as error:
        # "Encoding", not "Decoding": Koreo's message, kept as it is.
        return CELEvalError(f"Base64 Encoding error {error}")


FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "to_ref": _to_ref,
        "self_ref": _self_ref,
        "group_ref": _group_ref,
        "kindless_ref": _kindless_ref,
        "config_connect_ready": _config_connect_ready,
        "overlay": _overlay,
        "lower": _lower,
        "flatten": _flatten,
        "split": _split,
        "split_first": _split_first,
        "split_last": _split_last,
        "split_index": _split_index,
        "strip": _strip,
        "rstrip": _rstrip,
        "to_json": _to_json,
        "from_json": _from_json,
        "b64encode": _b64encode,
        "b64decode": _b64decode,
        "replace": _replace,
    }
)

ANNOTATIONS: Mapping[str, Any] = MappingProxyType(dict.fromkeys(FUNCTIONS, celtypes.FunctionType))
