"""Human-readable reports on a terminal or in a CI log (the only rich user).

Output is the same in a terminal and a log file apart from colour: rich drops styling when
the output is not a terminal or ``NO_COLOR`` is set, and lines are never broken (the
terminal wraps them; a CI log keeps each finding on one line). Messages are shown on one
line each. Every location is printed as ``file:line`` (or ``file:line:col``) so editors and
CI annotators can link it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from koreoctl.cli.color import console_settings
from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.project.layout import read_bounded

if TYPE_CHECKING:
    from koreoctl.functest import CaseResult, TestReport, TestResult, Updates
    from koreoctl.lint import LintReport
    from koreoctl.lint.rule import Rule
    from koreoctl.render import PassReport
    from koreoctl.reports import RenderReport

_STATUS_MARK = {
    "passed": "[green]PASS[/]",
    "failed": "[red]FAIL[/]",
    "skipped": "[yellow]SKIP[/]",
    "error": "[red bold]ERROR[/]",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def make_console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console for ``file`` (stdout by default), coloured as ``--color`` / ``NO_COLOR`` say
    (by default: only a terminal, without NO_COLOR)."""
    return Console(file=file, stderr=stderr, highlight=False, soft_wrap=True, **console_settings())


class TextTestReporter:
    """Writes a test report grouped by test (FunctionTest or WorkflowTest), with every failure
    spelled out.

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
        from koreoctl.cli.serialize import describe_outcome

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
        from koreoctl.cli.serialize import flatten_differences

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
        line = f"{summary.cases} {noun} in {_tests_text(report.tests)}: " + ", ".join(parts)
        if report.not_run:
            line += f" [dim]({report.not_run} not run after --fail-fast)[/]"
        problems = [d for d in report.diagnostics if d.severity is Severity.ERROR]
        if problems:
            line += f"; [red]{len(problems)} load error{'s' if len(problems) != 1 else ''}[/]"
        self._print(line)
        # A plain last line CI logs and scripts can read (failed: cases and errored tests).
        self.console.print(
            f"{summary.passed} passed, {summary.failed + summary.errors} failed",
            markup=False,
            highlight=False,
        )


def _tests_text(tests: Sequence[TestResult]) -> str:
    """``3 FunctionTests`` or ``3 FunctionTests and 1 WorkflowTest`` (WorkflowTests report
    their Workflow as the function)."""
    workflow_tests = sum(test.function_kind == "Workflow" for test in tests)
    function_tests = len(tests) - workflow_tests
    parts = [f"{function_tests} FunctionTest{'s' if function_tests != 1 else ''}"]
    if workflow_tests:
        parts.append(f"{workflow_tests} WorkflowTest{'s' if workflow_tests != 1 else ''}")
        parts = parts[1:] if not function_tests else parts
    return " and ".join(parts)


def _case_counts(test: TestResult) -> str:
    if not test.cases:
        return ""
    passed = sum(case.status == "passed" for case in test.cases)
    return f"  {passed}/{len(test.cases)} cases passed"


def print_updates(console: Console, errors: Console, updates: Updates) -> None:
    """What ``koreoctl test --update`` did: a line per file rewritten, an error per file it
    refused to touch, the failing cases it left alone, and a total when it helps."""
    for result in updates.files:
        if result.refusal is not None:
            print_error(errors, f"{result.file}: not updated: {result.refusal}")
    for result in updates.written:
        updated = f"updated {_count(result.edits, 'expectation')} in {escape(result.file)}"
        console.print(updated, highlight=False)
    if updates.not_updated:
        console.print(
            f"[yellow]{_count(updates.not_updated, 'failing case')} not updated[/] "
            "(only expectReturn, expectResource, expectResources, expectTrigger and "
            "expectPasses values are accepted, never a write the "
            "API server rejected)",
            highlight=False,
        )
    written = updates.written
    if len(written) > 1 or (written and updates.rerun):
        total = f"updated {_count(updates.expectations, 'expectation')} in "
        total += _count(len(written), "file")
        if updates.rerun:
            total += "; run again to check the cases after them"
        console.print(total, highlight=False)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


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


class TextLintReporter:
    """Writes lint findings grouped by file, each with its source line and a caret.

    ``verbosity`` -1 (quiet) shows only errors and the summary line. The report is built as
    one styled text and printed once: thousands of findings print in milliseconds.
    """

    def __init__(self, console: Console, verbosity: int = 0) -> None:
        self.console = console
        self.verbosity = verbosity

    def report(self, report: LintReport) -> None:
        shown = [
            d for d in report.diagnostics if self.verbosity >= 0 or d.severity is Severity.ERROR
        ]
        by_file: dict[str, list[Diagnostic]] = {}
        for diagnostic in shown:
            file = diagnostic.span.file if diagnostic.span else "(project)"
            by_file.setdefault(file, []).append(diagnostic)
        text = Text()
        for file, found in by_file.items():
            text.append(file, "bold")
            text.append("\n")
            lines = _source_lines(file)
            for diagnostic in found:
                _append_finding(text, diagnostic, lines)
            text.append("\n")
        _append_summary(text, report)
        if self.console.color_system is None:
            self.console.file.write(f"{text.plain}\n")  # no styles: skip rich's rendering
        else:
            self.console.print(text, highlight=False, soft_wrap=True)


def _append_finding(text: Text, diagnostic: Diagnostic, lines: list[str]) -> None:
    span = diagnostic.span
    where = f"{span.line}:{span.col}" if span and span.line else "-"
    style = _SEVERITY_STYLE[diagnostic.severity]
    text.append(f"  {where:>8}  ")
    text.append(f"{diagnostic.severity.label:<7}", style)
    text.append(" ")
    text.append(diagnostic.code, "bold")
    text.append(f"  {one_line(diagnostic.message)}\n")
    if span and span.line and 0 < span.line <= len(lines):
        source, caret = _excerpt(lines[span.line - 1], span.col)
        text.append(f"{'':>12}")
        text.append("|", "dim")
        text.append(f" {source}\n{'':>12}")
        text.append("|", "dim")
        text.append(f" {' ' * caret}")
        text.append("^", style)
        text.append("\n")


_EXCERPT = 100  # characters of a source line shown; longer lines are cut around the column


def _excerpt(line: str, col: int) -> tuple[str, int]:
    """The part of ``line`` to show and the caret's offset in it (for 1-based ``col``)."""
    source = line.rstrip("\r\n").expandtabs(1)
    caret = max(col - 1, 0)
    if len(source) <= _EXCERPT:
        return source, caret
    start = max(0, min(caret - _EXCERPT // 2, len(source) - _EXCERPT))
    shown = source[start : start + _EXCERPT]
    prefix = "…" if start else ""
    suffix = "…" if start + _EXCERPT < len(source) else ""
    return f"{prefix}{shown}{suffix}", caret - start + len(prefix)


def _append_summary(text: Text, report: LintReport) -> None:
    counts = [
        (report.count(Severity.ERROR), "error", "red"),
        (report.count(Severity.WARNING), "warning", "yellow"),
        (report.count(Severity.INFO), "info", "blue"),
    ]
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    text.append(f"{files} checked: ")
    parts = [
        (f"{n} {word}{'s' if n != 1 and word != 'info' else ''}", s) for n, word, s in counts if n
    ]
    if not parts:
        text.append("no problems")
    for index, (part, style) in enumerate(parts):
        text.append(", " if index else "")
        text.append(part, style)


def _source_lines(file: str) -> list[str]:
    """The lines of ``file`` to quote under its findings (none if it cannot be read)."""
    try:
        content = read_bounded(Path(file), _QUOTED_BYTES)
    except OSError:
        return []
    return content.decode("utf-8", errors="replace").splitlines() if content else []


_QUOTED_BYTES = 64 * 1024 * 1024


def print_rules(console: Console, rules: dict[str, Rule]) -> None:
    """The rules as a table: code, name, default severity, summary."""
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False)
    for column in ("code", "name", "default", "what it finds"):
        table.add_column(column, overflow="fold")
    for code in sorted(rules):
        rule = rules[code]
        table.add_row(code, rule.name, rule.severity.label, rule.summary)
    console.print(table)


# --- koreoctl render ----------------------------------------------------------------------

_OUTCOME_STYLE = {
    "Ok": "green",
    "Skip": "cyan",
    "DepSkip": "dim",
    "Retry": "yellow",
    "PermFail": "red bold",
}


def print_diagnostics(console: Console, diagnostics: Iterable[Diagnostic]) -> None:
    """One line per warning or error (info diagnostics are left out)."""
    for diagnostic in diagnostics:
        if diagnostic.severity > Severity.INFO:
            console.print(format_diagnostic(diagnostic), highlight=False)


def print_render_passes(console: Console, report: RenderReport) -> None:
    """Per render, a table of each top-level step's outcome in each pass (rows: steps, then
    the Workflow and the number of writes; columns: passes), and under it the last message
    of every step that did not end Ok."""
    from koreoctl.cli.render_formats import describe_trigger
    from koreoctl.cli.serialize import describe_outcome
    from koreoctl.outcome import Ok

    for rendered in report.renders:
        result = rendered.result
        state = "steady" if result.converged else "[red]not steady[/]"
        noun = "pass" if len(result.passes) == 1 else "passes"
        console.print(
            f"[bold]{escape(describe_trigger(rendered))}[/] [dim]{escape(rendered.source)}[/]"
            f"  Workflow {escape(result.workflow)}: {state} after {len(result.passes)} {noun}",
            highlight=False,
        )
        for line in _pass_table(result.passes):
            console.print(line, highlight=False, soft_wrap=True)
        last = result.passes[-1].steps if result.passes else ()
        for step in last:
            if not isinstance(step.outcome, Ok):
                text = one_line(describe_outcome(step.outcome))
                console.print(f"  [bold]{escape(step.label)}[/]: {escape(text)}", highlight=False)
        console.print("")


def _pass_table(passes: Sequence[PassReport]) -> list[Text]:
    """The table's lines: padded columns two spaces apart, no trailing spaces."""
    from koreoctl.outcome import type_name

    labels = list(dict.fromkeys(step.label for p in passes for step in p.steps))
    rows: list[list[tuple[str, str]]] = [
        [("step", "bold"), *((str(p.number), "bold") for p in passes)]
    ]
    for label in labels:
        cells = [_step_cell(p, label) for p in passes]
        rows.append([(label, ""), *cells])
    rows.append([("(workflow)", ""), *(_styled(type_name(p.outcome)) for p in passes)])
    rows.append([("(writes)", ""), *((str(len(p.writes)), "") for p in passes)])
    widths = [max(len(row[column][0]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        line = Text("  ")
        for column, (cell, style) in enumerate(row):
            last = column == len(row) - 1
            line.append(cell if last else cell.ljust(widths[column] + 2), style)
        lines.append(line)
    return lines


def _step_cell(report_pass: PassReport, label: str) -> tuple[str, str]:
    from koreoctl.outcome import type_name

    for step in report_pass.steps:
        if step.label == label:
            return _styled(type_name(step.outcome))
    return "-", "dim"


def _styled(name: str) -> tuple[str, str]:
    return name, _OUTCOME_STYLE.get(name, "")


def print_render_problems(console: Console, report: RenderReport) -> None:
    """What makes a render fail, one line each: no steady state (and what kept changing), a
    final PermFail; and the warnings of each render."""
    from koreoctl.cli.render_formats import describe_trigger
    from koreoctl.outcome import PermFail

    for rendered in report.renders:
        result = rendered.result
        what = f"{rendered.source}: {describe_trigger(rendered)}"
        for warning in result.warnings:
            console.print(
                f"[yellow]koreoctl: warning:[/] {escape(what)}: {escape(one_line(warning))}",
                highlight=False,
            )
        if not result.converged:
            changing = "; ".join(result.unstable) or "nothing reported"
            print_error(
                console,
                f"{what}: did not reach steady state in {len(result.passes)} passes; "
                f"still changing: {one_line(changing)}",
            )
        if isinstance(result.outcome, PermFail):
            message = one_line(result.outcome.message or "")
            print_error(console, f"{what}: Workflow {result.workflow} ended in PermFail: {message}")
