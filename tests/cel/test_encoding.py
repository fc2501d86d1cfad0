"""The `=` convention: which CEL text Koreo writes for each kind of YAML scalar."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koreoctl.cel.encoding import is_plain_string, scalar_text, structure_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (3, "3"),
        (1.5, "1.5"),
        (datetime.date(2024, 1, 2), "2024-01-02"),  # Koreo writes it unquoted: arithmetic
        ("", '""'),
        ("hello", '"hello"'),
        ("8080", "8080"),  # number-like strings are written unquoted
        (" 12", " 12"),
        ("1e5", "1e5"),
        ("nan", "nan"),
        ("=inputs.x", "inputs.x"),
        ("==inputs.x", "inputs.x"),  # every leading = goes
        ('say "hi"', '"""say \\"hi\\""""'),
        ("two\nlines", 'r"""two\nlines"""'),
        ("back\\slash", '"back\\slash"'),
    ],
)
def test_scalar_text(value: Any, text: str) -> None:
    assert scalar_text(value) == text


@pytest.mark.parametrize(
    ("value", "plain"),
    [("hello", True), ("8080", False), ("=x", False), ('a"b', False), ("a\\b", False), ("", False)],
)
def test_plain_strings_need_no_parsing(value: str, plain: bool) -> None:
    assert is_plain_string(value) is plain


def test_structure_text_is_one_cel_literal() -> None:
    value = {"a": [1, "x", {"b": "=inputs.b"}], 3: None}
    assert structure_text(value) == '{"a":[1,"x",{"b":inputs.b}],"3":null}'
