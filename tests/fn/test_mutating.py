"""The mutating functions: the data after them, the changes they record, idempotence, errors."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.fn.model import PLACEHOLDER_STRING, Context, Resource, StepOutput, Unit
from koreoctl.fn.mutating import FUNCTIONS
from koreoctl.fn.unitfile import read_unit, write_unit

BY_NAME = {f.name: f for f in FUNCTIONS}


def deployment(**spec: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "proxy", "image": "envoy:1"},
        ],
        "initContainers": [{"name": "migrate", "image": "app:1"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"tier": "front"}},
        "spec": {"replicas": 2, "template": {"spec": pod}, **spec},
    }


CONFIGMAP: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}
NAMESPACE: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
ROLE: dict[str, Any] = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "reader"},
}
SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"ports": [{"name": "http", "port": 80}, {"name": "admin", "port": 81}]},
}
JOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "nightly", "namespace": ""},
    "spec": {
        "jobTemplate": {
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:0"}]}}}
        }
    },
}


def unit(*documents: dict[str, Any]) -> Unit:
    return Unit("u.yaml", tuple(Resource(i, copy.deepcopy(d)) for i, d in enumerate(documents)))


def run(
    name: str, arguments: Sequence[str], target: Unit, context: Context | None = None
) -> StepOutput:
    function = BY_NAME[name]
    prepared = function.prepare(function.signature.bind(arguments))
    return function.run(target, prepared, context or Context())


Row = tuple[int, str, str, Any, Any]


def changes(output: StepOutput) -> list[Row]:
    """(document, path, action, old, new) of each change."""
    return [(c.document, c.path_text, c.action, c.old, c.new) for c in output.changes]


CONTAINERS = "spec.template.spec.containers"

CASES: list[tuple[str, list[str], tuple[dict[str, Any], ...], list[Row]]] = [
    (
        "set-string-path",
        ["apps/v1/Deployment", "spec.template.spec.containers.*.securityContext.runAsUser", "x"],
        (deployment(),),
        [
            (0, f"{CONTAINERS}.0.securityContext.runAsUser", "add", None, "x"),
            (0, f"{CONTAINERS}.1.securityContext.runAsUser", "add", None, "x"),
        ],
    ),
    # The boundary: only where securityContext already exists (none does).
    (
        "set-string-path",
        ["Deployment", "spec.template.spec.containers.*.securityContext.|runAsUser", "x"],
        (deployment(),),
        [],
    ),
    # An existing value of another type is replaced: an update.
    (
        "set-string-path",
        ["*", "spec.replicas", "2"],
        (deployment(), CONFIGMAP),
        [(0, "spec.replicas", "update", 2, "2"), (1, "spec.replicas", "add", None, "2")],
    ),
    (
        "set-int-path",
        ["v1/Service", "spec.ports.?name=admin.port", "9090"],
        (deployment(), SERVICE),
        [(1, "spec.ports.1.port", "update", 81, 9090)],
    ),
    # A lookup that matches nothing creates no list element.
    ("set-int-path", ["Service", "spec.ports.?name=grpc.port", "1"], (SERVICE,), []),
    # true is not 1: the type counts when comparing.
    (
        "set-bool-path",
        ["Deployment", "spec.paused", "yes"],
        (deployment(paused=1), deployment(paused=True)),
        [(0, "spec.paused", "update", 1, True)],
    ),
    (
        "delete-path",
        ["*", "spec.template.spec.*.*?name:c.image"],
        (deployment(), CONFIGMAP),
        [
            (0, f"{CONTAINERS}.0.image", "delete", "app:1", None),
            (0, f"{CONTAINERS}.1.image", "delete", "envoy:1", None),
            (0, "spec.template.spec.initContainers.0.image", "delete", "app:1", None),
        ],
    ),
    # Several list elements: deleted from the end so every recorded index was the real one.
    (
        "delete-path",
        ["v1/Service", "spec.ports.*"],
        (SERVICE,),
        [
            (0, "spec.ports.0", "delete", {"name": "http", "port": 80}, None),
            (0, "spec.ports.1", "delete", {"name": "admin", "port": 81}, None),
        ],
    ),
    ("delete-path", ["*", "status"], (deployment(), CONFIGMAP), []),
    (
        "set-image",
        ["app", "app:2"],
        (deployment(), JOB),
        [
            (0, f"{CONTAINERS}.0.image", "update", "app:1", "app:2"),
            (
                1,
                "spec.jobTemplate.spec.template.spec.containers.0.image",
                "update",
                "app:0",
                "app:2",
            ),
        ],
    ),
    (
        "set-image",
        ["*", "app:1"],
        (deployment(),),
        [(0, f"{CONTAINERS}.1.image", "update", "envoy:1", "app:1")],
    ),
    ("set-image", ["nope", "x:1"], (deployment(),), []),
    (
        "set-replicas",
        ["0"],
        (deployment(), SERVICE, {"apiVersion": "apps/v1", "kind": "StatefulSet"}),
        [(0, "spec.replicas", "update", 2, 0), (2, "spec.replicas", "add", None, 0)],
    ),
    (
        "set-namespace",
        ["prod"],
        (deployment(), CONFIGMAP, NAMESPACE, ROLE),
        [
            (0, "metadata.namespace", "update", "shop", "prod"),
            (1, "metadata.namespace", "add", None, "prod"),
            (2, "metadata.name", "update", "shop", "prod"),
        ],
    ),
    (
        "ensure-namespaces",
        [],
        (deployment(), CONFIGMAP, NAMESPACE, ROLE, JOB),
        [
            (1, "metadata.namespace", "add", None, PLACEHOLDER_STRING),
            (4, "metadata.namespace", "update", "", PLACEHOLDER_STRING),
        ],
    ),
    (
        "set-label",
        ["app.kubernetes.io/part-of", "shop"],
        (deployment(), {"apiVersion": "v1", "kind": "ConfigMap"}),
        [
            (0, "metadata.labels.app~1kubernetes~1io/part-of", "add", None, "shop"),
            (1, "metadata.labels.app~1kubernetes~1io/part-of", "add", None, "shop"),
        ],
    ),
    (
        "set-label",
        ["tier", ""],
        (deployment(),),
        [(0, "metadata.labels.tier", "update", "front", "")],
    ),
    (
        "set-annotation",
        ["example.com/note", "free text: any string"],
        (CONFIGMAP,),
        [(0, "metadata.annotations.example~1com/note", "add", None, "free text: any string")],
    ),
    (
        "set-env-var",
        ["app", "A", "2"],
        (deployment(),),
        [(0, f"{CONTAINERS}.0.env.0.value", "update", "1", "2")],
    ),
    (
        "set-env-var",
        ["*", "B", "b"],
        (deployment(),),
        [
            (0, f"{CONTAINERS}.0.env.1", "add", None, {"name": "B", "value": "b"}),
            (0, f"{CONTAINERS}.1.env", "add", None, [{"name": "B", "value": "b"}]),
            (
                0,
                "spec.template.spec.initContainers.0.env",
                "add",
                None,
                [{"name": "B", "value": "b"}],
            ),
        ],
    ),
    ("set-env-var", ["missing", "B", "b"], (deployment(),), []),
    (
        "delete-resource",
        ["v1/Service", "web"],
        (deployment(), SERVICE, {**SERVICE, "metadata": {"name": "web", "namespace": "other"}}),
        [(1, "", "delete-resource", None, None), (2, "", "delete-resource", None, None)],
    ),
    (
        "delete-resource",
        ["Service", "other/web"],
        (SERVICE, {**SERVICE, "metadata": {"name": "web", "namespace": "other"}}),
        [(1, "", "delete-resource", None, None)],
    ),
    (
        "delete-resource",
        ["Namespace", "/shop"],
        (NAMESPACE,),
        [(0, "", "delete-resource", None, None)],
    ),
    ("delete-resource", ["Namespace", "x/shop"], (NAMESPACE,), []),
    ("delete-resource", ["apps/v1/Deployment", "cfg"], (CONFIGMAP,), []),
]


@pytest.mark.parametrize(("name", "arguments", "documents", "expected"), CASES)
def test_changes_and_idempotence(
    name: str, arguments: list[str], documents: tuple[dict[str, Any], ...], expected: list[Row]
) -> None:
    target = unit(*documents)
    first = run(name, arguments, target)
    assert changes(first) == expected
    after = copy.deepcopy([r.data for r in first.unit.resources])
    again = run(name, arguments, first.unit)
    assert changes(again) == [], "a second run changed something"
    assert [r.data for r in again.unit.resources] == after


def test_change_names_the_resource_before_the_change() -> None:
    output = run("set-namespace", ["prod"], unit(deployment(), NAMESPACE))
    assert [c.resource.resource_name for c in output.changes] == ["shop/web", "/shop"]
    assert [r.info.resource_name for r in output.unit.resources] == ["prod/web", "/prod"]


def test_set_namespace_skips_cluster_scoped_crds_from_the_context() -> None:
    crd = {"apiVersion": "example.com/v1", "kind": "Tenant", "metadata": {"name": "t"}}
    context = Context(cluster_scoped=frozenset({"example.com/v1/Tenant"}))
    assert changes(run("set-namespace", ["prod"], unit(crd), context)) == []
    assert changes(run("ensure-namespaces", [], unit(crd), context)) == []
    assert len(run("set-namespace", ["prod"], unit(crd)).changes) == 1


def test_set_env_var_replaces_value_from() -> None:
    secret = {"secretKeyRef": {"name": "db", "key": "password"}}
    doc = deployment()
    doc["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "PW", "valueFrom": secret}]
    output = run("set-env-var", ["app", "PW", "hunter2"], unit(doc))
    assert changes(output) == [
        (0, f"{CONTAINERS}.0.env.0.valueFrom", "delete", secret, None),
        (0, f"{CONTAINERS}.0.env.0.value", "add", None, "hunter2"),
    ]
    env = output.unit.resources[0].data["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "PW", "value": "hunter2"}]


def test_data_after_and_no_aliasing() -> None:
    output = run("set-env-var", ["proxy", "B", "b"], unit(deployment()))
    data = output.unit.resources[0].data
    assert data["spec"]["template"]["spec"]["containers"][1]["env"] == [{"name": "B", "value": "b"}]
    output.changes[0].new[0]["value"] = "changed"  # the recorded value is a copy
    assert data["spec"]["template"]["spec"]["containers"][1]["env"][0]["value"] == "b"


def test_set_label_creates_labels_under_null_metadata() -> None:
    output = run("set-label", ["a", "b"], unit({"apiVersion": "v1", "kind": "X", "metadata": None}))
    assert output.unit.resources[0].data["metadata"] == {"labels": {"a": "b"}}


def test_delete_resource_returns_a_unit_without_it() -> None:
    target = unit(CONFIGMAP, SERVICE, NAMESPACE)
    output = run("delete-resource", ["*", "web"], target)
    assert [r.index for r in output.unit.resources] == [0, 2]
    assert [r.index for r in target.resources] == [0, 1, 2]


def test_written_back_through_the_unit_file() -> None:
    text = (
        "# the web tier\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web  # keep me\n"
        "spec:\n"
        "  replicas: 2\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: token\n"
    )
    target, read = read_unit(text, "unit.yaml")
    first = run("set-label", ["app.kubernetes.io/name", "web"], target)
    second = run("delete-resource", ["v1/Secret", "token"], first.unit)
    out = write_unit(read, second.unit, (*first.changes, *second.changes))
    assert out == (
        "# the web tier\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web  # keep me\n"
        "  labels:\n"
        "    app.kubernetes.io/name: web\n"
        "spec:\n"
        "  replicas: 2\n"
    )


def test_signatures_check_and_are_sorted() -> None:
    names = [f.name for f in FUNCTIONS]
    assert names == sorted(names)
    assert set(names) == {
        "delete-path",
        "delete-resource",
        "ensure-namespaces",
        "set-annotation",
        "set-bool-path",
        "set-env-var",
        "set-image",
        "set-int-path",
        "set-label",
        "set-namespace",
        "set-replicas",
        "set-string-path",
    }
    for function in FUNCTIONS:
        function.signature.check()
        assert function.signature.kind == "mutating"
        assert function.signature.output == "yaml"
        assert function.signature.hermetic and function.signature.idempotent


ERRORS = [
    ("set-string-path", ["Deploy ment", "spec.x", "v"], "resource-type"),
    ("set-string-path", ["*", "spec.|a.|b", "v"], "more than one '|'"),
    ("set-int-path", ["*", "spec.x", "ten"], "is not an int"),
    ("set-bool-path", ["*", "spec.x", "maybe"], "is not a bool"),
    ("delete-path", ["*", "a.#b"], "accessor"),
    ("set-image", ["app", "bad image"], "image"),
    ("set-image", ["app", ""], "image"),
    ("set-image", ["App", "x:1"], "container-name"),
    ("set-replicas", ["-1"], "below the minimum 0"),
    ("set-namespace", ["Prod"], "namespace"),
    ("set-namespace", ["a" * 64], "DNS-1123"),
    ("set-label", ["bad key!", "v"], "key"),
    ("set-label", ["a/b/c", "v"], "key"),
    ("set-label", ["Example.com/x", "v"], "key"),
    ("set-label", ["x" * 64, "v"], "qualified name"),
    ("set-label", ["k", "-v"], "value"),
    ("set-label", ["k", "v" * 64], "label value"),
    ("set-annotation", ["", "v"], "key"),
    ("set-env-var", ["app", "1 A", "v"], "var"),
    ("delete-resource", ["*", "a/b/c"], "name"),
    ("delete-resource", ["*", "ns/"], "name"),
]


@pytest.mark.parametrize(("name", "arguments", "message"), ERRORS)
def test_argument_errors(name: str, arguments: list[str], message: str) -> None:
    function = BY_NAME[name]
    with pytest.raises(UsageError) as error:
        function.prepare(function.signature.bind(arguments))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("set-namespace", {"namespace": "a" * 64}),
        ("set-label", {"key": "x" * 64, "value": "v"}),
        ("set-label", {"key": "k", "value": "v" * 64}),
        ("set-image", {"container-name": "app", "image": "a b"}),
        ("set-string-path", {"resource-type": "a b", "path": "x", "value": "v"}),
        ("delete-resource", {"resource-type": "*", "name": "a/b/c"}),
    ],
)
def test_prepare_checks_without_binding(name: str, args: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        BY_NAME[name].prepare(args)
