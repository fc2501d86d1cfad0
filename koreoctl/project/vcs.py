"""The git side of a project (the only gitpython user): which commit a checkout is at, and
the files of a project as they are in a commit, read from the object database.

gitpython is imported by the functions that need it, so commands that never look at git
never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from koreoctl.errors import UsageError

if TYPE_CHECKING:
    from git import Repo

LOCAL_STATE = ".koreoctl"  # koreoctl's own folder in a project: never part of "dirty"


@dataclass(frozen=True)
class GitState:
    """The commit a checkout is at, and whether the project's files differ from it."""

    commit: str
    dirty: bool

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "dirty": self.dirty}


def git_state(project: Path) -> GitState | None:
    """The state of the git checkout ``project`` is in; None when it is in none (or git is
    not installed, or the repository has no commit yet).

    ``dirty`` looks only at the project's own files, tracked or untracked, and never at its
    ``.koreoctl/`` folder (where the snapshots themselves are written).
    """
    repo = _open(project)
    if repo is None:
        return None
    try:
        commit = repo.head.commit.hexsha
        within = _relative(repo, project)
        status = repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", within)
    except _git_errors(ValueError, OSError):
        return None
    changed = [entry[3:] for entry in status.split("\0") if len(entry) > 3]
    dirty = any(LOCAL_STATE not in PurePosixPath(path).parts for path in changed)
    return GitState(commit, dirty)


@dataclass(frozen=True)
class Revision:
    """A commit resolved from what the user typed (``HEAD~1``, a tag, a short SHA)."""

    given: str
    commit: str
    project: str  # the project's folder inside the repository (POSIX, "." for the top)


def resolve_revision(project: Path, rev: str) -> Revision:
    """The commit ``rev`` names in the repository ``project`` is in; UsageError when there
    is no repository or no such revision."""
    if not rev or rev.startswith("-"):
        raise UsageError(f"--rev {rev!r}: not a revision")
    repo = _open(project)
    if repo is None:
        raise UsageError(f"--rev needs a git checkout; {str(project)!r} is not in one")
    try:
        commit = repo.commit(rev).hexsha
    except _git_errors(ValueError) as error:
        raise UsageError(f"--rev {rev!r}: no such revision in {repo.working_dir}") from error
    return Revision(rev, commit, _relative(repo, project))


def export_revision(project: Path, revision: Revision, destination: Path) -> int:
    """Write the files of the project folder as they are in ``revision`` into
    ``destination`` (the project's own layout, from the object database; the working tree
    is never read); returns how many were written."""
    repo = _open(project)
    if repo is None:
        raise UsageError(f"{str(project)!r} is not in a git checkout")
    tree = repo.commit(revision.commit).tree
    if revision.project != ".":
        try:
            tree = tree / revision.project
        except KeyError:
            raise UsageError(
                f"--rev {revision.given}: {revision.project} does not exist in that commit"
            ) from None
    written = 0
    for relative, data in _blobs(tree):
        target = destination.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written


def _blobs(tree: Any) -> Iterator[tuple[PurePosixPath, bytes]]:
    """Every regular file below ``tree``: its path relative to the tree, and its bytes
    (symbolic links and submodules are left out: they could point anywhere)."""
    base = PurePosixPath(tree.path) if tree.path else PurePosixPath()
    for item in tree.traverse():
        if item.type != "blob" or item.mode & 0o170000 != 0o100000:
            continue
        relative = PurePosixPath(item.path).relative_to(base)
        if any(part in ("", ".", "..") for part in relative.parts):
            continue
        yield relative, item.data_stream.read()


def _open(path: Path) -> Repo | None:
    try:
        from git import InvalidGitRepositoryError, NoSuchPathError, Repo
        from git.exc import GitError
    except ImportError:  # gitpython refuses to import without a git executable
        return None
    try:
        return Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError, GitError, OSError):
        return None


def _relative(repo: Repo, path: Path) -> str:
    top = Path(repo.working_dir).resolve()
    relative = os.path.relpath(path.resolve(), top)
    if relative.startswith(".."):
        raise UsageError(f"{str(path)!r} is not inside the repository at {top}")
    return Path(relative).as_posix()


def _git_errors(*others: type[Exception]) -> tuple[type[Exception], ...]:
    """``others``, gitpython's own errors and those of gitdb, its object database (a
    revision that names nothing is gitdb's BadName)."""
    from git.exc import GitError, ODBError

    return (*others, GitError, ODBError)
