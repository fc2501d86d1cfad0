"""Recording a run as a snapshot: where the store is, whether to record, and the header.

The store is ``<project>/.koreoctl/snapshots`` unless ``--snapshot-dir`` or the project's
settings move it; the project is the one the first PATH is in (see
``koreoctl.project.layout.project_root``), else that folder itself. Settings, in
``koreoctl.yaml`` (or ``[tool.koreoctl.snapshots]`` in ``pyproject.toml``)::

    snapshots:
      record: [test, render]    # record every run of these commands (true: both); default none
      dir: .koreoctl/snapshots  # the store, relative to the settings file

The header records what the run was: the command and its arguments, the *target* (the
paths, relative to the project, and the options that change the result: two runs with the
same command and target are one history, which ``koreoctl diff`` compares), the content
hash of every input, koreoctl's version, the git commit (and whether the project's files
differ from it) and the child packages loaded (``refs``: name, url without credentials,
directory, type and the locked commit of each). A shard of a sharded run (``test --shard
I/N``) also records ``shard`` (``{"index": I, "count": N}``) and ``run``, the key its
shards share (see ``koreoctl.snapshots.shards``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koreoctl import __version__
from koreoctl.errors import UsageError
from koreoctl.project.config import find_section
from koreoctl.project.layout import project_root
from koreoctl.snapshots import store

COMMANDS = ("test", "render")
DEFAULT_STORE = Path(".koreoctl") / "snapshots"


@dataclass(frozen=True)
class Recording:
    """What the command line asked about snapshots for one run."""

    enabled: bool | None = None  # --snapshot / --no-snapshot; None: as the settings say
    directory: str | None = None  # --snapshot-dir
    argv: tuple[str, ...] = ()  # the command's arguments, as typed


@dataclass(frozen=True)
class Settings:
    record: frozenset[str] = frozenset()
    directory: Path | None = None
    source: str | None = None


@dataclass(frozen=True)
class Location:
    """A project, its snapshot store, and its snapshot settings."""

    project: Path
    store: Path
    settings: Settings


def locate(path: str | Path = ".", directory: str | None = None) -> Location:
    """The project ``path`` belongs to and its store (``directory`` wins over settings)."""
    given = Path(path)
    if not given.exists():
        raise UsageError(f"no such file or folder: {str(path)!r}")
    root = project_root(given)
    if root is None:
        root = (given if given.is_dir() else given.parent).resolve()
    settings = read_settings(root)
    if directory:
        folder = Path(directory)
    elif settings.directory is not None:
        folder = settings.directory
    else:
        folder = _shown(root) / DEFAULT_STORE
    return Location(root, folder, settings)


def _shown(root: Path) -> Path:
    """``root`` relative to the current folder when it is below it (shorter messages)."""
    try:
        return root.relative_to(Path.cwd().resolve())
    except ValueError:
        return root


def read_settings(root: Path) -> Settings:
    found = find_section(root, "snapshots")
    if found is None:
        return Settings()
    table, source = found.table, found.source
    unknown = set(table) - {"record", "dir"}
    if unknown:
        raise UsageError(f"{source}: unknown snapshots setting(s): {', '.join(sorted(unknown))}")
    record = _record(table.get("record", False), source)
    folder = table.get("dir")
    if folder is not None and (not isinstance(folder, str) or not folder):
        raise UsageError(f"{source}: snapshots.dir must be a folder name")
    directory = _shown(found.folder) / folder if folder else None
    return Settings(record, directory, source)


def _record(value: Any, source: str) -> frozenset[str]:
    if value is True:
        return frozenset(COMMANDS)
    if value is False or value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(item in COMMANDS for item in items):
        raise UsageError(
            f"{source}: snapshots.record must be true, false or a list of {', '.join(COMMANDS)}"
        )
    return frozenset(items)


def wanted(command: str, recording: Recording | None, location: Location) -> bool:
    """Whether this run of ``command`` is recorded."""
    if recording is None:
        return False
    if recording.enabled is not None:
        return recording.enabled
    return command in location.settings.record


def relative_to_project(path: str | Path, location: Location) -> str:
    """A path as the target and inputs record it: relative to the project, POSIX style."""
    relative = os.path.relpath(Path(path).resolve(), location.project)
    return Path(relative).as_posix()


def file_digest(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def write_snapshot(
    location: Location,
    command: str,
    recording: Recording,
    target: Mapping[str, Any],
    inputs: Mapping[str, str | None],
    payload: Mapping[str, Any],
    summary: Mapping[str, Any],
    *,
    refs: Sequence[Mapping[str, Any]] = (),
    shard: tuple[int, int] | None = None,
) -> store.SnapshotInfo:
    """Record a run in the project's store, as this machine's writer; ``shard`` (``(i, n)``)
    marks it as shard ``i`` of ``n`` of the run its run key names."""
    from koreoctl.project.vcs import git_state
    from koreoctl.snapshots.shards import run_key

    git = git_state(location.project)
    header = {
        "command": command,
        "argv": list(recording.argv),
        "target": dict(target),
        "inputs": dict(sorted(inputs.items())),
        "koreoctl": __version__,
        "git": git.to_dict() if git else None,
        "refs": [dict(ref) for ref in refs],
        "summary": dict(summary),
    }
    if shard is not None:
        index, count = shard
        header["shard"] = {"index": index, "count": count}
        header["run"] = run_key(command, target, inputs, refs, count)
    writer = store.writer_id(location.project)
    return store.write(location.store, writer, header, payload)


def test_summary(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What ``snapshot list`` shows for a test snapshot: its counts."""
    return dict(payload.get("summary") or {})


def render_summary(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What ``snapshot list`` shows for a render snapshot."""
    renders = payload.get("renders") or []
    return {
        "renders": len(renders),
        "objects": sum(len(render.get("objects") or []) for render in renders),
        "converged": all(render.get("converged") for render in renders),
        "outcomes": sorted({str((render.get("outcome") or {}).get("type")) for render in renders}),
    }


def describe(info: store.SnapshotInfo) -> str:
    """One line about a snapshot: ``test · 2026-12-03 01:02:03Z · ci-1#3 · abc1234 (dirty)``;
    about a sharded run: ``test shards 1-2/2 (complete) · <created> · ci-1#3, ci-2#1 · ...``
    (one shard alone: ``test shard 2/3 · ...``)."""
    from koreoctl.snapshots.shards import shard_of, shard_set

    created = info.created.replace("T", " ")
    if "." in created:
        created = created.split(".")[0] + "Z"
    shards = shard_set(info) if info.members else None
    alone = shard_of(info)
    command = info.command
    if shards is not None:
        command += f" {shards.label}"
    elif alone is not None:
        command += f" shard {alone[0]}/{alone[1]}"
    writers = ", ".join(f"{member.writer}#{member.seq}" for member in info.members or (info,))
    parts = [command, created, writers]
    git = info.header.get("git")
    if isinstance(git, Mapping) and isinstance(git.get("commit"), str):
        parts.append(str(git["commit"])[:7] + (" (dirty)" if git.get("dirty") else ""))
    return " · ".join(parts)


def describe_target(target: Any) -> str:
    """A target on one line: its paths, then its options."""
    if not isinstance(target, Mapping):
        return str(target)
    paths = " ".join(str(path) for path in target.get("paths") or [])
    options = [
        f"{key}={value}"
        for key, value in sorted(target.items())
        if key != "paths" and value not in (None, False, [])
    ]
    return " ".join([paths, *options]).strip()


def same_history(a: store.SnapshotInfo, b: store.SnapshotInfo) -> bool:
    """Whether two snapshots record the same command over the same target."""
    return store.group_key(a) == store.group_key(b)


def paths_target(paths: Sequence[str], location: Location) -> list[str]:
    return sorted({relative_to_project(path, location) for path in paths or ["."]})
