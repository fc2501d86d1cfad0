"""Client classes: each ResourceFunction's apiVersion, kind and scope, resolved in load order."""

from __future__ import annotations

import json
import textwrap

import pytest

from koreoctl.model import build_model
from koreoctl.model.resource_function import ApiConfig, ResourceFunction
from koreoctl.program import PreparedResourceFunction, Unloadable, link
from koreoctl.program.kinds import KindError, ResourceApi, ResourceApis
from koreoctl.project.source import parse_text


def config(
    api_version: str, kind: str, plural: str | None = None, namespaced: bool = True
) -> ApiConfig:
    """A ResourceFunction's ``apiConfig``, loaded from YAML."""
    fields = {"apiVersion": api_version, "kind": kind, "name": "n", "namespace": "ns"}
    fields.update({"namespaced": namespaced} | ({"plural": plural} if plural else {}))
    text = yaml_document({"spec": {"apiConfig": fields, "resource": {}}})
    (function,) = build_model(parse_text(text, "f.koreo").docs).entries
    assert isinstance(function, ResourceFunction)
    return function.api_config


def yaml_document(body: dict[str, object]) -> str:
    head = {"apiVersion": "koreo.dev/v1beta1", "kind": "ResourceFunction"}
    return json.dumps({**head, "metadata": {"name": "f", "namespace": "ns"}, **body})


def test_a_built_in_kind_keeps_its_own_class() -> None:
    apis = ResourceApis()
    assert apis.resolve(config("v1", "namespace")) == ResourceApi(
        "v1", "Namespace", "namespaces", False
    )
    assert apis.resolve(config("apps/v1", "deployments", namespaced=False)) == ResourceApi(
        "apps/v1", "Deployment", "deployments", True
    )


def test_the_first_function_to_name_a_kind_fixes_it() -> None:
    apis = ResourceApis()
    first = apis.resolve(config("x.dev/v1", "Gadget"))
    assert first == ResourceApi("x.dev/v1", "Gadget", None, True)
    assert apis.resolve(config("x.dev/v1", "gadget", namespaced=False)) == first
    other_version = apis.resolve(config("x.dev/v2", "Gadget", namespaced=False))
    assert other_version == ResourceApi("x.dev/v2", "Gadget", None, False)


def test_a_kind_matches_a_plural_given_earlier() -> None:
    apis = ResourceApis()
    made = apis.resolve(config("y.dev/v1", "Foo", plural="Bars", namespaced=False))
    assert (
        apis.resolve(config("y.dev/v1", "Bars"))
        == made
        == ResourceApi("y.dev/v1", "Foo", "bars", False)
    )


@pytest.mark.parametrize(
    ("api_version", "kind", "expected"),
    [
        ("v1", "Foo.bar", ResourceApi("bar", "Foo", None, True)),  # kr8s reads "bar" as the version
        ("z.dev/v1", "Foo.bar", KindError("Cannot specify group in both kind and version")),
    ],
)
def test_a_dotted_kind(api_version: str, kind: str, expected: object) -> None:
    assert ResourceApis().resolve(config(api_version, kind)) == expected


def test_an_api_version_with_two_slashes_breaks_later_lookups() -> None:
    apis = ResourceApis()
    assert isinstance(apis.resolve(config("a/b/v1", "Slashy")), ResourceApi)
    assert isinstance(apis.resolve(config("q.dev/v1", "After")), KindError)


PROGRAM = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: broken, namespace: t}
spec:
  apiConfig: {apiVersion: x.dev/v1, kind: Thing, name: a, namespace: t}
  resource: {spec: {x: 1}}
  return: {bad: "=1 +"}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: later, namespace: t}
spec:
  apiConfig: {apiVersion: x.dev/v1, kind: thing, name: b, namespaced: false}
  resource: {spec: {x: 1}}
"""


def test_a_function_that_fails_to_load_still_fixes_its_kind() -> None:
    loaded = parse_text(textwrap.dedent(PROGRAM), "p.koreo")
    program = link(build_model(loaded.docs))
    assert isinstance(program.resource_functions.find("broken"), Unloadable)
    later = program.resource_functions.find("later")
    assert isinstance(later, PreparedResourceFunction)
    assert later.resource_api == ResourceApi("x.dev/v1", "Thing", None, True)
