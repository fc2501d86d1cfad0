"""``koreoctl diff``: choosing the sides, formats, --exit-code, --rev and usage errors, run
in-process on copies of the example projects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, cli
from tests.gitrepo import commit_all, init

HELLO = REPOSITORY / "testdata" / "hello-koreo"
WORKLOAD = REPOSITORY / "testdata" / "hello-workload"
DEV_CASE = "[variant] Development buckets use cheaper storage"  # variants are labelled so


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of hello-koreo as the current folder, recorded as writer ``dev``."""
    root = tmp_path / "hello-koreo"
    shutil.copytree(HELLO, root, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.delenv("KOREOCTL_SNAPSHOT_DIR", raising=False)
    return root


def break_dev_storage(root: Path) -> None:
    path = root / "in" / "bucket-config.koreo"
    text = path.read_text()
    assert ': "NEARLINE"' in text
    path.write_text(text.replace(': "NEARLINE"', ': "COLDLINE"'))


def two_runs(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    assert cli(capsys, "test", "--snapshot")[0] == 0
    break_dev_storage(root)
    assert cli(capsys, "test", "--snapshot")[0] == 1  # the dev case now fails


def test_text_names_both_sides_and_the_case_that_started_failing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_runs(capsys, project)
    code, out, err = cli(capsys, "diff")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("diff A ")
    assert "dev#1" in lines[0] and "dev#2" in lines[0]
    assert any(DEV_CASE in line and "hello-koreo/bucket-config-test" in line for line in lines)
    assert "\x1b[" not in out  # not a terminal: no colour


def test_exit_code_says_whether_there_are_differences(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two_runs(capsys, project)
    assert cli(capsys, "diff", "--exit-code")[0] == 1
    assert cli(capsys, "diff", "dev/2", "dev/2", "--exit-code")[0] == 0
    code, out, _ = cli(capsys, "diff", "dev/2", "dev/2")
    assert code == 0
    assert "no differences" in out


def test_json_and_markdown(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two_runs(capsys, project)
    code, out, _ = cli(capsys, "diff", "-f", "json")
    assert code == 0
    report = json.loads(out)
    assert report["command"] == "test"
    assert out == json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    code, out, _ = cli(capsys, "diff", "-f", "markdown")
    assert code == 0
    assert DEV_CASE in out
    assert "\x1b[" not in out


def test_output_file_gets_what_stdout_would(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    two_runs(capsys, project)
    _, shown, _ = cli(capsys, "diff", "-f", "markdown")
    target = tmp_path / "diff.md"
    code, out, _ = cli(capsys, "diff", "-f", "markdown", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text() == shown
    _, text, _ = cli(capsys, "diff")
    code, _, _ = cli(capsys, "diff", "-o", str(tmp_path / "diff.txt"))
    assert (tmp_path / "diff.txt").read_text() == text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rev", "HEAD", "dev/1"], "--rev compares with the working tree"),
        (["--trigger", "t.yaml"], "need --rev"),
        (["-k", "bucket"], "need --rev"),
        (["--ignore", "spec["], "--ignore"),
        (["dev/9"], "no snapshot"),
        (["--format", "yaml"], "yaml"),
    ],
)
def test_usage_errors(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    two_runs(capsys, project)
    code, out, err = cli(capsys, "diff", *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_nothing_recorded_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "diff")
    assert code == 2
    assert "no snapshots to compare" in err
    assert "koreoctl test --snapshot" in err


def test_rev_against_a_real_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = init(tmp_path / "repo")
    shutil.copytree(WORKLOAD, top / "platform", ignore=shutil.ignore_patterns(".*"))
    commit_all(top, "hello-workload")
    monkeypatch.chdir(top / "platform")
    trigger = Path("in/triggers/web.yaml")
    trigger.write_text(trigger.read_text().replace("replicas: 2", "replicas: 3"))
    code, out, err = cli(
        capsys, "diff", "--rev", "main", "--observe", "observe.yaml", "--exit-code"
    )
    assert code == 1, err
    assert "spec.replicas" in out
    assert "Deployment" in out
    code, out, err = cli(capsys, "diff", "--rev", "main", "--observe", "observe.yaml", "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["command"] == "render"
    # Nothing was recorded, and the working tree is as it was.
    assert not Path(".koreoctl/snapshots").exists()
    assert "replicas: 3" in trigger.read_text()
