"""``koreoctl schema export DIR``: the JSON Schemas of every kind, for editors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = (
    "JSON Schemas of the Koreo kinds (ValueFunction, ResourceFunction, ResourceTemplate, "
    "Workflow, FunctionTest), koreoctl's own (WorkflowTest, PackageRef) and koreoctl.yaml, "
    "for the YAML language server. See docs/editors.md."
)

app = typer.Typer(
    name="schema",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


EXPORT_HELP = (
    "Write the schemas into DIR (created when missing; files already there are replaced): "
    "one <Kind>.schema.json per kind, koreo.schema.json for any document of a .koreo file, "
    "and koreoctl-config.schema.json for koreoctl.yaml. Prints the files written."
)


@app.command("export", help=EXPORT_HELP)
def export(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="The folder to write to (created when missing).", show_default=False
        ),
    ],
) -> int:
    """Write every schema into ``directory``; print each file written."""
    from koreoctl.model.schema.export import export as write_schemas

    for path in write_schemas(directory):
        typer.echo(path.as_posix())
    return 0
