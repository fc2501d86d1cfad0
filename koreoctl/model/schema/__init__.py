"""The JSON Schemas of the five Koreo kinds and koreoctl's own, and checking against them.

The schemas (one JSON file per kind, next to this module) are koreoctl's own, written to have
the same effect as the ``koreo.dev/v1beta1`` CRDs the reference engine validates with: the same
types, required fields, ``oneOf`` rules, limits and defaults. Like the reference (and like the
Kubernetes API server on admission), defaults are filled in before the spec is used: a missing
``update`` is ``{patch: {delay: 30}}``, a missing ``create.delay`` is 30, and so on.

Keys that a kind does not define are reported as warnings: Kubernetes would silently prune them.

koreoctl's own shapes (jsonschema here too): ``WorkflowTest`` (the ``koreoctl.dev/v1alpha1``
kind), ``ControllerRule`` (one simulated controller) and ``Observe`` (an observe file). A
schema may name another file of this folder as ``{"$ref": "ControllerRule.json"}``; it is
inlined when the schema is read, so defaults and unknown keys are found through it too.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

KINDS = ("ValueFunction", "ResourceFunction", "ResourceTemplate", "Workflow", "FunctionTest")
KOREOCTL_SCHEMAS = ("WorkflowTest", "ControllerRule", "Observe")

SpecPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation (or, with ``unknown_key``, an unknown field) at ``path`` in spec;
    ``at_key`` when it is best shown at the key holding ``path`` (a field that is missing
    from, or one too many in, the mapping there). ``koreo_message`` is the same violation
    in the words Koreo reports it with, when koreoctl knows them."""

    path: SpecPath
    message: str
    unknown_key: bool = False
    at_key: bool = False
    koreo_message: str | None = None


@cache
def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind``'s spec (other files it names by ``$ref`` inlined)."""
    text = resources.files(__name__).joinpath(f"{kind}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = _inlined(json.loads(text))
    return schema


def _inlined(schema: Any) -> Any:
    """``schema`` with every ``{"$ref": "Name.json"}`` replaced by that file's schema."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.endswith(".json") and "#" not in ref:
            named = copy.deepcopy(kind_schema(ref.removesuffix(".json")))
            named.pop("$comment", None)
            return named
        return {key: _inlined(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inlined(item) for item in schema]
    return schema


@cache
def _validator(kind: str) -> Any:
    schema = kind_schema(kind)
    return jsonschema.Draft202012Validator(schema)


def check_spec(kind: str, spec: Any, root: str = "spec") -> tuple[Any, tuple[SchemaProblem, ...]]:
    """Validate ``spec`` of ``kind``: (the spec with defaults filled in, problems found).

    ``root`` names the value checked in messages (``spec.steps[0]``); "" for a document
    checked whole (``controllers[0].match``)."""
    schema = kind_schema(kind)
    errors = sorted(_validator(kind).iter_errors(spec), key=_error_order)
    problems = [_problem(error, root) for error in errors]
    ignored = "koreoctl ignores it" if kind in KOREOCTL_SCHEMAS else "Kubernetes would drop it"
    problems.extend(_unknown_keys(schema, spec, (), root, ignored))
    return apply_defaults(schema, spec), tuple(problems)


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """A copy of ``value`` with every missing property that has a ``default`` filled in."""
    if isinstance(value, dict) and "properties" in schema:
        filled = dict(value)
        for name, sub in schema["properties"].items():
            if name not in filled and "default" in sub:
                filled[name] = copy.deepcopy(sub["default"])
            if name in filled:
                filled[name] = apply_defaults(sub, filled[name])
        return filled
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(schema["items"], item) for item in value]
    return value


def _error_order(error: Any) -> tuple[Any, ...]:
    return (tuple(str(p) for p in error.absolute_path), error.validator)


def _problem(error: Any, root: str) -> SchemaProblem:
    path = tuple(error.absolute_path)
    message = _message(error, path, root)
    koreo_message = _koreo_message(error, path)
    if error.validator in ("oneOf", "anyOf") and isinstance(error.instance, dict):
        names = {name for sub in error.validator_value for name in sub.get("required", [])}
        present = [key for key in error.instance if key in names]
        if len(present) > 1:  # one too many: shown at the later of them
            where = (*path, present[-1])
            return SchemaProblem(where, message, at_key=True, koreo_message=koreo_message)
    at_key = error.validator in ("required", "oneOf", "anyOf") or error.instance is None
    return SchemaProblem(path, message, at_key=at_key, koreo_message=koreo_message)


def _message(error: Any, path: SpecPath, root: str) -> str:
    where = _dotted(path, root)
    rule = error.validator
    if rule == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return f"{where} is missing required field {_names(missing)}"
    if rule == "type":
        return (
            f"{where} must be {_article(error.validator_value)}, not {_json_type(error.instance)}"
        )
    if rule in ("oneOf", "anyOf"):
        return _choice_message(error, where)
    if rule == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"{where} is {error.instance!r}; expected one of {allowed}"
    if rule == "maxItems":
        return f"{where} has {len(error.instance)} items; at most {error.validator_value} allowed"
    if rule == "minItems":
        return f"{where} needs at least {error.validator_value} item(s)"
    if rule == "maxProperties":
        limit = error.validator_value
        return f"{where} must be empty" if limit == 0 else f"{where} allows at most {limit} keys"
    if rule in ("minLength", "maxLength"):
        return f"{where} ({error.instance!r}) {error.message.split(' is ', 1)[-1]}"
    return f"{where}: {error.message}"


def _koreo_message(error: Any, path: SpecPath) -> str | None:
    """The violation as Koreo reports it: fastjsonschema's message, after the failing rule's
    definition, with fastjsonschema's name for the spec (``data``) shown as ``spec``; None
    for a rule whose wording koreoctl does not know."""
    name = "data" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    text = _fastjsonschema_text(error, name)
    if text is None:
        return None
    return f"{error.validator_value} {text}".replace("data.", "spec.").replace("data ", "spec ")


_LIMITS = {
    "minItems": "must contain at least {} items",
    "maxItems": "must contain less than or equal to {} items",
    "minProperties": "must contain at least {} properties",
    "maxProperties": "must contain less than or equal to {} properties",
    "minLength": "must be longer than or equal to {} characters",
    "maxLength": "must be shorter than or equal to {} characters",
    "minimum": "must be bigger than or equal to {}",
    "maximum": "must be smaller than or equal to {}",
}


def _fastjsonschema_text(error: Any, name: str) -> str | None:
    rule, value = error.validator, error.validator_value
    if rule in _LIMITS:
        return f"{name} {_LIMITS[rule].format(value)}"
    if rule == "required":
        missing = sorted(set(value) - set(error.instance))
        return f"{name} must contain {missing} properties"
    if rule == "type":
        return f"{name} must be {' or '.join(value if isinstance(value, list) else [value])}"
    if rule == "enum":
        return f"{name} must be one of {value}"
    if rule == "anyOf":
        return f"{name} cannot be validated by any definition"
    if rule == "oneOf":  # fastjsonschema stops counting at two
        matches = sum(
            jsonschema.Draft202012Validator(sub).is_valid(error.instance) for sub in value
        )
        return f"{name} must be valid exactly by one definition ({min(matches, 2)} matches found)"
    return None


def _choice_message(error: Any, where: str) -> str:
    options = [sub.get("required", []) for sub in error.validator_value]
    names = [name for option in options for name in option]
    present = [
        name for name in names if isinstance(error.instance, dict) and name in error.instance
    ]
    if error.validator == "anyOf":
        return f"{where} needs at least one of {_names(names, 'or')}"
    if present:
        return f"{where} may have only one of {_names(names, 'or')} (found {_names(present)})"
    return f"{where} needs exactly one of {_names(names, 'or')}"


def _unknown_keys(
    schema: dict[str, Any], value: Any, path: SpecPath, root: str, ignored: str
) -> list[SchemaProblem]:
    problems: list[SchemaProblem] = []
    if isinstance(value, dict) and "properties" in schema:
        known = schema["properties"]
        preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
        for key, sub_value in value.items():
            if key in known:
                problems.extend(_unknown_keys(known[key], sub_value, (*path, key), root, ignored))
            elif not preserve:
                message = f"unknown field {_dotted((*path, key), root)}; {ignored}"
                problems.append(SchemaProblem((*path, key), message, unknown_key=True))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problems.extend(_unknown_keys(schema["items"], item, (*path, index), root, ignored))
    return problems


def _dotted(path: SpecPath, root: str = "spec") -> str:
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return f"`{text or 'the document'}`"


def _names(names: list[str], joiner: str = "and") -> str:
    quoted = [f"`{name}`" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def _article(type_name: Any) -> str:
    if isinstance(type_name, list):
        return " or ".join(_article(t) for t in type_name)
    return {"object": "an object", "array": "a list", "integer": "an integer"}.get(
        type_name, f"a {type_name}"
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return f"a string ({value!r})" if isinstance(value, str) else type(value).__name__
