"""``koreoctl test --update`` on WorkflowTests: a failing check's expectResources items and
expectTrigger made to match (the fields given kept, none added) and a wrong expectPasses
corrected, in place; expectOutcome and expectAbsent never rewritten.

Each test copies the hello-workload example (testdata/hello-workload) without its own
WorkflowTests and writes one beside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from koreoctl import api
from koreoctl.functest import CaseResult, Correction, TestReport
from tests.cli.clitools import cli

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "testdata" / "hello-workload"

HEADER = """\
# Wrong on purpose: `koreoctl test --update` rewrites what it can.
apiVersion: koreoctl.dev/v1alpha1
kind: WorkflowTest
metadata:
  name: {name}
  namespace: hello-workload
spec:
  workflowRef:
    name: hello-workload
  trigger:
    apiVersion: example.koreo.dev/v1
    kind: Workload
    metadata: {{name: web, namespace: demo}}
    spec:
      image: nginx:1.27
      replicas: 2
  controllers:
    - match: {{apiVersion: apps/v1, kind: Deployment}}
      afterPasses: 1
      status:
        availableReplicas: =resource.spec.replicas
"""

FIXABLE = (
    HEADER.format(name="fixable-test")
    + """\

  expectPasses: 2   # wrong: it settles in 3

  checks:
    - label: pass one
      pass: 1
      expectOutcome:
        retry:
          message: Creating Deployment
      expectResources:
        # the Deployment, wrong in places
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
            namespace: demo
          spec:
            replicas: 3          # wrong
            paused: false        # not in the Deployment
            template:
              spec:
                containers:
                  - name: app
                    image: nginx:1.26   # wrong
                    ports:
                      - containerPort: 8080   # right
        # the Service, right: left as written
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: demo}
          spec:
            ports: [{name: http, port: 80, targetPort: 8080}]
      expectTrigger:
        status:
          conditions:
            # by type, in any order
            - type: Ready
              reason: Waiting    # wrong
            - type: DeploymentReady
              reason: Wait

    - label: steady state
      expectResources:
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
            namespace: demo
          spec:
            template:
              spec:
                x-koreo-compare-as-map:
                  containers: [name]
                containers:
                  - image: nginx:1.27
                    name: app
                    imagePullPolicy: Always   # not in the Deployment
          status:
            availableReplicas: 3   # wrong
      expectTrigger:
        status:
          conditions:
            - type: Ready
              reason: Ready
            - type: Gone       # no such condition
              reason: Ready
          state:
            address: web.demo   # wrong
"""
)

FIXED = (
    HEADER.format(name="fixable-test")
    + """\

  expectPasses: 3   # wrong: it settles in 3

  checks:
    - label: pass one
      pass: 1
      expectOutcome:
        retry:
          message: Creating Deployment
      expectResources:
        # the Deployment, wrong in places
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
            namespace: demo
          spec:
            replicas: 2          # wrong
            template:
              spec:
                containers:
                  - name: app
                    image: nginx:1.27   # wrong
                    ports:
                      - containerPort: 8080   # right
        # the Service, right: left as written
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: demo}
          spec:
            ports: [{name: http, port: 80, targetPort: 8080}]
      expectTrigger:
        status:
          conditions:
            # by type, in any order
            - type: Ready
              reason: Wait    # wrong
            - type: DeploymentReady
              reason: Wait

    - label: steady state
      expectResources:
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
            namespace: demo
          spec:
            template:
              spec:
                x-koreo-compare-as-map:
                  containers: [name]
                containers:
                  - image: nginx:1.27
                    name: app
          status:
            availableReplicas: 2   # wrong
      expectTrigger:
        status:
          conditions:
            - type: Ready
              reason: Ready
          state:
            address: web.demo.svc.cluster.local   # wrong
"""
)

UNFIXABLE = (
    HEADER.format(name="unfixable-test")
    + """\

  checks:
    - label: a wrong outcome and a wrong resource
      pass: 1
      expectOutcome:
        ok: {}        # wrong, never rewritten
      expectResources:
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
            namespace: demo
          spec:
            replicas: 5   # wrong
    - label: a wrong name and an object that exists
      expectResources:
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: webby   # no such Deployment
            namespace: demo
      expectAbsent:
        - apiVersion: v1
          kind: Service
          metadata:
            name: web     # it exists
"""
)


def project(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root)
    (root / "in" / "hello-workload-test.koreo").unlink()
    path = root / "in" / "wrong-test.koreo"
    path.write_text(text)
    return path


def workflow_cases(report: TestReport) -> list[CaseResult]:
    return [
        case for test in report.tests if test.function_kind == "Workflow" for case in test.cases
    ]


def test_update_rewrites_every_wrong_expectation_in_place(tmp_path: Path) -> None:
    path = project(tmp_path, FIXABLE)
    report = api.test([str(path.parents[1])], update=True)
    assert [case.status for case in workflow_cases(report)] == ["failed", "failed", "failed"]
    assert report.updates is not None
    assert (report.updates.expectations, report.updates.not_updated) == (5, 0)
    assert not report.updates.rerun  # every check has run
    assert path.read_text() == FIXED

    again = api.test([str(path.parents[1])], update=True)
    assert again.summary.ok
    assert again.updates is not None and again.updates.written == ()
    assert path.read_text() == FIXED


def test_each_correction_names_its_path(tmp_path: Path) -> None:
    path = project(tmp_path, FIXABLE)
    report = api.test([str(path.parents[1])])
    first, second, passes = workflow_cases(report)
    file = report.tests[-1].file
    assert [(fix.path, fix.document) for fix in first.corrections] == [
        (("spec", "checks", 0, "expectResources", 0), 0),
        (("spec", "checks", 0, "expectTrigger"), 0),
    ]
    assert [fix.path for fix in second.corrections] == [
        ("spec", "checks", 1, "expectResources", 0),
        ("spec", "checks", 1, "expectTrigger"),
    ]
    assert passes.corrections == (Correction(file, 0, ("spec", "expectPasses"), 3),)
    assert not (first.partial or second.partial or passes.partial)
    assert path.read_text() == FIXABLE  # nothing written without update


def test_outcome_absent_and_a_missing_object_are_left_alone(tmp_path: Path) -> None:
    path = project(tmp_path, UNFIXABLE)
    report = api.test([str(path.parents[1])], update=True)
    first, second, _ = workflow_cases(report)
    assert first.partial and len(first.corrections) == 1  # the resource, not the outcome
    assert second.corrections == () and second.partial
    assert report.updates is not None
    assert (report.updates.expectations, report.updates.not_updated) == (1, 2)
    assert path.read_text() == UNFIXABLE.replace(
        "            replicas: 5   # wrong\n", "            replicas: 2   # wrong\n"
    )

    again = api.test([str(path.parents[1])])
    first, second, _ = workflow_cases(again)
    assert first.status == "failed" and first.message is not None
    assert first.message.startswith("the outcome after pass 1 is Retry")
    assert "differs" not in first.message
    assert second.status == "failed"


def test_a_render_that_never_settles_has_no_pass_count_to_accept(tmp_path: Path) -> None:
    text = FIXABLE.replace("  expectPasses: 2", "  maxPasses: 2\n  expectPasses: 2")
    path = project(tmp_path, text)
    report = api.test([str(path.parents[1])], update=True)
    *checks, passes = workflow_cases(report)
    assert passes.status == "failed" and passes.corrections == ()
    assert checks[1].corrections == ()  # no steady state to check
    assert "expectPasses: 2   # wrong" in path.read_text()


def test_the_cli_notes_the_updates_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path, FIXABLE)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = cli(capsys, "test", "-u", "-q", str(path.parents[1]))
    assert (code, err) == (0, "")
    assert out.endswith(f"updated 5 expectations in {path}\n")
    assert path.read_text() == FIXED
    assert cli(capsys, "test", "-q", str(path.parents[1]))[0] == 0
