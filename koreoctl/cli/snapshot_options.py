"""What the commands that record or read snapshots share: the ``--snapshot`` and
``--snapshot-dir`` options, the arguments the command was run with, and the line that says
a snapshot was written."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

SNAPSHOT_DIR_ENV = "KOREOCTL_SNAPSHOT_DIR"

Snapshot = Annotated[
    bool | None,
    typer.Option(
        "--snapshot/--no-snapshot",
        help="Record this run as an immutable snapshot in the project's store (see `koreoctl "
        "snapshot --help`). Default: as the project's snapshots.record setting says (off).",
        show_default=False,
    ),
]
SnapshotDir = Annotated[
    str | None,
    typer.Option(
        "--snapshot-dir",
        help="The snapshot store. Default: the project's snapshots.dir setting, else "
        ".koreoctl/snapshots in the project.",
        envvar=SNAPSHOT_DIR_ENV,
        metavar="DIR",
    ),
]
Project = Annotated[
    str,
    typer.Option(
        "--project",
        "-p",
        help="The project whose store to use (any path inside it).",
        metavar="PATH",
    ),
]


def invoked_argv(context: typer.Context) -> tuple[str, ...]:
    """The arguments koreoctl was run with (as the snapshot header records them)."""
    obj = context.find_root().obj
    argv = obj.get("argv") if isinstance(obj, dict) else None
    return tuple(argv or ())


def print_written(console: Console, path: str | None) -> None:
    """``snapshot 3f2a9c0b1d4e written: .koreoctl/snapshots/<writer>/<seq>-<hash>.json``."""
    if path is None:
        return
    short = Path(path).stem.partition("-")[2][:12]
    console.print(f"snapshot {short} written: {path}", highlight=False, markup=False)
