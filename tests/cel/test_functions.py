"""Koreo's CEL helpers, called from CEL through celpy as the engine calls them.

Every expected value and message here is the reference engine's (koreo-core 0.1.17): each
expression was run through the oracle (``koreo-reference``) as the return of a ValueFunction,
and the celtypes of results through koreo-core's own helpers. Results are compared as JSON
text, so key order and ``true`` versus ``1`` count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import celpy
import pytest
from celpy import celtypes
from celpy.evaluation import CELEvalError

from koreoctl.cel.convert import to_cel, to_plain
from koreoctl.cel.functions import ANNOTATIONS, FUNCTIONS, deep_overlay


@dataclass(frozen=True)
class Fails:
    """A CEL error a helper returns itself, with Koreo's message."""

    message: str

    @property
    def args(self) -> tuple[Any, ...]:
        return (self.message,)


@dataclass(frozen=True)
class NoOverload:
    """celpy's error for a Python exception a helper raised, quoting it."""

    exception: type[Exception]
    message: str

    @property
    def args(self) -> tuple[Any, ...]:
        return ("no such overload", self.exception, (self.message,))


def ready(*conditions: str) -> str:
    """``config_connect_ready`` of a resource whose status has these conditions (CEL maps)."""
    return 'config_connect_ready({"status": {"conditions": [' + ", ".join(conditions) + "]}})"


READY = '{"type": "Ready", "reason": "UpToDate", "status": "True"}'


REFERENCES = [
    pytest.param(
        'to_ref({"apiVersion": "v1", "kind": "K", "name": "n", "namespace": "ns", "x": 1})',
        {"apiVersion": "v1", "kind": "K", "name": "n", "namespace": "ns"},
        id="to_ref/full",
    ),
    pytest.param('to_ref({"name": "n"})', {"name": "n"}, id="to_ref/name-only"),
    pytest.param(
        'to_ref({"apiVersion": "v1", "kind": "K", "external": "e", "name": "n"})',
        {"apiVersion": "v1", "kind": "K", "external": "e"},
        id="to_ref/external-wins-over-name",
    ),
    pytest.param(
        'to_ref({"apiVersion": "", "kind": "", "name": "n", "namespace": ""})',
        {"name": "n"},
        id="to_ref/empty-fields-left-out",
    ),
    pytest.param('to_ref({"name": 5, "kind": 7})', {"kind": 7, "name": 5}, id="to_ref/int-values"),
    pytest.param('{"name": "n"}.to_ref()', {"name": "n"}, id="to_ref/as-method"),
    pytest.param(
        'to_ref({"external": "", "name": "n"})',
        Fails("`external` must contain a value."),
        id="to_ref/empty-external",
    ),
    pytest.param(
        'to_ref({"external": null})',
        Fails("`external` must contain a value."),
        id="to_ref/null-external",
    ),
    pytest.param(
        'to_ref({"kind": "K"})',
        Fails("`external` or `name` are required to build a reference."),
        id="to_ref/no-name",
    ),
    pytest.param(
        'to_ref({"name": ""})', Fails("`name` must contain a value."), id="to_ref/empty-name"
    ),
    pytest.param(
        'to_ref({"name": null})', Fails("`name` must contain a value."), id="to_ref/null-name"
    ),
    pytest.param(
        'to_ref({"name": 0})', Fails("`name` must contain a value."), id="to_ref/zero-name"
    ),
    pytest.param(
        "to_ref(1)",
        NoOverload(AttributeError, "'IntType' object has no attribute 'get'"),
        id="to_ref/of-int",
    ),
    pytest.param(
        'to_ref("name")',
        NoOverload(AttributeError, "'StringType' object has no attribute 'get'"),
        id="to_ref/of-string",
    ),
    pytest.param(
        'to_ref(["name"])',
        NoOverload(AttributeError, "'ListType' object has no attribute 'get'"),
        id="to_ref/of-list",
    ),
    pytest.param(
        "to_ref()",
        NoOverload(TypeError, "_to_ref() missing 1 required positional argument: 'source'"),
        id="to_ref/no-argument",
    ),
    pytest.param(
        'group_ref({"apiVersion": "apps/v1", "kind": "D", "name": "n", "namespace": "ns"})',
        {"apiGroup": "apps", "kind": "D", "name": "n", "namespace": "ns"},
        id="group_ref/group-of-api-version",
    ),
    pytest.param(
        'group_ref({"apiVersion": "v1", "kind": "S", "name": "n"})',
        {"apiGroup": "v1", "kind": "S", "name": "n"},
        id="group_ref/core-api-version-kept-whole",
    ),
    pytest.param(
        'group_ref({"apiGroup": "g.io", "apiVersion": "apps/v1", "name": "n"})',
        {"apiGroup": "g.io", "name": "n"},
        id="group_ref/api-group-wins",
    ),
    pytest.param(
        'group_ref({"apiGroup": "", "apiVersion": "a/b/c", "name": "n"})',
        {"apiGroup": "a", "name": "n"},
        id="group_ref/empty-api-group-falls-back",
    ),
    pytest.param(
        'group_ref({"apiVersion": "/v1", "name": "n"})',
        {"apiGroup": "", "name": "n"},
        id="group_ref/empty-group-kept",
    ),
    pytest.param(
        'group_ref({"apiVersion": 5, "name": "n"})',
        {"name": "n"},
        id="group_ref/non-string-api-version-ignored",
    ),
    pytest.param(
        'group_ref({"apiGroup": 5, "name": "n"})',
        {"apiGroup": 5, "name": "n"},
        id="group_ref/non-string-api-group-kept",
    ),
    pytest.param(
        'group_ref({"apiVersion": "x.dev/v1", "kind": "K", "external": "e"})',
        {"apiGroup": "x.dev", "kind": "K", "external": "e"},
        id="group_ref/external",
    ),
    pytest.param(
        'group_ref({"apiVersion": "apps/v1"})',
        Fails("`external` or `name` are required to build a reference."),
        id="group_ref/no-name",
    ),
    pytest.param(
        'group_ref({"name": ""})', Fails("`name` must contain a value."), id="group_ref/empty-name"
    ),
    pytest.param(
        'group_ref({"external": ""})',
        Fails("`external` must contain a value."),
        id="group_ref/empty-external",
    ),
    pytest.param(
        "group_ref(3)",
        NoOverload(AttributeError, "'IntType' object has no attribute 'get'"),
        id="group_ref/of-int",
    ),
    pytest.param(
        'kindless_ref({"apiVersion": "v1", "kind": "K", "name": "n", "namespace": "ns"})',
        {"name": "n", "namespace": "ns"},
        id="kindless_ref/name",
    ),
    pytest.param(
        'kindless_ref({"external": "e", "name": "n"})',
        {"external": "e"},
        id="kindless_ref/external-wins-over-name",
    ),
    pytest.param(
        "kindless_ref({})",
        Fails("`external` or `name` are required to build a reference."),
        id="kindless_ref/no-name",
    ),
    pytest.param(
        'kindless_ref({"name": ""})',
        Fails("`name` must contain a value."),
        id="kindless_ref/empty-name",
    ),
    pytest.param(
        'kindless_ref({"external": ""})',
        Fails("`external` must contain a value."),
        id="kindless_ref/empty-external",
    ),
    pytest.param(
        'kindless_ref("x")',
        Fails("`external` or `name` are required to build a reference."),
        id="kindless_ref/of-string-without-those-words",
    ),
    pytest.param(
        'kindless_ref("external")',
        NoOverload(AttributeError, "'StringType' object has no attribute 'get'"),
        id="kindless_ref/of-string-containing-external",
    ),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K", "metadata": {"name": "n", "namespace": "ns"}})',
        {"apiVersion": "v1", "kind": "K", "name": "n", "namespace": "ns"},
        id="self_ref/resource",
    ),
    pytest.param(
        'self_ref({"kind": "K"})', Fails("Missing `apiVersion`."), id="self_ref/no-api-version"
    ),
    pytest.param(
        'self_ref({"apiVersion": "", "kind": "K"})',
        Fails("Missing `apiVersion`."),
        id="self_ref/empty-api-version",
    ),
    pytest.param('self_ref({"apiVersion": "v1"})', Fails("Missing `kind`."), id="self_ref/no-kind"),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K"})',
        Fails("Missing `metadata`."),
        id="self_ref/no-metadata",
    ),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K", "metadata": {}})',
        Fails("Missing `metadata`."),
        id="self_ref/empty-metadata",
    ),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K", "metadata": {"namespace": "ns"}})',
        Fails("Missing `metadata.name`."),
        id="self_ref/no-name",
    ),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K", "metadata": {"name": "n"}})',
        Fails("Missing `metadata.namespace`."),
        id="self_ref/no-namespace",
    ),
    pytest.param(
        'self_ref({"apiVersion": "v1", "kind": "K", "metadata": "m"})',
        NoOverload(AttributeError, "'StringType' object has no attribute 'get'"),
        id="self_ref/string-metadata",
    ),
    pytest.param(
        "self_ref(1)",
        NoOverload(AttributeError, "'IntType' object has no attribute 'get'"),
        id="self_ref/of-int",
    ),
    pytest.param(
        "self_ref({}, {})",
        NoOverload(TypeError, "_self_ref() takes 1 positional argument but 2 were given"),
        id="self_ref/two-arguments",
    ),
]

CONFIG_CONNECT_READY = [
    pytest.param(ready('{"type": "Synced"}', READY), True, id="config_connect_ready/ready"),
    pytest.param("config_connect_ready({})", False, id="config_connect_ready/no-status"),
    pytest.param(
        'config_connect_ready({"status": {}})', False, id="config_connect_ready/no-conditions"
    ),
    pytest.param(ready(), False, id="config_connect_ready/empty-conditions"),
    pytest.param(
        ready('{"type": "Synced", "reason": "UpToDate", "status": "True"}'),
        False,
        id="config_connect_ready/no-ready-condition",
    ),
    pytest.param(ready(READY, READY), False, id="config_connect_ready/two-ready-conditions"),
    pytest.param(
        ready('{"type": "Ready"}', '{"type": "Ready"}', "1"),
        False,
        id="config_connect_ready/stops-at-second-ready",
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": "UpdateFailed", "status": "True"}'),
        False,
        id="config_connect_ready/wrong-reason",
    ),
    pytest.param(
        ready('{"type": "Ready", "status": "True"}'), False, id="config_connect_ready/no-reason"
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": "UpToDate", "status": "False"}'),
        False,
        id="config_connect_ready/status-false",
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": "UpToDate", "status": true}'),
        False,
        id="config_connect_ready/status-bool-true",
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": "UpToDate", "status": 1}'),
        NoOverload(
            TypeError,
            "no such overload: IntType(1) <class 'celpy.celtypes.IntType'> != 'True' <class 'str'>",
        ),
        id="config_connect_ready/status-int",
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": 1, "status": "True"}'),
        NoOverload(
            TypeError,
            "no such overload: IntType(1) <class 'celpy.celtypes.IntType'> != 'UpToDate' "
            "<class 'str'>",
        ),
        id="config_connect_ready/reason-int",
    ),
    pytest.param(
        ready('{"type": 1}'),
        NoOverload(
            TypeError,
            "no such overload: IntType(1) <class 'celpy.celtypes.IntType'> != 'Ready' "
            "<class 'str'>",
        ),
        id="config_connect_ready/type-int",
    ),
    pytest.param(
        ready('{"type": [1]}'),
        NoOverload(TypeError, "no such overload: ListType != <class 'str'>"),
        id="config_connect_ready/type-list",
    ),
    pytest.param(
        ready('{"type": {"a": 1, "b": 2}}'),
        NoOverload(TypeError, "no such overload: MapType != <class 'str'>"),
        id="config_connect_ready/type-map",
    ),
    pytest.param(
        ready('{"type": "Ready", "reason": "UpToDate", "status": {"a": 1, "b": 2}}'),
        NoOverload(TypeError, "no such overload: MapType != <class 'str'>"),
        id="config_connect_ready/status-map",
    ),
    pytest.param(
        'config_connect_ready({"status": null})',
        NoOverload(TypeError, "argument of type 'NoneType' is not iterable"),
        id="config_connect_ready/null-status",
    ),
    pytest.param(
        'config_connect_ready({"status": {"conditions": null}})',
        NoOverload(TypeError, "'NoneType' object is not iterable"),
        id="config_connect_ready/null-conditions",
    ),
    pytest.param(
        ready("1"),
        NoOverload(AttributeError, "'IntType' object has no attribute 'get'"),
        id="config_connect_ready/int-condition",
    ),
    pytest.param(
        'config_connect_ready({"status": "x"})',
        False,
        id="config_connect_ready/string-status",
    ),
    pytest.param(
        'config_connect_ready({"status": "conditions"})',
        NoOverload(AttributeError, "'StringType' object has no attribute 'get'"),
        id="config_connect_ready/string-status-containing-conditions",
    ),
    pytest.param(
        'config_connect_ready("not a resource")', False, id="config_connect_ready/of-string"
    ),
    pytest.param(
        'config_connect_ready("status")',
        NoOverload(AttributeError, "'StringType' object has no attribute 'get'"),
        id="config_connect_ready/of-string-containing-status",
    ),
    pytest.param(
        "config_connect_ready(1)",
        NoOverload(TypeError, "argument of type 'IntType' is not iterable"),
        id="config_connect_ready/of-int",
    ),
]

OVERLAY = [
    pytest.param(
        'overlay({"a": {"b": 1, "c": 2}, "keep": true}, {"a": {"c": 3, "d": 4}})',
        {"a": {"b": 1, "c": 3, "d": 4}, "keep": True},
        id="overlay/nested-maps-merge",
    ),
    pytest.param(
        'overlay({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": 3}}})',
        {"a": {"b": {"c": 3, "d": 2}}},
        id="overlay/deeply-nested",
    ),
    pytest.param(
        'overlay({"l": [1, 2, 3], "m": {"x": [1]}}, {"l": [4], "m": {"x": []}})',
        {"l": [4], "m": {"x": []}},
        id="overlay/lists-replaced",
    ),
    pytest.param(
        'overlay({"a": 1}, {"z": {"n": 1}})',
        {"a": 1, "z": {"n": 1}},
        id="overlay/key-only-in-overlay",
    ),
    pytest.param(
        'overlay({"b": 1, "a": 2}, {"c": 3, "b": 4})',
        {"b": 4, "a": 2, "c": 3},
        id="overlay/keys-keep-their-place",
    ),
    pytest.param('overlay({"a": {"b": 1}}, {"a": 5})', {"a": 5}, id="overlay/scalar-replaces-map"),
    pytest.param(
        'overlay({"a": 5}, {"a": {"b": 1}})', {"a": {"b": 1}}, id="overlay/map-replaces-scalar"
    ),
    pytest.param('overlay({"a": {"b": 1}}, {"a": null})', {"a": None}, id="overlay/null-replaces"),
    pytest.param('overlay({"a": 1}, {})', {"a": 1}, id="overlay/empty-overlay"),
    pytest.param('overlay({}, {"a": {"b": 1}})', {"a": {"b": 1}}, id="overlay/onto-empty"),
    pytest.param('overlay({1: "a"}, {1: "b", 2: "c"})', {1: "b", 2: "c"}, id="overlay/int-keys"),
    pytest.param(
        '{"a": {"b": 1}}.overlay({"a": {"c": 2}})',
        {"a": {"b": 1, "c": 2}},
        id="overlay/as-method",
    ),
    pytest.param("overlay(1, {})", 1, id="overlay/onto-int-with-empty-overlay"),
    pytest.param(
        'overlay(1, {"a": 1})',
        NoOverload(TypeError, "argument of type 'IntType' is not iterable"),
        id="overlay/onto-int",
    ),
    pytest.param(
        'overlay({"a": 1}, 1)',
        NoOverload(AttributeError, "'IntType' object has no attribute 'items'"),
        id="overlay/with-int",
    ),
    pytest.param(
        'overlay({"a": 1}, [1])',
        NoOverload(AttributeError, "'ListType' object has no attribute 'items'"),
        id="overlay/with-list",
    ),
    pytest.param(
        'overlay("abc", {"a": 1})',
        NoOverload(TypeError, "string indices must be integers, not 'StringType'"),
        id="overlay/onto-string-containing-key",
    ),
    pytest.param(
        'overlay("abc", {"z": 1})',
        NoOverload(TypeError, "'StringType' object does not support item assignment"),
        id="overlay/onto-string",
    ),
    pytest.param(
        'overlay([1, 2], {"a": 1})',
        NoOverload(
            TypeError,
            "no such overload: IntType(1) <class 'celpy.celtypes.IntType'> != StringType('a') "
            "<class 'celpy.celtypes.StringType'>",
        ),
        id="overlay/onto-list",
    ),
    pytest.param(
        "overlay({1.5: 1}, {1.5: 2})",
        NoOverload(TypeError, "unsupported key type: <class 'celpy.celtypes.DoubleType'>"),
        id="overlay/double-key",
    ),
    pytest.param(
        "overlay({})",
        NoOverload(TypeError, "_overlay() missing 1 required positional argument: 'overlay'"),
        id="overlay/one-argument",
    ),
]

FLATTEN = [
    pytest.param(
        'flatten([[1, 2], [], ["a", [3]], [{"k": true}]])',
        [1, 2, "a", [3], {"k": True}],
        id="flatten/nested-lists",
    ),
    pytest.param("flatten([])", [], id="flatten/empty-list"),
    pytest.param("flatten([[], []])", [], id="flatten/empty-lists"),
    pytest.param('flatten([[1], "ab"])', [1, "a", "b"], id="flatten/string-item-gives-characters"),
    pytest.param('flatten([{"a": 1, "b": 2}])', ["a", "b"], id="flatten/map-item-gives-keys"),
    pytest.param('flatten("ab")', ["a", "b"], id="flatten/of-string"),
    pytest.param("flatten(0)", [], id="flatten/of-zero"),
    pytest.param('flatten("")', [], id="flatten/of-empty-string"),
    pytest.param("flatten({})", [], id="flatten/of-empty-map"),
    pytest.param(
        "flatten([1])",
        NoOverload(TypeError, "'IntType' object is not iterable"),
        id="flatten/int-item",
    ),
    pytest.param(
        "flatten([null])",
        NoOverload(TypeError, "'NoneType' object is not iterable"),
        id="flatten/null-item",
    ),
    pytest.param(
        "flatten(1)",
        NoOverload(TypeError, "'IntType' object is not iterable"),
        id="flatten/of-int",
    ),
]

STRINGS = [
    pytest.param('lower("MiXeD Ünïcode")', "mixed ünïcode", id="lower/mixed-case"),
    pytest.param('lower("")', "", id="lower/empty"),
    pytest.param('"ABC".lower()', "abc", id="lower/as-method"),
    pytest.param('lower(b"ABC")', "abc", id="lower/of-bytes"),
    pytest.param(
        "lower(1)",
        NoOverload(AttributeError, "'IntType' object has no attribute 'lower'"),
        id="lower/of-int",
    ),
    pytest.param(
        "lower(null)",
        NoOverload(AttributeError, "'NoneType' object has no attribute 'lower'"),
        id="lower/of-null",
    ),
    pytest.param(
        'lower("a", "b")',
        NoOverload(TypeError, "_lower() takes 1 positional argument but 2 were given"),
        id="lower/two-arguments",
    ),
    pytest.param('strip("xxhixyx", "xy")', "hi", id="strip/character-set"),
    pytest.param('strip("  a b  ", " ")', "a b", id="strip/spaces"),
    pytest.param('strip("xyx", "")', "xyx", id="strip/no-characters"),
    pytest.param('strip(" x ", null)', "x", id="strip/null-strips-whitespace"),
    pytest.param(
        'strip(1, "x")',
        NoOverload(AttributeError, "'IntType' object has no attribute 'strip'"),
        id="strip/of-int",
    ),
    pytest.param(
        'strip("x", 1)',
        NoOverload(TypeError, "strip arg must be None or str"),
        id="strip/int-characters",
    ),
    pytest.param(
        'strip("x")',
        NoOverload(TypeError, "_strip() missing 1 required positional argument: 'on'"),
        id="strip/one-argument",
    ),
    pytest.param('rstrip("x.-.-", ".-")', "x", id="rstrip/character-set"),
    pytest.param('rstrip("--a--", "-")', "--a", id="rstrip/left-end-kept"),
    pytest.param(
        'rstrip(1, "x")',
        NoOverload(AttributeError, "'IntType' object has no attribute 'rstrip'"),
        id="rstrip/of-int",
    ),
    pytest.param(
        'rstrip("x", 1)',
        NoOverload(TypeError, "rstrip arg must be None or str"),
        id="rstrip/int-characters",
    ),
    pytest.param('replace("a-b-c", "-", "_")', "a_b_c", id="replace/every-occurrence"),
    pytest.param('replace("aaa", "a", "")', "", id="replace/with-nothing"),
    pytest.param('replace("abc", "z", "y")', "abc", id="replace/no-occurrence"),
    pytest.param('replace("ab", "", "-")', "-a-b-", id="replace/empty-old"),
    pytest.param('"a-b".replace("-", "_")', "a_b", id="replace/as-method"),
    pytest.param(
        'replace(1, "a", "b")',
        Fails("Replace error 'IntType' object has no attribute 'replace'"),
        id="replace/of-int",
    ),
    pytest.param(
        'replace("a1", 1, "b")',
        Fails("Replace error replace() argument 1 must be str, not IntType"),
        id="replace/int-old",
    ),
    pytest.param(
        'replace("a1", "a", 2)',
        Fails("Replace error replace() argument 2 must be str, not IntType"),
        id="replace/int-new",
    ),
    pytest.param(
        'replace("a", "b")',
        NoOverload(TypeError, "_replace() missing 1 required positional argument: 'new'"),
        id="replace/two-arguments",
    ),
]

SPLITS = [
    pytest.param('split("a/b/c", "/")', ["a", "b", "c"], id="split/parts"),
    pytest.param('split("/a//b/", "/")', ["", "a", "", "b", ""], id="split/empty-parts-kept"),
    pytest.param('split("", "/")', [""], id="split/empty-string"),
    pytest.param('split("a::b::c", "::")', ["a", "b", "c"], id="split/long-separator"),
    pytest.param('split("abc", ".")', ["abc"], id="split/no-separator-in-string"),
    pytest.param('"a.b".split(".")', ["a", "b"], id="split/as-method"),
    pytest.param(
        'split("a", "")', Fails("split separator may not be empty"), id="split/empty-separator"
    ),
    pytest.param(
        'split("a", null)', Fails("split separator may not be empty"), id="split/null-separator"
    ),
    pytest.param(
        'split("a", 0)', Fails("split separator may not be empty"), id="split/zero-separator"
    ),
    pytest.param(
        'split("a", 1)',
        NoOverload(TypeError, "must be str or None, not IntType"),
        id="split/int-separator",
    ),
    pytest.param(
        'split(1, ".")',
        NoOverload(AttributeError, "'IntType' object has no attribute 'split'"),
        id="split/of-int",
    ),
    pytest.param('split_first("a.b.c", ".")', "a", id="split_first/first-part"),
    pytest.param('split_first("abc", ".")', "abc", id="split_first/no-separator-in-string"),
    pytest.param('split_first(".a", ".")', "", id="split_first/leading-separator"),
    pytest.param('split_first("", ".")', "", id="split_first/empty-string"),
    pytest.param('split_first(0, ".")', "", id="split_first/of-zero"),
    pytest.param(
        'split_first("a.b", "")',
        Fails("split separator may not be empty"),
        id="split_first/empty-separator",
    ),
    pytest.param(
        'split_first("", "")',
        Fails("split separator may not be empty"),
        id="split_first/empty-separator-checked-first",
    ),
    pytest.param(
        'split_first(1, ".")',
        NoOverload(AttributeError, "'IntType' object has no attribute 'split'"),
        id="split_first/of-int",
    ),
    pytest.param('split_last("a.b.c", ".")', "c", id="split_last/last-part"),
    pytest.param('split_last("abc", ".")', "abc", id="split_last/no-separator-in-string"),
    pytest.param('split_last("a.", ".")', "", id="split_last/trailing-separator"),
    pytest.param('split_last("", ".")', "", id="split_last/empty-string"),
    pytest.param(
        'split_last("a", "")',
        Fails("split separator may not be empty"),
        id="split_last/empty-separator",
    ),
    pytest.param(
        'split_last("a", 1)',
        NoOverload(TypeError, "must be str or None, not IntType"),
        id="split_last/int-separator",
    ),
    pytest.param('split_index("a.b.c", ".", 1)', "b", id="split_index/middle"),
    pytest.param('split_index("a.b.c", ".", 0)', "a", id="split_index/first"),
    pytest.param('split_index("a.b.c", ".", -1)', "c", id="split_index/negative"),
    pytest.param('split_index("a.b", ".", 1u)', "b", id="split_index/uint-index"),
    pytest.param('split_index("a.b", ".", true)', "b", id="split_index/bool-index"),
    pytest.param('split_index("", ".", 3)', "", id="split_index/empty-string-any-index"),
    pytest.param(
        'split_index("a.b.c", ".", 3)',
        Fails("index out of bounds on split"),
        id="split_index/out-of-range",
    ),
    pytest.param(
        'split_index("a.b.c", ".", -4)',
        Fails("index out of bounds on split"),
        id="split_index/negative-out-of-range",
    ),
    pytest.param(
        'split_index("a.b", "", 0)',
        Fails("split separator may not be empty"),
        id="split_index/empty-separator",
    ),
    pytest.param(
        'split_index("a.b", ".", "1")',
        NoOverload(TypeError, "list indices must be integers or slices, not StringType"),
        id="split_index/string-index",
    ),
    pytest.param(
        'split_index("a.b", ".", 1.0)',
        NoOverload(TypeError, "list indices must be integers or slices, not DoubleType"),
        id="split_index/double-index",
    ),
    pytest.param(
        'split_index("a.b", ".")',
        NoOverload(TypeError, "_split_index() missing 1 required positional argument: 'index'"),
        id="split_index/two-arguments",
    ),
]

TO_JSON = [
    pytest.param(
        'to_json({"z": [true, false, 1, -2, 2.5, 1.0, null, "s", {}], "a": {"y": {"b": [[]]}}})',
        '{"a": {"y": {"b": [[]]}}, "z": [1, 0, 1, -2, 2.5, 1.0, null, "s", {}]}',
        id="to_json/nested-sorted-bools-as-ints",
    ),
    pytest.param("to_json(true)", "1", id="to_json/true"),
    pytest.param("to_json(false)", "0", id="to_json/false"),
    pytest.param("to_json(42)", "42", id="to_json/int"),
    pytest.param("to_json(42u)", "42", id="to_json/uint"),
    pytest.param("to_json(2.5)", "2.5", id="to_json/double"),
    pytest.param("to_json(3.0)", "3.0", id="to_json/whole-double"),
    pytest.param("to_json(1e300)", "1e+300", id="to_json/large-double"),
    pytest.param("to_json(1e-7)", "1e-07", id="to_json/small-double"),
    pytest.param('to_json(double("NaN"))', "NaN", id="to_json/nan"),
    pytest.param('to_json(double("Infinity"))', "Infinity", id="to_json/infinity"),
    pytest.param("to_json(null)", "null", id="to_json/null"),
    pytest.param(r'to_json("a \"q\" \n é✓")', r'"a \"q\" \n \u00e9\u2713"', id="to_json/string"),
    pytest.param("to_json([])", "[]", id="to_json/empty-list"),
    pytest.param("to_json({})", "{}", id="to_json/empty-map"),
    pytest.param('to_json({2: "b", 1: "a"})', '{"1": "a", "2": "b"}', id="to_json/int-keys"),
    pytest.param(
        'to_json({true: "t", false: "f"})', '{"0": "f", "1": "t"}', id="to_json/bool-keys"
    ),
    pytest.param(
        'to_json({"a": 1, 1: 2})',
        Fails(
            "JSON Encoding error no such overload: IntType(1) <class 'celpy.celtypes.IntType'> "
            "!= StringType('a') <class 'celpy.celtypes.StringType'>"
        ),
        id="to_json/mixed-key-types",
    ),
    pytest.param(
        'to_json(b"x")',
        Fails("JSON Encoding error Object of type BytesType is not JSON serializable"),
        id="to_json/bytes",
    ),
    pytest.param(
        'to_json(timestamp("2024-01-01T00:00:00Z"))',
        Fails("JSON Encoding error Object of type TimestampType is not JSON serializable"),
        id="to_json/timestamp",
    ),
    pytest.param(
        'to_json(duration("1s"))',
        Fails("JSON Encoding error Object of type DurationType is not JSON serializable"),
        id="to_json/duration",
    ),
    pytest.param(
        "to_json(int)",
        Fails("JSON Encoding error Object of type type is not JSON serializable"),
        id="to_json/type",
    ),
]

FROM_JSON = [
    pytest.param(
        r'from_json("{\"z\": 1, \"a\": [true, null, 1.5, \"s\", {}]}")',
        {"z": 1, "a": [True, None, 1.5, "s", {}]},
        id="from_json/object-keeps-key-order",
    ),
    pytest.param(r'from_json("[1, [2], \"x\"]")', [1, [2], "x"], id="from_json/array"),
    pytest.param('from_json("12")', 12, id="from_json/int"),
    pytest.param('from_json("-3")', -3, id="from_json/negative-int"),
    pytest.param('from_json("1.0")', 1.0, id="from_json/double"),
    pytest.param('from_json("1e3")', 1000.0, id="from_json/exponent"),
    pytest.param('from_json("NaN")', float("nan"), id="from_json/nan"),
    pytest.param(r'from_json("\"q\"")', "q", id="from_json/string"),
    pytest.param('from_json("true")', True, id="from_json/true"),
    pytest.param('from_json("false")', False, id="from_json/false"),
    pytest.param('from_json("null")', None, id="from_json/null"),
    pytest.param('from_json(b"[1]")', [1], id="from_json/of-bytes"),
    pytest.param('from_json(to_json({"a": [1, "b"]}))', {"a": [1, "b"]}, id="from_json/round-trip"),
    pytest.param("from_json(to_json(true))", 1, id="from_json/round-trip-of-bool-gives-int"),
    pytest.param('size(from_json("[1, 2, 3]"))', 3, id="from_json/usable-in-cel"),
    pytest.param(r'from_json("{\"a\": 1}") == {"a": 1}', True, id="from_json/equals-cel-map"),
    pytest.param(
        'from_json("")',
        Fails("JSON Decoding error Expecting value: line 1 column 1 (char 0)"),
        id="from_json/empty",
    ),
    pytest.param(
        'from_json("{a: 1}")',
        Fails(
            "JSON Decoding error Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)"
        ),
        id="from_json/unquoted-key",
    ),
    pytest.param(
        'from_json("[1] x")',
        Fails("JSON Decoding error Extra data: line 1 column 5 (char 4)"),
        id="from_json/trailing-text",
    ),
    pytest.param(
        "from_json(1)",
        Fails("JSON Decoding error the JSON object must be str, bytes or bytearray, not IntType"),
        id="from_json/of-int",
    ),
    pytest.param(
        "from_json(null)",
        Fails("JSON Decoding error the JSON object must be str, bytes or bytearray, not NoneType"),
        id="from_json/of-null",
    ),
]

BASE64 = [
    pytest.param('b64encode("hello, world")', "aGVsbG8sIHdvcmxk", id="b64encode/ascii"),
    pytest.param('b64encode("café")', "Y2Fmw6k=", id="b64encode/utf8"),
    pytest.param('b64encode("")', "", id="b64encode/empty"),
    pytest.param(
        "b64encode(1)",
        Fails("Base64 Encoding error 'IntType' object has no attribute 'encode'"),
        id="b64encode/of-int",
    ),
    pytest.param(
        'b64encode(b"x")',
        Fails("Base64 Encoding error 'BytesType' object has no attribute 'encode'"),
        id="b64encode/of-bytes",
    ),
    pytest.param(
        "b64encode(null)",
        Fails("Base64 Encoding error 'NoneType' object has no attribute 'encode'"),
        id="b64encode/of-null",
    ),
    pytest.param('b64decode("aGVsbG8sIHdvcmxk")', "hello, world", id="b64decode/ascii"),
    pytest.param('b64decode("Y2Fmw6k=")', "café", id="b64decode/utf8"),
    pytest.param('b64decode("")', "", id="b64decode/empty"),
    pytest.param('b64decode("aGVs!bG8=")', "hello", id="b64decode/other-characters-skipped"),
    pytest.param('b64decode("-_-_")', "", id="b64decode/url-safe-alphabet-skipped"),
    pytest.param('b64decode(b"YQ==")', "a", id="b64decode/of-bytes"),
    pytest.param('b64decode(b64encode("✓ ok"))', "✓ ok", id="b64decode/round-trip"),
    pytest.param(
        'b64decode("abc")',
        Fails("Base64 Encoding error Incorrect padding"),
        id="b64decode/bad-padding",
    ),
    pytest.param(
        'b64decode("abcde")',
        Fails(
            "Base64 Encoding error Invalid base64-encoded string: number of data characters (5) "
            "cannot be 1 more than a multiple of 4"
        ),
        id="b64decode/impossible-length",
    ),
    pytest.param(
        'b64decode("/w==")',
        Fails(
            "Base64 Encoding error 'utf-8' codec can't decode byte 0xff in position 0: "
            "invalid start byte"
        ),
        id="b64decode/not-utf8",
    ),
    pytest.param(
        'b64decode("é")',
        Fails("Base64 Encoding error string argument should contain only ASCII characters"),
        id="b64decode/non-ascii",
    ),
    pytest.param(
        "b64decode(1)",
        Fails(
            "Base64 Encoding error argument should be a bytes-like object or ASCII string, "
            "not 'IntType'"
        ),
        id="b64decode/of-int",
    ),
]


# celpy quotes Python's own complaint about a wrong number of arguments, which names Koreo's
# Python function and parameter (more such cases are in the lists above).
ARITY = [
    pytest.param(text, NoOverload(TypeError, message), id=f"{text.split('(')[0]}/arity")
    for text, message in [
        ('split("a")', "_split() missing 1 required positional argument: 'on'"),
        ('split_first("a")', "_split_first() missing 1 required positional argument: 'on'"),
        ('split_last("a")', "_split_last() missing 1 required positional argument: 'on'"),
        ('rstrip("a")', "_rstrip() missing 1 required positional argument: 'on'"),
        ("flatten()", "_flatten() missing 1 required positional argument: 'resource'"),
        ("to_json()", "_to_json() missing 1 required positional argument: 'value'"),
        ("from_json()", "_from_json() missing 1 required positional argument: 'value'"),
        ("b64encode()", "_b64encode() missing 1 required positional argument: 'value'"),
        ('b64decode("a", "b")', "_b64decode() takes 1 positional argument but 2 were given"),
        ("kindless_ref()", "_kindless_ref() missing 1 required positional argument: 'source'"),
        ("group_ref()", "_group_ref() missing 1 required positional argument: 'source'"),
        (
            "config_connect_ready()",
            "_config_connect_ready() missing 1 required positional argument: 'resource'",
        ),
    ]
]


@pytest.fixture(scope="module")
def env() -> Any:
    # celpy adds its protobuf names to the annotations it is given: hand it a copy.
    return celpy.Environment(annotations=dict(ANNOTATIONS))


def evaluate(env: Any, text: str, **variables: Any) -> Any:
    """The value of CEL ``text``, or the CEL error it evaluates to."""
    program = env.program(env.compile(text), functions=FUNCTIONS)
    try:
        return program.evaluate(variables)
    except CELEvalError as error:
        return error


@pytest.mark.parametrize(
    ("text", "expected"),
    REFERENCES
    + CONFIG_CONNECT_READY
    + OVERLAY
    + FLATTEN
    + STRINGS
    + SPLITS
    + TO_JSON
    + FROM_JSON
    + BASE64
    + ARITY,
)
def test_helper_gives_the_reference_result(env: Any, text: str, expected: Any) -> None:
    result = evaluate(env, text)
    if isinstance(expected, Fails | NoOverload):
        assert isinstance(result, CELEvalError), to_plain(result)
        assert result.args == expected.args
    else:
        assert not isinstance(result, CELEvalError), result.args
        assert json.dumps(to_plain(result)) == json.dumps(expected)


def shape(value: Any) -> Any:
    """The Python classes in ``value``: a class name, or (class name, shapes of the items)."""
    name = type(value).__name__
    if isinstance(value, dict):
        return name, {f"{type(key).__name__} {key}": shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return name, [shape(item) for item in value]
    return name


_REF = ("MapType", dict.fromkeys(["StringType apiGroup", "StringType name"], "StringType"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            r'from_json("{\"m\": {}, \"l\": [true, null, 1.5, \"s\", 1]}")',
            (
                "MapType",
                {
                    "StringType m": ("MapType", {}),
                    "StringType l": (
                        "ListType",
                        ["BoolType", "NoneType", "DoubleType", "StringType", "IntType"],
                    ),
                },
            ),
            id="from_json",
        ),
        pytest.param('group_ref({"apiVersion": "apps/v1", "name": "n"})', _REF, id="group_ref"),
        pytest.param(
            'overlay({1: "a"}, {1: "b", 2: "c"})',
            ("MapType", {"IntType 1": "StringType", "IntType 2": "StringType"}),
            id="overlay",
        ),
        pytest.param('flatten([[1], "ab"])', ("ListType", ["IntType", "str", "str"]), id="flatten"),
        pytest.param("flatten([])", ("ListType", []), id="flatten-empty"),
        pytest.param('split("a/b", "/")', ("ListType", ["StringType"] * 2), id="split"),
        pytest.param('split_index("a/b", "/", 0)', "StringType", id="split_index"),
        pytest.param("config_connect_ready({})", "BoolType", id="config_connect_ready-false"),
        pytest.param(ready(READY), "BoolType", id="config_connect_ready-true"),
        pytest.param('to_json({"a": true})', "StringType", id="to_json"),
        pytest.param('lower(b"ABC")', "StringType", id="lower-of-bytes"),
        pytest.param('b64decode("YQ==")', "StringType", id="b64decode"),
    ],
)
def test_helper_returns_the_reference_celtypes(env: Any, text: str, expected: Any) -> None:
    assert shape(evaluate(env, text)) == expected


def test_overlay_leaves_its_arguments_unchanged(env: Any) -> None:
    base = to_cel({"a": {"b": 1, "c": 2, "l": [1]}, "keep": True})
    layer = to_cel({"a": {"c": 3, "d": {"e": 4}}})
    result = evaluate(env, "overlay(base, layer)", base=base, layer=layer)
    assert to_plain(result) == {"a": {"b": 1, "c": 3, "l": [1], "d": {"e": 4}}, "keep": True}
    assert to_plain(base) == {"a": {"b": 1, "c": 2, "l": [1]}, "keep": True}
    assert to_plain(layer) == {"a": {"c": 3, "d": {"e": 4}}}


def test_deep_overlay_returns_a_new_value_sharing_nothing_with_base() -> None:
    base = to_cel({"a": {"b": [1]}, "z": 0})
    merged = deep_overlay(base, to_cel({"a": {"c": 2}}))
    assert json.dumps(to_plain(merged)) == json.dumps({"a": {"b": [1], "c": 2}, "z": 0})
    merged[celtypes.StringType("a")][celtypes.StringType("b")].append(celtypes.IntType(9))
    assert to_plain(base) == {"a": {"b": [1]}, "z": 0}


def test_every_helper_is_registered_and_annotated() -> None:
    names = {
        "to_ref", "self_ref", "group_ref", "kindless_ref", "config_connect_ready", "overlay",
        "lower", "flatten", "split", "split_first", "split_last", "split_index", "strip",
        "rstrip", "to_json", "from_json", "b64encode", "b64decode", "replace",
    }  # fmt: skip
    assert set(FUNCTIONS) == names
    assert dict(ANNOTATIONS) == dict.fromkeys(names, celtypes.FunctionType)


@pytest.mark.parametrize("registry", [FUNCTIONS, ANNOTATIONS], ids=["FUNCTIONS", "ANNOTATIONS"])
def test_registries_are_read_only(registry: Any) -> None:
    with pytest.raises(TypeError):
        registry["lower"] = None
