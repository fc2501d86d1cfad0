"""A progress line (rich) for runs longer than a second, on a terminal only.

Shown when standard output is a real terminal (not merely ``--color always``), ``CI`` is not
set and ``TERM`` is not ``dumb``; it appears only once the run has taken ``DELAY`` seconds,
so quick runs never flicker, and it is transient: it is erased before the report is printed,
so what is left on the screen is exactly what a log would hold. The core says what it is
doing through `koreoctl.progress`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from koreoctl.cli.reporters import make_console
from koreoctl.progress import listening

DELAY = 1.0  # seconds a run takes before its progress is shown


def wanted(stream: Any = None) -> bool:
    """Whether a progress line belongs on ``stream`` (stdout by default)."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress_shown(console: Console | None = None, *, delay: float | None = None) -> Iterator[None]:
    """Show the core's progress reports on ``console`` (stdout's) while the block runs, from
    ``delay`` (default `DELAY`) seconds on; nothing at all when `wanted` says no (a pipe, a
    log, CI)."""
    if console is None:
        if not wanted():
            yield
            return
        console = make_console()
    display = _Display(console)
    timer = threading.Timer(DELAY if delay is None else delay, display.start)
    timer.daemon = True
    timer.start()
    try:
        with listening(display.update):
            yield
    finally:
        timer.cancel()
        display.stop()


class _Display:
    """The latest report, drawn once started; reports from forked workers are ignored."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.state: tuple[str, int, int] = ("working", 0, 0)
        self.progress: Progress | None = None
        self.task: Any = None
        self.stopped = False

    def update(self, what: str, done: int, total: int) -> None:
        if os.getpid() != self.pid:
            return
        with self.lock:
            self.state = (what, done, total)
            if self.progress is not None:
                self._draw()

    def start(self) -> None:
        with self.lock:
            if self.stopped or self.progress is not None:
                return
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.progress.add_task(self.state[0], total=None)
            self._draw()
            self.progress.start()

    def _draw(self) -> None:
        assert self.progress is not None
        what, done, total = self.state
        self.progress.update(self.task, description=what, completed=done, total=total or None)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            if self.progress is not None:
                self.progress.stop()
