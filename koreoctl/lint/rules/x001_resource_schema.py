"""X001 resource-schema: a static resource body violates the CRD of its kind.

When the project has the CRD of a ResourceFunction's (or ResourceTemplate's) apiVersion and
kind, the fields written as constants (and constant expressions such as ``="fifo"``) are
checked against its schema: wrong types, values outside an enum or bounds. The API server
would reject the resource. A field computed from inputs is checked for its type when the
expression's result type is evident from its shape (``string(x)`` and ``"a" + x`` are
strings, a comparison is a boolean, ``size(x)`` an integer); the rest is for
``koreoctl test``. Unknown fields are X002.

Failing::

    apiConfig: {apiVersion: messaging.example.dev/v1, kind: Queue, ...}
    resource:
      spec:
        maxSize: lots                    # the Queue CRD says integer
        mode: =string(inputs.mode_id)    # ... and enum [fifo, standard]: fine;
        retain: =inputs.days > 7         # ... but retain is an integer

Passing::

    resource:
      spec:
        maxSize: 100
        retain: =inputs.days
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.facts import Body, span_of
from koreoctl.lint.project import crd_schema
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "X001", "resource-schema", Severity.ERROR, "A static resource body violates its CRD.", "project"
)
UNKNOWN = Rule(
    "X002",
    "resource-unknown-field",
    Severity.WARNING,
    "A static resource body has a field its CRD does not define.",
    "project",
)
_INDEX = re.compile(r"\[(\d+)\]")
KEY = "@key"  # the suffix of a body path naming the position of the field's key


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for file, body in context.bodies:
        schema = crd_schema(context.crd_documents, body.api_version, body.kind)
        if schema is None:
            continue
        for path, message in typed_problems(schema, body):
            at = body.positions.get(path) or body.positions.get("") or (0, 0, 0, 0)
            yield Diagnostic(RULE.code, message, span_of(file, at), RULE.severity)
        if not isinstance(body.data, dict):
            continue
        key = _key(body, schema)
        violations, unknown = context.memo(key, partial(_validate, context, body))
        for rule, problems, suffix in ((RULE, violations, ""), (UNKNOWN, unknown, KEY)):
            for path, message in problems:
                at = (
                    body.positions.get(path + suffix)
                    or body.positions.get(path)
                    or body.positions.get("")
                    or (0, 0, 0, 0)
                )
                yield Diagnostic(rule.code, message, span_of(file, at), rule.severity)


def _key(body: Body, schema: Any) -> str:
    text = json.dumps([body.api_version, body.kind, body.data, schema], sort_keys=True, default=str)
    return "x001-" + hashlib.sha256(text.encode()).hexdigest()


def _validate(context: ProjectContext, body: Body) -> tuple[list[list[str]], list[list[str]]]:
    catalog = context.catalog
    crd = catalog.lookup(body.api_version, body.kind)
    version = crd.version(body.api_version.rpartition("/")[2]) if crd else None
    if crd is None or version is None:
        return [], []
    validator = catalog.validator(crd, version)
    data = _without_directives(body.data)
    obj = {**data, "apiVersion": body.api_version, "kind": body.kind}
    violations = [
        [_position(problem), f"{crd.kind} schema: {problem}{_shown(data, problem)}"]
        for problem in validator.violations(obj)
        if not problem.endswith(": Required value")  # overlays and the engine may add them
    ]
    unknown = [
        [_position(path), f"field `{path}` is not in the {crd.kind} CRD; the API server drops it"]
        for path in validator.unknown_fields(obj)
    ]
    return violations, unknown


_ACCEPTS = {
    "integer": {"int"},
    "number": {"int", "double"},
    "string": {"string", "bytes"},
    "boolean": {"bool"},
    "array": {"list"},
    "object": {"map"},
}
_NAMES = {"int": "an integer", "double": "a double", "string": "a string", "bytes": "bytes"}
_NAMES |= {"bool": "a boolean", "list": "a list", "map": "a map", "null": "null"}


def typed_problems(schema: Any, body: Body) -> Iterator[tuple[str, str]]:
    """Fields set by an expression of evident type that the CRD types otherwise."""
    for path, (kind, text) in sorted(body.typed.items()):
        field = _field_schema(schema, path)
        if field is None or _accepts(field, kind):
            continue
        expected = field.get("type")
        message = (
            f"`{path}` is set to {_NAMES.get(kind, kind)} by `{text}`, but the {body.kind} CRD "
            f"says {expected}"
        )
        yield path, message


def _field_schema(schema: Any, path: str) -> dict[str, Any] | None:
    """The schema of the field at dotted ``path``; None when the schema leaves it open
    (x-kubernetes-preserve-unknown-fields, no such field: X002 says so)."""
    node = schema
    for part in path.split(".") if path else ():
        if not isinstance(node, dict) or node.get("x-kubernetes-preserve-unknown-fields"):
            return None
        properties = node.get("properties")
        if isinstance(properties, dict) and part in properties:
            node = properties[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        elif part.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return None
    return node if isinstance(node, dict) else None


def _accepts(field: dict[str, Any], kind: str) -> bool:
    if kind == "null":
        return bool(field.get("nullable"))
    if field.get("x-kubernetes-int-or-string"):
        return kind in ("int", "string")
    expected = field.get("type")
    return expected not in _ACCEPTS or kind in _ACCEPTS[expected]


def _without_directives(data: Any) -> Any:
    """The body as sent to the API server: Koreo strips its compare directives."""
    if isinstance(data, dict):
        return {
            k: _without_directives(v) for k, v in data.items() if not str(k).startswith("x-koreo-")
        }
    if isinstance(data, list):
        return [_without_directives(item) for item in data]
    return data


def _shown(data: Any, problem: str) -> str:
    """The written value a violation is about, when the server's message does not show it
    (it names only the type of a value of the wrong type, or just the limit)."""
    path = _position(problem)
    for part in path.split(".") if path else ():
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return ""
    shown = json.dumps(data)
    if isinstance(data, dict | list) or data is None or f": {shown}" in problem:
        return ""
    return f" (the value is {shown})"


def _position(problem: str) -> str:
    """The body path (``spec.ports.0.name``) a violation or unknown field names."""
    path = problem.split(":", 1)[0]
    return _INDEX.sub(r".\1", path)
