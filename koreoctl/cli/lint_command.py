"""``koreoctl lint``: every problem in a Koreo project, as text, JSON, GitHub or SARIF."""

from __future__ import annotations

import enum
import functools
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from koreoctl.cli.output import write_atomically
from koreoctl.cli.progress import progress_shown
from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import TextLintReporter, make_console, print_rules

if TYPE_CHECKING:
    from koreoctl.lint import LintReport


class LintFormat(enum.StrEnum):
    """Report formats."""

    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"
    sarif = "sarif"
    markdown = "markdown"


# The signature is long because typer reads each option's help from it; the body is short.
def lint(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Projects, folders or files (a file is checked as part of its project, so "
            "pre-commit can pass changed files). Default: the current folder.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format (markdown: only with --list-rules).",
            case_sensitive=False,
        ),
    ] = LintFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file.", dir_okay=False),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Lowest severity that makes the exit code 1: error (default), warning, info, "
            "never.",
            metavar="LEVEL",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", help="Only these rule codes or prefixes (repeatable).", metavar="CODE"
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="Never report these codes or prefixes (repeatable).", metavar="CODE"
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Analyse every file again; do not use .koreoctl/cache/."),
    ] = False,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List every rule and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Show only errors.")] = False,
    offline: Offline = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Lint again each time a file changes (only changed files are analysed again; "
            "the cache keeps the rest); never stops on findings. Ctrl-C ends it.",
        ),
    ] = False,
) -> int:
    """Check a Koreo project for problems: YAML, schemas, CEL, references, workflows, CRDs.

    Every finding is reported at file:line:col with a stable rule code (--list-rules shows
    them all). A file or folder inside a project is checked as part of the whole project, so
    references resolve, but only its own findings are reported.

    Configure rules in \\[tool.koreoctl.lint] of pyproject.toml or under lint: in
    koreoctl.yaml; silence one line with "# koreoctl: disable=CODE" on it or on the line above.

    Exit code: 0 clean, 1 findings at or above --fail-on, 2 usage errors.
    """
    if list_rules:
        from koreoctl.lint.registry import RULES, rules_markdown

        if output_format is LintFormat.markdown:
            _emit(rules_markdown(), output)
        else:
            print_rules(make_console(), RULES)
        return 0
    if output_format is LintFormat.markdown:
        raise typer.BadParameter("markdown is only for --list-rules", param_hint="--format")
    from koreoctl import api

    where = paths or ["."]
    run_lint = functools.partial(
        api.lint,
        where,
        select=select,
        ignore=ignore,
        fail_on=fail_on,
        use_cache=not no_cache,
        offline=offline,
    )
    verbosity = -1 if quiet else 0
    if watch:
        from koreoctl.cli.watch import scan
        from koreoctl.cli.watch import watch as watch_loop

        return watch_loop(
            lambda _: _show(run_lint(), output_format, output, verbosity),
            lambda: scan(where),
            make_console(),
            title="koreoctl lint " + " ".join(where),
        )
    with progress_shown():
        report = run_lint()
    return _show(report, output_format, output, verbosity)


def _show(
    report: LintReport, output_format: LintFormat, output: Path | None, verbosity: int
) -> int:
    """Print (or write) ``report``; the exit code it gives."""
    if output_format is LintFormat.text and output is None:
        TextLintReporter(make_console(), verbosity).report(report)
    else:
        _emit(_render(report, output_format, verbosity), output)
        if output is not None:
            TextLintReporter(make_console(), -1).report(report)
    return 1 if report.failed else 0


def _render(report: LintReport, output_format: LintFormat, verbosity: int) -> str:
    from koreoctl.cli import lint_formats
    from koreoctl.lint.registry import RULES

    if output_format is LintFormat.text:
        buffer = StringIO()
        TextLintReporter(make_console(buffer), verbosity).report(report)
        return buffer.getvalue()
    from koreoctl.cli import ci_formats

    render = {
        LintFormat.json: lint_formats.lint_to_json,
        LintFormat.github: ci_formats.lint_to_github,
        LintFormat.gitlab: ci_formats.lint_to_gitlab,
        LintFormat.sarif: lint_formats.lint_to_sarif,
    }[output_format]
    if output_format is LintFormat.github:
        ci_formats.append_step_summary(ci_formats.lint_step_summary(report, RULES))
    return render(report, RULES)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)
