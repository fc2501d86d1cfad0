"""Replacing a file atomically: the one way koreoctl writes a file that someone may be
reading (reports, the lint cache, koreoctl.lock, edited test files, a writer's seq mark).

The bytes go to a hidden temporary file in the same folder (``.<name>.<random>.tmp``), which
is then renamed over the target: a reader sees the old file or the new one, never half of
one, and the temporary file never stays behind. Snapshots, which must never replace
anything, are written by ``koreoctl.snapshots.store`` with a hard link instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask_mode() -> int:
    """0666 less the process umask: the mode a newly created file gets."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def replace_atomically(
    path: Path, data: bytes, *, mode: int | None = None, durable: bool = False
) -> None:
    """Make ``data`` the content of ``path``; ``mode``: its permissions (default: the
    process umask's), ``durable``: flushed to disk before the rename. Raises OSError."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            # mkstemp makes the file 0600: give it what a plain open() would have given.
            os.fchmod(stream.fileno(), _umask_mode() if mode is None else mode)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


Stamp = tuple[int, int, int]  # (mtime_ns, size, inode)


def stamp_of(path: Path) -> Stamp | None:
    """What tells that a file changed without reading it: its (mtime_ns, size, inode); None
    when it cannot be looked at. ``--watch`` polls it and the load memo keys parses by it,
    so the two agree on what changed."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)
