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


def test_an_overlay_is_written_as_the_list_of_its_values() -> None:
    from koreoctl.cel.encoding import overlay_text

    data = {'q"k': 1, "m": {"a": "=x", "e": {}}, "l": [{"k": 2}]}
    assert overlay_text(data) == '[1,x,{},[{"k":2}]]'


@pytest.mark.parametrize(
    ("value", "blank"),
    [("=", True), ("==", True), ("= \t", True), ("=x", False), ("", False), (" ", False)],
)
def test_blank_expressions(value: Any, blank: bool) -> None:
    from koreoctl.cel.encoding import is_blank_expression

    assert is_blank_expression(value) is blank


@pytest.mark.parametrize(
    ("value", "key", "runs_on"),
    [
        ("a\\", False, True),
        ("a\\\\", False, False),
        ("a\\\\\\", False, True),
        ('say "hi\\', False, True),
        ("a\\b", False, False),
        ("http://x", False, False),
        ("=x // note", False, True),
        ("=x.matches('\\\\d')", False, True),
        ("=x", False, False),
        ("k\\", True, True),
        ("=k\\\\", True, False),
        (5, False, False),
    ],
)
def test_which_leaves_may_run_on(value: Any, key: bool, runs_on: bool) -> None:
    from koreoctl.cel.encoding import may_run_on

    assert (may_run_on(value, key=key) is not None) is runs_on
