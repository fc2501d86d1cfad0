"""The project's CRDs as the schema check ``vet-schemas`` uses (offline: only ``crds/`` files).

A resource is checked against the served version of its CRD named by its ``apiVersion``, as
the API server checks a written object: the violations of the pruned and defaulted object
(``spec.size: Invalid value: ...``) plus every field the server would drop (strict field
validation's ``unknown field "spec.colour"``). A kind the project defines at a version it does
not serve is one problem at ``apiVersion``. Field paths are mapped back to data paths by
walking the object, so a key holding dots (``app.kubernetes.io/name``) maps too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koreoctl.apiserver import CrdCatalog, load_crds
from koreoctl.apiserver.fielderrors import NIL_FIELD, go_quote
from koreoctl.fn.model import Issue, SchemaCheck
from koreoctl.fn.paths import PathKey
from koreoctl.project.layout import koreo_files
from koreoctl.project.source import read_file

__all__ = ["CrdSchemas", "SchemaFinding", "crd_schemas", "field_to_path", "load_project_schemas"]

SchemaFinding = tuple[tuple[PathKey, ...], Issue]
_INDEX = re.compile(r"\[([0-9]+)\]")
_PART = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")


@dataclass(frozen=True)
class CrdSchemas(SchemaCheck):
    """The schemas of a project's CRDs; ``notes`` are the problems met loading them."""

    catalog: CrdCatalog
    notes: tuple[str, ...] = ()

    def problems(self, data: Any) -> tuple[tuple[tuple[PathKey, ...], str], ...] | None:
        found = self.findings(data)
        return None if found is None else tuple((path, issue.message) for path, issue in found)

    def findings(self, data: Any) -> tuple[SchemaFinding, ...] | None:
        """The schema problems of one resource with their issue ids, None without a schema."""
        if not isinstance(data, dict):
            return None
        api_version, kind = data.get("apiVersion"), data.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return None
        crd = self.catalog.lookup(api_version, kind)
        if crd is None:
            return None
        name = api_version.rpartition("/")[2]
        version = crd.version(name)
        if version is None:
            served = ", ".join(v.name for v in crd.versions if v.served) or "none"
            message = (
                f"version {go_quote(name)} of {crd.qualified_kind} is not served by the "
                f"project's CRD (served: {served})"
            )
            return ((("apiVersion",), Issue("schema-version", message)),)
        review = self.catalog.validator(crd, version).review(data)
        found: list[SchemaFinding] = [
            (field_to_path(data, problem.field), Issue("schema-violation", problem.message))
            for problem in review.problems
        ]
        found += [
            (
                field_to_path(data, field),
                Issue("schema-unknown-field", f"unknown field {go_quote(field)}"),
            )
            for field in review.unknown_fields
        ]
        return tuple(found)


def crd_schemas(catalog: CrdCatalog, notes: tuple[str, ...] = ()) -> CrdSchemas:
    """The schema check of a loaded CRD catalog."""
    return CrdSchemas(catalog, notes)


def load_project_schemas(project_dir: Path) -> CrdSchemas:
    """The CRDs in ``project_dir/crds`` (recursively; files named ``crds/...``), never fetched.

    A file that cannot be read or a CRD a server would refuse is kept as a note (its kind
    then has no schema), not raised: ``vet-schemas`` shows the notes among its details.
    """
    documents = []
    notes: list[str] = []
    folder = project_dir / "crds"
    sources = koreo_files(folder, "crds") if folder.is_dir() else []
    for source in sources:
        loaded = read_file(source.path, source.display)
        notes += [str(d) for d in loaded.diagnostics]
        documents += [(doc.data, doc.span) for doc in loaded.docs if isinstance(doc.data, dict)]
    catalog, diagnostics = load_crds(documents)
    notes += [str(d) for d in diagnostics]
    return CrdSchemas(catalog, tuple(notes))


def field_to_path(data: Any, field: str) -> tuple[PathKey, ...]:
    """The data path of a server field path (``spec.items[0].name``), () if it names none.

    Keys may hold dots (``app.kubernetes.io/name``): the reading that reaches an existing
    value is taken (longest keys first); failing that, keys end at the next ``.`` or ``[``.
    """
    if field in ("", NIL_FIELD):
        return ()
    return _existing(data, field) or _split(field)


def _existing(node: Any, rest: str) -> tuple[PathKey, ...] | None:
    """The path ``rest`` names below ``node`` if every step of it exists."""
    if not rest:
        return ()
    index = _INDEX.match(rest)
    if index is not None:
        position = int(index.group(1))
        if not isinstance(node, list) or position >= len(node):
            return None
        below = _existing(node[position], rest[index.end() :].removeprefix("."))
        return None if below is None else (position, *below)
    if not isinstance(node, dict):
        return None
    for key in sorted(
        (k for k in node if isinstance(k, str) and _starts_key(rest, k)), key=len, reverse=True
    ):
        below = _existing(node[key], rest[len(key) :].removeprefix("."))
        if below is not None:
            return (key, *below)
    return None


def _split(field: str) -> tuple[PathKey, ...]:
    path: list[PathKey] = []
    for name, index in _PART.findall(field):
        path.append(int(index) if index else name)
    return tuple(path)


def _starts_key(rest: str, key: str) -> bool:
    return rest.startswith(key) and rest[len(key) : len(key) + 1] in ("", ".", "[")
