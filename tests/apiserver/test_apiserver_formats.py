"""String formats, and the Go-style wording of field errors."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.apiserver.fielderrors import (
    aggregate,
    go_float,
    go_json,
    go_quote,
    go_value,
    invalid,
    not_supported,
    required,
    too_long,
    too_many,
)
from koreoctl.apiserver.formats import supported_format, valid_string
from koreoctl.apiserver.jsonvalues import copy_json, same_json

FORMATS = [
    ("email", "someone@example.dev", True),
    ("email", "Someone <someone@example.dev>", True),
    ("email", "someone", False),
    ("date-time", "2024-05-01T10:00:00Z", True),
    ("datetime", "2024-05-01T10:00:00.123+02:00", True),
    ("date-time", "2024-02-30T10:00:00Z", False),
    ("date-time", "2024-05-01", False),
    ("date", "2024-05-01", True),
    ("date", "2024-5-1", False),
    ("uuid", "6F1C8D4E-2B0A-4F57-9A63-6B6F72656F63", True),
    ("uuid", "6f1c8d4e2b0a4f579a636b6f72656f63", True),
    ("uuid4", "6f1c8d4e-2b0a-4f57-9a63-6b6f72656f63", True),
    ("uuid5", "6f1c8d4e-2b0a-4f57-9a63-6b6f72656f63", False),
    ("ipv4", "10.0.0.1", True),
    ("ipv4", "10.0.0.256", False),
    ("ipv4", "::1", False),
    ("ipv6", "fe80::1", True),
    ("ipv6", "10.0.0.1", False),
    ("cidr", "10.0.0.0/8", True),
    ("cidr", "10.0.0.1", False),
    ("mac", "00:1a:2b:3c:4d:5e", True),
    ("mac", "00:1a:2b", False),
    ("hostname", "api.example.dev", True),
    ("hostname", "-bad-.example", False),
    ("byte", "aGVsbG8=", True),
    ("byte", "not base64!", False),
    ("uri", "https://example.dev/x?y=1", True),
    ("uri", "relative/path", False),
    ("duration", "1h30m", True),
    ("duration", "3 days", True),
    ("duration", "soon", False),
    ("k8s-short-name", "my-name", True),
    ("k8s-short-name", "My-Name", False),
    ("k8s-long-name", "a.b-c.d", True),
    ("k8s-long-name", "a..b", False),
    ("hexcolor", "#ff00AA", True),
    ("hexcolor", "#ff00A", False),
    ("password", "anything at all", True),
    ("isbn", "not checked here", True),
    ("no-such-format", "anything", True),
]


@pytest.mark.parametrize(("name", "value", "valid"), FORMATS)
def test_string_formats(name: str, value: str, valid: bool) -> None:
    assert valid_string(name, value) is valid


@pytest.mark.parametrize(
    ("name", "schema_type", "kept"),
    [
        ("email", "string", True),
        ("date-time", None, True),
        ("int32", "integer", True),
        ("int32", "string", False),
        ("float", "number", True),
        ("int64", "number", False),
        ("email", "object", False),
        ("made-up", "string", False),
    ],
)
def test_which_formats_the_server_keeps(name: str, schema_type: str | None, kept: bool) -> None:
    assert supported_format(name, schema_type) is kept


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.5, "0.5"),
        (-2.25, "-2.25"),
        (123456.0, "123456"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1e100, "1e+100"),
        (0.0, "0"),
        (float("inf"), "+Inf"),
    ],
)
def test_floats_print_as_go_prints_them(value: float, text: str) -> None:
    assert go_float(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", '"a"'),
        (3, "3"),
        (True, "true"),
        (None, "null"),
        ({"b": 1, "a": [1.5, 2.0, "<&>"]}, '{"a":[1.5,2,"\\u003c\\u0026\\u003e"],"b":1}'),
        (1e21, "1e+21"),
    ],
)
def test_bad_values_print_as_field_errors_print_them(value: Any, text: str) -> None:
    assert go_value(value) == text


def test_go_quote_and_json_details() -> None:
    assert go_quote('say "hi"\n\tnow\x01') == '"say \\"hi\\"\\n\\tnow\\x01"'
    assert go_quote("café") == '"café"'
    assert go_json(1e-7) == "1e-7"
    assert go_json(1e20) == "100000000000000000000"


def test_field_error_shapes() -> None:
    assert str(required("a.b")) == "a.b: Required value"
    assert str(required("a", "why")) == "a: Required value: why"
    assert str(invalid("a", 1, "bad")) == "a: Invalid value: 1: bad"
    assert (
        str(not_supported("a", "x", ["p", 1]))
        == 'a: Unsupported value: "x": supported values: "p", "1"'
    )
    assert str(not_supported("a", "x", [])) == 'a: Unsupported value: "x"'
    assert str(too_long("a", 2)) == "a: Too long: may not be more than 2 bytes"
    assert str(too_many("a", 3, 1)) == "a: Too many: 3: must have at most 1 item"


def test_errors_aggregate_as_the_server_joins_them() -> None:
    assert aggregate([required("a")]) == "a: Required value"
    assert aggregate([required("a"), "b: x", required("a")]) == "[a: Required value, b: x]"


def test_json_values() -> None:
    original = {"a": [{"b": 1}], "t": (1, 2)}
    copied = copy_json(original)
    assert copied == {"a": [{"b": 1}], "t": [1, 2]}
    copied["a"][0]["b"] = 2
    assert original["a"] == [{"b": 1}]
    assert same_json({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not same_json({"a": 1}, {"a": True})
    assert not same_json([0], [False])
    assert not same_json({"a": 1}, {"a": 1, "b": 2})
    assert not same_json("1", 1)
