"""`koreoctl test` end to end: output formats, exit codes, bad input, golden text reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .clitools import REPOSITORY, check_golden, cli

EXAMPLE = "testdata/hello-koreo"
BAD = "tests/cases/bad-input"


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


def test_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "test", EXAMPLE)
    assert (code, err) == (0, "")
    check_golden("test-hello-koreo.txt", out)


def test_verbose_lists_every_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", EXAMPLE, "-v")
    assert code == 0
    check_golden("test-hello-koreo-verbose.txt", out)


def test_bad_input_is_reported_and_other_tests_still_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "test", BAD)
    assert code == 1
    assert "Traceback" not in out + err
    check_golden("test-bad-input.txt", out)


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", BAD, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"] == {
        "tests": 3,
        "cases": 3,
        "passed": 1,
        "failed": 1,
        "skipped": 1,
        "errors": 2,
    }
    good = report["tests"][0]
    assert set(good) == {
        "name",
        "namespace",
        "file",
        "line",
        "function",
        "status",
        "error",
        "diagnostics",
        "cases",
    }
    assert good["function"] == {"kind": "ValueFunction", "name": "good"}
    failed = good["cases"][1]
    assert failed["index"] == 1
    assert failed["status"] == "failed"
    assert failed["outcome"] == {"type": "Ok", "message": None, "delay": None}
    assert failed["differences"] == {"value": "expected '`5`' but found '`4`'"}
    assert [d["code"] for d in report["diagnostics"]] == ["C001", "K002", "Y001"]
    assert report["tests"][2]["status"] == "error"
    assert "not found or not ready" in report["tests"][2]["error"]


def test_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    first = cli(capsys, "test", EXAMPLE, "--format", "json")[1]
    second = cli(capsys, "test", EXAMPLE, "--format", "json")[1]
    assert first == second


def test_junit_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    code, out, _ = cli(capsys, "test", BAD, "--format", "junit", "--output", str(target))
    assert code == 1
    assert "3 cases in 3 FunctionTests" in out  # the text summary still goes to the terminal
    root = ET.parse(target).getroot()
    assert root.tag == "testsuites"
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "2", "1")
    suites = {suite.get("name"): suite for suite in root}
    good = suites["good-test"]
    failures = good.findall("testcase/failure")
    assert len(failures) == 1
    assert "value: expected '`5`' but found '`4`'" in (failures[0].text or "")
    assert len(good.findall("testcase/skipped")) == 1
    assert suites["bad-cel-test"].find("testcase/error") is not None
    assert len(suites["(project)"].findall("testcase/error")) == 3
    assert not list(tmp_path.glob(".report.xml.*"))  # no temporary file left behind


def test_select_with_k(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", EXAMPLE, "-k", "bucket-config", "--format", "json")
    assert code == 0
    assert [t["name"] for t in json.loads(out)["tests"]] == ["bucket-config-test"]
    code, out, _ = cli(capsys, "test", EXAMPLE, "-k", "*ready*", "--format", "json")
    assert [t["name"] for t in json.loads(out)["tests"]] == ["bucket-test"]  # a case label


def test_fail_fast_stops_after_the_first_failing_test(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", BAD, "--fail-fast")
    assert code == 1
    assert "(2 not run after --fail-fast)" in out
    assert "bad-cel-test" not in out.split("FAIL good-test")[1]


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "test", "no/such/place")
    assert (code, out) == (2, "")
    assert err.strip() == "koreoctl: error: no such file or folder: 'no/such/place'"


def test_bad_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "test", "--format", "yaml")
    assert code == 2
    assert "'yaml' is not one of" in err


def test_unwritable_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "test", EXAMPLE, "-o", "no/such/folder/r.json")
    assert code == 2
    assert "folder 'no/such/folder' does not exist" in err


def test_internal_error_is_reported_briefly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import koreoctl.api

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(koreoctl.api, "test", broken)
    code, _, err = cli(capsys, "test", EXAMPLE)
    assert code == 3
    assert "internal error: RuntimeError: simulated bug" in err
    assert "Traceback" not in err
    code, _, err = cli(capsys, "--debug", "test", EXAMPLE)
    assert code == 3
    assert "Traceback" in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", "--help")
    assert code == 0
    assert "Run the FunctionTests of a Koreo project" in out
    code, out, _ = cli(capsys, "--version")
    assert (code, out.strip()) == (0, "koreoctl 0.1.0")


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from koreoctl.cli.app import run; run(['--help']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'celpy', 'jsonschema', 'deepdiff', 'git', 'lark'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "koreoctl", "test", EXAMPLE, "-q"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == "9 cases in 2 FunctionTests: 9 passed\n9 passed, 0 failed"


def test_nothing_to_test_is_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, "test", str(tmp_path))
    assert code == 0
    assert f"warning P006 no FunctionTests or WorkflowTests found in {tmp_path}" in out
    code, out, _ = cli(capsys, "test", EXAMPLE, "-k", "nothing-like-this")
    expected = "no FunctionTests or WorkflowTests in testdata/hello-koreo match -k"
    assert f"{expected} 'nothing-like-this'" in out
