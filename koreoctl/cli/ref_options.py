"""The ``--offline`` option every command that loads a project shares."""

from __future__ import annotations

from typing import Annotated

import typer

OFFLINE_ENV = "KOREOCTL_OFFLINE"

Offline = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Never touch the network: the child packages in refs/ must already be in the "
        "cache (the error names each one missing).",
        envvar=OFFLINE_ENV,
    ),
]
