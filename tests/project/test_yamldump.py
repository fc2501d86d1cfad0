"""YAML dumping for `koreoctl render`: block style, sorted keys, the same bytes every run, and
strings quoted whenever some YAML reader would take them for something else."""

from __future__ import annotations

import datetime

import pytest

from koreoctl.project.source import parse_text
from koreoctl.project.yamldump import dump_yaml_documents

# Strings that YAML 1.1 (PyYAML, go-yaml v2 as kubectl reads) or YAML 1.2 reads as another type.
AMBIGUOUS = [
    "yes", "No", "on", "OFF", "y", "n", "Y", "N", "true", "False",
    "null", "Null", "~", "", "0777", "0x1f", "0o17", "0b101", "1_000", "+1", "-2",
    "1e5", "1.0e5", "1e+5", ".5", ".inf", "-.Inf", ".nan", "12:30", "1:20:30.5",
    "2024-01-01", "2024-01-01T10:00:00Z", "<<",
]  # fmt: skip
# Strings that need quoting for YAML syntax rather than typing.
SYNTAX = ["- a", "a: b", "#c", "x #y", "[a]", "{a}", "*alias", "&anchor", "!tag", "@x", "`x", "%x"]


def round_trip(data: object) -> object:
    (doc,) = parse_text(dump_yaml_documents([(data, None)]), "dumped").docs
    return doc.data


@pytest.mark.parametrize("text", AMBIGUOUS + SYNTAX)
def test_every_string_reads_back_as_that_string(text: str) -> None:
    dumped = dump_yaml_documents([({"value": text}, None)])
    assert round_trip({"value": text}) == {"value": text}
    assert dumped != f"value: {text}\n"  # quoted, so every reader sees a string


def test_plain_strings_stay_plain() -> None:
    data = {"image": "nginx:1.27", "expr": "=inputs.name", "url": "http://x/y", "n1": "web-1"}
    assert dump_yaml_documents([(data, None)]) == (
        "expr: =inputs.name\nimage: nginx:1.27\nn1: web-1\nurl: http://x/y\n"
    )


def test_values_of_every_type_read_back_equal() -> None:
    data = {
        "int": 5,
        "negative": -3,
        "float": 1.5,
        "large": 1e20,
        "small": 1e-7,
        "bool": True,
        "none": None,
        "date": datetime.date(2024, 1, 1),
        "empty map": {},
        "empty list": [],
        "nested": [{"b": [1, 2], "a": {"c": "d"}}],
        "unicode": "héllo ☃",
        "multi-line": "first\nsecond\n",
        "no final newline": "first\nsecond",
        "indented first line": "  first\nsecond",
        "trailing space": "first \nsecond",
        "tab": "a\tb",
        "long": "x" * 500,
        5: "an int key",
        True: "a bool key",
    }
    assert round_trip(data) == data


def test_block_style_sorted_keys_literal_blocks_and_no_folding() -> None:
    text = dump_yaml_documents(
        [({"z": 1, "a": {"x": [1, {"k": "v"}], "b": "one\ntwo\n"}, "long": "w " * 100}, None)]
    )
    assert text == (
        f"a:\n  b: |\n    one\n    two\n  x:\n    - 1\n    - k: v\nlong: '{'w ' * 100}'\nz: 1\n"
    )


def test_documents_are_separated_and_commented() -> None:
    text = dump_yaml_documents([({"a": 1}, "first\nof two"), ({"b": 2}, None), ({"c": 3}, "x")])
    assert text == "# first of two\na: 1\n---\nb: 2\n---\n# x\nc: 3\n"
    assert [doc.data for doc in parse_text(text, "dumped").docs] == [{"a": 1}, {"b": 2}, {"c": 3}]


def test_the_same_data_gives_the_same_bytes() -> None:
    one = {"b": {"y": 1, "x": [3, 2]}, "a": "text"}
    other = {"a": "text", "b": {"x": [3, 2], "y": 1}}
    assert dump_yaml_documents([(one, "c")]) == dump_yaml_documents([(other, "c")])
