"""`koreoctl lint` end to end: every format as a golden file, exit codes, configuration,
suppression comments, changed files checked within their project, and the cache."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .clitools import REPOSITORY, check_golden, cli

PROJECT = "tests/cases/lint-project"

# Every finding in the fixture project, worked out by hand from its source text
# (file, line, column, code); see the comments in test_findings_are_where_they_should_be.
EXPECTED = [
    ("in/functions.koreo", 14, 9, "H002"),
    ("in/functions.koreo", 24, 16, "X001"),
    ("in/functions.koreo", 26, 7, "X002"),
    ("in/functions.koreo", 28, 37, "C003"),
    ("in/functions.koreo", 33, 9, "H002"),
    ("in/functions.koreo", 37, 13, "C004"),
    ("in/settings.yaml", 6, 1, "Y001"),
    ("in/tests.koreo", 24, 11, "R001"),
    ("in/workflow.koreo", 15, 22, "W002"),
    ("in/workflow.koreo", 17, 40, "W008"),
]


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


def findings(out: str) -> list[tuple[str, int, int, str]]:
    return [
        (d["file"].removeprefix(f"{PROJECT}/"), d["line"], d["column"], d["code"])
        for d in json.loads(out)["diagnostics"]
    ]


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(REPOSITORY / PROJECT, target)
    return target


def test_findings_are_where_they_should_be(capsys: pytest.CaptureFixture[str]) -> None:
    # functions.koreo 24 `      maxSize: lots` (the value, col 16), 26 `      retention: 7`
    # (the key, col 7), 28 `resorce` after `    ready: =has(resource.status) && ` (col 37),
    # 37 `upper` after `    value: =` (col 13); workflow.koreo 15 `config` in
    # `        name: =steps.config.name` (col 22), 17 the name in `      ref: {kind: ..., name: `
    # (col 40); tests.koreo 24 `    name: queue.v2` (col 11); settings.yaml: the flow mapping
    # is still open at the end of the file (line 6). The H001 and H003 findings of 'unused'
    # (line 33) are disabled by the comment on that line.
    code, out, err = cli(capsys, "lint", PROJECT, "--no-cache", "--format", "json")
    assert (code, err) == (1, "")
    assert findings(out) == EXPECTED


@pytest.mark.parametrize(
    ("output_format", "golden"),
    [
        ("text", "lint-project.txt"),
        ("json", "lint-project.json"),
        ("github", "lint-project.github.txt"),
        ("sarif", "lint-project.sarif"),
    ],
)
def test_every_format_matches_its_golden_file(
    capsys: pytest.CaptureFixture[str], output_format: str, golden: str
) -> None:
    code, out, err = cli(capsys, "lint", PROJECT, "--no-cache", "--format", output_format)
    assert (code, err) == (1, "")
    check_golden(golden, out)


def test_output_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    first = cli(capsys, "lint", PROJECT, "--no-cache", "--format", "sarif")[1]
    second = cli(capsys, "lint", PROJECT, "--no-cache", "--format", "sarif")[1]
    assert first == second


def test_sarif_shape(capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(cli(capsys, "lint", PROJECT, "--no-cache", "--format", "sarif")[1])
    assert document["version"] == "2.1.0"
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    levels = {r["ruleId"]: r["level"] for r in sarif_run["results"]}
    assert (levels["X001"], levels["X002"], levels["H002"]) == ("error", "warning", "note")


def test_github_annotations_escape_their_properties(capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", PROJECT, "--no-cache", "--format", "github")[1]
    line = next(line for line in out.splitlines() if "R001" in line)
    assert line.startswith(
        f"::error file={PROJECT}/in/tests.koreo,line=24,col=11,endLine=24,endColumn=19,"
        "title=R001 missing-function::"
    )


def test_output_file_gets_the_report_and_the_terminal_the_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "lint.sarif"
    code, out, _ = cli(capsys, "lint", PROJECT, "--no-cache", "-f", "sarif", "-o", str(target))
    assert code == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert out.strip().endswith("5 files checked: 7 errors, 1 warning, 2 info")


def test_quiet_shows_only_errors(capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", PROJECT, "--no-cache", "-q")[1]
    assert "error   X001" in out
    assert "H002" not in out and "X002" not in out


@pytest.mark.parametrize(
    ("arguments", "expected_code"),
    [
        (["testdata/hello-koreo"], 0),  # infos only
        (["testdata/hello-koreo", "--fail-on", "info"], 1),
        (["testdata/hello-koreo", "--ignore", "H003", "--fail-on", "info"], 0),
        ([PROJECT, "--fail-on", "never"], 0),
        ([PROJECT, "--select", "H", "--fail-on", "warning"], 0),
        ([PROJECT, "--select", "X002", "--fail-on", "warning"], 1),
    ],
)
def test_exit_code_follows_fail_on(
    capsys: pytest.CaptureFixture[str], arguments: list[str], expected_code: int
) -> None:
    assert cli(capsys, "lint", "--no-cache", *arguments)[0] == expected_code


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no/such/place"], "no such file or folder: 'no/such/place'"),
        ([PROJECT, "--fail-on", "fatal"], "'fatal' is not one of error, warning, info"),
        ([PROJECT, "--select", "Q9"], "'Q9' is not a rule code or prefix"),
        ([PROJECT, "--format", "markdown"], "markdown is only for --list-rules"),
        ([PROJECT, "--format", "yaml"], "'yaml' is not one of"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code, out, err = cli(capsys, "lint", *arguments)
    assert (code, out) == (2, "")
    assert message in err
    assert "Traceback" not in err


def test_select_and_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", PROJECT, "--no-cache", "-f", "json", "--select", "W", "--select", "R")
    assert [code for *_, code in findings(out[1])] == ["R001", "W002", "W008"]
    out = cli(capsys, "lint", PROJECT, "--no-cache", "-f", "json", "--ignore", "H,X,C00")
    assert [code for *_, code in findings(out[1])] == ["Y001", "R001", "W002", "W008"]


def test_suppression_comment_on_the_line_above(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    workflow = project / "in" / "workflow.koreo"
    text = workflow.read_text().replace(
        "      inputs:\n        name: =steps.config.name",
        "      inputs:\n        # koreoctl: disable=W002\n        name: =steps.config.name",
    )
    workflow.write_text(text)
    codes = [code for *_, code in findings(cli(capsys, "lint", str(project), "-f", "json")[1])]
    assert "W002" not in codes and "W008" in codes
    workflow.write_text(text.replace("disable=W002", "disable"))  # every code on that line
    codes = [code for *_, code in findings(cli(capsys, "lint", str(project), "-f", "json")[1])]
    assert "W002" not in codes and "W008" in codes


@pytest.mark.parametrize("style", ["koreoctl.yaml", "pyproject.toml"])
def test_project_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, style: str
) -> None:
    project = copy_project(tmp_path)
    if style == "koreoctl.yaml":
        (project / style).write_text(
            "lint:\n  ignore: [Y001, C]\n  severity: {H002: error, R001: warning}\n"
            "  fail-on: warning\n"
        )
    else:
        (project / style).write_text(
            '[tool.koreoctl.lint]\nignore = ["Y001", "C"]\nfail-on = "warning"\n'
            '[tool.koreoctl.lint.severity]\nH002 = "error"\nR001 = "warning"\n'
        )
    code, out, _ = cli(capsys, "lint", str(project), "-f", "json")
    report = json.loads(out)["diagnostics"]
    assert code == 1
    assert {d["code"]: d["severity"] for d in report}["H002"] == "error"
    assert {d["code"]: d["severity"] for d in report}["R001"] == "warning"
    assert not {"Y001", "C003", "C004"} & {d["code"] for d in report}
    # The command line wins over the file.
    assert cli(capsys, "lint", str(project), "--fail-on", "never")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lint:\n  colour: red\n", "unknown lint setting(s): colour"),
        ("lint:\n  ignore: [NOPE]\n", "'NOPE' is not a rule code or prefix"),
        ("lint:\n  severity: {H001: fatal}\n", "'fatal' is not one of error, warning, info"),
        ("lint: [\n", "cannot read"),
    ],
)
def test_bad_configuration_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    project = copy_project(tmp_path)
    (project / "koreoctl.yaml").write_text(content)
    code, _, err = cli(capsys, "lint", str(project))
    assert code == 2
    assert message in err


def test_a_changed_file_is_checked_within_its_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # As pre-commit passes it: only tests.koreo's findings, but its functionRef to
    # queue-config.v1 (defined in functions.koreo) resolves, so only queue.v2 is missing.
    project = copy_project(tmp_path)
    code, out, _ = cli(capsys, "lint", str(project / "in" / "tests.koreo"), "-f", "json")
    report = json.loads(out)
    assert code == 1
    assert [(d["line"], d["code"]) for d in report["diagnostics"]] == [(24, "R001")]
    assert report["summary"]["files"] == 1
    # Two files of two projects: each is linted with its own project.
    other = tmp_path / "other"
    shutil.copytree(REPOSITORY / "testdata" / "hello-koreo", other)
    changed = [str(project / "in" / "tests.koreo"), str(other / "in")]
    out = cli(capsys, "lint", *changed, "-f", "json")[1]
    files = {Path(d["file"]).name for d in json.loads(out)["diagnostics"]}
    assert files == {"tests.koreo", "bucket.koreo", "bucket-config.koreo", "workflow.koreo"}


def test_warm_run_uses_the_cache_and_reanalyses_only_changes(tmp_path: Path) -> None:
    from koreoctl import api

    project = copy_project(tmp_path)
    cold = api.lint([str(project)])
    warm = api.lint([str(project)])
    assert (cold.analysed, warm.analysed) == (5, 0)
    assert warm.diagnostics == cold.diagnostics
    assert (project / ".koreoctl" / "cache").is_dir()
    tests = project / "in" / "tests.koreo"
    tests.write_text(tests.read_text().replace("queue.v2", "queue.v1"))
    changed = api.lint([str(project)])
    assert changed.analysed == 1
    assert "R001" not in {d.code for d in changed.diagnostics}
    assert "H002" in {d.code for d in cold.diagnostics if "queue.v1" in d.message}
    assert "H002" not in {d.code for d in changed.diagnostics if "queue.v1" in d.message}


def test_a_corrupt_or_deleted_cache_is_only_slower(tmp_path: Path) -> None:
    from koreoctl import api

    project = copy_project(tmp_path)
    expected = api.lint([str(project)]).diagnostics
    entries = list((project / ".koreoctl").rglob("*.json"))
    assert entries
    for path in entries:
        path.write_text(path.read_text()[:10])  # truncated, as by a crash mid-write
    again = api.lint([str(project)])
    assert (again.diagnostics, again.analysed) == (expected, 5)
    shutil.rmtree(project / ".koreoctl")
    assert api.lint([str(project)]).diagnostics == expected


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    command = [sys.executable, "-m", "koreoctl", "lint", str(project), "-f", "json"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [(process.communicate(timeout=120), process.returncode) for process in runs]
    outputs = {out for (out, _), _ in results}
    assert {code for _, code in results} == {1}
    assert all(err == "" for (_, err), _ in results)
    assert len(outputs) == 1
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert again.stdout == outputs.pop()


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    from koreoctl.lint.registry import RULES

    code, out, _ = cli(capsys, "lint", "--list-rules")
    assert code == 0
    for rule in RULES.values():
        assert rule.code in out and rule.name in out


def test_docs_lint_rules_is_generated_from_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "lint", "--list-rules", "--format", "markdown")
    assert code == 0
    docs = (REPOSITORY / "docs" / "lint-rules.md").read_text()
    assert out == docs, "docs/lint-rules.md is stale: koreoctl lint --list-rules -f markdown"
