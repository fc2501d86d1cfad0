"""koreoctl's use cases as functions: they return report values and never print.

``load`` finds and parses a project (or files and folders of Koreo YAML) into a linked
Program; ``test`` runs its FunctionTests and WorkflowTests; ``render`` reconciles triggers
with their Workflows to steady state; both can record the run as a snapshot. The
``snapshot_*`` functions read and tend the snapshot store, and ``diff`` / ``diff_rev``
compare two runs. The CLI is a thin shell over these; other tools (a pytest plugin, an
editor) can call them directly.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.errors import UsageError
from koreoctl.parallel import can_fork
from koreoctl.progress import advance
from koreoctl.project.layout import Layout, SourceFile, discover, project_root
from koreoctl.reports import Rendered, RenderReport

if TYPE_CHECKING:
    from koreoctl.apiserver import CrdCatalog
    from koreoctl.cel.environment import CelEnv
    from koreoctl.fn.executor import FunctionTable
    from koreoctl.fn.executor import Invocation as FnInvocation
    from koreoctl.fn.executor import Report as FnReport
    from koreoctl.fn.model import Context as FnContext
    from koreoctl.fn.model import Unit as FnUnit
    from koreoctl.functest import TestReport, TestResult, Updates
    from koreoctl.lint import LintReport
    from koreoctl.model.controllers import ControllerRule
    from koreoctl.program import Program
    from koreoctl.project.packages import Package
    from koreoctl.project.source import LoadedFile, SourceDoc
    from koreoctl.snapshots.diff import DiffReport, Side
    from koreoctl.snapshots.recording import Location, Recording
    from koreoctl.snapshots.store import (
        Migrated,
        Problem,
        Pruned,
        SnapshotInfo,
        Verified,
    )

__all__ = [
    "Compared",
    "FnRun",
    "LoadMemo",
    "Loaded",
    "RefState",
    "RefsLocked",
    "RenderReport",
    "RenderRerun",
    "Rendered",
    "Rerun",
    "ShownSnapshot",
    "SnapshotListing",
    "diff",
    "diff_rev",
    "fn_baseline",
    "fn_do",
    "fn_sequence",
    "fn_table",
    "lint",
    "load",
    "refs_list",
    "refs_lock",
    "render",
    "snapshot_list",
    "snapshot_migrate",
    "snapshot_prune",
    "snapshot_show",
    "snapshot_verify",
    "test",
]


@dataclass(frozen=True)
class Loaded:
    """A loaded, linked program, the CRDs found with it, and every diagnostic so far."""

    program: Program
    crds: CrdCatalog
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    # Each of the project's own files by its display name: its path, and the digest of the
    # bytes that were loaded (files of child packages are not here: they are never edited).
    origins: Mapping[str, tuple[Path, str | None]] = field(default_factory=dict)
    packages: tuple[Package, ...] = ()  # the child packages loaded, from refs/


@dataclass
class LoadMemo:
    """What a watching session keeps from one load to the next: each file's parse, reused
    while the file's (mtime, size, inode) stay the same, and one CEL environment, so each
    expression is compiled once. ``docs`` is each file's documents at the last load."""

    parsed: dict[tuple[str, str], tuple[tuple[int, int, int], LoadedFile]] = field(
        default_factory=dict
    )
    env: CelEnv | None = None
    docs: dict[str, tuple[SourceDoc, ...]] = field(default_factory=dict)
    # each unchanged document's model entry and CRD, by the document (see build_model)
    entries: dict[int, Any] = field(default_factory=dict)
    crds: dict[int, Any] = field(default_factory=dict)

    def forget_the_rest(self) -> None:
        """Drop what no document of the last load needs (old versions of edited files)."""
        alive = [doc for docs in self.docs.values() for doc in docs]
        kept = {id(doc) for doc in alive} | {id(doc.data) for doc in alive}
        self.entries = {key: value for key, value in self.entries.items() if key in kept}
        self.crds = {key: value for key, value in self.crds.items() if key in kept}

    def parsed_files(self) -> list[tuple[Path, str]]:
        """(path, display name) of every file read so far."""
        return [(Path(path), display) for path, display in self.parsed]

    def read(self, path: Path, display: str) -> LoadedFile:
        """``path`` parsed: from the memo when it has not changed since."""
        from koreoctl.fileio import stamp_of
        from koreoctl.project.source import read_file

        stamp = stamp_of(path)
        if stamp is None:
            return read_file(path, display)  # it says why
        known = self.parsed.get((str(path), display))
        if known is not None and known[0] == stamp:
            return known[1]
        loaded = read_file(path, display)
        self.parsed[(str(path), display)] = (stamp, loaded)
        return loaded


def load(
    paths: Sequence[str],
    *,
    shown: Sequence[str] | None = None,
    offline: bool = False,
    memo: LoadMemo | None = None,
) -> Loaded:
    """Discover, parse, model and link everything under ``paths`` (named in messages as
    ``shown`` says, when given: see ``discover``), with the child packages each project's
    ``refs/`` names, at the commits its ``koreoctl.lock`` pins (fetched into the cache when
    missing; never with ``offline``).

    Raises ``koreoctl.errors.UsageError`` for a path that does not exist, a refused
    reference, or a missing or stale lock; every problem in the files themselves is a
    diagnostic. With ``memo``, unchanged files are not parsed again (see `LoadMemo`).
    """
    layout = discover(tuple(paths), tuple(shown) if shown is not None else None)
    if memo is not None:
        memo.docs = {}
    loaded = _load_layout(layout, offline, memo)
    if memo is not None:
        memo.forget_the_rest()
    return loaded


def _load_layout(layout: Layout, offline: bool, memo: LoadMemo | None) -> Loaded:
    """Load what ``layout`` found as one program (see `load`)."""
    from koreoctl.apiserver import load_crds
    from koreoctl.cel.environment import CelEnv
    from koreoctl.model import build_model
    from koreoctl.program import link
    from koreoctl.project.packages import prioritised, priority_setting
    from koreoctl.project.source import read_file

    read = memo.read if memo is not None else read_file
    by_file: dict[str, tuple[SourceDoc, ...]] = {}
    packages, package_notes = _packages(layout.projects, offline)
    docs: list[SourceDoc] = []
    diagnostics: list[Diagnostic] = [*layout.diagnostics, *package_notes]
    origins: dict[str, tuple[Path, str | None]] = {}
    for number, source in enumerate(layout.files, 1):
        loaded = read(source.path, source.display)
        advance("reading files", number, len(layout.files))
        by_file[source.display] = loaded.docs
        docs.extend(loaded.docs)
        diagnostics.extend(loaded.diagnostics)
        origins[source.display] = (source.path, loaded.digest)
    groups: list[tuple[str, list[SourceDoc]]] = [("project", docs)]
    for package in packages:
        package_docs: list[SourceDoc] = []
        for source in package.files():
            loaded = read(source.path, source.display)
            by_file[source.display] = loaded.docs
            package_docs.extend(loaded.docs)
            diagnostics.extend(loaded.diagnostics)
        groups.append((package.name, package_docs))
    if packages:
        docs, chosen = prioritised(groups, priority_setting(layout.projects))
        diagnostics.extend(chosen)
    model = build_model(docs, memo.entries if memo is not None else None)
    diagnostics.extend(model.diagnostics)
    crds, crd_diagnostics = load_crds(
        ((doc.data, doc.span) for doc in model.documents), memo.crds if memo is not None else None
    )
    diagnostics.extend(crd_diagnostics)
    if memo is not None:
        memo.env = memo.env or CelEnv()
        memo.docs.update(by_file)
    program = link(model, memo.env if memo is not None else None)
    diagnostics.extend(program.diagnostics)
    files = tuple(source.display for source in layout.files)
    return Loaded(program, crds, files, tuple(sorted(set(diagnostics))), origins, packages)


def _packages(
    projects: Sequence[tuple[Path, str]], offline: bool
) -> tuple[tuple[Package, ...], tuple[Diagnostic, ...]]:
    """The child packages of every project given (none for a project without refs/)."""
    from koreoctl.project.packages import has_refs, resolve

    packages: list[Package] = []
    notes: list[Diagnostic] = []
    for root, shown in projects:
        if has_refs(root):
            resolution = resolve(root, shown, offline=offline)
            packages.extend(resolution.packages)
            notes.extend(resolution.diagnostics)
    return tuple(packages), tuple(notes)


def test(
    paths: Sequence[str],
    *,
    pattern: str | None = None,
    fail_fast: bool = False,
    update: bool = False,
    recording: Recording | None = None,
    offline: bool = False,
    functions: Sequence[str] | None = None,
    jobs: int = 1,
    shard: tuple[int, int] | None = None,
    draw_workflows: bool = False,
    memo: LoadMemo | None = None,
    rerun: Rerun | None = None,
) -> TestReport:
    """Run the FunctionTests, then the WorkflowTests, under ``paths``; the report carries the
    load diagnostics too (and, with ``draw_workflows``, an SVG picture of each Workflow a
    WorkflowTest ran, for the HTML report).

    ``jobs`` runs the tests on that many processes (forked, on Linux; the report is the serial
    one). ``shard=(i, n)`` runs only the tests of shard ``i`` of ``n`` (a stable split by each
    test's identity: ``n`` runs with ``i`` = 1..n run every test exactly once).

    With ``update``, the expectation of every failing case that has ``corrections`` is
    rewritten in its file (``report.updates`` says what was); without it nothing is written.
    With ``recording`` (and when it, or the project's settings, ask for one), the run is
    recorded as a snapshot; ``report.snapshot`` is its path.

    ``functions`` (default: the project's ``fn.test`` setting) are readonly or validating
    functions run over the resources the test cases produced; ``report.functions`` is
    their report, and a failing validation fails the run.

    ``memo`` keeps parses between the runs of a watching session; with ``rerun`` (the
    session's previous run and the files changed since), only the tests the change can
    affect run again (`koreoctl.dependencies`): the others keep their previous results, and
    ``report.reused`` counts them.
    """
    sequence = fn_sequence(paths, "test", functions)
    if jobs < 1:
        raise UsageError(f"-j {jobs}: give 1 or more processes")
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise UsageError(f"--shard {shard[0]}/{shard[1]}: use i/N with 1 <= i <= N")
    before = dict(memo.docs) if memo is not None else {}
    layout = discover(tuple(paths))
    if memo is not None:
        memo.docs = {}
    parts = layout.parts()
    selection = _Selection(pattern, fail_fast, jobs, shard)
    recording = recording if _records("test", paths, recording) else None
    parent_needs = memo is not None or update or recording is not None or bool(sequence)
    if len(parts) > 1 and jobs > 1 and not fail_fast and not parent_needs and can_fork():
        return _test_forked_parts(parts, paths, selection, offline, draw_workflows)
    loadeds = [_load_layout(part, offline, memo) for part in parts]
    if memo is not None:
        memo.forget_the_rest()
    reuse = _reusable(rerun, before, memo.docs if memo is not None else {})
    selection = replace(selection, reuse=reuse)
    report = _test_parts(loadeds, paths, selection, draw_workflows)
    if not (update or recording is not None or sequence):
        return report  # nothing below looks at the files as a whole
    loaded = _merged_loaded(loadeds)
    if sequence:
        report = replace(report, functions=_test_functions(loaded, paths, report, sequence))
    if recording is not None:
        snapshot = _record_test(paths, pattern, recording, loaded, report, selection.shard)
        report = replace(report, snapshot=snapshot)
    return replace(report, updates=_update(report, loaded.origins)) if update else report


def _records(command: str, paths: Sequence[str], recording: Recording | None) -> bool:
    """Whether the run is to be recorded (asked for, or the project's settings say so)."""
    from koreoctl.snapshots import recording as record

    if recording is None:
        return False
    location = record.locate(paths[0] if paths else ".", recording.directory)
    return record.wanted(command, recording, location)


def _test_parts(
    loadeds: Sequence[Loaded], paths: Sequence[str], selection: _Selection, draw: bool
) -> TestReport:
    """Each part's tests (with ``fail_fast``, no part after one with a failure), as one
    report."""
    from koreoctl.functest import TestReport

    reports: list[TestReport] = []
    for loaded in loadeds:
        if selection.fail_fast and any(r.status != "passed" for t in reports for r in t.tests):
            reports.append(TestReport((), not_run=len(_selected_runs(loaded, selection))))
            continue
        part, _ = _test(loaded, paths, selection, note_none=False)
        reports.append(replace(part, graphs=_workflow_graphs(loaded, part)) if draw else part)
    return _merged_reports(reports, loadeds, paths, selection)


def _test_forked_parts(
    parts: Sequence[Layout],
    paths: Sequence[str],
    selection: _Selection,
    offline: bool,
    draw: bool,
) -> TestReport:
    """The parts (projects) loaded and tested on ``jobs`` processes, each part whole in one
    of them: loading is most of a run over many small projects. The report is the serial
    one."""
    from koreoctl.parallel import split_map

    def one_part(index: int) -> tuple[TestReport, bool]:
        loaded = _load_layout(parts[index], offline, None)
        part, _ = _test(loaded, paths, replace(selection, jobs=1), note_none=False)
        if draw:
            part = replace(part, graphs=_workflow_graphs(loaded, part))
        return part, _has_tests(loaded)

    advance(f"loading and testing {len(parts)} projects on {selection.jobs} processes", 0)
    done = split_map(lambda indexes: [one_part(i) for i in indexes], len(parts), selection.jobs)
    return _merged_reports(
        [report for report, _ in done], [], paths, selection, any(has for _, has in done)
    )


def _merged_reports(
    reports: Sequence[TestReport],
    loadeds: Sequence[Loaded],
    paths: Sequence[str],
    selection: _Selection,
    has_tests: bool | None = None,
) -> TestReport:
    """The parts' reports as one: tests in part order, the diagnostics of all, and the note
    (P006) when no test ran at all."""
    from koreoctl.functest import TestReport

    report = TestReport(
        tuple(test for part in reports for test in part.tests),
        diagnostics=tuple(sorted({d for part in reports for d in part.diagnostics})),
        not_run=sum(part.not_run for part in reports),
        reused=sum(part.reused for part in reports),
        graphs=tuple(sorted({graph for part in reports for graph in part.graphs})),
    )
    if report.tests:
        return report
    any_tests = has_tests if has_tests is not None else any(map(_has_tests, loadeds))
    note = _no_tests_note(paths, selection, any_tests, report.not_run)
    return replace(report, diagnostics=(*report.diagnostics, note))


def _has_tests(loaded: Loaded) -> bool:
    program = loaded.program
    return bool(program.tests or program.model.of_kind("WorkflowTest"))


def _no_tests_note(
    paths: Sequence[str], selection: _Selection, has_tests: bool, not_run: int
) -> Diagnostic:
    where = ", ".join(paths) or "."
    note = f"no FunctionTests or WorkflowTests found in {where}"
    if selection.pattern and has_tests:
        note = f"no FunctionTests or WorkflowTests in {where} match -k {selection.pattern!r}"
    if selection.shard is not None and not not_run:
        note += f" in shard {selection.shard[0]}/{selection.shard[1]}"
    return Diagnostic("P006", note, None, Severity.WARNING)


def _merged_loaded(loadeds: Sequence[Loaded]) -> Loaded:
    """The parts as one Loaded, for what looks at a run's files as a whole (recording,
    --update, the fn sequence): every file, origin, package and CRD; the first part's
    program."""
    if len(loadeds) == 1:
        return loadeds[0]
    from koreoctl.apiserver import load_crds

    crds, _ = load_crds(
        (doc.data, doc.span) for loaded in loadeds for doc in loaded.program.model.documents
    )
    return Loaded(
        loadeds[0].program,
        crds,
        tuple(file for loaded in loadeds for file in loaded.files),
        tuple(sorted({d for loaded in loadeds for d in loaded.diagnostics})),
        {key: value for loaded in loadeds for key, value in loaded.origins.items()},
        tuple(package for loaded in loadeds for package in loaded.packages),
    )


@dataclass(frozen=True)
class _Selection:
    """Which tests a run runs, and how."""

    pattern: str | None = None
    fail_fast: bool = False
    jobs: int = 1
    shard: tuple[int, int] | None = None
    # Results to keep rather than run again, by test identity (a watching session's re-run).
    reuse: Mapping[str, TestResult] | None = None


@dataclass(frozen=True)
class Rerun:
    """A watching session's previous run, and the files (display names) changed since."""

    previous: TestReport
    changed: frozenset[str]


def _reusable(
    rerun: Rerun | None,
    before: Mapping[str, tuple[SourceDoc, ...]],
    after: Mapping[str, tuple[SourceDoc, ...]],
) -> dict[str, TestResult] | None:
    """The previous results that the changed files cannot affect, by test identity."""
    from koreoctl.dependencies import affected
    from koreoctl.functest import identity_of_test
    from koreoctl.workflowtest import WORKFLOW_KIND

    if rerun is None:
        return None
    touched = affected(before, after, rerun.changed)
    if touched is None:
        return None
    kept = {}
    for result in rerun.previous.tests:
        kind = "WorkflowTest" if result.function_kind == WORKFLOW_KIND else "FunctionTest"
        if (kind, result.name) not in touched and result.status != "error":
            kept[identity_of_test(kind, result.namespace, result.name)] = result
    return kept


def _test(
    loaded: Loaded, paths: Sequence[str], selection: _Selection, *, note_none: bool = True
) -> tuple[TestReport, Loaded]:
    """One program's tests; with ``note_none``, a P006 note when there are none."""
    from koreoctl.functest import TestReport

    results, not_run = _run_selected(loaded, selection)
    kept = {id(result) for result in (selection.reuse or {}).values()}
    reused = sum(id(result) in kept for result in results)
    report = TestReport(results, diagnostics=loaded.diagnostics, not_run=not_run, reused=reused)
    if report.tests or not note_none:
        return report, loaded
    note = _no_tests_note(paths, selection, _has_tests(loaded), not_run)
    return replace(report, diagnostics=(*report.diagnostics, note)), loaded


def _run_selected(loaded: Loaded, selection: _Selection) -> tuple[tuple[TestResult, ...], int]:
    """The FunctionTests, then the WorkflowTests, that the selection picks, run in that order
    (on ``jobs`` processes; with ``fail_fast``, none after the first that does not pass), and
    how many were not run."""
    runs = _selected_runs(loaded, selection)
    if selection.reuse is not None:
        return _rerun(runs, selection), 0
    if selection.fail_fast or selection.jobs == 1:
        results = _serially(runs, selection.fail_fast)
    else:
        results = _in_parallel(runs, selection.jobs)
    return tuple(results), len(runs) - len(results)


def _selected_runs(
    loaded: Loaded, selection: _Selection
) -> list[tuple[str, Callable[[], TestResult]]]:
    """(identity, run) of each test the selection picks, FunctionTests first."""
    from koreoctl.functest import identity_of_test, run_entry, select_function_tests, shard_of
    from koreoctl.workflowtest import run_workflow_test, select_workflow_tests

    program, crds = loaded.program, loaded.crds
    functions = select_function_tests(program, selection.pattern)
    workflows = select_workflow_tests(program.model.of_kind("WorkflowTest"), selection.pattern)
    runs: list[tuple[str, Callable[[], TestResult]]] = [
        (
            identity_of_test("FunctionTest", _header(entry).namespace, _header(entry).name),
            functools.partial(run_entry, program, crds, entry),
        )
        for entry in functions
    ]
    runs += [
        (
            identity_of_test("WorkflowTest", entry.header.namespace, entry.header.name),
            functools.partial(run_workflow_test, program, crds, entry),
        )
        for entry in workflows
    ]
    if selection.shard is not None:
        number, shards = selection.shard
        runs = [run for run in runs if shard_of(run[0], shards) == number]
    return runs


# Forking a worker and sending its results back costs ~30-60 ms: `-j` forks only when the tests
# still to run would take longer than this, judged from how long the first ones took.
FORK_WORTH = 0.25  # seconds of serial work left
_SAMPLE = 0.05  # seconds of tests run serially to judge by


def _in_parallel(
    runs: Sequence[tuple[str, Callable[[], TestResult]]], jobs: int
) -> list[TestResult]:
    """Every run's result in order, the rest of the runs split over ``jobs`` processes once
    the first ones show that forking pays (a short run stays serial: never slower than
    ``-j 1``)."""
    from koreoctl.parallel import split_map

    results: list[TestResult] = []
    started = time.perf_counter()
    while len(results) < len(runs) and time.perf_counter() - started < _SAMPLE:
        results.append(runs[len(results)][1]())
        advance("running tests", len(results), len(runs))
    left = runs[len(results) :]
    per_test = (time.perf_counter() - started) / max(len(results), 1)
    if len(left) * per_test < FORK_WORTH:
        return results + _serially(left, False)
    advance(f"running tests on {jobs} processes", len(results), len(runs))
    return results + split_map(lambda indexes: [left[i][1]() for i in indexes], len(left), jobs)


def _workflow_graphs(loaded: Loaded, report: TestReport) -> tuple[tuple[str, str], ...]:
    """The SVG of each Workflow the report's WorkflowTests ran (by name; one that cannot be
    found or loaded is left out: its test's error already says why)."""
    from koreoctl import graph
    from koreoctl.program import Unloadable
    from koreoctl.workflowtest import WORKFLOW_KIND

    drawn: dict[str, str] = {}
    for test in report.tests:
        name = test.function_name
        if test.function_kind != WORKFLOW_KIND or not name or name in drawn:
            continue
        found: Any = None
        for wanted in (f"{test.namespace}/{name}", name):
            try:
                found = graph.select_workflow(loaded.program, wanted, test.file)
                break
            except UsageError:
                continue
        if found is not None and not isinstance(found, Unloadable):
            drawn[name] = graph.to_svg(graph.build_graph(loaded.program, found))
    return tuple(sorted(drawn.items()))


def _rerun(
    runs: Sequence[tuple[str, Callable[[], TestResult]]], selection: _Selection
) -> tuple[TestResult, ...]:
    """Every selected test's result in the serial order: kept from the previous run when the
    change cannot affect it, else run again (on ``jobs`` processes)."""
    reuse = selection.reuse or {}
    fresh = [run for run in runs if run[0] not in reuse]
    done = _serially(fresh, False) if selection.jobs == 1 else _in_parallel(fresh, selection.jobs)
    by_identity = {run[0]: result for run, result in zip(fresh, done, strict=True)}
    return tuple(by_identity.get(identity) or reuse[identity] for identity, _ in runs)


def _serially(
    runs: Sequence[tuple[str, Callable[[], TestResult]]], fail_fast: bool
) -> list[TestResult]:
    results = []
    for _, run in runs:
        results.append(run())
        advance("running tests", len(results), len(runs))
        if fail_fast and results[-1].status != "passed":
            break
    return results


def _header(entry: Any) -> Any:
    """A FunctionTest entry's header (a prepared test keeps it on its model)."""
    model = getattr(entry, "model", None)
    return model.header if model is not None else entry.header


def _record_test(
    paths: Sequence[str],
    pattern: str | None,
    recording: Recording,
    loaded: Loaded,
    report: TestReport,
    shard: tuple[int, int] | None = None,
) -> str | None:
    from koreoctl.reports import test_report_data
    from koreoctl.snapshots import recording as record

    location = record.locate(paths[0] if paths else ".", recording.directory)
    if not record.wanted("test", recording, location):
        return None
    payload = test_report_data(report)
    target = {"paths": record.paths_target(paths, location), "pattern": pattern}
    info = record.write_snapshot(
        location,
        "test",
        recording,
        target,
        _input_digests(loaded, location),
        payload,
        record.test_summary(payload),
        refs=[package.to_dict() for package in loaded.packages],
        shard=shard,
    )
    return str(info.path)


def _input_digests(loaded: Loaded, location: Location) -> dict[str, str | None]:
    from koreoctl.snapshots.recording import relative_to_project

    return {relative_to_project(path, location): digest for path, digest in loaded.origins.values()}


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


def lint(
    paths: Sequence[str],
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: str | None = None,
    use_cache: bool = True,
    offline: bool = False,
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
        _lint_project(roots, select, ignore, fail_on, use_cache, offline)
        for roots in _by_project(_lint_roots(given))
    ]
    return functools.reduce(lambda a, b: a.merged(b), reports)


def _lint_project(
    roots: list[tuple[Path, Path | None]],
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: str | None,
    use_cache: bool,
    offline: bool = False,
) -> LintReport:
    """Lint one project (or a set of loose files and folders), with its own configuration
    and cache."""
    from koreoctl.lint import lint_files
    from koreoctl.lint.cache import Cache, NoCache
    from koreoctl.lint.config import find_config

    layout = discover([str(root) for root, _ in roots])
    base = roots[0][0] if roots[0][0].is_dir() else roots[0][0].parent
    config = find_config(base).overridden(select, ignore, fail_on)
    cache = Cache(base / ".koreoctl" / "cache") if use_cache else NoCache()
    reports = []
    for part in layout.parts():  # a folder of projects: each project on its own
        only = _reported(part.files, roots)
        packages, notes = _packages(part.projects, offline)
        files = list(part.files)
        if packages:
            # Child packages are linted with the project, so its references into them resolve,
            # but their own findings are their authors' to fix: only the project's are reported.
            only = only if only is not None else {source.display for source in files}
            files.extend(source for package in packages for source in package.files())
        extra = (*part.diagnostics, *notes)
        reports.append(lint_files(files, config, cache, only=only, extra=extra))
    return functools.reduce(lambda a, b: a.merged(b), reports)


def _by_project(
    roots: list[tuple[Path, Path | None]],
) -> list[list[tuple[Path, Path | None]]]:
    """The roots grouped so that each project, and each other folder, is linted on its own
    (as `koreoctl test` loads them: `Layout.parts`); files in no project together, as one."""
    groups: dict[Path | None, list[tuple[Path, Path | None]]] = {}
    for root, part in roots:
        # a project, or a folder: a program of its own, as `koreoctl test` loads it
        key = root.resolve() if part is not None or root.is_dir() else None
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
class _RenderInputs:
    triggers: tuple[tuple[str, dict[str, Any]], ...]
    state: tuple[dict[str, Any], ...]
    rules: tuple[ControllerRule, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class _RenderOptions:
    trigger: str | None = None
    stdin: str | None = None
    workflow: str | None = None
    state: str | None = None
    observe: str | None = None
    max_passes: int | None = None


def render(
    paths: Sequence[str],
    *,
    trigger: str | None = None,
    stdin: str | None = None,
    workflow: str | None = None,
    state: str | None = None,
    observe: str | None = None,
    max_passes: int | None = None,
    recording: Recording | None = None,
    offline: bool = False,
    functions: Sequence[str] | None = None,
    memo: LoadMemo | None = None,
    rerun: RenderRerun | None = None,
) -> RenderReport:
    """Render triggers with their Workflows until nothing changes (see ``koreoctl.render``).

    The triggers are the objects in the file ``trigger`` (``"-"``: the text ``stdin``), or
    else every object of the project whose kind a Workflow's crdRef names (with
    ``workflow``: that Workflow's). ``state`` is a file of objects that already exist;
    ``observe`` a file of simulated controllers. Problems in the files are diagnostics;
    no trigger, or no single Workflow for one, is the report's ``error``. With
    ``recording`` (and when it, or the project's settings, ask for one), a render that was
    not rejected is recorded as a snapshot; ``report.snapshot`` is its path.

    ``functions`` (each ``FUNCTION ARGS...``, default: the project's ``fn.render`` setting)
    run over the rendered objects before they are reported; ``report.functions`` is their
    report (see ``fn_do``). ``memo`` keeps parses between a watching session's renders; with
    ``rerun`` (its previous render and the Koreo files changed since), a change that can
    affect no Workflow (`koreoctl.dependencies`) keeps the previous renders
    (``report.reused``), with the diagnostics of now.
    """
    options = _RenderOptions(trigger, stdin, workflow, state, observe, max_passes)
    sequence = fn_sequence(paths, "render", functions)
    before = dict(memo.docs) if memo is not None else {}
    loaded = load(paths, offline=offline, memo=memo)
    if rerun is not None and memo is not None and _render_unaffected(rerun, before, memo.docs):
        inputs = _render_inputs(trigger, stdin, state, observe)
        diagnostics = tuple(sorted({*loaded.diagnostics, *inputs.diagnostics}))
        return replace(rerun.previous, diagnostics=diagnostics, reused=True, snapshot=None)
    report = _render(loaded, paths, options)
    if sequence and not report.rejected:
        report = _render_functions(loaded, paths, report, sequence)
    if recording is not None and not report.rejected:
        report = replace(report, snapshot=_record_render(paths, options, recording, loaded, report))
    return report


@dataclass(frozen=True)
class RenderRerun:
    """A watching session's previous render, and the Koreo files (display names) changed
    since (not the trigger, state or observe files: a change to those renders again)."""

    previous: RenderReport
    changed: frozenset[str]


def _render_unaffected(
    rerun: RenderRerun,
    before: Mapping[str, tuple[SourceDoc, ...]],
    after: Mapping[str, tuple[SourceDoc, ...]],
) -> bool:
    """Whether the change can alter no Workflow (and so no render)."""
    from koreoctl.dependencies import affected

    if rerun.previous.rejected:
        return False
    touched = affected(before, after, rerun.changed)
    return touched is not None and all(kind != "Workflow" for kind, _ in touched)


def _render(loaded: Loaded, paths: Sequence[str], options: _RenderOptions) -> RenderReport:
    from koreoctl.render import DEFAULT_MAX_PASSES
    from koreoctl.render import render as render_trigger

    trigger, workflow = options.trigger, options.workflow
    inputs = _render_inputs(trigger, options.stdin, options.state, options.observe)
    diagnostics = tuple(sorted({*loaded.diagnostics, *inputs.diagnostics}))
    if any(note.severity is Severity.ERROR for note in inputs.diagnostics):
        return RenderReport((), diagnostics, rejected=True)
    triggers = inputs.triggers if trigger else _project_triggers(loaded.program, workflow)
    if not triggers:
        error = _no_trigger(loaded.program, paths, workflow)
        return RenderReport((), diagnostics, rejected=True, error=error)
    renders = []
    for number, (source, body) in enumerate(triggers):
        advance("rendering triggers", number, len(triggers))
        try:
            result = render_trigger(
                loaded.program,
                loaded.crds,
                body,
                workflow=workflow,
                state=inputs.state,
                controllers=inputs.rules,
                max_passes=options.max_passes or DEFAULT_MAX_PASSES,
            )
        except UsageError as problem:
            return RenderReport((), diagnostics, rejected=True, error=f"{source}: {problem}")
        renders.append(Rendered(source, body, result))
    return RenderReport(tuple(renders), diagnostics)


def _record_render(
    paths: Sequence[str],
    options: _RenderOptions,
    recording: Recording,
    loaded: Loaded,
    report: RenderReport,
) -> str | None:
    from koreoctl.reports import render_report_data
    from koreoctl.snapshots import recording as record
    from koreoctl.snapshots.store import digest

    location = record.locate(paths[0] if paths else ".", recording.directory)
    if not record.wanted("render", recording, location):
        return None
    inputs = _input_digests(loaded, location)
    files: dict[str, str | None] = {}
    for key, name in (
        ("trigger", options.trigger),
        ("state", options.state),
        ("observe", options.observe),
    ):
        if name == STDIN:
            files[key] = STDIN
            inputs[_STDIN_NAME] = digest((options.stdin or "").encode("utf-8"))
        elif name:
            files[key] = record.relative_to_project(name, location)
            inputs[files[key] or name] = record.file_digest(name)
        else:
            files[key] = None
    target = {
        "paths": record.paths_target(paths, location),
        **files,
        "workflow": options.workflow,
        "maxPasses": options.max_passes,
    }
    payload = render_report_data(report, include_trigger=True)
    info = record.write_snapshot(
        location,
        "render",
        recording,
        target,
        inputs,
        payload,
        record.render_summary(payload),
        refs=[package.to_dict() for package in loaded.packages],
    )
    return str(info.path)


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


# --- snapshots -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotListing:
    """The snapshots of a store that match the filters, in order, and the files that could
    not be used (reported by name, never used)."""

    store: Path
    snapshots: tuple[SnapshotInfo, ...]
    problems: tuple[Problem, ...] = ()


def snapshot_list(
    project: str = ".",
    *,
    directory: str | None = None,
    command: str | None = None,
    writer: str | None = None,
    commit: str | None = None,
) -> SnapshotListing:
    """Every snapshot of the project's store, ordered by created time, writer and seq (the
    same order on every machine that holds the same files)."""
    from koreoctl.snapshots.history import select
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import scan

    location = locate(project, directory)
    found = scan(location.store)
    chosen = select(found, command=command, writer=writer, commit=commit)
    return SnapshotListing(location.store, chosen, found.problems)


@dataclass(frozen=True)
class ShownSnapshot:
    info: SnapshotInfo
    payload: Any
    problems: tuple[Problem, ...] = ()


def snapshot_show(
    reference: str, project: str = ".", *, directory: str | None = None
) -> ShownSnapshot:
    """The snapshot ``reference`` names (see ``koreoctl.snapshots.store.resolve``)."""
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import read_payload, resolve, scan

    found = scan(locate(project, directory).store)
    info = resolve(reference, found)
    return ShownSnapshot(info, read_payload(info), found.problems)


def snapshot_verify(project: str = ".", *, directory: str | None = None) -> Verified:
    """Check every file of the project's store."""
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import verify

    return verify(locate(project, directory).store)


def snapshot_prune(
    keep: int, project: str = ".", *, directory: str | None = None, dry_run: bool = False
) -> Pruned:
    """Remove all but the ``keep`` newest snapshots of each command and target."""
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import prune

    return prune(locate(project, directory).store, keep, dry_run=dry_run)


def snapshot_migrate(
    project: str = ".", *, directory: str | None = None, dry_run: bool = False
) -> Migrated:
    """Rewrite snapshots of older formats into new ones (the old files stay)."""
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import migrate, writer_id

    location = locate(project, directory)
    return migrate(location.store, writer_id(location.project), dry_run=dry_run)


# --- diff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    """A diff, why its sides were chosen (``notes``), and unusable store files."""

    report: DiffReport
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def diff(
    first: str | None = None,
    second: str | None = None,
    *,
    project: str = ".",
    directory: str | None = None,
    command: str | None = None,
    ignore: Sequence[str] = (),
    defaults: bool = True,
) -> Compared:
    """Compare two snapshots (see ``koreoctl.snapshots.history.pair`` for the defaults)."""
    from koreoctl.snapshots.diff import diff_payloads, parse_ignore
    from koreoctl.snapshots.history import pair
    from koreoctl.snapshots.recording import locate
    from koreoctl.snapshots.store import read_payload, scan

    for pattern in ignore:
        parse_ignore(pattern)  # a bad pattern is a usage error before anything is read
    found = scan(locate(project, directory).store)
    chosen = pair(found, first, second, command=command)
    b_side = _side(chosen.b)
    a_side, a_payload = (
        _empty_side(chosen.b.command)
        if chosen.a is None
        else (
            _side(chosen.a),
            read_payload(chosen.a),
        )
    )
    report = diff_payloads(
        chosen.b.command,
        a_side,
        a_payload,
        b_side,
        read_payload(chosen.b),
        ignore=ignore,
        defaults=defaults,
    )
    notes = (f"{chosen.b.short}: {chosen.note}",) if chosen.note else ()
    return Compared(report, notes, found.problems)


def _side(info: SnapshotInfo) -> Side:
    from koreoctl.snapshots.diff import Side
    from koreoctl.snapshots.recording import describe

    return Side(info.short, describe(info))


def _empty_side(command: str) -> tuple[Side, dict[str, Any]]:
    from koreoctl.snapshots.diff import Side

    payload: dict[str, Any] = {"renders": [], "diagnostics": []}
    if command == "test":
        payload = {"summary": {}, "tests": [], "diagnostics": []}
    return Side("(none)", f"no earlier {command} snapshot of this target"), payload


def diff_rev(
    rev: str,
    *,
    project: str = ".",
    command: str | None = None,
    ignore: Sequence[str] = (),
    defaults: bool = True,
    pattern: str | None = None,
    trigger: str | None = None,
    workflow: str | None = None,
    state: str | None = None,
    observe: str | None = None,
    offline: bool = False,
) -> Compared:
    """Test or render ``project`` as it is at git revision ``rev`` (its files read from the
    commit, never from the working tree) and as it is in the working tree, and compare.

    ``command`` is ``test`` or ``render``; None: render when the working tree has a trigger
    to render (``--trigger`` or a Workflow's crdRef kind among its objects), else test.
    """
    import tempfile

    from koreoctl.project.vcs import export_revision, resolve_revision
    from koreoctl.snapshots.diff import Side, diff_payloads, parse_ignore

    for item in ignore:
        parse_ignore(item)
    if not Path(project).exists():
        raise UsageError(f"no such file or folder: {project!r}")
    revision = resolve_revision(Path(project), rev)
    options = _RenderOptions(trigger, None, workflow, state, observe, None)
    here = load([project], offline=offline)
    chosen = command or (
        "render" if trigger or _project_triggers(here.program, workflow) else "test"
    )
    with tempfile.TemporaryDirectory(prefix="koreoctl-rev-") as folder:
        copy = Path(folder) / "project"
        export_revision(Path(project), revision, copy)
        there = load([str(copy)], shown=[project], offline=offline)
        before = _payload(chosen, there, project, options, pattern)
    after = _payload(chosen, here, project, options, pattern)
    report = diff_payloads(
        chosen,
        Side(f"git:{revision.commit[:12]}", f"{chosen} of {project} at {rev}"),
        before,
        Side("working tree", f"{chosen} of {project} in the working tree"),
        after,
        ignore=ignore,
        defaults=defaults,
    )
    return Compared(report)


def _payload(
    command: str, loaded: Loaded, project: str, options: _RenderOptions, pattern: str | None
) -> dict[str, Any]:
    from koreoctl.reports import render_report_data, test_report_data

    if command == "test":
        return test_report_data(_test(loaded, [project], _Selection(pattern))[0])
    report = _render(loaded, [project], options)
    if report.rejected:
        raise UsageError(f"cannot render {project}: {report.error or 'an input file has errors'}")
    return render_report_data(report, include_trigger=True)


# --- refs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefsLocked:
    """What ``koreoctl refs lock`` / ``refs update`` did."""

    lock_file: Path
    packages: tuple[Package, ...]
    changed: bool
    diagnostics: tuple[Diagnostic, ...] = ()


def refs_lock(
    project: str = ".",
    *,
    update: bool = False,
    names: Sequence[str] = (),
    offline: bool = False,
) -> RefsLocked:
    """Resolve the project's references and write ``koreoctl.lock`` (``update``: move the
    named ones, all when none is named, to where their tags and branches are now)."""
    from koreoctl.project.lock import LOCK_FILE
    from koreoctl.project.packages import lock_project

    root = _refs_project(project)
    if names and not update:
        raise UsageError("name references only with `koreoctl refs update NAME`")
    resolution, changed = lock_project(root, project, update=update, names=names, offline=offline)
    return RefsLocked(root / LOCK_FILE, resolution.packages, changed, resolution.diagnostics)


@dataclass(frozen=True)
class RefState:
    """One reference as ``koreoctl refs list`` shows it."""

    name: str
    url: str  # without credentials
    ref: str  # "tag v1", "commit 1a2b…", "branch main"
    type: str
    locked: str | None  # the locked commit; None when the lock has no (matching) entry
    cached: bool  # the locked commit is in the cache
    problem: str | None = None  # why the lock entry does not match (stale), if it does not


def refs_list(project: str = ".") -> tuple[RefState, ...]:
    """Each reference of the project (the root's, then nested ones from the cache), its
    locked commit and whether that commit is in the cache; never touches the network."""
    from koreoctl.project import vcs
    from koreoctl.project.layout import display_join
    from koreoctl.project.lock import read_lock, stale
    from koreoctl.project.packages import REFS_DIR, refuse_errors
    from koreoctl.project.refs import read_refs

    root = _refs_project(project)
    lock = read_lock(root)
    cache = vcs.cache_root()
    refs, diagnostics = read_refs(root / REFS_DIR, display_join(project, REFS_DIR), root)
    refuse_errors(diagnostics)
    states = []
    for ref in refs:
        entry = lock.get(ref.name) if lock is not None else None
        problem = stale(entry, ref, ref.name) if lock is not None else "koreoctl.lock is missing"
        locked = entry.commit if entry is not None and problem is None else None
        cached = locked is not None and vcs.has_commit(cache, ref.url, locked)
        states.append(
            RefState(
                ref.name,
                ref.shown_url,
                f"{ref.kind} {ref.value}",
                ref.type,
                locked,
                cached,
                problem,
            )
        )
    if lock is not None:
        for entry in lock.entries:
            if "/" in entry.name:  # nested: listed from the lock
                states.append(
                    RefState(
                        entry.name,
                        entry.url,
                        f"{entry.kind} {entry.value}",
                        entry.type,
                        entry.commit,
                        _cached_export(cache, entry.commit),
                    )
                )
    return tuple(states)


def _cached_export(cache: Path, commit: str) -> bool:
    return (cache / "packages" / commit).is_dir()


def _refs_project(project: str) -> Path:
    root = Path(project)
    if not root.is_dir():
        raise UsageError(f"no such project folder: {project!r}")
    if not (root / "refs").is_dir():
        raise UsageError(f"{project!r} has no refs/ folder: nothing to lock")
    return root


# --- koreoctl fn ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FnRun:
    """A function sequence run over one unit: the report, the unit's text after it (None
    when nothing in the sequence mutates) and whether ``--in-place`` wrote the file."""

    report: FnReport
    text: str | None
    source: str
    written: bool = False
    not_written: str | None = None


def fn_table() -> FunctionTable:
    """The built-in functions (for ``fn list`` and ``fn explain``)."""
    from koreoctl.fn.builtins import function_table

    return function_table()


def fn_do(
    source: str,
    argv: Sequence[str],
    *,
    stdin: str | None = None,
    in_place: bool = False,
    filters: int = 0,
    stop_on_error: bool = False,
    project: str | None = None,
) -> FnRun:
    """Run ``FUNCTION ARGS... [-- FUNCTION ARGS...]`` over the unit in ``source`` (``-``: the
    text ``stdin``). Every invocation is checked before the unit is read; bad input raises
    ``UsageError``. With ``in_place`` the file is rewritten (atomically, only if its text
    changed) when every validation passed and no function failed."""
    from koreoctl.fn.builtins import function_table
    from koreoctl.fn.executor import prepare_sequence, run_sequence
    from koreoctl.fn.unitfile import collection_paused, read_unit, write_unit

    if in_place and source == "-":
        raise UsageError("--in-place needs a file, not standard input")
    invocations = prepare_sequence(function_table(), argv)
    text, name = _read_unit_text(source, stdin)
    root = _fn_project(project, source)
    context = _fn_context(root, invocations)
    with collection_paused():
        unit, read = read_unit(text, name)
        report = run_sequence(
            unit, invocations, context, filters=filters, stop_on_error=stop_on_error
        )
        after = write_unit(read, report.unit, report.plain_changes()) if report.mutating else None
    if not in_place or after is None:
        return FnRun(report, after, name)
    if report.exit_code != 0:
        return FnRun(report, after, name, not_written="a validation failed or a function erred")
    if after == text:
        return FnRun(report, after, name)
    _write_unit_file(Path(source), after)
    return FnRun(report, after, name, written=True)


def _read_unit_text(source: str, stdin: str | None) -> tuple[str, str]:
    if source == "-":
        return (stdin or ""), "<stdin>"
    path = Path(source)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{source}: is a folder, not a YAML unit") from None
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        raise UsageError(f"{source}: not UTF-8 text") from None


def _write_unit_file(path: Path, text: str) -> None:
    import stat

    from koreoctl.fileio import replace_atomically

    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        replace_atomically(target, text.encode("utf-8"), mode=mode)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _fn_project(project: str | None, source: str) -> Path | None:
    """The project whose crds/ ``vet-schemas`` uses: ``project``, else the nearest folder
    above the unit (or the working folder, for standard input) that is a project."""
    if project is not None:
        root = Path(project)
        if not root.is_dir():
            raise UsageError(f"--project {project}: not a folder")
        return root
    start = Path.cwd() if source == "-" else Path(source).resolve().parent
    for folder in (start, *start.parents):
        if (folder / "crds").is_dir() or (folder / "koreoctl.yaml").is_file():
            return folder
        if (folder / ".git").exists():
            break
    return None


def _fn_context(root: Path | None, invocations: Sequence[FnInvocation]) -> FnContext:
    from koreoctl.fn.model import Context

    names = {invocation.name for invocation in invocations}
    schemas = None
    if "vet-schemas" in names and root is not None:
        from koreoctl.fn.validating_schemas import load_project_schemas

        schemas = load_project_schemas(root)
    base = root if root is not None else Path.cwd()
    return Context(schemas=schemas, baseline=lambda reference: fn_baseline(reference, base))


def fn_baseline(reference: str, project: Path) -> FnUnit:
    """A baseline unit for ``vet-immutable``: ``snapshot:REF`` is the objects a recorded
    render created (REF as ``koreoctl snapshot show`` takes it); anything else a YAML file."""
    from koreoctl.fn.model import FunctionError, Resource, Unit
    from koreoctl.fn.unitfile import read_unit

    if reference.startswith("snapshot:"):
        try:
            shown = snapshot_show(reference.removeprefix("snapshot:"), str(project))
        except UsageError as problem:
            raise FunctionError(f"baseline {reference}: {problem}") from None
        renders = shown.payload.get("renders")
        if shown.info.command != "render" or not isinstance(renders, list):
            raise FunctionError(f"baseline {reference}: not a render snapshot")
        objects = [obj for render in renders for obj in render.get("objects", [])]
        return Unit(reference, tuple(Resource(i, obj) for i, obj in enumerate(objects)))
    try:
        text, name = _read_unit_text(reference, None)
        return read_unit(text, name)[0]
    except UsageError as problem:
        raise FunctionError(f"baseline: {problem}") from None


def fn_sequence(paths: Sequence[str], command: str, given: Sequence[str] | None) -> list[str]:
    """The ``fn do`` argv of a sequence given as ``FUNCTION ARGS...`` strings (``given``; None:
    the ``fn.<command>`` list of the project's settings, koreoctl.yaml or pyproject.toml)."""
    import shlex

    from koreoctl.project.config import find_section

    steps: Sequence[Any] = given if given is not None else ()
    where = "--fn"
    if given is None:
        section = find_section(Path(paths[0]) if paths else Path(), "fn")
        if section is not None:
            where = f"{section.source}: fn.{command}"
            configured = section.table.get(command, [])
            if not isinstance(configured, list) or not all(isinstance(s, str) for s in configured):
                raise UsageError(f"{where}: must be a list of 'FUNCTION ARGS...' strings")
            steps = configured
    argv: list[str] = []
    for step in steps:
        try:
            words = shlex.split(step)
        except ValueError as problem:
            raise UsageError(f"{where}: {step!r}: {problem}") from None
        if not words:
            raise UsageError(f"{where}: an empty function")
        argv.extend(["--", *words] if argv else words)
    return argv


def _loaded_context(loaded: Loaded, paths: Sequence[str]) -> FnContext:
    from koreoctl.fn.model import Context
    from koreoctl.fn.validating_schemas import crd_schemas

    root = Path(paths[0]) if paths else Path()
    base = root if root.is_dir() else root.parent
    return Context(
        schemas=crd_schemas(loaded.crds),
        baseline=lambda reference: fn_baseline(reference, base),
        cluster_scoped=frozenset(
            f"{crd.group}/{version.name}/{crd.kind}"
            for crd in loaded.crds.kinds()
            if crd.scope == "Cluster"
            for version in crd.versions
        ),
    )


def _render_functions(
    loaded: Loaded, paths: Sequence[str], report: RenderReport, argv: Sequence[str]
) -> RenderReport:
    """The report with the function sequence applied to every render's objects."""
    import copy

    from koreoctl.fn.builtins import function_table
    from koreoctl.fn.executor import prepare_sequence, run_sequence
    from koreoctl.fn.model import Resource, Unit

    invocations = prepare_sequence(function_table(), argv)
    owners: list[int] = []
    resources: list[Resource] = []
    for number, rendered in enumerate(report.renders):
        for obj in rendered.result.objects:
            resources.append(Resource(len(resources), copy.deepcopy(obj)))
            owners.append(number)
    unit = Unit("<render>", tuple(resources))
    ran = run_sequence(unit, invocations, _loaded_context(loaded, paths))
    kept: list[list[dict[str, Any]]] = [[] for _ in report.renders]
    for resource in ran.unit.resources:
        kept[owners[resource.index]].append(resource.data)
    renders = tuple(
        replace(rendered, result=replace(rendered.result, objects=tuple(objects)))
        for rendered, objects in zip(report.renders, kept, strict=True)
    )
    return replace(report, renders=renders, functions=ran)


def _test_functions(
    loaded: Loaded, paths: Sequence[str], report: TestReport, argv: Sequence[str]
) -> FnReport:
    """The sequence (readonly and validating functions only) over the resources the test
    cases produced, in test and case order."""
    import copy

    from koreoctl.fn.builtins import function_table
    from koreoctl.fn.executor import prepare_sequence, run_sequence
    from koreoctl.fn.model import Resource, Unit

    invocations = prepare_sequence(function_table(), argv)
    for invocation in invocations:
        if invocation.function.signature.mutating:
            raise UsageError(f"{invocation.name}: test runs only readonly and validating functions")
    resources = [
        Resource(index, copy.deepcopy(resource))
        for index, resource in enumerate(
            case.resource
            for test in report.tests
            for case in test.cases
            if isinstance(case.resource, dict) and not case.deleted
        )
    ]
    return run_sequence(
        Unit("<test>", tuple(resources)), invocations, _loaded_context(loaded, paths)
    )
