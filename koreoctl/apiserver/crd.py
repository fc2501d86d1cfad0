"""CustomResourceDefinitions: reading them from documents, and looking kinds up.

``load_crds`` reads every ``apiextensions.k8s.io/v1`` CustomResourceDefinition among the
loaded documents. A CRD that a real API server would refuse is reported and skipped:

* A001 - not a usable CRD (missing ``spec.group``, ``spec.names.kind``/``plural`` or
  ``spec.versions``, or a version without a name or schema);
* A002 - not exactly one storage version;
* A003 - a version's ``openAPIV3Schema`` is not a valid schema;
* A004 - a second CRD for the same group and kind (the first one is kept);
* A005 (info) - ``x-kubernetes-validations`` rules, which koreoctl does not evaluate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from koreoctl.apiserver.validation import Validator, compile_validator, has_cel_rules
from koreoctl.diagnostics import Diagnostic, Severity, Span

CRD_API_VERSION = "apiextensions.k8s.io/v1"


@dataclass(frozen=True)
class CrdVersion:
    """One version of a CRD: whether it is served and stored, and its OpenAPI schema."""

    name: str
    served: bool
    storage: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Crd:
    """A CustomResourceDefinition."""

    group: str
    kind: str
    plural: str
    singular: str
    scope: str
    versions: tuple[CrdVersion, ...]
    span: Span | None = None

    @property
    def namespaced(self) -> bool:
        return self.scope != "Cluster"

    @property
    def resource(self) -> str:
        """``plural.group``, as the API server names the resource in its messages."""
        return f"{self.plural}.{self.group}"

    def version(self, name: str) -> CrdVersion | None:
        """The served version called ``name``."""
        return next((v for v in self.versions if v.name == name and v.served), None)


@dataclass(frozen=True)
class CrdCatalog:
    """The CRDs of a project, by (group, kind); each version's validator compiled once."""

    crds: Mapping[tuple[str, str], Crd] = field(default_factory=dict)
    _validators: dict[tuple[str, str, str], Validator] = field(
        default_factory=dict, repr=False, compare=False
    )

    def lookup(self, api_version: str, kind: str) -> Crd | None:
        """The CRD defining ``kind`` in the group of ``api_version``, if any."""
        return self.crds.get((api_version.rpartition("/")[0], kind))

    def kinds(self) -> tuple[Crd, ...]:
        return tuple(self.crds[key] for key in sorted(self.crds))

    def validator(self, crd: Crd, version: CrdVersion) -> Validator:
        """The compiled validator of one CRD version (compiled on first use)."""
        key = (crd.group, crd.kind, version.name)
        if key not in self._validators:
            self._validators[key] = compile_validator(version.schema)
        return self._validators[key]


def load_crds(
    documents: Iterable[tuple[Any, Span | None]],
) -> tuple[CrdCatalog, tuple[Diagnostic, ...]]:
    """The CRDs among ``documents`` (data, span) and the problems found in them."""
    crds: dict[tuple[str, str], Crd] = {}
    diagnostics: list[Diagnostic] = []
    for data, span in documents:
        if not _is_crd(data):
            continue
        crd, problems = _read_crd(data, span)
        diagnostics.extend(problems)
        if crd is None:
            continue
        key = (crd.group, crd.kind)
        if key in crds:
            message = f"a second CRD for {crd.kind}.{crd.group}; the first one is used"
            diagnostics.append(Diagnostic("A004", message, span))
            continue
        crds[key] = crd
    return CrdCatalog(crds), tuple(diagnostics)


def _is_crd(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("apiVersion") == CRD_API_VERSION
        and data.get("kind") == "CustomResourceDefinition"
    )


def _read_crd(data: dict[str, Any], span: Span | None) -> tuple[Crd | None, list[Diagnostic]]:
    spec: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
    names: dict[str, Any] = spec["names"] if isinstance(spec.get("names"), dict) else {}
    name = (data.get("metadata") or {}).get("name", "?")
    group, kind, plural = spec.get("group"), names.get("kind"), names.get("plural")
    if not (group and kind and plural and isinstance(spec.get("versions"), list)):
        message = (
            f"CRD {name!r} needs spec.group, spec.names.kind, spec.names.plural and spec.versions"
        )
        return None, [Diagnostic("A001", message, span)]
    versions, problems = _read_versions(name, spec["versions"], span)
    if problems:
        return None, problems
    crd = Crd(
        group=group,
        kind=kind,
        plural=plural,
        singular=names.get("singular") or kind.lower(),
        scope=spec.get("scope") or "Namespaced",
        versions=versions,
        span=span,
    )
    notes = []
    if any(has_cel_rules(version.schema) for version in versions):
        message = (
            f"CRD {name!r} has x-kubernetes-validations rules; koreoctl does not evaluate them"
        )
        notes.append(Diagnostic("A005", message, span, Severity.INFO))
    return crd, notes


def _read_versions(
    name: str, items: list[Any], span: Span | None
) -> tuple[tuple[CrdVersion, ...], list[Diagnostic]]:
    versions = []
    for item in items:
        schema = ((item or {}).get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(item, dict) or not item.get("name") or not isinstance(schema, dict):
            message = f"CRD {name!r} has a version without a name or an openAPIV3Schema"
            return (), [Diagnostic("A001", message, span)]
        versions.append(
            CrdVersion(
                item["name"], bool(item.get("served", True)), bool(item.get("storage")), schema
            )
        )
    stored = [version.name for version in versions if version.storage]
    if len(stored) != 1:
        message = f"CRD {name!r} must have exactly one storage version (has {len(stored)})"
        return (), [Diagnostic("A002", message, span)]
    for version in versions:
        problem = compile_validator(version.schema).schema_error
        if problem:
            message = f"CRD {name!r} version {version.name}: invalid schema: {problem}"
            return (), [Diagnostic("A003", message, span)]
    return tuple(versions), []
