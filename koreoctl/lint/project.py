"""The project-wide half of ``koreoctl lint``: rules over every file's facts.

Project rules never parse anything: they look at the facts each file contributed (cached
or freshly analysed), so a warm run costs only these lookups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from koreoctl.diagnostics import Span
from koreoctl.lint.facts import (
    Body,
    Contract,
    Definition,
    FileReport,
    Position,
    Reference,
    WorkflowTrigger,
    span_of,
)

FUNCTION_KINDS = ("ValueFunction", "ResourceFunction")


@dataclass(frozen=True)
class Located:
    """A fact and the file it came from."""

    file: str
    fact: object

    def span(self, at: Position) -> Span:
        return span_of(self.file, at)


Memo = Callable[[str, Callable[[], Any]], Any]


def no_memo(key: str, compute: Callable[[], Any]) -> Any:
    return compute()


@dataclass
class ProjectContext:
    """Every file's facts, indexed for the project rules; ``memo`` remembers expensive
    results (by a key naming all they depend on) across runs."""

    reports: tuple[FileReport, ...]
    memo: Memo = no_memo

    @cached_property
    def definitions(self) -> list[tuple[str, Definition]]:
        return [(r.file, fact) for r in self.reports for fact in r.facts.definitions]

    @cached_property
    def references(self) -> list[tuple[str, Reference]]:
        return [(r.file, fact) for r in self.reports for fact in r.facts.references]

    @cached_property
    def contracts(self) -> dict[tuple[str, str], Contract]:
        """Function contracts by (kind, name): Koreo finds functions by name."""
        return {(c.kind, c.name): c for _, c in self.located_contracts}

    @cached_property
    def located_contracts(self) -> list[tuple[str, Contract]]:
        return [(r.file, fact) for r in self.reports for fact in r.facts.contracts]

    @cached_property
    def workflows(self) -> list[tuple[str, WorkflowTrigger]]:
        return [(r.file, fact) for r in self.reports for fact in r.facts.workflows]

    @cached_property
    def bodies(self) -> list[tuple[str, Body]]:
        return [(r.file, fact) for r in self.reports for fact in r.facts.bodies]

    @cached_property
    def defined(self) -> set[tuple[str, str]]:
        """(kind, name) of every definition (in any namespace)."""
        return {(d.kind, d.name) for _, d in self.definitions}

    def unresolved(self, role: str) -> Iterator[tuple[Span, Reference, str]]:
        """References in ``role`` whose target is not defined: where each is, the reference,
        and a `` (did you mean 'x'?)`` naming the closest defined name of that kind, or ""."""
        for file, reference in self.references:
            if reference.role == role and (reference.kind, reference.name) not in self.defined:
                hint = self.did_you_mean(reference.kind, reference.name)
                yield span_of(file, reference.at), reference, hint

    def did_you_mean(self, kind: str, name: str) -> str:
        """`` (did you mean 'x'?)`` naming the closest defined ``kind`` to ``name``, or ""."""
        import difflib

        names = sorted(defined for k, defined in self.defined if k == kind)
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else ""

    @cached_property
    def referenced(self) -> dict[tuple[str, str], set[str]]:
        """(kind, name) → the roles in which it is referenced."""
        roles: dict[tuple[str, str], set[str]] = defaultdict(set)
        for _, reference in self.references:
            roles[(reference.kind, reference.name)].add(reference.role)
        return roles

    @cached_property
    def catalog(self) -> Any:
        """The project's CRDs as the API server reads them (built on first use)."""
        from koreoctl.apiserver import load_crds

        catalog, _ = load_crds(self.crd_documents)
        return catalog

    @cached_property
    def crd_documents(self) -> list[tuple[dict[str, object], Span]]:
        return [
            (crd["data"], span_of(report.file, crd["at"]))
            for report in self.reports
            for crd in report.facts.crds
        ]


def crd_schema(crds: list[tuple[dict[str, object], Span]], api_version: str, kind: str) -> object:
    """The raw OpenAPI schema of ``kind`` at ``api_version`` among the CRD documents, if any
    (found without building validators, so a warm run can key its memo on it)."""
    group, _, version = api_version.rpartition("/")
    for data, _ in crds:
        spec = data.get("spec")
        if not isinstance(spec, dict) or spec.get("group") != group:
            continue
        names = spec.get("names")
        if not isinstance(names, dict) or names.get("kind") != kind:
            continue
        for item in spec.get("versions") or ():
            if isinstance(item, dict) and item.get("name") == version:
                return (item.get("schema") or {}).get("openAPIV3Schema")
    return None
