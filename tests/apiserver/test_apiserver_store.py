"""The simulated API server: writes, conflicts, system metadata, patch strategies, forks."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.apiserver import (
    Accepted,
    ApiServer,
    CrdCatalog,
    ObjectRef,
    PatchStrategy,
    Rejected,
    load_crds,
    merge_patch,
    strip_system_fields,
)

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.dev"},
    "spec": {
        "group": "example.dev",
        "scope": "Namespaced",
        "names": {"kind": "Gadget", "plural": "gadgets"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "default": 1},
                                    "color": {"type": "string", "default": "red"},
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                },
                            },
                            "status": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                            },
                        },
                    }
                },
            }
        ],
    },
}


def gadget(name: str = "g", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.dev/v1",
        "kind": "Gadget",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": spec or {"size": 1},
    }


def catalog() -> CrdCatalog:
    crds, diagnostics = load_crds([(CRD, None)])
    assert diagnostics == ()
    return crds


REF = ObjectRef("example.dev/v1", "Gadget", "ns", "g")


def test_create_get_and_system_metadata() -> None:
    server = ApiServer(catalog())
    result = server.create(gadget(size=2))
    assert isinstance(result, Accepted)
    stored = server.get(REF)
    assert stored is not None
    metadata = stored["metadata"]
    assert metadata["generation"] == 1
    assert metadata["resourceVersion"] == "1"
    assert metadata["creationTimestamp"] == "1970-01-01T00:00:00Z"
    assert len(metadata["uid"]) == 36
    assert strip_system_fields(stored) == gadget(size=2)


def test_the_same_writes_give_the_same_objects() -> None:
    first, second = ApiServer(catalog()), ApiServer(catalog())
    for server in (first, second):
        server.create(gadget("a"))
        server.create(gadget("b"))
        server.patch(ObjectRef("example.dev/v1", "Gadget", "ns", "a"), {"spec": {"size": 3}})
    assert first.objects() == second.objects()
    uids = {obj["metadata"]["uid"] for obj in first.objects()}
    assert len(uids) == 2


def test_conflicts_and_missing_objects() -> None:
    server = ApiServer(catalog())
    server.create(gadget())
    assert server.create(gadget()) == Rejected(
        409, "AlreadyExists", 'gadgets.example.dev "g" already exists'
    )
    missing = ObjectRef("example.dev/v1", "Gadget", "ns", "nope")
    assert server.patch(missing, {}) == Rejected(
        404, "NotFound", 'gadgets.example.dev "nope" not found'
    )
    assert server.delete(missing).code == 404  # type: ignore[union-attr]
    core = ObjectRef("apps/v1", "Deployment", "ns", "web")
    assert server.delete(core) == Rejected(404, "NotFound", 'deployments.apps "web" not found')


def test_invalid_write_is_rejected_and_not_stored() -> None:
    server = ApiServer(catalog())
    result = server.create(gadget(size="big"))
    assert result == Rejected(
        422,
        "Invalid",
        'Gadget.example.dev "g" is invalid: spec.size: Invalid value: "string": '
        'spec.size in body must be of type integer: "string"',
    )
    assert server.get(REF) is None
    assert [write.verb for write in server.writes()] == ["create"]


def test_scope_is_enforced_for_crd_kinds() -> None:
    server = ApiServer(catalog())
    obj = gadget()
    del obj["metadata"]["namespace"]
    result = server.create(obj)
    assert isinstance(result, Rejected)
    assert result.message.endswith("metadata.namespace: Required value")


def test_unknown_version_is_not_found() -> None:
    server = ApiServer(catalog())
    obj = {**gadget(), "apiVersion": "example.dev/v2"}
    result = server.create(obj)
    assert isinstance(result, Rejected) and result.code == 404


def test_kinds_without_a_crd_are_accepted_as_they_are() -> None:
    server = ApiServer(catalog())
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}}
    assert isinstance(server.create({**obj, "data": {"a": 1}}), Accepted)


def test_generation_counts_content_changes_only() -> None:
    server = ApiServer(catalog())
    server.create(gadget(size=1))
    server.patch(REF, {"metadata": {"labels": {"a": "b"}}})
    server.patch(REF, {"status": {"ready": True}})
    assert server.get(REF)["metadata"]["generation"] == 1  # type: ignore[index]
    server.patch(REF, {"spec": {"size": 2}})
    stored = server.get(REF)
    assert stored is not None
    assert stored["metadata"]["generation"] == 2
    assert stored["metadata"]["resourceVersion"] == "4"


def test_merge_patch_strategy() -> None:
    server = ApiServer(catalog())
    server.create(
        {**gadget(size=1), "metadata": {"name": "g", "namespace": "ns", "labels": {"a": "1"}}}
    )
    server.patch(REF, {"metadata": {"labels": {"b": "2"}}, "spec": {"color": "blue"}})
    stored = server.get(REF)
    assert stored is not None
    assert stored["metadata"]["labels"] == {"a": "1", "b": "2"}
    assert stored["spec"] == {"size": 1, "color": "blue"}
    server.patch(REF, {"spec": {"color": None}})
    assert server.get(REF)["spec"] == {"size": 1}  # type: ignore[index]


def test_replace_top_level_strategy() -> None:
    server = ApiServer(catalog(), patch_strategy=PatchStrategy.REPLACE_TOP_LEVEL)
    server.create({**gadget(size=1), "status": {"ready": True}})
    server.patch(REF, {"metadata": {"name": "g", "namespace": "ns"}, "spec": {"size": 2}})
    stored = server.get(REF)
    assert stored is not None
    assert strip_system_fields(stored) == {**gadget(size=2), "status": {"ready": True}}


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": 1}, {"b": 2}, {"a": 1, "b": 2}),
        ({"a": {"x": 1}}, {"a": {"y": 2}}, {"a": {"x": 1, "y": 2}}),
        ({"a": 1}, {"a": None}, {}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": 1}, {"a": {"b": None}}, {"a": {}}),
        (1, {"a": 1}, {"a": 1}),
    ],
)
def test_rfc7386_merge_patch(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


def test_unknown_fields_warn_and_can_be_pruned_and_defaults_applied() -> None:
    plain = ApiServer(catalog())
    result = plain.create(gadget(size=1, bogus=True))
    assert isinstance(result, Accepted)
    assert result.warnings == ('unknown field "spec.bogus"',)
    assert result.object is not None and result.object["spec"]["bogus"] is True
    strict = ApiServer(catalog(), prune_unknown=True, apply_defaults=True)
    result = strict.create(gadget(size=1, bogus=True))
    assert isinstance(result, Accepted) and result.object is not None
    assert result.object["spec"] == {"size": 1, "color": "red"}


def test_seed_and_fork_are_independent() -> None:
    server = ApiServer(catalog())
    warnings = server.seed(gadget(size="not a number"))
    assert len(warnings) == 1 and "is not valid" in warnings[0]
    assert server.writes() == ()
    twin = server.fork()
    twin.delete(REF)
    assert server.get(REF) is not None
    assert twin.get(REF) is None


def test_callers_cannot_change_what_is_stored() -> None:
    server = ApiServer(catalog())
    obj = gadget(size=1)
    server.create(obj)
    obj["spec"]["size"] = 99
    got = server.get(REF)
    assert got is not None
    got["spec"]["size"] = 98
    assert server.get(REF)["spec"]["size"] == 1  # type: ignore[index]
