"""JSON Schemas of whole documents for editors (``koreoctl schema export DIR``).

Each Koreo kind's and WorkflowTest's schema wraps the spec schema the loader checks with
(``kind_schema``, the JSON files of this folder) in the document around it: the
``apiVersion`` and ``kind`` the loader reads, and the ``metadata.name`` it requires. The
PackageRef schema is built from ``koreoctl.project.refs``' own constants and patterns; the
``koreoctl.yaml`` schema describes the sections the settings readers take (``snapshots``,
``lint``, ``refs``, ``fn``). Those two are checked against their readers by the tests
(``tests/model/test_schema_export.py``): a document one refuses, the other refuses too,
except where the readers check more than a schema can say (noted in ``description``).

``koreo.schema.json`` dispatches on ``apiVersion`` and ``kind`` so that one schema serves a
multi-document ``.koreo`` file; documents of other kinds (CRDs, input data) pass.
Deliberately, the exported schemas do not forbid unknown fields of Koreo kinds: the loader
warns about them (K005) and goes on, as Kubernetes would drop them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from koreoctl.errors import UsageError
from koreoctl.fileio import replace_atomically
from koreoctl.model import workflow_test
from koreoctl.model.common import API_GROUP, API_VERSION
from koreoctl.model.schema import KINDS, kind_schema
from koreoctl.project import refs

# draft-07: what the YAML language server reads; the spec schemas use only keywords whose
# meaning is the same there and in the 2020-12 dialect the loader validates with.
DIALECT = "http://json-schema.org/draft-07/schema#"
INDEX = "koreo.schema.json"
CONFIG = "koreoctl-config.schema.json"
KOREOCTL_KINDS = ("WorkflowTest", "PackageRef")
SNAPSHOT_COMMANDS = ("test", "render")  # koreoctl.snapshots.recording.COMMANDS (a layer up)
FN_COMMANDS = ("test", "render")  # the commands whose fn.<command> koreoctl.api reads
LINT_LEVELS = ("error", "warning", "info")
FILE_MODE = 0o644  # read by editors, perhaps as another user


def file_name(kind: str) -> str:
    """The file a kind's schema is written to: ``Workflow.schema.json``."""
    return f"{kind}.schema.json"


def api_version(kind: str) -> str:
    """The apiVersion the loader reads ``kind`` with."""
    if kind in KINDS:
        return API_VERSION
    return workflow_test.API_VERSION if kind == "WorkflowTest" else refs.KOREOCTL_API


def document_schemas() -> dict[str, dict[str, Any]]:
    """Every kind's document schema, by kind (Koreo's five, then koreoctl's own)."""
    schemas = {kind: _document(kind, kind_schema(kind)) for kind in (*KINDS, "WorkflowTest")}
    schemas["PackageRef"] = package_ref_schema()
    return schemas


def exported() -> dict[str, str]:
    """The exported files: name → text (sorted keys, two-space indent, trailing newline)."""
    kinds = document_schemas()
    files = {file_name(kind): _text(schema) for kind, schema in kinds.items()}
    files[INDEX] = _text(index_schema(kinds))
    files[CONFIG] = _text(config_schema())
    return dict(sorted(files.items()))


def export(folder: Path) -> tuple[Path, ...]:
    """Write every exported file into ``folder`` (created when missing), each replaced
    atomically; the paths written. Raises UsageError when ``folder`` cannot be one."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; give the folder to write the schemas to")
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in exported().items():
            replace_atomically(folder / name, text.encode("utf-8"), mode=FILE_MODE)
            written.append(folder / name)
    except OSError as problem:
        raise UsageError(f"cannot write the schemas to {folder}: {problem.strerror}") from None
    return tuple(written)


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- documents ----------------------------------------------------------------------------


def _document(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A document of ``kind`` whose spec is ``spec``, as the loader reads it (model._header)."""
    return {
        "$schema": DIALECT,
        "title": f"{kind} ({api_version(kind)})",
        "type": "object",
        "properties": {
            "apiVersion": {"const": api_version(kind)},
            "kind": {"const": kind},
            "metadata": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "namespace": {"type": "string"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": ["name"],
            },
            "spec": spec,
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
    }


def index_schema(kinds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One schema for every document of a ``.koreo`` file: a document whose kind is one of
    ``kinds`` and whose apiVersion is Koreo's or koreoctl's must be that kind's document."""
    definitions = {
        kind: {key: value for key, value in schema.items() if key != "$schema"}
        for kind, schema in kinds.items()
    }
    return {
        "$schema": DIALECT,
        "title": "Koreo and koreoctl resources (any document of a .koreo file)",
        "type": "object",
        "definitions": definitions,
        "allOf": [_dispatch(kind) for kind in kinds],
    }


def _dispatch(kind: str) -> dict[str, Any]:
    """A document of ``kind`` in Koreo's or koreoctl's group is ``kind``'s document: the loader
    refuses one in the wrong group (K002) or at the wrong version (K001)."""
    return {
        "if": {
            "properties": {
                "kind": {"const": kind},
                "apiVersion": {"type": "string", "pattern": f"^(?:{'|'.join(_GROUPS)})/"},
            },
            "required": ["apiVersion", "kind"],
        },
        "then": {"$ref": f"#/definitions/{kind}"},
    }


_GROUPS = tuple(
    dict.fromkeys(
        group.replace(".", "\\.")
        for group in (API_GROUP, workflow_test.API_GROUP, refs.KOREOCTL_API.partition("/")[0])
    )
)


# --- PackageRef (koreoctl.project.refs) ---------------------------------------------------


# git's check-ref-format, as refs.ref_name_problem checks it (control characters aside)
_REF_NAME = (
    r"^(?![-./])(?!.*\.\.)(?!.*@\{)(?!.*//)(?!.*[/.]$)(?!@$)(?!.*/\.)(?!.*\.lock(?:/|$))"
    r"[^~^:?*\[\\ ]*$"
)


def package_ref_schema() -> dict[str, Any]:
    """A ``refs/`` PackageRef document, from refs.py's names, patterns and limits."""
    not_option = "^(?!-)"
    ref_name = {"type": "string", "minLength": 1, "pattern": _REF_NAME}
    spec = {
        "type": "object",
        "properties": {
            "url": {
                "type": "string",
                "minLength": 1,
                "pattern": not_option + r"(?![^/]*::)[^\s]*$",
                "description": "https://, ssh://, file:///, user@host:path or a local path; "
                "koreoctl refs checks it further (no http://, no options, a host)",
            },
            "ref": {
                "type": "object",
                "properties": {
                    "commit": {"type": "string", "pattern": f"^(?:{refs._SHA.pattern})$"},
                    "tag": ref_name,
                    "branch": ref_name,
                },
                "oneOf": [{"required": [kind]} for kind in refs.REF_KINDS],
                "additionalProperties": False,
            },
            "directory": {
                "type": "string",
                "minLength": 1,
                "pattern": r"^(?!/)(?!.*\\)(?!(?:.*/)?\.\.(?:/|$))(?!(?:.*/)?-)",
                "default": ".",
            },
            "type": {"enum": list(refs.PACKAGE_TYPES), "default": refs.PACKAGE_TYPES[0]},
        },
        "required": ["url", "ref"],
        "additionalProperties": False,
    }
    document = _document("PackageRef", spec)
    document["properties"]["metadata"]["properties"]["name"] = {
        "type": "string",
        "maxLength": 63,
        "pattern": f"^(?:{refs._NAME.pattern})$",
    }
    return document


# --- koreoctl.yaml ------------------------------------------------------------------------


def config_schema() -> dict[str, Any]:
    """``koreoctl.yaml``: the sections the settings readers take (all optional)."""
    return {
        "$schema": DIALECT,
        "title": "koreoctl.yaml (koreoctl's project settings)",
        "type": ["object", "null"],
        "properties": {
            "snapshots": _section(
                {
                    "record": {
                        "oneOf": [
                            {"type": ["boolean", "null"]},
                            {"enum": list(SNAPSHOT_COMMANDS)},
                            {"type": "array", "items": {"enum": list(SNAPSHOT_COMMANDS)}},
                        ],
                        "description": "Record these commands' runs as snapshots (true: all)",
                    },
                    "dir": {"type": ["string", "null"], "minLength": 1},
                }
            ),
            "lint": _section(
                {
                    "select": _codes("Rule codes or prefixes to report (ALL: every rule)"),
                    "ignore": _codes("Rule codes or prefixes never reported"),
                    "severity": {
                        "type": "object",
                        "additionalProperties": _any_case(LINT_LEVELS),
                        "description": "A rule code or prefix → its severity",
                    },
                    "fail-on": _any_case((*LINT_LEVELS, "never")),
                }
            ),
            "refs": _section(
                {
                    "priority": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Packages (and `project`) in the order a name defined "
                        "by several of them is taken from",
                    }
                }
            ),
            "fn": _section(
                {command: _fn_sequence(command) for command in FN_COMMANDS}, closed=False
            ),
        },
    }


def _section(properties: dict[str, Any], *, closed: bool = True) -> dict[str, Any]:
    section: dict[str, Any] = {"type": ["object", "null"], "properties": properties}
    if closed:
        section["additionalProperties"] = False
    return section


def _codes(description: str) -> dict[str, Any]:
    code = {"type": "string"}
    return {
        "oneOf": [code, {"type": "array", "items": code}],
        "description": f"{description}; a list, or one string of comma-separated codes",
    }


def _any_case(words: tuple[str, ...]) -> dict[str, Any]:
    """A string that is one of ``words`` in any letter case (the readers lower-case it)."""
    spelled = ("".join(f"[{c.lower()}{c.upper()}]" for c in word) for word in words)
    return {"type": "string", "pattern": f"^(?:{'|'.join(spelled)})$", "examples": list(words)}


def _fn_sequence(command: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "pattern": r"\S"},
        "description": f"Functions applied to every `koreoctl {command}` unit: 'FUNCTION ARGS...'",
    }
