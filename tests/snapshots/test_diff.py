"""The diff engine: objects matched by identity, named lists, ignores, renders and test cases.

Every expected value below was written by hand from the inputs beside it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.snapshots.diff import (
    ANY_DEPTH,
    ANY_ITEM,
    ANY_SEGMENT,
    DEFAULT_IGNORES,
    CaseChange,
    FieldChange,
    Item,
    ObjectChange,
    RenderChange,
    Side,
    diff_payloads,
    format_path,
    parse_ignore,
)
from tests.cli.clitools import cli

A, B = Side("aaaa", "side A"), Side("bbbb", "side B")


def deployment(name: str = "web", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "demo", "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "env": [{"name": "A", "value": "1"}],
                        },
                        {"name": "log", "image": "fluent:2"},
                    ]
                }
            },
            **spec,
        },
        "status": {
            "conditions": [
                {"type": "Available", "status": "True", "lastTransitionTime": "t1"},
                {"type": "Progressing", "status": "True", "lastTransitionTime": "t1"},
            ]
        },
    }


def render(
    objects: list[dict[str, Any]], trigger: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "source": "t.yaml:1",
        "workflow": "wf",
        "triggerRef": {
            "apiVersion": "example.dev/v1",
            "kind": "Workload",
            "namespace": "demo",
            "name": "web",
        },
        "converged": True,
        "outcome": {"type": "Ok", "message": None, "delay": None},
        "unstable": [],
        "warnings": [],
        "passes": [{"number": 1}, {"number": 2}],
        "objects": objects,
        "managers": {},
        **fields,
    }
    if trigger is not None:
        entry["trigger"] = trigger
    return {"renders": [entry], "diagnostics": []}


def diff_objects(
    before: dict[str, Any], after: dict[str, Any], **options: Any
) -> tuple[ObjectChange, ...]:
    return diff_payloads("render", A, render([before]), B, render([after]), **options).objects


def edited(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``obj`` with the dotted ``path`` (numbers are list indexes) set to ``value``."""
    copied = copy.deepcopy(obj)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = copied
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return copied


_DELETE = object()
CONTAINERS = "spec.template.spec.containers"


def _changed(*fields: FieldChange, api_version: str = "apps/v1") -> tuple[ObjectChange, ...]:
    return (ObjectChange("changed", api_version, "Deployment", "demo", "web", False, fields),)


FIELD_CASES = [
    pytest.param("spec.replicas", 3, (FieldChange("spec.replicas", "changed", 2, 3),), id="scalar"),
    pytest.param(
        f"{CONTAINERS}.0.image",
        "nginx:1.28",
        (FieldChange(f"{CONTAINERS}[name=web].image", "changed", "nginx:1.27", "nginx:1.28"),),
        id="container-by-name",
    ),
    pytest.param(
        f"{CONTAINERS}.0.env.0.value",
        "2",
        (FieldChange(f"{CONTAINERS}[name=web].env[name=A].value", "changed", "1", "2"),),
        id="env-by-name",
    ),
    pytest.param(
        f"{CONTAINERS}.1.image",
        _DELETE,
        (FieldChange(f"{CONTAINERS}[name=log].image", "removed", "fluent:2", None),),
        id="field-removed",
    ),
    pytest.param(
        "status.conditions.1.status",
        "False",
        (FieldChange("status.conditions[type=Progressing].status", "changed", "True", "False"),),
        id="condition-by-type",
    ),
    pytest.param(
        "spec.paused",
        True,
        (FieldChange("spec.paused", "added", None, True),),
        id="field-added",
    ),
    pytest.param(
        "spec.replicas",
        "2",
        (FieldChange("spec.replicas", "changed", 2, "2"),),
        id="type-change",
    ),
    pytest.param(
        "status.conditions.0.lastTransitionTime", "t2", (), id="timestamp-ignored-by-default"
    ),
    pytest.param("metadata.uid", "u-2", (), id="uid-ignored-by-default"),
]


@pytest.mark.parametrize(("path", "value", "fields"), FIELD_CASES)
def test_a_changed_object_lists_its_fields(
    path: str, value: Any, fields: tuple[FieldChange, ...]
) -> None:
    before = deployment()
    before["metadata"]["uid"] = "u-1"
    after = edited(before, path, value)
    assert diff_objects(before, after) == (_changed(*fields) if fields else ())


def test_reordered_named_items_are_the_same_items() -> None:
    before = deployment()
    after = copy.deepcopy(before)
    after["spec"]["template"]["spec"]["containers"].reverse()
    after["status"]["conditions"].reverse()
    report = diff_payloads("render", A, render([before]), B, render([after]))
    assert report.objects == ()
    assert report.unchanged == 1


def test_a_named_item_added_and_one_removed() -> None:
    before = deployment()
    after = copy.deepcopy(before)
    containers = after["spec"]["template"]["spec"]["containers"]
    containers[1] = {"name": "proxy", "image": "envoy:1"}
    assert diff_objects(before, after) == _changed(
        FieldChange(
            f"{CONTAINERS}[name=log]", "removed", {"name": "log", "image": "fluent:2"}, None
        ),
        FieldChange(
            f"{CONTAINERS}[name=proxy]", "added", None, {"name": "proxy", "image": "envoy:1"}
        ),
    )


def test_a_list_with_duplicate_names_is_compared_by_index() -> None:
    before = deployment(items=[{"name": "x", "v": 1}, {"name": "x", "v": 2}])
    after = deployment(items=[{"name": "x", "v": 1}, {"name": "x", "v": 3}])
    assert diff_objects(before, after) == _changed(FieldChange("spec.items[1].v", "changed", 2, 3))


def test_a_list_of_scalars_is_lined_up_by_position() -> None:
    before = deployment(args=["--a", "--b", "--c"])
    after = deployment(args=["--a", "--c"])
    assert diff_objects(before, after) == _changed(
        FieldChange("spec.args[1]", "removed", "--b", None)
    )


def test_quoted_keys() -> None:
    before = deployment()
    after = edited(before, "metadata.labels", {"app": "web", "app.kubernetes.io/name": "web"})
    assert diff_objects(before, after) == _changed(
        FieldChange('metadata.labels["app.kubernetes.io/name"]', "added", None, "web")
    )


def test_a_version_change_is_a_changed_api_version_field() -> None:
    before = deployment()
    after = edited(before, "apiVersion", "apps/v2")
    assert diff_objects(before, after) == _changed(
        FieldChange("apiVersion", "changed", "apps/v1", "apps/v2"), api_version="apps/v2"
    )


def test_a_group_change_is_another_object() -> None:
    before = deployment()
    after = edited(before, "apiVersion", "extensions/v1beta1")
    assert diff_objects(before, after) == (
        ObjectChange("removed", "apps/v1", "Deployment", "demo", "web", False),
        ObjectChange("added", "extensions/v1beta1", "Deployment", "demo", "web", False),
    )


def test_objects_added_removed_and_sorted_by_group_kind_namespace_name() -> None:
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "demo"},
    }
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "r"},
    }
    a = render([deployment("b"), deployment("old"), config])
    b = render([role, deployment("new"), deployment("b")])
    report = diff_payloads("render", A, a, B, b)
    assert [(o.change, o.kind, o.namespace, o.name) for o in report.objects] == [
        ("removed", "ConfigMap", "demo", "c"),
        ("added", "Deployment", "demo", "new"),
        ("removed", "Deployment", "demo", "old"),
        ("added", "ClusterRole", None, "r"),
    ]
    assert report.unchanged == 1


def test_a_triggers_status_change_is_reported_on_the_trigger() -> None:
    trigger = {
        "apiVersion": "example.dev/v1",
        "kind": "Workload",
        "metadata": {"name": "web", "namespace": "demo"},
        "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "t"}]},
    }
    later = edited(trigger, "status.conditions.0.status", "False")
    later["status"]["conditions"][0]["lastTransitionTime"] = "t2"
    report = diff_payloads("render", A, render([], trigger), B, render([], later))
    assert report.objects == (
        ObjectChange(
            "changed",
            "example.dev/v1",
            "Workload",
            "demo",
            "web",
            True,
            (FieldChange("status.conditions[type=Ready].status", "changed", "True", "False"),),
        ),
    )


# --- ignores ---------------------------------------------------------------------------------


def noisy() -> dict[str, Any]:
    obj = deployment()
    obj["metadata"].update(
        uid="u-1",
        resourceVersion="7",
        generation=3,
        creationTimestamp="2026-01-01T00:00:00Z",
        managedFields=[{"manager": "koreo"}],
        ownerReferences=[
            {"apiVersion": "example.dev/v1", "kind": "Workload", "name": "web", "uid": "o-1"}
        ],
        annotations={"koreo.dev/last-applied-configuration": '{"spec": {"replicas": 2}}'},
    )
    return obj


def renoised(obj: dict[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(obj)
    copied["metadata"].update(uid="u-2", resourceVersion="9", generation=4, managedFields=[])
    copied["metadata"]["creationTimestamp"] = "2026-02-01T00:00:00Z"
    copied["metadata"]["ownerReferences"][0]["uid"] = "o-2"
    copied["metadata"]["annotations"]["koreo.dev/last-applied-configuration"] = "{}"
    for condition in copied["status"]["conditions"]:
        condition["lastTransitionTime"] = "t9"
    return copied


def test_default_ignores_leave_out_the_noise_of_a_run() -> None:
    before = noisy()
    report = diff_payloads("render", A, render([before]), B, render([renoised(before)]))
    assert report.objects == ()
    assert report.unchanged == 1
    assert report.ignored == DEFAULT_IGNORES


def test_no_default_ignores_shows_the_noise() -> None:
    before = noisy()
    fields = diff_objects(before, renoised(before), defaults=False)[0].fields
    assert [(f.path, f.change) for f in fields] == [
        ('metadata.annotations["koreo.dev/last-applied-configuration"]', "changed"),
        ("metadata.creationTimestamp", "changed"),
        ("metadata.generation", "changed"),
        ("metadata.managedFields[0]", "removed"),
        ("metadata.ownerReferences[name=web].uid", "changed"),
        ("metadata.resourceVersion", "changed"),
        ("metadata.uid", "changed"),
        ("status.conditions[type=Available].lastTransitionTime", "changed"),
        ("status.conditions[type=Progressing].lastTransitionTime", "changed"),
    ]


def _everything_changed() -> tuple[dict[str, Any], dict[str, Any]]:
    before = deployment()
    after = edited(before, "spec.replicas", 5)
    after = edited(after, f"{CONTAINERS}.0.image", "nginx:2")
    after = edited(after, f"{CONTAINERS}.1.image", "fluent:3")
    after = edited(after, "metadata.labels", {"app": "web", "build-id": "42"})
    return before, after


LABEL = "metadata.labels.build-id"
REPLICAS = "spec.replicas"
WEB, LOG = f"{CONTAINERS}[name=web].image", f"{CONTAINERS}[name=log].image"

IGNORE_CASES = [
    pytest.param(["spec.replicas"], [LABEL, LOG, WEB], id="exact"),
    pytest.param(["spec"], [LABEL], id="everything-below"),
    pytest.param([f"{CONTAINERS}[*].image"], [LABEL, REPLICAS], id="any-item"),
    pytest.param([f"{CONTAINERS}[name=web].image"], [LABEL, REPLICAS, LOG], id="named"),
    pytest.param(["**.image"], [LABEL, REPLICAS], id="any-depth"),
    pytest.param(["spec.*.spec"], [LABEL, REPLICAS], id="any-segment"),
    pytest.param(['metadata.labels["build-id"]'], [REPLICAS, LOG, WEB], id="quoted"),
    pytest.param(["metadata.*", "spec.template"], [REPLICAS], id="two-patterns"),
    pytest.param(["**"], [], id="everything"),
]


@pytest.mark.parametrize(("patterns", "left"), IGNORE_CASES)
def test_ignore_patterns(patterns: list[str], left: list[str]) -> None:
    before, after = _everything_changed()
    report = diff_payloads("render", A, render([before]), B, render([after]), ignore=patterns)
    paths = [f.path for obj in report.objects for f in obj.fields]
    assert sorted(paths) == sorted(left)
    assert report.unchanged == (0 if left else 1)
    assert report.ignored == (*DEFAULT_IGNORES, *patterns)


PARSE_CASES = [
    ("metadata.uid", ("metadata", "uid")),
    ("spec.containers[name=web].image", ("spec", "containers", Item("name", "web"), "image")),
    ('metadata.labels["app.kubernetes.io/name"]', ("metadata", "labels", "app.kubernetes.io/name")),
    ("spec.args[2]", ("spec", "args", 2)),
    ("**.lastProbeTime", (ANY_DEPTH, "lastProbeTime")),
    ("spec.*.x[*]", ("spec", ANY_SEGMENT, "x", ANY_ITEM)),
    ('x[name="a]b"]', ("x", Item("name", "a]b"))),
    ('["*"]', ("*",)),
]


@pytest.mark.parametrize(("text", "tokens"), PARSE_CASES)
def test_parse_ignore(text: str, tokens: tuple[Any, ...]) -> None:
    assert parse_ignore(text).tokens == tokens


def test_a_quoted_star_is_a_key_not_a_wildcard() -> None:
    assert parse_ignore('["*"]').tokens[0] is not ANY_SEGMENT


MALFORMED = [
    ("x[", "--ignore 'x[': "),
    ("", "--ignore '': the path is empty"),
    ("a..b", "--ignore 'a..b': expected a key"),
    ("a.", "--ignore 'a.': expected a key, '*' or '**' at the end"),
    ("a[1", "--ignore 'a[1': '[' at character 2 is not closed"),
    ('a["x', "--ignore 'a[\"x': unterminated"),
    ("a b", "--ignore 'a b': expected '.' or '[' at character 2"),
    ("a[name=]", "--ignore 'a[name=]': expected a value after '='"),
    ("a[-1]", "--ignore 'a[-1]': '[' at character 2 needs"),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_a_malformed_ignore_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_ignore(text)
    assert str(raised.value).startswith(message)


def test_diff_payloads_rejects_a_malformed_ignore() -> None:
    with pytest.raises(UsageError, match=r"--ignore 'x\['"):
        diff_payloads("render", A, render([]), B, render([]), ignore=["x["])


@pytest.mark.parametrize(
    ("segments", "text"),
    [
        (("spec", "containers", Item("name", "web"), "image"), "spec.containers[name=web].image"),
        (
            ("status", "conditions", Item("type", "Ready"), "status"),
            "status.conditions[type=Ready].status",
        ),
        (("spec", "args", 2), "spec.args[2]"),
        (
            ("metadata", "labels", "app.kubernetes.io/name"),
            'metadata.labels["app.kubernetes.io/name"]',
        ),
        (("data", "8080"), 'data["8080"]'),
        (("env", Item("name", "a b")), 'env[name="a b"]'),
        (("x-kubernetes-int",), "x-kubernetes-int"),
    ],
)
def test_format_path(segments: tuple[Any, ...], text: str) -> None:
    assert format_path(segments) == text
    assert parse_ignore(text).tokens == segments


# --- renders ---------------------------------------------------------------------------------


def test_render_level_changes() -> None:
    before = render([])
    after = render(
        [],
        converged=False,
        outcome={"type": "Retry", "message": "waiting", "delay": 30},
        passes=[{"number": 1}],
        unstable=["deployment"],
        workflow="wf2",
    )
    report = diff_payloads("render", A, before, B, after)
    assert report.renders == (
        RenderChange(
            "Workload demo/web",
            "changed",
            (
                FieldChange("workflow", "changed", "wf", "wf2"),
                FieldChange("converged", "changed", True, False),
                FieldChange("outcome.type", "changed", "Ok", "Retry"),
                FieldChange("outcome.message", "changed", None, "waiting"),
                FieldChange("outcome.delay", "changed", None, 30),
                FieldChange("passes", "changed", 2, 1),
                FieldChange("unstable", "changed", [], ["deployment"]),
            ),
        ),
    )


def test_renders_added_and_removed_by_trigger() -> None:
    web = render([])
    api = render(
        [],
        triggerRef={
            "apiVersion": "example.dev/v1",
            "kind": "Workload",
            "namespace": "demo",
            "name": "api",
        },
    )
    report = diff_payloads("render", A, web, B, api)
    assert report.renders == (
        RenderChange("Workload demo/api", "added"),
        RenderChange("Workload demo/web", "removed"),
    )


# --- test payloads ---------------------------------------------------------------------------


def case(label: str, index: int, status: str = "passed", **fields: Any) -> dict[str, Any]:
    return {
        "index": index,
        "label": label,
        "variant": False,
        "status": status,
        "outcome": {"type": "Ok", "message": None, "delay": None},
        "return": None,
        "resource": None,
        "deleted": False,
        "message": None,
        "differences": None,
        "warnings": [],
        **fields,
    }


def suite(*tests: dict[str, Any]) -> dict[str, Any]:
    return {"summary": {}, "tests": list(tests), "diagnostics": []}


def a_test(
    name: str, *cases: dict[str, Any], status: str = "passed", error: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": "ns",
        "file": "f.koreo",
        "line": 1,
        "function": {"kind": "ValueFunction", "name": "f"},
        "status": status,
        "error": error,
        "diagnostics": [],
        "cases": list(cases),
    }


def diff_cases(
    before: dict[str, Any], after: dict[str, Any], **options: Any
) -> tuple[CaseChange, ...]:
    return diff_payloads("test", A, suite(before), B, suite(after), **options).cases


@pytest.mark.parametrize(
    ("was", "now", "kind"),
    [
        ("passed", "failed", "started-failing"),
        ("failed", "passed", "stopped-failing"),
        ("skipped", "passed", "status"),
        ("passed", "skipped", "status"),
        ("failed", "skipped", "status"),
    ],
)
def test_case_status_transitions(was: str, now: str, kind: str) -> None:
    changes = diff_cases(a_test("t", case("one", 0, was)), a_test("t", case("one", 0, now)))
    assert changes == (CaseChange("ns/t", "one", kind, was, now),)  # type: ignore[arg-type]


def test_a_failure_message_is_a_field_of_the_transition() -> None:
    changes = diff_cases(
        a_test("t", case("one", 0)),
        a_test("t", case("one", 0, "failed", message="expected 2, got 3")),
    )
    assert changes == (
        CaseChange(
            "ns/t",
            "one",
            "started-failing",
            "passed",
            "failed",
            (FieldChange("message", "added", None, "expected 2, got 3"),),
        ),
    )


def test_an_outcome_change() -> None:
    retry = {"type": "Retry", "message": "wait", "delay": 15}
    changes = diff_cases(a_test("t", case("one", 0)), a_test("t", case("one", 0, outcome=retry)))
    assert changes == (
        CaseChange("ns/t", "one", "outcome", {"type": "Ok", "message": None, "delay": None}, retry),
    )


def test_a_result_change_uses_paths_and_ignores() -> None:
    resource = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "uid": "1"},
        "data": {"a": "1"},
    }
    later = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "uid": "2"},
        "data": {"a": "2"},
    }
    changes = diff_cases(
        a_test("t", case("one", 0, resource=resource, **{"return": {"n": 1}})),
        a_test("t", case("one", 0, resource=later, **{"return": {"n": 2}})),
    )
    assert changes == (
        CaseChange(
            "ns/t",
            "one",
            "result",
            fields=(
                FieldChange("return.n", "changed", 1, 2),
                FieldChange("resource.data.a", "changed", "1", "2"),
            ),
        ),
    )


def test_a_printed_result_path_can_be_ignored() -> None:
    before = a_test("t", case("one", 0, **{"return": {"n": 1, "m": 1}}))
    after = a_test("t", case("one", 0, **{"return": {"n": 2, "m": 2}}))
    changes = diff_cases(before, after, ignore=["return.n"])
    assert changes == (
        CaseChange("ns/t", "one", "result", fields=(FieldChange("return.m", "changed", 1, 2),)),
    )


def test_tests_and_cases_added_and_removed() -> None:
    before = suite(a_test("kept", case("same", 0), case("gone", 1)), a_test("old", case("x", 0)))
    after = suite(a_test("kept", case("same", 0), case("new", 1)), a_test("young", case("x", 0)))
    report = diff_payloads("test", A, before, B, after)
    assert report.cases == (
        CaseChange("ns/kept", "new", "added", new="passed"),
        CaseChange("ns/kept", "gone", "removed", old="passed"),
        CaseChange("ns/old", None, "removed", old="passed"),
        CaseChange("ns/young", None, "added", new="passed"),
    )
    assert report.unchanged == 1


def test_repeated_labels_are_numbered() -> None:
    before = a_test("t", case("same", 0), case("same", 1))
    after = a_test("t", case("same", 0), case("same", 1, "failed"))
    assert diff_cases(before, after) == (
        CaseChange("ns/t", "same #2", "started-failing", "passed", "failed"),
    )


@pytest.mark.parametrize(
    ("was", "now", "kind"),
    [
        ("passed", "error", "started-failing"),
        ("error", "passed", "stopped-failing"),
        ("error", "failed", "status"),
    ],
)
def test_a_test_that_errors(was: str, now: str, kind: str) -> None:
    before = a_test("t", status=was, error="boom" if was == "error" else None)
    after = a_test(
        "t",
        case("one", 0, "failed" if now == "failed" else "passed"),
        status=now,
        error="boom" if now == "error" else None,
    )
    if was == "error":
        fields = (FieldChange("error", "removed", "boom", None),)
    else:
        fields = (FieldChange("error", "added", None, "boom"),)
    assert diff_cases(before, after) == (CaseChange("ns/t", None, kind, was, now, fields),)  # type: ignore[arg-type]


# --- whole payloads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (
            "render",
            (
                "testdata/hello-workload",
                "--observe",
                "testdata/hello-workload/observe.yaml",
                "-o",
                "json",
                "--include-trigger",
            ),
        ),
        ("test", ("testdata/hello-koreo", "-f", "json")),
    ],
)
def test_a_payload_diffed_with_itself_has_no_differences(
    capsys: pytest.CaptureFixture[str], command: str, args: tuple[str, ...]
) -> None:
    out = cli(capsys, command, *args)[1]
    payload = json.loads(out)
    report = diff_payloads(command, A, payload, B, json.loads(out))
    assert not report.has_differences
    if command == "render":  # a Deployment, a Service and the trigger
        assert report.unchanged == 3
    else:
        assert report.unchanged == payload["summary"]["cases"] > 0


def test_the_same_input_gives_the_same_report() -> None:
    before, after = _everything_changed()
    first = diff_payloads("render", A, render([before]), B, render([after]))
    second = diff_payloads(
        "render", A, render([copy.deepcopy(before)]), B, render([copy.deepcopy(after)])
    )
    assert first == second
    assert first.has_differences


def test_an_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="lint"):
        diff_payloads("lint", A, {}, B, {})
