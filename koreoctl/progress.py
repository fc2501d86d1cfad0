"""Progress of a long run, reported by the core and shown (or not) by the CLI.

The core calls `advance` as it goes ("reading files", 12, 74); nothing happens unless a
listener is installed with `listening`, which only the CLI does, and only for a terminal
(`koreoctl.cli.progress`). Reports never change what a run computes or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int], None]  # (what, done, total); total 0 = unknown

_listeners: list[Listener] = []


def advance(what: str, done: int, total: int = 0) -> None:
    """Tell the listener (if any) that ``done`` of ``total`` items of ``what`` are done."""
    if _listeners:
        _listeners[-1](what, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send reports to ``listener`` while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
