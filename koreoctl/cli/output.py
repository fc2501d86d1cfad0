"""Writing report files atomically, so a reader never sees half a report, and folders of
rendered objects without touching files koreoctl did not write."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from koreoctl.errors import UsageError
from koreoctl.fileio import replace_atomically


def check_folder_of(path: Path | None) -> None:
    """UsageError unless ``path``'s folder exists (checked before a run, not after it)."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    check_folder_of(path)
    try:
        replace_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write {str(path)!r}: {error.strerror or error}") from error


RENDER_MANIFEST = ".koreoctl-render"
_MANIFEST_HEADER = (
    "# Written by `koreoctl render -o dir=...`: the files it wrote here. The next render into\n"
    "# this folder replaces them and removes the ones it no longer renders; it never touches\n"
    "# a file that is not listed.\n"
)


def write_folder(folder: Path, files: Mapping[str, str]) -> tuple[str, ...]:
    """Write each ``name: text`` of ``files`` into ``folder`` (atomically, one by one) and
    return the names of the files of an earlier render there that were removed.

    ``folder`` is created when missing. An existing folder must be empty or have been made
    by an earlier render (it holds the ``.koreoctl-render`` list of the files written): only
    the files on that list are ever replaced or removed; any other file is left alone.
    """
    previous = _previous_render(folder)
    names = set(files)
    _write_manifest(folder, names | previous)  # first: a crash part-way leaves nothing unlisted
    for name in sorted(files):
        write_atomically(folder / name, files[name])
    stale = tuple(sorted(previous - names))
    for name in stale:
        try:
            (folder / name).unlink(missing_ok=True)
        except OSError as error:
            raise UsageError(f"cannot remove {str(folder / name)!r}: {error.strerror}") from error
    _write_manifest(folder, names)
    return stale


def _previous_render(folder: Path) -> set[str]:
    """The files an earlier render wrote into ``folder`` (creating it when missing)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"cannot write into {str(folder)!r}: it is not a folder")
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as error:
            raise UsageError(f"cannot create {str(folder)!r}: {error.strerror}") from error
        return set()
    manifest = folder / RENDER_MANIFEST
    if not manifest.is_file():
        if any(folder.iterdir()):
            raise UsageError(
                f"refusing to write into {str(folder)!r}: it is not empty and was not made by "
                f"koreoctl render (it has no {RENDER_MANIFEST}); name a new or empty folder"
            )
        return set()
    lines = manifest.read_text(encoding="utf-8", errors="replace").splitlines()
    return {line.strip() for line in lines if _own_file_name(line.strip())}


def _own_file_name(name: str) -> bool:
    """Whether a manifest line names a file render writes: a bare ``*.yaml`` name, so an
    edited manifest cannot make koreoctl remove anything outside the folder."""
    return name.endswith(".yaml") and not name.startswith(("#", ".")) and Path(name).name == name


def _write_manifest(folder: Path, names: set[str]) -> None:
    write_atomically(
        folder / RENDER_MANIFEST, _MANIFEST_HEADER + "".join(f"{name}\n" for name in sorted(names))
    )
