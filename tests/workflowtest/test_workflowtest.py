"""The WorkflowTest runner: checks after a pass and at steady state, and what a failure says.

Each test writes WorkflowTests beside the hello-workload example's Workflow and functions
(testdata/hello-workload) and runs them: a Workload creates a Deployment and a Service; the
Deployment is ready once a simulated controller reports its replicas available.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from koreoctl import api
from koreoctl.functest import CaseResult, TestResult
from koreoctl.outcome import Ok, PermFail, Retry
from koreoctl.workflowtest import run_workflow_tests, select_workflow_tests

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "testdata" / "hello-workload"

TEST = """\
apiVersion: koreoctl.dev/v1alpha1
kind: WorkflowTest
metadata:
  name: {name}
  namespace: hello-workload
spec:
  trigger:
    apiVersion: example.koreo.dev/v1
    kind: Workload
    metadata: {{name: web, namespace: demo}}
    spec:
      image: "{image}"
      replicas: 2
"""

CONTROLLER = """\
controllers:
  - match: {apiVersion: apps/v1, kind: Deployment}
    status: {availableReplicas: =resource.spec.replicas}
"""


def workflow_test(*parts: str, name: str = "t", image: str = "nginx:1.27") -> str:
    """A WorkflowTest of the trigger ``image`` with ``parts`` (each dedented) in its spec."""
    body = "".join(textwrap.dedent(part) for part in parts)
    return TEST.format(name=name, image=image) + textwrap.indent(body, "  ")


def run(tmp_path: Path, *tests: str, pattern: str | None = None) -> tuple[TestResult, ...]:
    """The results of ``tests`` (WorkflowTest documents) run in a copy of the example."""
    shutil.copytree(EXAMPLE / "crds", tmp_path / "crds")
    shutil.copytree(EXAMPLE / "in", tmp_path / "in")
    (tmp_path / "in" / "hello-workload-test.koreo").write_text("---\n".join(tests))
    loaded = api.load([str(tmp_path)])
    assert [d for d in loaded.diagnostics if d.severity.label == "error"] == []
    entries = loaded.program.model.of_kind("WorkflowTest")
    return run_workflow_tests(loaded.program, loaded.crds, entries, pattern)


def one(tmp_path: Path, *parts: str, **options: str) -> tuple[CaseResult, ...]:
    (result,) = run(tmp_path, workflow_test(*parts, **options))
    return result.cases


def test_the_example_passes() -> None:
    loaded = api.load([str(EXAMPLE)])
    results = run_workflow_tests(
        loaded.program, loaded.crds, loaded.program.model.of_kind("WorkflowTest")
    )
    assert [(r.name, r.status, len(r.cases)) for r in results] == [
        ("hello-workload-test", "passed", 3),
        ("hello-workload-slow-rollout-test", "passed", 3),
        ("hello-workload-unpinned-image-test", "passed", 2),
    ]
    first = results[0]
    assert (first.function_kind, first.function_name) == ("Workflow", "hello-workload")
    assert first.cases[-1].label == "reaches a steady state in 3 passes"


def test_a_check_after_a_pass_sees_that_pass(tmp_path: Path) -> None:
    check, steady = one(
        tmp_path,
        CONTROLLER,
        """\
        checks:
          - pass: 1
            expectOutcome: {retry: {message: 'creating deployment:demo:web', delay: 30}}
            expectResources:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {replicas: 2}
                status: {availableReplicas: 2}   # the controller ran at the end of pass 1
            expectTrigger:
              status:
                conditions: [{type: DeploymentReady, reason: Wait}]
        """,
    )
    assert (check.status, check.message, check.label) == ("passed", None, "check 1 (after pass 1)")
    assert isinstance(check.outcome, Retry)
    assert check.span is not None and check.span.line == 18
    assert (steady.status, steady.label) == ("passed", "reaches a steady state within 10 passes")
    assert isinstance(steady.outcome, Ok)


def test_what_differs_is_named(tmp_path: Path) -> None:
    (check, _) = one(
        tmp_path,
        CONTROLLER,
        """\
        checks:
          - expectOutcome: {permFail: {}}
            expectResources:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: demo}
                spec: {replicas: 3}
              - apiVersion: v1
                kind: ConfigMap
                metadata: {name: web}
            expectAbsent:
              - apiVersion: v1
                kind: Service
                metadata: {name: web}
            expectTrigger:
              status: {state: {availableReplicas: 3}}
        """,
    )
    assert check.status == "failed"
    assert check.message is not None
    problems = check.message.split("; ")
    assert problems == [
        "the outcome at steady state is Ok, expected PermFail (steps: config Ok, "
        "deployment Ok, service Ok)",
        "apps/v1 Deployment demo/web at steady state differs: 'spec' -> 'replicas' -> "
        "<target:[3], resource:[2]>",
        "v1 ConfigMap web does not exist at steady state (the Workflow manages apps/v1 "
        "Deployment demo/web, v1 Service demo/web)",
        "v1 Service demo/web exists at steady state (managed by step 'service'), expected absent",
        "the trigger at steady state differs: 'status' -> 'state' -> 'availableReplicas' -> "
        "<target:[3], resource:[2]>",
    ]


def test_an_outcome_message_is_contained_ignoring_case(tmp_path: Path) -> None:
    passed, failed, _ = one(
        tmp_path,
        """\
        checks:
          - expectOutcome: {permFail: {message: MUST BE PINNED}}
          - expectOutcome: {permFail: {message: must be tagged}}
        """,
        image="nginx",
    )
    assert (passed.status, failed.status) == ("passed", "failed")
    assert isinstance(failed.outcome, PermFail)
    assert failed.message is not None
    assert failed.message.startswith(
        "the outcome at steady state is PermFail: web: the image must be pinned to a tag other "
        "than latest, expected PermFail (a message containing 'must be tagged')"
    )


def test_a_retry_delay_given_must_match(tmp_path: Path) -> None:
    cases = one(
        tmp_path,
        """\
        checks:
          - {pass: 2, expectOutcome: {retry: {delay: 15}}}
          - {pass: 2, expectOutcome: {retry: {delay: 0}}}
          - {pass: 2, expectOutcome: {retry: {delay: 30}}}
        """,
    )
    assert [case.status for case in cases] == ["passed", "passed", "failed", "passed"]
    assert "expected Retry (delay 30s)" in (cases[2].message or "")


def test_conditions_are_matched_by_type(tmp_path: Path) -> None:
    listed, directed, wrong, _ = one(
        tmp_path,
        CONTROLLER,
        """\
        checks:
          - expectTrigger:
              status:
                conditions: [{type: Ready, reason: Ready}, {type: ServiceReady}]
          - expectTrigger:   # a directive of the test's own wins: here, the list as written
              status:
                x-koreo-compare-as-map: {conditions: [reason]}
                conditions: [{reason: Ready, type: DeploymentReady}]
          - expectTrigger:
              status:
                conditions: [{type: Missing}]
        """,
    )
    assert (listed.status, wrong.status) == ("passed", "failed")
    assert directed.status == "failed"  # keyed by reason, every condition is "Ready"
    assert wrong.message == (
        "the trigger at steady state differs: 'status' -> 'conditions' -> "
        "<missing 'Missing' in resource>"
    )


TAGGING = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: tags}
spec:
  apiConfig: {apiVersion: v1, kind: ConfigMap, name: =inputs.name, namespace: ns}
  resource:
    tags: [c, a, b]
    data: {a: "1"}
---
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata: {name: tagging}
spec:
  crdRef: {apiGroup: example.dev, version: v1, kind: Thing}
  steps:
    - label: tags
      ref: {kind: ResourceFunction, name: tags}
      inputs: {name: =parent.metadata.name}
---
apiVersion: koreoctl.dev/v1alpha1
kind: WorkflowTest
metadata: {name: tagging-test}
spec:
  trigger: {apiVersion: example.dev/v1, kind: Thing, metadata: {name: t, namespace: ns}}
  checks:
"""


def test_compare_directives_apply_to_resources(tmp_path: Path) -> None:
    checks = """\
    - label: as a set
      expectResources:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: t}
          x-koreo-compare-as-set: [tags]
          tags: [a, b, c]
    - label: as written
      expectResources:
        - {apiVersion: v1, kind: ConfigMap, metadata: {name: t}, tags: [a, b, c]}
    - label: as a set, with one missing
      expectResources:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: t}
          x-koreo-compare-as-set: [tags]
          tags: [a, b, d]
    - label: owners, which Koreo's comparison skips
      expectResources:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: t
            ownerReferences: [{kind: Thing, name: other}]
    """
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tagging.koreo").write_text(TAGGING + textwrap.indent(checks, "  "))
    loaded = api.load([str(tmp_path)])
    entries = loaded.program.model.of_kind("WorkflowTest")
    (result,) = run_workflow_tests(loaded.program, loaded.crds, entries)
    as_set, as_written, missing, owners, _ = result.cases
    assert as_set.status == "passed"
    assert as_written.message == (
        "v1 ConfigMap t at steady state differs: 'tags' -> at index '0' -> "
        "<target:[a], resource:[c]>"
    )
    assert missing.message == "v1 ConfigMap t at steady state differs: 'tags' -> <missing 'd'>"
    assert owners.message == (
        "v1 ConfigMap t at steady state differs: 'metadata' -> 'ownerReferences' -> "
        "at index '0' -> 'name' -> <target:[other], resource:[t]>"
    )


def test_a_map_directive_matches_list_items_by_key(tmp_path: Path) -> None:
    (check, _) = one(
        tmp_path,
        CONTROLLER,
        """\
        checks:
          - expectResources:
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      x-koreo-compare-as-map: {containers: [name]}
                      containers: [{name: app, image: 'nginx:1.27'}]
        """,
    )
    assert check.status == "passed"


def test_expect_passes_must_be_exact(tmp_path: Path) -> None:
    (steady,) = one(tmp_path, CONTROLLER, "expectPasses: 2\n")
    assert (steady.status, steady.label) == ("failed", "reaches a steady state in 2 passes")
    assert steady.message == "the render reached a steady state in 3 passes, expected 2"
    assert steady.span is not None and steady.span.line == 17


def test_a_pass_the_render_never_ran(tmp_path: Path) -> None:
    check, _ = one(tmp_path, CONTROLLER, "checks:\n  - {pass: 5, expectOutcome: {ok: {}}}\n")
    assert check.status == "failed"
    assert check.message == "there is no pass 5: the render reached a steady state after 3 passes"


def test_a_render_that_never_settles_fails_its_steady_state_checks(tmp_path: Path) -> None:
    counting = """\
    controllers:
      - match: {apiVersion: apps/v1, kind: Deployment}
        status:
          availableReplicas: 2
          seen: '=has(resource.status.seen) ? resource.status.seen + 1 : 1'
    maxPasses: 4
    checks:
      - {pass: 2, expectOutcome: {ok: {}}}
      - expectOutcome: {ok: {}}
    """
    by_pass, steady_check, steady = one(tmp_path, counting)
    assert by_pass.status == "passed"
    assert steady_check.status == "failed"
    assert (steady_check.message or "").startswith(
        "no steady state to check: the render did not reach a steady state in 4 passes "
        "(maxPasses); still changing: "
    )
    assert steady.status == "failed"
    assert "Deployment:demo:web changed" in (steady.message or "")


def test_a_trigger_without_a_workflow_cannot_run(tmp_path: Path) -> None:
    other = workflow_test("").replace("kind: Workload", "kind: Gadget")
    named = workflow_test("workflowRef: {name: no-such-workflow}\n", name="named")
    first, second = run(tmp_path, other, named)
    assert (first.status, first.function_name) == ("error", "")
    assert first.error == "Failed to find Workflow for `example.koreo.dev:Gadget:v1`"
    (diagnostic,) = first.diagnostics
    assert diagnostic.code == "T003"
    assert diagnostic.span is not None and diagnostic.span.line == 8  # spec.trigger
    assert second.status == "error"
    assert second.function_name == "no-such-workflow"
    assert "no-such-workflow" in (second.error or "")
    assert second.diagnostics[0].span is not None
    assert second.diagnostics[0].span.line == 28  # its spec.workflowRef


def test_a_broken_workflow_test_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "in", tmp_path / "in")
    text = workflow_test("checks:\n  - label: nothing to check\n")
    (tmp_path / "in" / "hello-workload-test.koreo").write_text(text)
    loaded = api.load([str(tmp_path)])
    entries = loaded.program.model.of_kind("WorkflowTest")
    (result,) = run_workflow_tests(loaded.program, loaded.crds, entries)
    assert result.status == "error"
    assert result.function_kind == "Workflow"
    assert (result.error or "").startswith(
        "the WorkflowTest cannot be loaded: `spec.checks[0]` needs at least one of"
    )
    assert [d.code for d in result.diagnostics] == ["K003"]


@pytest.mark.parametrize(
    ("pattern", "selected"),
    [
        (None, ["alpha", "beta"]),
        ("ALPHA", ["alpha"]),
        ("*ready*", ["beta"]),  # a check label, as a glob
        ("be?a", ["beta"]),
        ("nothing", []),
    ],
)
def test_selection_by_name_or_check_label(pattern: str | None, selected: list[str]) -> None:
    from koreoctl.model import build_model
    from koreoctl.project.source import parse_text

    texts = [
        workflow_test("", name="alpha"),
        workflow_test("checks:\n  - {label: Is ready, expectOutcome: {ok: {}}}\n", name="beta"),
    ]
    model = build_model(parse_text("---\n".join(texts), "t.koreo").docs)
    found = select_workflow_tests(model.entries, pattern)
    assert [entry.header.name for entry in found] == selected


def test_fail_fast_stops_after_the_first_failure(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "crds", tmp_path / "crds")
    shutil.copytree(EXAMPLE / "in", tmp_path / "in")
    failing = workflow_test("expectPasses: 1\n", name="a")
    passing = workflow_test("", name="b")
    (tmp_path / "in" / "hello-workload-test.koreo").write_text(f"{failing}---\n{passing}")
    loaded = api.load([str(tmp_path)])
    entries = loaded.program.model.of_kind("WorkflowTest")
    results = run_workflow_tests(loaded.program, loaded.crds, entries, fail_fast=True)
    assert [r.name for r in results] == ["a"]
    report = api.test([str(tmp_path)], fail_fast=True)
    assert report.tests[-1].name == "a"
    assert report.not_run == 1


def test_api_test_runs_both_kinds() -> None:
    report = api.test([str(EXAMPLE)])
    kinds = [test.function_kind for test in report.tests]
    assert kinds == ["ValueFunction", "ResourceFunction", "ResourceFunction", *["Workflow"] * 3]
    assert report.summary.ok and report.summary.cases == 17
    selected = api.test([str(EXAMPLE)], pattern="*slow*")
    assert [test.name for test in selected.tests] == ["hello-workload-slow-rollout-test"]
