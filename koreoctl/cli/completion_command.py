"""``koreoctl completion bash|zsh|fish``: the shell completion script, for a shell's rc file.

Completion itself is typer's (commands, options, choices such as ``--format`` values, file
names); this command only prints the script for the shell named, where typer's own
``--show-completion`` / ``--install-completion`` guess the shell from the parent process.
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer

HELP = (
    "Print the shell completion script for bash, zsh or fish. Add it to the shell's startup: "
    "bash: `source <(koreoctl completion bash)` in ~/.bashrc; zsh: `source <(koreoctl "
    "completion zsh)` in ~/.zshrc (after compinit); fish: `koreoctl completion fish > "
    "~/.config/fish/completions/koreoctl.fish`."
)


class Shell(enum.StrEnum):
    """Shells typer writes completion scripts for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[
        Shell,
        typer.Argument(
            help="bash, zsh or fish.", case_sensitive=False, show_default=False, metavar="SHELL"
        ),
    ],
) -> int:
    """Print the completion script of ``shell``."""
    # typer keeps the scripts in a private module; tests/cli/test_completion.py runs the bash
    # one in a real bash and checks the zsh and fish ones' protocol, so a change shows.
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="koreoctl", complete_var="_KOREOCTL_COMPLETE", shell=shell.value
    )
    typer.echo(script)
    return 0
