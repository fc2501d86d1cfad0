"""``koreoctl test --update``: failing expectReturn / expectResource cases rewritten from what
the function produced, in place, with the rest of the file byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from koreoctl import api, functest
from koreoctl.functest import CaseResult, Correction, TestReport, TestResult
from koreoctl.project.source import content_digest

REPOSITORY = Path(__file__).resolve().parents[2]
QUEUE_CRD = REPOSITORY / "tests" / "cases" / "functest" / "crd-validated" / "crds.yaml"

GREET = """\
# Greeting: a function and its test, with odd formatting around the cases.
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: greet, namespace: t}
spec:
  return:
    greeting: ='Hello, ' + inputs.name
    tags: =[inputs.name, "x"]
    count: =size(inputs.name)
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: greet-test
  namespace: t
spec:
  functionRef: {kind: ValueFunction, name: greet}
  inputs:
    name: ada
  testCases:
      # the first case is wrong on purpose
    - label: "greets by name"   # label comment
      expectReturn:
        greeting: "Hello, bob"    # was bob
        x-koreo-compare-as-set: [tags]
        tags: [x, ada]
        count: 3
        stale: gone

    - label: a variant
      variant: true
      inputOverrides: {name: eve}
      expectReturn: {greeting: 'Hello, eve', tags: [eve, x], count: 4}

    - label: an outcome
      variant: true
      expectOutcome:
        permFail: {message: never}
---
# An unrelated document: it stays byte-identical.
apiVersion: v1
kind: ConfigMap
metadata:   {name: x}
"""

FIRST_UPDATED = GREET.replace(
    """\
        greeting: "Hello, bob"    # was bob
        x-koreo-compare-as-set: [tags]
        tags: [x, ada]
        count: 3
        stale: gone
""",
    """\
        greeting: Hello, ada    # was bob
        x-koreo-compare-as-set: [tags]
        tags: [x, ada]
        count: 3
""",
)

SECOND_UPDATED = FIRST_UPDATED.replace(
    "      expectReturn: {greeting: 'Hello, eve', tags: [eve, x], count: 4}\n",
    # Block style, in the file's indentation (its lists are indented under their key).
    "      expectReturn:\n        greeting: Hello, eve\n"
    "        tags:\n          - eve\n          - x\n        count: 3\n",
)


def project(tmp_path: Path, text: str, name: str = "greet.koreo") -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    path = tmp_path / "in" / name
    path.write_text(text)
    return path


def cases(report: TestReport) -> list[CaseResult]:
    return [case for test in report.tests for case in test.cases]


def test_a_failing_case_carries_its_correction(tmp_path: Path) -> None:
    project(tmp_path, GREET)
    first, *_ = cases(api.test([str(tmp_path)]))
    assert first.status == "failed"
    assert first.correction == Correction(
        file=str(tmp_path / "in" / "greet.koreo"),
        document=1,
        path=("spec", "testCases", 0, "expectReturn"),
        # What already matched is kept as written: the directive, the tags in their order.
        value={
            "greeting": "Hello, ada",
            "tags": ["x", "ada"],
            "count": 3,
            "x-koreo-compare-as-set": ["tags"],
        },
    )


def test_update_rewrites_only_the_failing_expectation_then_the_cases_after_it(
    tmp_path: Path,
) -> None:
    path = project(tmp_path, GREET)
    report = api.test([str(tmp_path)], update=True)
    assert report.summary.failed == 1
    assert report.updates is not None
    assert (report.updates.expectations, report.updates.not_updated) == (1, 0)
    assert report.updates.rerun  # the updated case had ended its test
    assert path.read_text() == FIRST_UPDATED

    # Now the cases after it run: the variant is updated; an expectOutcome never is.
    report = api.test([str(tmp_path)], update=True)
    assert [case.status for case in cases(report)] == ["passed", "failed", "failed"]
    assert report.updates is not None
    assert (report.updates.expectations, report.updates.not_updated) == (1, 1)
    assert not report.updates.rerun
    assert path.read_text() == SECOND_UPDATED

    report = api.test([str(tmp_path)])
    assert [case.status for case in cases(report)] == ["passed", "passed", "failed"]


def test_without_update_nothing_is_written(tmp_path: Path) -> None:
    path = project(tmp_path, GREET)
    digest = content_digest(path.read_bytes())
    report = api.test([str(tmp_path)])
    assert report.updates is None
    assert not report.summary.ok
    assert content_digest(path.read_bytes()) == digest
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["greet.koreo"]


def test_a_file_edited_while_the_tests_run_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project(tmp_path, GREET)
    run_entry = functest.run_entry  # what runs each test (api.test calls it per test)

    def edit_meanwhile(*args: Any, **kwargs: Any) -> TestResult:
        path.write_text(GREET + "# edited meanwhile\n")
        return run_entry(*args, **kwargs)

    monkeypatch.setattr(functest, "run_entry", edit_meanwhile)
    report = api.test([str(tmp_path)], update=True)
    assert report.updates is not None
    (result,) = report.updates.files
    assert result.refusal == "it changed since koreoctl loaded it; run the tests again"
    assert (report.updates.written, report.updates.not_updated) == ((), 1)
    assert path.read_text() == GREET + "# edited meanwhile\n"


QUEUE = """\
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
    metadata:
      annotations:
        team: payments
    spec: =inputs.spec
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {name: queue-test, namespace: t}
spec:
  functionRef: {kind: ResourceFunction, name: queue}
  inputs:
    spec: {retention: 1, maxSize: 5}
  testCases:
  - label: creates the queue
    variant: true
    expectResource:
      apiVersion: messaging.koreoctl.dev/v1
      kind: Queue
      metadata:
        name: orders
        namespace: t
        annotations:
          team: payments
      spec:
        retention: 2   # wrong
        maxSize: 5
  - label: the server rejects it
    variant: true
    inputOverrides:
      spec: {maxSize: 0}
    expectResource:
      spec: {retention: 1, maxSize: 0}
"""


def test_expect_resource_is_accepted_without_the_last_applied_annotation(
    tmp_path: Path,
) -> None:
    (tmp_path / "crds").mkdir()
    shutil.copy(QUEUE_CRD, tmp_path / "crds" / "queues.yaml")
    path = project(tmp_path, QUEUE, "queue.koreo")
    created, rejected = cases(api.test([str(tmp_path)]))
    assert created.resource is not None
    assert "koreo.dev/last-applied-configuration" in created.resource["metadata"]["annotations"]
    assert created.correction is not None
    assert created.correction.value["metadata"]["annotations"] == {"team": "payments"}
    # The write the API server rejected keeps its expectation: it may well be right.
    assert rejected.status == "failed" and rejected.correction is None

    report = api.test([str(tmp_path)], update=True)
    assert report.updates is not None and report.updates.not_updated == 1
    assert path.read_text() == QUEUE.replace("retention: 2   # wrong", "retention: 1   # wrong")
    statuses = [case.status for case in cases(api.test([str(tmp_path)]))]
    assert statuses == ["passed", "failed"]


def test_other_kinds_of_failure_are_not_accepted(tmp_path: Path) -> None:
    other_cases = """\
    - label: an error, not a value
      variant: true
      inputOverrides: {name: 5}
      expectReturn: {greeting: x}
    - label: the wrong outcome
      variant: true
      expectOutcome: {permFail: {message: ""}}
"""
    project(tmp_path, GREET.split("      # the first case")[0] + other_cases)
    report = api.test([str(tmp_path)], update=True)
    assert [case.correction for case in cases(report)] == [None, None]
    assert report.updates is not None
    assert report.updates.files == ()
    assert report.updates.not_updated == 2
