"""The simulated API server as a store: conflicts, server-owned metadata, patches, seeds, forks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from koreoctl.apiserver import (
    SYSTEM_FIELDS,
    Accepted,
    ApiServer,
    CrdCatalog,
    ObjectRef,
    PatchStrategy,
    Rejected,
    strip_system_fields,
)

from .apiserver_fixtures import (
    GADGET_REF,
    WIDGET_API,
    WIDGET_REF,
    config_map,
    gadget,
    server,
    widget,
)

CONFIG_REF = ObjectRef("v1", "ConfigMap", "ns", "c")
FIXED_NAMESPACE = uuid.UUID("6f1c8d4e-2b0a-4f57-9a63-6b6f72656f63")


def stored(api: ApiServer, ref: ObjectRef) -> dict[str, Any]:
    obj = api.get(ref)
    assert obj is not None, f"{ref} is not stored"
    return obj


# --- not found, already exists, unreadable objects -------------------------------------------


@pytest.mark.parametrize(
    ("ref", "resource"),
    [
        (WIDGET_REF, "widgets.example.koreoctl.dev"),
        (GADGET_REF, "gadgets.example.koreoctl.dev"),
        (ObjectRef("apps/v1", "Deployment", "ns", "x"), "deployments.apps"),
        (
            ObjectRef("networking.k8s.io/v1", "NetworkPolicy", "ns", "x"),
            "networkpolicies.networking.k8s.io",
        ),
        (ObjectRef("v1", "ConfigMap", "ns", "x"), "configmaps"),
        (ObjectRef("v1", "Endpoints", "ns", "x"), "endpoints"),
        (
            ObjectRef("things.example.com/v1", "Frobnicator", None, "x"),
            "frobnicators.things.example.com",
        ),
    ],
)
def test_missing_objects_are_not_found(ref: ObjectRef, resource: str) -> None:
    api = server()
    expected = Rejected(404, "NotFound", f'{resource} "{ref.name}" not found')
    assert api.patch(ref, {"metadata": {"labels": {"a": "b"}}}) == expected
    assert api.delete(ref) == expected
    assert [(write.verb, write.result) for write in api.writes()] == [
        ("patch", expected),
        ("delete", expected),
    ]


def test_creating_an_existing_object_is_a_conflict() -> None:
    api = server()
    assert isinstance(api.create(widget()), Accepted)
    assert api.create(widget(replicas=3)) == Rejected(
        409, "AlreadyExists", 'widgets.example.koreoctl.dev "w" already exists'
    )
    assert isinstance(api.create(config_map()), Accepted)
    assert api.create(config_map()) == Rejected(
        409, "AlreadyExists", 'configmaps "c" already exists'
    )
    assert stored(api, WIDGET_REF)["spec"]["replicas"] == 2


def test_an_object_without_a_name_is_invalid_and_recorded() -> None:
    api = server()
    obj = widget()
    del obj["metadata"]["name"]
    expected = Rejected(
        422,
        "Invalid",
        'Widget.example.koreoctl.dev "" is invalid: '
        "metadata.name: Required value: name or generateName is required",
    )
    assert api.create(obj) == expected
    (write,) = api.writes()
    assert write.ref == ObjectRef(WIDGET_API, "Widget", "ns", "") and write.result == expected


def test_a_kind_without_a_crd_is_stored_even_without_a_name() -> None:
    # Only CRD kinds are validated; Koreo's own test runner accepts such a write too.
    api = server()
    assert isinstance(api.create(config_map(name="")), Accepted)
    assert api.get(ObjectRef("v1", "ConfigMap", "ns", "")) is not None


@pytest.mark.parametrize(
    ("missing", "message"),
    [("apiVersion", "Object 'apiVersion' is missing"), ("kind", "Object 'Kind' is missing")],
)
def test_an_object_without_api_version_or_kind_is_a_bad_request(missing: str, message: str) -> None:
    api = server()
    obj = config_map()
    del obj[missing]
    assert api.create(obj) == Rejected(400, "BadRequest", message)
    assert api.writes() == ()  # no object to record it against


# --- server-owned metadata ---------------------------------------------------------------


def test_create_sets_the_server_owned_metadata() -> None:
    api = server(clock="2024-01-02T03:04:05Z")
    result = api.create(widget())
    assert isinstance(result, Accepted)
    assert result.object == stored(api, WIDGET_REF)
    assert result.object["metadata"] == {
        "name": "w",
        "namespace": "ns",
        "uid": str(uuid.uuid5(FIXED_NAMESPACE, "1/Widget:ns:w")),
        "resourceVersion": "1",
        "generation": 1,
        "creationTimestamp": "2024-01-02T03:04:05Z",
    }
    assert strip_system_fields(result.object) == widget()


def test_client_sent_server_fields_are_ignored() -> None:
    api = server()
    obj = widget()
    obj["metadata"].update(uid="mine", resourceVersion="99", generation=7, managedFields=[{}])
    api.create(obj)
    metadata = stored(api, WIDGET_REF)["metadata"]
    assert (metadata["uid"], metadata["resourceVersion"], metadata["generation"]) == (
        str(uuid.uuid5(FIXED_NAMESPACE, "1/Widget:ns:w")),
        "1",
        1,
    )
    assert "managedFields" not in metadata


def test_resource_version_counts_changing_writes() -> None:
    api = server()
    api.create(widget())  # 1
    api.create(config_map())  # 2
    api.patch(WIDGET_REF, {"spec": {"replicas": 3}})  # 3
    unchanged = api.patch(WIDGET_REF, {"spec": {"replicas": 3}})  # changes nothing: stays 3
    assert isinstance(unchanged, Accepted) and unchanged.object is not None
    assert unchanged.object["metadata"]["resourceVersion"] == "3"
    assert isinstance(api.patch(WIDGET_REF, {"spec": {"replicas": 99}}), Rejected)  # no change
    api.delete(CONFIG_REF)  # 4
    api.create(config_map("d"))  # 5
    versions = {
        obj["metadata"]["name"]: obj["metadata"]["resourceVersion"] for obj in api.objects()
    }
    assert versions == {"w": "3", "d": "5"}
    uid = stored(api, ObjectRef("v1", "ConfigMap", "ns", "d"))["metadata"]["uid"]
    assert uid == str(uuid.uuid5(FIXED_NAMESPACE, "3/ConfigMap:ns:d"))  # the third creation


@pytest.mark.parametrize(
    ("patch", "generation"),
    [
        ({"metadata": {"labels": {"team": "a"}, "annotations": {"x": "y"}}}, 1),
        ({"status": {"ready": True}}, 1),
        ({"spec": {"replicas": 3}}, 2),
        ({"spec": {"owner": None}}, 1),  # deletes a field that is not there: nothing changes
        ({"spec": {"labels": {"a": "b"}}, "status": {"ready": False}}, 2),
        ({"extra": {"top": "level"}}, 2),  # outside metadata and status
    ],
)
def test_generation_counts_changes_outside_metadata_and_status(
    patch: dict[str, Any], generation: int
) -> None:
    api = server()
    api.create(config_map())
    api.create(widget())
    result = api.patch(WIDGET_REF, patch)
    assert isinstance(result, Accepted), result
    assert stored(api, WIDGET_REF)["metadata"]["generation"] == generation


def test_generation_tells_true_from_one() -> None:
    api = server()
    api.create(config_map(flag=1))
    api.patch(CONFIG_REF, {"data": {"flag": True}})
    assert stored(api, CONFIG_REF)["metadata"]["generation"] == 2


def writes_of(api: ApiServer) -> None:
    api.create(widget("a"))
    api.create(widget("b", replicas="bad"))
    api.create(gadget())
    api.patch(ObjectRef(WIDGET_API, "Widget", "ns", "a"), {"spec": {"replicas": 5}})
    api.delete(GADGET_REF)
    api.create(gadget())
    api.seed(config_map())


def test_the_same_writes_give_the_same_objects() -> None:
    first, second = server(), server()
    writes_of(first)
    writes_of(second)
    assert first.objects() == second.objects()
    assert first.writes() == second.writes()
    uids = [obj["metadata"]["uid"] for obj in first.objects()]
    assert len(set(uids)) == 3
    gadget_uid = stored(first, GADGET_REF)["metadata"]["uid"]
    assert gadget_uid == str(uuid.uuid5(FIXED_NAMESPACE, "3/Gadget:g"))  # re-created: new uid


# --- patches ---------------------------------------------------------------------------------


def test_merge_patch_merges_nested_objects_and_null_deletes() -> None:
    api = server()
    obj = widget(owner="me", labels={"a": "1"}, ports=[{"port": 80}, {"port": 81}])
    obj["metadata"]["labels"] = {"team": "a"}
    api.create(obj)
    result = api.patch(
        WIDGET_REF,
        {
            "metadata": {"labels": {"tier": "web"}},
            "spec": {"owner": None, "labels": {"b": "2"}, "ports": [{"port": 90}]},
        },
    )
    assert isinstance(result, Accepted)
    after = stored(api, WIDGET_REF)
    assert after["metadata"]["labels"] == {"team": "a", "tier": "web"}
    assert after["spec"] == {
        "image": "nginx:1.25",
        "replicas": 2,
        "labels": {"a": "1", "b": "2"},
        "ports": [{"port": 90}],  # lists are replaced
    }


def test_replace_top_level_replaces_each_key_wholesale() -> None:
    api = server(patch_strategy=PatchStrategy.REPLACE_TOP_LEVEL)
    obj = widget(owner="me")
    obj["metadata"]["labels"] = {"team": "a"}
    api.create({**obj, "status": {"ready": True}})
    api.patch(
        WIDGET_REF,
        {
            "metadata": {"name": "w", "annotations": {"x": "y"}},
            "spec": {"image": "redis", "replicas": 1},
        },
    )
    after = stored(api, WIDGET_REF)
    assert strip_system_fields(after) == {
        "apiVersion": WIDGET_API,
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "ns", "annotations": {"x": "y"}},
        "spec": {"image": "redis", "replicas": 1},
        "status": {"ready": True},
    }
    assert after["metadata"]["generation"] == 2
    assert set(SYSTEM_FIELDS) - set(after["metadata"]) == {"managedFields"}


def test_replace_top_level_stores_null_values() -> None:
    api = server(patch_strategy=PatchStrategy.REPLACE_TOP_LEVEL)
    api.create(config_map(a="1"))
    api.patch(CONFIG_REF, {"data": None})
    assert stored(api, CONFIG_REF)["data"] is None


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            {"metadata": {"name": "other"}},
            "the name of the object (other) does not match the name on the URL (w)",
        ),
        (
            {"metadata": {"namespace": "elsewhere"}},
            "the namespace of the provided object does not match the namespace sent on the request",
        ),
        ({"kind": "Gadget"}, "a patch cannot change the apiVersion or kind of Widget:ns:w"),
    ],
)
def test_a_patch_cannot_change_identity(patch: dict[str, Any], message: str) -> None:
    api = server()
    api.create(widget())
    assert api.patch(WIDGET_REF, patch) == Rejected(400, "BadRequest", message)


def test_a_patch_that_drops_the_name_keeps_the_identity() -> None:
    api = server(patch_strategy=PatchStrategy.REPLACE_TOP_LEVEL)
    api.create(widget())
    assert isinstance(api.patch(WIDGET_REF, {"metadata": {"labels": {"a": "b"}}}), Accepted)
    metadata = stored(api, WIDGET_REF)["metadata"]
    assert (metadata["name"], metadata["namespace"], metadata["labels"]) == ("w", "ns", {"a": "b"})


# --- unknown fields and defaults ---------------------------------------------------------


def test_unknown_fields_are_kept_unless_pruning() -> None:
    obj = widget(bogus=1, codename=None, ports=[{"port": 80, "tls": True}])
    kept = server().create(obj)
    pruned = server(prune_unknown=True).create(obj)
    assert isinstance(kept, Accepted) and isinstance(pruned, Accepted)
    assert (
        kept.warnings
        == pruned.warnings
        == (
            'unknown field "spec.bogus"',
            'unknown field "spec.ports[0].tls"',
        )
    )
    assert kept.object is not None and pruned.object is not None
    assert kept.object["spec"] == obj["spec"]
    assert pruned.object["spec"] == {"image": "nginx:1.25", "replicas": 2, "ports": [{"port": 80}]}


def test_defaults_are_stored_only_when_asked() -> None:
    obj = widget(ports=[{"port": 80}], tier=None)
    plain = server().create(obj)
    defaulted = server(apply_defaults=True).create(obj)
    assert isinstance(plain, Accepted) and isinstance(defaulted, Accepted)
    assert plain.object is not None and plain.object["spec"] == obj["spec"]
    assert defaulted.object is not None
    assert defaulted.object["spec"] == {
        "image": "nginx:1.25",
        "replicas": 2,
        "tier": "small",  # null, not nullable: defaulted
        "ports": [{"port": 80, "name": "http", "protocol": "TCP"}],
    }


def test_pruning_and_defaults_together() -> None:
    api = server(prune_unknown=True, apply_defaults=True)
    result = api.create(widget(bogus=1, config={"mode": "x", "free": {"form": 1}}))
    assert isinstance(result, Accepted) and result.object is not None
    assert result.object["spec"] == {
        "image": "nginx:1.25",
        "replicas": 2,
        "tier": "small",
        "config": {"mode": "x", "free": {"form": 1}},
    }


# --- seed --------------------------------------------------------------------------------


def test_seed_places_without_a_write_and_keeps_server_fields_it_has() -> None:
    api = server()
    obj = widget()
    obj["metadata"].update(uid="abc", resourceVersion="41", generation=6)
    assert api.seed(obj) == ()
    assert api.writes() == ()
    metadata = stored(api, WIDGET_REF)["metadata"]
    assert (metadata["uid"], metadata["resourceVersion"], metadata["generation"]) == (
        "abc",
        "41",
        6,
    )
    assert metadata["creationTimestamp"] == "1970-01-01T00:00:00Z"
    api.patch(WIDGET_REF, {"spec": {"replicas": 3}})
    metadata = stored(api, WIDGET_REF)["metadata"]
    assert (metadata["uid"], metadata["resourceVersion"], metadata["generation"]) == ("abc", "1", 7)


def test_seed_fills_in_missing_server_fields() -> None:
    api = server()
    api.seed(config_map())
    metadata = stored(api, CONFIG_REF)["metadata"]
    assert metadata["uid"] == str(uuid.uuid5(FIXED_NAMESPACE, "1/ConfigMap:ns:c"))
    assert (metadata["resourceVersion"], metadata["generation"]) == ("1", 1)


def test_seed_reports_what_a_write_would_be_refused_for() -> None:
    api = server()
    warnings = api.seed(widget(replicas="x", image=...))
    assert warnings == (
        "the existing Widget:ns:w is not valid: spec.image: Required value",
        'the existing Widget:ns:w is not valid: spec.replicas: Invalid value: "string": '
        'spec.replicas in body must be of type integer: "string"',
    )
    assert stored(api, WIDGET_REF)["spec"] == {"replicas": "x"}  # placed all the same
    unserved = {**widget(), "apiVersion": "example.koreoctl.dev/v1beta1"}
    assert api.seed(unserved) == (
        "the existing Widget:ns:w is not valid: the server could not find the requested resource "
        '(version "v1beta1" of widgets.example.koreoctl.dev is not served)',
    )


def test_seed_without_a_name_places_nothing() -> None:
    api = server()
    assert api.seed({"apiVersion": "v1", "kind": "ConfigMap"}) == (
        "cannot place an object without apiVersion, kind and metadata.name",
    )
    assert api.objects() == ()


def test_seed_applies_the_servers_options() -> None:
    api = server(prune_unknown=True, apply_defaults=True)
    assert api.seed(widget(bogus=1)) == ()
    assert stored(api, WIDGET_REF)["spec"] == {
        "image": "nginx:1.25",
        "replicas": 2,
        "tier": "small",
    }


# --- fork, copies, listings --------------------------------------------------------------


def test_fork_is_independent_and_continues_the_same_counters() -> None:
    api = server(apply_defaults=True)
    api.create(widget())
    twin = api.fork()
    twin.delete(WIDGET_REF)
    api.patch(WIDGET_REF, {"spec": {"replicas": 4}})
    assert twin.get(WIDGET_REF) is None
    assert stored(api, WIDGET_REF)["spec"]["replicas"] == 4
    assert [write.verb for write in api.writes()] == ["create", "patch"]
    assert [write.verb for write in twin.writes()] == ["create", "delete"]
    for copy_ in (api, twin):
        copy_.create(config_map())
    metadata = stored(api, CONFIG_REF)["metadata"]
    assert metadata == stored(twin, CONFIG_REF)["metadata"]
    assert metadata["resourceVersion"] == "3"
    assert metadata["uid"] == str(uuid.uuid5(FIXED_NAMESPACE, "2/ConfigMap:ns:c"))
    assert twin.apply_defaults and twin.crds is api.crds


def test_nobody_can_change_what_is_stored() -> None:
    api = server()
    obj = widget()
    result = api.create(obj)
    obj["spec"]["replicas"] = 9
    assert isinstance(result, Accepted) and result.object is not None
    result.object["spec"]["replicas"] = 8
    api.get(WIDGET_REF)["spec"]["replicas"] = 7  # type: ignore[index]
    api.objects()[0]["spec"]["replicas"] = 6
    write = api.writes()[0]
    assert write.body is not None and isinstance(write.result, Accepted)
    write.body["spec"]["replicas"] = 5
    assert write.result.object is not None
    write.result.object["spec"]["replicas"] = 4
    assert stored(api, WIDGET_REF)["spec"]["replicas"] == 2
    first = api.writes()[0]
    assert first.body is not None and first.body["spec"]["replicas"] == 2


def test_objects_are_listed_in_a_stable_order() -> None:
    api = server()
    api.create(widget("b"))
    api.create(gadget())
    api.create(widget("a", namespace="zz"))
    api.create(widget("a"))
    api.create(config_map())
    listed = [
        (o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
        for o in api.objects()
    ]
    assert listed == [
        ("example.koreoctl.dev/v1", "Widget", "ns", "a"),
        ("example.koreoctl.dev/v1", "Widget", "ns", "b"),
        ("example.koreoctl.dev/v1", "Widget", "zz", "a"),
        ("example.koreoctl.dev/v1alpha1", "Gadget", None, "g"),
        ("v1", "ConfigMap", "ns", "c"),
    ]


def test_writes_record_verb_ref_body_and_result() -> None:
    api = ApiServer(CrdCatalog())
    api.create(config_map(a="1"))
    api.patch(CONFIG_REF, {"data": {"a": "2"}})
    api.delete(CONFIG_REF)
    verbs = [(w.verb, w.ref, w.body) for w in api.writes()]
    assert verbs == [
        ("create", CONFIG_REF, config_map(a="1")),
        ("patch", CONFIG_REF, {"data": {"a": "2"}}),
        ("delete", CONFIG_REF, None),
    ]
    assert api.writes()[2].result == Accepted(None)


def test_strip_system_fields_keeps_everything_else() -> None:
    obj: dict[str, Any] = {
        "kind": "X",
        "metadata": {"uid": "u", "generation": 2, "managedFields": []},
        "spec": {},
    }
    assert strip_system_fields(obj) == {"kind": "X", "metadata": {}, "spec": {}}
    assert obj["metadata"]["uid"] == "u"
    assert strip_system_fields({"kind": "X"}) == {"kind": "X"}
