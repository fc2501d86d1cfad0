"""The lint cache: results keyed by content hash, under ``.koreoctl/cache/`` of the project.

Every entry is keyed by the SHA-256 of everything its result depends on (koreoctl's version
and code, the file's name and bytes; for memoised project checks, their inputs), so an entry
is never stale: a changed input is a different key. Two files hold the cache:

* ``entries.json``: every entry the last run used (one per file analysed, plus memoised
  checks), read with one open; entries of files that are gone drop out, so it never grows
  beyond the project;
* ``project.json``: the last run's whole result with the key of the exact set of files it
  saw, so a run in which nothing changed reads only that.

Both are written to a temporary file and renamed into place, so concurrent runs (pre-commit
in parallel, CI shards) never read half a file; the last writer wins, and a lost entry only
costs the next run some work. Unreadable or corrupt files are ignored. The folder is safe to
delete at any time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from koreoctl import __version__
from koreoctl.fileio import replace_atomically

FORMAT = "lint-v1"


def digest(*parts: bytes | str) -> str:
    """A SHA-256 over koreoctl's version and code, the cache format and ``parts``."""
    hasher = hashlib.sha256(f"{__version__}\0{FORMAT}\0{code_fingerprint()}\0".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The size and modification time of every module of koreoctl: a new release or an edited
    checkout (an editable install) never reads results an older analysis wrote."""
    package = Path(__file__).resolve().parents[1]
    stamps = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json")):
                status = (Path(folder) / name).stat()
                stamps.append(f"{folder}/{name}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


class Cache:
    """A content-addressed store of JSON entries in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / FORMAT
        self._entries: dict[str, Any] | None = None
        self._used: dict[str, Any] = {}
        self._changed = False

    def get(self, key: str) -> Any:
        """The entry for ``key``, or None."""
        value = self._load_entries().get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value
        self._changed = True

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``'s result for ``key``, from the cache when present."""
        cached = self.get(key)
        if cached is not None:
            return cached
        value = compute()
        self.put(key, value)
        return value

    def save(self) -> None:
        """Keep the entries this run used, if they differ from those it found."""
        if self._entries is None and not self._changed:
            return  # the whole result came from project.json: the entries were not needed
        if self._changed or set(self._used) != set(self._load_entries()):
            _write(self.folder / "entries.json", self._used)

    def lookup(self, key: str) -> Any:
        """The whole result stored by ``store`` under ``key`` (None if another key's)."""
        stored = _read(self.folder / "project.json")
        if isinstance(stored, dict) and stored.get("key") == key:
            return stored.get("value")
        return None

    def store(self, key: str, value: Any) -> None:
        _write(self.folder / "project.json", {"key": key, "value": value})

    def _load_entries(self) -> dict[str, Any]:
        if self._entries is None:
            entries = _read(self.folder / "entries.json")
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, json.dumps(value, separators=(",", ":")).encode("utf-8"))
    except OSError:
        return  # a cache that cannot be written is only slower


class NoCache(Cache):
    """A cache that never remembers (``--no-cache``)."""

    def __init__(self) -> None:
        super().__init__(Path(os.devnull))

    def get(self, key: str) -> Any:
        return None

    def put(self, key: str, value: Any) -> None:
        return None

    def save(self) -> None:
        return None

    def lookup(self, key: str) -> Any:
        return None

    def store(self, key: str, value: Any) -> None:
        return None
