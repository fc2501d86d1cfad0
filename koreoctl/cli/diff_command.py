"""``koreoctl diff``: what changed between two recorded runs, or between a git revision and
the working tree."""

from __future__ import annotations

import enum
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from koreoctl.cli.output import write_atomically
from koreoctl.cli.progress import progress_shown
from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import make_console
from koreoctl.cli.snapshot_options import Project, SnapshotDir
from koreoctl.errors import UsageError

if TYPE_CHECKING:
    from koreoctl.snapshots.diff import DiffReport

HELP = (
    "Show what changed between two runs: the objects a render added, removed or changed "
    "(field by field), or the test cases that started or stopped failing.\n\n"
    "With no snapshot named, the latest snapshot is compared with the one before it of the "
    "same command and target; with one, that snapshot with the latest of its history; with "
    "two, A with B. Snapshots come from `koreoctl test --snapshot` and `koreoctl render "
    "--snapshot` and are named by a hash prefix, <writer>/<seq>, @latest, @latest~N or a "
    "file path (see `koreoctl snapshot --help`).\n\n"
    "The shards of a sharded run (`koreoctl test --shard I/N --snapshot`) are compared as one "
    "run: naming any of its shards names the run, its shards' tests together (an incomplete "
    "run is compared with a warning), and @latest~N counts runs; REF:shard names the one "
    "snapshot REF names, alone.\n\n"
    "With --rev REV, nothing recorded is needed: the project is rendered (or tested) as it "
    "is at the git revision REV, its files read from the commit, and as it is in the "
    "working tree, and the two are compared.\n\n"
    "Objects are matched by group, kind, namespace and name; lists of named items "
    "(containers, env, ports, conditions) by their name or type. uid, resourceVersion, "
    "generation, managedFields and timestamps are left out (--no-default-ignores keeps "
    "them); --ignore PATH leaves out more (docs/diff.md gives the path syntax).\n\n"
    "Exit code: 0 (with --exit-code: 0 no differences, 1 differences); 2 usage errors.\n\n"
    "Examples:\n\n"
    "  koreoctl diff\n"
    "  koreoctl diff @latest~1 @latest --format markdown > diff.md\n"
    "  koreoctl diff --rev main --exit-code\n"
    "  koreoctl diff 3f2a9c 7d8e01 --ignore 'metadata.labels[\"build-id\"]'"
)


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Command(enum.StrEnum):
    test = "test"
    render = "render"


# The signature is long because typer reads each option's help from it; the body is short.
def diff(
    first: Annotated[
        str | None, typer.Argument(help="Snapshot A (the older side).", show_default=False)
    ] = None,
    second: Annotated[
        str | None, typer.Argument(help="Snapshot B (the newer side).", show_default=False)
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            help="Compare the project at this git revision with the working tree.",
            metavar="REV",
        ),
    ] = None,
    command: Annotated[
        Command | None,
        typer.Option(
            "--command",
            "-c",
            help="Only snapshots of this command; with --rev, what to run (default: render "
            "when there is a trigger, else test).",
            case_sensitive=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="Leave out this path and everything below it (repeatable; * and ** match "
            "any segment, any depth).",
            metavar="PATH",
        ),
    ] = None,
    default_ignores: Annotated[
        bool,
        typer.Option(
            "--default-ignores/--no-default-ignores",
            help="Leave out uid, resourceVersion, generation, managedFields, timestamps.",
        ),
    ] = True,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the diff to this file (atomically).", dir_okay=False
        ),
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit with 1 when there are differences.")
    ] = False,
    project: Project = ".",
    snapshot_dir: SnapshotDir = None,
    pattern: Annotated[
        str | None,
        typer.Option("-k", help="With --rev and test: only these tests.", metavar="PATTERN"),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option("--trigger", "-t", help="With --rev: the trigger file.", metavar="FILE"),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option("--workflow", "-w", help="With --rev: the Workflow.", metavar="NAME"),
    ] = None,
    observe: Annotated[
        str | None,
        typer.Option(
            "--observe", help="With --rev: simulated controllers (see render).", metavar="FILE"
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option("--state", help="With --rev: objects that already exist.", metavar="FILE"),
    ] = None,
    offline: Offline = False,
) -> int:
    """What changed between two runs (the full help is HELP)."""
    from koreoctl import api

    patterns = tuple(ignore or ())
    chosen = command.value if command is not None else None
    if rev is not None:
        if first is not None:
            raise UsageError("--rev compares with the working tree: name no snapshot with it")
        with progress_shown():
            compared = api.diff_rev(
                rev,
                project=project,
                command=chosen,
                ignore=patterns,
                defaults=default_ignores,
                pattern=pattern,
                trigger=trigger,
                workflow=workflow,
                state=state,
                observe=observe,
                offline=offline,
            )
    else:
        if trigger or workflow or observe or state or pattern:
            raise UsageError("--trigger, --workflow, --observe, --state and -k need --rev")
        with progress_shown():
            compared = api.diff(
                first,
                second,
                project=project,
                directory=snapshot_dir,
                command=chosen,
                ignore=patterns,
                defaults=default_ignores,
            )
    err = make_console(stderr=True)
    for problem in compared.problems:
        err.print(f"koreoctl: warning: {problem} (skipped)", highlight=False, markup=False)
    for warning in compared.report.warnings:
        err.print(f"koreoctl: warning: {warning}", highlight=False, markup=False)
    for note in compared.notes:
        err.print(f"koreoctl: note: {note}", highlight=False, markup=False)
    _emit(compared.report, output_format, output)
    return 1 if exit_code and compared.report.has_differences else 0


def _emit(report: DiffReport, output_format: Format, output: Path | None) -> None:
    from koreoctl.cli import diff_formats

    if output_format is Format.json:
        text = diff_formats.diff_to_json(report)
    elif output_format is Format.markdown:
        text = diff_formats.diff_to_markdown(report)
    elif output is None:
        diff_formats.print_diff(make_console(), report)
        return
    else:
        buffer = StringIO()
        console = make_console(buffer)
        console.no_color = True
        diff_formats.print_diff(console, report)
        text = buffer.getvalue()
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(output, text)
