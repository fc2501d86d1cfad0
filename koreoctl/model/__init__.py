"""Koreo resources as frozen records: parse loaded YAML documents into the five kinds.

``build_model`` sorts documents into Koreo resources (``koreo.dev/v1beta1`` ValueFunction,
ResourceFunction, ResourceTemplate, Workflow, FunctionTest), koreoctl's own resources
(``koreoctl.dev/v1alpha1`` WorkflowTest) and everything else (CRDs and input data, kept as
documents). Each Koreo resource is checked against its kind's schema (defaults
filled in, as the API server and Koreo do) and built into its record, or into ``Broken`` with
the reasons it cannot be used. Resources are identified by (kind, namespace, name); a later
definition replaces an earlier one, as applying both to a cluster would.

Diagnostic codes: K001 unsupported apiVersion, K002 unknown Koreo (or koreoctl) kind, K003
schema violation, K004 bad metadata, K005 unknown field (warning), K006 a rule Koreo enforces
when it loads the resource, K007 a resource defined twice (warning).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model import (
    function_test,
    resource_function,
    resource_template,
    value_function,
    workflow,
    workflow_test,
)
from koreoctl.model.common import (
    API_GROUP,
    API_VERSION,
    DEFAULT_NAMESPACE,
    At,
    Header,
    Refusal,
    ResourceKey,
    error,
    warning,
)
from koreoctl.model.function_test import FunctionTest
from koreoctl.model.resource_function import ResourceFunction
from koreoctl.model.resource_template import ResourceTemplate
from koreoctl.model.value_function import ValueFunction
from koreoctl.model.workflow import Workflow
from koreoctl.model.workflow_test import WorkflowTest
from koreoctl.project.source import SourceDoc

if TYPE_CHECKING:
    from koreoctl.model.schema import SchemaProblem

Resource: TypeAlias = (
    ValueFunction | ResourceFunction | ResourceTemplate | Workflow | FunctionTest | WorkflowTest
)


@dataclass(frozen=True)
class Broken:
    """A Koreo resource that cannot be used: why (error diagnostics), and what Koreo says."""

    header: Header
    diagnostics: tuple[Diagnostic, ...]
    refusal: Refusal


Entry: TypeAlias = Resource | Broken

_Builder = Callable[[Header, dict[str, Any]], tuple[Any, list[Diagnostic], Refusal | None]]
BUILDERS: dict[str, _Builder] = {
    "ValueFunction": value_function.build,
    "ResourceFunction": resource_function.build,
    "ResourceTemplate": resource_template.build,
    "Workflow": workflow.build,
    "FunctionTest": function_test.build,
}
KINDS = tuple(BUILDERS)
KOREOCTL_BUILDERS: dict[str, _Builder] = {"WorkflowTest": workflow_test.build}
KOREOCTL_KINDS = tuple(KOREOCTL_BUILDERS)


@dataclass(frozen=True)
class Model:
    """Every Koreo resource (load order, one per key), the other documents, the diagnostics."""

    entries: tuple[Entry, ...]
    documents: tuple[SourceDoc, ...]
    diagnostics: tuple[Diagnostic, ...]

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.header.kind == kind)


def build_model(docs: Iterable[SourceDoc], memo: dict[int, Any] | None = None) -> Model:
    """Sort ``docs`` into Koreo resources and other documents, and build every resource.

    ``memo`` (a watching session's) keeps each document's result by the document object:
    the same (unchanged, never parsed again) document is not checked and built again."""
    entries: dict[ResourceKey, Entry] = {}
    others: list[SourceDoc] = []
    diagnostics: list[Diagnostic] = []
    for doc in docs:
        entry, notes = _classify(doc) if memo is None else _remembered(memo, doc, _classify)
        diagnostics.extend(notes)
        if entry is None:
            others.append(doc)
            continue
        if entry.header.key in entries:
            diagnostics.append(_redefined(entries.pop(entry.header.key), entry))
        entries[entry.header.key] = entry
    return Model(tuple(entries.values()), tuple(others), tuple(diagnostics))


def _remembered(memo: dict[int, Any], item: Any, compute: Callable[[Any], Any]) -> Any:
    """``compute(item)``, remembered by the item object itself (kept alive with its result,
    so its id cannot be reused while the entry is there)."""
    known = memo.get(id(item))
    if known is not None and known[0] is item:
        return known[1]
    result = compute(item)
    memo[id(item)] = (item, result)
    return result


def _classify(doc: SourceDoc) -> tuple[Entry | None, list[Diagnostic]]:
    data = doc.data
    if not isinstance(data, dict):
        return None, []
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str):
        return None, []
    root = At(doc)
    if api_version.startswith(f"{workflow_test.API_GROUP}/"):
        problems = _koreoctl_kind(api_version, kind, root)
    elif api_version.startswith(f"{API_GROUP}/"):
        problems = _koreo_kind(api_version, kind, root)
    else:
        return None, []
    if problems is not None:
        return None, problems
    header, problems = _header(data, root)
    if header is None:
        return None, problems
    return _build(header, data.get("spec"))


def _koreo_kind(api_version: str, kind: Any, root: At) -> list[Diagnostic] | None:
    """Why a ``koreo.dev`` document is not loaded as a Koreo resource (None: it is)."""
    if kind not in BUILDERS:
        return _unknown_kind(kind, root)
    if api_version != API_VERSION:
        message = f"unsupported apiVersion {api_version!r} for {kind}; Koreo reads {API_VERSION!r}"
        return [error("K001", message, root.child("apiVersion"))]
    return None


def _koreoctl_kind(api_version: str, kind: Any, root: At) -> list[Diagnostic] | None:
    """Why a ``koreoctl.dev`` document is not loaded as a koreoctl resource (None: it is)."""
    wanted = workflow_test.API_VERSION
    if kind not in KOREOCTL_BUILDERS:
        known = ", ".join(repr(name) for name in KOREOCTL_KINDS)
        message = f"unknown koreoctl kind {kind!r}; {wanted} defines {known}; not loaded"
        return [error("K002", message, root.child("kind"))]
    if api_version != wanted:
        message = f"unsupported apiVersion {api_version!r} for {kind}; koreoctl reads {wanted!r}"
        return [error("K001", message, root.child("apiVersion"))]
    return None


def _unknown_kind(kind: Any, root: At) -> list[Diagnostic]:
    if kind in KOREOCTL_BUILDERS:
        message = (
            f"{kind} is koreoctl's kind, not Koreo's: its apiVersion is "
            f"{workflow_test.API_VERSION!r}; not loaded"
        )
        return [error("K002", message, root.child("apiVersion"))]
    close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.8)
    if not close:
        return []  # data of some koreo.dev CRD, not a Koreo resource
    message = f"unknown Koreo kind {kind!r} (did you mean {close[0]!r}?); not loaded"
    return [error("K002", message, root.child("kind"))]


def _header(data: dict[str, Any], root: At) -> tuple[Header | None, list[Diagnostic]]:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        message = f"{data['kind']} has no `metadata.name`; not loaded"
        return None, [error("K004", message, root.child("metadata"))]
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    key = ResourceKey(data["kind"], str(namespace or DEFAULT_NAMESPACE), name)
    label_pairs = tuple(sorted((str(k), str(v)) for k, v in (labels or {}).items()))
    return Header(key, data["apiVersion"], root, label_pairs), []


def _build(header: Header, spec: Any) -> tuple[Entry, list[Diagnostic]]:
    from koreoctl.model.schema import check_spec  # jsonschema: only when resources are built

    spec_at = header.spec()
    filled, problems = check_spec(header.kind, spec)
    notes = [_schema_diagnostic(problem.path, problem, spec_at) for problem in problems]
    errors = tuple(note for note in notes if note.severity is Severity.ERROR)
    if errors:
        first = next(problem for problem in problems if not problem.unknown_key)
        return Broken(header, errors, _schema_refusal(header, first)), notes
    builder = BUILDERS.get(header.kind) or KOREOCTL_BUILDERS[header.kind]
    record, build_errors, refusal = builder(header, filled)
    if record is None:
        assert refusal is not None
        return Broken(header, tuple(build_errors), refusal), [*notes, *build_errors]
    return record, notes


def _schema_refusal(header: Header, problem: SchemaProblem) -> Refusal:
    """Koreo's failure for a schema violation, in Koreo's words where koreoctl knows them.

    Koreo reports the first violation fastjsonschema meets, which may not be the one
    koreoctl lists first (see conformance.md); the diagnostics keep koreoctl's wording.
    """
    if header.kind in KOREOCTL_BUILDERS:  # koreoctl's own kind: koreoctl's words
        return Refusal(problem.message, f"{header.kind}:{header.name}:spec")
    where = f"{header.name}:spec" if header.kind == "FunctionTest" else "spec"
    prefix = "" if header.kind == "FunctionTest" else f"prepare:{header.kind}:{header.name}:"
    return Refusal(problem.koreo_message or problem.message, prefix + where)


def _schema_diagnostic(path: tuple[str | int, ...], problem: Any, spec_at: At) -> Diagnostic:
    at = spec_at.child(*path)
    if problem.unknown_key:
        return warning("K005", problem.message, at, key=True)
    return error("K003", problem.message, at, key=problem.at_key)


def _redefined(earlier: Entry, later: Entry) -> Diagnostic:
    first = earlier.header.at.span
    message = (
        f"{later.header.key} is defined again (first at {first.file}:{first.line}); "
        "the later definition is used"
    )
    return warning("K007", message, later.header.at.child("metadata", "name"))
