"""The ``koreoctl`` command: a typer app, and the one boundary where errors become exit codes.

Exit codes: 0 success · 1 findings (failing tests, load errors) · 2 usage or input error ·
3 internal error (a bug: a short report; the traceback with ``--debug``) · 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated, Any

import typer

from koreoctl import __version__
from koreoctl.cli import (
    completion_command,
    diff_command,
    fn_command,
    graph_command,
    lint_command,
    refs_command,
    render_command,
    schema_command,
    snapshot_command,
    test_command,
)
from koreoctl.cli.color import HELP as COLOR_HELP
from koreoctl.cli.color import ColorMode, color_mode_of_run, set_color_mode
from koreoctl.cli.reporters import make_console, print_error
from koreoctl.errors import KoreoctlError

app = typer.Typer(
    name="koreoctl",
    help=(
        "Offline toolchain for Koreo programs: run FunctionTests and WorkflowTests against a "
        "simulated Kubernetes API server, with the reference Koreo engine's semantics; lint "
        "projects; render Workflows; record runs as snapshots and diff them. No cluster needed."
    ),
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("test", no_args_is_help=False)(test_command.test)
app.command("lint", no_args_is_help=False)(lint_command.lint)
app.command("render", no_args_is_help=False, help=render_command.HELP)(render_command.render)
app.command("diff", no_args_is_help=False, help=diff_command.HELP)(diff_command.diff)
app.command("graph", help=graph_command.HELP)(graph_command.graph)
app.add_typer(snapshot_command.app, name="snapshot")
app.add_typer(refs_command.app, name="refs")
app.add_typer(fn_command.app, name="fn")
app.add_typer(schema_command.app, name="schema")
app.command("completion", help=completion_command.HELP)(completion_command.completion)


def _set_color(value: ColorMode | None) -> None:
    if value is not None:  # a subcommand without --color keeps what `koreoctl --color` said
        set_color_mode(value)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"koreoctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an internal error.")
    ] = False,
    color: Annotated[
        ColorMode | None,
        typer.Option(
            "--color",
            callback=_set_color,
            is_eager=True,  # before --help and before any output
            case_sensitive=False,
            metavar="WHEN",
            help=COLOR_HELP,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Offline toolchain for Koreo programs."""
    del version, debug, color  # handled eagerly / at the error boundary in `run`


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and, as a script, exits with) the exit code."""
    code = run(argv)
    if argv is None:
        sys.exit(code)
    return code


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and map every way it can end to an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    err = make_console(stderr=True)
    try:
        with color_mode_of_run():
            _color_from(args)  # before click: --help after --color is parsed first otherwise
            result = command().main(
                args=args, prog_name="koreoctl", standalone_mode=False, obj={"argv": tuple(args)}
            )
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        return 130
    except typer.TyperException as problem:  # bad flags and arguments: typer explains them
        show = getattr(problem, "show", None)
        if show is not None:
            show()
        else:
            print_error(err, str(problem))
        return 2
    except KeyboardInterrupt:
        print_error(err, "interrupted")
        return 130
    except KoreoctlError as problem:
        print_error(err, str(problem))
        return problem.exit_code
    except Exception as bug:
        return _internal_error(bug, debug)
    return result if isinstance(result, int) else 0


def command() -> Any:
    """The click command typer builds from ``app``, with ``koreoctl``'s own ``--color`` option
    added to every subcommand too, so ``koreoctl test --color never`` and ``koreoctl --color
    never test`` both work (the option sets the mode as it is parsed and passes no value)."""
    root = typer.main.get_command(app)
    color = next(parameter for parameter in root.params if parameter.name == "color")
    color.expose_value = False
    for each in _subcommands(root):
        each.params.append(color)
    return root


def _color_from(args: list[str]) -> None:
    """Apply the last valid ``--color WHEN`` / ``--color=WHEN`` before ``--`` (click checks it,
    and reports a bad one, when it parses the command line)."""
    modes = {mode.value for mode in ColorMode}
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = arg.partition("=")[2] if arg.startswith("--color=") else None
        if arg == "--color" and index + 1 < len(args):
            value = args[index + 1]
        if value is not None and value.lower() in modes:
            set_color_mode(value.lower())


def _subcommands(command: Any) -> list[Any]:
    found = []
    for name in sorted(getattr(command, "commands", {})):
        found += [command.commands[name], *_subcommands(command.commands[name])]
    return found


def _internal_error(bug: Exception, debug: bool) -> int:
    console = make_console(stderr=True)
    print_error(console, f"internal error: {type(bug).__name__}: {bug}")
    if debug:
        console.print(traceback.format_exc(), highlight=False, markup=False)
    else:
        console.print(
            "This is a bug in koreoctl. Run again with --debug for the traceback and report it.",
            highlight=False,
        )
    return 3
