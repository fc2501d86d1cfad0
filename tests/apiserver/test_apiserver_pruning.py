"""Pruning and defaulting, as apiextensions-apiserver does them before validation."""

from __future__ import annotations

from typing import Any

from koreoctl.apiserver.pruning import apply_defaults, prune

STRING = {"type": "string"}


def obj(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": "x.dev/v1", "kind": "X", "metadata": {"name": "n"}, **fields}


def test_unknown_fields_are_pruned_with_their_paths() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"name": STRING}},
                    },
                    "map": {
                        "type": "object",
                        "additionalProperties": {"type": "object", "properties": {"v": STRING}},
                    },
                },
            }
        },
    }
    given = obj(
        spec={
            "items": [{"name": "a"}, {"name": "b", "x": 1}],
            "map": {"k": {"v": "1", "w": 2}},
            "y": 3,
        },
        top=4,
    )
    pruned, unknown = prune(given, schema)
    assert unknown == ("spec.items[1].x", "spec.map.k.w", "spec.y", "top")
    assert pruned == obj(spec={"items": [{"name": "a"}, {"name": "b"}], "map": {"k": {"v": "1"}}})
    assert given["top"] == 4  # a copy was pruned


def test_preserved_subtrees_keep_unknown_fields_but_prune_known_ones_inside() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {"known": {"type": "object", "properties": {"a": STRING}}},
            }
        },
    }
    pruned, unknown = prune(obj(spec={"known": {"a": "1", "b": 2}, "free": {"x": [1]}}), schema)
    assert unknown == ("spec.known.b",)
    assert pruned["spec"] == {"known": {"a": "1"}, "free": {"x": [1]}}


def test_additional_properties_true_keeps_scalars_and_empties_objects() -> None:
    # The server prunes below ``additionalProperties: true`` with no schema at all.
    schema = {
        "type": "object",
        "properties": {"m": {"type": "object", "additionalProperties": True}},
    }
    pruned, unknown = prune(obj(m={"a": 1, "b": {"c": 2}}), schema)
    assert unknown == ("m.b.c",)
    assert pruned["m"] == {"a": 1, "b": {}}


def test_metadata_keeps_object_meta_fields_only() -> None:
    schema = {
        "type": "object",
        "properties": {
            "t": {
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "properties": {"spec": {"type": "object"}},
            }
        },
    }
    embedded = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "oops": 1},
        "spec": {},
        "x": 1,
    }
    given = obj(t=embedded)
    given["metadata"].update(labels={"a": "b"}, finalizers=["f"], colour="red")
    pruned, unknown = prune(given, schema)
    assert unknown == ("metadata.colour", "t.metadata.oops", "t.x")
    assert pruned["metadata"] == {"name": "n", "labels": {"a": "b"}, "finalizers": ["f"]}
    assert pruned["t"] == {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}


def test_nulls_of_non_nullable_fields_without_default_are_dropped() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": STRING,
            "b": {"type": "string", "nullable": True},
            "c": {"type": "string", "default": "x"},
            "list": {"type": "array", "items": STRING},
            "map": {"type": "object", "additionalProperties": STRING},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        },
    }
    given = obj(a=None, b=None, c=None, list=[None], map={"k": None}, free={"z": None})
    pruned, unknown = prune(given, schema)
    assert unknown == ()
    assert pruned == obj(b=None, c=None, list=[None], map={}, free={"z": None})


def test_defaults_fill_missing_and_null_fields_in_existing_objects() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "tier": {"type": "string", "default": "small"},
                    "note": {"type": "string", "nullable": True, "default": "n"},
                    "limits": {
                        "type": "object",
                        "default": {},
                        "properties": {"cpu": {"type": "string", "default": "1"}},
                    },
                    "ports": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "default": {"port": 80},
                            "properties": {"proto": {"type": "string", "default": "TCP"}},
                        },
                    },
                    "env": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "default": "on"},
                    },
                },
            },
            "status": {
                "type": "object",
                "properties": {"phase": {"type": "string", "default": "New"}},
            },
        },
    }
    given = obj(
        spec={"tier": None, "note": None, "ports": [None, {}], "env": {"a": None, "b": "x"}}
    )
    defaulted = apply_defaults(given, schema)
    assert defaulted["spec"] == {
        "tier": "small",  # null, not nullable
        "note": None,  # nullable: null is a value
        "limits": {"cpu": "1"},  # a default object, then defaults inside it
        "ports": [{"port": 80, "proto": "TCP"}, {"proto": "TCP"}],
        "env": {"a": "on", "b": "x"},
    }
    assert "status" not in defaulted  # a default never creates its parent
    assert given["spec"]["tier"] is None  # a copy was defaulted
    first, second = apply_defaults(obj(spec={"ports": [None, None]}), schema)["spec"]["ports"]
    assert first == second and first is not second
