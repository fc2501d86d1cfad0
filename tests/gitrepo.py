"""Real git repositories for tests, made with the git command line (not with the code under
test), with a fixed identity and dates so commits are the same on every machine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENVIRONMENT = {
    "GIT_AUTHOR_NAME": "Koreo Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Koreo Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> str:
    """Run ``git ARGS`` in ``folder``; its standard output, stripped."""
    completed = subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, **ENVIRONMENT},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def init(folder: Path) -> Path:
    """Make ``folder`` (created if needed) a repository whose branch is ``main``."""
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q", "-b", "main")
    return folder


def commit_all(folder: Path, message: str) -> str:
    """Commit every file of the repository at ``folder``; the new commit's SHA."""
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)
    return git(folder, "rev-parse", "HEAD")


def tag(folder: Path, name: str, message: str | None = None) -> str:
    """Tag HEAD as ``name`` (annotated when there is a ``message``); the tagged commit."""
    git(folder, "tag", *(("-a", "-m", message) if message else ()), name)
    return git(folder, "rev-parse", "HEAD")


def add_gitlink(folder: Path, path: str, commit: str) -> None:
    """Stage a submodule entry (mode 160000) at ``path`` pointing at ``commit``, without
    any submodule repository behind it."""
    git(folder, "update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")


def repository(folder: Path, files: dict[str, str], message: str = "files") -> str:
    """A repository at ``folder`` (made if needed) with ``files`` (path: text) written and
    committed; the commit's SHA."""
    if not (folder / ".git").exists():
        init(folder)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return commit_all(folder, message)
