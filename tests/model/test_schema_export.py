"""The exported editor schemas against the loader and the readers they describe.

A schema and the code it describes must agree: every Koreo and koreoctl document of
testdata/ and the conformance corpus is accepted, broken variants of them are refused by the
schema exactly when the loader refuses them (K001/K003/K004), and the PackageRef and
koreoctl.yaml schemas refuse what refs.py and the settings readers refuse, except for the
checks listed here that a schema cannot make.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from koreoctl.errors import UsageError
from koreoctl.model import build_model
from koreoctl.model.schema.export import (
    CONFIG,
    INDEX,
    config_schema,
    document_schemas,
    exported,
    file_name,
)
from koreoctl.project.source import parse_text, read_file
from tests.project.test_refs import REFUSED, SHA, load, package_ref

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCES = (REPOSITORY / "testdata", REPOSITORY.parent / "shared" / "corpus")
KINDS = tuple(document_schemas())
SCHEMA_CODES = {"K001", "K003", "K004"}


def validator(schema: dict[str, Any]) -> Any:
    """A validator of the dialect the schema names (draft-07, the YAML language server's)."""
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft7Validator
    cls.check_schema(schema)
    return cls(schema)


SCHEMAS = {kind: validator(schema) for kind, schema in document_schemas().items()}
EXPORTED = {name: json.loads(text) for name, text in exported().items()}
INDEX_VALIDATOR = validator(EXPORTED[INDEX])
CONFIG_VALIDATOR = validator(EXPORTED[CONFIG])


def documents() -> Iterator[tuple[str, Any]]:
    """(file, data) of every YAML document of testdata/ and the corpus (caches skipped)."""
    for source in SOURCES:
        for path in sorted(source.rglob("*")):
            if ".koreoctl" in path.parts or path.suffix not in (".koreo", ".yaml", ".yml"):
                continue
            for doc in read_file(path, str(path.relative_to(source.parent))).docs:
                yield doc.file, doc.data


def kind_of(data: Any) -> str | None:
    """The exported kind ``data`` is a document of (None: some other document)."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None
    group = str(data.get("apiVersion", "")).partition("/")[0]
    return str(data["kind"]) if group in ("koreo.dev", "koreoctl.dev") else None


ALL_DOCUMENTS = list(documents())
MATCHING = [(file, data) for file, data in ALL_DOCUMENTS if kind_of(data)]


def loader_refuses(data: Any) -> bool:
    """Whether the loader reports a schema, apiVersion or metadata error for ``data``."""
    model = build_model(parse_text(json.dumps(data), "doc.koreo").docs)
    return any(note.code in SCHEMA_CODES for note in model.diagnostics)


def errors(kind: str, data: Any) -> list[str]:
    return [error.message for error in SCHEMAS[kind].iter_errors(data)]


# --- the documents there are --------------------------------------------------------------


def test_every_kind_has_documents_to_check() -> None:
    counts = Counter(kind_of(data) for _, data in MATCHING)
    assert {kind for kind in KINDS if counts[kind] == 0} == set()
    assert len(ALL_DOCUMENTS) > len(MATCHING)  # CRDs and inputs are there too


@pytest.mark.parametrize(("file", "data"), MATCHING, ids=[file for file, _ in MATCHING])
def test_each_document_is_accepted_by_its_schema_and_the_index(file: str, data: Any) -> None:
    assert errors(str(kind_of(data)), data) == []
    assert list(INDEX_VALIDATOR.iter_errors(data)) == []


def test_documents_of_other_kinds_pass_the_index() -> None:
    others = [data for _, data in ALL_DOCUMENTS if not kind_of(data)]
    assert others
    assert [data for data in others if not INDEX_VALIDATOR.is_valid(data)] == []


def test_the_loader_accepts_every_document_too() -> None:
    """So the acceptance above says something: these are the loader's valid documents."""
    refused = [
        file for file, data in MATCHING if data["kind"] != "PackageRef" and loader_refuses(data)
    ]
    assert refused == []


# --- broken documents: refused by both ----------------------------------------------------


def first(kind: str) -> dict[str, Any]:
    data = next(data for _, data in MATCHING if data["kind"] == kind)
    return copy.deepcopy(data)


def broken(kind: str, change: str) -> dict[str, Any]:
    data = first(kind)
    spec = data["spec"]
    match change:
        case "steps is a string":
            spec["steps"] = "make-it"
        case "a label too short":
            spec["steps"][0]["label"] = "ab"
        case "both ref and refSwitch":
            spec["steps"][0]["refSwitch"] = {"switchOn": "=1", "cases": []}
        case "no spec":
            del data["spec"]
        case "a list for spec":
            data["spec"] = [1]
        case "no metadata.name":
            del data["metadata"]["name"]
        case "an empty metadata.name":
            data["metadata"]["name"] = ""
        case "an old apiVersion":
            data["apiVersion"] = data["apiVersion"].rsplit("/", 1)[0] + "/v1alpha0"
        case "no functionRef":
            del spec["functionRef"]
        case "no template":
            del spec["template"]
        case "maxPasses 0":
            spec["maxPasses"] = 0
        case "no trigger":
            del spec["trigger"]
        case "apiConfig not an object":
            spec["apiConfig"] = "v1"
        case "locals a list":
            spec["locals"] = ["x"]
    return data


BROKEN = [
    ("Workflow", "steps is a string"),
    ("Workflow", "a label too short"),
    ("Workflow", "both ref and refSwitch"),
    ("Workflow", "no spec"),
    ("Workflow", "an old apiVersion"),
    ("ValueFunction", "no spec"),
    ("ValueFunction", "locals a list"),
    ("ValueFunction", "no metadata.name"),
    ("ResourceFunction", "apiConfig not an object"),
    ("ResourceFunction", "an empty metadata.name"),
    ("ResourceTemplate", "no template"),
    ("ResourceTemplate", "a list for spec"),
    ("FunctionTest", "no functionRef"),
    ("FunctionTest", "an old apiVersion"),
    ("WorkflowTest", "maxPasses 0"),
    ("WorkflowTest", "no trigger"),
]


@pytest.mark.parametrize(("kind", "change"), BROKEN, ids=[f"{k}: {c}" for k, c in BROKEN])
def test_a_broken_document_is_refused_by_the_schema_the_index_and_the_loader(
    kind: str, change: str
) -> None:
    data = broken(kind, change)
    assert errors(kind, data) != []
    assert not INDEX_VALIDATOR.is_valid(data)
    assert loader_refuses(data)


def test_the_workflow_whose_steps_is_a_string_is_refused_at_steps() -> None:
    (error,) = SCHEMAS["Workflow"].iter_errors(broken("Workflow", "steps is a string"))
    assert (list(error.absolute_path), error.validator) == (["spec", "steps"], "type")


def test_an_unknown_field_is_not_an_error_as_the_loader_only_warns() -> None:
    data = first("Workflow")
    data["spec"]["stepz"] = []
    assert errors("Workflow", data) == []
    notes = build_model(parse_text(json.dumps(data), "doc.koreo").docs).diagnostics
    assert [note.code for note in notes] == ["K005"]


# --- PackageRef: the schema and refs.py ---------------------------------------------------

# What refs.py checks beyond the schema: url safety (schemes, hosts, '--' parts) and
# control characters. Every other refusal of test_refs.REFUSED the schema makes too.
REFS_ONLY = {
    ("url", "https://example.com/a\x00b"),
    ("url", "https://example.com/a\x7fb"),
    ("url", "https://example.com/a\u200bb"),
    ("url", "http://example.com/x.git"),
    ("url", "git://example.com/x.git"),
    ("url", "ftp://example.com/x.git"),
    ("url", "git+ssh://example.com/x.git"),
    ("url", "file://relative/x.git"),
    ("url", "https://example.com/--upload-pack=touch"),
    ("url", "https://example.com/x?--config=a"),
    ("url", "ssh://-oProxyCommand=touch/x"),
    ("url", "ssh://git@-oProxyCommand=touch/x"),
    ("url", "git@-oProxyCommand=touch:x"),
    ("url", "ssh://example.com:x22/x"),
    ("url", "https:///x.git"),
    ("tag", "v\x011"),
    ("directory", "a\x00b"),
}


def ref_text(field: str, value: Any) -> str:
    if field in ("commit", "tag", "branch"):
        return package_ref(kind=field, value=value)
    return package_ref(**{"type_" if field == "type" else field: value})


def schema_accepts_ref(text: str) -> bool:
    (doc,) = parse_text(text, "a.yaml").docs
    return SCHEMAS["PackageRef"].is_valid(doc.data)


def refs_accepts(tmp_path: Path, text: str) -> bool:
    found, _ = load(tmp_path, ("a.yaml", text))
    return len(found) == 1


def test_every_refusal_of_refs_py_is_the_schemas_too_but_for_the_listed_ones(
    tmp_path: Path,
) -> None:
    missed = set()
    for field, value, *_ in REFUSED:
        text = ref_text(field, value)
        assert not refs_accepts(tmp_path, text)
        if schema_accepts_ref(text):
            missed.add((field, value))
    assert missed == REFS_ONLY


ACCEPTED_REFS = [
    ("tag", "v1"),
    ("tag", "release/2024.1"),
    ("commit", SHA.upper()),
    ("commit", "ab" * 32),
    ("branch", "main"),
    ("branch", "feature/x.y"),
    ("directory", "."),
    ("directory", "./a//b/"),
    ("directory", "a..b"),
    ("type", "crd"),
    ("url", "https://token@example.com/shared.git"),
    ("url", "ssh://[::1]/shared.git"),
    ("url", "git@example.com:org/shared.git"),
    ("url", "file:///srv/git/shared.git"),
    ("url", "../shared"),
    ("url", "C:/x"),
    ("name", "shared.labels-2"),
]


@pytest.mark.parametrize(("field", "value"), ACCEPTED_REFS)
def test_what_refs_py_accepts_the_schema_accepts(tmp_path: Path, field: str, value: str) -> None:
    text = ref_text(field, value)
    assert refs_accepts(tmp_path, text)
    assert schema_accepts_ref(text)


REF_DOCUMENTS = [
    # (spec in flow style, what both say)
    ("{url: 'https://h/x', ref: {tag: v1}}", True),
    ("{url: 'https://h/x', ref: {tag: v1}, directory: pkg, type: all}", True),
    ("{url: 'https://h/x'}", False),
    ("{url: 'https://h/x', ref: v1}", False),
    ("{url: 'https://h/x', ref: {}}", False),
    ("{url: 'https://h/x', ref: {tag: v1, branch: main}}", False),
    ("{url: 'https://h/x', ref: {tag: v1, sha: x}}", False),
    ("{url: 'https://h/x', ref: {tag: v1}, directroy: pkg}", False),
    ("{url: 'https://h/x', ref: {tag: v1}, type: null}", False),
    ("[1]", False),
    (None, False),
]


@pytest.mark.parametrize(("spec", "valid"), REF_DOCUMENTS)
def test_ref_documents(tmp_path: Path, spec: str | None, valid: bool) -> None:
    text = "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
    text += f"spec: {spec}\n" if spec else ""
    assert (refs_accepts(tmp_path, text), schema_accepts_ref(text)) == (valid, valid)


def test_the_testdata_refs_file_is_accepted() -> None:
    refs = [data for _, data in MATCHING if data["kind"] == "PackageRef"]
    assert refs
    assert [data for data in refs if not SCHEMAS["PackageRef"].is_valid(data)] == []


# --- koreoctl.yaml: the schema and the settings readers -----------------------------------


def readers_accept(folder: Path, text: str) -> bool:
    """Whether every settings reader takes ``text`` as koreoctl.yaml."""
    from koreoctl.api import fn_sequence
    from koreoctl.lint.config import find_config
    from koreoctl.project.packages import priority_setting
    from koreoctl.snapshots.recording import read_settings

    (folder / ".git").mkdir(exist_ok=True)  # the readers look no further up
    (folder / "koreoctl.yaml").write_text(text)
    try:
        read_settings(folder)
        find_config(folder)
        priority_setting([(folder, "")])
        fn_sequence([str(folder)], "test", None)
        fn_sequence([str(folder)], "render", None)
    except UsageError:
        return False
    return True


def config_accepts(text: str) -> bool:
    docs = parse_text(text, "koreoctl.yaml").docs
    return CONFIG_VALIDATOR.is_valid(docs[0].data if docs else None)


CONFIGS = [
    # (koreoctl.yaml, accepted by both)
    ("", True),
    ("snapshots:\n", True),
    ("snapshots: {record: true, dir: .snaps}\n", True),
    ("snapshots: {record: [test]}\n", True),
    ("snapshots: {record: render}\n", True),
    ("snapshots: {record: null, dir: null}\n", True),
    ("snapshots: {record: [lint]}\n", False),
    ("snapshots: {record: 1}\n", False),
    ("snapshots: {dir: ''}\n", False),
    ("snapshots: {dir: 3}\n", False),
    ("snapshots: {keep: 3}\n", False),
    ("snapshots: [test]\n", False),
    ("lint: {select: [ALL], ignore: 'H003,W', fail-on: Warning}\n", True),
    ("lint: {select: [], severity: {H001: error, W: INFO}, fail-on: never}\n", True),
    ("lint: {fail-on: always}\n", False),
    ("lint: {fail-on: null}\n", False),
    ("lint: {select: null}\n", False),
    ("lint: {select: {H001: 1}}\n", False),
    ("lint: {severity: [H001]}\n", False),
    ("lint: {severity: {H001: loud}}\n", False),
    ("lint: {selct: [ALL]}\n", False),
    ("refs: {priority: [shared-labels, project]}\n", True),
    ("refs: {priority: shared-labels}\n", False),
    ("refs: {priority: [1]}\n", False),
    ("refs: {order: []}\n", False),
    ("fn: {test: ['set-labels team=a'], render: [], other: 1}\n", True),
    ("fn: {test: 'set-labels team=a'}\n", False),
    ("fn: {render: [' ']}\n", False),
    ("fn: {test: null}\n", False),
    ("other-tool: {anything: 1}\n", True),
]


@pytest.mark.parametrize(("text", "valid"), CONFIGS)
def test_config(tmp_path: Path, text: str, valid: bool) -> None:
    assert (readers_accept(tmp_path, text), config_accepts(text)) == (valid, valid)


# The readers check what a schema cannot: that a code is a rule's, a step's shell quoting.
READERS_ONLY = [
    "lint: {select: [Z999]}\n",
    "lint: {severity: {Z9: error}}\n",
    "fn: {test: ['a \"b']}\n",
]


@pytest.mark.parametrize("text", READERS_ONLY)
def test_what_only_the_readers_refuse(tmp_path: Path, text: str) -> None:
    assert (readers_accept(tmp_path, text), config_accepts(text)) == (False, True)


def test_the_config_schema_is_the_exported_one() -> None:
    assert EXPORTED[CONFIG] == json.loads(json.dumps(config_schema()))


# --- the files ----------------------------------------------------------------------------


def test_the_exported_files() -> None:
    assert sorted(EXPORTED) == sorted([*(file_name(kind) for kind in KINDS), INDEX, CONFIG])
    assert KINDS == (
        "ValueFunction",
        "ResourceFunction",
        "ResourceTemplate",
        "Workflow",
        "FunctionTest",
        "WorkflowTest",
        "PackageRef",
    )


def test_the_files_are_deterministic_sorted_and_end_with_a_newline() -> None:
    files = exported()
    assert files == exported()
    for text in files.values():
        assert text.endswith("}\n")
        assert (
            text
            == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )


def test_a_spec_schema_is_the_one_the_loader_checks_with() -> None:
    from koreoctl.model.schema import kind_schema

    assert EXPORTED["Workflow.schema.json"]["properties"]["spec"] == kind_schema("Workflow")
    assert EXPORTED[INDEX]["definitions"]["WorkflowTest"]["properties"]["spec"] == kind_schema(
        "WorkflowTest"
    )


def test_the_index_dispatches_on_group_and_kind() -> None:
    assert INDEX_VALIDATOR.is_valid({"apiVersion": "v1", "kind": "Workflow"})  # not Koreo's
    assert INDEX_VALIDATOR.is_valid({"apiVersion": "koreo.dev/v1beta1", "kind": "Other"})
    assert not INDEX_VALIDATOR.is_valid({"apiVersion": "koreo.dev/v1beta1", "kind": "Workflow"})


@pytest.mark.parametrize(
    ("kind", "api_version"),
    [("WorkflowTest", "koreo.dev/v1beta1"), ("Workflow", "koreoctl.dev/v1alpha1")],
)
def test_a_kind_in_the_other_group_is_refused_by_the_index_and_the_loader(
    kind: str, api_version: str
) -> None:
    data = first(kind) | {"apiVersion": api_version}
    assert not INDEX_VALIDATOR.is_valid(data)
    model = build_model(parse_text(json.dumps(data), "doc.koreo").docs)
    assert [note.code for note in model.diagnostics] == ["K002"]
