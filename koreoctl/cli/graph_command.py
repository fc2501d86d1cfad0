"""``koreoctl graph``: a picture of one Workflow (Mermaid, Graphviz dot or SVG) on stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import make_console, print_diagnostics, print_error
from koreoctl.errors import UsageError

HELP = (
    "Draw a Workflow: its steps, the Functions (and sub-workflows, templates and overlay "
    "functions) each step calls, and the data edges between steps, from the step references "
    "in their expressions (=steps.X in inputs, skipIf, forEach.itemIn, state, switchOn), each "
    "labelled with the fields that read it. forEach, refSwitch (one edge per case), skipIf "
    "and condition are marked on the step; a step Koreo cannot prepare is drawn in red.\n\n"
    "Output (-o): mermaid (default; a flowchart for Markdown), dot (Graphviz) or svg (laid "
    "out by koreoctl, no Graphviz needed). See docs/graph.md.\n\n"
    "Exit code: 0 drawn; 1 the Workflow cannot be loaded (its errors are shown); 2 usage "
    "errors (no such Workflow, a bad -o).\n\n"
    "Examples:\n\n"
    "  koreoctl graph hello-workload testdata/hello-workload\n"
    "  koreoctl graph hello-workload/hello-workload . -o svg > workflow.svg"
)


def graph(
    workflow: Annotated[
        str, typer.Argument(help="The Workflow: NAME or NAMESPACE/NAME.", show_default=False)
    ],
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Projects (Choreo layout) or files and folders of Koreo YAML. Default: the "
            "current folder.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="mermaid, dot or svg.", metavar="FORMAT")
    ] = "mermaid",
    offline: Offline = False,
) -> int:
    """Draw a Workflow (the full help is HELP)."""
    # loading pulls in CEL: only this command pays for it
    from koreoctl import api
    from koreoctl import graph as drawing
    from koreoctl.program import Unloadable

    if output not in drawing.FORMATS:
        raise UsageError(f"-o {output!r}: use {', '.join(drawing.FORMATS)}")
    where = paths or ["."]
    loaded = api.load(where, offline=offline)
    found = drawing.select_workflow(loaded.program, workflow, ", ".join(where))
    if isinstance(found, Unloadable):
        err = make_console(stderr=True)
        print_diagnostics(err, found.diagnostics)
        reason = found.failure.message if found.failure else "Koreo cannot load it"
        print_error(err, f"Workflow {workflow!r} cannot be drawn: {reason}")
        return 1
    picture = drawing.build_graph(loaded.program, found)
    render = {"mermaid": drawing.to_mermaid, "dot": drawing.to_dot, "svg": drawing.to_svg}
    typer.echo(render[output](picture), nl=False)
    return 0
