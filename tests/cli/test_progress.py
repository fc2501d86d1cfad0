"""The progress line: on a terminal only, after a delay, erased before the report."""

from __future__ import annotations

import io
import os
import time

import pytest
from rich.console import Console

from koreoctl import api
from koreoctl.cli.progress import progress_shown, wanted
from koreoctl.parallel import can_fork
from koreoctl.progress import advance
from tests.cli.clitools import REPOSITORY, cli

PROJECT = str(REPOSITORY / "testdata" / "hello-koreo")


@pytest.fixture
def terminal() -> io.TextIOWrapper:
    """The writing end of a real pseudo-terminal."""
    _, replica = os.openpty()
    stream = os.fdopen(replica, "w")
    yield stream
    stream.close()


def test_wanted_on_a_terminal_only(
    terminal: io.TextIOWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(terminal)
    assert not wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wanted(terminal)  # a CI log, even when the runner gives it a terminal
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(terminal)


def _drawn(buffer: io.StringIO, text: str) -> bool:
    for _ in range(200):  # the display draws from its own thread: wait for it (up to ~10 s)
        if text in buffer.getvalue():
            return True
        time.sleep(0.05)
    return False


def test_shows_what_the_core_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("koreoctl.cli.progress.REDRAW", 0.0)  # draw every report
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with progress_shown(console, delay=0):
        advance("reading files", 3, 7)
        assert _drawn(buffer, "reading files")
        assert _drawn(buffer, "3/7")
        advance("running tests", 5, 9)
        assert _drawn(buffer, "5/9")


def test_the_line_leaves_forking_possible() -> None:
    """No thread draws it: a running progress line must not turn `test -j` serial."""
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with progress_shown(console, delay=0):
        advance("running tests", 1, 2)
        assert can_fork()


def test_nothing_before_the_delay() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with progress_shown(console, delay=600):
        advance("reading files", 1, 2)
    assert buffer.getvalue() == ""


def test_a_run_reports_its_phases() -> None:
    seen: list[tuple[str, int, int]] = []
    from koreoctl.progress import listening

    with listening(lambda *report: seen.append(report)):
        api.test([PROJECT])
    phases = [what for what, _, _ in seen]
    assert "reading files" in phases
    assert "running tests" in phases
    assert seen[-1] == ("running tests", 2, 2)  # hello-koreo has two FunctionTests


def test_nothing_in_a_pipe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("koreoctl.cli.progress.DELAY", 0.0)
    # --color always makes rich treat the pipe as a terminal: only `wanted` keeps it clean
    code, out, err = cli(capsys, "test", PROJECT, "--color", "always")
    assert code == 0
    assert "\x1b[?25l" not in out + err  # rich hides the cursor while it draws a progress line
    assert out.endswith("9 passed, 0 failed\n")
    assert "reading files" not in out + err
