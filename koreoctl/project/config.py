"""Finding a project's koreoctl settings: one section of ``koreoctl.yaml`` or of
``pyproject.toml``'s ``[tool.koreoctl]``.

The first of these found in the folder or a folder above it (up to the top of the git
repository) wins:

* ``koreoctl.yaml``, whose ``<section>:`` mapping is the section (an empty one when absent);
* ``pyproject.toml`` with a ``[tool.koreoctl.<section>]`` table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koreoctl.errors import UsageError


@dataclass(frozen=True)
class Section:
    """A section of settings, the file it was read from, and that file's folder."""

    table: dict[str, Any]
    source: str
    folder: Path


def find_section(start: Path, section: str) -> Section | None:
    """The ``section`` settings for a project at ``start``; None when no file gives any.

    Raises UsageError when a settings file cannot be read or parsed.
    """
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        yaml_file = candidate / "koreoctl.yaml"
        if yaml_file.is_file():
            return Section(_yaml_section(yaml_file, section), str(yaml_file), candidate)
        toml_file = candidate / "pyproject.toml"
        if toml_file.is_file():
            table = _toml_section(toml_file, section)
            if table is not None:
                return Section(table, str(toml_file), candidate)
        if (candidate / ".git").exists():
            break  # the top of the repository: configuration above it is someone else's
    return None


def _toml_section(path: Path, section: str) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from error
    table = data.get("tool", {}).get("koreoctl", {}).get(section)
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.koreoctl.{section}] must be a table")
    return table


def _yaml_section(path: Path, section: str) -> dict[str, Any]:
    from koreoctl.project.source import read_file

    loaded = read_file(path, str(path))
    if loaded.diagnostics:
        raise UsageError(f"cannot read {path}: {loaded.diagnostics[0]}")
    data = loaded.docs[0].data if loaded.docs else {}
    table = data.get(section, {}) if isinstance(data, dict) else {}
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise UsageError(f"{path}: {section}: must be a mapping")
    return table
