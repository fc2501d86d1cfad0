"""Reading units and writing them back with as few bytes changed as possible."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.fn.model import Change, ResourceInfo, Unit
from koreoctl.fn.paths import PathKey, set_at
from koreoctl.fn.unitfile import UnitError, read_unit, write_unit

UNIT = """\
# a unit of two resources
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the web app
  labels: {app: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: 'nginx:1.0'  # pinned
---
# the service
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
"""


def _update(unit: Unit, index: int, path: tuple[PathKey, ...], new: Any) -> Change:
    resource = next(r for r in unit.resources if r.index == index)
    info = ResourceInfo.of(resource.data)
    old = resource.data
    for key in path:
        old = old[key]
    set_at(resource.data, path, new)
    return Change(index, info, path, "update" if old is not None else "add", old, new)


def test_reading_keeps_positions_and_indexes() -> None:
    unit, read = read_unit(UNIT, "unit.yaml")
    assert [r.index for r in unit.resources] == [0, 1]
    assert [r.info.resource_type for r in unit.resources] == ["apps/v1/Deployment", "v1/Service"]
    source = unit.resources[0].source_of(("spec", "replicas"))
    assert source is not None and (source.file, source.line, source.col) == ("unit.yaml", 8, 13)
    assert str(unit.resources[1].source_of(("spec", "ports", 0, "port"))) == "unit.yaml:22"
    assert read.chunks[0].startswith("# a unit")  # the preamble belongs to the first document
    assert read.chunks[1].startswith("---\n# the service")


def test_an_unchanged_unit_is_written_byte_for_byte() -> None:
    unit, read = read_unit(UNIT, "unit.yaml")
    assert write_unit(read, unit, ()) == UNIT


def test_a_scalar_is_replaced_in_place_keeping_its_quotes_and_comment() -> None:
    unit, read = read_unit(UNIT, "unit.yaml")
    path = ("spec", "template", "spec", "containers", 0, "image")
    changes = [_update(unit, 0, path, "nginx:1.27"), _update(unit, 0, ("spec", "replicas"), 5)]
    expected = UNIT.replace("'nginx:1.0'  # pinned", "'nginx:1.27'  # pinned").replace(
        "replicas: 2", "replicas: 5"
    )
    assert write_unit(read, unit, changes) == expected


@pytest.mark.parametrize(
    ("new", "text"),
    [
        ("nginx", "nginx"),
        ("yes", '"yes"'),
        ("1.0", '"1.0"'),
        ("a: b", '"a: b"'),
        ("#x", '"#x"'),
        ("ends:", '"ends:"'),
        ("Null", '"Null"'),
        ("ghcr.io/acme/app@sha256:ab12", "ghcr.io/acme/app@sha256:ab12"),
    ],
)
def test_a_plain_scalar_is_quoted_when_it_would_read_back_as_something_else(
    new: str, text: str
) -> None:
    source = "kind: ConfigMap\ndata:\n  key: old  # c\n"
    unit, read = read_unit(source, "u.yaml")
    change = _update(unit, 0, ("data", "key"), new)
    out = write_unit(read, unit, [change])
    assert out == f"kind: ConfigMap\ndata:\n  key: {text}  # c\n"
    assert read_unit(out, "u.yaml")[0].resources[0].data["data"]["key"] == new


def test_an_added_key_rewrites_only_its_mapping_and_keeps_comments() -> None:
    unit, read = read_unit(UNIT, "unit.yaml")
    resource = unit.resources[0]
    resource.data["metadata"]["namespace"] = "prod"
    change = Change(0, resource.info, ("metadata", "namespace"), "add", None, "prod")
    out = write_unit(read, unit, [change])
    assert out == UNIT.replace(
        "  labels: {app: web}\n", "  labels: {app: web}\n  namespace: prod\n"
    )


def test_a_deleted_resource_drops_its_document() -> None:
    unit, read = read_unit(UNIT, "unit.yaml")
    info = unit.resources[0].info
    out = write_unit(read, unit.without([0]), [Change(0, info, (), "delete-resource")])
    assert out == UNIT[UNIT.index("---\n# the service") :]
    unit, read = read_unit(UNIT, "unit.yaml")
    info = unit.resources[1].info
    out = write_unit(read, unit.without([1]), [Change(1, info, (), "delete-resource")])
    assert out == UNIT[: UNIT.index("---\n# the service")]


def test_empty_documents_are_kept_and_do_not_shift_indexes() -> None:
    text = "---\n---\nkind: A\n---\n# only a comment\n---\nkind: B\n"
    unit, read = read_unit(text, "u.yaml")
    assert [(r.index, r.info.kind) for r in unit.resources] == [(1, "A"), (3, "B")]
    change = _update(unit, 3, ("kind",), "C")
    assert write_unit(read, unit, [change]) == text.replace("kind: B", "kind: C")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\n", "u.yaml:2:1:"),
        ("- 1\n- 2\n", "u.yaml:1:1: document 1 is a list, not a Kubernetes resource"),
        ("kind: A\n---\njust text\n", "u.yaml:3:1: document 2 is a scalar"),
        ("kind: A\n...\nkind: B\n", "u.yaml:3:1: YAML syntax error"),
    ],
)
def test_bad_units_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(UnitError) as caught:
        read_unit(text, "u.yaml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_scalar_in_a_flow_collection_is_written_quoted() -> None:
    text = "kind: A\nmetadata: {name: a, labels: {app: web}}\n"
    unit, read = read_unit(text, "u.yaml")
    change = _update(unit, 0, ("metadata", "labels", "app"), "api:v2")
    out = write_unit(read, unit, [change])
    assert out == 'kind: A\nmetadata: {name: a, labels: {app: "api:v2"}}\n'
    assert read_unit(out, "u.yaml")[0].resources[0].data["metadata"]["labels"]["app"] == "api:v2"
