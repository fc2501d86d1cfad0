"""The readonly get-* functions: values, bindings, order, type filters and argument errors."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.fn.model import Context, Resource, StepOutput, Unit
from koreoctl.fn.readonly import FUNCTIONS
from koreoctl.fn.unitfile import read_unit

BY_NAME = {f.name: f for f in FUNCTIONS}

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "web", "tier": "front"},
        "annotations": {"owner": "team-a"},
    },
    "spec": {
        "replicas": 2,
        "paused": False,
        "template": {
            "spec": {
                "containers": [
                    {"name": "app", "image": "app:1", "stdin": True, "tty": "yes"},
                    {"name": "sidecar", "image": "confighubplaceholder-image"},
                ],
                "initContainers": [{"name": "init", "image": "init:1"}],
            }
        },
    },
}

STATEFULSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "db"},
    "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "db:9"}]}}},
}

SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"tier": "front"}},
    "spec": {
        "replicas": 7,  # not a workload: get-replicas ignores it
        "ports": [{"port": 80, "name": "http"}, {"port": 999999999, "name": "x"}],
        "containers": [{"name": "app", "image": "not-a-pod:1"}],
    },
}


def unit(*documents: dict[str, Any]) -> Unit:
    return Unit("u.yaml", tuple(Resource(i, copy.deepcopy(d)) for i, d in enumerate(documents)))


def run(name: str, arguments: Sequence[str], target: Unit) -> StepOutput:
    function = BY_NAME[name]
    prepared = function.prepare(function.signature.bind(arguments))
    return function.run(target, prepared, Context())


def values(output: StepOutput) -> list[tuple[str, str, Any, dict[str, str]]]:
    """(resource name, path, value, bindings) of each value, in output order."""
    return [(v.resource.name, v.path_text, v.value, dict(v.bindings)) for v in output.values]


def test_signatures_check_and_are_sorted() -> None:
    names = [f.name for f in FUNCTIONS]
    assert names == sorted(names)
    assert names == [
        "get-annotation",
        "get-bool-path",
        "get-image",
        "get-int-path",
        "get-label",
        "get-placeholders",
        "get-replicas",
        "get-resources",
        "get-string-path",
    ]
    for function in FUNCTIONS:
        function.signature.check()
        assert function.signature.kind == "readonly"
        expected = "resource-list" if function.name == "get-resources" else "attribute-values"
        assert function.signature.output == expected
        assert function.signature.hermetic and function.signature.idempotent
        assert "\n" not in function.signature.summary


CASES: list[tuple[str, list[str], list[tuple[str, str, Any, dict[str, str]]]]] = [
    (
        "get-string-path",
        ["*", "spec.template.spec.containers.*?name:c.*"],
        [
            ("web", "spec.template.spec.containers.0.image", "app:1", {"c": "app"}),
            ("web", "spec.template.spec.containers.0.name", "app", {"c": "app"}),
            ("web", "spec.template.spec.containers.0.tty", "yes", {"c": "app"}),
            (
                "web",
                "spec.template.spec.containers.1.image",
                "confighubplaceholder-image",
                {"c": "sidecar"},
            ),
            ("web", "spec.template.spec.containers.1.name", "sidecar", {"c": "sidecar"}),
            ("db", "spec.template.spec.containers.0.image", "db:9", {"c": "app"}),
            ("db", "spec.template.spec.containers.0.name", "app", {"c": "app"}),
        ],
    ),
    (
        "get-bool-path",
        ["Deployment", "spec.template.spec.containers.*?name:c.*"],
        [("web", "spec.template.spec.containers.0.stdin", True, {"c": "app"})],
    ),
    ("get-bool-path", ["apps/v1/Deployment", "spec.paused"], [("web", "spec.paused", False, {})]),
    # A boolean is not an int; the Service's replicas counts (the type matches "*").
    ("get-int-path", ["*", "spec.paused"], []),
    (
        "get-int-path",
        ["*", "spec.replicas"],
        [("web", "spec.replicas", 2, {}), ("web", "spec.replicas", 7, {})],
    ),
    (
        "get-int-path",
        ["v1/Service", "spec.ports.*?name:port-name.port"],
        [
            ("web", "spec.ports.0.port", 80, {"port-name": "http"}),
            ("web", "spec.ports.1.port", 999999999, {"port-name": "x"}),
        ],
    ),
    # A string path over ints yields nothing; a path that matches nothing is not an error.
    ("get-string-path", ["v1/Service", "spec.ports.*.port"], []),
    ("get-string-path", ["v1/Service", "spec.nothing.here"], []),
    # Only Pod and workload types: the Service's spec.containers is not looked at.
    (
        "get-image",
        [],
        [
            ("web", "spec.template.spec.containers.0.image", "app:1", {"container-name": "app"}),
            (
                "web",
                "spec.template.spec.containers.1.image",
                "confighubplaceholder-image",
                {"container-name": "sidecar"},
            ),
            (
                "web",
                "spec.template.spec.initContainers.0.image",
                "init:1",
                {"container-name": "init"},
            ),
            ("db", "spec.template.spec.containers.0.image", "db:9", {"container-name": "app"}),
        ],
    ),
    (
        "get-image",
        ["app"],
        [
            ("web", "spec.template.spec.containers.0.image", "app:1", {"container-name": "app"}),
            ("db", "spec.template.spec.containers.0.image", "db:9", {"container-name": "app"}),
        ],
    ),
    ("get-image", ["missing"], []),
    # The StatefulSet has no spec.replicas; the Service is not a workload.
    ("get-replicas", [], [("web", "spec.replicas", 2, {})]),
    (
        "get-label",
        [],
        [
            (
                "web",
                "metadata.labels.app~1kubernetes~1io/name",
                "web",
                {"label-key": "app.kubernetes.io/name"},
            ),
            ("web", "metadata.labels.tier", "front", {"label-key": "tier"}),
            ("web", "metadata.labels.tier", "front", {"label-key": "tier"}),
        ],
    ),
    (
        "get-label",
        ["app.kubernetes.io/name"],
        [
            (
                "web",
                "metadata.labels.app~1kubernetes~1io/name",
                "web",
                {"label-key": "app.kubernetes.io/name"},
            )
        ],
    ),
    ("get-label", ["absent"], []),
    (
        "get-annotation",
        ["*"],
        [("web", "metadata.annotations.owner", "team-a", {"annotation-key": "owner"})],
    ),
    # The integer placeholder, and a string *containing* the string placeholder.
    (
        "get-placeholders",
        [],
        [
            ("web", "spec.template.spec.containers.1.image", "confighubplaceholder-image", {}),
            ("web", "spec.ports.1.port", 999999999, {}),
        ],
    ),
    (
        "get-placeholders",
        ["front", "db:"],
        [
            ("web", "metadata.labels.tier", "front", {}),
            ("web", "spec.template.spec.containers.1.image", "confighubplaceholder-image", {}),
            ("db", "spec.template.spec.containers.0.image", "db:9", {}),
            ("web", "metadata.labels.tier", "front", {}),
            ("web", "spec.ports.1.port", 999999999, {}),
        ],
    ),
]


@pytest.mark.parametrize(("name", "arguments", "expected"), CASES)
def test_values(
    name: str, arguments: list[str], expected: list[tuple[str, str, Any, dict[str, str]]]
) -> None:
    target = unit(DEPLOYMENT, STATEFULSET, SERVICE)
    before = copy.deepcopy([r.data for r in target.resources])
    output = run(name, arguments, target)
    assert values(output) == expected
    assert [r.data for r in output.unit.resources] == before, "a getter changed the unit"
    assert output.changes == () and output.validation is None


def test_attribute_names() -> None:
    target = unit(DEPLOYMENT, SERVICE)
    attributes = {
        name: {v.attribute for v in run(name, [], target).values}
        for name in ("get-image", "get-replicas", "get-label", "get-annotation", "get-placeholders")
    }
    assert attributes == {
        "get-image": {"container-image"},
        "get-replicas": {"replicas"},
        "get-label": {"label"},
        "get-annotation": {"annotation"},
        "get-placeholders": {"placeholder"},
    }
    assert {v.attribute for v in run("get-int-path", ["*", "spec.replicas"], target).values} == {
        None
    }


def test_placeholder_bool_is_not_the_int_placeholder() -> None:
    target = unit({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": True, "b": 999999999}})
    assert values(run("get-placeholders", [], target)) == [("", "data.b", 999999999, {})]


def test_get_resources_bodies() -> None:
    target = unit({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}}, SERVICE)
    none = run("get-resources", [], target).resources
    assert [(e.resource.resource_type, e.resource.resource_name, e.body) for e in none] == [
        ("v1/ConfigMap", "/c", None),
        ("v1/Service", "shop/web", None),
    ]
    yaml_body = run("get-resources", ["yaml"], target).resources[0].body
    assert yaml_body == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
    json_entries = run("get-resources", ["--body=json"], target).resources
    assert json_entries[1].body == SERVICE
    json_entries[1].body["spec"]["replicas"] = 1  # a copy: the unit is not aliased
    assert target.resources[1].data["spec"]["replicas"] == 7


def test_sources_come_from_the_file() -> None:
    text = (
        "# web\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata:\n  name: web\nspec:\n  replicas: 3\n"
    )
    target, _ = read_unit(text, "unit.yaml")
    (value,) = run("get-replicas", [], target).values
    assert value.source is not None
    assert (value.source.file, value.source.line, value.source.col) == ("unit.yaml", 7, 13)
    (entry,) = run("get-resources", [], target).resources
    assert entry.source is not None and entry.source.line == 2


ERRORS = [
    ("get-string-path", ["apps/v1/", "spec"], "resource-type"),
    ("get-int-path", ["a b", "spec"], "resource-type"),
    ("get-string-path", ["*", "spec..x"], "empty segment"),
    ("get-bool-path", ["*", "spec.?name"], "needs '=value'"),
    ("get-image", ["Not_A_Name"], "container-name"),
    ("get-placeholders", ["x", ""], "empty string"),
    ("get-label", [""], "key is empty"),
    ("get-annotation", ["a:b"], "invalid key"),
    ("get-resources", ["xml"], "not one of none, yaml, json"),
]


@pytest.mark.parametrize(("name", "arguments", "message"), ERRORS)
def test_argument_errors(name: str, arguments: list[str], message: str) -> None:
    function = BY_NAME[name]
    with pytest.raises(UsageError) as error:
        function.prepare(function.signature.bind(arguments))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_prepare_checks_the_resource_type_without_binding() -> None:
    with pytest.raises(UsageError, match="resource-type: 'a/b/c/D'"):
        BY_NAME["get-string-path"].prepare({"resource-type": "a/b/c/D", "path": "x"})
