"""The git side of a project (the only gitpython user): which commit a checkout is at, the
files of a project as they are in a commit, read from the object database, and the cache of
child-package repositories that ``refs/`` point at (fetch, resolve, export).

gitpython is imported by the functions that need it, so commands that never look at git
never pay for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


# --- The cache of child-package repositories (refs/) -----------------------------------
#
# Each url gets one bare repository in the cache, fetched (never cloned, never checked out)
# with a hardened git, and packages are exported from its object database by commit.

MiB = 1024 * 1024
_MAX_LINK_HOPS = 8
_MAX_LINK_BYTES = 4096  # PATH_MAX: a longer link target is no path at all
_ALLOWED_PROTOCOLS = "file:https:ssh"
_FETCH_SPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})
_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")
_MODE_TYPE = 0o170000
_MODE_FILE, _MODE_LINK, _MODE_GITLINK, _MODE_TREE = 0o100000, 0o120000, 0o160000, 0o040000


@dataclass(frozen=True)
class Limits:
    """How big a child package may be (a hostile repository must not fill the disk)."""

    max_repository_bytes: int = 512 * MiB  # size of the cached bare repository after a fetch
    max_files: int = 20_000  # regular files in one exported package
    max_file_bytes: int = 16 * MiB  # one exported file


class RefusedPackage(UsageError):
    """A child package koreoctl will not load: too big, a submodule, an escaping link..."""


def cache_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where koreoctl caches things: ``$KOREOCTL_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/koreoctl``, else ``~/.cache/koreoctl``."""
    if environ.get("KOREOCTL_CACHE_DIR"):
        return Path(environ["KOREOCTL_CACHE_DIR"])
    xdg = environ.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative value
        return Path(xdg) / "koreoctl"
    home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()
    return home / ".cache" / "koreoctl"


def repository_path(cache: Path, url: str) -> Path:
    """The bare repository that caches ``url``."""
    return cache / "git" / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.git"


def redact(url: str) -> str:
    """``url`` without credentials, for printing, lock files and snapshots: http(s) and
    other URLs lose all their userinfo, ssh:// URLs keep the user but lose a password;
    scp-like ``user@host:path`` and local paths are unchanged."""
    match = _URL.match(url)
    if match is None or "@" not in match["authority"]:
        return url
    userinfo, _, host = match["authority"].rpartition("@")
    if match["scheme"].lower() in _SSH_SCHEMES:
        user = userinfo.partition(":")[0]
        host = f"{user}@{host}" if user else host
    return f"{match['scheme']}://{host}{match['rest']}"


def _redact_text(text: str, url: str) -> str:
    """``text`` (git's output) with ``url`` and every URL in it redacted."""
    return _URL_IN_TEXT.sub(lambda m: redact(m.group(0)), text.replace(url, redact(url)))


def has_commit(cache: Path, url: str, commit: str) -> bool:
    """Whether the cached repository of ``url`` holds ``commit`` (a full SHA); never
    touches the network."""
    if not _FULL_SHA.match(commit):
        return False
    repo = _open_cached(cache, url)
    if repo is None:
        return False
    with repo:
        return _holds_commit(repo, commit)


def fetch(cache: Path, url: str, *, limits: Limits = Limits()) -> None:
    """Bring every branch and tag of ``url`` into its cached bare repository (made when
    missing); nothing is ever checked out and no hook or command transport can run.

    UsageError when git cannot fetch; RefusedPackage (and the repository is deleted) when
    the result is larger than ``limits.max_repository_bytes``."""
    if not url or url.startswith("-"):
        raise UsageError(f"cannot fetch {redact(url)!r}: not a repository URL")
    path = repository_path(cache, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_suffix(".lock")):
        created = _init_bare(path)
        try:
            _run_fetch(path, url)
        except UsageError:
            if created:
                shutil.rmtree(path, ignore_errors=True)
            raise
        size = _folder_bytes(path)
        if size > limits.max_repository_bytes:
            shutil.rmtree(path, ignore_errors=True)
            raise RefusedPackage(
                f"{redact(url)}: the repository is {_size(size)}, larger than the limit of "
                f"{_size(limits.max_repository_bytes)}; it was removed from the cache"
            )


def resolve_name(
    cache: Path, url: str, *, tag: str | None = None, branch: str | None = None
) -> str:
    """The full SHA of the commit ``refs/tags/<tag>`` (annotated tags peeled) or
    ``refs/heads/<branch>`` names in the cached repository of ``url``; UsageError when it
    names none (fetch first)."""
    if (tag is None) == (branch is None):
        raise ValueError("resolve_name needs exactly one of tag= and branch=")
    what, name = ("tag", tag) if tag is not None else ("branch", branch)
    assert name is not None
    if not _valid_ref_name(name):
        raise UsageError(f"{redact(url)}: {what} {name!r} is not a valid git ref name")
    shown = f"{redact(url)}: no {what} {name!r}"
    repo = _open_cached(cache, url)
    if repo is None:
        raise UsageError(f"{shown} (the repository is not in the cache)")
    with repo:
        try:
            return _peel(repo, f"refs/{'tags' if tag is not None else 'heads'}/{name}")
        except _git_errors(ValueError, OSError):
            raise UsageError(f"{shown} in the cached repository") from None


def export_package(
    cache: Path,
    url: str,
    commit: str,
    directory: str,
    destination: Path,
    *,
    limits: Limits = Limits(),
) -> int:
    """Write the files of ``directory`` (POSIX, ``"."`` for the top) as they are in
    ``commit`` into ``destination``, read from the object database of the cached
    repository; returns how many files it holds.

    Exports are immutable (keyed by commit): an existing ``destination`` is counted, not
    rewritten. A package is written to a temporary sibling and renamed, so a half-written
    one is never seen. Links that stay inside the package become copies of their target;
    links that leave it, submodules, odd names and packages over ``limits`` are refused
    (RefusedPackage) before anything is written."""
    if destination.exists():
        return _count_files(destination)
    where = f"{redact(url)}@{commit[:12]}"
    parts = _directory_parts(directory, where)
    repo = _open_cached(cache, url)
    if repo is None or not _FULL_SHA.match(commit) or not _holds_commit(repo, commit):
        if repo is not None:
            repo.close()
        raise UsageError(f"{where}: that commit is not in the cache (fetch it first)")
    with repo:
        try:
            tree = _package_tree(repo, commit, parts, directory, where)
            files = _Package(tree, where, limits).files()
        except _git_errors(ValueError, OSError) as error:
            raise UsageError(f"{where}: cannot read the package: {error}") from None
        try:
            return _write_package(files, destination)
        except _git_errors(ValueError, OSError) as error:
            raise UsageError(
                f"{where}: cannot export the package to {destination}: {error}"
            ) from None


# --- fetch helpers ------------------------------------------------------------------------


def _git_environment() -> dict[str, str]:
    """Never ask anything (a CI job would hang): no terminal prompt, and ssh in batch mode
    unless the user chose their own ssh command."""
    environment = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": _ALLOWED_PROTOCOLS,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return environment


def _hardening() -> list[str]:
    """``-c`` options for every git run on the cache: no hooks, no command transports, no
    pruning or garbage collection (a pinned commit must stay even if its branch moved)."""
    settings = (
        f"core.hooksPath={os.devnull}",
        "protocol.ext.allow=never",
        "protocol.fd.allow=never",
        "fetch.prune=false",
        "fetch.pruneTags=false",
        "gc.auto=0",
        "maintenance.auto=false",
    )
    return [option for setting in settings for option in ("-c", setting)]


def _init_bare(path: Path) -> bool:
    """Make ``path`` a bare repository unless it already is one; whether it was made."""
    if path.exists():
        existing = _open_bare(path)
        if existing is not None:
            existing.close()
            return False
        shutil.rmtree(path)  # a damaged cache entry (e.g. an interrupted first fetch)
    status, error = _run_git(None, "init", "--bare", "--quiet", "--template=", "--", str(path))
    if status != 0:
        raise UsageError(f"cannot create the cache repository {path}: {_first_error(error)}")
    return True


def _run_fetch(path: Path, url: str) -> None:
    options = ("--quiet", "--no-recurse-submodules", "--no-write-fetch-head")
    status, error = _run_git(path, "fetch", *options, "--", url, *_FETCH_SPECS)
    if status != 0:
        raise UsageError(f"cannot fetch {redact(url)}: {_redact_text(_first_error(error), url)}")


def _run_git(folder: Path | None, *args: str) -> tuple[int, str]:
    """Run a hardened ``git ARGS`` in ``folder``; its exit status and standard error."""
    from git.exc import GitError

    try:
        status, _, error = _git_command(folder).execute(
            ["git", *_hardening(), *args],
            env=_git_environment(),
            with_extended_output=True,
            with_exceptions=False,
        )
    except (GitError, OSError) as problem:  # git vanished, or cannot be started
        return 127, f"fatal: cannot run git: {problem}"
    return int(status), str(error)


def _first_error(stderr: str) -> str:
    """git's first error line (without its ``fatal:`` prefix)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[0] if lines else "git failed without a message"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (between processes sharing the cache)."""
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for top, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += (Path(top) / name).lstat().st_size
    return total


def _size(count: int) -> str:
    return f"{count / MiB:.0f} MiB" if count >= MiB else f"{count} bytes"


# --- reading the cache ------------------------------------------------------------------


def _git_command(folder: Path | None = None) -> Any:
    try:
        from git import Git
    except ImportError:  # gitpython refuses to import without a git executable
        raise UsageError("packages in refs/ need git, and no git executable was found") from None
    return Git(folder)


def _open_bare(path: Path) -> Repo | None:
    try:
        from git import Repo
        from git.exc import GitError
    except ImportError:
        raise UsageError("packages in refs/ need git, and no git executable was found") from None
    try:
        return Repo(path)
    except (GitError, OSError):
        return None


def _open_cached(cache: Path, url: str) -> Repo | None:
    path = repository_path(cache, url)
    return _open_bare(path) if path.is_dir() else None


def _holds_commit(repo: Repo, commit: str) -> bool:
    """Whether the object database holds ``commit`` (a full SHA) as a commit."""
    try:
        return bool(repo.odb.info(bytes.fromhex(commit)).type == b"commit")
    except _git_errors(ValueError, OSError):
        return False


def _valid_ref_name(name: str) -> bool:
    """git's check-ref-format rules, for one branch or tag name."""
    return not (
        not name
        or name.startswith(("-", ".", "/"))
        or name.endswith(("/", ".", ".lock"))
        or name == "@"
        or _REF_FORBIDDEN.search(name)
        or any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))
    )


def _peel(repo: Repo, full: str) -> str:
    """The commit the ref ``full`` names, through any number of annotated tags."""
    from git import Reference

    target: Any = Reference(repo, full).object
    for _ in range(_MAX_LINK_HOPS * 4):  # a chain of tags of tags, but never a loop
        if target.type != "tag":
            break
        target = target.object
    if target.type != "commit":
        raise ValueError(f"{full} names a {target.type}, not a commit")
    return str(target.hexsha)


def _directory_parts(directory: str, where: str) -> tuple[str, ...]:
    if directory in ("", "."):
        return ()
    parts = tuple(directory.split("/"))
    if directory.startswith("/") or any(not _safe_name(part) for part in parts):
        raise RefusedPackage(f"{where}: refused directory {directory!r}")
    return parts


def _safe_name(name: str) -> bool:
    return name not in ("", ".", "..") and not any(c in name for c in "\\\0/")


def _package_tree(repo: Repo, commit: str, parts: tuple[str, ...], shown: str, where: str) -> Any:
    tree: Any = repo.commit(commit).tree
    for part in parts:
        try:
            tree = tree[part]
        except KeyError:
            tree = None
        if tree is None or tree.type != "tree":
            raise RefusedPackage(f"{where}: no folder {shown!r} in that commit")
    return tree


def _entry_name(tree: Any, item: Any) -> str:
    """The name ``item`` has in ``tree``, exactly as stored (gitpython's ``name`` is the
    basename of its path, which would hide a "/" in a crafted entry, and needs a
    .gitmodules file for a submodule)."""
    return str(item.path[len(tree.path) + 1 :] if tree.path else item.path)


class _Package:
    """The files of one package tree, checked: every path safe, links resolved inside the
    package, no submodule, within the limits. Nothing is read before all checks pass."""

    def __init__(self, tree: Any, where: str, limits: Limits) -> None:
        self.where = where
        self.limits = limits
        self.entries: dict[tuple[str, ...], Any] = {}
        self._index(tree)

    def _index(self, root: Any) -> None:
        pending: list[tuple[tuple[str, ...], Any]] = [((), root)]
        files = 0
        while pending:
            prefix, tree = pending.pop()
            for item in self._entries_of(tree, prefix):
                path = (*prefix, _entry_name(tree, item))
                shown = "/".join(path)
                kind = item.mode & _MODE_TYPE
                if kind == _MODE_GITLINK:
                    raise RefusedPackage(f"{self.where}: {shown!r} is a submodule; refused")
                if not _safe_name(path[-1]) or kind not in (_MODE_FILE, _MODE_LINK, _MODE_TREE):
                    raise RefusedPackage(f"{self.where}: refused path {shown!r}")
                self.entries[path] = item
                if kind == _MODE_TREE:
                    pending.append((path, item))
                    continue
                files += 1
                if files > self.limits.max_files:
                    raise RefusedPackage(
                        f"{self.where}: more than {self.limits.max_files} files in the package"
                    )

    def _entries_of(self, tree: Any, prefix: tuple[str, ...]) -> list[Any]:
        try:
            return list(tree)
        except ValueError as error:  # gitpython refuses names such as ".." or "a/b" itself
            shown = "/".join(prefix) or "."
            raise RefusedPackage(f"{self.where}: refused path in {shown!r}: {error}") from None

    def files(self) -> list[tuple[tuple[str, ...], Any]]:
        """Each file's path and the blob whose bytes it gets, sorted by path."""
        chosen: list[tuple[tuple[str, ...], Any]] = []
        for path, item in sorted(self.entries.items()):
            kind = item.mode & _MODE_TYPE
            if kind == _MODE_TREE:
                continue
            blob = self._follow(path, item) if kind == _MODE_LINK else item
            if blob.size > self.limits.max_file_bytes:
                raise RefusedPackage(
                    f"{self.where}: '{'/'.join(path)}' is {_size(blob.size)}, larger than "
                    f"the limit of {_size(self.limits.max_file_bytes)}"
                )
            chosen.append((path, blob))
        return chosen

    def _follow(self, link: tuple[str, ...], item: Any) -> Any:
        """The regular file the link at ``link`` ends at, resolved as POSIX does (links in
        links included, at most 8 deep) but never above the package's top."""
        first = self._target(link, item)
        current = list(link[:-1])  # the folder the next part is looked up in
        pending = first.split("/")
        hops = 1
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not current:
                    raise self._refused_link(link, first, "outside the package")
                current.pop()
                continue
            entry = self.entries.get((*current, part))
            kind = entry.mode & _MODE_TYPE if entry is not None else None
            if kind == _MODE_TREE:
                current.append(part)
            elif kind == _MODE_LINK:
                hops += 1
                if hops > _MAX_LINK_HOPS:
                    raise self._refused_link(link, first, f"more than {_MAX_LINK_HOPS} links deep")
                pending = self._target(link, entry).split("/") + pending
            elif entry is None or pending:  # missing, or a file used as a folder
                raise self._refused_link(link, first, "nothing")
            else:
                return entry
        raise self._refused_link(link, first, "a folder")

    def _target(self, link: tuple[str, ...], item: Any) -> str:
        if item.size > _MAX_LINK_BYTES:
            raise self._refused_link(link, f"<{item.size} bytes>", "a target that is too long")
        data = item.data_stream.read()
        try:
            target = str(data.decode())
        except UnicodeDecodeError:
            target = repr(data)
            raise self._refused_link(link, target, "a name that is not UTF-8") from None
        if target.startswith("/") or "\0" in target or "\\" in target:
            raise self._refused_link(link, target, "outside the package")
        return target

    def _refused_link(self, link: tuple[str, ...], target: str, why: str) -> RefusedPackage:
        return RefusedPackage(
            f"{self.where}: symbolic link '{'/'.join(link)}' -> {target!r} points at {why}; "
            "only links to files inside the package are followed"
        )


def _write_package(files: list[tuple[tuple[str, ...], Any]], destination: Path) -> int:
    """Write ``files`` into a temporary sibling of ``destination``, then rename it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    done = False
    try:
        staging.chmod(0o755)
        for path, blob in files:
            target = staging.joinpath(*path)
            _make_folders(staging, target.parent)
            target.write_bytes(blob.data_stream.read())
            target.chmod(0o644)
        try:
            staging.rename(destination)
        except OSError:
            if not destination.is_dir():  # not another process that exported it first
                raise
            return _count_files(destination)
        done = True
    finally:
        if not done:
            shutil.rmtree(staging, ignore_errors=True)
    return len(files)


def _make_folders(top: Path, folder: Path) -> None:
    missing: list[Path] = []
    while folder != top and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir()
        each.chmod(0o755)


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
