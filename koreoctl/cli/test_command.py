"""``koreoctl test``: run FunctionTests and WorkflowTests offline; report as text, JSON or JUnit."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from koreoctl.cli.fn_options import Functions, NoFunctions, chosen, show_report
from koreoctl.cli.output import check_folder_of, write_atomically
from koreoctl.cli.progress import progress_shown
from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import TextTestReporter, make_console, print_updates
from koreoctl.cli.snapshot_options import Snapshot, SnapshotDir, invoked_argv, print_written
from koreoctl.diagnostics import Severity
from koreoctl.errors import UsageError

if TYPE_CHECKING:
    from koreoctl.functest import TestReport


class Format(enum.StrEnum):
    """Report formats."""

    text = "text"
    json = "json"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


# The signature is long because typer reads each option's help from it; the body is short.
def test(
    context: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Projects (Choreo layout: crds/, in/, refs/) or files and folders of Koreo "
            "YAML (.koreo .k .yaml .yml). Default: the current folder.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Report format.", case_sensitive=False)
    ] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file (written atomically); with json or junit, "
            "a text summary still goes to the terminal.",
            dir_okay=False,
        ),
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(
            "-k",
            help="Only run tests whose name or a case (or check) label contains PATTERN "
            "(case-insensitive; *, ? and [] make it a glob).",
            metavar="PATTERN",
        ),
    ] = None,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", "-x", help="Stop after the first test that fails.")
    ] = False,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            "-u",
            help="Accept the actual values: rewrite the expectReturn / expectResource of each "
            "failing FunctionTest case (a WorkflowTest's expectResources / expectTrigger / "
            "expectPasses) in place, from what was produced (comments and formatting "
            "elsewhere are kept). Exit code 0 when every failure was updated.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Show only failures and the summary.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every case, and info diagnostics.")
    ] = False,
    snapshot: Snapshot = None,
    snapshot_dir: SnapshotDir = None,
    offline: Offline = False,
    functions: Functions = None,
    no_functions: NoFunctions = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            help="Run the tests on N processes (Linux; the report is the serial one; "
            "--fail-fast runs serially).",
            min=1,
            metavar="N",
        ),
    ] = 1,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write a self-contained HTML report to FILE (written atomically): "
            "summary, a table per test, every difference, a picture of each Workflow under "
            "test. Opens in any browser, offline.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Run again each time a file changes, only the tests the change can affect; "
            "never stops on a failure. Ctrl-C ends it.",
        ),
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Run only shard I of N: a stable split by test identity, so N CI jobs with "
            "I = 1..N run every test exactly once.",
            metavar="I/N",
        ),
    ] = None,
) -> int:
    """Run the FunctionTests of a Koreo project, offline, as the Koreo engine would.

    Every ResourceFunction write goes to a simulated Kubernetes API server that validates it
    against the project's CRDs. WorkflowTests (koreoctl.dev/v1alpha1) run after them: each
    renders a trigger through its Workflow and checks the result pass by pass. With --update,
    the expectReturn / expectResource of each failing FunctionTest case is rewritten in its
    file from what the function produced. Exit code: 0 when every case passes (with --update:
    every failure was updated), 1 when a case fails, a test cannot run or a file has errors,
    2 for usage errors. With --snapshot, the report is recorded in the project's snapshot
    store, for `koreoctl diff` to compare with other runs.
    """
    from koreoctl import api  # the engine's imports are only paid for by commands that run it
    from koreoctl.snapshots.recording import Recording

    check_folder_of(output)
    check_folder_of(html)
    if watch and (update or snapshot is not None):
        flag = "--update" if update else "--snapshot"
        raise UsageError(f"--watch cannot be used with {flag} (each save would write again)")
    recording = None if watch else Recording(snapshot, snapshot_dir, invoked_argv(context))
    where = paths or ["."]
    run_tests = functools.partial(
        api.test,
        where,
        pattern=pattern,
        fail_fast=fail_fast,
        update=update,
        recording=recording,
        offline=offline,
        functions=chosen(functions, no_functions),
        jobs=jobs,
        shard=_shard(shard),
        draw_workflows=html is not None,
    )
    shown = _Shown(output_format, output, html, 1 if verbose else (-1 if quiet else 0))
    if watch:
        return _watch(where, run_tests, shown)
    with progress_shown():
        report = run_tests()
    return _show(report, shown)


@dataclass(frozen=True)
class _Shown:
    """How a run's report is shown."""

    output_format: Format
    output: Path | None
    html: Path | None
    verbosity: int


def _show(report: TestReport, shown: _Shown) -> int:
    """Print (and write) ``report``; the exit code it gives."""
    output_format, output = shown.output_format, shown.output
    if output_format is Format.text:
        _text(report, output, shown.verbosity)
    else:
        _machine(report, output_format, output, shown.verbosity)
    passed = report.summary.ok
    if report.updates is not None:
        # Notes go to stderr when stdout carries a machine-readable report.
        notes = make_console(stderr=output_format is not Format.text and output is None)
        print_updates(notes, make_console(stderr=True), report.updates)
        passed = passed or (not report.summary.errors and not report.updates.not_updated)
    if shown.html is not None:
        from koreoctl.cli.html_report import tests_to_html

        write_atomically(shown.html, tests_to_html(report, dict(report.graphs)))
    print_written(make_console(stderr=True), report.snapshot)
    load_errors = any(d.severity is Severity.ERROR for d in report.diagnostics)
    fn_code = show_report(report.functions)
    return max(0 if passed and not load_errors else 1, fn_code)


def _watch(paths: list[str], run_tests: Callable[..., TestReport], shown: _Shown) -> int:
    """Run the tests, then again on each change: only those the change can affect."""
    from koreoctl import api
    from koreoctl.cli import watch

    memo = api.LoadMemo()
    last: list[TestReport] = []

    def run(change: watch.Change | None) -> None:
        rerun = None
        if change is not None and not change.settings and last:
            rerun = api.Rerun(last[-1], change.files)
        report = run_tests(memo=memo, rerun=rerun)
        last[:] = [report]
        _show(report, shown)
        if report.reused:
            ran = len(report.tests) - report.reused
            watch_console.print(
                f"[dim]ran {ran} of {len(report.tests)} tests again; {report.reused} "
                "unaffected by the change kept their results[/]",
                highlight=False,
            )

    watch_console = make_console()
    return watch.watch(
        run,
        lambda: watch.scan(paths, memo.parsed_files()),
        watch_console,
        title="koreoctl test " + " ".join(paths),
    )


def _shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    number, _, total = text.partition("/")
    if not (number.isdigit() and total.isdigit() and 1 <= int(number) <= int(total)):
        raise typer.BadParameter(f"{text!r}: use I/N with 1 <= I <= N", param_hint="--shard")
    return int(number), int(total)


def _text(report: object, output: Path | None, verbosity: int) -> None:
    if output is None:
        TextTestReporter(make_console(), verbosity).report(report)  # type: ignore[arg-type]
        return
    from io import StringIO

    buffer = StringIO()
    console = make_console(buffer)
    console.no_color = True
    TextTestReporter(console, verbosity).report(report)  # type: ignore[arg-type]
    write_atomically(output, buffer.getvalue())


def _machine(report: object, output_format: Format, output: Path | None, verbosity: int) -> None:
    from koreoctl.cli import ci_formats
    from koreoctl.cli.serialize import report_to_json, report_to_junit

    render = {
        Format.json: report_to_json,
        Format.junit: report_to_junit,
        Format.github: ci_formats.tests_to_github,
        Format.gitlab: ci_formats.tests_to_gitlab,
    }[output_format]
    text = render(report)  # type: ignore[arg-type]
    if output_format is Format.github:
        ci_formats.append_step_summary(ci_formats.tests_step_summary(report))  # type: ignore[arg-type]
    if output is None:
        typer.echo(text, nl=False)
        return
    write_atomically(output, text)
    TextTestReporter(make_console(), min(verbosity, 0)).report(report)  # type: ignore[arg-type]
