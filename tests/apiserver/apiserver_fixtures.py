"""CRD documents the API server tests share, and helpers to load them and build objects."""

from __future__ import annotations

import copy
from typing import Any

from koreoctl.apiserver import ApiServer, CrdCatalog, ObjectRef, load_crds
from koreoctl.diagnostics import Diagnostic
from koreoctl.project.source import parse_text

# A namespaced kind with a schema that exercises everything the server checks: nested
# objects, int-or-string, nullable, enums, defaults, bounds, formats, arrays of objects,
# maps, a preserve-unknown-fields subtree with a known field, an embedded resource and the
# junctors. v1beta1 exists but is not served.
WIDGETS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.koreoctl.dev
spec:
  group: example.koreoctl.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          required: [spec]
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [image, replicas, tier]
              properties:
                image: {type: string, minLength: 3, maxLength: 40, pattern: '^[a-z0-9./:-]+$'}
                replicas: {type: integer, minimum: 1, maximum: 10}
                port: {x-kubernetes-int-or-string: true}
                tier: {type: string, enum: [small, large], default: small}
                owner: {type: string, nullable: true}
                ratio: {type: number, minimum: 0, maximum: 1, exclusiveMaximum: true}
                contact: {type: string, format: email}
                since: {type: string, format: date-time}
                size: {type: integer, format: int32, multipleOf: 2}
                budget:
                  type: integer
                  allOf: [{minimum: 0}, {multipleOf: 5}]
                codename:
                  type: string
                  not: {enum: [admin]}
                resources:
                  type: object
                  properties:
                    cpu: {type: string}
                    limits:
                      type: object
                      additionalProperties: {x-kubernetes-int-or-string: true}
                ports:
                  type: array
                  minItems: 1
                  maxItems: 3
                  items:
                    type: object
                    required: [port]
                    properties:
                      name: {type: string, default: http}
                      port: {type: integer, minimum: 1, maximum: 65535}
                      protocol: {type: string, enum: [TCP, UDP], default: TCP}
                labels:
                  type: object
                  maxProperties: 2
                  additionalProperties: {type: string}
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    mode: {type: string}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                source:
                  type: object
                  properties:
                    git: {type: string}
                    image: {type: string}
                  oneOf:
                    - required: [git]
                    - required: [image]
                window:
                  type: object
                  properties:
                    start: {type: integer}
                    end: {type: integer}
                  anyOf:
                    - required: [start]
                    - required: [end]
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
    - name: v1beta1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

# A cluster-scoped kind.
GADGETS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.koreoctl.dev
spec:
  group: example.koreoctl.dev
  scope: Cluster
  names: {kind: Gadget, plural: gadgets}
  versions:
    - name: v1alpha1
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

WIDGET_API = "example.koreoctl.dev/v1"
WIDGET_REF = ObjectRef(WIDGET_API, "Widget", "ns", "w")
GADGET_REF = ObjectRef("example.koreoctl.dev/v1alpha1", "Gadget", None, "g")


def load(text: str, file: str = "crds.yaml") -> tuple[CrdCatalog, tuple[Diagnostic, ...]]:
    """load_crds over every document of a YAML text, with their real spans."""
    loaded = parse_text(text, file)
    assert loaded.diagnostics == (), loaded.diagnostics
    return load_crds((doc.data, doc.span) for doc in loaded.docs)


def catalog() -> CrdCatalog:
    crds, diagnostics = load(WIDGETS + "---\n" + GADGETS)
    assert diagnostics == ()
    return crds


def server(**options: Any) -> ApiServer:
    return ApiServer(catalog(), **options)


def widget(name: str = "w", namespace: str | None = "ns", **spec: Any) -> dict[str, Any]:
    """A valid Widget; ``spec`` overrides (a value of ... removes the field)."""
    body: dict[str, Any] = {"image": "nginx:1.25", "replicas": 2}
    body.update(spec)
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": WIDGET_API,
        "kind": "Widget",
        "metadata": metadata,
        "spec": {key: value for key, value in body.items() if value is not ...},
    }


def gadget(**metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.koreoctl.dev/v1alpha1",
        "kind": "Gadget",
        "metadata": {"name": "g", **metadata},
        "spec": {"size": 1},
    }


def config_map(name: str = "c", **data: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "ns"},
        "data": dict(data),
    }


def with_changes(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``document``; keys are ``__``-separated paths, a value of ... deletes."""
    changed = copy.deepcopy(document)
    for path, value in changes.items():
        node: Any = changed
        *parents, last = path.split("__")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is ...:
            del node[last]
        else:
            node[last] = value
    return changed
