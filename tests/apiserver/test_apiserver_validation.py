"""Writes of a CRD kind, validated as a real API server validates them.

Every expected message was written by hand from the Kubernetes sources: kube-openapi's
validator messages (``<f> in body should be ...``), apiextensions-apiserver's conversion of
them to field errors (``Required value``, ``Unsupported value``, ``Too many``, ``Too long``,
``<nil>`` for anyOf/oneOf/allOf/not) and apimachinery's ``field.Error`` and ``NewInvalid``
formatting (``Kind.group "name" is invalid: [a, b]``). Errors are sorted by field.
"""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.apiserver import Accepted, ObjectRef, Rejected

from .apiserver_fixtures import WIDGET_REF, gadget, server, widget

PREFIX = 'Widget.example.koreoctl.dev "w" is invalid: '


def rejected(*errors: str) -> Rejected:
    detail = errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"
    return Rejected(422, "Invalid", PREFIX + detail)


REJECTED: list[tuple[str, dict[str, Any], Rejected]] = [
    (
        "wrong type",
        {"replicas": "three"},
        rejected(
            'spec.replicas: Invalid value: "string": '
            'spec.replicas in body must be of type integer: "string"'
        ),
    ),
    ("required field missing", {"image": ...}, rejected("spec.image: Required value")),
    (
        "several errors, sorted by field",
        {"replicas": "three", "image": ...},
        rejected(
            "spec.image: Required value",
            'spec.replicas: Invalid value: "string": '
            'spec.replicas in body must be of type integer: "string"',
        ),
    ),
    (
        "a null required field is dropped, so it is missing",
        {"image": None},
        rejected("spec.image: Required value"),
    ),
    (
        "below minimum",
        {"replicas": 0},
        rejected(
            "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or "
            "equal to 1"
        ),
    ),
    (
        "above maximum",
        {"replicas": 11},
        rejected(
            "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal "
            "to 10"
        ),
    ),
    (
        "a fractional number is no integer",
        {"replicas": 2.5},
        rejected(
            'spec.replicas: Invalid value: "number": '
            'spec.replicas in body must be of type integer: "number"'
        ),
    ),
    (
        "too short (the pattern is not reported too: the server stops at the first)",
        {"image": "AB"},
        rejected(
            'spec.image: Invalid value: "AB": spec.image in body should be at least 3 chars long'
        ),
    ),
    (
        "pattern",
        {"image": "NGINX"},
        rejected(
            'spec.image: Invalid value: "NGINX": spec.image in body should match '
            "'^[a-z0-9./:-]+$'"
        ),
    ),
    (
        "too long",
        {"image": "a" * 41},
        rejected("spec.image: Too long: may not be more than 40 bytes"),
    ),
    (
        "enum",
        {"tier": "medium"},
        rejected('spec.tier: Unsupported value: "medium": supported values: "small", "large"'),
    ),
    (
        "nullable field with a value of the wrong type",
        {"owner": 5},
        rejected(
            'spec.owner: Invalid value: "integer": spec.owner in body must be of type string: '
            '"integer"'
        ),
    ),
    (
        "int-or-string",
        {"port": True},
        rejected(
            'spec.port: Invalid value: "boolean": '
            'spec.port in body must be of type integer,string: "boolean"'
        ),
    ),
    (
        "exclusive maximum, integer value",
        {"ratio": 1},
        rejected("spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1"),
    ),
    (
        "exclusive maximum, float value",
        {"ratio": 1.5},
        rejected("spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1"),
    ),
    (
        "minimum of a number",
        {"ratio": -0.5},
        rejected(
            "spec.ratio: Invalid value: -0.5: spec.ratio in body should be greater than or equal "
            "to 0"
        ),
    ),
    (
        "string format",
        {"contact": "nobody"},
        rejected(
            'spec.contact: Invalid value: "nobody": spec.contact in body must be of type email: '
            '"nobody"'
        ),
    ),
    (
        "date-time format",
        {"since": "yesterday"},
        rejected(
            'spec.since: Invalid value: "yesterday": '
            'spec.since in body must be of type date-time: "yesterday"'
        ),
    ),
    (
        "int32 range",
        {"size": 2**32},
        rejected(
            '<nil>: Invalid value: "": Checked value must be of type integer with format int32 in '
            "spec.size"
        ),
    ),
    (
        "multipleOf",
        {"size": 3},
        rejected("spec.size: Invalid value: 3: spec.size in body should be a multiple of 2"),
    ),
    (
        "allOf, one branch failing",
        {"budget": 7},
        rejected(
            '<nil>: Invalid value: "": "spec.budget" must validate all the schemas (allOf)',
            "spec.budget: Invalid value: 7: spec.budget in body should be a multiple of 5",
        ),
    ),
    (
        "allOf, every branch failing",
        {"budget": -3},
        rejected(
            '<nil>: Invalid value: "": "spec.budget" must validate all the schemas (allOf). '
            "None validated",
            "spec.budget: Invalid value: -3: spec.budget in body should be a multiple of 5",
            "spec.budget: Invalid value: -3: spec.budget in body should be greater than or equal "
            "to 0",
        ),
    ),
    (
        "not",
        {"codename": "admin"},
        rejected('<nil>: Invalid value: "": "spec.codename" must not validate the schema (not)'),
    ),
    (
        "oneOf, none valid: the first branch's errors come along",
        {"source": {}},
        rejected(
            '<nil>: Invalid value: "": "spec.source" must validate one and only one schema '
            "(oneOf). "
            "Found none valid",
            "spec.source.git: Required value",
        ),
    ),
    (
        "oneOf, two valid",
        {"source": {"git": "g", "image": "i"}},
        rejected(
            '<nil>: Invalid value: "": "spec.source" must validate one and only one schema '
            "(oneOf). "
            "Found 2 valid alternatives"
        ),
    ),
    (
        "anyOf",
        {"window": {}},
        rejected(
            '<nil>: Invalid value: "": "spec.window" must validate at least one schema (anyOf)',
            "spec.window.start: Required value",
        ),
    ),
    (
        "minItems",
        {"ports": []},
        rejected("spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items"),
    ),
    (
        "maxItems",
        {"ports": [{"port": 1}, {"port": 2}, {"port": 3}, {"port": 4}]},
        rejected("spec.ports: Too many: 4: must have at most 3 items"),
    ),
    (
        "errors inside array items",
        {"ports": [{"port": 0}, {"name": 1, "port": 80}]},
        rejected(
            "spec.ports[0].port: Invalid value: 0: "
            "spec.ports[0].port in body should be greater than or equal to 1",
            'spec.ports[1].name: Invalid value: "integer": '
            'spec.ports[1].name in body must be of type string: "integer"',
        ),
    ),
    (
        "required inside an array item",
        {"ports": [{}]},
        rejected("spec.ports[0].port: Required value"),
    ),
    (
        "enum inside an array item",
        {"ports": [{"port": 80, "protocol": "SCTP"}]},
        rejected(
            'spec.ports[0].protocol: Unsupported value: "SCTP": supported values: "TCP", "UDP"'
        ),
    ),
    (
        "an array item that is null",
        {"ports": [None]},
        rejected(
            'spec.ports[0]: Invalid value: "null": spec.ports[0] in body must be of type object: '
            '"null"'
        ),
    ),
    (
        "maxProperties",
        {"labels": {"a": "1", "b": "2", "c": "3"}},
        rejected("spec.labels: Too many: 3: must have at most 2 items"),
    ),
    (
        "additionalProperties values",
        {"labels": {"a": 1}},
        rejected(
            'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type '
            'string: "integer"'
        ),
    ),
    (
        "int-or-string map values",
        {"resources": {"limits": {"cpu": 1.5}}},
        rejected(
            'spec.resources.limits.cpu: Invalid value: "number": '
            'spec.resources.limits.cpu in body must be of type integer,string: "number"'
        ),
    ),
    (
        "a known field below preserve-unknown-fields is still validated",
        {"config": {"mode": 5, "anything": {"goes": True}}},
        rejected(
            'spec.config.mode: Invalid value: "integer": spec.config.mode in body must be of type '
            'string: "integer"'
        ),
    ),
    (
        "an embedded resource needs apiVersion and kind",
        {"template": {"spec": {}}},
        rejected("spec.template.apiVersion: Required value", "spec.template.kind: Required value"),
    ),
    (
        "an embedded resource's kind must not be empty",
        {"template": {"apiVersion": "v1", "kind": ""}},
        rejected('spec.template.kind: Invalid value: "": must not be empty'),
    ),
    (
        "an embedded resource's apiVersion must be a string",
        {"template": {"apiVersion": 1, "kind": "Pod"}},
        rejected("spec.template.apiVersion: Invalid value: 1: must be a string"),
    ),
    (
        "type and enum errors both",
        {"tier": 3},
        rejected(
            'spec.tier: Invalid value: "integer": spec.tier in body must be of type string: '
            '"integer"',
            'spec.tier: Unsupported value: 3: supported values: "small", "large"',
        ),
    ),
]


@pytest.mark.parametrize(
    ("spec", "expected"), [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED]
)
def test_rejected_create(spec: dict[str, Any], expected: Rejected) -> None:
    api = server()
    assert api.create(widget(**spec)) == expected
    assert api.get(WIDGET_REF) is None
    (write,) = api.writes()
    assert (write.verb, write.ref, write.result) == ("create", WIDGET_REF, expected)


ACCEPTED: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("the minimal valid object (tier defaults before validation)", {}, ()),
    ("an integral float is an integer", {"replicas": 2.0}, ()),
    ("int-or-string, a string", {"port": "http"}, ()),
    ("int-or-string, an integer", {"port": 8080}, ()),
    ("nullable field set to null", {"owner": None}, ()),
    ("a null non-nullable field without default is dropped", {"codename": None}, ()),
    ("exclusive bounds", {"ratio": 0.999}, ()),
    ("formats", {"contact": "a@example.dev", "since": "2024-05-01T10:00:00Z", "size": 4}, ()),
    ("oneOf, exactly one", {"source": {"git": "https://x"}}, ()),
    ("anyOf, both", {"window": {"start": 1, "end": 2}}, ()),
    ("allOf", {"budget": 10}, ()),
    (
        "preserved subtree",
        {"config": {"mode": "fast", "deep": {"x": [1, {"y": None}]}}},
        (),
    ),
    (
        "embedded resource with unknown fields",
        {"template": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": []}}},
        (),
    ),
    ("unknown field, warned", {"bogus": 1}, ('unknown field "spec.bogus"',)),
    (
        "unknown fields in nested objects and array items, sorted",
        {"resources": {"gpu": 1}, "ports": [{"port": 80, "tls": True}]},
        ('unknown field "spec.ports[0].tls"', 'unknown field "spec.resources.gpu"'),
    ),
    (
        "an unknown field's own problems are not reported",
        {"bogus": {"replicas": "x"}},
        ('unknown field "spec.bogus"',),
    ),
]


@pytest.mark.parametrize(
    ("spec", "warnings"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_accepted_create(spec: dict[str, Any], warnings: tuple[str, ...]) -> None:
    api = server()
    result = api.create(widget(**spec))
    assert isinstance(result, Accepted), result
    assert result.warnings == warnings
    stored = api.get(WIDGET_REF)
    assert stored is not None and stored["spec"] == widget(**spec)["spec"]  # stored as sent


def test_unknown_metadata_fields_are_warned_about() -> None:
    obj = widget()
    obj["metadata"]["colour"] = "red"
    obj["metadata"]["labels"] = {"a": "b"}
    result = server().create(obj)
    assert isinstance(result, Accepted)
    assert result.warnings == ('unknown field "metadata.colour"',)


def test_status_is_validated_too() -> None:
    api = server()
    result = api.create({**widget(), "status": "ready"})
    assert result == rejected(
        'status: Invalid value: "string": status in body must be of type object: "string"'
    )


def test_a_patch_is_validated_as_the_object_it_makes() -> None:
    api = server()
    api.create(widget())
    result = api.patch(WIDGET_REF, {"spec": {"replicas": 20}})
    assert result == rejected(
        "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10"
    )
    stored = api.get(WIDGET_REF)
    assert stored is not None and stored["spec"]["replicas"] == 2


def test_a_namespaced_kind_needs_a_namespace() -> None:
    result = server().create(widget(namespace=None, replicas="x"))
    assert result == rejected(
        "metadata.namespace: Required value",
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: '
        '"string"',
    )


def test_a_cluster_scoped_kind_must_not_have_a_namespace() -> None:
    api = server()
    assert api.create(gadget(namespace="ns")) == Rejected(
        422,
        "Invalid",
        'Gadget.example.koreoctl.dev "g" is invalid: '
        "metadata.namespace: Forbidden: not allowed on this type",
    )
    assert isinstance(api.create(gadget()), Accepted)


@pytest.mark.parametrize("version", ["v1beta1", "v2"])
def test_a_version_the_crd_does_not_serve_is_not_found(version: str) -> None:
    api = server()
    obj = {**widget(), "apiVersion": f"example.koreoctl.dev/{version}"}
    assert api.create(obj) == Rejected(
        404,
        "NotFound",
        "the server could not find the requested resource "
        f'(version "{version}" of widgets.example.koreoctl.dev is not served)',
    )
    assert api.objects() == ()


def test_kinds_without_a_crd_are_not_validated() -> None:
    api = server()
    odd = {
        "apiVersion": "other.example.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"replicas": "lots", "anything": [None]},
    }
    result = api.create(odd)
    assert isinstance(result, Accepted) and result.warnings == ()
    assert api.get(ObjectRef("other.example.dev/v1", "Widget", None, "w")) is not None
