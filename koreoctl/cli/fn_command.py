"""``koreoctl fn``: ConfigHub-style functions over a unit of Kubernetes YAML, offline."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from koreoctl.cli.progress import progress_shown
from koreoctl.cli.reporters import make_console

HELP = (
    "Read, change and check a unit of Kubernetes YAML (a multi-document file, such as "
    "`koreoctl render` prints) with typed functions: readonly (get-*), mutating (set-*, "
    "delete-*, ensure-*) and validating (vet-*). Paths are associative: "
    "spec.template.spec.containers.?name=app.image names the image of the container called "
    "app. Nothing is sent anywhere; only `fn do --in-place` writes a file.\n\n"
    "`koreoctl fn list` lists the functions, `koreoctl fn explain NAME` shows one with "
    "examples, `koreoctl fn do FILE|- FUNCTION [ARGS...] [-- FUNCTION ARGS...]` runs a "
    "sequence. See docs/fn.md."
)

DO_HELP = (
    "Run a sequence of functions over the unit in FILE (- reads standard input).\n\n"
    "Steps are separated by --; arguments are positional or --name=value. koreoctl's own "
    "options go before FILE. Every step is checked before anything runs: an unknown "
    "function, a missing or ill-typed argument, an invalid path or CEL expression is an "
    "error (exit code 2) and nothing is read or written.\n\n"
    "Output (--format): yaml (default) prints the unit after a sequence that mutates "
    "(comments and key order kept; unchanged documents byte for byte), with the record of "
    "changes and any validation results on stderr; a sequence that does not mutate prints "
    "its outputs as YAML. text prints values, validation results (each failed attribute "
    "with its file:line) and changes for a person; json prints the whole report and the "
    "unit's text.\n\n"
    "Exit codes: 0 every validation passed, 1 a validation failed, 2 bad input or a "
    "function that could not run. The first --filters N validating functions are filters: "
    "one that fails ends the sequence quietly (exit 0). --stop-on-error ends it at the "
    "first failing validation or error."
)

CHANGES_SHOWN = 20  # on stderr, beside the unit; --format text and json list them all

app = typer.Typer(
    name="fn",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("list")
def list_functions() -> int:
    """List every function: its name, kind and what it does."""
    from koreoctl import api

    table = api.fn_table().registry.table()
    width = max(len(name) for name, _, _ in table)
    out = make_console()
    for name, kind, summary in table:
        out.print(f"{name:<{width}}  {kind:<10}  {summary}", highlight=False, markup=False)
    return 0


@app.command("explain")
def explain(
    name: Annotated[str, typer.Argument(help="The function.", show_default=False)],
) -> int:
    """Show a function's usage, parameters, output and examples."""
    from koreoctl import api

    page = api.fn_table().registry.explain(name)
    make_console().print(page, highlight=False, markup=False)
    return 0


@app.command(
    "do",
    help=DO_HELP,
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
def do(
    file: Annotated[
        str,
        typer.Argument(
            help="The unit: a YAML file, or - for stdin.", metavar="FILE|-", show_default=False
        ),
    ],
    sequence: Annotated[
        list[str],
        typer.Argument(
            help="FUNCTION [ARGS...] [-- FUNCTION [ARGS...]]...",
            metavar="FUNCTION [ARGS]...",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="yaml, json or text.", metavar="FORMAT"),
    ] = "yaml",
    in_place: Annotated[
        bool,
        typer.Option(
            "--in-place",
            "-i",
            help="Write the changed unit back to FILE (only when every validation passed).",
        ),
    ] = False,
    stop_on_error: Annotated[
        bool,
        typer.Option("--stop-on-error", help="Stop at the first failing validation or error."),
    ] = False,
    filters: Annotated[
        int,
        typer.Option(
            "--filters",
            help="The first N validating functions filter: a failure stops quietly.",
            min=0,
            metavar="N",
        ),
    ] = 0,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            "-p",
            help="The project whose crds/ vet-schemas uses (default: found above FILE).",
            metavar="PATH",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No change record on stderr.")
    ] = False,
) -> int:
    """Run a sequence of functions over a unit."""
    from koreoctl import api
    from koreoctl.cli.fn_formats import outputs_yaml, print_text, report_json
    from koreoctl.errors import UsageError

    if output_format not in ("yaml", "json", "text"):
        raise UsageError(f"--format {output_format!r}: use yaml, json or text")
    if in_place and file == "-":
        raise UsageError("--in-place needs a file, not standard input")
    if sequence and sequence[0] == "--":
        sequence = sequence[1:]  # `fn do FILE -- FUNCTION ...` reads as well
    with progress_shown():
        run = api.fn_do(
            file,
            sequence,
            stdin=sys.stdin.read() if file == "-" else None,
            in_place=in_place,
            filters=filters,
            stop_on_error=stop_on_error,
            project=project,
        )
    report = run.report
    out, err = make_console(), make_console(stderr=True)
    if output_format == "json":
        sys.stdout.write(report_json(report, run.text))
    elif output_format == "text":
        print_text(out, report)
    elif report.mutating and not in_place:
        sys.stdout.write(run.text or "")
        sys.stdout.flush()
        print_text(err, report, changes=not quiet, limit=CHANGES_SHOWN)
    elif report.mutating:
        print_text(err, report, changes=not quiet, limit=CHANGES_SHOWN)
    else:
        sys.stdout.write(outputs_yaml(report))
    if run.written:
        err.print(f"wrote {run.source}", highlight=False, markup=False)
    elif run.not_written:
        err.print(f"{run.source} not written: {run.not_written}", highlight=False, markup=False)
    elif in_place and report.mutating and not quiet:
        err.print(f"{run.source} unchanged", highlight=False, markup=False)
    return report.exit_code
