"""Shell completion: ``koreoctl completion bash|zsh|fish`` and the completions it leads to."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, cli

BIN = Path(sys.executable).parent


def _koreoctl_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **extra}


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _koreoctl_completion koreoctl"),
        ("zsh", "#compdef koreoctl"),
        ("fish", "complete --command koreoctl"),
    ],
)
def test_script_for_each_shell(capsys: pytest.CaptureFixture[str], shell: str, marker: str) -> None:
    code, out, _ = cli(capsys, "completion", shell)
    assert code == 0
    assert marker in out
    assert "_KOREOCTL_COMPLETE=complete_" + shell in out


def test_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "completion", "tcsh")
    assert code == 2
    assert "tcsh" in err


def _bash_completes(words: list[str]) -> list[str]:
    """COMPREPLY after bash runs koreoctl's completion function for ``words`` (the last one
    being completed), the way bash itself calls it."""
    script = (
        "source <(koreoctl completion bash)\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_koreoctl_completion koreoctl\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env=_koreoctl_env(),
        cwd=REPOSITORY,
        check=True,
        timeout=120,
    )
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices() -> None:
    assert _bash_completes(["koreoctl", "te"]) == ["test"]
    assert _bash_completes(["koreoctl", "sn"]) == ["snapshot"]
    assert "--shard" in _bash_completes(["koreoctl", "test", "--sh"])
    assert _bash_completes(["koreoctl", "test", "--format", "g"]) == ["github", "gitlab"]
    assert _bash_completes(["koreoctl", "lint", "--color", "n"]) == ["never"]
    assert _bash_completes(["koreoctl", "completion", "z"]) == ["zsh"]


def _typer_protocol(shell: str, line: str, **extra: str) -> str:
    """What koreoctl answers the zsh / fish completion functions (they pass the command line
    in _TYPER_COMPLETE_ARGS; zsh and fish themselves are not needed to check the answer)."""
    done = subprocess.run(
        [sys.executable, "-m", "koreoctl"],
        capture_output=True,
        text=True,
        env=_koreoctl_env(
            _KOREOCTL_COMPLETE=f"complete_{shell}", _TYPER_COMPLETE_ARGS=line, **extra
        ),
        cwd=REPOSITORY,
        check=False,
        timeout=120,
    )
    return done.stdout


def test_zsh_answer_names_the_commands_with_their_help() -> None:
    answer = _typer_protocol("zsh", "koreoctl te")
    assert answer.startswith("_arguments '*: :((")
    assert '"test":"Run the FunctionTests' in answer
    assert '"lint"' not in answer


def test_fish_answer_lists_the_choices() -> None:
    answer = _typer_protocol(
        "fish", "koreoctl test --format ", _TYPER_COMPLETE_FISH_ACTION="get-args"
    )
    assert answer.split() == ["text", "json", "junit", "github", "gitlab"]
