"""Human-readable reports on a terminal or in a CI log (the only rich user).

Output is the same in a terminal and a log file apart from colour: rich drops styling when
the output is not a terminal or ``NO_COLOR`` is set, and lines are never broken (the
terminal wraps them; a CI log keeps each finding on one line). Messages are shown on one
line each. Every location is printed as ``file:line`` (or ``file:line:col``) so editors and
CI annotators can link it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape

from koreoctl.cli.serialize import describe_outcome, flatten_differences
from koreoctl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from koreoctl.functest import CaseResult, TestReport, TestResult

_STATUS_MARK = {
    "passed": "[green]PASS[/]",
    "failed": "[red]FAIL[/]",
    "skipped": "[yellow]SKIP[/]",
    "error": "[red bold]ERROR[/]",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def make_console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console for ``file`` (stdout by default); colour only on a terminal without NO_COLOR."""
    return Console(file=file, stderr=stderr, highlight=False, soft_wrap=True)


class TextTestReporter:
    """Writes a test report grouped by FunctionTest, with every failure spelled out.

    ``verbosity``: -1 (quiet) shows failures and the summary; 0 adds a line per test;
    1 adds a line per case.
    """

    def __init__(self, console: Console, verbosity: int = 0) -> None:
        self.console = console
        self.verbosity = verbosity

    def report(self, report: TestReport) -> None:
        self._diagnostics(report.diagnostics)
        for test in report.tests:
            self._test(test)
        self._summary(report)

    def _print(self, markup: str) -> None:
        self.console.print(markup, highlight=False)

    def _diagnostics(self, diagnostics: Iterable[Diagnostic]) -> None:
        shown = [d for d in diagnostics if self.verbosity > 0 or d.severity > Severity.INFO]
        for diagnostic in shown:
            self._print(format_diagnostic(diagnostic))
        if shown:
            self._print("")

    def _test(self, test: TestResult) -> None:
        show_cases = self.verbosity > 0 or test.status != "passed"
        if self.verbosity < 0 and test.status == "passed":
            return
        counts = _case_counts(test)
        where = escape(f"{test.file}:{test.line}")
        title = escape(f"{test.name} ({test.function_kind} {test.function_name})")
        self._print(f"{_STATUS_MARK[test.status]} {title}  [dim]{where}{counts}[/]")
        if test.status == "error":
            self._print(f"    [red]{escape(one_line(test.error or ''))}[/]")
            for diagnostic in test.diagnostics:
                self._print(f"    {format_diagnostic(diagnostic)}")
        if show_cases:
            for case in test.cases:
                self._case(case)

    def _case(self, case: CaseResult) -> None:
        if case.status == "passed" and self.verbosity <= 0:
            return
        label = escape(f"{case.index + 1}. {case.label}")
        shown = one_line(describe_outcome(case.outcome)) if case.outcome else ""
        outcome = f"  [dim]{escape(shown)}[/]" if shown else ""
        self._print(f"    {_STATUS_MARK[case.status]} {label}{outcome}")
        if case.status == "failed":
            self._failure(case)
        elif case.status == "skipped" and case.message:
            self._print(f"         [dim]{escape(one_line(case.message))}[/]")
        for warning in case.warnings:
            self._print(f"         [yellow]warning:[/] {escape(warning)}")

    def _failure(self, case: CaseResult) -> None:
        indent = "         "
        if case.span:
            self._print(f"{indent}[dim]at {escape(case.span.file)}:{case.span.line}[/]")
        if case.message:
            self._print(f"{indent}{escape(one_line(case.message))}")
        for path, detail in flatten_differences(case.differences):
            self._print(f"{indent}[bold]{escape(path)}[/]: {escape(detail)}")

    def _summary(self, report: TestReport) -> None:
        summary = report.summary
        parts = [f"{summary.passed} passed"]
        if summary.failed:
            parts.append(f"[red]{summary.failed} failed[/]")
        if summary.skipped:
            parts.append(f"[yellow]{summary.skipped} skipped[/]")
        if summary.errors:
            parts.append(
                f"[red]{summary.errors} test{'s' if summary.errors != 1 else ''} errored[/]"
            )
        noun = "case" if summary.cases == 1 else "cases"
        tests = f"{summary.tests} FunctionTest{'s' if summary.tests != 1 else ''}"
        line = f"{summary.cases} {noun} in {tests}: " + ", ".join(parts)
        if report.not_run:
            line += f" [dim]({report.not_run} not run after --fail-fast)[/]"
        problems = [d for d in report.diagnostics if d.severity is Severity.ERROR]
        if problems:
            line += f"; [red]{len(problems)} load error{'s' if len(problems) != 1 else ''}[/]"
        self._print(line)


def _case_counts(test: TestResult) -> str:
    if not test.cases:
        return ""
    passed = sum(case.status == "passed" for case in test.cases)
    return f"  {passed}/{len(test.cases)} cases passed"


def format_diagnostic(diagnostic: Diagnostic) -> str:
    """``file:line:col: error K003 message`` with the severity coloured."""
    where = f"{escape(str(diagnostic.span))}: " if diagnostic.span else ""
    style = _SEVERITY_STYLE[diagnostic.severity]
    label = diagnostic.severity.label
    return f"{where}[{style}]{label}[/] {diagnostic.code} {escape(one_line(diagnostic.message))}"


def one_line(text: str) -> str:
    """``text`` with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(text.split())


def print_error(console: Console, message: str) -> None:
    """A one-line error for the user: ``koreoctl: error: ...``."""
    console.print(f"[red]koreoctl: error:[/] {escape(message)}", highlight=False)
