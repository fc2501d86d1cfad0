"""What a change can affect (the basis of --watch re-running only that).

Expected sets are read off testdata/hello-workload by hand: workflow.koreo's Workflow
hello-workload calls ValueFunction workload-config and ResourceFunctions workload-deployment
and workload-service; each function file also holds its FunctionTest; the three WorkflowTests
in hello-workload-test.koreo name hello-workload (one by workflowRef, two by their trigger).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from koreoctl.dependencies import affected
from koreoctl.project.source import SourceDoc, parse_text
from tests.cli.clitools import REPOSITORY

HELLO = REPOSITORY / "testdata" / "hello-workload"
WORKFLOW_TESTS = {
    ("WorkflowTest", "hello-workload-test"),
    ("WorkflowTest", "hello-workload-slow-rollout-test"),
    ("WorkflowTest", "hello-workload-unpinned-image-test"),
}
THROUGH_THE_WORKFLOW = {("Workflow", "hello-workload"), *WORKFLOW_TESTS}


def _docs(edit: tuple[str, str, str] | None = None) -> dict[str, tuple[SourceDoc, ...]]:
    """hello-workload's documents by file; ``edit`` = (file, old, new) changes one file."""
    found = {}
    for path in sorted(
        [*HELLO.glob("in/**/*.koreo"), *HELLO.glob("in/**/*.yaml"), *HELLO.glob("crds/*")]
    ):
        name = path.relative_to(HELLO).as_posix()
        text = path.read_text()
        if edit is not None and edit[0] == name:
            assert edit[1] in text
            text = text.replace(edit[1], edit[2], 1)
        found[name] = parse_text(text, name).docs
    return found


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("in/workload-config.koreo", "replicas: =inputs.replicas", "replicas: 1"),
            {("ValueFunction", "workload-config")}
            | {("FunctionTest", "workload-config-test")}
            | THROUGH_THE_WORKFLOW,
        ),
        (
            ("in/workload-service.koreo", "kind: Service\n", "kind: Service  # same data\n"),
            set(),  # a comment: no resource changed, none moved
        ),
        (
            (
                "in/workload-service.koreo",
                "name: =inputs.config.name",
                "name: =inputs.config.name + 'x'",
            ),
            {("ResourceFunction", "workload-service"), ("FunctionTest", "workload-service-test")}
            | THROUGH_THE_WORKFLOW,
        ),
        (("in/workflow.koreo", "kind: Workload", "kind: Workloads"), THROUGH_THE_WORKFLOW),
        (
            ("in/hello-workload-test.koreo", "namespace: demo", "namespace: elsewhere"),
            {("WorkflowTest", "hello-workload-test")},
        ),
        (
            # a line more in the first WorkflowTest moves the two after it: their results'
            # line numbers change, so they run again too
            ("in/hello-workload-test.koreo", "  workflowRef:\n", "  # note\n  workflowRef:\n"),
            {
                ("WorkflowTest", "hello-workload-slow-rollout-test"),
                ("WorkflowTest", "hello-workload-unpinned-image-test"),
            },
        ),
    ],
)
def test_a_change_affects_its_resources_and_their_dependents(
    edit: tuple[str, str, str], expected: set[tuple[str, str]]
) -> None:
    assert affected(_docs(), _docs(edit), [edit[0]]) == expected


def test_a_crd_or_data_change_affects_everything() -> None:
    docs = _docs()
    crd = _docs(("crds/workloads.yaml", "type: string", "type: integer"))
    assert affected(docs, crd, ["crds/workloads.yaml"]) is None
    trigger = _docs(("in/triggers/web.yaml", "name: web", "name: web2"))
    assert affected(docs, trigger, ["in/triggers/web.yaml"]) is None  # a trigger object
    assert affected(docs, docs, ["crds/workloads.yaml"]) == frozenset()  # saved unchanged


FUNCTION = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {{name: {name}}}
spec:
  return: {{a: 1}}
"""
TEST = """\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {{name: {name}-test}}
spec:
  functionRef: {{kind: ValueFunction, name: {name}}}
"""
OTHER_TEST = TEST.format(name="other")
TEMPLATED = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {{name: templated}}
spec:
  resourceTemplateRef: {{name: {template}}}
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {{name: templated-test}}
spec:
  functionRef: {{kind: ResourceFunction, name: templated}}
"""
TEMPLATE = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata: {name: some-template}
spec:
  template: {apiVersion: v1, kind: ConfigMap}
"""


def _files(texts: Mapping[str, str]) -> dict[str, tuple[SourceDoc, ...]]:
    return {name: parse_text(text, name).docs for name, text in texts.items()}


def test_a_rename_affects_the_old_name_s_dependents_too() -> None:
    before = _files({"f.koreo": FUNCTION.format(name="old"), "t.koreo": TEST.format(name="old")})
    after = _files({"f.koreo": FUNCTION.format(name="new"), "t.koreo": TEST.format(name="old")})
    assert affected(before, after, ["f.koreo"]) == {
        ("ValueFunction", "old"),
        ("ValueFunction", "new"),
        ("FunctionTest", "old-test"),  # it names the function that is gone: it must run again
    }


def test_an_unrelated_test_is_not_affected() -> None:
    before = _files({"f.koreo": FUNCTION.format(name="f"), "o.koreo": OTHER_TEST})
    edited = FUNCTION.format(name="f").replace("a: 1", "a: 2")
    after = _files({"f.koreo": edited, "o.koreo": OTHER_TEST})
    assert affected(before, after, ["f.koreo"]) == {("ValueFunction", "f")}


@pytest.mark.parametrize(
    ("template", "expected_test"),
    [("some-template", True), ("other-template", False), ("'=inputs.name'", True)],
)
def test_a_template_change_reaches_functions_naming_it_or_naming_one_by_expression(
    template: str, expected_test: bool
) -> None:
    function = TEMPLATED.format(template=template)
    before = _files({"r.koreo": function, "tpl.koreo": TEMPLATE})
    after = _files({"r.koreo": function, "tpl.koreo": TEMPLATE.replace("ConfigMap", "Secret")})
    found = affected(before, after, ["tpl.koreo"])
    assert found is not None
    assert (("FunctionTest", "templated-test") in found) is expected_test


def test_an_empty_or_unparsable_file_affects_only_what_it_defined() -> None:
    before = _files({"f.koreo": FUNCTION.format(name="f"), "t.koreo": TEST.format(name="f")})
    after = _files({"f.koreo": "spec: [unclosed\n", "t.koreo": TEST.format(name="f")})
    assert affected(before, after, ["f.koreo"]) == {
        ("ValueFunction", "f"),
        ("FunctionTest", "f-test"),
    }
    assert affected(after, after, ["new-empty.koreo"]) == frozenset()
