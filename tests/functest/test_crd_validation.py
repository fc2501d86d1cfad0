"""Writes the project's CRDs reject fail the case with the API server's reason.

The reference engine has no API server, so these behaviours are koreoctl's own: checked here
against a real CRD rather than against the oracle.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from koreoctl import api
from koreoctl.functest import CaseResult
from koreoctl.outcome import PermFail

CRDS = Path(__file__).resolve().parents[1] / "cases" / "functest" / "crd-validated" / "crds.yaml"

FUNCTION = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: queue, namespace: t}
spec:
  apiConfig:
    apiVersion: messaging.koreoctl.dev/v1
    kind: Queue
    name: orders
    namespace: t
  resource:
    spec: =inputs.spec
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {name: queue-test, namespace: t}
spec:
  functionRef: {kind: ResourceFunction, name: queue}
  inputs:
    spec: {}
  testCases:
"""


def run_case(tmp_path: Path, case: str) -> CaseResult:
    (tmp_path / "crds").mkdir()
    (tmp_path / "in").mkdir()
    shutil.copy(CRDS, tmp_path / "crds" / "queues.yaml")
    text = FUNCTION + textwrap.indent(textwrap.dedent(case), "    ")
    (tmp_path / "in" / "queue.koreo").write_text(text)
    report = api.test([str(tmp_path)])
    (test,) = report.tests
    (result,) = test.cases
    return result


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (
            "{retention: 1, maxSize: 0}",
            'Queue.messaging.koreoctl.dev "orders" is invalid: spec.maxSize: Invalid value: 0: '
            "spec.maxSize in body should be greater than or equal to 1",
        ),
        (
            "{retention: 1, mode: lifo}",
            'Queue.messaging.koreoctl.dev "orders" is invalid: spec.mode: Unsupported value: '
            '"lifo": supported values: "fifo", "standard"',
        ),
        (
            "{maxSize: 5}",
            'Queue.messaging.koreoctl.dev "orders" is invalid: spec.retention: Required value',
        ),
        (
            "{retention: 1, maxSize: '5'}",
            'Queue.messaging.koreoctl.dev "orders" is invalid: spec.maxSize: Invalid value: '
            '"string": spec.maxSize in body must be of type integer: "string"',
        ),
        (
            "{retention: 1, tags: [a, b, c, d], maxSize: 5000}",
            # apiextensions-apiserver reports maxItems as field.TooMany (since 2022, k8s 1.24).
            'Queue.messaging.koreoctl.dev "orders" is invalid: [spec.maxSize: Invalid value: 5000:'
            " spec.maxSize in body should be less than or equal to 1000, spec.tags: Too many: 4:"
            " must have at most 3 items]",
        ),
    ],
)
def test_rejected_create_fails_the_case(tmp_path: Path, spec: str, reason: str) -> None:
    case = f"""\
    - inputOverrides:
        spec: {spec}
      expectOutcome:
        permFail:
          message: ""
    """
    result = run_case(tmp_path, case)
    assert result.status == "failed"
    assert result.message == f"the API server rejected the write: {reason}"
    assert result.outcome == PermFail(f"Error creating Queue:t:orders: {reason}", "spec.create")
    assert result.resource is None


def test_valid_create_passes_and_unknown_fields_warn(tmp_path: Path) -> None:
    case = """\
    - inputOverrides:
        spec: {retention: 1, unknownField: 1}
      expectOutcome:
        retry:
          message: Creating
          delay: 30
    """
    result = run_case(tmp_path, case)
    assert result.status == "passed"
    assert result.warnings == ('unknown field "spec.unknownField"',)
    assert result.resource is not None and result.resource["spec"]["unknownField"] == 1


def test_rejected_patch_fails_the_case(tmp_path: Path) -> None:
    case = """\
    - inputOverrides:
        spec: {retention: 1, mode: lifo}
      currentResource:
        apiVersion: messaging.koreoctl.dev/v1
        kind: Queue
        metadata: {name: orders, namespace: t}
        spec: {retention: 1}
      expectOutcome:
        retry:
          message: Patching
          delay: 30
    """
    result = run_case(tmp_path, case)
    assert result.status == "failed"
    assert result.message is not None and "spec.mode: Unsupported value" in result.message
    assert isinstance(result.outcome, PermFail)
    assert result.outcome.message is not None
    assert result.outcome.message.startswith("Error patching Queue:t:orders: ")
