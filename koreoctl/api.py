"""koreoctl's use cases as functions: they return report values and never print.

``load`` finds and parses a project (or files and folders of Koreo YAML) into a linked
Program; ``test`` runs its FunctionTests. The CLI is a thin shell over these; other tools
(a pytest plugin, an editor) can call them directly.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.errors import UsageError
from koreoctl.project.layout import SourceFile, discover, is_project, project_root

if TYPE_CHECKING:
    from koreoctl.apiserver import CrdCatalog
    from koreoctl.functest import TestReport
    from koreoctl.lint import LintReport
    from koreoctl.program import Program

__all__ = ["Loaded", "lint", "load", "test"]


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
    from koreoctl.apiserver import load_crds
    from koreoctl.model import build_model
    from koreoctl.program import link
    from koreoctl.project.source import SourceDoc, read_file

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
    from koreoctl.functest import run_tests

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


def lint(
    paths: Sequence[str],
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: str | None = None,
    use_cache: bool = True,
) -> LintReport:
    """Lint everything under ``paths``.

    A file or folder inside a project (as pre-commit passes changed files) is linted as part
    of the whole project, so its references resolve, but only its own findings are reported.
    Results are cached under the project's ``.koreoctl/cache/``; configuration comes from the
    project's ``koreoctl.yaml`` or ``pyproject.toml``.
    """
    given = [Path(path) for path in paths or ["."]]
    for path in given:
        if not path.exists():
            raise UsageError(f"no such file or folder: {str(path)!r}")
    reports = [
        _lint_project(roots, select, ignore, fail_on, use_cache)
        for roots in _by_project(_lint_roots(given))
    ]
    return functools.reduce(lambda a, b: a.merged(b), reports)


def _lint_project(
    roots: list[tuple[Path, Path | None]],
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: str | None,
    use_cache: bool,
) -> LintReport:
    """Lint one project (or a set of loose files and folders), with its own configuration
    and cache."""
    from koreoctl.lint import lint_files
    from koreoctl.lint.cache import Cache, NoCache
    from koreoctl.lint.config import find_config

    layout = discover([str(root) for root, _ in roots])
    only = _reported(layout.files, roots)
    base = roots[0][0] if roots[0][0].is_dir() else roots[0][0].parent
    config = find_config(base).overridden(select, ignore, fail_on)
    cache = Cache(base / ".koreoctl" / "cache") if use_cache else NoCache()
    return lint_files(list(layout.files), config, cache, only=only, extra=layout.diagnostics)


def _by_project(
    roots: list[tuple[Path, Path | None]],
) -> list[list[tuple[Path, Path | None]]]:
    """The roots grouped so that each project is linted on its own; loose paths (in no
    project) together, as one."""
    groups: dict[Path | None, list[tuple[Path, Path | None]]] = {}
    for root, part in roots:
        key = root.resolve() if part is not None or is_project(root) else None
        groups.setdefault(key, []).append((root, part))
    return list(groups.values())


def _lint_roots(given: list[Path]) -> list[tuple[Path, Path | None]]:
    """What to load for each path, and the part of it to report (None: all of it): a path
    inside a project loads the whole project; anything else loads as given."""
    roots: list[tuple[Path, Path | None]] = []
    for path in given:
        root = project_root(path)
        entry: tuple[Path, Path | None] = (path, None)
        if root is not None and root != path.resolve():
            shown = root if path.is_absolute() else Path(os.path.relpath(root))
            entry = (shown, path.resolve())
        if entry not in roots:
            roots.append(entry)
    return roots


def _reported(
    files: Sequence[SourceFile], roots: list[tuple[Path, Path | None]]
) -> set[str] | None:
    """The display names of the files to report on (None: every file loaded)."""
    if all(part is None for _, part in roots):
        return None
    scopes = [(part or root).resolve() for root, part in roots]
    return {
        source.display
        for source in files
        if any(_within(source.path.resolve(), scope) for scope in scopes)
    }


def _within(path: Path, scope: Path) -> bool:
    return path == scope or scope in path.parents
