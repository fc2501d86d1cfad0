"""A CRD version's schema compiled on its own: translation, review, and kube-openapi's quirks.

The messages follow kube-openapi's validator and apiextensions-apiserver's field errors; the
quirks tested here are the server's, kept on purpose (see checker.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.apiserver import Validator
from koreoctl.apiserver.openapi import to_json_schema


def validator(**properties: Any) -> Validator:
    return Validator({"type": "object", "properties": properties})


def problems(validator: Validator, **fields: Any) -> tuple[str, ...]:
    return validator.violations({"apiVersion": "x.dev/v1", "kind": "X", **fields})


def test_translation_to_json_schema() -> None:
    openapi = {
        "type": "object",
        "required": ["spec", "metadata", "kind"],
        "properties": {
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {
                        "type": "string",
                        "nullable": True,
                        "format": "email",
                        "description": "x",
                    },
                    "port": {"x-kubernetes-int-or-string": True, "nullable": True},
                    "ratio": {
                        "type": "number",
                        "minimum": 0,
                        "exclusiveMinimum": True,
                        "maximum": 1,
                    },
                    "count": {"type": "integer", "format": "uuid"},
                    "when": {"type": "string", "format": "my-own"},
                },
            },
        },
    }
    assert to_json_schema(openapi) == {
        "type": "object",
        "required": ["spec"],  # apiVersion, kind and metadata are the server's business
        "properties": {  # metadata is not validated by the CRD's schema
            "spec": {
                "type": "object",  # additionalProperties: false is pruning's business
                "properties": {
                    "name": {"type": ["string", "null"], "format": "email"},
                    "port": {"type": ["integer", "string", "null"]},
                    "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "count": {"type": "integer"},  # uuid is no integer format: dropped
                    "when": {"type": "string"},  # an unknown format: dropped
                },
            }
        },
    }


def test_review_prunes_defaults_then_validates() -> None:
    checker = validator(
        spec={
            "type": "object",
            "required": ["tier"],
            "properties": {
                "tier": {"type": "string", "default": "small", "enum": ["small", "big"]}
            },
        }
    )
    review = checker.review({"kind": "X", "metadata": {"name": "n"}, "spec": {"extra": 1}})
    assert review.admitted == {"kind": "X", "metadata": {"name": "n"}, "spec": {"tier": "small"}}
    assert review.unknown_fields == ("spec.extra",)
    assert review.problems == ()
    assert checker.prune({"spec": {"extra": 1}}) == {"spec": {}}
    assert checker.apply_defaults({"spec": {}}) == {"spec": {"tier": "small"}}
    assert checker.unknown_fields({"spec": {"extra": 1}, "status": 2}) == ("spec.extra", "status")


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        (
            {"type": "array", "items": {"type": "integer"}, "uniqueItems": True},
            [1, 2, 1],
            ('v: Invalid value: "": v in body shouldn\'t contain duplicates',),
        ),
        ({"type": "array", "items": {}, "uniqueItems": True}, [1, True], ()),
        (
            {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
            {},
            ("v: Invalid value: 0: v in body should have at least 1 properties",),
        ),
        (
            {"type": "integer", "maximum": 1, "exclusiveMaximum": True, "minimum": -2.5},
            -3,
            ("v: Invalid value: -3: v in body should be greater than or equal to -2",),
        ),
        (
            {"type": "number", "maximum": 1000000},
            2000000.5,
            ("v: Invalid value: 2.0000005e+06: v in body should be less than or equal to 1e+06",),
        ),
        (
            {"type": "string", "maxLength": 1},
            "ab",
            ("v: Too long: may not be more than 1 byte",),
        ),
        (
            {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            ["a", "b"],
            ("v: Too many: 2: must have at most 1 item",),
        ),
        (
            {"type": "integer", "format": "int64"},
            2**63,
            (
                '<nil>: Invalid value: "": Checked value must be of type integer with format '
                "int64 in v",
            ),
        ),
        (
            {"type": "number", "format": "float"},
            1e39,
            (
                '<nil>: Invalid value: "": Checked value must be of type number with format float '
                "in v",
            ),
        ),
    ],
)
def test_value_validations(schema: dict[str, Any], value: Any, expected: tuple[str, ...]) -> None:
    assert problems(validator(v=schema), v=value) == expected


def test_null_never_matches_an_enum() -> None:
    # kube-openapi compares enum members by reflection, which a nil value never passes; a
    # nullable enum field cannot be null on a real server.
    checker = validator(mode={"type": "string", "nullable": True, "enum": ["a", "b", None]})
    assert problems(checker, mode=None) == (
        'mode: Unsupported value: null: supported values: "a", "b", "null"',
    )
    assert problems(checker, mode="a") == ()


def test_a_format_stands_in_for_the_type_of_non_strings() -> None:
    # kube-openapi's type validator reports a non-string value against the format's name.
    checker = validator(
        count={"type": "integer", "format": "int32"}, mail={"type": "string", "format": "email"}
    )
    assert problems(checker, count=True, mail=5) == (
        'count: Invalid value: "": count in body must be of type int32: ""',
        'mail: Invalid value: "int64": mail in body must be of type email: "int64"',
    )
    assert problems(checker, mail=["a list passes the type check"]) == ()


def test_int_or_string_with_its_any_of() -> None:
    checker = validator(
        port={
            "x-kubernetes-int-or-string": True,
            "anyOf": [{"type": "integer"}, {"type": "string"}],
        }
    )
    assert problems(checker, port=80) == problems(checker, port="http") == ()
    assert problems(checker, port=[1]) == (
        '<nil>: Invalid value: "": "port" must validate at least one schema (anyOf)',
        'port: Invalid value: "array": port in body must be of type integer,string: "array"',
        'port: Invalid value: "array": port in body must be of type integer: "array"',
    )


def test_metadata_is_not_validated_by_the_schema() -> None:
    checker = Validator(
        {
            "type": "object",
            "properties": {
                "metadata": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "maxLength": 1}},
                }
            },
        }
    )
    assert problems(checker, metadata={"name": "much too long"}) == ()
