"""Colour: ``--color auto|always|never`` on every command, and ``NO_COLOR``.

``auto`` (the default) colours only a terminal, and not when ``NO_COLOR`` is set to anything
non-empty (https://no-color.org); ``always`` colours even a pipe or a log file, whatever
``NO_COLOR`` says (the flag is the more specific wish); ``never`` writes no escape codes at
all, not even bold. The mode is the process's: `koreoctl.cli.app` adds the option to every
command and sets it before the command runs, and every console is made by
`koreoctl.cli.reporters.make_console`, which asks `console_settings` here. typer's own help and
usage errors follow it too.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class ColorMode(enum.StrEnum):
    """When to write colour."""

    auto = "auto"
    always = "always"
    never = "never"


_mode = ColorMode.auto

HELP = "When to colour: auto (a terminal without NO_COLOR), always or never."


def color_mode() -> ColorMode:
    """The mode the running command asked for (``auto`` unless ``--color`` said otherwise)."""
    return _mode


def set_color_mode(mode: ColorMode | str) -> None:
    """Use ``mode`` from now on, for this process's consoles and typer's help."""
    global _mode
    _mode = ColorMode(mode)
    _apply_to_typer(_mode)


@contextmanager
def color_mode_of_run() -> Iterator[None]:
    """Restore the mode (``auto``) when a run ends, so runs in one process do not leak it."""
    try:
        yield
    finally:
        set_color_mode(ColorMode.auto)


def console_settings() -> dict[str, Any]:
    """Keyword arguments for a rich ``Console`` in the current mode."""
    if _mode is ColorMode.never:
        return {"color_system": None, "no_color": True}
    if _mode is ColorMode.always:
        return {"force_terminal": True, "no_color": False, "color_system": _forced_colors()}
    return {"no_color": bool(os.environ.get("NO_COLOR"))}


def _forced_colors() -> str:
    """The colours of a forced terminal: what the environment says it supports, at least 16."""
    if os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    return "256" if "256color" in os.environ.get("TERM", "") else "standard"


_TYPER_DEFAULTS: dict[str, Any] = {}


def _apply_to_typer(mode: ColorMode) -> None:
    """typer draws help and usage errors with its own rich console, set by module settings
    (read from the environment when typer is imported; kept, to restore them for ``auto``)."""
    from typer import rich_utils

    if not _TYPER_DEFAULTS:
        _TYPER_DEFAULTS.update(color=rich_utils.COLOR_SYSTEM, terminal=rich_utils.FORCE_TERMINAL)
    rich_utils.COLOR_SYSTEM = None if mode is ColorMode.never else _TYPER_DEFAULTS["color"]
    forced = {ColorMode.always: True, ColorMode.never: False}
    rich_utils.FORCE_TERMINAL = forced.get(mode, _TYPER_DEFAULTS["terminal"])
