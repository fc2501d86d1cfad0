"""CI formats: GitHub annotations and job summaries, GitLab code quality, SARIF checked
against the published SARIF 2.1.0 schema (kept in tests/schemas)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.cli.clitools import REPOSITORY, check_golden, cli

LINT_PROJECT = "tests/cases/lint-project"
BAD = "tests/cases/bad-input"
SARIF_SCHEMA = REPOSITORY / "tests" / "schemas" / "sarif-schema-2.1.0.json"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


@pytest.fixture(autouse=True)
def _no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_lint_sarif_is_valid_sarif_2_1_0(capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.Draft4Validator(schema)
    document = json.loads(cli(capsys, "lint", LINT_PROJECT, "--no-cache", "-f", "sarif")[1])
    assert list(validator.iter_errors(document)) == []
    assert document["runs"][0]["results"], "the fixture has findings"
    broken = {**document, "version": "2.2.0"}
    assert list(validator.iter_errors(broken)), "the schema rejects what it should"


def _check_gitlab(text: str) -> list[dict[str, object]]:
    issues = json.loads(text)
    assert isinstance(issues, list) and issues
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in issues:
        assert set(issue) == {"check_name", "description", "fingerprint", "location", "severity"}
        assert issue["severity"] in GITLAB_SEVERITIES
        location = issue["location"]
        assert isinstance(location["path"], str) and location["lines"]["begin"] >= 1
    return issues


def test_lint_gitlab_code_quality(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "lint", LINT_PROJECT, "--no-cache", "--format", "gitlab")
    assert (code, err) == (1, "")
    _check_gitlab(out)
    check_golden("lint-project.gitlab.json", out)
    again = cli(capsys, "lint", LINT_PROJECT, "--no-cache", "--format", "gitlab")[1]
    assert again == out


def test_lint_github_appends_a_job_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = cli(capsys, "lint", LINT_PROJECT, "--no-cache", "--format", "github")
    assert code == 1
    check_golden("lint-project.github.txt", out)  # annotations unchanged by the summary
    text = summary.read_text()
    assert text.startswith("earlier step\n### koreoctl lint\n")
    check_golden("lint-project.summary.md", text.removeprefix("earlier step\n"))


def test_test_github_annotates_each_failure_and_ends_with_the_counts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = cli(capsys, "test", BAD, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "1 passed, 3 failed"
    assert all(line.startswith(("::error ", "::warning ")) for line in lines[:-1])
    check_golden("test-bad-input.github.txt", out)
    check_golden("test-bad-input.summary.md", summary.read_text())


def test_test_gitlab_lists_each_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "test", BAD, "--format", "gitlab")
    assert code == 1
    issues = _check_gitlab(out)
    assert {issue["check_name"] for issue in issues} >= {"koreoctl-test"}
    check_golden("test-bad-input.gitlab.json", out)


def test_a_passing_run_in_github_format_prints_only_the_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "test", "testdata/hello-koreo", "--format", "github")
    assert (code, out) == (0, "9 passed, 0 failed\n")


def test_an_unwritable_step_summary_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    code, _, err = cli(capsys, "test", "testdata/hello-koreo", "--format", "github")
    assert code == 2 and "cannot append to $GITHUB_STEP_SUMMARY" in err
