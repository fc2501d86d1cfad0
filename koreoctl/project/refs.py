"""Reference entries: the ``refs/*.yaml`` documents that name child packages, parsed and checked.

Pure: no git and no network. Two document kinds map onto one ``PackageRef`` model:
koreoctl's own ``PackageRef`` (``koreoctl.dev/v1alpha1``) and Choreo's ``UpstreamRef``
(``choreo.kform.dev/v1alpha1``). Every value that later reaches git (url, ref, directory) is
checked here, so a hostile refs file is refused before anything runs: no ``<transport>::``
helpers, no option-looking values, no directory that climbs out of its repository.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.project.source import SourceDoc, YamlPath, read_file
from koreoctl.project.vcs import redact

RefKind = Literal["commit", "tag", "branch"]
PackageType = Literal["all", "crd"]

KOREOCTL_API = "koreoctl.dev/v1alpha1"
CHOREO_API = "choreo.kform.dev/v1alpha1"
REF_SUFFIXES = (".yaml", ".yml", ".koreo")
REF_KINDS: tuple[RefKind, ...] = ("commit", "tag", "branch")
PACKAGE_TYPES: tuple[PackageType, ...] = ("all", "crd")
SCHEMES = ("https", "ssh", "file")

_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(.*)", re.S)
_TRANSPORT = re.compile(r"[^/]*::")  # git's "<transport>::<address>": runs a remote helper
_REF_FORBIDDEN = set("~^:?*[\\ ")

_PACKAGE_REF_FIELDS = ("url", "ref", "directory", "type")
_UPSTREAM_REF_FIELDS = ("url", "ref", "directory", "type", "priority", "credentials", "includes")
_UPSTREAM_IGNORED = {
    "priority": "Choreo declares it but never reads it",
    "credentials": "git runs with the user's own credentials",
    "includes": "a 'crd' package brings all of its CRDs",
}


@dataclass(frozen=True)
class PackageRef:
    """One child package: where its repository is, which commit/tag/branch, which folder."""

    name: str
    url: str
    kind: RefKind
    value: str
    directory: str
    type: PackageType
    span: Span
    file: str
    written: str = ""  # the url as the refs file spells it (a local path stays relative)

    @property
    def key(self) -> tuple[str, str]:
        """Two refs with the same key name the same package: they conflict."""
        return (self.url, self.directory)

    @property
    def shown_url(self) -> str:
        """The url as written, without credentials, for output, locks and snapshots (a
        relative local path stays relative, so a lock reads the same on every machine)."""
        return redact(self.written or self.url)


def read_refs(
    folder: Path, shown: str, base: Path
) -> tuple[tuple[PackageRef, ...], tuple[Diagnostic, ...]]:
    """Every ref in the refs files directly in ``folder`` (spans name them ``shown/file``);
    local paths are made absolute against ``base``. Only refs without errors are returned."""
    refs: list[PackageRef] = []
    diagnostics: list[Diagnostic] = []
    for path in _ref_files(folder):
        loaded = read_file(path, f"{shown}/{path.name}")
        diagnostics.extend(loaded.diagnostics)
        for doc in loaded.docs:
            ref, found = _parse_document(doc, base)
            diagnostics.extend(found)
            if ref is not None:
                refs.append(ref)
    unique, conflicts = _without_conflicts(refs)
    return tuple(unique), tuple(sorted([*diagnostics, *conflicts]))


def check_nesting(
    parent: PackageType | None, refs: Sequence[PackageRef], parent_name: str
) -> tuple[Diagnostic, ...]:
    """Choreo's nesting rules: the root (``parent`` None) may have any children, an ``all``
    package only ``crd`` children, a ``crd`` package none."""
    if parent is None:
        return ()
    if parent == "crd":
        return tuple(
            Diagnostic(
                "G009",
                f"a 'crd' package has no children: {parent_name!r} is a 'crd' package, "
                f"so its ref {ref.name!r} is not allowed",
                ref.span,
            )
            for ref in refs
        )
    return tuple(
        Diagnostic(
            "G009",
            f"an 'all' package may only reference 'crd' packages: {parent_name!r} references "
            f"{ref.name!r} of type 'all'",
            ref.span,
        )
        for ref in refs
        if ref.type != "crd"
    )


def _ref_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if not path.name.startswith(".") and path.name.endswith(REF_SUFFIXES) and path.is_file()
    )


# --- one document -------------------------------------------------------------------------


class _Checker:
    """Collects the diagnostics of one document, each at the span of its field."""

    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.diagnostics: list[Diagnostic] = []

    @property
    def failed(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.diagnostics)

    def report(
        self, code: str, message: str, path: YamlPath, severity: Severity = Severity.ERROR
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.doc.span_of(path), severity))

    def report_key(
        self, code: str, message: str, path: YamlPath, severity: Severity = Severity.ERROR
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.doc.key_span_of(path), severity))

    def string(self, value: Any, path: YamlPath, code: str = "G002") -> str | None:
        """``value`` when it is a non-empty string; otherwise reported (G002 when missing or
        not a string, ``code`` when it starts with "-")."""
        field = _dotted(path)
        if value is None:
            self.report("G002", f"{field} is required", path)
            return None
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, int | float | bool) else ""
            self.report("G002", f"{field} must be a string, not {_type_name(value)}{hint}", path)
            return None
        if value.startswith("-"):
            self.report(
                code, f"{field} {value!r} starts with '-' (it could be read as an option)", path
            )
            return None
        return value


def _parse_document(doc: SourceDoc, base: Path) -> tuple[PackageRef | None, list[Diagnostic]]:
    check = _Checker(doc)
    data = doc.data
    if not isinstance(data, dict):
        check.report("G001", f"a refs file holds PackageRef documents, not {_type_name(data)}", ())
        return None, check.diagnostics
    document_kind = _document_kind(check, data)
    if document_kind is None:
        return None, check.diagnostics
    name = _name(check, data)
    spec = data.get("spec")
    if not isinstance(spec, dict):
        message = (
            "spec is required"
            if spec is None
            else f"spec must be a mapping, not {_type_name(spec)}"
        )
        check.report("G002", message, ("spec",))
        return None, check.diagnostics
    parse = _package_ref_spec if document_kind == "PackageRef" else _upstream_ref_spec
    fields = parse(check, spec, base)
    if name is None or fields is None or check.failed:
        return None, check.diagnostics
    url, kind, value, directory, package_type = fields
    written = data_url if isinstance(data_url := _spec_url(doc.data), str) else url
    ref = PackageRef(name, url, kind, value, directory, package_type, doc.span, doc.file, written)
    return ref, check.diagnostics


def _spec_url(data: Any) -> Any:
    spec = data.get("spec") if isinstance(data, dict) else None
    return spec.get("url") if isinstance(spec, dict) else None


def _document_kind(check: _Checker, data: dict[Any, Any]) -> str | None:
    api, kind = data.get("apiVersion"), data.get("kind")
    if (api, kind) in ((KOREOCTL_API, "PackageRef"), (CHOREO_API, "UpstreamRef")):
        return str(kind)
    if kind in ("PackageRef", "UpstreamRef"):
        expected = KOREOCTL_API if kind == "PackageRef" else CHOREO_API
        check.report(
            "G001", f"kind {kind} needs apiVersion {expected!r}, not {api!r}", ("apiVersion",)
        )
    else:
        check.report(
            "G001",
            f"not a reference: kind {kind!r} (apiVersion {api!r}); refs/ holds PackageRef "
            f"({KOREOCTL_API}) or UpstreamRef ({CHOREO_API}) documents",
            ("kind",) if "kind" in data else (),
        )
    return None


def _name(check: _Checker, data: dict[Any, Any]) -> str | None:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        check.report("G002", "metadata.name is required", ("metadata",))
        return None
    name = check.string(metadata.get("name"), ("metadata", "name"))
    if name is None:
        return None
    if len(name) > 63 or not _NAME.fullmatch(name):
        check.report(
            "G002",
            f"metadata.name {name!r} is not a valid name (1-63 lower-case letters, digits, "
            "'-' and '.', starting and ending with a letter or digit)",
            ("metadata", "name"),
        )
        return None
    return name


_Fields = tuple[str, RefKind, str, str, PackageType]


def _package_ref_spec(check: _Checker, spec: dict[Any, Any], base: Path) -> _Fields | None:
    _unknown_fields(check, spec, _PACKAGE_REF_FIELDS)
    url = _url(check, spec.get("url"), base)
    pinned = _package_ref_ref(check, spec.get("ref"))
    directory = _directory(check, spec)
    package_type = _type(check, spec, "all")
    if url is None or pinned is None or directory is None or package_type is None:
        return None
    return (url, *pinned, directory, package_type)


def _upstream_ref_spec(check: _Checker, spec: dict[Any, Any], base: Path) -> _Fields | None:
    _unknown_fields(check, spec, _UPSTREAM_REF_FIELDS)
    _ignored_fields(check, spec)
    url = _url(check, spec.get("url"), base)
    pinned = _upstream_ref_ref(check, spec.get("ref"))
    directory = _directory(check, spec)
    package_type = _type(check, spec, None)
    if url is None or pinned is None or directory is None or package_type is None:
        return None
    return (url, *pinned, directory, package_type)


def _unknown_fields(
    check: _Checker, mapping: dict[Any, Any], known: Sequence[str], at: YamlPath = ("spec",)
) -> None:
    for key in mapping:
        if key not in known:
            field = _dotted((*at, str(key)))
            check.report_key(
                "G002",
                f"unknown field {field} (known: {', '.join(known)})",
                (*at, str(key)),
            )


def _ignored_fields(check: _Checker, spec: dict[Any, Any]) -> None:
    for key, why in _UPSTREAM_IGNORED.items():
        if key not in spec:
            continue
        for path, value in _strings(spec[key], ("spec", key)):
            if value.startswith("-"):
                check.report("G002", f"{_dotted(path)} {value!r} starts with '-'", path)
        check.report_key(
            "G010",
            f"koreoctl ignores spec.{key} of an UpstreamRef ({why})",
            ("spec", key),
            Severity.INFO,
        )


def _strings(value: Any, path: YamlPath) -> Iterator[tuple[YamlPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


# --- ref ----------------------------------------------------------------------------------


def _package_ref_ref(check: _Checker, ref: Any) -> tuple[RefKind, str] | None:
    path: YamlPath = ("spec", "ref")
    if not isinstance(ref, dict):
        _ref_shape(check, ref, path, "a mapping with one of commit, tag or branch")
        return None
    _unknown_fields(check, ref, REF_KINDS, path)
    given = [kind for kind in REF_KINDS if kind in ref]
    if len(given) != 1:
        found = " and ".join(given) if given else "none"
        check.report(
            "G002", f"spec.ref needs exactly one of commit, tag or branch (found {found})", path
        )
        return None
    kind = given[0]
    value = _ref_value(check, kind, ref[kind], (*path, kind))
    return None if value is None else (kind, value)


def _upstream_ref_ref(check: _Checker, ref: Any) -> tuple[RefKind, str] | None:
    path: YamlPath = ("spec", "ref")
    if not isinstance(ref, dict):
        _ref_shape(check, ref, path, "a mapping with type (hash or tag) and name")
        return None
    _unknown_fields(check, ref, ("type", "name"), path)
    ref_type = ref.get("type", "hash")
    if ref_type not in ("hash", "tag"):
        shown = ref_type if isinstance(ref_type, str) else _type_name(ref_type)
        check.report("G004", f"spec.ref.type {shown!r} is not 'hash' or 'tag'", (*path, "type"))
        return None
    kind: RefKind = "commit" if ref_type == "hash" else "tag"
    value = _ref_value(check, kind, ref.get("name"), (*path, "name"))
    return None if value is None else (kind, value)


def _ref_shape(check: _Checker, ref: Any, path: YamlPath, expected: str) -> None:
    message = (
        "spec.ref is required"
        if ref is None
        else f"spec.ref must be {expected}, not {_type_name(ref)}"
    )
    check.report("G002", message, path)


def _ref_value(check: _Checker, kind: RefKind, raw: Any, path: YamlPath) -> str | None:
    value = check.string(raw, path, "G004")
    if value is None:
        return None
    if kind == "commit":
        if not _SHA.fullmatch(value):
            check.report(
                "G004",
                f"{_dotted(path)} {value!r} is not a full commit SHA (40 or 64 hex digits)",
                path,
            )
            return None
        return value.lower()
    problem = ref_name_problem(value)
    if problem is not None:
        check.report(
            "G004", f"{_dotted(path)} {value!r} is not a valid {kind} name: {problem}", path
        )
        return None
    if kind == "branch":
        check.report(
            "G006",
            f"branch {value!r} is not immutable; the lock pins the commit it resolves to",
            path,
            Severity.WARNING,
        )
    return value


def ref_name_problem(name: str) -> str | None:
    """Why git's check-ref-format would refuse ``name`` (a tag or branch), or None."""
    rules: tuple[tuple[Callable[[str], bool], str], ...] = (
        (lambda n: not n, "it is empty"),
        (lambda n: n.startswith(("-", ".", "/")), "it starts with '-', '.' or '/'"),
        (lambda n: any(_is_control(c) for c in n), "it contains a control character"),
        (lambda n: any(c in _REF_FORBIDDEN for c in n), "it contains a space or one of ~^:?*[\\"),
        (lambda n: ".." in n, "it contains '..'"),
        (lambda n: "@{" in n, "it contains '@{'"),
        (lambda n: "//" in n, "it contains '//'"),
        (lambda n: n.endswith(("/", ".")), "it ends with '/' or '.'"),
        (lambda n: n == "@", "it is '@'"),
        (
            lambda n: any(p.startswith(".") or p.endswith(".lock") for p in n.split("/")),
            "a part starts with '.' or ends with '.lock'",
        ),
    )
    return next((why for rule, why in rules if rule(name)), None)


# --- url, directory, type -----------------------------------------------------------------


def _url(check: _Checker, raw: Any, base: Path) -> str | None:
    path: YamlPath = ("spec", "url")
    if isinstance(raw, str) and not raw:
        check.report("G003", "spec.url is empty", path)
        return None
    url = check.string(raw, path, "G003")
    if url is None:
        return None
    problem = url_problem(url)
    if problem is not None:
        check.report("G003", f"spec.url {redact(url)!r} is refused: {problem}", path)
        return None
    if _is_local_path(url):
        return (base / url).resolve().as_posix()
    return url


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be handed to git, or None when it is safe."""
    if not url:
        return "it is empty"
    if url.startswith("-"):
        return "it starts with '-' (it could be read as an option)"
    if any(c.isspace() or _is_control(c) for c in url):
        return "it contains whitespace or a control character"
    if _TRANSPORT.match(url):
        return "git's '<transport>::<address>' form runs a remote helper"
    if any(part.startswith("--") for part in re.split(r"[/:@?#=&]", url)):
        return "a part starts with '--' (it could be read as an option)"
    scheme = _SCHEME.fullmatch(url)
    if scheme is not None:
        return _scheme_problem(scheme.group(1).lower(), scheme.group(2))
    if _is_scp_like(url):
        return _host_problem(url.split(":", 1)[0])
    return None


def _scheme_problem(scheme: str, rest: str) -> str | None:
    if scheme in ("http", "git"):
        return f"{scheme}:// is not integrity-protected; use https:// or ssh://"
    if scheme not in SCHEMES:
        return f"scheme {scheme!r} is not one of https, ssh or file"
    if scheme == "file":
        return (
            None if rest.startswith("/") else "a file:// url needs an absolute path (file:///...)"
        )
    return _host_problem(re.split(r"[/?#]", rest, maxsplit=1)[0])


def _host_problem(authority: str) -> str | None:
    user, _, host = authority.rpartition("@")
    if not host or host.startswith(":"):
        return "it has no host"
    if host.startswith("-") or user.startswith("-"):
        return "its host or user starts with '-' (ssh would read it as an option)"
    name, colon, port = host.rpartition(":")
    if colon and port and not name.endswith("]") and "]" not in port and not port.isdigit():
        return f"its port {port!r} is not a number"
    return None


def _is_scp_like(url: str) -> bool:
    """``user@host:path`` or ``host:path`` as git reads them: a ':' before any '/' (except a
    Windows drive letter such as ``C:``)."""
    before, colon, _ = url.partition(":")
    if not colon or "/" in before:
        return False
    return not (len(before) == 1 and before.isalpha())


def _is_local_path(url: str) -> bool:
    return "://" not in url and not _is_scp_like(url)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _directory(check: _Checker, spec: dict[Any, Any]) -> str | None:
    path: YamlPath = ("spec", "directory")
    if "directory" not in spec:
        return "."
    raw = spec["directory"]
    if isinstance(raw, str) and not raw:
        check.report("G005", "spec.directory is empty (use '.' for the repository's top)", path)
        return None
    directory = check.string(raw, path, "G005")
    if directory is None:
        return None
    problem = _directory_problem(directory)
    if problem is not None:
        check.report("G005", f"spec.directory {directory!r} is refused: {problem}", path)
        return None
    return PurePosixPath(directory).as_posix()


def _directory_problem(directory: str) -> str | None:
    if directory.startswith("/"):
        return "it is absolute (it must be a folder inside the repository)"
    if "\\" in directory:
        return "it contains a backslash (use '/')"
    if any(_is_control(c) for c in directory):
        return "it contains a control character"
    parts = directory.split("/")
    if ".." in parts:
        return "it climbs out with '..'"
    if any(part.startswith("-") for part in parts):
        return "a part starts with '-' (it could be read as an option)"
    return None


def _type(check: _Checker, spec: dict[Any, Any], default: PackageType | None) -> PackageType | None:
    path: YamlPath = ("spec", "type")
    if "type" not in spec and default is not None:
        return default
    raw = spec.get("type")
    if raw is None:
        check.report(
            "G002",
            "spec.type is required in an UpstreamRef: 'all' or 'crd' "
            "(Choreo's default 'full' is not a valid type)",
            path,
        )
        return None
    for package_type in PACKAGE_TYPES:
        if raw == package_type:
            return package_type
    shown = raw if isinstance(raw, str) else _type_name(raw)
    check.report("G008", f"spec.type {shown!r} is not 'all' or 'crd'", path)
    return None


# --- across documents ---------------------------------------------------------------------


def _without_conflicts(refs: list[PackageRef]) -> tuple[list[PackageRef], list[Diagnostic]]:
    kept: list[PackageRef] = []
    diagnostics: list[Diagnostic] = []
    by_key: dict[tuple[str, str], PackageRef] = {}
    by_name: dict[str, PackageRef] = {}
    for ref in refs:
        first_key, first_name = by_key.get(ref.key), by_name.get(ref.name)
        if first_key is not None:
            diagnostics.append(_conflict(ref, first_key, "the same url and directory as"))
        elif first_name is not None:
            diagnostics.append(_conflict(ref, first_name, "the same name as"))
        else:
            by_key[ref.key] = by_name[ref.name] = ref
            kept.append(ref)
    return kept, diagnostics


def _conflict(ref: PackageRef, first: PackageRef, what: str) -> Diagnostic:
    where = f"{first.file}:{first.span.line}"
    message = (
        f"ref {ref.name!r} ({ref.shown_url}, directory {ref.directory!r}) has {what} "
        f"ref {first.name!r} at {where}"
    )
    return Diagnostic("G007", message, ref.span)


# --- helpers ------------------------------------------------------------------------------


def _dotted(path: YamlPath) -> str:
    return "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in path).lstrip(".")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
