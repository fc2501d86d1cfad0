"""``koreoctl test --update`` end to end: the notes it prints, its exit codes, machine formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from koreoctl.project.source import content_digest
from tests.functest.test_update import FIRST_UPDATED, GREET

from .clitools import cli


@pytest.fixture(autouse=True)
def _in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "greet.koreo").write_text(GREET)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


def test_update_notes_each_file_and_asks_for_another_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "test", "--update")
    assert (code, err) == (0, "")
    assert out.endswith(
        "3 cases in 1 FunctionTest: 0 passed, 1 failed, 2 skipped\n"
        "0 passed, 1 failed\n"
        "updated 1 expectation in in/greet.koreo\n"
        "updated 1 expectation in 1 file; run again to check the cases after them\n"
    )
    assert Path("in/greet.koreo").read_text() == FIRST_UPDATED


def test_a_failure_that_cannot_be_updated_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "test", "-u")
    code, out, _ = cli(capsys, "test", "-u", "-q")
    assert code == 1
    assert out.endswith(
        "updated 1 expectation in in/greet.koreo\n"
        "1 failing case not updated (only expectReturn, expectResource, expectResources, "
        "expectTrigger and expectPasses values are accepted, "
        "never a write the API server rejected)\n"
    )
    code, _, _ = cli(capsys, "test")
    assert code == 1  # the expectOutcome still fails


def test_without_update_no_file_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    def digests() -> dict[Path, str | None]:
        return {
            p: content_digest(p.read_bytes()) if p.is_file() else None for p in Path().rglob("*")
        }

    before = digests()
    code, out, _ = cli(capsys, "test")
    assert code == 1
    assert "updated" not in out
    assert digests() == before


def test_json_report_on_stdout_and_notes_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "test", "--update", "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["failed"] == 1  # the report is of the run before updating
    assert err.startswith("updated 1 expectation in in/greet.koreo\n")
    assert Path("in/greet.koreo").read_text() == FIRST_UPDATED


def test_junit_to_a_file_with_update(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", "--update", "-f", "junit", "-o", "report.xml")
    assert code == 0
    assert ET.parse("report.xml").getroot().tag == "testsuites"
    assert "updated 1 expectation in in/greet.koreo\n" in out


def test_a_refused_file_is_an_error_and_is_left_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared = GREET.replace(
        "      expectReturn:\n        greeting:", "      expectReturn: &e\n        greeting:"
    )
    shared = shared.replace("{greeting: 'Hello, eve', tags: [eve, x], count: 4}", "*e")
    Path("in/greet.koreo").write_text(shared)
    code, out, err = cli(capsys, "test", "--update")
    assert code == 1
    assert err == (
        "koreoctl: error: in/greet.koreo: not updated: spec.testCases[0].expectReturn uses a YAML "
        "anchor or alias\n"
    )
    assert "1 failing case not updated" in out
    assert Path("in/greet.koreo").read_text() == shared


def test_help_documents_update(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", "--help")
    assert code == 0
    assert "--update" in out and "Accept the actual values" in out
