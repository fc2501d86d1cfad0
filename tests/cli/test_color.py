"""``--color auto|always|never`` on every command, and NO_COLOR."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from koreoctl.cli.app import command
from koreoctl.cli.color import ColorMode, color_mode
from tests.cli.clitools import REPOSITORY, cli

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
PROJECT = str(REPOSITORY / "testdata" / "hello-koreo")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "PY_COLORS"):
        monkeypatch.delenv(name, raising=False)


def _names(command_object: object) -> list[tuple[str, object]]:
    found = [("koreoctl", command_object)]
    for name, sub in sorted(getattr(command_object, "commands", {}).items()):
        found += [(f"{path} {name}" if path != "koreoctl" else name, c) for path, c in _names(sub)]
    return found


def test_every_command_takes_color() -> None:
    missing = [
        path
        for path, each in _names(command())
        if not any("--color" in getattr(p, "opts", ()) for p in each.params)
    ]
    assert missing == []


def test_always_colours_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", PROJECT, "--color", "always")
    assert code == 0
    assert "\x1b[32mPASS\x1b[0m" in out  # green PASS, although stdout is not a terminal


def test_always_beats_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = cli(capsys, "--color", "always", "test", PROJECT)
    assert code == 0
    assert ESCAPE.search(out)


def test_auto_writes_no_colour_to_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", PROJECT)
    assert code == 0
    assert "PASS bucket-test" in out
    assert not ESCAPE.search(out)


def test_the_mode_does_not_outlive_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "test", PROJECT, "--color", "always")
    assert color_mode() is ColorMode.auto


def test_bad_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "lint", PROJECT, "--color", "sometimes")
    assert code == 2
    assert "sometimes" in err


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What koreoctl writes to a real pseudo-terminal (script(1) gives it one)."""
    koreoctl = f"{sys.executable} -m koreoctl " + " ".join(args)
    done = subprocess.run(
        ["script", "-qec", koreoctl, os.devnull],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env={**env, "TERM": "xterm-256color"},
        check=False,
        timeout=120,
    )
    return done.stdout


@pytest.mark.skipif(shutil.which("script") is None, reason="script(1) is not installed")
def test_a_terminal_is_coloured_unless_told_otherwise() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    coloured = _on_a_terminal("test", "testdata/hello-koreo", env=env)
    assert "\x1b[32mPASS" in coloured
    no_color = _on_a_terminal("test", "testdata/hello-koreo", env={**env, "NO_COLOR": "1"})
    assert "PASS bucket-test" in no_color
    assert "\x1b[32m" not in no_color  # NO_COLOR: no colour (rich keeps dim, which is no colour)
    never = _on_a_terminal("test", "testdata/hello-koreo", "--color", "never", env=env)
    assert "PASS bucket-test" in never
    assert not ESCAPE.search(never)  # never: no escape codes at all
    lint_never = _on_a_terminal("--color", "never", "lint", "testdata/hello-koreo", env=env)
    assert lint_never.strip()
    assert not ESCAPE.search(lint_never)
    help_never = _on_a_terminal("test", "--help", "--color", "never", env=env)
    assert "--color" in help_never
    assert not ESCAPE.search(help_never)
