"""What the API server does to an object before validating it: pruning and defaulting.

As apiextensions-apiserver does, on copies of the object:

* ``prune`` drops every field the schema does not define, and reports its path
  (``spec.foo``, ``spec.items[0].bar``). Not pruned: anything below
  ``x-kubernetes-preserve-unknown-fields`` (its *known* fields are still pruned inside), and
  ``apiVersion``, ``kind`` and ``metadata`` of the object and of embedded resources, whose
  ``metadata`` loses only the fields ObjectMeta does not have. It then drops null values of
  fields that are neither ``nullable`` nor have a ``default``.
* ``apply_defaults`` fills in ``default`` values where a field is missing (or null and not
  nullable), in objects that exist: a default never creates its parent.

Schemas are the CRD's OpenAPI schemas, already screened by ``openapi.schema_problems``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from koreoctl.apiserver.jsonvalues import copy_json
from koreoctl.apiserver.openapi import EMBEDDED, PRESERVE, ROOT_FIELDS

Schema = Mapping[str, Any]
Path = tuple[str | int, ...]

OBJECT_META_FIELDS = frozenset(
    (
        *("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion"),
        *("generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"),
        *("labels", "annotations", "ownerReferences", "finalizers", "managedFields"),
    )
)


def prune(obj: Mapping[str, Any], schema: Schema) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A copy of the object as a server keeps it, and the paths of the fields it dropped."""
    pruned: dict[str, Any] = copy_json(obj)
    unknown: list[str] = []
    _prune(pruned, {**schema, EMBEDDED: True}, (), unknown)
    _drop_nulls(pruned, schema)
    return pruned, tuple(sorted(unknown))


def apply_defaults(obj: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """A copy of the object with the schema's defaults filled in."""
    defaulted: dict[str, Any] = copy_json(obj)
    _default(defaulted, schema)
    return defaulted


def field_path(path: Path) -> str:
    """``spec.items[0].name``: names joined with dots, indexes in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _field(schema: Schema | None, key: str) -> tuple[bool, Schema | None]:
    """Whether the schema defines ``key`` (as a property or through additionalProperties),
    and its schema (None for ``additionalProperties: true``, which says nothing of it)."""
    if schema is None:
        return False, None
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and key in properties:
        return True, properties[key]
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        return True, extra
    return extra is True, None


def _items(schema: Schema | None) -> Schema | None:
    items = schema.get("items") if schema is not None else None
    return items if isinstance(items, Mapping) else None


# --- pruning ---------------------------------------------------------------------------------


def _prune(value: Any, schema: Schema | None, path: Path, unknown: list[str]) -> None:
    if schema is not None and schema.get(PRESERVE) is True:
        _prune_known(value, schema, path, unknown)
    elif isinstance(value, dict):
        _prune_object(value, schema, path, unknown)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _prune(item, _items(schema), (*path, index), unknown)


def _prune_object(
    value: dict[str, Any], schema: Schema | None, path: Path, unknown: list[str]
) -> None:
    for key in list(value):
        if _is_resource_field(schema, key):
            _prune_metadata(value, key, path, unknown)
            continue
        known, child = _field(schema, key)
        if known:
            _prune(value[key], child, (*path, key), unknown)
        else:
            unknown.append(field_path((*path, key)))
            del value[key]


def _prune_known(value: Any, schema: Schema, path: Path, unknown: list[str]) -> None:
    """Below preserve-unknown-fields: unknown fields stay, known ones are pruned inside."""
    if isinstance(value, dict):
        for key in list(value):
            if _is_resource_field(schema, key):
                _prune_metadata(value, key, path, unknown)
                continue
            known, child = _field(schema, key)
            if known:
                _prune(value[key], child, (*path, key), unknown)
    elif isinstance(value, list) and (items := _items(schema)) is not None:
        for index, item in enumerate(value):
            _prune_known(item, items, (*path, index), unknown)


def _is_resource_field(schema: Schema | None, key: str) -> bool:
    return schema is not None and schema.get(EMBEDDED) is True and key in ROOT_FIELDS


def _prune_metadata(value: dict[str, Any], key: str, path: Path, unknown: list[str]) -> None:
    metadata = value[key]
    if key != "metadata" or not isinstance(metadata, dict):
        return
    for name in [name for name in metadata if name not in OBJECT_META_FIELDS]:
        unknown.append(field_path((*path, "metadata", name)))
        del metadata[name]


def _drop_nulls(value: Any, schema: Schema | None) -> None:
    if isinstance(value, dict):
        for key in list(value):
            child = _field(schema, key)[1]
            if value[key] is None and child is not None and _droppable(child):
                del value[key]
            else:
                _drop_nulls(value[key], child)
    elif isinstance(value, list):
        for item in value:
            _drop_nulls(item, _items(schema))


def _droppable(schema: Schema) -> bool:
    return schema.get("nullable") is not True and "default" not in schema


# --- defaulting ------------------------------------------------------------------------------


def _default(value: Any, schema: Schema | None) -> None:
    if schema is None:
        return
    if isinstance(value, dict):
        _default_object(value, schema)
    elif isinstance(value, list):
        items = _items(schema)
        for index, item in enumerate(value):
            if items is not None and _defaultable(item, items):
                value[index] = copy_json(items["default"])
            _default(value[index], items)


def _default_object(value: dict[str, Any], schema: Schema) -> None:
    properties = schema.get("properties")
    properties = properties if isinstance(properties, Mapping) else {}
    for key, child in properties.items():
        if not isinstance(child, Mapping) or "default" not in child:
            continue
        if key not in value or _defaultable(value[key], child):
            value[key] = copy_json(child["default"])
    for key in value:
        known, child = _field(schema, key)
        if (
            known
            and key not in properties
            and child is not None
            and _defaultable(value[key], child)
        ):
            value[key] = copy_json(child["default"])
        _default(value[key], child)


def _defaultable(value: Any, schema: Schema) -> bool:
    """A null value of a field that is not nullable gets the schema's default, if it has one
    (as does a missing one)."""
    return value is None and "default" in schema and schema.get("nullable") is not True
