"""The ``--fn`` / ``--no-fn`` options of ``render`` and ``test``, and showing their report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from koreoctl.cli.reporters import make_console

if TYPE_CHECKING:
    from koreoctl.fn.executor import Report

Functions = Annotated[
    list[str] | None,
    typer.Option(
        "--fn",
        help="Run a function over the output: 'FUNCTION ARGS...' (repeat for a sequence; "
        "see `koreoctl fn list`). Default: the project's fn settings (koreoctl.yaml).",
        metavar="'FUNCTION ARGS'",
        show_default=False,
    ),
]
NoFunctions = Annotated[
    bool, typer.Option("--no-fn", help="Run no functions, not even the project's defaults.")
]


def chosen(functions: list[str] | None, no_functions: bool) -> list[str] | None:
    """The ``functions`` argument of ``api.render``/``api.test`` (None: the defaults)."""
    if no_functions:
        return []
    return functions or None


def show_report(report: Report | None) -> int:
    """Print the sequence's results on stderr; the exit code they call for (0, 1 or 2)."""
    if report is None:
        return 0
    from koreoctl.cli.fn_formats import print_text

    print_text(make_console(stderr=True), report)
    return report.exit_code
