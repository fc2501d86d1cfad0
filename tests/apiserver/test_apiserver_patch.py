"""Patch strategies: RFC 7386 JSON merge patch, and Koreo's top-level replacement."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from koreoctl.apiserver import PatchStrategy, merge_patch
from koreoctl.apiserver.patch import apply_patch, replace_top_level

# RFC 7386, Appendix A ("Example Test Cases"), verbatim.
RFC_7386_EXAMPLES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_7386_EXAMPLES)
def test_rfc_7386_examples(target: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy((target, patch))
    assert merge_patch(target, patch) == result
    assert (target, patch) == before  # inputs untouched


def test_merge_result_shares_nothing_with_the_patch() -> None:
    patch = {"spec": {"list": [{"a": 1}]}}
    result = merge_patch({}, patch)
    result["spec"]["list"][0]["a"] = 2
    assert patch == {"spec": {"list": [{"a": 1}]}}


def test_replace_top_level_replaces_whole_values_and_keeps_nulls() -> None:
    target = {"spec": {"a": 1, "b": 2}, "status": {"ok": True}, "data": {"x": "1"}}
    patch = {"spec": {"a": 3}, "data": None}
    assert replace_top_level(target, patch) == {
        "spec": {"a": 3},
        "status": {"ok": True},
        "data": None,
    }
    assert target["spec"] == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("strategy", "result"),
    [
        (PatchStrategy.MERGE, {"spec": {"a": 3, "b": 2}}),
        (PatchStrategy.REPLACE_TOP_LEVEL, {"spec": {"a": 3}}),
    ],
)
def test_apply_patch_by_strategy(strategy: PatchStrategy, result: dict[str, Any]) -> None:
    assert apply_patch(strategy, {"spec": {"a": 1, "b": 2}}, {"spec": {"a": 3}}) == result
    assert PatchStrategy("merge") is PatchStrategy.MERGE
    assert PatchStrategy("top-level") is PatchStrategy.REPLACE_TOP_LEVEL
