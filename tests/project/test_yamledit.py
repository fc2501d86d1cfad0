"""Editing values in YAML files in place: only the edited value's text changes, the written
value reads back as the same data, and every refusal leaves the file untouched."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from koreoctl.project.source import content_digest, parse_text
from koreoctl.project.yamledit import Edit, EditResult, apply_edits, same_data

CASE = ("spec", "testCases", 0, "expectReturn")

ODD = """\
# A test with odd formatting around the case that is edited.
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {name: odd,   namespace: t}   # flow style, odd spacing
spec:
    functionRef:
        kind: ValueFunction
        name: f
    testCases:
    -   label: "first"   # quoted label
        # the expectation
        expectReturn:
          name: old-name    # why this name
          'quoted': "kept"
          tags:
          - a
          - 'b'
        # after the expectation
    - label: second
      expectReturn: {value: 4}
"""


def edit(tmp_path: Path, text: str, *edits: Edit, name: str = "t.koreo") -> tuple[EditResult, str]:
    path = tmp_path / name
    path.write_bytes(text.encode())
    result = apply_edits(path, edits, digest=content_digest(text.encode()), display=name)
    return result, path.read_bytes().decode()


def test_a_changed_scalar_is_all_that_changes(tmp_path: Path) -> None:
    value = {"name": "new-name", "quoted": "kept", "tags": ["a", "b"]}
    result, text = edit(tmp_path, ODD, Edit(0, CASE, value))
    assert result == EditResult("t.koreo", 1, changed=True)
    assert text == ODD.replace("name: old-name    #", "name: new-name    #")


def test_keys_are_added_after_their_neighbour_and_removed_with_their_lines(
    tmp_path: Path,
) -> None:
    value = {"first": True, "name": "old-name", "tags": ["a", "b"], "more": {"x": [1, None]}}
    _, text = edit(tmp_path, ODD, Edit(0, CASE, value))
    assert text == ODD.replace(
        """\
        expectReturn:
          name: old-name    # why this name
          'quoted': "kept"
          tags:
          - a
          - 'b'
""",
        """\
        expectReturn:
          first: true
          name: old-name    # why this name
          tags:
          - a
          - 'b'
          more:
            x:
            - 1
            - null
""",
    )


def test_a_list_of_another_length_is_written_anew(tmp_path: Path) -> None:
    value = {"name": "old-name", "quoted": "kept", "tags": ["a", "b", "c"]}
    _, text = edit(tmp_path, ODD, Edit(0, CASE, value))
    assert text == ODD.replace(
        "          - a\n          - 'b'\n", "          - a\n          - b\n          - c\n"
    )


def test_a_flow_expectation_becomes_block_style_in_the_files_indentation(tmp_path: Path) -> None:
    second = ("spec", "testCases", 1, "expectReturn")
    value = {"value": 5, "text": "two\nlines\n", "when": None}
    _, text = edit(tmp_path, ODD, Edit(0, second, value))
    assert text == ODD.replace(
        "      expectReturn: {value: 4}\n",
        "      expectReturn:\n"
        "        value: 5\n"
        "        text: |\n"
        "          two\n"
        "          lines\n"
        "        when: null\n",
    )


def test_multi_document_files_keep_their_other_documents_byte_identical(tmp_path: Path) -> None:
    first = "kind: A  # one\nvalue:   [1, 2]\n...\n"
    target = "--- # two\nkind: FunctionTest\nspec:\n  x: 1\n"
    last = "---\n# three\nkind: C\nodd:    {a: 1}\n"
    _, text = edit(tmp_path, first + target + last, Edit(1, ("spec", "x"), 2))
    assert text == first + target.replace("x: 1", "x: 2") + last


def test_crlf_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    original = "\ufeffkind: T\r\nspec:\r\n  a: 1  # c\r\n  b: 2\r\n"
    _, text = edit(tmp_path, original, Edit(0, ("spec",), {"a": 1, "n": 0, "b": {"c": 3}}))
    assert text == "\ufeffkind: T\r\nspec:\r\n  a: 1  # c\r\n  'n': 0\r\n  b:\r\n    c: 3\r\n"


def test_several_edits_in_one_file_are_written_at_once(tmp_path: Path) -> None:
    second = ("spec", "testCases", 1, "expectReturn")
    edits = (Edit(0, CASE, {"name": "x", "quoted": "kept", "tags": ["a", "b"]}),)
    result, text = edit(tmp_path, ODD, *edits, Edit(0, second, {"value": 5}))
    assert result == EditResult("t.koreo", 2, changed=True)
    assert text == ODD.replace("old-name", "x").replace(" {value: 4}", "\n        value: 5")


def test_a_comment_between_key_and_value_is_kept(tmp_path: Path) -> None:
    original = "spec:\n  expect: # the value\n    a: 1\n    b: 2\n"
    _, text = edit(tmp_path, original, Edit(0, ("spec", "expect"), {"z": 1}))
    assert text == "spec:\n  expect: # the value\n    z: 1\n"


def test_compact_list_items_and_empty_values(tmp_path: Path) -> None:
    original = "items:\n- a: 1\n  b:\n- plain\nlast:\n"
    value = [{"a": 1, "b": {"c": 1}}, {"d": [1]}]
    _, text = edit(tmp_path, original, Edit(0, ("items",), value), Edit(0, ("last",), "x"))
    assert text == "items:\n- a: 1\n  b:\n    c: 1\n- d:\n  - 1\nlast: x\n"


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "y",
        "N",
        "on",
        "1e5",
        "0o17",
        "0x1F",
        "1_000",
        "12:30",
        "2024-01-01",
        "null",
        "~",
        "",
        " padded ",
        "=inputs.name",
        "=a ? b : c",
        "# not a comment",
        "- not a list",
        "tab\there",
        "ünïcode",
        "ends with newline\n",
        "line\n  indented\n\n",
        1e20,
        -2.5e-7,
        0.1,
        float("inf"),
        True,
        0,
        None,
        {"nested": [{"deep": ["x", 1, False]}], "empty": {}, "none": []},
        [["a"], []],
    ],
)
def test_written_values_read_back_as_the_same_data(tmp_path: Path, value: Any) -> None:
    result, text = edit(tmp_path, "spec:\n  value: 1\n", Edit(0, ("spec", "value"), value))
    assert result.refusal is None
    (doc,) = parse_text(text, "t").docs
    read_back = doc.data["spec"]["value"]
    assert same_data(read_back, value), text
    assert type(read_back) is type(value)


def test_strings_are_quoted_only_when_another_reader_would_see_another_type(
    tmp_path: Path,
) -> None:
    value = {"a": "=inputs.name", "b": "plain words", "c": "yes", "d": "y", "e": "1e5"}
    _, text = edit(tmp_path, "spec:\n  v: 1\n", Edit(0, ("spec", "v"), value))
    assert text == (
        "spec:\n  v:\n    a: =inputs.name\n    b: plain words\n    c: 'yes'\n    d: 'y'\n"
        "    e: '1e5'\n"
    )


def test_nothing_is_written_when_the_value_is_already_there(tmp_path: Path) -> None:
    path = tmp_path / "t.koreo"
    path.write_text(ODD)
    os.utime(path, (1, 1))
    value = {"name": "old-name", "quoted": "kept", "tags": ["a", "b"]}
    result = apply_edits(path, [Edit(0, CASE, value)])
    assert result == EditResult(str(path), 1, changed=False)
    assert path.stat().st_mtime == 1


def test_the_file_keeps_its_mode_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    path = tmp_path / "t.koreo"
    path.write_text("a: 1\n")
    path.chmod(0o640)
    assert apply_edits(path, [Edit(0, ("a",), 2)]).changed
    assert path.read_text() == "a: 2\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["t.koreo"]


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.koreo"
    target.write_text("a: 1\n")
    link = tmp_path / "link.koreo"
    link.symlink_to(target)
    assert apply_edits(link, [Edit(0, ("a",), 2)]).changed
    assert link.is_symlink()
    assert target.read_text() == "a: 2\n"


REFUSALS = [
    ("a: 1\n", [Edit(0, ("b",), 2)], "it has no b"),
    ("a:\n- 1\n", [Edit(0, ("a", 3), 2)], "it has no a[3]"),
    ("a: 1\n", [Edit(0, ("a", "b"), 2)], "it has no a.b"),
    ("a: 1\n", [Edit(1, ("a",), 2)], "it has no document 2"),
    ("a: {b: 1}\n", [Edit(0, ("a", "b"), 2)], "a is written in flow style; edit it by hand"),
    ("x: &x {b: 1}\ny: *x\n", [Edit(0, ("y",), 2)], "y uses a YAML anchor or alias"),
    ("x: &x [1]\ny: *x\n", [Edit(0, ("x",), [2])], "x uses a YAML anchor or alias"),
    ("b: &b {c: 1}\na:\n  <<: *b\n", [Edit(0, ("a", "c"), 2)], "it has no a.c"),
    (
        "a:\n  b: 1\n",
        [Edit(0, ("a",), {"b": 2}), Edit(0, ("a", "b"), 3)],
        "two edits overlap at a in document 1",
    ),
    ("a: 1\n", [Edit(0, (), 2)], "an edit must name a value inside the document"),
    ("a: 1\n---\nb: [\n", [Edit(0, ("a",), 2)], "the file has YAML errors; fix them first"),
]


@pytest.mark.parametrize(("text", "edits", "reason"), REFUSALS)
def test_refused_files_are_not_touched(
    tmp_path: Path, text: str, edits: list[Edit], reason: str
) -> None:
    result, after = edit(tmp_path, text, *edits)
    assert result.refusal is not None and result.refusal.startswith(reason)
    assert not result.changed
    assert after == text


def test_a_file_changed_since_it_was_loaded_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.koreo"
    path.write_text("a: 1\n")
    loaded = content_digest(path.read_bytes())
    path.write_text("a: 1  # edited meanwhile\n")
    result = apply_edits(path, [Edit(0, ("a",), 2)], digest=loaded)
    assert result.refusal == "it changed since koreoctl loaded it; run the tests again"
    assert path.read_text() == "a: 1  # edited meanwhile\n"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = apply_edits(tmp_path / "gone.koreo", [Edit(0, ("a",), 2)], display="gone.koreo")
    assert result.refusal == "cannot access it: No such file or directory"


def test_same_data_compares_as_koreoctl_does() -> None:
    assert same_data({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert same_data({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same_data(True, 1)
    assert not same_data("1", 1)
    assert not same_data([1], [1, 1])
    assert not same_data(None, {})


# --- random edits: never refused, always read back, nothing outside the value changes --------

SCALARS = [1, 0, -3, 1.5, True, None, "a", "b c", "yes", "=x", "", "two\nlines", "1e5", "x: y"]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.4:
        return rng.choice(SCALARS)
    if roll < 0.75:
        return {
            rng.choice("abcdefg"): random_value(rng, depth + 1) for _ in range(rng.randint(1, 4))
        }
    return [random_value(rng, depth + 1) for _ in range(rng.randint(1, 3))]


def mutated(rng: random.Random, value: Any) -> Any:
    if isinstance(value, dict) and rng.random() < 0.8:
        changed = {k: mutated(rng, v) for k, v in value.items() if rng.random() > 0.2}
        if rng.random() < 0.4:
            changed[rng.choice("abcdefghij")] = random_value(rng, 1)
        return changed or {"z": 1}
    if isinstance(value, list) and rng.random() < 0.8:
        return [mutated(rng, item) if rng.random() < 0.5 else item for item in value]
    return random_value(rng, 1)


def random_layout(rng: random.Random, expectation: Any, comments: bool = True) -> str:
    def styled(value: Any) -> Any:
        if isinstance(value, dict | list):
            inner = (
                CommentedMap((k, styled(v)) for k, v in value.items())
                if isinstance(value, dict)
                else CommentedSeq(styled(v) for v in value)
            )
            if rng.random() < 0.15:
                inner.fa.set_flow_style()
            return inner
        return LiteralScalarString(value) if isinstance(value, str) and "\n" in value else value

    yaml = YAML(typ="rt", pure=True)
    offset = rng.choice([0, 2])
    yaml.indent(mapping=rng.choice([2, 4]), sequence=offset + 2, offset=offset)
    cases = [{"label": "x", "expectReturn": styled(expectation)}, {"label": "y"}]
    buffer = io.StringIO()
    yaml.dump({"spec": {"testCases": cases}}, buffer)
    lines = []
    for line in buffer.getvalue().split("\n"):
        if not comments or not line.strip():
            lines.append(line)
            continue
        if not line.rstrip().endswith(("|", "|-")) and rng.random() < 0.2:
            line += "   # note"
        lines.append(line)
        if rng.random() < 0.05:
            lines.append(" " * (len(line) - len(line.lstrip())) + "# a comment line")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(150))
def test_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    start = random_value(rng)
    expectation = start if isinstance(start, dict) else {"a": start}
    text = random_layout(rng, expectation)
    loaded = parse_text(text, "t")
    if loaded.diagnostics:  # a comment added inside a multi-line flow scalar: none then
        text = random_layout(rng, expectation, comments=False)
        loaded = parse_text(text, "t")
    path = ("spec", "testCases", 0, "expectReturn")
    new = mutated(rng, loaded.docs[0].data["spec"]["testCases"][0]["expectReturn"])
    result, after = edit(tmp_path, text, Edit(0, path, new))
    assert result.refusal is None
    assert same_data(
        parse_text(after, "t").docs[0].data["spec"]["testCases"][0]["expectReturn"], new
    )
    assert after.startswith(text.split("expectReturn:")[0])
    assert after.endswith(text.split("label: y")[1])


# Strings YAML 1.1 (PyYAML; go-yaml v2, as kubectl reads) or YAML 1.2 reads as another type.
AMBIGUOUS = [
    "yes", "No", "on", "OFF", "y", "n", "Y", "N", "true", "False",
    "null", "Null", "~", "", "0777", "0x1f", "0o17", "0b101", "1_000", "+1", "-2",
    "1e5", "1.0e5", "1e+5", ".5", ".inf", "-.Inf", ".nan", "12:30", "1:20:30.5",
    "2024-01-01", "2024-01-01T10:00:00Z", "<<",
]  # fmt: skip


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_a_string_another_reader_would_type_is_quoted(tmp_path: Path, value: str) -> None:
    _, text = edit(tmp_path, "v: 1\n", Edit(0, ("v",), value))
    assert text in (f"v: '{value}'\n", f'v: "{value}"\n')
