"""`koreoctl test` on WorkflowTests: the same reports, formats and selection as FunctionTests."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .clitools import REPOSITORY, check_golden, cli

EXAMPLE = "testdata/hello-workload"


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


def test_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "test", EXAMPLE, "-v")
    assert (code, err) == (0, "")
    check_golden("test-hello-workload-verbose.txt", out)


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", EXAMPLE, "-k", "hello-workload-test", "--format", "json")
    assert code == 0
    (test,) = json.loads(out)["tests"]
    assert test["function"] == {"kind": "Workflow", "name": "hello-workload"}
    labels = [case["label"] for case in test["cases"]]
    assert labels[-1] == "reaches a steady state in 3 passes"
    first = test["cases"][0]
    assert first["outcome"]["type"] == "Retry"
    assert (first["resource"], first["return"], first["status"]) == (None, None, "passed")


def test_junit_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", EXAMPLE, "-k", "*unpinned*", "--format", "junit")
    assert code == 0
    root = ET.fromstring(out.split("\n", 1)[1])
    (suite,) = root
    assert suite.get("name") == "hello-workload-unpinned-image-test"
    names = [case.get("name") for case in suite]
    assert names == [
        "1. An image on the latest tag fails the Workload and creates nothing",
        "2. reaches a steady state in 1 pass",
    ]


def test_a_failing_check_says_what_differed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path
    shutil.copytree(REPOSITORY / EXAMPLE / "crds", root / "crds")
    shutil.copytree(REPOSITORY / EXAMPLE / "in", root / "in")
    test = root / "in" / "hello-workload-test.koreo"
    test.write_text(test.read_text().replace("expectPasses: 4", "expectPasses: 5"))
    code, out, _ = cli(capsys, "test", str(root), "-q")
    assert code == 1
    assert "FAIL hello-workload-slow-rollout-test (Workflow hello-workload)" in out
    assert "the render reached a steady state in 4 passes, expected 5" in out
    assert out.rstrip().endswith(
        "17 cases in 3 FunctionTests and 3 WorkflowTests: 16 passed, 1 failed\n16 passed, 1 failed"
    )
