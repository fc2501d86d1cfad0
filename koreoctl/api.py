"""koreoctl's use cases as functions: they return report values and never print.

``load`` finds and parses a project (or files and folders of Koreo YAML) into a linked
Program; ``test`` runs its FunctionTests. The CLI is a thin shell over these; other tools
(a pytest plugin, an editor) can call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from koreoctl.apiserver import CrdCatalog, load_crds
from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.functest import TestReport, run_tests
from koreoctl.model import build_model
from koreoctl.program import Program, link
from koreoctl.project.layout import discover
from koreoctl.project.source import SourceDoc, read_file

__all__ = ["Loaded", "load", "test"]


@dataclass(frozen=True)
class Loaded:
    """A loaded, linked program, the CRDs found with it, and every diagnostic so far."""

    program: Program
    crds: CrdCatalog
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def load(paths: Sequence[str]) -> Loaded:
    """Discover, parse, model and link everything under ``paths``.

    Raises ``koreoctl.errors.UsageError`` for a path that does not exist; every problem in
    the files themselves is a diagnostic.
    """
    layout = discover(tuple(paths))
    docs: list[SourceDoc] = []
    diagnostics: list[Diagnostic] = list(layout.diagnostics)
    for source in layout.files:
        loaded = read_file(source.path, source.display)
        docs.extend(loaded.docs)
        diagnostics.extend(loaded.diagnostics)
    model = build_model(docs)
    diagnostics.extend(model.diagnostics)
    crds, crd_diagnostics = load_crds((doc.data, doc.span) for doc in model.documents)
    diagnostics.extend(crd_diagnostics)
    program = link(model)
    diagnostics.extend(program.diagnostics)
    files = tuple(source.display for source in layout.files)
    return Loaded(program, crds, files, tuple(sorted(set(diagnostics))))


def test(
    paths: Sequence[str], *, pattern: str | None = None, fail_fast: bool = False
) -> TestReport:
    """Run the FunctionTests under ``paths``; the report carries the load diagnostics too."""
    loaded = load(paths)
    report = run_tests(loaded.program, loaded.crds, pattern=pattern, fail_fast=fail_fast)
    diagnostics = loaded.diagnostics
    if not report.tests:
        where = ", ".join(paths) or "."
        note = f"no FunctionTests found in {where}"
        if pattern and loaded.program.tests:
            note = f"no FunctionTests in {where} match -k {pattern!r}"
        diagnostics = (*diagnostics, Diagnostic("P006", note, None, Severity.WARNING))
    return replace(report, diagnostics=diagnostics)
