"""YAML loading: plain data, positions of every node, YAML 1.1 as PyYAML reads it, problems as
diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from koreoctl.diagnostics import Severity, Span
from koreoctl.project.source import parse_text, read_file

KOREO = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: example
spec:
  return:
    name: =inputs.name + "-x"
    quoted: "=inputs.a"
    block: |
      first
      =inputs.b
"""


def test_data_is_plain_python() -> None:
    loaded = parse_text(KOREO, "f.koreo")
    assert loaded.diagnostics == ()
    (doc,) = loaded.docs
    assert doc.data["spec"]["return"] == {
        "name": '=inputs.name + "-x"',
        "quoted": "=inputs.a",
        "block": "first\n=inputs.b\n",
    }
    assert type(doc.data) is dict


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), (1, 1)),
        (("kind",), (2, 7)),
        (("spec", "return", "name"), (7, 11)),
        (("spec", "return", "quoted"), (8, 13)),
        (("spec", "return", "missing", "deeper"), (7, 5)),  # nearest ancestor: the map
    ],
)
def test_span_of_points_at_the_value(path: tuple[str, ...], expected: tuple[int, int]) -> None:
    (doc,) = parse_text(KOREO, "f.koreo").docs
    span = doc.span_of(path)
    assert (span.file, span.line, span.col) == ("f.koreo", *expected)


def test_key_span_points_at_the_key() -> None:
    (doc,) = parse_text(KOREO, "f.koreo").docs
    assert doc.key_span_of(("spec", "return", "name")) == Span("f.koreo", 7, 5, 7, 9)


@pytest.mark.parametrize(
    ("path", "offset", "expected"),
    [
        (("spec", "return", "name"), 1, (7, 12)),  # plain scalar: column + offset
        (("spec", "return", "quoted"), 1, (8, 15)),  # quoted: one more for the quote
        (("spec", "return", "block"), 6, (11, 7)),  # literal block: second line
    ],
)
def test_point_in_scalar(path: tuple[str, ...], offset: int, expected: tuple[int, int]) -> None:
    (doc,) = parse_text(KOREO, "f.koreo").docs
    span = doc.point_in_scalar(path, offset)
    assert (span.line, span.col) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes", True),  # YAML 1.1 booleans, as PyYAML and kubectl read them
        ("a: on", True),
        ("a: 0777", 511),  # YAML 1.1 octal
        ("a: 1_000", 1000),
        ("a: 1e5", "1e5"),  # PyYAML: a float needs a dot...
        ("a: 1.0e5", "1.0e5"),  # ...and a signed exponent
        ("a: 1.0e+5", 100000.0),
        ("a: y", "y"),  # ruamel's YAML 1.1 says True; PyYAML (the reference) says "y"
        ("a: 08", "08"),
        ("a: 017", 15),
        ("a: 190:20:30", 685230),
        ("a: .inf", float("inf")),
        ("a: ~", None),
        ("a: '=x'", "=x"),
    ],
)
def test_scalars_resolve_like_pyyaml(text: str, expected: object) -> None:
    (doc,) = parse_text(text, "f.yaml").docs
    assert doc.data["a"] == expected
    assert type(doc.data["a"]) is type(expected)


def test_repeated_key_keeps_the_last_value_in_place_and_warns() -> None:
    loaded = parse_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert list(loaded.docs[0].data.items()) == [("a", 3), ("b", 2)]
    (warning,) = loaded.diagnostics
    assert warning.code == "Y002"
    assert warning.severity is Severity.WARNING
    assert (warning.span.line, warning.span.col) == (3, 1)


def test_merge_keys_and_aliases() -> None:
    text = "base: &b {x: 1, z: 2}\nchild:\n  <<: *b\n  z: 3\n"
    (doc,) = parse_text(text, "f.yaml").docs
    assert doc.data["child"] == {"x": 1, "z": 3}


def test_documents_before_a_syntax_error_are_kept() -> None:
    loaded = parse_text("a: 1\n---\nb: [1, 2\n", "f.yaml")
    assert [doc.data for doc in loaded.docs] == [{"a": 1}]
    (error,) = loaded.diagnostics
    assert error.code == "Y001"
    assert error.span is not None and error.span.file == "f.yaml"
    assert "YAML syntax error" in error.message


def test_syntax_error_is_positioned() -> None:
    (error,) = parse_text("a:\n  b: 1\n c: 2\n", "f.yaml").diagnostics
    assert (error.code, error.span.line) == ("Y001", 3)  # type: ignore[union-attr]


def test_alias_bomb_is_reported_not_expanded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    loaded = parse_text("\n".join(lines) + "\n", "bomb.yaml")
    assert [d.code for d in loaded.diagnostics] == ["Y004"]


def test_deep_nesting_is_reported() -> None:
    text = "a: " + "[" * 300 + "]" * 300 + "\n"
    loaded = parse_text(text, "deep.yaml")
    assert [d.code for d in loaded.diagnostics] == ["Y004"]


def test_unreadable_binary_and_non_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"a: 1\x00\x01")
    latin = tmp_path / "l.yaml"
    latin.write_bytes(b"a: 1\nb: caf\xe9\n")
    missing = tmp_path / "missing.yaml"
    assert [d.code for d in read_file(binary).diagnostics] == ["P005"]
    (not_utf8,) = read_file(latin).diagnostics
    assert (not_utf8.code, not_utf8.span.line, not_utf8.span.col) == ("P004", 2, 7)  # type: ignore[union-attr]
    assert [d.code for d in read_file(missing).diagnostics] == ["P003"]


@pytest.mark.parametrize("depth", [5_000, 200_000])
def test_absurd_nesting_is_refused_before_parsing(depth: int) -> None:
    # libyaml's composer recurses per level and would crash the process this deep.
    loaded = parse_text("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert [(d.code, d.span.line) for d in loaded.diagnostics] == [("Y004", 1)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # One level per line, one more space each: the 1001st line opens level 1001.
        ("".join(" " * level + f"k{level}:\n" for level in range(5_000)), 1001),
        # Compact nested sequences on one line: libyaml crashed on this (a segfault).
        ("- " * 150_000 + "x\n", 1),
        # Flow collections inside block ones: both kinds of level count.
        ("a:\n  b:\n" + "    - " + "{c: " * 2_000 + "1" + "}" * 2_000 + "\n", 3),
    ],
)
def test_absurd_block_nesting_is_refused_before_parsing(text: str, line: int) -> None:
    loaded = parse_text(text, "deep.yaml")
    assert [(d.code, d.span.line) for d in loaded.diagnostics] == [("Y004", line)]  # type: ignore[union-attr]


def test_wide_indentation_alone_is_not_deep() -> None:
    loaded = parse_text("a:\n" + " " * 3000 + "b: 1\n", "wide.yaml")
    assert (loaded.diagnostics, loaded.docs[0].data) == ((), {"a": {"b": 1}})
