"""``koreoctl render``: what a Workflow makes of a trigger, reconciled until nothing changes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from koreoctl.cli.fn_options import Functions, NoFunctions, chosen, show_report
from koreoctl.cli.progress import progress_shown
from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import (
    make_console,
    print_diagnostics,
    print_error,
    print_render_passes,
    print_render_problems,
)
from koreoctl.cli.snapshot_options import Snapshot, SnapshotDir, invoked_argv, print_written
from koreoctl.diagnostics import Severity
from koreoctl.errors import UsageError

if TYPE_CHECKING:
    from koreoctl.reports import RenderReport

HELP = (
    "Render what a Workflow makes of a trigger: the objects it creates, at steady state.\n\n"
    "koreoctl plays Koreo's controller against a simulated API server that validates every "
    "write against the project's CRDs: it reconciles the Workflow for the trigger, writes the "
    "trigger's status as the controller does, lets the simulated controllers of --observe "
    "write status into the objects, and repeats until a pass changes nothing (at most "
    "--max-passes). The Workflow is the one the trigger's koreo.dev/workflow annotation or "
    "--workflow names, else the one whose crdRef is the trigger's kind.\n\n"
    "Without --trigger, every object in the project whose kind a Workflow's crdRef names is "
    "rendered. A trigger or --state file may hold several documents (or a kind: List).\n\n"
    "Output (-o): yaml (default) prints the objects as YAML documents, each under a comment "
    "naming the Workflow and step that manage it; json prints one report with every pass; "
    "dir=PATH writes <kind>.<namespace>.<name>.yaml files into PATH, which must be new, empty "
    "or made by an earlier render (only the files it lists in PATH/.koreoctl-render are ever "
    "replaced or removed). On a terminal, and with --passes, a table shows each step's "
    "outcome in each pass (on stderr when stdout is not a terminal).\n\n"
    "Exit code: 0 every render reached steady state and none ended in PermFail; 1 one did not "
    "(what kept changing is shown) or ended in PermFail, or a project file has errors; 2 usage "
    "or input errors (no trigger, no Workflow for it, a bad trigger, state or observe file).\n\n"
    "With --snapshot, the render (objects, trigger status, per-pass outcomes) is recorded in "
    "the project's snapshot store, for `koreoctl diff` to compare with other runs.\n\n"
    "Examples:\n\n"
    "  koreoctl render testdata/hello-workload --observe testdata/hello-workload/observe.yaml\n"
    "  koreoctl render . --trigger - -o json < workload.yaml\n"
    "  koreoctl render . -o dir=rendered --include-trigger"
)


# The signature is long because typer reads each option's help from it; the body is short.
def render(
    context: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Projects (Choreo layout) or files and folders of Koreo YAML. Default: the "
            "current folder.",
            show_default=False,
        ),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option(
            "--trigger",
            "-t",
            help="YAML file of trigger objects ('-': standard input). Default: the project's.",
            metavar="FILE",
        ),
    ] = None,
    workflow: Annotated[
        str | None,
        typer.Option(
            "--workflow", "-w", help="Run this Workflow for every trigger.", metavar="NAME"
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="YAML file of objects that already exist in the cluster.",
            metavar="FILE",
        ),
    ] = None,
    observe: Annotated[
        str | None,
        typer.Option(
            "--observe",
            help="YAML file of simulated controllers (controllers: [{match, afterPasses, "
            "status}]), see docs/render.md.",
            metavar="FILE",
        ),
    ] = None,
    max_passes: Annotated[
        int, typer.Option("--max-passes", help="Give up after this many passes.", min=1)
    ] = 10,
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="yaml, json or dir=PATH.", metavar="FORMAT", show_default=True
        ),
    ] = "yaml",
    include_trigger: Annotated[
        bool,
        typer.Option("--include-trigger", help="Output the trigger too, with the status written."),
    ] = False,
    passes: Annotated[
        bool | None,
        typer.Option(
            "--passes/--no-passes",
            help="Show the per-pass table of step outcomes. Default: on a terminal with -o yaml.",
            show_default=False,
        ),
    ] = None,
    snapshot: Snapshot = None,
    snapshot_dir: SnapshotDir = None,
    offline: Offline = False,
    functions: Functions = None,
    no_functions: NoFunctions = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Render again each time a file changes (the Workflow's files or the trigger, "
            "state and observe files); never stops on a failure. Ctrl-C ends it.",
        ),
    ] = False,
) -> int:
    """Render what a Workflow makes of a trigger (the full help is HELP)."""
    from koreoctl import api  # the engine's imports are only paid for by commands that run it
    from koreoctl.snapshots.recording import Recording

    mode, folder = _output_mode(output)
    if watch and ("-" in (trigger, state, observe) or snapshot is not None):
        flag = "--snapshot" if snapshot is not None else "an input from standard input ('-')"
        raise UsageError(f"--watch cannot be used with {flag}")
    where = paths or ["."]
    run_render = functools.partial(
        api.render,
        where,
        trigger=trigger,
        stdin=_stdin(trigger, state, observe),
        workflow=workflow,
        state=state,
        observe=observe,
        max_passes=max_passes,
        recording=None if watch else Recording(snapshot, snapshot_dir, invoked_argv(context)),
        offline=offline,
        functions=chosen(functions, no_functions),
    )
    shown = _Shown(mode, folder, include_trigger, passes)
    if watch:
        return _watch(where, run_render, shown, [trigger, state, observe])
    with progress_shown():
        report = run_render()
    return _show(report, shown)


@dataclass(frozen=True)
class _Shown:
    """How a render is shown."""

    mode: str
    folder: Path | None
    include_trigger: bool
    passes: bool | None


def _show(report: RenderReport, shown: _Shown) -> int:
    """Print (or write) ``report``; the exit code it gives."""
    err = make_console(stderr=True)
    print_diagnostics(err, report.diagnostics)
    if report.error:
        print_error(err, report.error)
    if report.rejected:
        return 2
    _emit(report, shown.mode, shown.folder, shown.include_trigger)
    on_terminal = sys.stdout.isatty()
    passes = shown.passes
    if passes if passes is not None else on_terminal and shown.mode == "yaml":
        print_render_passes(make_console() if on_terminal else err, report)
    print_render_problems(err, report)
    print_written(err, report.snapshot)
    load_errors = any(d.severity is Severity.ERROR for d in report.diagnostics)
    fn_code = show_report(report.functions)
    return max(0 if report.ok and not load_errors else 1, fn_code)


def _watch(
    paths: list[str],
    run_render: Callable[..., RenderReport],
    shown: _Shown,
    inputs: list[str | None],
) -> int:
    """Render, then again on each change that can affect a Workflow (the parse of unchanged
    files is kept)."""
    from koreoctl import api
    from koreoctl.cli import watch

    memo = api.LoadMemo()
    files = [(Path(name), f"input:{name}") for name in inputs if name is not None]
    last: list[RenderReport] = []
    console = make_console()

    def run(change: watch.Change | None) -> None:
        rerun = None
        inputs_changed = change is not None and any(f.startswith("input:") for f in change.files)
        if change is not None and not change.settings and not inputs_changed and last:
            rerun = api.RenderRerun(last[-1], change.files)
        report = run_render(memo=memo, rerun=rerun)
        last[:] = [report]
        _show(report, shown)
        if report.reused:
            console.print(
                "[dim]no change can affect what the Workflows render: the renders above are "
                "the previous ones[/]",
                highlight=False,
            )

    return watch.watch(
        run,
        lambda: watch.scan(paths, [*memo.parsed_files(), *files], skip=shown.folder),
        console,
        title="koreoctl render " + " ".join(paths),
    )


def _output_mode(value: str) -> tuple[str, Path | None]:
    if value in ("yaml", "json"):
        return value, None
    if value.startswith("dir=") and value[len("dir=") :]:
        return "dir", Path(value[len("dir=") :])
    raise typer.BadParameter(f"{value!r}: use yaml, json or dir=PATH", param_hint="'-o'")


def _stdin(*names: str | None) -> str | None:
    """Standard input's text when one input file is ``-`` (at most one may be)."""
    if names.count("-") > 1:
        raise typer.BadParameter("only one of --trigger, --state and --observe can be '-'")
    return sys.stdin.read() if "-" in names else None


def _emit(report: RenderReport, mode: str, folder: Path | None, include_trigger: bool) -> None:
    from koreoctl.cli import render_formats
    from koreoctl.cli.output import write_folder

    if mode == "dir":
        assert folder is not None
        files = render_formats.render_to_files(report, include_trigger)
        removed = write_folder(folder, files)
        note = f"; removed {len(removed)} it no longer renders" if removed else ""
        make_console(stderr=True).print(
            f"wrote {len(files)} file{'s' if len(files) != 1 else ''} to {folder}{note}",
            highlight=False,
            markup=False,
        )
        return
    to_text = render_formats.render_to_json if mode == "json" else render_formats.render_to_yaml
    typer.echo(to_text(report, include_trigger), nl=False)
