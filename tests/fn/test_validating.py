"""The validating functions: each case a unit, arguments, and the findings worked out by hand."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.fn.model import (
    AttributeValue,
    Context,
    FunctionError,
    Resource,
    SchemaCheck,
    Unit,
    Validation,
)
from koreoctl.fn.paths import PathError, PathKey
from koreoctl.fn.signature import ArgumentError, Registry
from koreoctl.fn.validating import FUNCTIONS, find_placeholders
from koreoctl.fn.validating_immutable import changed_paths
from koreoctl.fn.validating_schemas import field_to_path, load_project_schemas
from koreoctl.project.source import parse_text

BY_NAME = {f.name: f for f in FUNCTIONS}

Finding = tuple[str, tuple[PathKey, ...], str]  # resource name, path, issue id


def deployment(name: str = "web", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "prod", "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                    "containers": [
                        {"name": "app", "image": "ghcr.io/acme/web:1.4"},
                        {"name": "proxy", "image": "envoyproxy/envoy:latest"},
                    ],
                },
            },
            **spec,
        },
    }


CONFIGMAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "prod"},
    "data": {"mode": "fast"},
}


def unit_of(*documents: Any) -> Unit:
    return Unit("u.yaml", tuple(Resource(i, copy.deepcopy(d)) for i, d in enumerate(documents)))


def vet(name: str, args: list[str], unit: Unit, context: Context | None = None) -> Validation:
    function = BY_NAME[name]
    prepared = function.prepare(function.signature.bind(args))
    output = function.run(unit, prepared, context or Context())
    assert output.unit is unit and not output.changes
    assert output.validation is not None
    return output.validation


def in_order(validation: Validation) -> list[AttributeValue]:
    """The failed attributes, checked to be in ``AttributeValue.sort_key`` order (the order
    of the report), then put in document order: resource, then path as a tuple."""
    failed = list(validation.failed)
    assert failed == sorted(failed, key=AttributeValue.sort_key)
    return sorted(failed, key=lambda v: (v.resource, repr(v.path)))


def findings(validation: Validation) -> list[Finding]:
    return [
        (value.resource.name, value.path, issue.id)
        for value in in_order(validation)
        for issue in value.issues
    ]


def messages(validation: Validation) -> list[str]:
    return [issue.message for value in in_order(validation) for issue in value.issues]


# --- the table --------------------------------------------------------------------------


def test_functions_are_sorted_validating_and_register() -> None:
    names = [f.name for f in FUNCTIONS]
    assert names == sorted(names)
    assert names == [
        "vet-celexpr",
        "vet-images",
        "vet-immutable",
        "vet-placeholders",
        "vet-schemas",
    ]
    registry = Registry(f.signature for f in FUNCTIONS)  # check()s every signature
    assert all(registry.get(n).output == "validation-result" for n in names)
    assert all(f.signature.validating and not f.signature.mutating for f in FUNCTIONS)


# --- vet-celexpr ------------------------------------------------------------------------

CEL_UNIT = unit_of(deployment("web"), deployment("api", replicas=1), CONFIGMAP)

CEL_CASES: list[tuple[str, bool, list[Finding], list[str]]] = [
    ("r.kind != 'Deployment' || r.spec.replicas >= 2", False, [("api", (), "celexpr-false")], []),
    ("object.metadata.namespace == 'prod'", True, [], []),
    (
        "r.spec.replicas >= 1",
        False,
        [("settings", (), "celexpr-error")],
        ["no such key: spec"],
    ),
    (
        "r.spec.replicas == 2",
        False,
        [("api", (), "celexpr-false"), ("settings", (), "celexpr-error")],
        ["expression is false", "no such key: spec"],
    ),
    ("!has(r.spec) || !has(r.spec.paused) || !r.spec.paused", True, [], []),
    (
        "r.metadata.name",
        False,
        [
            ("api", (), "celexpr-not-bool"),
            ("web", (), "celexpr-not-bool"),
            ("settings", (), "celexpr-not-bool"),
        ],
        [
            'expression is not a bool: "api"',
            'expression is not a bool: "web"',
            'expression is not a bool: "settings"',
        ],
    ),
    (
        "1 / (r.spec.replicas - 1) == 1",
        False,
        [("api", (), "celexpr-error"), ("settings", (), "celexpr-error")],
        ["modulus or divide by zero (in 1 / (r.spec.replicas - 1) == 1)", "no such key: spec"],
    ),
]


@pytest.mark.parametrize(("expression", "passed", "expected", "texts"), CEL_CASES)
def test_vet_celexpr(
    expression: str, passed: bool, expected: list[Finding], texts: list[str]
) -> None:
    validation = vet("vet-celexpr", [expression], CEL_UNIT)
    assert validation.passed is passed
    # failed attributes are sorted by resource: apps/v1 api, apps/v1 web, then v1 settings
    assert findings(validation) == expected
    if texts:
        assert messages(validation) == texts
    assert validation.details == (f"{3 - len(expected)} of 3 resources passed",)


def test_vet_celexpr_failed_attribute_is_the_whole_resource() -> None:
    validation = vet("vet-celexpr", ["r.spec.replicas > 1"], unit_of(deployment("api", replicas=1)))
    (value,) = validation.failed
    assert (value.path, value.value, value.attribute, value.source) == ((), None, None, None)
    assert value.issues[0].message == "expression is false"


def test_vet_celexpr_source_is_the_document() -> None:
    text = "# first\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    (doc,) = parse_text(text, "u.yaml").docs
    unit = Unit("u.yaml", (Resource(0, doc.data, doc),))
    (value,) = vet("vet-celexpr", ["r.kind == 'Secret'"], unit).failed
    assert value.source is not None and (value.source.file, value.source.line) == ("u.yaml", 2)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "r.spec.replicas >",
            "vet-celexpr: invalid CEL at column 17: unexpected end of expression",
        ),
        ("1 +* 2", "vet-celexpr: invalid CEL at column 4: unexpected '*'"),
    ],
)
def test_vet_celexpr_compile_error_is_a_usage_error(expression: str, message: str) -> None:
    function = BY_NAME["vet-celexpr"]
    with pytest.raises(ArgumentError) as raised:
        function.prepare(function.signature.bind([expression]))
    assert str(raised.value) == message
    assert isinstance(raised.value, UsageError) and "\n" not in str(raised.value)


def test_vet_celexpr_empty_unit_passes() -> None:
    validation = vet("vet-celexpr", ["false"], Unit("u.yaml", ()))
    assert validation.passed and validation.details == ("0 of 0 resources passed",)


# --- vet-placeholders -------------------------------------------------------------------

PLACEHOLDER_DOC: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "db", "annotations": {"owner": "team-confighubplaceholder"}},
    "spec": {
        "ports": [{"port": 999999999, "name": "TODO"}, {"port": 5432}],
        "clusterIP": "None",
        "publishNotReadyAddresses": True,
        "ipFamilies": ["confighubplaceholder"],
    },
}

PLACEHOLDER_CASES: list[tuple[list[str], list[tuple[PathKey, ...]]]] = [
    (
        [],
        [
            ("metadata", "annotations", "owner"),
            ("spec", "ipFamilies", 0),
            ("spec", "ports", 0, "port"),
        ],
    ),
    (
        ["TODO", "None"],
        [
            ("metadata", "annotations", "owner"),
            ("spec", "clusterIP"),
            ("spec", "ipFamilies", 0),
            ("spec", "ports", 0, "name"),
            ("spec", "ports", 0, "port"),
        ],
    ),
]


@pytest.mark.parametrize(("extra", "paths"), PLACEHOLDER_CASES)
def test_vet_placeholders(extra: list[str], paths: list[tuple[PathKey, ...]]) -> None:
    unit = unit_of(PLACEHOLDER_DOC, CONFIGMAP)
    validation = vet("vet-placeholders", extra, unit)
    assert not validation.passed
    assert [v.path for v in in_order(validation)] == paths
    assert {i.id for v in validation.failed for i in v.issues} == {"placeholder"}
    assert validation.details == (f"{len(paths)} placeholder values in 1 resource",)
    found = find_placeholders(unit, tuple(extra))
    assert found == validation.failed  # one resource: already in sort_key order


def test_vet_placeholders_messages_and_values() -> None:
    validation = vet("vet-placeholders", [], unit_of(PLACEHOLDER_DOC))
    assert [(v.value, v.issues[0].message) for v in in_order(validation)] == [
        ("team-confighubplaceholder", 'still holds the placeholder "confighubplaceholder"'),
        ("confighubplaceholder", 'still holds the placeholder "confighubplaceholder"'),
        (999999999, "still holds the placeholder 999999999"),
    ]


def test_vet_placeholders_passes_without_any() -> None:
    validation = vet("vet-placeholders", [], unit_of(CONFIGMAP, {"kind": "X", "n": True}))
    assert validation.passed
    assert validation.details == ("no placeholders in 2 resources",)


def test_find_placeholders_ignores_true_and_keys() -> None:
    doc = {"confighubplaceholder": 1, "flag": True, "n": 999999999.0, "m": 999999999}
    assert [v.path for v in find_placeholders(unit_of(doc))] == [("m",)]


def test_vet_placeholders_empty_extra_is_an_error() -> None:
    with pytest.raises(ArgumentError, match="empty placeholder"):
        BY_NAME["vet-placeholders"].prepare({"placeholder": ("",)})


# --- vet-images -------------------------------------------------------------------------

IMAGE_UNIT = unit_of(
    deployment("web"),
    {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "prod"},
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "job", "image": "ghcr.io/acme/job@sha256:ab"}]
                        }
                    }
                }
            }
        },
    },
    CONFIGMAP,
)
_APP = ("spec", "template", "spec", "containers", 0, "image")
_PROXY = ("spec", "template", "spec", "containers", 1, "image")
_INIT = ("spec", "template", "spec", "initContainers", 0, "image")
_JOB = ("spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image")

IMAGE_CASES: list[tuple[list[str], list[Finding]]] = [
    (["*"], []),
    (["!*:latest"], [("web", _PROXY, "image-denied")]),
    (
        ["ghcr.io/acme/*"],
        [("web", _PROXY, "image-not-allowed"), ("web", _INIT, "image-not-allowed")],
    ),
    (
        ["ghcr.io/*", "busybox:*", "!*:latest", "!*:1.36"],
        [("web", _PROXY, "image-denied"), ("web", _INIT, "image-denied")],
    ),
    (
        ["GHCR.IO/*", "busybox:*", "envoyproxy/*"],  # case-sensitive
        [("web", _APP, "image-not-allowed"), ("nightly", _JOB, "image-not-allowed")],
    ),
    (
        ["*@sha256:*"],
        [
            ("web", _APP, "image-not-allowed"),
            ("web", _PROXY, "image-not-allowed"),
            ("web", _INIT, "image-not-allowed"),
        ],
    ),
]


@pytest.mark.parametrize(("patterns", "expected"), IMAGE_CASES)
def test_vet_images(patterns: list[str], expected: list[Finding]) -> None:
    validation = vet("vet-images", patterns, IMAGE_UNIT)
    # sorted by resource (apps/v1 before batch/v1), then path (containers before initContainers)
    assert findings(validation) == expected
    assert validation.passed is (not expected)
    assert validation.details == (f"{4 - len(expected)} of 4 images passed",)


def test_vet_images_failed_attribute_carries_the_container() -> None:
    validation = vet("vet-images", ["!envoyproxy/*"], IMAGE_UNIT)
    (value,) = validation.failed
    assert value.attribute == "container-image"
    assert value.bindings == (("container-name", "proxy"),)
    assert value.value == "envoyproxy/envoy:latest"
    assert value.issues[0].message == (
        'image "envoyproxy/envoy:latest" matches the denied pattern "!envoyproxy/*"'
    )


def test_vet_images_not_allowed_message() -> None:
    validation = vet("vet-images", ["ghcr.io/*", "docker.io/*"], unit_of(deployment("web")))
    assert messages(validation)[0] == (
        'image "envoyproxy/envoy:latest" matches none of the allowed patterns '
        '"ghcr.io/*", "docker.io/*"'
    )


@pytest.mark.parametrize("args", [[], ["!"], [""]])
def test_vet_images_bad_patterns(args: list[str]) -> None:
    function = BY_NAME["vet-images"]
    with pytest.raises(ArgumentError):
        function.prepare(function.signature.bind(args))


# --- vet-schemas ------------------------------------------------------------------------

CRD_TEXT = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: queues.example.dev
spec:
  group: example.dev
  scope: Namespaced
  names: {kind: Queue, plural: queues}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                tier: {type: string, enum: [standard, premium]}
                tags:
                  type: object
                  additionalProperties: {type: string}
"""


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Context:
    root = tmp_path_factory.mktemp("project")
    (root / "crds").mkdir()
    (root / "crds" / "queue.yaml").write_text(CRD_TEXT)
    loaded = load_project_schemas(root)
    assert loaded.notes == ()
    return Context(schemas=loaded)


def queue(name: str, spec: Any, version: str = "v1") -> dict[str, Any]:
    return {
        "apiVersion": f"example.dev/{version}",
        "kind": "Queue",
        "metadata": {"name": name, "namespace": "prod"},
        "spec": spec,
    }


SCHEMA_CASES: list[tuple[str, list[Any], list[str], list[Finding], list[str]]] = [
    ("valid", [queue("a", {"size": 3, "tier": "premium"})], [], [], []),
    (
        "violations",
        [queue("a", {"size": 0, "tier": "gold", "colour": "red", "tags": {"app.io/x": 1}})],
        [],
        [
            ("a", ("spec", "colour"), "schema-unknown-field"),
            ("a", ("spec", "size"), "schema-violation"),
            ("a", ("spec", "tags", "app.io/x"), "schema-violation"),
            ("a", ("spec", "tier"), "schema-violation"),
        ],
        [
            'unknown field "spec.colour"',
            "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
            'spec.tags.app.io/x: Invalid value: "integer": spec.tags.app.io/x in body must be '
            'of type string: "integer"',
            'spec.tier: Unsupported value: "gold": supported values: "standard", "premium"',
        ],
    ),
    (
        "required",
        [queue("b", {})],
        [],
        [("b", ("spec", "size"), "schema-violation")],
        ["spec.size: Required value"],
    ),
    (
        "unserved-version",
        [queue("c", {"size": 1}, "v2")],
        [],
        [("c", ("apiVersion",), "schema-version")],
        ['version "v2" of Queue.example.dev is not served by the project\'s CRD (served: v1)'],
    ),
    ("missing-ignored", [CONFIGMAP], [], [], []),
    (
        "missing-fails",
        [CONFIGMAP, queue("a", {"size": 1})],
        ["fail"],
        [("settings", (), "schema-missing")],
        ["no schema for v1/ConfigMap in the project's CRDs"],
    ),
]


@pytest.mark.parametrize(
    ("case", "documents", "args", "expected", "texts"),
    SCHEMA_CASES,
    ids=[c[0] for c in SCHEMA_CASES],
)
def test_vet_schemas(
    schemas: Context,
    case: str,
    documents: list[Any],
    args: list[str],
    expected: list[Finding],
    texts: list[str],
) -> None:
    validation = vet("vet-schemas", args, unit_of(*documents), schemas)
    assert findings(validation) == expected
    assert messages(validation) == texts
    assert validation.passed is (not expected)


def test_vet_schemas_details_name_skipped_types(schemas: Context) -> None:
    unit = unit_of(CONFIGMAP, CONFIGMAP, deployment("web"), queue("a", {"size": 1}))
    validation = vet("vet-schemas", [], unit, schemas)
    assert validation.passed
    assert validation.details == (
        "checked 1 resource against the project's CRDs",
        "no schema for apps/v1/Deployment (1 resource, skipped)",
        "no schema for v1/ConfigMap (2 resources, skipped)",
    )


def test_vet_schemas_values_and_one_attribute_per_path(schemas: Context) -> None:
    validation = vet("vet-schemas", [], unit_of(queue("a", {"size": "big"})), schemas)
    (value,) = validation.failed
    assert (value.path, value.value) == (("spec", "size"), "big")


def test_vet_schemas_without_crds_cannot_run() -> None:
    with pytest.raises(FunctionError, match=r"^vet-schemas: no project CRDs \(run it inside"):
        vet("vet-schemas", [], unit_of(CONFIGMAP))


def test_vet_schemas_with_another_schema_check() -> None:
    class Everything(SchemaCheck):
        def problems(self, data: Any) -> tuple[tuple[tuple[PathKey, ...], str], ...] | None:
            return (
                ((("kind",), "kinds are forbidden"),) if data.get("kind") == "ConfigMap" else None
            )

    validation = vet("vet-schemas", [], unit_of(CONFIGMAP), Context(schemas=Everything()))
    assert findings(validation) == [("settings", ("kind",), "schema-violation")]


def test_load_project_schemas_keeps_crd_problems_as_notes(tmp_path: Path) -> None:
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "bad.yaml").write_text(
        CRD_TEXT.replace("scope: Namespaced", "scope: Galaxy")
    )
    loaded = load_project_schemas(tmp_path)
    assert len(loaded.notes) == 1 and "A001" in loaded.notes[0]
    validation = vet("vet-schemas", [], unit_of(queue("a", {"size": 0})), Context(schemas=loaded))
    assert validation.passed  # the kind has no usable schema: skipped
    assert validation.details[-1].startswith("CRD problem: crds/bad.yaml:")


def test_load_project_schemas_without_a_crds_folder(tmp_path: Path) -> None:
    assert load_project_schemas(tmp_path).catalog.crds == ()


@pytest.mark.parametrize(
    ("data", "field", "path"),
    [
        ({}, "spec.size", ("spec", "size")),
        ({"spec": {"items": [{"name": 1}]}}, "spec.items[0].name", ("spec", "items", 0, "name")),
        (
            {"metadata": {"labels": {"app.io/x": 1}}},
            "metadata.labels.app.io/x",
            ("metadata", "labels", "app.io/x"),
        ),
        ({"a": {"b": {"c.d": 1}, "b.c": 2}}, "a.b.c.d", ("a", "b", "c.d")),
        ({}, "<nil>", ()),
        ({}, "x[2][3]", ("x", 2, 3)),
    ],
)
def test_field_to_path(data: Any, field: str, path: tuple[PathKey, ...]) -> None:
    assert field_to_path(data, field) == path


# --- vet-immutable ----------------------------------------------------------------------


def baseline_of(*documents: Any) -> Context:
    def load(reference: str) -> Unit:
        if reference != "base.yaml":
            raise FunctionError(f"cannot read baseline {reference}")
        return unit_of(*documents)

    return Context(baseline=load)


def changed(document: Any, change: Callable[[Any], None]) -> Any:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


STATEFULSET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "db", "namespace": "prod"},
    "spec": {
        "serviceName": "db",
        "replicas": 1,
        "selector": {"matchLabels": {"app": "db"}},
        "volumeClaimTemplates": [
            {"metadata": {"name": "data"}, "spec": {"storageClassName": "ssd"}}
        ],
    },
}
SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "prod"},
    "spec": {"clusterIP": "10.0.0.7", "ports": [{"port": 80}]},
}
FROZEN_CM = {**CONFIGMAP, "immutable": True}


def _set(path: tuple[PathKey, ...], value: Any) -> Callable[[Any], None]:
    def apply(doc: Any) -> None:
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = value

    return apply


def _del(path: tuple[PathKey, ...]) -> Callable[[Any], None]:
    def apply(doc: Any) -> None:
        for key in path[:-1]:
            doc = doc[key]
        del doc[path[-1]]

    return apply


IMMUTABLE_CASES: list[
    tuple[str, list[Any], list[Any], list[str], list[tuple[tuple[PathKey, ...], str]]]
] = [
    ("unchanged", [STATEFULSET, SERVICE], [STATEFULSET, SERVICE], [], []),
    (
        "replicas-are-mutable",
        [STATEFULSET],
        [changed(STATEFULSET, _set(("spec", "replicas"), 5))],
        [],
        [],
    ),
    (
        "selector-and-service-name",
        [STATEFULSET],
        [
            changed(
                changed(STATEFULSET, _set(("spec", "selector", "matchLabels", "app"), "db2")),
                _set(("spec", "serviceName"), "db-headless"),
            )
        ],
        [],
        [
            (
                ("spec", "selector"),
                'changed from {"matchLabels": {"app": "db"}} to {"matchLabels": {"app": "db2"}}',
            ),
            (("spec", "serviceName"), 'changed from "db" to "db-headless"'),
        ],
    ),
    (
        "cluster-ip-removed",
        [SERVICE],
        [changed(SERVICE, _del(("spec", "clusterIP")))],
        [],
        [(("spec", "clusterIP"), 'removed (was "10.0.0.7")')],
    ),
    (
        "cluster-ip-added",
        [changed(SERVICE, _del(("spec", "clusterIP")))],
        [SERVICE],
        [],
        [(("spec", "clusterIP"), 'added ("10.0.0.7")')],
    ),
    (
        "configmap-data-mutable",
        [CONFIGMAP],
        [changed(CONFIGMAP, _set(("data", "mode"), "slow"))],
        [],
        [],
    ),
    (
        "configmap-data-immutable",
        [FROZEN_CM],
        [changed(FROZEN_CM, _set(("data", "mode"), "slow"))],
        [],
        [(("data",), 'changed from {"mode": "fast"} to {"mode": "slow"}')],
    ),
    (
        "given-paths",
        [SERVICE, STATEFULSET],
        [
            changed(SERVICE, _set(("spec", "ports", 0, "port"), 8080)),
            changed(STATEFULSET, _set(("spec", "serviceName"), "x")),
        ],
        ["spec.ports.*.port", "metadata.name"],
        [(("spec", "ports", 0, "port"), "changed from 80 to 8080")],
    ),
    (
        "int-and-bool-differ",
        [{**CONFIGMAP, "data": {"n": 1}}],
        [{**CONFIGMAP, "data": {"n": True}}],
        ["data.n"],
        [(("data", "n"), "changed from 1 to true")],
    ),
]


@pytest.mark.parametrize(
    ("case", "before", "after", "paths", "expected"),
    IMMUTABLE_CASES,
    ids=[c[0] for c in IMMUTABLE_CASES],
)
def test_vet_immutable(
    case: str,
    before: list[Any],
    after: list[Any],
    paths: list[str],
    expected: list[tuple[tuple[PathKey, ...], str]],
) -> None:
    validation = vet("vet-immutable", ["base.yaml", *paths], unit_of(*after), baseline_of(*before))
    assert [(v.path, v.issues[0].message) for v in validation.failed] == expected
    assert {i.id for v in validation.failed for i in v.issues} <= {"immutable-changed"}
    assert validation.passed is (not expected)
    assert validation.details[-1] == (
        f"compared {len(after)} {'resource' if len(after) == 1 else 'resources'} "
        "with the baseline base.yaml"
    )


def test_vet_immutable_failed_attribute() -> None:
    after = changed(SERVICE, _set(("spec", "clusterIP"), "10.0.0.8"))
    (value,) = vet("vet-immutable", ["base.yaml"], unit_of(after), baseline_of(SERVICE)).failed
    assert value.resource.name == "web" and value.value == "10.0.0.8"
    assert value.attribute == "immutable"
    (given,) = vet(
        "vet-immutable", ["base.yaml", "spec.clusterIP"], unit_of(after), baseline_of(SERVICE)
    ).failed
    assert given.attribute is None


def test_vet_immutable_new_and_removed_resources_are_details() -> None:
    validation = vet("vet-immutable", ["base.yaml"], unit_of(SERVICE), baseline_of(STATEFULSET))
    assert validation.passed
    assert validation.details == (
        "new resource v1/Service prod/web (not in the baseline)",
        "removed resource apps/v1/StatefulSet prod/db (not in the unit)",
        "compared 0 resources with the baseline base.yaml",
    )


def test_vet_immutable_needs_a_baseline() -> None:
    with pytest.raises(FunctionError, match=r"^vet-immutable: no baseline"):
        vet("vet-immutable", ["base.yaml"], unit_of(SERVICE))
    with pytest.raises(FunctionError, match=r"cannot read baseline other\.yaml"):
        vet("vet-immutable", ["other.yaml"], unit_of(SERVICE), baseline_of(SERVICE))


def test_vet_immutable_bad_path_is_a_usage_error() -> None:
    function = BY_NAME["vet-immutable"]
    with pytest.raises(PathError):
        function.prepare(function.signature.bind(["base.yaml", "spec.a.|b.|c"]))


def test_changed_paths_each_path_once() -> None:
    old = {"spec": {"a": 1, "b": 2}}
    new = {"spec": {"a": 3}}
    found = changed_paths(old, new, (parse("spec.*"), parse("spec.a")))
    assert found == ((("spec", "a"), "changed from 1 to 3"), (("spec", "b"), "removed (was 2)"))


def parse(text: str) -> Any:
    from koreoctl.fn.paths import parse_path

    return parse_path(text)


def test_failed_attributes_sort_like_the_report() -> None:
    validation = vet("vet-placeholders", [], unit_of(*(PLACEHOLDER_DOC,) * 2))
    assert list(validation.failed) == sorted(validation.failed, key=AttributeValue.sort_key)


def test_vet_celexpr_over_a_large_unit_gives_the_same_result_on_one_or_two_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from koreoctl.fn.executor import FunctionTable, prepare_sequence, run_sequence

    resources = []
    for number in range(2400):
        data: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap"}
        data["metadata"] = {"name": f"cm-{number}", "namespace": "demo"}
        if number % 3:  # a third have no labels: "no such key" failures
            data["metadata"]["labels"] = {"app": "web" if number % 5 else "other"}
        resources.append(Resource(number, data))
    unit = Unit("u.yaml", tuple(resources))
    table = FunctionTable(FUNCTIONS)
    # (celpy: an error compared with == is false, not an error; a method call keeps it)
    argv = ["vet-celexpr", "r.metadata.labels.app.startsWith('web')"]
    reports = []
    for processes in ("1", "2"):
        monkeypatch.setenv("KOREOCTL_PROCESSES", processes)
        reports.append(run_sequence(unit, prepare_sequence(table, argv), Context()).to_dict())
    assert reports[0] == reports[1]
    failed = reports[0]["validation"][0]["failedAttributes"]
    ids = [f["issues"][0]["id"] for f in failed]
    assert ids.count("celexpr-error") == 800  # number % 3 == 0
    # labelled but not app=web: number % 3 != 0 and number % 5 == 0
    assert ids.count("celexpr-false") == sum(1 for n in range(2400) if n % 3 and n % 5 == 0)
