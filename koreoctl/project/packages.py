"""Child packages: a project's ``refs/`` resolved to the commits its ``koreoctl.lock`` pins,
fetched into the shared cache when missing, and exported from that commit's objects.

Three modes:

* ``locked`` (every command but ``refs lock|update``): each reference must have a lock entry
  that still matches it; its commit is fetched only when it is missing from the cache (never
  with ``offline``), and a missing or stale lock is a usage error;
* ``lock`` (``koreoctl refs lock``): entries that still match are kept; the others are
  resolved (a tag or branch against the repository, once) and the lock is rewritten;
* ``update`` (``koreoctl refs update [NAME]``): like ``lock``, but the named references (all
  when none is named) are resolved again, moving tags and branches to where they are now.

Nesting follows Choreo: the root may reference ``all`` and ``crd`` packages, an ``all``
package only ``crd`` ones, a ``crd`` package none. A nested reference is named by the path of
names from the root (``shared/crds``). Every file of a package is shown as
``refs/<name>@<commit12>/<path>``: its origin is in every diagnostic and report line.

A resource defined by the project and a package, or by two packages, is an error (G012)
unless the ``refs.priority`` setting orders them (``prioritised``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.errors import UsageError
from koreoctl.progress import advance
from koreoctl.project.config import find_section
from koreoctl.project.layout import SourceFile, display_join, koreo_files
from koreoctl.project.lock import Lock, Locked, read_lock, stale, write_lock
from koreoctl.project.refs import PackageRef, check_nesting, read_refs
from koreoctl.project.source import SourceDoc

Mode = Literal["locked", "lock", "update"]
REFS_DIR = "refs"


@dataclass(frozen=True)
class Package:
    """A resolved child package: where its files are, and what it was resolved from."""

    name: str  # the path of names from the root: "shared", "shared/crds"
    ref: PackageRef
    commit: str
    folder: Path  # the export of the package's directory at ``commit``, in the cache

    @property
    def origin(self) -> str:
        """How its files are named in messages: ``refs/<name>@<commit12>``."""
        return f"{REFS_DIR}/{self.name}@{self.commit[:12]}"

    @property
    def folders(self) -> tuple[str, ...]:
        """What a package of this type brings: ``all`` its logic, CRDs and data; ``crd`` its
        CRDs only."""
        return ("crds", "in") if self.ref.type == "all" else ("crds",)

    def files(self) -> list[SourceFile]:
        found: list[SourceFile] = []
        for name in self.folders:
            folder = self.folder / name
            if folder.is_dir():
                found.extend(koreo_files(folder, f"{self.origin}/{name}"))
        return found

    def to_dict(self) -> dict[str, str]:
        """What a snapshot header records of it (never credentials)."""
        return {
            "name": self.name,
            "url": self.ref.shown_url,
            "directory": self.ref.directory,
            "type": self.ref.type,
            "commit": self.commit,
        }


@dataclass(frozen=True)
class Resolution:
    """The packages of a project (depth first, in refs order) and its (possibly new) lock."""

    packages: tuple[Package, ...] = ()
    lock: Lock = field(default_factory=lambda: Lock(()))
    diagnostics: tuple[Diagnostic, ...] = ()


def has_refs(project: Path) -> bool:
    """Whether ``project`` has a ``refs/`` folder with anything (not hidden) in it."""
    folder = project / REFS_DIR
    return folder.is_dir() and any(not item.name.startswith(".") for item in folder.iterdir())


def resolve(
    project: Path,
    shown: str,
    *,
    mode: Mode = "locked",
    names: Sequence[str] = (),
    offline: bool = False,
    cache: Path | None = None,
) -> Resolution:
    """Resolve the references of ``project`` (shown in messages as ``shown``); UsageError for
    a refused reference, a missing or stale lock (``locked``), or a commit that cannot be had.
    """
    from koreoctl.project import vcs

    root_cache = cache if cache is not None else vcs.cache_root()
    lock = read_lock(project)
    if mode == "locked" and lock is None and has_refs(project):
        raise UsageError(
            f"{display_join(shown, 'koreoctl.lock')} is missing: run `koreoctl refs lock` to pin "
            "the commit of every reference in refs/"
        )
    resolver = _Resolver(mode, set(names), offline, root_cache, lock or Lock(()))
    resolver.walk(project / REFS_DIR, display_join(shown, REFS_DIR), project, None, "")
    unknown = sorted(set(names) - {package.name for package in resolver.packages})
    if unknown:
        raise UsageError(
            f"no reference named {', '.join(unknown)} in {display_join(shown, REFS_DIR)}"
        )
    new_lock = Lock(tuple(sorted(resolver.entries, key=lambda entry: entry.name)))
    return Resolution(tuple(resolver.packages), new_lock, tuple(resolver.notes))


def lock_project(
    project: Path,
    shown: str,
    *,
    update: bool = False,
    names: Sequence[str] = (),
    offline: bool = False,
    cache: Path | None = None,
) -> tuple[Resolution, bool]:
    """``koreoctl refs lock`` / ``refs update``: resolve and write ``koreoctl.lock``; returns
    the resolution and whether the file changed."""
    resolution = resolve(
        project,
        shown,
        mode="update" if update else "lock",
        names=names,
        offline=offline,
        cache=cache,
    )
    return resolution, write_lock(project, resolution.lock)


class _Resolver:
    """One walk over the reference tree (mutable while it walks; its results are values)."""

    def __init__(self, mode: Mode, names: set[str], offline: bool, cache: Path, lock: Lock):
        self.mode, self.names, self.offline, self.cache, self.lock = (
            mode,
            names,
            offline,
            cache,
            lock,
        )
        self.packages: list[Package] = []
        self.entries: list[Locked] = []
        self.notes: list[Diagnostic] = []
        self.seen: dict[tuple[str, str], str] = {}

    def walk(
        self, folder: Path, shown: str, base: Path, parent: PackageRef | None, prefix: str
    ) -> None:
        if not folder.is_dir():
            return
        refs, diagnostics = read_refs(folder, shown, base)
        diagnostics = (
            *diagnostics,
            *check_nesting(parent.type if parent else None, refs, prefix.rstrip("/") or "the root"),
        )
        refuse_errors(diagnostics)
        self.notes.extend(note for note in diagnostics if note.severity is not Severity.ERROR)
        for ref in refs:
            name = prefix + ref.name
            first = self.seen.get(ref.key)
            if first is not None:
                raise UsageError(
                    f"{ref.span}: error G007 {ref.shown_url} {ref.directory!r} is referenced "
                    f"twice (also by {first})"
                )
            self.seen[ref.key] = name
            advance(f"resolving package {name}", len(self.packages))
            package = self.package(name, ref)
            self.packages.append(package)
            self.walk(
                package.folder / REFS_DIR,
                f"{package.origin}/{REFS_DIR}",
                package.folder,
                ref,
                name + "/",
            )

    def package(self, name: str, ref: PackageRef) -> Package:
        from koreoctl.project import vcs

        entry = self.lock.get(name)
        reason = stale(entry, ref, name)
        again = self.mode == "update" and (not self.names or name in self.names)
        if self.mode == "locked" and reason is not None:
            raise UsageError(
                f"{ref.span}: koreoctl.lock is stale: {reason}; run `koreoctl refs lock`"
            )
        if entry is not None and reason is None and not again:
            commit = entry.commit
        else:
            commit = self.resolve_commit(name, ref)
        self.ensure(name, ref, commit)
        folder = self.cache / "packages" / commit / _digest(ref.url, ref.directory)
        vcs.export_package(self.cache, ref.url, commit, ref.directory, folder)
        self.entries.append(
            Locked(name, ref.shown_url, ref.directory, ref.kind, ref.value, ref.type, commit)
        )
        return Package(name, ref, commit, folder)

    def resolve_commit(self, name: str, ref: PackageRef) -> str:
        """The commit a reference names now (a tag or branch is looked up in the repository,
        fetched first unless offline)."""
        from koreoctl.project import vcs

        if ref.kind == "commit":
            return ref.value
        if not self.offline:
            vcs.fetch(self.cache, ref.url)
        try:
            if ref.kind == "tag":
                return vcs.resolve_name(self.cache, ref.url, tag=ref.value)
            return vcs.resolve_name(self.cache, ref.url, branch=ref.value)
        except UsageError as error:
            hint = " (--offline: only the cache was looked at)" if self.offline else ""
            raise UsageError(f"{name}: {error}{hint}") from None

    def ensure(self, name: str, ref: PackageRef, commit: str) -> None:
        """The commit is in the cache: fetched when missing, unless offline."""
        from koreoctl.project import vcs

        if vcs.has_commit(self.cache, ref.url, commit):
            return
        if self.offline:
            raise UsageError(
                f"{name}: commit {commit[:12]} of {ref.shown_url} is not in the cache "
                f"({self.cache}) and --offline forbids fetching it"
            )
        vcs.fetch(self.cache, ref.url)
        if not vcs.has_commit(self.cache, ref.url, commit):
            raise UsageError(f"{name}: {ref.shown_url} has no commit {commit}")


def refuse_errors(diagnostics: Sequence[Diagnostic]) -> None:
    """A usage error listing the error diagnostics of refs/ files (one line each), if any."""
    errors = [note for note in diagnostics if note.severity is Severity.ERROR]
    if errors:
        raise UsageError("\n".join(str(note) for note in sorted(errors)))


def _digest(url: str, directory: str) -> str:
    return hashlib.sha256(f"{url}\0{directory}".encode()).hexdigest()[:16]


# --- the same name in several packages ------------------------------------------------


def priority_setting(projects: Sequence[tuple[Path, str]]) -> tuple[str, ...]:
    """The ``refs.priority`` setting of the (first) project: the packages (``project`` for
    the project itself) in the order a name defined by several of them is taken from."""
    for root, _ in projects:
        section = find_section(root, "refs")
        if section is None:
            continue
        order = section.table.get("priority", [])
        unknown = set(section.table) - {"priority"}
        if unknown or not isinstance(order, list) or not all(isinstance(x, str) for x in order):
            raise UsageError(
                f"{section.source}: refs settings take one key, priority: a list of package "
                "names (and `project`)"
            )
        return tuple(order)
    return ()


def _identity(doc: SourceDoc) -> tuple[str, str, str, str] | None:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return None
    api, kind, name = data.get("apiVersion"), data.get("kind"), data["metadata"].get("name")
    if not (isinstance(api, str) and isinstance(kind, str) and isinstance(name, str)):
        return None
    namespace = data["metadata"].get("namespace")
    return (api.partition("/")[0], kind, str(namespace or ""), name)


def prioritised(
    groups: Sequence[tuple[str, list[SourceDoc]]], priority: Sequence[str]
) -> tuple[list[SourceDoc], list[Diagnostic]]:
    """The documents of the project and its packages, with a resource defined by more than
    one of them taken from the one ``priority`` puts first (an info G011 says so); without a
    priority covering both, the second definition is an error G012."""
    owners: dict[tuple[str, str, str, str], list[tuple[str, SourceDoc]]] = {}
    for group, group_docs in groups:
        for doc in group_docs:
            key = _identity(doc)
            if key is not None:
                owners.setdefault(key, []).append((group, doc))
    dropped: set[int] = set()
    notes: list[Diagnostic] = []
    rank = {name: index for index, name in enumerate(priority)}
    for key, found in owners.items():
        names = {group for group, _ in found}
        if len(names) < 2:
            continue
        what = f"{key[1]} {key[2] + '/' if key[2] else ''}{key[3]}"
        if names <= set(rank):
            winner = min(names, key=rank.__getitem__)
            for group, doc in found:
                if group != winner:
                    dropped.add(id(doc))
                    notes.append(
                        Diagnostic(
                            "G011",
                            f"{what} from {group} is overridden by {winner} (refs.priority)",
                            doc.span,
                            Severity.INFO,
                        )
                    )
            continue
        first_group, first = found[0]
        for group, doc in found[1:]:
            if group == first_group:
                continue  # within one package Koreo's rule holds: the later one is used (K007)
            notes.append(
                Diagnostic(
                    "G012",
                    f"{what} is defined by both {first_group} ({first.span.file}:"
                    f"{first.span.line}) and {group}; name the one to use first in the "
                    "refs.priority setting",
                    doc.span,
                    Severity.ERROR,
                )
            )
            dropped.add(id(doc))
    kept = [doc for _, group_docs in groups for doc in group_docs if id(doc) not in dropped]
    return kept, notes
