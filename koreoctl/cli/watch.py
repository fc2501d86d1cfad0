"""``--watch``: run a command, then run it again each time a file it reads changes.

The loop polls the files' (mtime, size, inode) every `INTERVAL` seconds (no watcher service,
no dependency; a project's few hundred files cost well under a millisecond each), waits for
a change to settle (an editor may write a file in several steps), clears the terminal (in a
pipe or a log, a rule line separates the runs instead), and runs again, telling the command
which files changed so that it redoes only what they affect. A failing run, a usage error
(a project folder deleted, say) and even an internal error are shown and the loop goes on;
only Ctrl-C ends it, with exit code 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from koreoctl.cli.progress import real_terminal
from koreoctl.cli.reporters import print_error
from koreoctl.errors import KoreoctlError
from koreoctl.fileio import Stamp as FileStamp
from koreoctl.fileio import stamp_of
from koreoctl.project.layout import discover

INTERVAL = 0.1  # seconds between polls (a scan of the corpus costs ~3 ms)
SETTLE = 0.03  # seconds a change must stay unchanged before the run
SETTINGS = ("koreoctl.yaml", "pyproject.toml", "koreoctl.lock")

Stamp = FileStamp | None  # None: the file cannot be looked at (gone, say)


@dataclass(frozen=True)
class Change:
    """What changed since the last run: Koreo files (display names), and whether a project
    setting (koreoctl.yaml, pyproject.toml, koreoctl.lock, refs/) changed, which can change
    anything."""

    files: frozenset[str]
    settings: bool


def scan(
    paths: Sequence[str], also: Iterable[tuple[Path, str]] = (), *, skip: Path | None = None
) -> dict[str, Stamp]:
    """The stamp of every file a run over ``paths`` reads (``also``: files it read before,
    such as child packages' files, which are not under ``paths``); settings files are named
    ``settings:<path>``. A path that is missing now gives no files (the run will say so).
    Files under ``skip`` (where the run writes its output) are not watched."""
    try:
        layout = discover(list(paths))
    except KoreoctlError:
        return {}
    entries = {source.display: source.path for source in layout.files}
    entries.update({display: path for path, display in also})
    for root, _ in layout.projects:
        settings = [root / name for name in SETTINGS]
        refs = root / "refs"
        if refs.is_dir():
            settings += sorted(refs.iterdir())
        entries.update({f"settings:{path}": path for path in settings})
    if skip is not None:
        skipped = skip.resolve()
        entries = {
            display: path
            for display, path in entries.items()
            if skipped not in path.resolve().parents
        }
    return {display: stamp_of(path) for display, path in sorted(entries.items())}


def changed(before: dict[str, Stamp], after: dict[str, Stamp]) -> Change | None:
    """What differs between two scans; None when nothing does."""
    names = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    if not names:
        return None
    files = frozenset(name for name in names if not name.startswith("settings:"))
    return Change(files, settings=len(files) < len(names))


def watch(
    run: Callable[[Change | None], object],
    rescan: Callable[[], dict[str, Stamp]],
    console: Console,
    *,
    title: str,
    interval: float = INTERVAL,
    settle: float = SETTLE,
) -> int:
    """Run ``run`` (with None the first time, then with each `Change`) until Ctrl-C."""
    stamps = rescan()
    change: Change | None = None
    number = 0
    try:
        while True:
            number += 1
            _begin(console, title, number, change)
            _run_once(run, change, console)
            _end(console, sum(stamp is not None for stamp in stamps.values()))
            stamps, change = _next_change(rescan, stamps, interval, settle)
    except KeyboardInterrupt:
        console.print()
        return 0


def _run_once(
    run: Callable[[Change | None], object], change: Change | None, console: Console
) -> None:
    try:
        run(change)
    except KoreoctlError as problem:
        print_error(console, str(problem))
    except KeyboardInterrupt:
        raise
    except Exception as bug:  # shown, and the loop goes on: the next save may fix it
        print_error(console, f"internal error: {type(bug).__name__}: {bug}")
        console.print(
            "This is a bug in koreoctl; run without --watch and with --debug for the "
            "traceback, and report it.",
            highlight=False,
        )


def _next_change(
    rescan: Callable[[], dict[str, Stamp]],
    stamps: dict[str, Stamp],
    interval: float,
    settle: float,
) -> tuple[dict[str, Stamp], Change]:
    """Poll until a scan differs from ``stamps`` and then holds still for ``settle``. A scan
    that takes long (a huge tree) spaces the polls out, so watching stays under a tenth of a
    core."""
    pause = interval
    while True:
        time.sleep(pause)
        started = time.perf_counter()
        now = rescan()
        pause = max(interval, 9 * (time.perf_counter() - started))
        first = changed(stamps, now)
        if first is None:
            continue
        time.sleep(settle)
        later = rescan()
        while later != now:  # still being written
            now = later
            time.sleep(settle)
            later = rescan()
        change = changed(stamps, now)
        if change is not None:
            return now, change


def _begin(console: Console, title: str, number: int, change: Change | None) -> None:
    if real_terminal(console.file):
        console.clear()
    elif number > 1:
        console.print()
    what = "" if change is None else f" · changed: {_describe(change)}"
    console.print(f"[dim]── {escape(title)} · run {number}{escape(what)}[/]", highlight=False)


def _describe(change: Change, shown: int = 3) -> str:
    names = sorted(change.files) + (["project settings"] if change.settings else [])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _end(console: Console, watched: int) -> None:
    console.print(f"[dim]watching {watched} files for changes · Ctrl-C to stop[/]", highlight=False)
