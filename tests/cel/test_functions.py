"""Koreo's CEL helpers as koreoctl calls them; the reference's own results for every helper
are pinned by tests/cases/functest/cel-helpers and cel-errors."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.cel import CelEnv, compile_template, deep_overlay, evaluate, to_cel, to_plain
from koreoctl.cel.functions import ANNOTATIONS, FUNCTIONS
from koreoctl.outcome import PermFail


def value(text: str, **inputs: Any) -> Any:
    env = CelEnv()
    result = evaluate(compile_template(env, f"={text}"), {"inputs": to_cel(inputs)}, "t")
    return result if isinstance(result, PermFail) else to_plain(result)


def test_every_helper_is_registered() -> None:
    names = {
        "to_ref", "self_ref", "group_ref", "kindless_ref", "config_connect_ready", "overlay",
        "lower", "flatten", "split", "split_first", "split_last", "split_index", "strip",
        "rstrip", "to_json", "from_json", "b64encode", "b64decode", "replace",
    }  # fmt: skip
    assert set(FUNCTIONS) == names == set(ANNOTATIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('to_json({"b": true, "a": 1.5})', '{"a": 1.5, "b": 1}'),  # Koreo's booleans are ints
        ('group_ref({"apiVersion": "apps/v1", "kind": "D", "name": "n"})',
         {"apiGroup": "apps", "kind": "D", "name": "n"}),
        ('kindless_ref({"external": "x"})', {"external": "x"}),
        ('split_index("a.b.c", ".", -1)', "c"),
        ('split_last("", ".")', ""),
        ("flatten([[1], [2, 3]])", [1, 2, 3]),
        ('from_json("[1, \\"a\\", null]")', [1, "a", None]),
    ],
)  # fmt: skip
def test_helpers(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_helper_errors_are_cel_errors() -> None:
    failure = value('split("a", "")')
    assert isinstance(failure, PermFail)
    assert failure.message == "Error evaluating `t` (at ) ('split separator may not be empty',)"


def test_deep_overlay_does_not_change_its_arguments() -> None:
    base = to_cel({"a": {"b": 1, "c": [1]}, "d": 1})
    overlay = to_cel({"a": {"b": 2}, "e": 3})
    merged = deep_overlay(base, overlay)
    assert to_plain(merged) == {"a": {"b": 2, "c": [1]}, "d": 1, "e": 3}
    assert to_plain(base) == {"a": {"b": 1, "c": [1]}, "d": 1}
    assert to_plain(overlay) == {"a": {"b": 2}, "e": 3}
