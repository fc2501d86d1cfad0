"""The values koreoctl functions work on and return: units, resources, attribute values,
validation results and change records (the ConfigHub function model, section 2 of the
related-systems note, shaped for a test/lint CLI).

A ``Unit`` is a multi-document YAML file of Kubernetes resources. Each ``Resource`` holds its
plain data (dicts, lists, scalars) and, when it came from a file, the ``SourceDoc`` that
records where each of its values sits. Mutating functions change ``Resource.data`` in place
(or return a new ``Unit`` without some resources) and report every change as a ``Change``;
the executor uses those to know which documents to write again. Everything a function
returns is a frozen value; ``to_dict`` gives the stable JSON shape ``--format json`` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from koreoctl.errors import KoreoctlError
from koreoctl.fn.paths import PathKey, format_path
from koreoctl.fn.signature import Signature
from koreoctl.project.source import SourceDoc

__all__ = [
    "CLUSTER_SCOPED_TYPES",
    "PLACEHOLDER_INT",
    "PLACEHOLDER_STRING",
    "AttributeValue",
    "Change",
    "Context",
    "FnFunction",
    "FunctionError",
    "Issue",
    "Resource",
    "ResourceEntry",
    "ResourceInfo",
    "SchemaCheck",
    "Source",
    "StepOutput",
    "Unit",
    "Validation",
    "data_type",
    "is_namespaced",
    "type_matches",
]

PLACEHOLDER_STRING = "confighubplaceholder"
PLACEHOLDER_INT = 999999999

ChangeAction = Literal["add", "update", "delete", "delete-resource"]


class FunctionError(KoreoctlError):
    """A function cannot run on this input (an unreadable baseline, say): exit code 2."""


@dataclass(frozen=True, order=True)
class ResourceInfo:
    """Which resource: ``type`` is ConfigHub's ``group/version/Kind`` (``v1/Service``),
    ``name`` is ``namespace/name`` (``/name`` for a resource without a namespace)."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, data: Any) -> ResourceInfo:
        if not isinstance(data, dict):
            return cls("", "", "", "")
        metadata = data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        return cls(
            _text(data.get("apiVersion")),
            _text(data.get("kind")),
            _text(metadata.get("namespace")),
            _text(metadata.get("name")),
        )

    @property
    def resource_type(self) -> str:
        return f"{self.api_version}/{self.kind}"

    @property
    def resource_name(self) -> str:
        return f"{self.namespace}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "type": self.resource_type,
            "resourceName": self.resource_name,
        }

    def __str__(self) -> str:
        return f"{self.resource_type} {self.resource_name}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Source:
    """Where a value was written: 1-based line and column in ``file``."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col}


@dataclass(frozen=True, eq=False)
class Resource:
    """One document of a unit. ``index`` is its place among the documents of the unit's
    text (kept when others are deleted); ``data`` is mutated in place by setters."""

    index: int
    data: Any
    doc: SourceDoc | None = field(default=None, repr=False)

    @property
    def info(self) -> ResourceInfo:
        return ResourceInfo.of(self.data)

    def source_of(self, path: tuple[PathKey, ...]) -> Source | None:
        """Where the value at ``path`` was written in the unit's file (None if it was not:
        a value a function added, or a resource not read from a file)."""
        if self.doc is None:
            return None
        info = self.doc.nodes.get(path)
        if info is None:
            return None
        span = info.span
        return Source(span.file, span.line, span.col)


def type_matches(pattern: str, info: ResourceInfo) -> bool:
    """``*`` matches every resource, ``Kind`` every version of that kind, and
    ``group/version/Kind`` (``v1/Service`` for the core group) exactly that type."""
    if pattern == "*":
        return True
    if "/" not in pattern:
        return pattern == info.kind
    return pattern == info.resource_type


@dataclass(frozen=True)
class Unit:
    """A multi-document YAML unit: its resources in document order."""

    file: str
    resources: tuple[Resource, ...]

    def select(self, resource_type: str) -> tuple[Resource, ...]:
        """The resources whose type matches ``resource_type`` (see ``type_matches``)."""
        return tuple(r for r in self.resources if type_matches(resource_type, r.info))

    def without(self, indexes: Iterable[int]) -> Unit:
        gone = set(indexes)
        return Unit(self.file, tuple(r for r in self.resources if r.index not in gone))


def data_type(value: Any) -> str:
    """The type name of a plain value: string, int, bool, float, null, map or list."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


@dataclass(frozen=True)
class Issue:
    """A finding: a stable id (``celexpr-false``) and a message."""

    id: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "message": self.message}


@dataclass(frozen=True)
class AttributeValue:
    """A value at a resolved path of one resource (what getters return, and what a
    validator names as failed, with its issues)."""

    resource: ResourceInfo
    path: tuple[PathKey, ...]
    value: Any
    attribute: str | None = None
    bindings: tuple[tuple[str, str], ...] = ()
    source: Source | None = None
    issues: tuple[Issue, ...] = ()

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    @property
    def data_type(self) -> str:
        return data_type(self.value)

    def sort_key(self) -> tuple[Any, ...]:
        """By resource, then path: list indexes numerically, keys alphabetically."""
        return (
            self.resource,
            tuple((0, k, "") if isinstance(k, int) else (1, 0, k) for k in self.path),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource.to_dict(),
            "path": self.path_text,
            "value": self.value,
            "dataType": self.data_type,
            "attribute": self.attribute,
            "bindings": dict(self.bindings),
            "source": None if self.source is None else self.source.to_dict(),
            "issues": [issue.to_dict() for issue in self.issues],
        }


@dataclass(frozen=True)
class ResourceEntry:
    """One resource as ``get-resources`` lists it; ``body`` is None, YAML text or data."""

    resource: ResourceInfo
    body: Any = None
    source: Source | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource.to_dict(),
            "body": self.body,
            "source": None if self.source is None else self.source.to_dict(),
        }


@dataclass(frozen=True)
class Validation:
    """What one validating function found: unit-level issues and failed attributes."""

    passed: bool
    failed: tuple[AttributeValue, ...] = ()
    issues: tuple[Issue, ...] = ()
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One change a mutating function made: ``old`` is None for ``add``, ``new`` for
    ``delete``; ``delete-resource`` has the empty path."""

    document: int
    resource: ResourceInfo
    path: tuple[PathKey, ...]
    action: ChangeAction
    old: Any = None
    new: Any = None

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource.to_dict(),
            "path": self.path_text,
            "action": self.action,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class StepOutput:
    """What one function returned: the unit after it (the same unit, changed in place, or
    a new one) and its output of its signature's output type."""

    unit: Unit
    values: tuple[AttributeValue, ...] = ()
    resources: tuple[ResourceEntry, ...] = ()
    validation: Validation | None = None
    changes: tuple[Change, ...] = ()


class SchemaCheck:
    """The interface ``vet-schemas`` uses: the schema problems of one resource, or None
    when the project has no schema for its type."""

    def problems(self, data: Any) -> tuple[tuple[tuple[PathKey, ...], str], ...] | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Context:
    """What functions may use besides the unit: all of it offline, all of it optional.

    ``schemas`` checks a resource against the project's CRDs; ``baseline(reference)``
    loads a baseline unit for ``vet-immutable`` (raises ``FunctionError``);
    ``cluster_scoped`` names the resource types (``group/version/Kind``) that have no
    namespace, beyond the built-in Kubernetes ones.
    """

    schemas: SchemaCheck | None = None
    baseline: Callable[[str], Unit] | None = None
    cluster_scoped: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FnFunction:
    """A function: its signature, ``prepare`` (bound arguments → what ``run`` needs, raising
    ``ArgumentError``/``PathError`` for bad ones, before anything runs) and ``run``."""

    signature: Signature
    prepare: Callable[[Mapping[str, Any]], Any]
    run: Callable[[Unit, Any, Context], StepOutput]

    @property
    def name(self) -> str:
        return self.signature.name


# Built-in Kubernetes types without a namespace (``set-namespace`` and ``ensure-namespaces``
# skip them; a project CRD with ``scope: Cluster`` adds its own through ``Context``).
CLUSTER_SCOPED_TYPES = frozenset(
    {
        "v1/Namespace",
        "v1/Node",
        "v1/PersistentVolume",
        "v1/ComponentStatus",
        "rbac.authorization.k8s.io/v1/ClusterRole",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
        "apiextensions.k8s.io/v1/CustomResourceDefinition",
        "apiregistration.k8s.io/v1/APIService",
        "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
        "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
        "storage.k8s.io/v1/StorageClass",
        "storage.k8s.io/v1/CSIDriver",
        "storage.k8s.io/v1/CSINode",
        "storage.k8s.io/v1/VolumeAttachment",
        "scheduling.k8s.io/v1/PriorityClass",
        "node.k8s.io/v1/RuntimeClass",
        "networking.k8s.io/v1/IngressClass",
        "policy/v1beta1/PodSecurityPolicy",
        "certificates.k8s.io/v1/CertificateSigningRequest",
        "flowcontrol.apiserver.k8s.io/v1/FlowSchema",
        "flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration",
    }
)


def is_namespaced(info: ResourceInfo, context: Context) -> bool:
    """Whether a resource of this type lives in a namespace."""
    return (
        info.resource_type not in CLUSTER_SCOPED_TYPES
        and info.resource_type not in context.cluster_scoped
    )
