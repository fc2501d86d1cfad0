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
import time
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
REDRAW = 0.05  # seconds between two drawings of the line, at most


def real_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal that can be drawn on (a real one, not merely
    ``--color always``; not ``TERM=dumb``)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def wanted(stream: Any = None) -> bool:
    """Whether a progress line belongs on ``stream`` (stdout by default): a real terminal,
    and not a CI job's."""
    return not os.environ.get("CI") and real_terminal(sys.stdout if stream is None else stream)


@contextmanager
def progress_shown(console: Console | None = None, *, delay: float | None = None) -> Iterator[None]:
    """Show the core's progress reports on ``console`` (stdout's) while the block runs, from
    ``delay`` (default `DELAY`) seconds on; nothing at all when `wanted` says no (a pipe, a
    log, CI). The line is drawn by the reports themselves, never by a thread: a thread would
    keep ``-j`` from forking (`koreoctl.parallel.can_fork`)."""
    if console is None:
        if not wanted():
            yield
            return
        console = make_console()
    display = _Display(console, DELAY if delay is None else delay)
    try:
        with listening(display.update):
            yield
    finally:
        display.stop()


class _Display:
    """The latest report, drawn once the run is ``delay`` old (at most every `REDRAW`
    seconds); reports from forked workers are ignored."""

    def __init__(self, console: Console, delay: float) -> None:
        self.console = console
        self.pid = os.getpid()
        self.shown_from = time.monotonic() + delay
        self.drawn_at = 0.0
        self.progress: Progress | None = None
        self.task: Any = None

    def update(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if os.getpid() != self.pid or now < self.shown_from:
            return
        if self.progress is None:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                auto_refresh=False,  # no refresh thread (see progress_shown)
            )
            self.task = self.progress.add_task(what, total=None)
            self.progress.start()
        self.progress.update(self.task, description=what, completed=done, total=total or None)
        if now - self.drawn_at >= REDRAW or (total and done >= total):
            self.progress.refresh()
            self.drawn_at = now

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
