"""What one file contributes to project-wide lint rules, as plain JSON-able data.

Analysing a file (parsing YAML, checking schemas, compiling CEL) is the expensive part of
linting; cross-file rules need only a few facts from each file: what it defines, what it
references (and which inputs it passes), which inputs its functions read, its workflows'
triggers, its CRDs, its static resource bodies and its suppression comments. A
``FileReport`` holds those facts with the file's own diagnostics; it is what the cache
stores, keyed by the file's content, so an unchanged file is never analysed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from koreoctl.diagnostics import Diagnostic, Severity, Span

Position = tuple[int, int, int, int]  # line, col, end line, end col (1-based; 0 when unknown)


def at_of(span: Span) -> Position:
    return (span.line, span.col, span.end_line or 0, span.end_col or 0)


def span_of(file: str, at: Position | list[int]) -> Span:
    line, col, end_line, end_col = at
    return Span(file, line, col, end_line or None, end_col or None)


@dataclass(frozen=True)
class Definition:
    """A Koreo resource defined in the file."""

    kind: str
    namespace: str
    name: str
    at: Position


@dataclass(frozen=True)
class Contract:
    """The inputs a function reads: ``required`` outside has(), ``optional`` only inside;
    ``whole`` when it uses ``inputs`` as a whole (then any input may matter).
    ``overlay_only`` are the places a ValueFunction reads ``resource`` where Koreo binds it
    only when there is a value to overlay (its preconditions and locals)."""

    kind: str
    namespace: str
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    whole: bool
    overlay_only: tuple[Position, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A reference to another resource by kind and name, and the inputs it passes.

    ``role`` is ``test`` (a FunctionTest's functionRef, a WorkflowTest's workflowRef),
    ``step`` (a Workflow step or refSwitch case), ``overlay`` (an overlayRef), ``template``
    (a static resourceTemplateRef) or ``switch`` (kind ``refSwitch``, no name: the step inputs a
    ``switchOn`` reads); ``inputs`` maps each input given to its position, None when the
    inputs are not a literal map.
    """

    role: str
    kind: str
    name: str
    namespace: str
    owner: str
    at: Position
    inputs: dict[str, Position] | None = None


@dataclass(frozen=True)
class WorkflowTrigger:
    """A Workflow and the kind that triggers it."""

    name: str
    namespace: str
    crd_ref: str | None
    at: Position


@dataclass(frozen=True)
class Body:
    """A static resource body (ResourceFunction ``resource`` or ResourceTemplate ``template``):
    its constants (and constant expressions, folded), where each field is, and the fields set
    by expressions whose result type is evident: dotted path → (CEL type, expression)."""

    owner: str
    api_version: str
    kind: str
    data: Any
    positions: dict[str, Position]
    typed: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class FileFacts:
    definitions: tuple[Definition, ...] = ()
    contracts: tuple[Contract, ...] = ()
    references: tuple[Reference, ...] = ()
    workflows: tuple[WorkflowTrigger, ...] = ()
    crds: tuple[dict[str, Any], ...] = ()
    bodies: tuple[Body, ...] = ()
    suppressions: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FileReport:
    """One file's own diagnostics and its facts."""

    file: str
    diagnostics: tuple[Diagnostic, ...]
    facts: FileFacts


# --- JSON ------------------------------------------------------------------------------------


def report_to_json(report: FileReport) -> dict[str, Any]:
    facts = report.facts
    return {
        "file": report.file,
        "diagnostics": [diagnostic_to_json(d) for d in report.diagnostics],
        "definitions": [list(_fields(d)) for d in facts.definitions],
        "contracts": [list(_fields(c)) for c in facts.contracts],
        "references": [list(_fields(r)) for r in facts.references],
        "workflows": [list(_fields(w)) for w in facts.workflows],
        "crds": list(facts.crds),
        "bodies": [list(_fields(b)) for b in facts.bodies],
        "suppressions": {str(line): list(codes) for line, codes in facts.suppressions.items()},
    }


def report_from_json(data: dict[str, Any]) -> FileReport:
    facts = FileFacts(
        definitions=tuple(
            Definition(kind, namespace, name, _position(at))
            for kind, namespace, name, at in data["definitions"]
        ),
        contracts=tuple(
            Contract(
                kind,
                namespace,
                name,
                tuple(required),
                tuple(optional),
                whole,
                tuple(_position(at) for at in overlay_only),
            )
            for kind, namespace, name, required, optional, whole, overlay_only in data["contracts"]
        ),
        references=tuple(
            Reference(role, kind, name, namespace, owner, _position(at), _inputs(inputs))
            for role, kind, name, namespace, owner, at, inputs in data["references"]
        ),
        workflows=tuple(
            WorkflowTrigger(name, namespace, crd_ref, _position(at))
            for name, namespace, crd_ref, at in data["workflows"]
        ),
        crds=tuple(data["crds"]),
        bodies=tuple(
            Body(
                owner,
                api_version,
                kind,
                body,
                {path: _position(at) for path, at in positions.items()},
                {path: (kind, text) for path, (kind, text) in typed.items()},
            )
            for owner, api_version, kind, body, positions, typed in data["bodies"]
        ),
        suppressions={int(line): tuple(codes) for line, codes in data["suppressions"].items()},
    )
    diagnostics = tuple(diagnostic_from_json(d) for d in data["diagnostics"])
    return FileReport(data["file"], diagnostics, facts)


def _position(at: list[int]) -> Position:
    line, col, end_line, end_col = at
    return (line, col, end_line, end_col)


def _fields(record: Any) -> Any:
    return (getattr(record, name) for name in record.__dataclass_fields__)


def _inputs(inputs: dict[str, list[int]] | None) -> dict[str, Position] | None:
    if inputs is None:
        return None
    return {key: _position(at) for key, at in inputs.items()}


def diagnostic_to_json(diagnostic: Diagnostic) -> list[Any]:
    span = diagnostic.span
    at = list(at_of(span)) if span and span.line else None
    file = span.file if span else None
    return [diagnostic.code, diagnostic.severity.label, diagnostic.message, file, at]


def diagnostic_from_json(data: list[Any]) -> Diagnostic:
    code, severity, message, file, at = data
    span = None if file is None else (Span(file) if at is None else span_of(file, at))
    return Diagnostic(code, message, span, Severity[severity.upper()])
