"""Difference detection: the first difference Koreo names, and the compare directives."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.engine.compare import compare, exact_match


@pytest.mark.parametrize(
    ("target", "actual", "differences"),
    [
        ({"a": 1}, {"a": 1, "extra": 2}, ()),  # fields the function does not set are ignored
        ({"a": 1}, {"a": 2}, ("'a'", "<target:[1], resource:[2]>")),
        ({"a": {"b": 1}}, {"a": {}}, ("'a'", "<missing 'b' in resource>")),
        ({"a": [1, 2]}, {"a": [1]}, ("'a'", "<length mismatch target:2, actual:1")),
        ({"a": [1, 2]}, {"a": [1, 3]}, ("'a'", "at index '1'", "<target:[2], resource:[3]>")),
        ({"a": True}, {"a": "true"}, ("'a'", "<target:bool, resource:<class 'str'>>")),
        ({"a": "1"}, {"a": 1}, ("'a'", "<target:[1], resource:[1]>")),
        ({"a": "x"}, {"a": None}, ("'a'", "<target:<class 'str'>, resource:null or missing>")),
        ({"a": {}}, {"a": []}, ("'a'", "<target:object, resource:<class 'list'>>")),
        ({"a": []}, {"a": {}}, ("'a'", "<target:<class 'list'>, resource:object>")),
        ({"a": [], "b": 1}, {"a": [], "b": 2}, ("'b'", "<target:[1], resource:[2]>")),
        # the first difference in the order the function writes its fields
        ({"z": 1, "a": 1}, {"z": 2, "a": 2}, ("'z'", "<target:[1], resource:[2]>")),
        ({"ownerReferences": [1]}, {}, ()),
    ],
)
def test_compare(target: Any, actual: Any, differences: tuple[str, ...]) -> None:
    result = compare(target, actual)
    assert result.differences == differences
    assert result.match is (differences == ())


def test_compare_as_set() -> None:
    target = {"x-koreo-compare-as-set": ["tags"], "tags": ["a", "b"]}
    assert compare(target, {"tags": ["b", "a"]}).match
    assert compare(target, {"tags": ["a", "c"]}).differences == ("'tags'", "<missing 'b'>")
    assert compare(target, {"tags": ["a", "b", "c"]}).differences == (
        "'tags'",
        "<unexpectedly found 'c'>",
    )
    objects = {"x-koreo-compare-as-set": ["t"], "t": [{"a": 1}]}
    assert compare(objects, {"t": [{"a": 1}]}).differences == (
        "'t'",
        "Could not compare array-as-set, try: `x-koreo-compare-as-map`",
    )


def test_compare_as_map() -> None:
    target = {
        "x-koreo-compare-as-map": {"ports": ["name"]},
        "ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}],
    }
    reordered = {"ports": [{"name": "b", "port": 2, "x": 1}, {"name": "a", "port": 1}]}
    assert compare(target, reordered).match
    changed = {"ports": [{"name": "b", "port": 3}, {"name": "a", "port": 1}]}
    assert compare(target, changed).differences == (
        "'ports'",
        "'b'",
        "'port'",
        "<target:[2], resource:[3]>",
    )


def test_compare_last_applied() -> None:
    target = {"x-koreo-compare-last-applied": ["spec"], "spec": {"a": 1}}
    live_rewritten = {"spec": {"a": 99}}
    assert compare(target, live_rewritten, last_applied={"spec": {"a": 1}}).match
    assert not compare(target, live_rewritten, last_applied={"spec": {"a": 2}}).match
    assert compare(target, live_rewritten).differences == (
        "'spec'",
        "<target:object, resource:<class 'NoneType'>>",
    )


def test_exact_match_reports_every_difference() -> None:
    matched, differences = exact_match(
        {"a": 1, "b": [1, 2], "c": {"d": True}, "gone": 1},
        {"a": 2, "b": [1, 3], "c": {"d": "true"}, "new": 1},
    )
    assert not matched
    assert differences == {
        "gone": "missing",
        "new": "unexpected",
        "a": "expected '`1`' but found '`2`'",
        "b": [None, "expected '`2`' but found '`3`'"],
        "c": {"d": "expected `bool` but found `<class 'str'>`"},
    }
    assert exact_match({"a": [1]}, {"a": [1]}) == (True, {})
