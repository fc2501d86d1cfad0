"""Validating objects against a CRD's structural OpenAPI v3 schema, as the API server does.

The schema is translated to JSON Schema (``nullable``, ``x-kubernetes-int-or-string`` and
OpenAPI's boolean ``exclusiveMinimum``/``exclusiveMaximum`` made explicit) and checked with
jsonschema. Violations are reported in the API server's words, e.g.
``spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer:
"string"`` or ``spec.image: Required value``, sorted by field.

Fields the schema does not know (outside ``x-kubernetes-preserve-unknown-fields``) are not
errors: a real server drops them. ``unknown_fields`` lists them, ``prune`` removes them and
``apply_defaults`` fills in schema defaults, for callers that want the server's full
behaviour. ``metadata`` is not validated by a CRD's schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from koreoctl.jsondata import copy_data

_PASSED_THROUGH = (
    "type",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "format",
)
_ROOT_FIELDS = ("apiVersion", "kind", "metadata")


@dataclass(frozen=True)
class Validator:
    """A compiled CRD version schema (or why it does not compile)."""

    openapi: Mapping[str, Any]
    checker: Any = field(repr=False, default=None)
    schema_error: str | None = None

    def violations(self, obj: Mapping[str, Any]) -> list[str]:
        """Every violation, in the API server's words, sorted by field path."""
        if self.checker is None:
            return []
        found = [_describe(error) for error in self.checker.iter_errors(dict(obj))]
        return sorted(set(found))

    def unknown_fields(self, obj: Mapping[str, Any]) -> list[str]:
        """Paths of the fields the schema does not define (a server would drop them)."""
        return sorted(_path_text(path) for path in _unknown(self.openapi, obj, (), root=True))

    def prune(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``obj`` without the unknown fields."""
        pruned = copy_data(dict(obj))
        for path in sorted(_unknown(self.openapi, obj, (), root=True), key=len, reverse=True):
            parent = pruned
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
        return pruned

    def apply_defaults(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``obj`` with schema defaults filled in where fields are missing."""
        filled: dict[str, Any] = _defaulted(self.openapi, copy_data(dict(obj)))
        return filled


def compile_validator(openapi: Mapping[str, Any]) -> Validator:
    """Translate and compile a version's ``openAPIV3Schema``."""
    try:
        schema = _root_schema(openapi)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (jsonschema.SchemaError, TypeError, ValueError, AttributeError) as error:
        return Validator(openapi, None, _first_line(str(getattr(error, "message", error))))
    return Validator(openapi, jsonschema.Draft202012Validator(schema))


def has_cel_rules(openapi: Any) -> bool:
    """Whether the schema has ``x-kubernetes-validations`` anywhere."""
    if isinstance(openapi, dict):
        return "x-kubernetes-validations" in openapi or any(
            has_cel_rules(value) for value in openapi.values()
        )
    if isinstance(openapi, list):
        return any(has_cel_rules(item) for item in openapi)
    return False


# --- OpenAPI → JSON Schema -------------------------------------------------------------------


def _root_schema(openapi: Mapping[str, Any]) -> dict[str, Any]:
    schema = _translate(openapi)
    properties = schema.get("properties", {})
    properties.pop("metadata", None)  # only the API server's own rules apply to metadata
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name not in _ROOT_FIELDS]
    return schema


def _translate(node: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(node, Mapping):
        raise TypeError(f"a schema must be an object, not {type(node).__name__}")
    out: dict[str, Any] = {key: node[key] for key in _PASSED_THROUGH if key in node}
    if "properties" in node:
        out["properties"] = {name: _translate(sub) for name, sub in node["properties"].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), Mapping):
            out[key] = _translate(node[key])
        elif key == "additionalProperties" and isinstance(node.get(key), bool):
            out[key] = node[key]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            out[key] = [_translate(sub) for sub in node[key]]
    _translate_bounds(node, out)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("allOf", []).append({"type": ["integer", "string"]})
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "additionalProperties" in out and out["additionalProperties"] is False:
        del out["additionalProperties"]  # unknown fields are dropped, not rejected
    return out


def _translate_bounds(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    """OpenAPI 3.0's boolean exclusiveMinimum/Maximum → JSON Schema's numeric ones."""
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if node.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)


# --- messages --------------------------------------------------------------------------------


def _describe(error: Any) -> str:
    path = _path_text(tuple(error.absolute_path)) or "<root>"
    rule, instance, expected = error.validator, error.instance, error.validator_value
    shown = _shown(instance)
    if rule == "required":
        missing = next((name for name in expected if name not in instance), expected[0])
        return f"{_join(path, missing)}: Required value"
    if rule == "type":
        wanted = expected if isinstance(expected, str) else expected[0]
        actual = f'"{_json_type(instance)}"'
        return f"{path}: Invalid value: {actual}: {path} in body must be of type {wanted}: {actual}"
    if rule == "enum":
        allowed = ", ".join(_shown(value) for value in expected)
        return f"{path}: Unsupported value: {shown}: supported values: {allowed}"
    return f"{path}: Invalid value: {shown}: {path} in body {_rule_text(rule, expected)}"


def _rule_text(rule: str, expected: Any) -> str:
    texts = {
        "minimum": f"should be greater than or equal to {expected}",
        "maximum": f"should be less than or equal to {expected}",
        "exclusiveMinimum": f"should be greater than {expected}",
        "exclusiveMaximum": f"should be less than {expected}",
        "minLength": f"should be at least {expected} chars long",
        "maxLength": f"may not be longer than {expected}",
        "minItems": f"should have at least {expected} items",
        "maxItems": f"must have at most {expected} items",
        "pattern": f"should match '{expected}'",
        "uniqueItems": "shouldn't contain duplicates",
        "oneOf": "must validate one and only one schema (oneOf)",
        "anyOf": "must validate at least one schema (anyOf)",
        "allOf": "must validate all the schemas (allOf)",
        "not": "must not validate the schema (not)",
        "minProperties": f"should have at least {expected} properties",
        "maxProperties": f"should have at most {expected} properties",
        "multipleOf": f"should be a multiple of {expected}",
    }
    return texts.get(rule, f"fails {rule}")


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return '"object"'
    if isinstance(value, list):
        return '"array"'
    return json.dumps(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def _join(path: str, name: str) -> str:
    return name if path == "<root>" else f"{path}.{name}"


def _path_text(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid schema"


# --- unknown fields and defaults ------------------------------------------------------------


def _unknown(
    schema: Mapping[str, Any], value: Any, path: tuple[Any, ...], root: bool = False
) -> Iterator[tuple[Any, ...]]:
    if not isinstance(schema, Mapping) or schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        yield from _unknown_in_object(schema, value, path, root)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _unknown(schema["items"], item, (*path, index))


def _unknown_in_object(
    schema: Mapping[str, Any], value: dict[str, Any], path: tuple[Any, ...], root: bool
) -> Iterator[tuple[Any, ...]]:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    known = set(properties)
    if root or schema.get("x-kubernetes-embedded-resource"):
        known.update(_ROOT_FIELDS)
    for key, item in value.items():
        if key in properties:
            if not (root and key == "metadata"):
                yield from _unknown(properties[key], item, (*path, key))
        elif isinstance(extra, Mapping):
            yield from _unknown(extra, item, (*path, key))
        elif key not in known and extra is not True:
            yield (*path, key)


def _defaulted(schema: Mapping[str, Any], value: Any) -> Any:
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name not in value and "default" in sub:
                value[name] = copy_data(sub["default"])
            if name in value:
                value[name] = _defaulted(sub, value[name])
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_defaulted(schema["items"], item) for item in value]
    return value
