"""WorkflowTest records (koreoctl.dev/v1alpha1): parsing, defaults, schema problems, the docs."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from koreoctl.diagnostics import Severity
from koreoctl.model import Broken, Model, build_model
from koreoctl.model.function_test import ExpectOutcome
from koreoctl.model.schema import kind_schema
from koreoctl.model.workflow_test import ObjectId, WorkflowTest
from koreoctl.project.source import parse_text

REPOSITORY = Path(__file__).resolve().parents[2]

HEADER = """\
apiVersion: koreoctl.dev/v1alpha1
kind: WorkflowTest
metadata:
  name: storage-test
  namespace: team
spec:
"""

FULL = (
    HEADER
    + """\
  workflowRef: {name: team-storage}
  trigger:
    apiVersion: example.dev/v1
    kind: Storage
    metadata: {name: a, namespace: team}
    spec: {size: 3}
  state:
    - {apiVersion: v1, kind: ConfigMap, metadata: {name: seed, namespace: team}}
  controllers:
    - match: {apiVersion: example.dev/v1, kind: Bucket, name: b, labels: {team: a}}
      status: {ready: =has(resource.spec)}
    - match: {apiVersion: apps/v1, kind: Deployment}
      afterPasses: 2
      status: {availableReplicas: 1}
  expectPasses: 3
  checks:
    - pass: 1
      expectOutcome: {retry: {delay: 30}}
    - label: ready
      expectOutcome: {permFail: {message: broken}}
      expectResources:
        - {apiVersion: example.dev/v1, kind: Bucket, metadata: {name: b}, spec: {x: 1}}
      expectAbsent:
        - {apiVersion: v1, kind: ConfigMap, metadata: {name: gone, namespace: team}}
      expectTrigger: {status: {state: {url: x}}}
    - expectOutcome: {ok: {}}
"""
)


def model_of(text: str) -> Model:
    loaded = parse_text(textwrap.dedent(text), "t.koreo")
    assert loaded.diagnostics == ()
    return build_model(loaded.docs)


def test_a_full_workflow_test() -> None:
    model = model_of(FULL)
    assert model.diagnostics == ()
    (test,) = model.entries
    assert isinstance(test, WorkflowTest)
    assert str(test.header.key) == "WorkflowTest:team:storage-test"
    assert test.header.api_version == "koreoctl.dev/v1alpha1"
    assert test.workflow_ref is not None and test.workflow_ref.name == "team-storage"
    assert test.trigger["spec"] == {"size": 3}
    assert [obj["metadata"]["name"] for obj in test.state] == ["seed"]
    assert (test.max_passes, test.expect_passes) == (10, 3)  # maxPasses defaults to 10
    first, second = test.controllers
    assert (first.match.name, first.match.labels, first.after_passes) == ("b", (("team", "a"),), 1)
    assert first.status.data == {"ready": "=has(resource.spec)"}
    assert first.status.at.span.line == 17
    assert (second.after_passes, str(second.match)) == (2, "apps/v1 Deployment *")
    one, two, three = test.checks
    assert (one.label, one.pass_number) == ("check 1 (after pass 1)", 1)
    assert one.expect_outcome == ExpectOutcome("retry", None, 30)
    assert (two.label, two.pass_number) == ("ready", None)
    assert two.expect_outcome == ExpectOutcome("permFail", "broken", None)
    (expected,) = two.expect_resources
    assert expected.id == ObjectId("example.dev/v1", "Bucket", "b")
    assert expected.fields["spec"] == {"x": 1}
    assert two.expect_absent == (ObjectId("v1", "ConfigMap", "gone", "team"),)
    assert two.expect_trigger == {"status": {"state": {"url": "x"}}}
    assert three.label == "check 3"
    assert three.at.span.line == 32


def test_the_smallest_workflow_test() -> None:
    model = model_of(HEADER + "  trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n")
    (test,) = model.entries
    assert isinstance(test, WorkflowTest)
    assert (test.workflow_ref, test.state, test.controllers, test.checks) == (None, (), (), ())
    assert test.expect_passes is None


def test_object_ids_match_by_identity() -> None:
    web = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"}}
    assert ObjectId("v1", "Service", "web").matches(web)
    assert ObjectId("v1", "Service", "web", "a").matches(web)
    assert not ObjectId("v1", "Service", "web", "b").matches(web)
    assert not ObjectId("apps/v1", "Service", "web").matches(web)
    assert str(ObjectId("v1", "Service", "web", "a")) == "v1 Service a/web"


@pytest.mark.parametrize(
    ("spec", "code", "message", "where"),
    [
        ("checks: []\n", "K003", "`spec` is missing required field `trigger`", (6, 1)),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {}}\n",
            "K003",
            "`spec.trigger.metadata` is missing required field `name`",
            (7, 38),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "checks:\n  - label: nothing\n",
            "K003",
            "`spec.checks[0]` needs at least one of `expectOutcome`, `expectResources`, "
            "`expectAbsent` or `expectTrigger`",
            (9, 7),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "checks:\n  - expectOutcome: {ok: {}, skip: {}}\n",
            "K003",
            "`spec.checks[0].expectOutcome` may have only one of",
            (9, 31),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "checks:\n  - expectOutcome: {ok: {message: x}}\n",
            "K003",
            "`spec.checks[0].expectOutcome.ok` must be empty",
            (9, 27),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\nmaxPasses: 0\n",
            "K003",
            "`spec.maxPasses`: 0 is less than the minimum of 1",
            (8, 14),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "controllers:\n  - match: {apiVersion: v1}\n    status: {a: 1}\n",
            "K003",
            "`spec.controllers[0].match` is missing required field `kind`",
            (9, 7),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "controllers:\n  - match: {apiVersion: v1, kind: Y, labels: {a: 1}}\n"
            "    status: {a: 1}\n",
            "K003",
            "`spec.controllers[0].match.labels.a` must be a string, not an integer",
            (9, 52),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "maxPasses: 3\nexpectPasses: 4\n",
            "K003",
            "`spec.expectPasses` (4) is more than `spec.maxPasses` (3)",
            (9, 17),
        ),
        (
            "trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n"
            "checks:\n  - pass: 11\n    expectOutcome: {ok: {}}\n",
            "K003",
            "`spec.checks[0].pass` (11) is more than `spec.maxPasses` (10)",
            (9, 13),
        ),
    ],
)
def test_problems_at_the_field(spec: str, code: str, message: str, where: tuple[int, int]) -> None:
    model = model_of(HEADER + textwrap.indent(spec, "  "))
    (entry,) = model.entries
    assert isinstance(entry, Broken)
    found = [d for d in entry.diagnostics if d.code == code]
    assert found, model.diagnostics
    assert found[0].message.startswith(message)
    assert found[0].span is not None
    assert (found[0].span.line, found[0].span.col) == where
    assert entry.refusal.message == found[0].message
    assert entry.refusal.location == "WorkflowTest:storage-test:spec"


def test_unknown_fields_warn_in_koreoctl_words() -> None:
    model = model_of(
        HEADER + "  trigger: {apiVersion: v1, kind: X, metadata: {name: a}}\n  expect: 3\n"
    )
    (entry,) = model.entries
    assert isinstance(entry, WorkflowTest)
    (warning,) = model.diagnostics
    assert (warning.code, warning.severity) == ("K005", Severity.WARNING)
    assert warning.message == "unknown field `spec.expect`; koreoctl ignores it"


@pytest.mark.parametrize(
    ("head", "code", "message", "where"),
    [
        (
            "apiVersion: koreoctl.dev/v1alpha1\nkind: FunctionTest\n",
            "K002",
            "unknown koreoctl kind 'FunctionTest'; koreoctl.dev/v1alpha1 defines 'WorkflowTest'",
            (2, 7),
        ),
        (
            "apiVersion: koreoctl.dev/v1\nkind: WorkflowTest\n",
            "K001",
            "unsupported apiVersion 'koreoctl.dev/v1' for WorkflowTest; koreoctl reads "
            "'koreoctl.dev/v1alpha1'",
            (1, 13),
        ),
        (
            "apiVersion: koreo.dev/v1beta1\nkind: WorkflowTest\n",
            "K002",
            "WorkflowTest is koreoctl's kind, not Koreo's: its apiVersion is "
            "'koreoctl.dev/v1alpha1'",
            (1, 13),
        ),
        (
            "apiVersion: koreoctl.dev/v1alpha1\nkind: WorkflowTest\nmetadata: {}\n",
            "K004",
            "WorkflowTest has no `metadata.name`",
            (3, 11),
        ),
    ],
)
def test_documents_not_loaded(head: str, code: str, message: str, where: tuple[int, int]) -> None:
    model = model_of(head + "metadata: {name: x}\n" if "metadata" not in head else head)
    assert model.entries == ()
    (diagnostic,) = model.diagnostics
    assert (diagnostic.code, diagnostic.severity) == (code, Severity.ERROR)
    assert diagnostic.message.startswith(message)
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.col) == where


def test_other_groups_with_the_same_kind_are_data() -> None:
    model = model_of("apiVersion: example.dev/v1\nkind: WorkflowTest\nmetadata: {name: x}\n")
    assert (model.entries, model.diagnostics, len(model.documents)) == ((), (), 1)


def test_schemas_named_by_ref_are_inlined() -> None:
    schema = kind_schema("WorkflowTest")
    rule = {k: v for k, v in kind_schema("ControllerRule").items() if k != "$comment"}
    assert schema["properties"]["controllers"]["items"] == rule
    assert kind_schema("Observe")["properties"]["controllers"]["items"] == rule
    assert "$ref" not in json.dumps(schema)


def test_the_docs_show_the_schema() -> None:
    """docs/workflow-tests.md ends with the schema (KOREOCTL_UPDATE_GOLDEN=1 rewrites it)."""
    path = REPOSITORY / "docs" / "workflow-tests.md"
    text = path.read_text()
    head, marker, _ = text.rpartition("```json\n")
    assert marker, "docs/workflow-tests.md has no schema block"
    expected = head + marker + json.dumps(kind_schema("WorkflowTest"), indent=2) + "\n```\n"
    if os.environ.get("KOREOCTL_UPDATE_GOLDEN"):
        path.write_text(expected)
    assert text == expected, "docs/workflow-tests.md shows a stale schema"
