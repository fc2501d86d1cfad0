"""CustomResourceDefinitions: reading them from documents, and looking kinds up.

``load_crds`` reads every CustomResourceDefinition among the loaded documents (others are
ignored). A CRD that a real API server would refuse is reported at its document and skipped,
so its kind is not validated:

* A001 (error): not a usable CRD. It is not ``apiextensions.k8s.io/v1``, ``metadata.name``
  is not ``<plural>.<group>``, ``spec.group`` (a domain with a dot), ``spec.scope``
  (``Namespaced`` or ``Cluster``), ``spec.names.kind``/``plural`` or ``spec.versions`` is
  missing, or a version has no name or no ``schema.openAPIV3Schema``, or two share a name.
* A002 (error): not exactly one version is marked ``storage: true``.
* A003 (error): a version's ``openAPIV3Schema`` is one the server refuses: not structural
  (e.g. a field without ``type``), a forbidden keyword (``$ref``, ``uniqueItems: true``,
  ...), an invalid regular expression, or not valid JSON Schema once translated.
* A004 (error): a second CRD for the same group and kind; the first one is kept.
* A005 (info): the CRD has ``x-kubernetes-validations`` (CEL) rules, which koreoctl does not
  evaluate; reported once per CRD.

Messages name the field in the server's words, e.g. ``CRD "queues.example.dev" is invalid:
spec.names.plural: Required value``. A version is served only with ``served: true``, as on
a real server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from koreoctl.apiserver.fielderrors import (
    FieldError,
    aggregate,
    go_quote,
    invalid,
    not_supported,
    required,
)
from koreoctl.apiserver.openapi import has_cel_rules, schema_problems
from koreoctl.apiserver.validation import Validator
from koreoctl.diagnostics import Diagnostic, Severity, Span

CRD_GROUP = "apiextensions.k8s.io"
CRD_API_VERSION = f"{CRD_GROUP}/v1"
CRD_KIND = "CustomResourceDefinition"
SCOPES = ("Cluster", "Namespaced")


@dataclass(frozen=True)
class CrdVersion:
    """One version of a CRD: whether it is served and stored, and its OpenAPI schema."""

    name: str
    served: bool
    storage: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Crd:
    """A CustomResourceDefinition the API server would accept."""

    group: str
    kind: str
    plural: str
    singular: str
    scope: str
    versions: tuple[CrdVersion, ...]
    span: Span | None = None

    @property
    def namespaced(self) -> bool:
        return self.scope == "Namespaced"

    @property
    def resource(self) -> str:
        """``plural.group``: the CRD's name, and how the server names the resource."""
        return f"{self.plural}.{self.group}"

    @property
    def qualified_kind(self) -> str:
        """``Kind.group``, as the server names the kind in its messages."""
        return f"{self.kind}.{self.group}"

    @property
    def storage_version(self) -> CrdVersion:
        return next(version for version in self.versions if version.storage)

    def version(self, name: str) -> CrdVersion | None:
        """The *served* version called ``name``."""
        return next((v for v in self.versions if v.name == name and v.served), None)


@dataclass(frozen=True)
class CrdCatalog:
    """The CRDs of a project, by group and kind; immutable, each version compiled once."""

    crds: tuple[Crd, ...] = ()
    _index: Mapping[tuple[str, str], Crd] = field(init=False, repr=False, compare=False)
    _validators: Mapping[tuple[str, str, str], Validator] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index = {(crd.group, crd.kind): crd for crd in self.crds}
        validators = {
            (crd.group, crd.kind, version.name): Validator(version.schema)
            for crd in self.crds
            for version in crd.versions
        }
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_validators", MappingProxyType(validators))

    def lookup(self, api_version: str, kind: str) -> Crd | None:
        """The CRD defining ``kind`` in the group of ``api_version``, if any."""
        return self._index.get((api_version.rpartition("/")[0], kind))

    def kinds(self) -> tuple[Crd, ...]:
        """Every CRD, sorted by group and kind."""
        return tuple(self._index[key] for key in sorted(self._index))

    def validator(self, crd: Crd, version: CrdVersion) -> Validator:
        """The compiled schema of one version of one of this catalog's CRDs."""
        return self._validators[(crd.group, crd.kind, version.name)]


def load_crds(
    documents: Iterable[tuple[Mapping[str, Any], Span | None]],
    memo: dict[int, Any] | None = None,
) -> tuple[CrdCatalog, tuple[Diagnostic, ...]]:
    """The CRDs among ``documents`` (data, span), and the problems found in them.

    ``memo`` (a watching session's) keeps each CRD read by its data object: the same
    (unchanged, never parsed again) document is not checked again."""
    crds: dict[tuple[str, str], Crd] = {}
    diagnostics: list[Diagnostic] = []
    for data, span in documents:
        if not _is_crd(data):
            continue
        crd, found = _read_remembered(memo, data, span)
        diagnostics.extend(found)
        if crd is None:
            continue
        if (crd.group, crd.kind) in crds:
            message = f"a second CRD for {crd.qualified_kind}; the first one is used"
            diagnostics.append(Diagnostic("A004", message, span))
            continue
        crds[(crd.group, crd.kind)] = crd
    return CrdCatalog(tuple(crds.values())), tuple(diagnostics)


def _read_remembered(
    memo: dict[int, Any] | None, data: Mapping[str, Any], span: Span | None
) -> tuple[Crd | None, list[Diagnostic]]:
    if memo is None:
        return read_crd(data, span)
    known = memo.get(id(data))
    if known is not None and known[0] is data and known[1] == span:
        return known[2]  # type: ignore[no-any-return]
    found = read_crd(data, span)
    memo[id(data)] = (data, span, found)
    return found


def read_crd(data: Mapping[str, Any], span: Span | None) -> tuple[Crd | None, list[Diagnostic]]:
    """One CRD document: the CRD (None when a server would refuse it) and its diagnostics."""
    label = go_quote(_name_of(data))
    if data.get("apiVersion") != CRD_API_VERSION:
        message = (
            f"CRD {label} is {data.get('apiVersion')}, which API servers no longer serve "
            f"(since Kubernetes 1.22); use {CRD_API_VERSION}"
        )
        return None, [Diagnostic("A001", message, span)]
    spec = _mapping(data.get("spec"))
    problems = list(_spec_problems(data, spec))
    if problems:
        return None, [Diagnostic("A001", f"CRD {label} is invalid: {aggregate(problems)}", span)]
    versions = tuple(_read_version(item) for item in spec["versions"])
    diagnostics = list(_version_problems(label, versions, span))
    if diagnostics:
        return None, diagnostics
    crd = _crd(spec, versions, span)
    if any(has_cel_rules(version.schema) for version in versions):
        message = (
            f"CRD {label} has x-kubernetes-validations rules, which koreoctl does not evaluate"
        )
        diagnostics.append(Diagnostic("A005", message, span, Severity.INFO))
    return crd, diagnostics


def _is_crd(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and data.get("kind") == CRD_KIND
        and str(data.get("apiVersion")).startswith(f"{CRD_GROUP}/")
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _name_of(data: Mapping[str, Any]) -> str:
    name = _mapping(data.get("metadata")).get("name")
    return name if isinstance(name, str) and name else "?"


def _text(value: Any) -> str:
    """A non-empty string field, or "" for anything else."""
    return value if isinstance(value, str) else ""


def _spec_problems(data: Mapping[str, Any], spec: Mapping[str, Any]) -> Iterator[FieldError]:
    names = _mapping(spec.get("names"))
    group, plural = _text(spec.get("group")), _text(names.get("plural"))
    name = _text(_mapping(data.get("metadata")).get("name"))
    if not name:
        yield required("metadata.name")
    elif group and plural and name != f"{plural}.{group}":
        yield invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group')
    if not group:
        yield required("spec.group")
    elif "." not in group:
        yield invalid("spec.group", group, "should be a domain with at least one dot")
    scope = spec.get("scope")
    if not scope:
        yield required("spec.scope")
    elif scope not in SCOPES:
        yield not_supported("spec.scope", scope, SCOPES)
    for key, value in (("plural", plural), ("kind", _text(names.get("kind")))):
        if not value:
            yield required(f"spec.names.{key}")
    yield from _versions_problems(spec.get("versions"))


def _versions_problems(items: Any) -> Iterator[FieldError]:
    if not isinstance(items, list) or not items:
        yield required("spec.versions")
        return
    for index, item in enumerate(items):
        where = f"spec.versions[{index}]"
        if not isinstance(item, Mapping):
            yield invalid(where, item, "must be an object")
            continue
        if not _text(item.get("name")):
            yield required(f"{where}.name")
        if not isinstance(_mapping(item.get("schema")).get("openAPIV3Schema"), Mapping):
            yield required(f"{where}.schema.openAPIV3Schema")
    names = [item.get("name") for item in items if isinstance(item, Mapping)]
    if len(set(map(str, names))) != len(names):
        yield invalid("spec.versions", names, "must contain unique version names")


def _read_version(item: Mapping[str, Any]) -> CrdVersion:
    schema = item["schema"]["openAPIV3Schema"]
    return CrdVersion(item["name"], item.get("served") is True, item.get("storage") is True, schema)


def _version_problems(
    label: str, versions: tuple[CrdVersion, ...], span: Span | None
) -> Iterator[Diagnostic]:
    stored = [version.name for version in versions if version.storage]
    if len(stored) != 1:
        detail = "must have exactly one version marked as storage version"
        problem = invalid("spec.versions", stored, detail)
        yield Diagnostic("A002", f"CRD {label} is invalid: {problem}", span)
    for index, version in enumerate(versions):
        problems = schema_problems(version.schema, f"spec.versions[{index}].schema.openAPIV3Schema")
        if problems:
            message = (
                f"CRD {label} version {go_quote(version.name)} has a schema "
                f"the API server refuses: {aggregate(problems)}"
            )
            yield Diagnostic("A003", message, span)


def _crd(spec: Mapping[str, Any], versions: tuple[CrdVersion, ...], span: Span | None) -> Crd:
    names = spec["names"]
    return Crd(
        group=spec["group"],
        kind=names["kind"],
        plural=names["plural"],
        singular=_text(names.get("singular")) or names["kind"].lower(),
        scope=spec["scope"],
        versions=versions,
        span=span,
    )
