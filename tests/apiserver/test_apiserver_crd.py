"""Reading CustomResourceDefinitions: lookups, and the CRDs a real server would refuse (A001-A005).

Field errors in the messages follow the API server's CRD validation (apiextensions-apiserver
``validation.go`` and the structural-schema rules in ``schema/validation.go``), checked by hand.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from koreoctl.apiserver import ApiServer, CrdCatalog, Rejected, load_crds
from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.project.source import parse_text

from .apiserver_fixtures import catalog, load, with_changes

THINGS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.dev
spec:
  group: example.dev
  scope: Namespaced
  names: {kind: Thing, plural: things}
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
              properties:
                size: {type: integer}
"""
(THING,) = (doc.data for doc in parse_text(THINGS, "things.yaml").docs)
SPAN = Span("things.yaml", 1, 1)
LABEL = 'CRD "things.example.dev"'
F = "spec.versions[0].schema.openAPIV3Schema"
SIZE = "spec__versions__0__schema__openAPIV3Schema__properties__spec__properties__size"


def problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    crds, diagnostics = load_crds([(document, SPAN)])
    assert all(d.span == SPAN for d in diagnostics)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        assert crds.kinds() == (), "a refused CRD is skipped"
    return [(d.code, d.message) for d in diagnostics]


def test_a_valid_crd_loads() -> None:
    crds, diagnostics = load(THINGS, "things.yaml")
    assert diagnostics == ()
    (crd,) = crds.kinds()
    assert (crd.group, crd.kind, crd.plural, crd.singular, crd.scope) == (
        "example.dev",
        "Thing",
        "things",
        "thing",  # defaulted from the kind, as the server does
        "Namespaced",
    )
    assert crd.span == Span("things.yaml", 1, 1, 21, 1)  # the whole document (20 lines)
    assert crds.lookup("example.dev/v1", "Thing") is crd
    assert crds.lookup("example.dev/v9", "Thing") is crd  # by group and kind
    assert crds.lookup("other.dev/v1", "Thing") is None
    assert crds.lookup("example.dev/v1", "thing") is None
    assert crd.storage_version.name == "v1"
    assert (crd.resource, crd.qualified_kind, crd.namespaced) == (
        "things.example.dev",
        "Thing.example.dev",
        True,
    )


A001 = [
    (
        "no group",
        with_changes(THING, spec__group=...),
        "spec.group: Required value",
    ),
    (
        "a group without a dot, so the name does not match either",
        with_changes(THING, spec__group="example"),
        '[metadata.name: Invalid value: "things.example.dev": must be '
        'spec.names.plural+"."+spec.group, '
        'spec.group: Invalid value: "example": should be a domain with at least one dot]',
    ),
    (
        "a name that is not plural.group",
        with_changes(THING, metadata__name="thing.example.dev"),
        'metadata.name: Invalid value: "thing.example.dev": must be '
        'spec.names.plural+"."+spec.group',
    ),
    ("no scope", with_changes(THING, spec__scope=...), "spec.scope: Required value"),
    (
        "an unknown scope",
        with_changes(THING, spec__scope="Global"),
        'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ),
    (
        "no plural",
        with_changes(THING, spec__names__plural=...),
        "spec.names.plural: Required value",
    ),
    ("no kind", with_changes(THING, spec__names__kind=...), "spec.names.kind: Required value"),
    ("no versions", with_changes(THING, spec__versions=[]), "spec.versions: Required value"),
    (
        "a version without a name",
        with_changes(THING, spec__versions__0__name=...),
        "spec.versions[0].name: Required value",
    ),
    (
        "a version without a schema",
        with_changes(THING, spec__versions__0__schema=...),
        "spec.versions[0].schema.openAPIV3Schema: Required value",
    ),
    (
        "two versions with one name",
        with_changes(THING, spec__versions=[THING["spec"]["versions"][0]] * 2),
        'spec.versions: Invalid value: ["v1","v1"]: must contain unique version names',
    ),
]


@pytest.mark.parametrize(("document", "detail"), [c[1:] for c in A001], ids=[c[0] for c in A001])
def test_unusable_crds_are_a001(document: dict[str, Any], detail: str) -> None:
    label = f'CRD "{document["metadata"]["name"]}"'  # the CRD's own name, even when wrong
    assert problems(document) == [("A001", f"{label} is invalid: {detail}")]


def test_a_crd_without_a_name_is_a001() -> None:
    assert problems(with_changes(THING, metadata=...)) == [
        ("A001", 'CRD "?" is invalid: metadata.name: Required value')
    ]


def test_a_v1beta1_crd_is_a001() -> None:
    document = with_changes(THING, apiVersion="apiextensions.k8s.io/v1beta1")
    assert problems(document) == [
        (
            "A001",
            f"{LABEL} is apiextensions.k8s.io/v1beta1, which API servers no longer serve "
            "(since Kubernetes 1.22); use apiextensions.k8s.io/v1",
        )
    ]


@pytest.mark.parametrize(
    ("storage", "shown"), [((False,), "[]"), ((True, True), '["v1","v2"]')], ids=["none", "two"]
)
def test_not_exactly_one_storage_version_is_a002(storage: tuple[bool, ...], shown: str) -> None:
    version = THING["spec"]["versions"][0]
    versions = [{**version, "name": f"v{i + 1}", "storage": flag} for i, flag in enumerate(storage)]
    assert problems(with_changes(THING, spec__versions=versions)) == [
        (
            "A002",
            f"{LABEL} is invalid: spec.versions: Invalid value: {shown}: "
            "must have exactly one version marked as storage version",
        )
    ]


A003 = [
    (
        "a field without a type",
        {SIZE: {"minimum": 1}},
        f"{F}.properties[spec].properties[size].type: Required value: "
        "must not be empty for specified object fields",
    ),
    (
        "no type at the root",
        {"spec__versions__0__schema__openAPIV3Schema__type": ...},
        f"{F}.type: Required value: must not be empty at the root",
    ),
    (
        "a root that is not an object",
        {"spec__versions__0__schema__openAPIV3Schema": {"type": "string"}},
        f'{F}.type: Invalid value: "string": must be object at the root',
    ),
    (
        "an unknown type",
        {SIZE: {"type": "int"}},
        f'{F}.properties[spec].properties[size].type: Unsupported value: "int": supported values: '
        '"array", "boolean", "integer", "number", "object", "string"',
    ),
    (
        "type null",
        {SIZE: {"type": "null"}},
        f"{F}.properties[spec].properties[size].type: Forbidden: "
        "type cannot be set to null, use nullable as an alternative",
    ),
    (
        "an array without items",
        {SIZE: {"type": "array"}},
        f"{F}.properties[spec].properties[size].items: Required value: must be specified",
    ),
    (
        "array items without a type",
        {SIZE: {"type": "array", "items": {}}},
        f"{F}.properties[spec].properties[size].items.type: Required value: "
        "must not be empty for specified array items",
    ),
    (
        "uniqueItems",
        {SIZE: {"type": "array", "items": {"type": "string"}, "uniqueItems": True}},
        f"{F}.properties[spec].properties[size].uniqueItems: Forbidden: "
        "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
    ),
    (
        "$ref, and so no type",
        {SIZE: {"$ref": "#/definitions/size"}},
        f"[{F}.properties[spec].properties[size].$ref: Forbidden: $ref is not supported, "
        f"{F}.properties[spec].properties[size].type: Required value: "
        "must not be empty for specified object fields]",
    ),
    (
        "properties and additionalProperties",
        {
            "spec__versions__0__schema__openAPIV3Schema__properties__spec__additionalProperties": {
                "type": "string"
            }
        },
        f"{F}.properties[spec].additionalProperties: Forbidden: "
        "additionalProperties and properties are mutual exclusive",
    ),
    (
        "additionalProperties at the root",
        {
            "spec__versions__0__schema__openAPIV3Schema": {
                "type": "object",
                "additionalProperties": {"type": "string"},
            }
        },
        f"{F}.additionalProperties: Forbidden: must not be used at the root",
    ),
    (
        "nullable root",
        {"spec__versions__0__schema__openAPIV3Schema__nullable": True},
        f"{F}.nullable: Forbidden: nullable cannot be true at the root",
    ),
    (
        "a type under anyOf",
        {SIZE: {"type": "integer", "anyOf": [{"type": "integer", "minimum": 1}]}},
        f"{F}.properties[spec].properties[size].anyOf[0].type: Forbidden: "
        "must be empty to be structural",
    ),
    (
        "a bad regular expression",
        {SIZE: {"type": "string", "pattern": "("}},
        f'{F}.properties[spec].properties[size].pattern: Invalid value: "(": '
        "must be a valid regular expression, but isn't: "
        "missing ), unterminated subpattern at position 0",
    ),
    (
        "x-kubernetes-preserve-unknown-fields: false",
        {SIZE: {"type": "object", "x-kubernetes-preserve-unknown-fields": False}},
        f"{F}.properties[spec].properties[size].x-kubernetes-preserve-unknown-fields: "
        "Invalid value: false: must be true or undefined",
    ),
    (
        "an embedded resource with nothing in it",
        {SIZE: {"type": "object", "x-kubernetes-embedded-resource": True}},
        f"{F}.properties[spec].properties[size].properties: Required value: must not be empty if "
        "x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
    ),
    (
        "metadata restricted beyond name and generateName",
        {
            "spec__versions__0__schema__openAPIV3Schema__properties__metadata": {
                "type": "object",
                "properties": {"labels": {"type": "object"}},
            }
        },
        f"{F}.properties[metadata]: Forbidden: must not specify anything other than name and "
        "generateName, but metadata is implicitly specified",
    ),
    (
        "not valid JSON Schema",
        {SIZE: {"type": "integer", "minimum": "one"}},
        f'{F}.properties[spec].properties[size].minimum: Invalid value: "one": '
        "'one' is not of type 'number'",
    ),
]


@pytest.mark.parametrize(("changes", "detail"), [c[1:] for c in A003], ids=[c[0] for c in A003])
def test_schemas_a_server_refuses_are_a003(changes: dict[str, Any], detail: str) -> None:
    message = f'{LABEL} version "v1" has a schema the API server refuses: {detail}'
    assert problems(with_changes(THING, **changes)) == [("A003", message)]


def test_schemas_a_server_accepts() -> None:
    schema = {
        "type": "object",
        "properties": {
            "metadata": {
                "type": "object",
                "properties": {"name": {"type": "string", "maxLength": 20}},
            },
            "spec": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {
                    "port": {
                        "x-kubernetes-int-or-string": True,
                        "anyOf": [{"type": "integer"}, {"type": "string"}],
                    },
                    "free": {"x-kubernetes-preserve-unknown-fields": True},
                    "when": {"type": "string", "format": "unknown-format"},
                    "pick": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
                },
            },
        },
    }
    document = with_changes(THING, spec__versions__0__schema__openAPIV3Schema=schema)
    assert problems(document) == []


def test_each_broken_version_is_reported() -> None:
    good = THING["spec"]["versions"][0]
    broken = {"openAPIV3Schema": {"type": "object", "nullable": True}}
    versions = [
        {**good, "name": "v0", "storage": False, "schema": broken},
        good,
        {**good, "name": "v2", "storage": False, "schema": broken},
    ]
    found = problems(with_changes(THING, spec__versions=versions))
    assert [(code, message.split(" has ")[0]) for code, message in found] == [
        ("A003", f'{LABEL} version "v0"'),
        ("A003", f'{LABEL} version "v2"'),
    ]
    assert "spec.versions[2].schema.openAPIV3Schema.nullable: Forbidden" in found[1][1]


def test_a_duplicate_is_a004_and_the_first_one_wins() -> None:
    second = THINGS.replace("scope: Namespaced", "scope: Cluster")
    crds, diagnostics = load(THINGS + "---\n" + second)
    assert [d.check_tuple() for d in diagnostics] == [("A004", 22, 1)]  # the second document
    assert diagnostics[0].message == "a second CRD for Thing.example.dev; the first one is used"
    (crd,) = crds.kinds()
    assert crd.scope == "Namespaced"


def test_cel_rules_are_an_info_note_once_per_crd() -> None:
    rules = [{"rule": "self.size > 0"}]
    version = THING["spec"]["versions"][0]
    schema = with_changes(
        version["schema"]["openAPIV3Schema"], **{"x-kubernetes-validations": rules}
    )
    schema["properties"]["spec"]["x-kubernetes-validations"] = rules
    versions = [
        {**version, "schema": {"openAPIV3Schema": schema}},
        {**version, "name": "v2", "storage": False, "schema": {"openAPIV3Schema": schema}},
    ]
    crds, diagnostics = load_crds([(with_changes(THING, spec__versions=versions), SPAN)])
    assert diagnostics == (
        Diagnostic(
            "A005",
            f"{LABEL} has x-kubernetes-validations rules, which koreoctl does not evaluate",
            SPAN,
            Severity.INFO,
        ),
    )
    assert len(crds.kinds()) == 1  # still used


def test_other_documents_are_ignored() -> None:
    documents: list[tuple[Any, Span | None]] = [
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, None),
        ({"kind": "CustomResourceDefinition", "apiVersion": "example.dev/v1"}, None),
        (["not", "a", "mapping"], None),
        (None, None),
    ]
    assert load_crds(documents) == (CrdCatalog(), ())


def test_a_version_is_served_only_when_it_says_so() -> None:
    versions = [with_changes(THING["spec"]["versions"][0], served=...)]
    crds, diagnostics = load_crds([(with_changes(THING, spec__versions=versions), SPAN)])
    assert diagnostics == ()
    (crd,) = crds.kinds()
    assert crd.version("v1") is None
    thing = {
        "apiVersion": "example.dev/v1",
        "kind": "Thing",
        "metadata": {"name": "t", "namespace": "n"},
    }
    result = ApiServer(crds).create(thing)
    assert isinstance(result, Rejected) and result.code == 404


def test_the_catalog_is_immutable_and_compiles_once() -> None:
    crds = catalog()
    (gadget, widget) = crds.kinds()
    assert (gadget.kind, widget.kind) == ("Gadget", "Widget")
    version = widget.storage_version
    assert crds.validator(widget, version) is crds.validator(widget, version)
    with pytest.raises(dataclasses.FrozenInstanceError):
        crds.crds = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        crds._index[("x", "y")] = widget  # type: ignore[index]
