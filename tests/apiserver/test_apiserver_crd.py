"""Reading CustomResourceDefinitions: lookups, and CRDs a real server would refuse."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from koreoctl.apiserver import load_crds
from koreoctl.diagnostics import Severity, Span

from .test_apiserver_store import CRD


def variant(**changes: Any) -> dict[str, Any]:
    crd = copy.deepcopy(CRD)
    for path, value in changes.items():
        node = crd
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return crd


def test_lookup_by_group_and_kind() -> None:
    crds, _ = load_crds([(CRD, None), ({"kind": "ConfigMap"}, None)])
    crd = crds.lookup("example.dev/v1", "Gadget")
    assert crd is not None and crd.plural == "gadgets" and crd.namespaced
    assert crds.lookup("other.dev/v1", "Gadget") is None
    assert [c.kind for c in crds.kinds()] == ["Gadget"]


@pytest.mark.parametrize(
    ("crd", "code"),
    [
        (variant(spec__group=None), "A001"),
        (variant(spec__versions=[{"name": "v1", "served": True, "storage": True}]), "A001"),
        (
            variant(
                spec__versions=[
                    {**CRD["spec"]["versions"][0], "storage": False},
                ]
            ),
            "A002",
        ),
        (
            variant(
                spec__versions=[
                    {
                        **CRD["spec"]["versions"][0],
                        "schema": {"openAPIV3Schema": {"type": "object", "minProperties": "x"}},
                    }
                ]
            ),
            "A003",
        ),
    ],
)
def test_malformed_crds_are_reported_and_skipped(crd: dict[str, Any], code: str) -> None:
    span = Span("crds.yaml", 3, 1)
    crds, diagnostics = load_crds([(crd, span)])
    assert [(d.code, d.span) for d in diagnostics] == [(code, span)]
    assert crds.kinds() == ()


def test_duplicate_crd_keeps_the_first() -> None:
    crds, diagnostics = load_crds([(CRD, None), (CRD, Span("b.yaml", 1, 1))])
    assert [d.code for d in diagnostics] == ["A004"]
    assert len(crds.kinds()) == 1


def test_cel_rules_are_noted() -> None:
    versions = copy.deepcopy(CRD["spec"]["versions"])
    versions[0]["schema"]["openAPIV3Schema"]["x-kubernetes-validations"] = [{"rule": "true"}]
    _, diagnostics = load_crds([(variant(spec__versions=versions), None)])
    assert [(d.code, d.severity) for d in diagnostics] == [("A005", Severity.INFO)]
