"""The lock file ``koreoctl.lock``: the commit each reference resolved to, read, written
atomically and compared with the refs that asked for it.

The file is canonical JSON (sorted keys, indent 2, a trailing newline), so writing the same
lock twice gives the same bytes and a lock that did not change is not rewritten. It never holds
credentials: every url is redacted before it is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koreoctl.errors import UsageError
from koreoctl.fileio import replace_atomically
from koreoctl.project.refs import (
    PACKAGE_TYPES,
    REF_KINDS,
    PackageRef,
    PackageType,
    RefKind,
)
from koreoctl.project.vcs import redact

LOCK_FILE = "koreoctl.lock"
VERSION = 1
COMMENT = "Written by koreoctl refs lock; do not edit by hand."

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_ENTRY_KEYS = ("commit", "directory", "name", "ref", "type", "url")
_TOP_KEYS = ("comment", "packages", "version")


@dataclass(frozen=True)
class Locked:
    """One locked reference: what its ref asked for and the commit that resolved to."""

    name: str  # the path of names from the root: "shared", "shared/crds"
    url: str  # redacted: never credentials
    directory: str
    kind: RefKind
    value: str  # the tag / branch / commit as written in the ref
    type: PackageType
    commit: str  # the resolved full SHA

    @classmethod
    def from_ref(cls, ref: PackageRef, name: str, commit: str) -> Locked:
        """The entry that pins ``ref`` (known in the tree as ``name``) to ``commit``."""
        return cls(name, ref.shown_url, ref.directory, ref.kind, ref.value, ref.type, commit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": redact(self.url),
            "directory": self.directory,
            "ref": {self.kind: self.value},
            "type": self.type,
            "commit": self.commit,
        }


@dataclass(frozen=True)
class Lock:
    """Every locked reference, sorted by name."""

    entries: tuple[Locked, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(sorted(self.entries, key=lambda e: e.name)))

    def get(self, name: str) -> Locked | None:
        return next((entry for entry in self.entries if entry.name == name), None)


def read_lock(project: Path) -> Lock | None:
    """The lock of ``project``; None when it has none. UsageError (one line, naming the
    file) when the file cannot be read or is not a valid lock."""
    path = project / LOCK_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the lock file: {_reason(error)}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _invalid(path, f"not JSON ({error.msg} at line {error.lineno})") from error
    return _parse_lock(path, data)


def write_lock(project: Path, lock: Lock) -> bool:
    """Write ``lock`` to ``project``'s lock file atomically; False (nothing written) when the
    file already holds exactly this content."""
    path = project / LOCK_FILE
    content = lock_text(lock).encode("utf-8")
    try:
        if path.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    except OSError as error:
        raise UsageError(f"{path}: cannot read the lock file: {_reason(error)}") from error
    _write_atomically(path, content)
    return True


def lock_text(lock: Lock) -> str:
    """The canonical text of ``lock``: the same lock always gives the same bytes."""
    data = {
        "comment": COMMENT,
        "version": VERSION,
        "packages": [entry.to_dict() for entry in lock.entries],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def stale(lock: Locked | None, ref: PackageRef, name: str) -> str | None:
    """Why the lock entry no longer matches ``ref`` (known as ``name``), or None."""
    if lock is None:
        return (
            f"{name}: {ref.file} asks for {ref.kind} {ref.value} but the lock has no entry for it"
        )
    asks = f"but {ref.file} asks for"
    if lock.url != ref.shown_url:
        return f"{name}: the lock pins url {lock.url} {asks} {ref.shown_url}"
    if lock.directory != ref.directory:
        return f"{name}: the lock pins directory {lock.directory!r} {asks} {ref.directory!r}"
    if (lock.kind, lock.value) != (ref.kind, ref.value):
        return f"{name}: the lock pins {lock.kind} {lock.value} {asks} {ref.kind} {ref.value}"
    if lock.type != ref.type:
        return f"{name}: the lock pins type {lock.type!r} {asks} type {ref.type!r}"
    if ref.kind == "commit" and lock.commit != ref.value:
        return f"{name}: the lock resolved commit {ref.value} to {lock.commit}"
    return None


# --- reading ------------------------------------------------------------------------------


def _parse_lock(path: Path, data: Any) -> Lock:
    if not isinstance(data, dict):
        raise _invalid(path, "not a JSON object")
    unknown = sorted(str(key) for key in data if key not in _TOP_KEYS)
    if unknown:
        raise _invalid(path, f"unknown key {unknown[0]!r}")
    if data.get("version") != VERSION:
        raise _invalid(path, f"version {data.get('version')!r} is not {VERSION}")
    packages = data.get("packages")
    if not isinstance(packages, list):
        raise _invalid(path, "'packages' must be a list")
    entries = tuple(_parse_entry(path, index, item) for index, item in enumerate(packages))
    names = [entry.name for entry in entries]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _invalid(path, f"package {repeated[0]!r} is locked twice")
    return Lock(entries)


def _parse_entry(path: Path, index: int, item: Any) -> Locked:
    where = f"packages[{index}]"
    if not isinstance(item, dict) or sorted(item) != sorted(_ENTRY_KEYS):
        raise _invalid(path, f"{where} must be an object with keys {', '.join(_ENTRY_KEYS)}")
    for key in ("name", "url", "directory", "type", "commit"):
        if not isinstance(item[key], str) or not item[key]:
            raise _invalid(path, f"{where}.{key} must be a non-empty string")
    ref = item["ref"]
    if not isinstance(ref, dict) or len(ref) != 1:
        raise _invalid(path, f"{where}.ref must hold exactly one of commit, tag or branch")
    ((kind, value),) = ref.items()
    if kind not in REF_KINDS or not isinstance(value, str) or not value:
        raise _invalid(path, f"{where}.ref must hold exactly one of commit, tag or branch")
    package_type = next((t for t in PACKAGE_TYPES if t == item["type"]), None)
    if package_type is None:
        raise _invalid(path, f"{where}.type {item['type']!r} is not 'all' or 'crd'")
    if not _SHA.fullmatch(item["commit"]):
        raise _invalid(path, f"{where}.commit {item['commit']!r} is not a full commit SHA")
    ref_kind = next(k for k in REF_KINDS if k == kind)
    return Locked(
        item["name"], item["url"], item["directory"], ref_kind, value, package_type, item["commit"]
    )


def _invalid(path: Path, why: str) -> UsageError:
    return UsageError(
        f"{path}: not a valid lock file: {why}; run 'koreoctl refs lock' to write it again"
    )


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return "it is not UTF-8 text"


# --- writing ------------------------------------------------------------------------------


def _write_atomically(path: Path, content: bytes) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it over
    ``path``: a reader sees the old lock or the new one, never half of one."""
    try:
        replace_atomically(path, content, mode=_mode_of(path), durable=True)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the lock file: {_reason(error)}") from error


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644
