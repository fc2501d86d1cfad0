"""The pytest plugin: ``pytest --koreo PATH`` makes Koreo tests pytest items.

Every FunctionTest case and every WorkflowTest check under PATH becomes an item with the id
``file::TestName::case label``; a failing one shows koreoctl's difference report (as
``koreoctl test`` prints it), not a Python traceback. ``-k``, ``-x``, ``--lf``,
``--junitxml`` and pytest-xdist's ``-n`` work on them as on any test.

How it runs: when pytest collects, each PATH is tested once with ``koreoctl.api.test`` (in
every process that collects: each xdist worker does it for itself, and gets the same items
and results, since a run is deterministic); each item then reports its case's result. A
case is a step of its test (a failing non-variant case ends a FunctionTest), so the cases
cannot run apart: running them together once is also what makes ``-n`` results identical to
a serial run's. A PATH that cannot be loaded (a refused reference, a stale lock) or whose
files have errors gives a failing ``PATH::koreoctl`` item rather than stopping the session.
The project's ``fn.test`` functions are not run here: ``koreoctl test`` runs them.

Without ``--koreo`` (or the ``koreo_paths`` ini option) the plugin does nothing. Like the
CLI it is a shell over ``koreoctl.api``, so it may use the CLI's text helpers
(``koreoctl.cli.reporters``, ``koreoctl.cli.serialize``) for the failure text; those, and
everything else of koreoctl, are imported only when there are Koreo tests to collect: the
top of this module imports only pytest and the standard library, so pytest pays nothing for
the plugin when it is not asked for.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from koreoctl.diagnostics import Diagnostic
    from koreoctl.functest import CaseResult, TestReport, TestResult

_PATHS = pytest.StashKey[list[Path]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("koreo", "Koreo tests (koreoctl)")
    group.addoption(
        "--koreo",
        action="append",
        default=[],
        metavar="PATH",
        dest="koreo",
        help="Collect the FunctionTests and WorkflowTests under PATH (a project, folder or "
        "file) as tests; repeatable. Overrides the koreo_paths ini option.",
    )
    parser.addini(
        "koreo_paths",
        "Paths (relative to the ini file) whose Koreo tests to collect, one a line.",
        type="linelist",
        default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    paths = _configured_paths(config)
    for path in paths:
        if not path.exists():
            raise pytest.UsageError(f"--koreo: no such file or folder: {str(path)!r}")
    config.stash[_PATHS] = paths


def _configured_paths(config: pytest.Config) -> list[Path]:
    """The --koreo paths (relative to where pytest was started), else the ini option's
    (relative to the ini file), as absolute paths."""
    given: list[str] = config.getoption("koreo")
    if given:
        return [_absolute(str(config.invocation_params.dir / path)) for path in given]
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    lines: list[str] = config.getini("koreo_paths")
    return [_absolute(str(base / line)) for line in lines]


@pytest.hookimpl(tryfirst=True)  # before -k, --deselect and --lf select among the items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    paths = config.stash.get(_PATHS, [])
    if paths:
        # Collected as pytest collects a file (reports, counts, --lf's filter), after the rest.
        items.extend(
            _unique(item for node in _collect(session, paths) for item in session.genitems(node))
        )


def _unique(items: Iterable[pytest.Item]) -> Iterator[pytest.Item]:
    """Each item once (overlapping paths name the same tests)."""
    seen: set[str] = set()
    for item in items:
        if item.nodeid not in seen:
            seen.add(item.nodeid)
            yield item


def _collect(session: pytest.Session, paths: Sequence[Path]) -> Iterator[pytest.Collector]:
    """The nodes for the Koreo tests under ``paths``: a file per test file, and a node for a
    path with a problem of its own."""
    from koreoctl.api import test
    from koreoctl.errors import UsageError

    for path in paths:
        try:
            report = test([_shown(path)], functions=[])
        except UsageError as problem:
            yield _problem(session, path, f"koreoctl: error: {problem}")
            continue
        errors = _load_errors(report)
        if errors:
            yield _problem(session, path, errors)
        yield from _test_files(session, report)


def _shown(path: Path) -> str:
    """``path`` as koreoctl names it in reports: relative to this process's folder (where
    relative display names resolve), absolute when it is elsewhere."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def _absolute(shown: str) -> Path:
    """A file koreoctl named (relative to this process's folder) as an absolute path,
    normalised (``sub/../x`` is ``x``) as pytest's own node paths are."""
    # Not Path.resolve(): pytest's root path keeps symbolic links, so node paths must too.
    return Path(os.path.abspath(shown))  # noqa: PTH100


def _load_errors(report: TestReport) -> str:
    """The report's error diagnostics (problems in the files), one line each."""
    from koreoctl.diagnostics import Severity

    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    return "\n".join(_diagnostic_line(diagnostic) for diagnostic in errors)


def _problem(session: pytest.Session, path: Path, text: str) -> KoreoPath:
    node = KoreoPath.from_parent(session, path=path)
    node.children.append(KoreoProblem.from_parent(node, name="koreoctl", text=text))
    return node


def _test_files(session: pytest.Session, report: TestReport) -> Iterator[KoreoFile]:
    """A node per file of the report's tests, in the order they ran."""
    files: dict[str, KoreoFile] = {}
    for result in report.tests:
        if result.file not in files:
            files[result.file] = KoreoFile.from_parent(session, path=_absolute(result.file))
        parent = files[result.file]
        kind = KoreoErroredTest if result.status == "error" else KoreoTest
        parent.children.append(kind.from_parent(parent, name=_name(result.name), result=result))
    yield from files.values()


def _name(text: str) -> str:
    """``text`` as one part of a node id: on one line, with no ``::`` (which separates the
    parts) and no brackets (which pytest reads as parameters: ``--lf`` would not find it)."""
    one_line = " ".join(text.split())
    return one_line.replace("::", ":").replace("[", "(").replace("]", ")")


def _case_names(cases: Sequence[CaseResult]) -> list[str]:
    """Each case's label as its item's name; a label used twice gets its case number."""
    names = [_name(case.label) for case in cases]
    return [
        name if names.count(name) == 1 else f"{name} (case {case.index + 1})"
        for name, case in zip(names, cases, strict=True)
    ]


class KoreoFailure(Exception):
    """A Koreo item failed; the message is the text to show."""


class KoreoPath(pytest.File):
    """A --koreo path, when it has a problem of its own to report."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.children: list[pytest.Item] = []

    def collect(self) -> Iterable[pytest.Item]:
        return self.children


class KoreoFile(pytest.File):
    """A file holding FunctionTests or WorkflowTests."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.children: list[pytest.Item | pytest.Collector] = []

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        return self.children


class KoreoTest(pytest.Collector):
    """A FunctionTest or WorkflowTest that ran: its cases (a WorkflowTest's checks, and its
    steady-state check) are the items."""

    def __init__(self, *, result: TestResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.children = [
            KoreoCase.from_parent(self, name=name, result=result, case=case)
            for name, case in zip(_case_names(result.cases), result.cases, strict=True)
        ]

    def collect(self) -> Iterable[pytest.Item]:
        return self.children

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.result.line - 1, self.name


class KoreoItem(pytest.Item):
    """An item whose outcome koreoctl already knows; its failure text is koreoctl's."""

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        if isinstance(excinfo.value, KoreoFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class KoreoCase(KoreoItem):
    """One case of a FunctionTest or one check of a WorkflowTest."""

    def __init__(self, *, result: TestResult, case: CaseResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result
        self.case = case
        if case.status == "skipped":  # a mark, so that pytest reports the case's location
            reason = " ".join((case.message or "skip: true").split())
            self.add_marker(pytest.mark.skip(reason=reason))

    def runtest(self) -> None:
        if self.case.status == "failed":
            raise KoreoFailure(_failure_text(self.result, self.case))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.span.line if self.case.span else self.result.line
        return self.path, line - 1, f"{self.result.name}: {self.case.index + 1}. {self.case.label}"


class KoreoErroredTest(KoreoItem):
    """A FunctionTest or WorkflowTest that could not run (its cases are not known)."""

    def __init__(self, *, result: TestResult, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result = result

    def runtest(self) -> None:
        raise KoreoFailure(_error_text(self.result))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.result.line - 1, self.result.name


class KoreoProblem(KoreoItem):
    """What kept a --koreo path from loading, or the errors in its files."""

    def __init__(self, *, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text

    def runtest(self) -> None:
        raise KoreoFailure(self.text)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.nodeid


# --- the failure text: the lines `koreoctl test` prints for a failing case -------------------


def _title(result: TestResult, mark: str) -> str:
    what = f"{result.name} ({result.function_kind} {result.function_name})"
    return f"{mark} {what}  {result.file}:{result.line}"


def _failure_text(result: TestResult, case: CaseResult) -> str:
    from koreoctl.cli.reporters import one_line
    from koreoctl.cli.serialize import describe_outcome, flatten_differences

    shown = one_line(describe_outcome(case.outcome)) if case.outcome else ""
    lines = [
        _title(result, "FAIL"),
        f"    FAIL {case.index + 1}. {case.label}" + (f"  {shown}" if shown else ""),
    ]
    indent = " " * 9
    if case.span:
        lines.append(f"{indent}at {case.span.file}:{case.span.line}")
    if case.message:
        lines.append(f"{indent}{one_line(case.message)}")
    lines.extend(
        f"{indent}{path}: {detail}" for path, detail in flatten_differences(case.differences)
    )
    lines.extend(f"{indent}warning: {warning}" for warning in case.warnings)
    return "\n".join(lines)


def _error_text(result: TestResult) -> str:
    from koreoctl.cli.reporters import one_line

    lines = [_title(result, "ERROR"), f"    {one_line(result.error or '')}"]
    lines.extend(f"    {_diagnostic_line(d)}" for d in result.diagnostics)
    return "\n".join(lines)


def _diagnostic_line(diagnostic: Diagnostic) -> str:
    """``file:line:col: error K003 message``, as the text reporter prints it (no colour)."""
    from koreoctl.cli.reporters import one_line

    where = f"{diagnostic.span}: " if diagnostic.span else ""
    return f"{where}{diagnostic.severity.label} {diagnostic.code} {one_line(diagnostic.message)}"
