"""Associative paths: every form of the ConfigHub syntax, setters' creation rules, registry."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from ruamel.yaml import YAML

from koreoctl.errors import UsageError
from koreoctl.fn.paths import (
    PATH_REGISTRY,
    AssociativePath,
    PathError,
    Segment,
    SegmentKind,
    attribute_paths,
    delete_at,
    format_path,
    get_at,
    parse_path,
    resolve,
    resolve_for_set,
    set_at,
)

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "labels": {"app.kubernetes.io/name": "web", "tier": "front"},
    },
    "spec": {
        "replicas": 2,
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "app:1",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80, "name": "http"}],
                        "securityContext": {"runAsUser": 1000},
                    },
                    {"name": "sidecar", "image": "side:1"},
                    {"name": "app", "image": "duplicate:1"},
                    {"image": "nameless:1"},
                ],
                "initContainers": [{"name": "init", "image": "init:1"}],
            }
        },
    },
}

CONFIGMAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cfg"},
    "data": {"a.b": "dotted", "plain": "x", "port": "80"},
}

LONG_LIST: dict[str, Any] = {"items": [{"n": str(i)} for i in range(12)]}

Got = list[tuple[str, Any, dict[str, str]]]


def _found(document: Any, path: str, *, upsert: bool = False) -> Got:
    matches = resolve_for_set(document, path) if upsert else resolve(document, path)
    return [(m.text, m.value, dict(m.bindings)) for m in matches]


@pytest.mark.parametrize(
    ("document", "path", "expected"),
    [
        # plain paths, escapes, indexes
        (DEPLOYMENT, "spec.replicas", [("spec.replicas", 2, {})]),
        (DEPLOYMENT, "spec.missing", []),
        (CONFIGMAP, "data.a~1b", [("data.a~1b", "dotted", {})]),
        (
            DEPLOYMENT,
            "metadata.labels.app~1kubernetes~1io/name",
            [("metadata.labels.app~1kubernetes~1io/name", "web", {})],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.1.image",
            [("spec.template.spec.containers.1.image", "side:1", {})],
        ),
        (DEPLOYMENT, "spec.template.spec.containers.9.image", []),
        (DEPLOYMENT, "spec.replicas.0", []),  # an index into a scalar
        # ?key=value: first of several, no match drops out, strings only
        (
            DEPLOYMENT,
            "spec.template.spec.containers.?name=app.image",
            [("spec.template.spec.containers.0.image", "app:1", {})],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.?name=sidecar.image",
            [("spec.template.spec.containers.1.image", "side:1", {})],
        ),
        (DEPLOYMENT, "spec.template.spec.containers.?name=nope.image", []),
        (DEPLOYMENT, "spec.template.spec.containers.0.ports.?containerPort=80", []),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.0.ports.?name=http.containerPort",
            [("spec.template.spec.containers.0.ports.0.containerPort", 80, {})],
        ),
        (DEPLOYMENT, "metadata.?name=web", []),  # the parent must be a list
        (
            {"ports": [{"port": "80", "x": 1}]},
            "ports.?port=80.x",
            [("ports.0.x", 1, {})],
        ),
        ({"ports": [{"port": 80, "x": 1}]}, "ports.?port=80.x", []),
        ({"l": [{"v": True}]}, "l.?v=true", []),
        ({"l": [{"v": "a.b"}]}, "l.?v=a~1b", [("l.0", {"v": "a.b"}, {})]),
        ({"l": [{"v": "k=v"}]}, "l.?v=k=v.v", [("l.0.v", "k=v", {})]),
        # ?key:param=value binds
        (
            DEPLOYMENT,
            "spec.template.spec.containers.?name:container-name=sidecar.image",
            [("spec.template.spec.containers.1.image", "side:1", {"container-name": "sidecar"})],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.?name:c=app.env.?name:v=B.value",
            [("spec.template.spec.containers.0.env.1.value", "2", {"c": "app", "v": "B"})],
        ),
        # ?key=* is *?key: every element, nameless ones included
        (
            DEPLOYMENT,
            "spec.template.spec.containers.?name:c=*.image",
            [
                ("spec.template.spec.containers.0.image", "app:1", {"c": "app"}),
                ("spec.template.spec.containers.1.image", "side:1", {"c": "sidecar"}),
                ("spec.template.spec.containers.2.image", "duplicate:1", {"c": "app"}),
                ("spec.template.spec.containers.3.image", "nameless:1", {}),
            ],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.*?name:c.name",
            [
                ("spec.template.spec.containers.0.name", "app", {"c": "app"}),
                ("spec.template.spec.containers.1.name", "sidecar", {"c": "sidecar"}),
                ("spec.template.spec.containers.2.name", "app", {"c": "app"}),
            ],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.containers.*?name.image",
            [
                ("spec.template.spec.containers.0.image", "app:1", {}),
                ("spec.template.spec.containers.1.image", "side:1", {}),
                ("spec.template.spec.containers.2.image", "duplicate:1", {}),
                ("spec.template.spec.containers.3.image", "nameless:1", {}),
            ],
        ),
        (
            {"m": {"x": {"k": 1}, "y": {"k": True}, "z": {}}},
            "m.*?k:p",
            [("m.x", {"k": 1}, {"p": "1"}), ("m.y", {"k": True}, {"p": "true"}), ("m.z", {}, {})],
        ),
        # * over maps and lists; scalars have no children
        (
            CONFIGMAP,
            "data.*",
            [("data.a~1b", "dotted", {}), ("data.plain", "x", {}), ("data.port", "80", {})],
        ),
        (
            DEPLOYMENT,
            "spec.template.spec.*.*.image",
            [
                ("spec.template.spec.containers.0.image", "app:1", {}),
                ("spec.template.spec.containers.1.image", "side:1", {}),
                ("spec.template.spec.containers.2.image", "duplicate:1", {}),
                ("spec.template.spec.containers.3.image", "nameless:1", {}),
                ("spec.template.spec.initContainers.0.image", "init:1", {}),
            ],
        ),
        (DEPLOYMENT, "spec.replicas.*", []),
        ({"m": {}}, "m.*", []),
        # *@:param: map keys bound; on a list, nothing
        (
            DEPLOYMENT,
            "metadata.labels.*@:label-key",
            [
                (
                    "metadata.labels.app~1kubernetes~1io/name",
                    "web",
                    {"label-key": "app.kubernetes.io/name"},
                ),
                ("metadata.labels.tier", "front", {"label-key": "tier"}),
            ],
        ),
        (DEPLOYMENT, "spec.template.spec.containers.*@:i", []),
        (
            DEPLOYMENT,
            "metadata.labels.@*:k",  # @*:param is *@:param
            [
                (
                    "metadata.labels.app~1kubernetes~1io/name",
                    "web",
                    {"k": "app.kubernetes.io/name"},
                ),
                ("metadata.labels.tier", "front", {"k": "tier"}),
            ],
        ),
        # @key:param: the literal key, bound
        (DEPLOYMENT, "metadata.labels.@tier:k", [("metadata.labels.tier", "front", {"k": "tier"})]),
        (DEPLOYMENT, "metadata.labels.@nope:k", []),
        # a boundary does not change reading
        (DEPLOYMENT, "spec.|replicas", [("spec.replicas", 2, {})]),
        # sorted numerically: 2 < 10
        (
            LONG_LIST,
            "items.*.n",
            [(f"items.{i}.n", str(i), {}) for i in range(12)],
        ),
        # non-container documents have nothing
        (None, "a", []),
        ("text", "a", []),
    ],
)
def test_resolve(document: Any, path: str, expected: Got) -> None:
    assert _found(document, path) == expected


def test_sorting_is_numeric_not_textual() -> None:
    texts = [m.text for m in resolve(LONG_LIST, "items.*")]
    assert texts.index("items.2") < texts.index("items.10")


SECURED: dict[str, Any] = {
    "containers": [
        {"name": "a", "securityContext": {"runAsUser": 1}},
        {"name": "b"},
        {"name": "c", "securityContext": None},
    ]
}


@pytest.mark.parametrize(
    ("document", "path", "expected"),
    [
        # plain: missing literals are created all the way down
        ({}, "spec.replicas", [("spec.replicas", None, {})]),
        ({"spec": {"replicas": 1}}, "spec.replicas", [("spec.replicas", 1, {})]),
        # | boundary: only where the part before it exists
        (
            SECURED,
            "containers.*.securityContext.|runAsNonRoot",
            [
                ("containers.0.securityContext.runAsNonRoot", None, {}),
                ("containers.2.securityContext.runAsNonRoot", None, {}),
            ],
        ),
        # without |: created below every wildcard match
        (
            SECURED,
            "containers.*.securityContext.runAsNonRoot",
            [
                ("containers.0.securityContext.runAsNonRoot", None, {}),
                ("containers.1.securityContext.runAsNonRoot", None, {}),
                ("containers.2.securityContext.runAsNonRoot", None, {}),
            ],
        ),
        # creates below the boundary, several levels
        (SECURED, "containers.1.|a.b", [("containers.1.a.b", None, {})]),
        (SECURED, "containers.1.x.|a.b", []),
        # | on the first segment: nothing has to exist
        ({}, "|a.b", [("a.b", None, {})]),
        # literals before a wildcard are never created
        ({}, "spec.containers.*.image", []),
        ({"m": {}}, "m.x.*@:k", []),
        # wildcards and lookups never create list elements, indexes neither
        ({"l": []}, "l.*.x", []),
        ({"l": [{"name": "a"}]}, "l.?name=b.x", []),
        ({"l": [{"name": "a"}]}, "l.?name=a.x", [("l.0.x", None, {})]),
        ({"l": [{"name": "a"}]}, "l.3.x", []),
        ({}, "l.0.x", []),  # a missing parent of an index: no list is made up
        ({"m": {}}, "m.0", [("m.0", None, {})]),  # a digit key under an existing map
        # @key:param creates (label setters)
        (
            {"metadata": {}},
            "metadata.labels.@tier:k",
            [("metadata.labels.tier", None, {"k": "tier"})],
        ),
        # a scalar in the way is never replaced
        ({"a": "x"}, "a.b", []),
        ({"a": [1]}, "a.b", []),
    ],
)
def test_resolve_for_set(document: Any, path: str, expected: Got) -> None:
    assert _found(document, path, upsert=True) == expected


def test_resolve_for_set_marks_what_exists() -> None:
    exists = {m.text: m.exists for m in resolve_for_set(SECURED, "containers.*.name")}
    assert exists == {
        "containers.0.name": True,
        "containers.1.name": True,
        "containers.2.name": True,
    }
    (missing,) = resolve_for_set({}, "a.b")
    assert (missing.path, missing.exists, missing.value) == (("a", "b"), False, None)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "a..b",
        ".a",
        "a.",
        "a.|",
        "a.?name",  # ?key without =
        "a.?=x",
        "a.?k:=x",
        "a.?k:p:q=x",
        "a.*x",  # unknown operator
        "a.*?",
        "a.*?k:",
        "a.*@",
        "a.*@:",
        "a.*@x",
        "a.@key",  # @ without :param
        "a.@:p",
        "a.@",
        "a.@*",
        "a.|b.|c",  # two boundaries
        "a.||b",
        "a.image#uri",  # accessors are not supported
        "a.?name:p=x.?k:p=y",  # a parameter bound twice
        "a.@k:bad name",
    ],
)
def test_malformed_paths(path: str) -> None:
    with pytest.raises(PathError) as info:
        parse_path(path)
    assert isinstance(info.value, UsageError)
    assert "\n" not in str(info.value)
    assert repr(path) in str(info.value) or path == ""


def test_parse_path_structure() -> None:
    parsed = parse_path("spec.containers.?name:c=a~1b.|x.*?k:p.*@:q.@l~1m:r.*")
    assert parsed.boundary == 3
    kinds = [s.kind for s in parsed.segments]
    assert kinds == [
        SegmentKind.KEY,
        SegmentKind.KEY,
        SegmentKind.LOOKUP,
        SegmentKind.KEY,
        SegmentKind.EACH,
        SegmentKind.EACH_KEY,
        SegmentKind.BIND_KEY,
        SegmentKind.EACH,
    ]
    lookup = parsed.segments[2]
    assert (lookup.key, lookup.param, lookup.value) == ("name", "c", "a.b")
    assert parsed.segments[6].key == "l.m"
    wildcard = Segment(SegmentKind.EACH, "*?k:p", key="k", param="p")
    assert parse_path("a.?k:p=*").segments[1] == wildcard
    assert parse_path("|a").boundary == 0
    assert parse_path("a").boundary is None


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("spec", "containers", 0, "image"), "spec.containers.0.image"),
        (
            ("metadata", "labels", "app.kubernetes.io/name"),
            "metadata.labels.app~1kubernetes~1io/name",
        ),
        (("a~b",), "a~0b"),
        ((), ""),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_escapes_round_trip() -> None:
    document = {"a~1.b": {"c": 1}}
    (match,) = resolve(document, "a~01~1b.c")
    assert match.path == ("a~1.b", "c")
    assert resolve(document, match.text)[0].path == match.path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("spec", "replicas"), 2),
        (("spec", "template", "spec", "containers", 1, "name"), "sidecar"),
        (("spec", "template", "spec", "containers", 9, "name"), None),
        (("spec", "template", "spec", "containers", -1, "name"), None),
        (("spec", "template", "spec", "containers", "0"), None),  # a key into a list
        (("spec", "replicas", "x"), None),
        (("metadata", 0), None),
        ((), DEPLOYMENT),
    ],
)
def test_get_at(path: tuple[str | int, ...], expected: Any) -> None:
    assert get_at(DEPLOYMENT, path) == expected


def test_set_at_creates_maps_and_replaces() -> None:
    document: dict[str, Any] = {"spec": {"list": [{"a": 1}, None]}, "nulled": None}
    set_at(document, ("spec", "new", "deep"), "v")
    set_at(document, ("spec", "list", 0, "a"), 2)
    set_at(document, ("spec", "list", 1, "b"), 3)  # a null element becomes a map
    set_at(document, ("nulled", "x"), True)
    assert document == {
        "spec": {"new": {"deep": "v"}, "list": [{"a": 2}, {"b": 3}]},
        "nulled": {"x": True},
    }


@pytest.mark.parametrize(
    "path",
    [
        ("spec", "list", 5),  # never a new list element
        ("spec", "list", 5, "a"),
        ("spec", "list", "a"),  # a key into a list
        ("spec", "scalar", "a"),  # a scalar in the way
        ("spec", "missing", 0),  # a list would have to be made up
        (),
    ],
)
def test_set_at_refuses(path: tuple[str | int, ...]) -> None:
    document: dict[str, Any] = {"spec": {"list": [{"a": 1}], "scalar": "s"}}
    before = copy.deepcopy(document)
    with pytest.raises(PathError):
        set_at(document, path, 1)
    assert document == before


@pytest.mark.parametrize(
    ("path", "removed", "after"),
    [
        (("a", "b"), True, {"a": {}, "l": [1, 2]}),
        (("l", 0), True, {"a": {"b": 1}, "l": [2]}),
        (("l", 7), False, {"a": {"b": 1}, "l": [1, 2]}),
        (("a", "x"), False, {"a": {"b": 1}, "l": [1, 2]}),
        (("x", "y"), False, {"a": {"b": 1}, "l": [1, 2]}),
        ((), False, {"a": {"b": 1}, "l": [1, 2]}),
    ],
)
def test_delete_at(path: tuple[str | int, ...], removed: bool, after: Any) -> None:
    document: dict[str, Any] = {"a": {"b": 1}, "l": [1, 2]}
    assert delete_at(document, path) is removed
    assert document == after


ROUND_TRIP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # the name
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1  # pinned
      - name: side
        image: side:1
"""


def test_ruamel_round_trip_documents() -> None:
    yaml = YAML()
    document = yaml.load(ROUND_TRIP)
    matches = resolve(document, "spec.template.spec.containers.?name:c=*.image")
    assert [(m.text, m.value, m.bindings) for m in matches] == [
        ("spec.template.spec.containers.0.image", "app:1", (("c", "app"),)),
        ("spec.template.spec.containers.1.image", "side:1", (("c", "side"),)),
    ]
    for match in resolve_for_set(document, "spec.template.spec.containers.*.|image"):
        set_at(document, match.path, "new:2")
    (label,) = resolve_for_set(document, "metadata.labels.@tier:k")
    set_at(document, label.path, "front")
    assert delete_at(document, ("kind",))
    out = io.StringIO()
    yaml.dump(document, out)
    assert out.getvalue() == ROUND_TRIP.replace("app:1  #", "new:2  #").replace(
        "side:1", "new:2"
    ).replace("kind: Deployment\n", "").replace(
        "  name: web  # the name\n", "  name: web  # the name\n  labels:\n    tier: front\n"
    )


@pytest.mark.parametrize(
    ("name", "resource_type", "args", "expected"),
    [
        ("replicas", "apps/v1/Deployment", (), ["spec.replicas"]),
        ("replicas", "apps/v1/DaemonSet", (), []),
        ("namespace", "v1/ConfigMap", (), ["metadata.namespace"]),
        (
            "label",
            "v1/Service",
            ("app.kubernetes.io/name",),
            ["metadata.labels.@app~1kubernetes~1io/name:label-key"],
        ),
        ("annotation", "example.com/v1/Thing", ("a",), ["metadata.annotations.@a:annotation-key"]),
        (
            "container-image",
            "apps/v1/StatefulSet",
            ("web",),
            [
                "spec.template.spec.containers.?name:container-name=web.image",
                "spec.template.spec.initContainers.?name:container-name=web.image",
            ],
        ),
        (
            "container-image",
            "batch/v1/CronJob",
            ("*",),
            [
                "spec.jobTemplate.spec.template.spec.containers.?name:container-name=*.image",
                "spec.jobTemplate.spec.template.spec.initContainers.?name:container-name=*.image",
            ],
        ),
        (
            "container-image",
            "v1/Pod",
            ("a.b",),
            [
                "spec.containers.?name:container-name=a~1b.image",
                "spec.initContainers.?name:container-name=a~1b.image",
            ],
        ),
        (
            "env-var",
            "batch/v1/Job",
            ("app", "LOG"),
            [
                "spec.template.spec.containers.?name:container-name=app.env.?name:env-var=LOG.value",
                "spec.template.spec.initContainers.?name:container-name=app.env.?name:env-var=LOG.value",
            ],
        ),
    ],
)
def test_attribute_paths(
    name: str, resource_type: str, args: tuple[str, ...], expected: list[str]
) -> None:
    paths = attribute_paths(name, resource_type, *args)
    assert all(isinstance(p, AssociativePath) for p in paths)
    assert [p.text for p in paths] == expected


def test_attribute_paths_resolve_with_wildcard_argument() -> None:
    images = [
        (m.text, dict(m.bindings))
        for path in attribute_paths("container-image", "apps/v1/Deployment", "*")
        for m in resolve(DEPLOYMENT, path)
    ]
    assert images == [
        ("spec.template.spec.containers.0.image", {"container-name": "app"}),
        ("spec.template.spec.containers.1.image", {"container-name": "sidecar"}),
        ("spec.template.spec.containers.2.image", {"container-name": "app"}),
        ("spec.template.spec.containers.3.image", {}),
        ("spec.template.spec.initContainers.0.image", {"container-name": "init"}),
    ]


@pytest.mark.parametrize(
    ("name", "args"),
    [("nope", ()), ("replicas", ("x",)), ("label", ()), ("env-var", ("only-one",))],
)
def test_attribute_paths_errors(name: str, args: tuple[str, ...]) -> None:
    with pytest.raises(PathError):
        attribute_paths(name, "apps/v1/Deployment", *args)


def test_registry_params_match_placeholders() -> None:
    for name, attributes in PATH_REGISTRY.items():
        for attribute in attributes:
            assert attribute.name == name
            assert attribute.path.count("%s") == len(attribute.params)
            filled = parse_path(attribute.path % tuple("x" for _ in attribute.params))
            assert tuple(s.param for s in filled.segments if s.param) == attribute.params
