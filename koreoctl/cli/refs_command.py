"""``koreoctl refs``: lock, update and list the child packages a project's ``refs/`` names."""

from __future__ import annotations

from typing import Annotated

import typer

from koreoctl.cli.progress import progress_shown
from koreoctl.cli.ref_options import Offline
from koreoctl.cli.reporters import make_console

HELP = (
    "Pin, move and list the child packages of a project: the PackageRef (or Choreo "
    "UpstreamRef) documents in refs/, each a git url, a commit, tag or branch, a directory "
    "and a type (all: its logic, CRDs and data; crd: its CRDs only).\n\n"
    "`koreoctl refs lock` resolves every reference (a tag or branch once) and writes "
    "koreoctl.lock at the project root; commit it. Every other command loads each package "
    "at its locked commit, read from the git object database of a cache shared between "
    "projects ($KOREOCTL_CACHE_DIR, else $XDG_CACHE_HOME/koreoctl), fetching only a commit "
    "the cache lacks, and fails when the lock is missing or no longer matches refs/. "
    "`koreoctl refs update [NAME]` moves tags and branches to where they are now.\n\n"
    "Refused (exit code 2): ext:: and other command-running transports, http://, urls and "
    "refs starting with '-', directories that are absolute or climb out with '..', "
    "symbolic links leaving the package, submodules, and packages over the size limits."
)

app = typer.Typer(
    name="refs",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ProjectArgument = Annotated[
    str, typer.Option("--project", "-p", help="The project (its folder).", metavar="PATH")
]


@app.command("lock")
def lock(project: ProjectArgument = ".", offline: Offline = False) -> int:
    """Resolve every reference and write koreoctl.lock (entries that still match are kept)."""
    from koreoctl import api

    with progress_shown():
        locked = api.refs_lock(project, offline=offline)
    _report(locked, "locked")
    return 0


@app.command("update")
def update(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="The references to move (default: all).", show_default=False),
    ] = None,
    project: ProjectArgument = ".",
    offline: Offline = False,
) -> int:
    """Resolve tags and branches again and move koreoctl.lock to where they are now."""
    from koreoctl import api

    with progress_shown():
        locked = api.refs_lock(project, update=True, names=tuple(names or ()), offline=offline)
    _report(locked, "updated")
    return 0


@app.command("list")
def list_refs(project: ProjectArgument = ".") -> int:
    """Each reference, its locked commit and whether the cache has it (never fetches)."""
    from koreoctl import api

    console = make_console()
    rows = [("NAME", "TYPE", "REF", "LOCKED", "CACHE", "URL")]
    for state in api.refs_list(project):
        locked = state.locked[:12] if state.locked else "-"
        cache = "cached" if state.cached else "missing"
        if state.problem:
            cache = "stale"
        rows.append((state.name, state.type, state.ref, locked, cache, state.url))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1]))
        console.print(f"{line}  {row[-1]}", highlight=False, markup=False)
    return 0


def _report(locked: object, verb: str) -> None:
    from koreoctl.api import RefsLocked

    assert isinstance(locked, RefsLocked)
    console = make_console()
    err = make_console(stderr=True)
    for note in locked.diagnostics:
        err.print(str(note), highlight=False, markup=False)
    for package in locked.packages:
        console.print(
            f"{package.name}  {package.ref.kind} {package.ref.value}  -> {package.commit[:12]}",
            highlight=False,
            markup=False,
        )
    state = f"{verb}: {locked.lock_file}" if locked.changed else f"{locked.lock_file} is up to date"
    console.print(
        f"{len(locked.packages)} reference{'s' if len(locked.packages) != 1 else ''}; {state}",
        highlight=False,
        markup=False,
    )
