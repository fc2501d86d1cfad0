"""Finding the files of a project: the Choreo layout (crds/, in/, refs/) or plain files/folders.

A PATH given on the command line is one of:

* a project in the Choreo layout: a folder with ``crds/`` and/or ``in/`` (and maybe ``refs/``).
  ``crds/`` holds CustomResourceDefinitions of the APIs the program manages, ``in/`` the Koreo
  logic and input data; both are searched recursively. ``refs/`` (child packages pinned to a
  git commit) is resolved by ``koreoctl.project.packages``; ``Layout.projects`` names the
  projects found, for it.
* any other folder: every Koreo YAML file below it, recursively;
* a file: that file, whatever its extension.

Hidden files and folders (``.git``, ``.koreoctl``, ...) are skipped. Files come back sorted,
so every run loads them in the same order.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from koreoctl.diagnostics import Diagnostic
from koreoctl.errors import UsageError

KOREO_SUFFIXES = (".koreo", ".k", ".yaml", ".yml")
PROJECT_DIRS = ("crds", "in")


@dataclass(frozen=True)
class SourceFile:
    """A file to load: where it is, and the name to show for it in messages."""

    path: Path
    display: str


@dataclass(frozen=True)
class Layout:
    """The files found under the given paths, and anything worth telling the user."""

    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    projects: tuple[tuple[Path, str], ...] = ()  # Choreo-layout folders given, and their names

    # Which program each file belongs to (see `parts`), in the order of ``files``.
    owners: tuple[str, ...] = ()

    def parts(self) -> tuple[Layout, ...]:
        """What loads as one program each: every project alone (its own files and packages,
        as on a cluster of its own, with the files and folders given that are inside it),
        every other folder given alone, and the files given that are in no project together.
        One part when that is all there is. The diagnostics go with the first part."""
        keys = list(dict.fromkeys(self.owners))
        if len(keys) < 2 or len(self.owners) != len(self.files):
            return (self,)
        found = []
        for key in keys:
            files = tuple(
                f for f, owner in zip(self.files, self.owners, strict=True) if owner == key
            )
            projects = tuple(p for p in self.projects if str(p[0].resolve()) == key)
            found.append(Layout(files, (), projects, (key,) * len(files)))
        first = found[0]
        found[0] = Layout(first.files, self.diagnostics, first.projects, first.owners)
        return tuple(found)


def discover(
    paths: list[str] | tuple[str, ...], shown: list[str] | tuple[str, ...] | None = None
) -> Layout:
    """Find every file to load under ``paths``; raise UsageError for a path that is missing.

    Files are named in messages by the path given for them, or by the matching entry of
    ``shown`` (a copy of a project elsewhere reads as the original: ``koreoctl diff --rev``).
    """
    files: list[tuple[SourceFile, str]] = []
    diagnostics: list[Diagnostic] = []
    projects: list[tuple[Path, str]] = []
    names = list(shown) if shown is not None else list(paths or (".",))
    for where, given in zip(paths or (".",), names, strict=True):
        root = Path(where)
        if root.is_file():
            # a file given loads with the project it is in; files of no project together
            files.append((SourceFile(root, given), str(project_root(root) or "")))
        elif root.is_dir():
            for folder, named in _projects_within(root, given):
                owner = str(project_root(folder) or folder.resolve())
                files.extend((found, owner) for found in _discover_folder(folder, named))
                if is_project(folder):
                    projects.append((folder, named))
        elif root.exists():
            raise UsageError(f"not a file or folder (a device, pipe or socket?): {given!r}")
        else:
            raise UsageError(f"no such file or folder: {given!r}")
    unique = _unique(files)
    return Layout(
        tuple(source for source, _ in unique),
        tuple(diagnostics),
        tuple(projects),
        tuple(owner for _, owner in unique),
    )


def read_bounded(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the file at ``path`` (a huge file is never read whole);
    None when it is not a regular file (``/dev/zero`` never ends, a pipe waits for a
    writer). Raises OSError when it cannot be read."""
    if not stat.S_ISREG(path.stat().st_mode):
        return None  # checked before opening: opening a pipe would wait
    with path.open("rb") as stream:
        return stream.read(limit)


def project_root(path: Path) -> Path | None:
    """The project a file or folder belongs to: the nearest folder at or above it in the
    Choreo layout, or holding a ``koreoctl.yaml``; None when there is none. The search stops
    at the top of a git repository."""
    start = path.resolve() if path.is_dir() else path.resolve().parent
    for folder in (start, *start.parents):
        if is_project(folder) or (folder / "koreoctl.yaml").is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def is_project(root: Path) -> bool:
    """True when ``root`` is in the Choreo layout (has ``crds/`` or ``in/``)."""
    return any((root / name).is_dir() for name in PROJECT_DIRS)


def _projects_within(root: Path, given: str) -> list[tuple[Path, str]]:
    """``root`` itself when it is a project; else ``root`` as a plain folder of Koreo files
    (first) and every project below it, each loaded as a project (only its ``crds/`` and
    ``in/``, its ``refs/`` resolved as packages): `koreoctl test testdata` is every example
    project, never their PackageRef files read as Koreo."""
    if is_project(root):
        return [(root, given)]
    nested: list[tuple[Path, str]] = []
    for directory, subdirs, _ in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        here = Path(directory)
        for name in list(subdirs):
            if is_project(here / name):
                subdirs.remove(name)  # its files are the project's, found as a project
                relative = (here / name).relative_to(root).as_posix()
                nested.append((here / name, display_join(given, relative)))
    return [(root, given), *sorted(nested, key=lambda project: project[0].parts)]


def _discover_folder(root: Path, given: str) -> list[SourceFile]:
    if not is_project(root):
        return koreo_files(root, given, nested_projects=False)
    files: list[SourceFile] = []
    for name in PROJECT_DIRS:
        folder = root / name
        if folder.is_dir():
            files.extend(koreo_files(folder, display_join(given, name)))
    return files


def koreo_files(folder: Path, shown: str, *, nested_projects: bool = True) -> list[SourceFile]:
    """Every Koreo YAML file below ``folder`` (hidden ones skipped), sorted, each named
    ``<shown>/<path below folder>``; without ``nested_projects``, none inside a project
    below ``folder``."""
    found: list[SourceFile] = []
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = sorted(
            d
            for d in subdirs
            if not d.startswith(".") and (nested_projects or not is_project(Path(directory) / d))
        )
        here = Path(directory)
        for name in sorted(names):
            if name.startswith(".") or not name.endswith(KOREO_SUFFIXES):
                continue
            path = here / name
            relative = path.relative_to(folder).as_posix()
            found.append(SourceFile(path, display_join(shown, relative)))
    return sorted(found, key=lambda source: source.path.relative_to(folder).parts)


def display_join(base: str, name: str) -> str:
    """``name`` below the folder shown as ``base`` (``.`` and nothing add no prefix)."""
    if base in (".", "./", ""):
        return name
    return f"{base.rstrip('/')}/{name}"


def _unique(files: list[tuple[SourceFile, str]]) -> list[tuple[SourceFile, str]]:
    """``files`` without repeats of one file reached twice (by device and inode)."""
    seen: set[tuple[int, int]] = set()
    unique = []
    for item in files:
        try:
            status = item[0].path.stat()
        except OSError:
            unique.append(item)  # reported as unreadable when it is read
            continue
        key = (status.st_dev, status.st_ino)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
