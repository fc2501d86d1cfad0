"""jsonschema with the API server's semantics, and its errors in the API server's words.

The server validates with kube-openapi, which differs from plain JSON Schema in a few
keywords; ``KubeValidator`` (a jsonschema validator class) replaces those:

* ``type``: a float with an integral value is an integer; with a ``format``, a mismatching
  non-string value is reported against the format;
* ``required``: reported at the missing field (``spec.image: Required value``);
* ``enum``: a null value never matches, not even in a nullable field;
* ``format``: strings are checked against the format; ``int32``/``int64``/``float`` bound
  numbers;
* ``anyOf``, ``oneOf``, ``allOf``: a failure is reported as a whole (``<nil>: Invalid value:
  "": "spec" must validate at least one schema (anyOf)``) and with the errors of the branch
  that came closest;
* ``x-kubernetes-embedded-resource``: the object needs ``apiVersion`` and ``kind`` strings.

Of a string's ``maxLength``, ``minLength`` and ``pattern`` only the first failing one is
reported, as the server stops there. ``violations`` returns every error as a ``FieldError``,
sorted by field and without repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jsonschema
from jsonschema import ValidationError

from koreoctl.apiserver.fielderrors import (
    NIL_FIELD,
    FieldError,
    go_float,
    go_quote,
    invalid,
    not_supported,
    required,
    too_long,
    too_many,
)
from koreoctl.apiserver.formats import FLOAT32_MAX, INT_RANGES, valid_string
from koreoctl.apiserver.jsonvalues import same_json
from koreoctl.apiserver.openapi import EMBEDDED
from koreoctl.apiserver.pruning import field_path

FindingKind = Literal[
    "required", "body", "plain", "unsupported", "too-long", "too-many", "composite", "checked"
]
_STRING_RULES = {"maxLength": 0, "minLength": 1, "pattern": 2}


@dataclass(frozen=True)
class Finding:
    """A violation before its field is known: the kind of field error, bad value and detail.

    ``body`` errors read ``<f>: Invalid value: <v>: <f> in body <detail>`` (kube-openapi's
    wording); ``plain`` ones ``<f>: Invalid value: <v>: <detail>``; ``composite`` and
    ``checked`` ones name no field, as the server prints them.
    """

    kind: FindingKind
    value: Any = ""
    detail: Any = ""

    def at(self, field: str) -> FieldError:
        """The field error this finding is at ``field``."""
        match self.kind:
            case "required":
                return required(field)
            case "body":
                return invalid(field, self.value, f"{field} in body {self.detail}")
            case "plain":
                return invalid(field, self.value, self.detail)
            case "unsupported":
                return not_supported(field, self.value, self.detail)
            case "too-long":
                return too_long(field, self.detail)
            case "too-many":
                return too_many(field, self.value, self.detail)
            case "composite":
                return invalid(NIL_FIELD, "", f"{go_quote(field)} {self.detail}")
            case "checked":
                return invalid(NIL_FIELD, "", f"{self.detail} in {field}")


def violations(validator: Any, instance: Any) -> tuple[FieldError, ...]:
    """Every violation of ``instance``, sorted by field, each once."""
    errors = _first_string_errors(validator.iter_errors(instance))
    return tuple(sorted({describe(error) for error in errors}))


def describe(error: ValidationError) -> FieldError:
    """One jsonschema error as the server's field error."""
    finding = error.validator_value
    if not isinstance(finding, Finding):
        finding = _native(error)
    return finding.at(field_path(tuple(error.absolute_path)))


def _first_string_errors(errors: Iterable[ValidationError]) -> list[ValidationError]:
    kept: list[ValidationError] = []
    first: dict[tuple[Any, ...], ValidationError] = {}
    for error in errors:
        if error.validator not in _STRING_RULES:
            kept.append(error)
            continue
        key = (tuple(error.absolute_path), id(error.schema))
        held = first.get(key)
        if held is None or _STRING_RULES[str(error.validator)] < _STRING_RULES[str(held.validator)]:
            first[key] = error
    return kept + list(first.values())


_COMPARISONS = {
    "minimum": "greater than or equal to",
    "maximum": "less than or equal to",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}


def _native(error: ValidationError) -> Finding:
    """A Finding for a keyword jsonschema checks the way the server does."""
    rule, bound, value = str(error.validator), error.validator_value, error.instance
    if rule in _COMPARISONS:
        return Finding("body", value, f"should be {_COMPARISONS[rule]} {_bound(bound, value)}")
    if rule == "multipleOf":
        return Finding("body", value, f"should be a multiple of {_bound(bound, value)}")
    if rule in ("maxLength", "maxItems", "maxProperties"):
        return _too_big(rule, value, bound)
    texts = {
        "minLength": (value, f"should be at least {bound} chars long"),
        "minItems": (_size(value), f"should have at least {bound} items"),
        "minProperties": (_size(value), f"should have at least {bound} properties"),
        "pattern": (value, f"should match '{bound}'"),
        "uniqueItems": ("", "shouldn't contain duplicates"),
    }
    if rule == "not":
        return Finding("composite", detail="must not validate the schema (not)")
    shown, detail = texts.get(rule, (value, error.message))
    return Finding("body", shown, detail)


def _too_big(rule: str, value: Any, limit: Any) -> Finding:
    """maxLength is "Too long" (the value left out); maxItems/maxProperties "Too many"."""
    if rule == "maxLength":
        return Finding("too-long", detail=limit)
    return Finding("too-many", _size(value), limit)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, Mapping | list | str) else 0


def _bound(bound: Any, value: Any) -> str:
    """A bound as the server prints it: as an integer when checking an integer (truncated,
    as Go's ``int64(bound)``), else as a float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(bound))
    return go_float(float(bound))


# --- keywords with the server's semantics ------------------------------------------------


def _error(finding: Finding, *, path: Iterable[str] = ()) -> ValidationError:
    return ValidationError(str(finding.detail), path=path, validator_value=finding)


def _json_type(value: Any) -> tuple[str, str]:
    """The JSON type of a value and the format the server's decoder gives it."""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return "integer", "int64"
    if isinstance(value, float):
        return "number", "float64"
    names = ((str, "string"), (list, "array"), (Mapping, "object"))
    return next((name for kind, name in names if isinstance(value, kind)), "object"), ""


def _type(validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    expected = [types] if isinstance(types, str) else list(types)
    if instance is None:
        if "null" not in expected:
            yield _error(_type_finding(expected, "null"))
        return
    actual, decoded = _json_type(instance)
    matches = (
        actual in expected
        or (actual == "number" and float(instance).is_integer() and "integer" in expected)
        or (actual == "integer" and "number" in expected)
    )
    form = schema.get("format", "")
    textual = isinstance(instance, str | list)
    if form and not textual and not (matches or decoded == form):
        yield _error(_type_finding([form], decoded))
    elif not (form and textual and not {"number", "integer"} & set(expected)) and not matches:
        yield _error(_type_finding(expected, actual))


def _type_finding(expected: list[str], actual: str) -> Finding:
    name = ",".join(kind for kind in expected if kind != "null")
    return Finding("body", actual, f"must be of type {name}: {go_quote(actual)}")


def _required(validator: Any, names: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if isinstance(instance, Mapping):
        for name in names:
            if name not in instance:
                yield _error(Finding("required"), path=(name,))


def _enum(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if instance is None or not any(v is not None and same_json(instance, v) for v in allowed):
        yield _error(Finding("unsupported", instance, tuple(allowed)))


def _format(validator: Any, name: str, instance: Any, schema: Any) -> Iterator[Any]:
    if isinstance(instance, str):
        if not valid_string(name, instance):
            yield _error(Finding("body", instance, f"must be of type {name}: {go_quote(instance)}"))
        return
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return
    bounds = INT_RANGES.get(name)
    if bounds and float(instance).is_integer() and not bounds[0] <= instance <= bounds[1]:
        detail = f"Checked value must be of type integer with format {name}"
        yield _error(Finding("checked", detail=detail))
    if name == "float" and abs(instance) > FLOAT32_MAX:
        yield _error(
            Finding("checked", detail="Checked value must be of type number with format float")
        )


def _branch_errors(validator: Any, branches: Any, instance: Any) -> list[list[Any]]:
    return [
        list(validator.descend(instance, branch, schema_path=index))
        for index, branch in enumerate(branches)
    ]


def _any_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    results = _branch_errors(validator, branches, instance)
    if results and all(results):
        yield _error(Finding("composite", detail="must validate at least one schema (anyOf)"))
        yield from min(results, key=len)


def _one_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    results = _branch_errors(validator, branches, instance)
    valid = sum(1 for errors in results if not errors)
    if not results or valid == 1:
        return
    found = "Found none valid" if valid == 0 else f"Found {valid} valid alternatives"
    detail = f"must validate one and only one schema (oneOf). {found}"
    yield _error(Finding("composite", detail=detail))
    if valid == 0:
        yield from min(results, key=len)


def _all_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    results = _branch_errors(validator, branches, instance)
    failed = sum(1 for errors in results if errors)
    for errors in results:
        yield from errors
    if failed:
        none = ". None validated" if failed == len(results) else ""
        yield _error(Finding("composite", detail=f"must validate all the schemas (allOf){none}"))


def _embedded(validator: Any, flag: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if flag is not True or not isinstance(instance, Mapping):
        return
    for key in ("apiVersion", "kind"):
        if key not in instance:
            yield _error(Finding("required"), path=(key,))
        elif not isinstance(instance[key], str):
            yield _error(Finding("plain", instance[key], "must be a string"), path=(key,))
        elif not instance[key]:
            yield _error(Finding("plain", "", "must not be empty"), path=(key,))


# jsonschema's ``extend`` is untyped; the class it makes is used through ``Any``.
KubeValidator: Any = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    validators={
        "type": _type,
        "required": _required,
        "enum": _enum,
        "format": _format,
        "anyOf": _any_of,
        "oneOf": _one_of,
        "allOf": _all_of,
        EMBEDDED: _embedded,
    },
)
