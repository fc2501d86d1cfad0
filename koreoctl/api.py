"""koreoctl's use cases as functions: they return report values and never print.

``load`` finds and parses a project (or files and folders of Koreo YAML) into a linked
Program; ``test`` runs its FunctionTests and WorkflowTests; ``render`` reconciles triggers
with their Workflows to steady state. The CLI is a thin shell over these; other tools (a
pytest plugin, an editor) can call them directly.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.errors import UsageError
from koreoctl.project.layout import SourceFile, discover, is_project, project_root

if TYPE_CHECKING:
    from koreoctl.apiserver import CrdCatalog
    from koreoctl.functest import TestReport, Updates
    from koreoctl.lint import LintReport
    from koreoctl.model.controllers import ControllerRule
    from koreoctl.program import Program
    from koreoctl.project.source import LoadedFile, SourceDoc
    from koreoctl.render import RenderResult

__all__ = ["Loaded", "RenderReport", "Rendered", "lint", "load", "render", "test"]


@dataclass(frozen=True)
class Loaded:
    """A loaded, linked program, the CRDs found with it, and every diagnostic so far."""

    program: Program
    crds: CrdCatalog
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    # Each file by its display name: its path, and the digest of the bytes that were loaded.
    origins: Mapping[str, tuple[Path, str | None]] = field(default_factory=dict)


def load(paths: Sequence[str]) -> Loaded:
    """Discover, parse, model and link everything under ``paths``.

    Raises ``koreoctl.errors.UsageError`` for a path that does not exist; every problem in
    the files themselves is a diagnostic.
    """
    from koreoctl.apiserver import load_crds
    from koreoctl.model import build_model
    from koreoctl.program import link
    from koreoctl.project.source import read_file

    layout = discover(tuple(paths))
    docs: list[SourceDoc] = []
    diagnostics: list[Diagnostic] = list(layout.diagnostics)
    origins: dict[str, tuple[Path, str | None]] = {}
    for source in layout.files:
        loaded = read_file(source.path, source.display)
        docs.extend(loaded.docs)
        diagnostics.extend(loaded.diagnostics)
        origins[source.display] = (source.path, loaded.digest)
    model = build_model(docs)
    diagnostics.extend(model.diagnostics)
    crds, crd_diagnostics = load_crds((doc.data, doc.span) for doc in model.documents)
    diagnostics.extend(crd_diagnostics)
    program = link(model)
    diagnostics.extend(program.diagnostics)
    files = tuple(source.display for source in layout.files)
    return Loaded(program, crds, files, tuple(sorted(set(diagnostics))), origins)


def test(
    paths: Sequence[str],
    *,
    pattern: str | None = None,
    fail_fast: bool = False,
    update: bool = False,
) -> TestReport:
    """Run the FunctionTests, then the WorkflowTests, under ``paths``; the report carries the
    load diagnostics too.

    With ``update``, the expectation of every failing case that has ``corrections`` is
    rewritten in its file (``report.updates`` says what was); without it nothing is written.
    """
    from koreoctl.functest import run_tests

    loaded = load(paths)
    report = run_tests(loaded.program, loaded.crds, pattern=pattern, fail_fast=fail_fast)
    report = _with_workflow_tests(loaded, report, pattern, fail_fast)
    diagnostics = loaded.diagnostics
    if not report.tests:
        where = ", ".join(paths) or "."
        note = f"no FunctionTests or WorkflowTests found in {where}"
        if pattern and (loaded.program.tests or loaded.program.model.of_kind("WorkflowTest")):
            note = f"no FunctionTests or WorkflowTests in {where} match -k {pattern!r}"
        diagnostics = (*diagnostics, Diagnostic("P006", note, None, Severity.WARNING))
    report = replace(report, diagnostics=diagnostics)
    return replace(report, updates=_update(report, loaded.origins)) if update else report


def _update(report: TestReport, origins: Mapping[str, tuple[Path, str | None]]) -> Updates:
    """Rewrite the failing cases' expectations, all of a file's at once."""
    from koreoctl.functest import Updates
    from koreoctl.project.yamledit import Edit, apply_edits

    failed = [
        (test, case) for test in report.tests for case in test.cases if case.status == "failed"
    ]
    edits: dict[str, list[Edit]] = {}
    for _, case in failed:
        for fix in case.corrections:
            edits.setdefault(fix.file, []).append(Edit(fix.document, fix.path, fix.value))
    results = []
    for file, file_edits in edits.items():
        path, digest = origins.get(file, (Path(file), None))
        results.append(apply_edits(path, file_edits, digest=digest, display=file))
    done = {result.file for result in results if result.refusal is None}
    updated = [
        (test, case)
        for test, case in failed
        if case.corrections
        and not case.partial
        and all(fix.file in done for fix in case.corrections)
    ]
    # A failing FunctionTest case ended its test (the cases after it were not run); a
    # WorkflowTest runs every check.
    rerun = any(
        not case.variant and any(c.status == "skipped" for c in test.cases[case.index + 1 :])
        for test, case in updated
    )
    return Updates(tuple(results), not_updated=len(failed) - len(updated), rerun=rerun)


def _with_workflow_tests(
    loaded: Loaded, report: TestReport, pattern: str | None, fail_fast: bool
) -> TestReport:
    """``report`` with the WorkflowTests run after the FunctionTests (none after a failure
    with ``fail_fast``)."""
    from koreoctl.workflowtest import run_workflow_tests, select_workflow_tests

    program, crds = loaded.program, loaded.crds
    entries = select_workflow_tests(program.model.of_kind("WorkflowTest"), pattern)
    stopped = fail_fast and (report.not_run or any(t.status != "passed" for t in report.tests))
    ran = () if stopped else run_workflow_tests(program, crds, entries, fail_fast=fail_fast)
    not_run = report.not_run + len(entries) - len(ran)
    return replace(report, tests=(*report.tests, *ran), not_run=not_run)


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


# --- render -------------------------------------------------------------------------------

STDIN = "-"  # as a trigger file name: read the trigger from standard input
_STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Rendered:
    """One trigger rendered: where it was read (``file:line``), the trigger as given, and
    what the render produced."""

    source: str
    trigger: dict[str, Any]
    result: RenderResult

    @property
    def ok(self) -> bool:
        """It reached a steady state and the Workflow's last outcome is not a PermFail."""
        from koreoctl.outcome import PermFail

        return self.result.converged and not isinstance(self.result.outcome, PermFail)


@dataclass(frozen=True)
class RenderReport:
    """Every trigger rendered, and the diagnostics of the project and of the input files.

    ``rejected`` is True when nothing could be rendered: an input file (trigger, state or
    observe) has an error (the diagnostics say where), or ``error`` says why (no trigger,
    no single Workflow for one), after the diagnostics that may explain it.
    """

    renders: tuple[Rendered, ...]
    diagnostics: tuple[Diagnostic, ...]
    rejected: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every render reached a steady state without a final PermFail."""
        return all(rendered.ok for rendered in self.renders)


@dataclass(frozen=True)
class _RenderInputs:
    triggers: tuple[tuple[str, dict[str, Any]], ...]
    state: tuple[dict[str, Any], ...]
    rules: tuple[ControllerRule, ...]
    diagnostics: tuple[Diagnostic, ...]


def render(
    paths: Sequence[str],
    *,
    trigger: str | None = None,
    stdin: str | None = None,
    workflow: str | None = None,
    state: str | None = None,
    observe: str | None = None,
    max_passes: int | None = None,
) -> RenderReport:
    """Render triggers with their Workflows until nothing changes (see ``koreoctl.render``).

    The triggers are the objects in the file ``trigger`` (``"-"``: the text ``stdin``), or
    else every object of the project whose kind a Workflow's crdRef names (with
    ``workflow``: that Workflow's). ``state`` is a file of objects that already exist;
    ``observe`` a file of simulated controllers. Problems in the files are diagnostics;
    no trigger, or no single Workflow for one, is the report's ``error``.
    """
    from koreoctl.render import DEFAULT_MAX_PASSES
    from koreoctl.render import render as render_trigger

    loaded = load(paths)
    inputs = _render_inputs(trigger, stdin, state, observe)
    diagnostics = tuple(sorted({*loaded.diagnostics, *inputs.diagnostics}))
    if any(note.severity is Severity.ERROR for note in inputs.diagnostics):
        return RenderReport((), diagnostics, rejected=True)
    triggers = inputs.triggers if trigger else _project_triggers(loaded.program, workflow)
    if not triggers:
        error = _no_trigger(loaded.program, paths, workflow)
        return RenderReport((), diagnostics, rejected=True, error=error)
    renders = []
    for source, body in triggers:
        try:
            result = render_trigger(
                loaded.program,
                loaded.crds,
                body,
                workflow=workflow,
                state=inputs.state,
                controllers=inputs.rules,
                max_passes=max_passes or DEFAULT_MAX_PASSES,
            )
        except UsageError as problem:
            return RenderReport((), diagnostics, rejected=True, error=f"{source}: {problem}")
        renders.append(Rendered(source, body, result))
    return RenderReport(tuple(renders), diagnostics)


def _render_inputs(
    trigger: str | None, stdin: str | None, state: str | None, observe: str | None
) -> _RenderInputs:
    """The objects and rules of the input files, and every problem found in them."""
    from koreoctl.model.controllers import load_observe

    diagnostics: list[Diagnostic] = []
    triggers: list[tuple[str, dict[str, Any]]] = []
    if trigger:
        triggers = _triggers_in(_read_input(trigger, stdin), diagnostics)
    objects: list[tuple[str, dict[str, Any]]] = []
    if state:
        objects = _input_objects(_read_input(state, stdin), "state object", diagnostics)
    rules: tuple[ControllerRule, ...] = ()
    if observe:
        loaded = _read_input(observe, stdin)
        rules, notes = load_observe(loaded.docs)
        diagnostics.extend((*loaded.diagnostics, *notes))
    return _RenderInputs(
        tuple(triggers), tuple(body for _, body in objects), rules, tuple(diagnostics)
    )


def _triggers_in(
    loaded: LoadedFile, diagnostics: list[Diagnostic]
) -> list[tuple[str, dict[str, Any]]]:
    before = len(diagnostics)
    triggers = _input_objects(loaded, "trigger", diagnostics)
    if not triggers and len(diagnostics) == before:
        message = "the trigger file holds no Kubernetes object"
        diagnostics.append(Diagnostic("I002", message, Span(loaded.file, 1, 1)))
    return triggers


def _read_input(name: str, stdin: str | None) -> LoadedFile:
    from koreoctl.project.source import parse_text, read_file

    if name == STDIN:
        return parse_text(stdin or "", _STDIN_NAME)
    return read_file(Path(name), name)


def _input_objects(
    loaded: LoadedFile, what: str, diagnostics: list[Diagnostic]
) -> list[tuple[str, dict[str, Any]]]:
    """The Kubernetes objects of a file (the items of a ``kind: List`` one by one), each
    with its ``file:line``; the file's problems, and an I001 error for each document that is
    not an object, are added to ``diagnostics``."""
    objects: list[tuple[str, dict[str, Any]]] = []
    diagnostics.extend(loaded.diagnostics)
    for doc in loaded.docs:
        for path, data in _document_objects(doc):
            problem, where = _object_problem(data)
            if problem:
                message = f"the {what} is not a Kubernetes object: {problem}"
                diagnostics.append(Diagnostic("I001", message, doc.span_of((*path, *where))))
            else:
                objects.append((f"{loaded.file}:{doc.span_of(path).line}", data))
    return objects


def _document_objects(doc: SourceDoc) -> list[tuple[tuple[str | int, ...], Any]]:
    data = doc.data
    if data is None:
        return []  # an empty document
    items = data.get("items") if isinstance(data, dict) and data.get("kind") == "List" else None
    if isinstance(items, list):
        return [(("items", index), item) for index, item in enumerate(items)]
    return [((), data)]


def _object_problem(data: Any) -> tuple[str, tuple[str, ...]]:
    """What keeps ``data`` from being a Kubernetes object ("" if nothing), and where."""
    if not isinstance(data, dict):
        return f"it is a {type(data).__name__}, not a mapping", ()
    for key in ("apiVersion", "kind"):
        if not isinstance(data.get(key), str) or not data[key]:
            return f"it has no {key}", (key,)
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        return "it has no metadata.name", ("metadata", "name")
    return "", ()


def _trigger_kinds(program: Program, workflow: str | None) -> set[tuple[str, str, str]]:
    """(group, version, kind) of every Workflow's crdRef (only ``workflow``'s, when it is
    named and has one)."""
    from koreoctl.program import PreparedWorkflow

    named = program.workflows.find(workflow) if workflow else None
    found = [item for _, item in program.workflows.items()]
    if isinstance(named, PreparedWorkflow) and named.crd_ref is not None:
        found = [named]
    return {
        (item.crd_ref.api_group, item.crd_ref.version, item.crd_ref.kind)
        for item in found
        if isinstance(item, PreparedWorkflow) and item.crd_ref is not None
    }


def _project_triggers(
    program: Program, workflow: str | None
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The project's objects (not Koreo resources) whose kind a Workflow's crdRef names."""
    kinds = _trigger_kinds(program, workflow)
    found = []
    for doc in program.model.documents:
        data = doc.data
        if _object_problem(data)[0]:
            continue
        group, _, version = data["apiVersion"].rpartition("/")
        if (group, version, data["kind"]) in kinds:
            found.append((f"{doc.file}:{doc.span.line}", data))
    return tuple(found)


def _no_trigger(program: Program, paths: Sequence[str], workflow: str | None) -> str:
    where = ", ".join(paths) or "."
    kinds = sorted(
        f"{kind} ({group}/{version})" for group, version, kind in _trigger_kinds(program, workflow)
    )
    if not kinds:
        return f"no trigger to render: no Workflow in {where} has a crdRef; give --trigger FILE"
    return (
        f"no trigger to render: no object in {where} is a {' or '.join(kinds)}; "
        "give one with --trigger FILE"
    )
