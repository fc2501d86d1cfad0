"""CRD schemas: the rules a server enforces on an ``openAPIV3Schema``, and its JSON Schema form.

``schema_problems`` lists what would make the API server refuse a version's schema: the
structural-schema rules (every field has a ``type``, ``properties`` and
``additionalProperties`` exclusive, ``items`` present for arrays, only value validations under
``anyOf``/``allOf``/``oneOf``/``not``, ...), the keywords it forbids (``$ref``,
``uniqueItems: true``, ``patternProperties``, ...), invalid regular expressions, and
anything that is not valid JSON Schema once translated. Problems are worded as the server
words them, at the field of the CRD that has them.

``to_json_schema`` translates OpenAPI v3.0 to JSON Schema (draft 2020-12) for jsonschema:
``nullable`` adds ``"null"`` to the type, ``x-kubernetes-int-or-string`` is
``["integer", "string"]``, the boolean ``exclusiveMinimum``/``exclusiveMaximum`` become the
numeric ones, formats the server does not know are dropped, and the root's ``metadata`` is
left out (only the server's own rules apply to it). ``additionalProperties: false`` is left
out too: fields the schema does not define are pruned before validation, never rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import jsonschema

from koreoctl.apiserver.fielderrors import (
    FieldError,
    forbidden,
    invalid,
    not_supported,
    required,
)
from koreoctl.apiserver.formats import supported_format

Level = Literal["root", "field", "item"]

PRESERVE = "x-kubernetes-preserve-unknown-fields"
EMBEDDED = "x-kubernetes-embedded-resource"
INT_OR_STRING = "x-kubernetes-int-or-string"
CEL_RULES = "x-kubernetes-validations"
ROOT_FIELDS = ("apiVersion", "kind", "metadata")

_TYPES = ("array", "boolean", "integer", "number", "object", "string")
_UNSUPPORTED = ("id", "additionalItems", "patternProperties", "definitions", "dependencies", "$ref")
_MISSING_TYPE = {
    "root": "must not be empty at the root",
    "item": "must not be empty for specified array items",
    "field": "must not be empty for specified object fields",
}
_PASSED_THROUGH = (
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
    EMBEDDED,
)
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def schema_problems(openapi: Any, field: str) -> tuple[FieldError, ...]:
    """Why a server would refuse ``openapi`` (a version's schema, found at ``field``), sorted."""
    problems = set(_structural(openapi, "root", field))
    if not problems:
        problems.update(_json_schema_problems(openapi, field))
    return tuple(sorted(problems))


def to_json_schema(openapi: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) a version's ``openAPIV3Schema`` means."""
    schema: dict[str, Any] = _translate(openapi)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        properties.pop("metadata", None)
    if isinstance(schema.get("required"), list):
        schema["required"] = [name for name in schema["required"] if name not in ROOT_FIELDS]
    return schema


def has_cel_rules(openapi: Any) -> bool:
    """Whether ``x-kubernetes-validations`` appears anywhere in the schema."""
    if isinstance(openapi, Mapping):
        return CEL_RULES in openapi or any(has_cel_rules(value) for value in openapi.values())
    if isinstance(openapi, list):
        return any(has_cel_rules(item) for item in openapi)
    return False


# --- structural rules ------------------------------------------------------------------------


def _structural(node: Any, level: Level, field: str) -> Iterator[FieldError]:
    if not isinstance(node, Mapping):
        yield invalid(field, _shown(node), "must be a schema object")
        return
    yield from _forbidden_keywords(node, field)
    yield from _type_problems(node, level, field)
    yield from _object_problems(node, level, field)
    yield from _array_problems(node, field)
    yield from _extension_problems(node, field)
    yield from _value_validations(node, field)
    if level == "root":
        yield from _root_problems(node, field)
    yield from _children(node, field)


def _children(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            yield from _structural(child, "field", f"{field}.properties[{name}]")
    elif properties is not None:
        yield invalid(f"{field}.properties", _shown(properties), "must be an object")
    if isinstance(node.get("items"), Mapping):
        yield from _structural(node["items"], "item", f"{field}.items")
    if isinstance(node.get("additionalProperties"), Mapping):
        yield from _structural(
            node["additionalProperties"], "field", f"{field}.additionalProperties"
        )


def _forbidden_keywords(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    for keyword in _UNSUPPORTED:
        if keyword in node:
            yield forbidden(f"{field}.{keyword}", f"{keyword} is not supported")
    if node.get("uniqueItems") is True:
        detail = "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
        yield forbidden(f"{field}.uniqueItems", detail)
    if isinstance(node.get("items"), list):
        yield forbidden(f"{field}.items", "items must be a schema object and not an array")


def _type_problems(node: Mapping[str, Any], level: Level, field: str) -> Iterator[FieldError]:
    kind = node.get("type")
    if kind == "null":
        yield forbidden(
            f"{field}.type", "type cannot be set to null, use nullable as an alternative"
        )
    elif kind is not None and kind not in _TYPES:
        yield not_supported(f"{field}.type", _shown(kind), _TYPES)
    if node.get(EMBEDDED) is True and kind != "object":
        detail = "must be object if x-kubernetes-embedded-resource is true"
        yield invalid(f"{field}.type", kind, detail) if kind else required(f"{field}.type", detail)
    elif not kind and node.get(INT_OR_STRING) is not True and node.get(PRESERVE) is not True:
        yield required(f"{field}.type", _MISSING_TYPE[level])
    if level == "root" and kind and kind != "object":
        yield invalid(f"{field}.type", _shown(kind), "must be object at the root")


def _object_problems(node: Mapping[str, Any], level: Level, field: str) -> Iterator[FieldError]:
    extra, where = node.get("additionalProperties"), f"{field}.additionalProperties"
    if extra is not None and level == "root":
        yield forbidden(where, "must not be used at the root")
    if node.get("properties") and (extra is False or isinstance(extra, Mapping)):
        yield forbidden(where, "additionalProperties and properties are mutual exclusive")
    if extra is not None and node.get(EMBEDDED) is True:
        yield forbidden(where, "must not be used if x-kubernetes-embedded-resource is set")
    if node.get(EMBEDDED) is True and node.get(PRESERVE) is not True and not node.get("properties"):
        detail = (
            "must not be empty if x-kubernetes-embedded-resource is true "
            "without x-kubernetes-preserve-unknown-fields"
        )
        yield required(f"{field}.properties", detail)


def _array_problems(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    if node.get("type") == "array" and node.get("items") is None:
        yield required(f"{field}.items", "must be specified")


def _extension_problems(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    if node.get(PRESERVE) is False:
        yield invalid(f"{field}.{PRESERVE}", False, "must be true or undefined")
    if node.get(INT_OR_STRING) is True:
        for extension in (PRESERVE, EMBEDDED):
            if node.get(extension) is True:
                detail = "must be false if x-kubernetes-int-or-string is true"
                yield invalid(f"{field}.{extension}", True, detail)


def _value_validations(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    """``pattern`` and the junctors: only value validations may appear under the latter."""
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as error:
            detail = f"must be a valid regular expression, but isn't: {error}"
            yield invalid(f"{field}.pattern", pattern, detail)
    for junctor in _JUNCTORS:
        branches = node.get(junctor)
        if not isinstance(branches, list) or _is_int_or_string_pattern(node, junctor):
            continue
        for index, branch in enumerate(branches):
            yield from _nested(branch, f"{field}.{junctor}[{index}]")
    if "not" in node:
        yield from _nested(node["not"], f"{field}.not")


def _is_int_or_string_pattern(node: Mapping[str, Any], junctor: str) -> bool:
    """``anyOf: [{type: integer}, {type: string}]``: the int-or-string spelling that may
    carry types (the server also allows it as ``allOf[0]``, which reaches here as anyOf)."""
    return junctor == "anyOf" and bool(node.get("anyOf") == _INT_OR_STRING_ANY_OF)


def _nested(node: Any, field: str) -> Iterator[FieldError]:
    if not isinstance(node, Mapping):
        yield invalid(field, _shown(node), "must be a schema object")
        return
    for keyword, detail in (
        ("type", "must be empty to be structural"),
        ("additionalProperties", "must be undefined to be structural"),
        ("default", "must be undefined to be structural"),
        ("title", "must be empty to be structural"),
        ("description", "must be empty to be structural"),
    ):
        if keyword in node:
            yield forbidden(f"{field}.{keyword}", detail)
    for keyword in ("nullable", PRESERVE, EMBEDDED, INT_OR_STRING):
        if node.get(keyword) is True:
            yield forbidden(f"{field}.{keyword}", "must be false to be structural")
    yield from _value_validations(node, field)
    yield from _nested_children(node, field)


def _nested_children(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for name, child in properties.items():
            yield from _nested(child, f"{field}.properties[{name}]")
    if isinstance(node.get("items"), Mapping):
        yield from _nested(node["items"], f"{field}.items")


def _root_problems(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    if node.get("nullable") is True:
        yield forbidden(f"{field}.nullable", "nullable cannot be true at the root")
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return
    for name in ("apiVersion", "kind"):
        child = properties.get(name)
        if isinstance(child, Mapping) and child.get("type") != "string":
            yield invalid(
                f"{field}.properties[{name}].type", _shown(child.get("type")), "must be string"
            )
    if isinstance(properties.get("metadata"), Mapping):
        yield from _root_metadata(properties["metadata"], f"{field}.properties[metadata]")


def _root_metadata(node: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    """A CRD may only restrict ``metadata.name`` and ``generateName``."""
    if node.get("type") != "object":
        yield invalid(f"{field}.type", _shown(node.get("type")), "must be object")
    properties = node.get("properties")
    names = set(properties) if isinstance(properties, Mapping) else set()
    if set(node) - {"type", "default", "properties"} or names - {"name", "generateName"}:
        detail = (
            "must not specify anything other than name and generateName, "
            "but metadata is implicitly specified"
        )
        yield forbidden(field, detail)


def _json_schema_problems(openapi: Mapping[str, Any], field: str) -> Iterator[FieldError]:
    try:
        jsonschema.Draft202012Validator.check_schema(to_json_schema(openapi))
    except jsonschema.SchemaError as error:
        where = field + _schema_path(tuple(error.absolute_path))
        yield invalid(where, _shown(error.instance), error.message.splitlines()[0])


def _schema_path(parts: tuple[Any, ...]) -> str:
    text, after_properties = "", False
    for part in parts:
        if isinstance(part, int) or after_properties:
            text += f"[{part}]"
        else:
            text += f".{part}"
        after_properties = part == "properties" and not after_properties
    return text


def _shown(value: Any) -> Any:
    """A schema value shown as a bad value (a missing one as ``""``, as Go's zero value)."""
    return "" if value is None else value


# --- translation -----------------------------------------------------------------------------


def _translate(node: Any) -> Any:
    if not isinstance(node, Mapping):
        return node  # left for check_schema to report
    out: dict[str, Any] = {key: node[key] for key in _PASSED_THROUGH if key in node}
    _translate_type(node, out)
    _translate_bounds(node, out)
    _translate_format(node, out)
    properties = node.get("properties")
    if properties is not None:
        out["properties"] = (
            {name: _translate(child) for name, child in properties.items()}
            if isinstance(properties, Mapping)
            else properties
        )
    for keyword in ("items", "not"):
        if keyword in node:
            out[keyword] = _translate(node[keyword])
    if isinstance(node.get("additionalProperties"), Mapping):
        out["additionalProperties"] = _translate(node["additionalProperties"])
    for junctor in _JUNCTORS:
        if junctor in node:
            branches = node[junctor]
            out[junctor] = (
                [_translate(b) for b in branches] if isinstance(branches, list) else branches
            )
    return out


def _translate_type(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    types: list[Any] = []
    if node.get(INT_OR_STRING) is True:
        types = ["integer", "string"]
    elif node.get("type") is not None:
        types = [node["type"]]
    if types and node.get("nullable") is True:
        types.append("null")
    if types:
        out["type"] = types[0] if len(types) == 1 else types


def _translate_bounds(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    """OpenAPI 3.0's boolean exclusiveMinimum/Maximum → JSON Schema's numeric ones."""
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if node.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)


def _translate_format(node: Mapping[str, Any], out: dict[str, Any]) -> None:
    """Keep a format only where the server does (it decides by the schema's single type)."""
    name = node.get("format")
    single = None if node.get(INT_OR_STRING) is True else node.get("type")
    if isinstance(name, str) and name and supported_format(name, single):
        out["format"] = name
