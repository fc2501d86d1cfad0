"""``koreoctl schema export DIR``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from koreoctl.model.schema.export import exported
from tests.cli.clitools import cli

FILES = [
    "FunctionTest.schema.json",
    "PackageRef.schema.json",
    "ResourceFunction.schema.json",
    "ResourceTemplate.schema.json",
    "ValueFunction.schema.json",
    "Workflow.schema.json",
    "WorkflowTest.schema.json",
    "koreo.schema.json",
    "koreoctl-config.schema.json",
]


def test_export_creates_the_folder_and_writes_every_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "a" / "schemas"
    code, out, err = cli(capsys, "schema", "export", str(target))
    assert (code, err) == (0, "")
    assert out.splitlines() == [(target / name).as_posix() for name in FILES]
    assert sorted(path.name for path in target.iterdir()) == FILES  # no temporary file left
    texts = exported()
    for name in FILES:
        assert (target / name).read_text(encoding="utf-8") == texts[name]
        assert stat.S_IMODE((target / name).stat().st_mode) == 0o644


def test_export_again_replaces_the_files_with_the_same_bytes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "Workflow.schema.json").write_text("old")
    (tmp_path / "mine.json").write_text("kept")
    assert cli(capsys, "schema", "export", str(tmp_path))[0] == 0
    first = {name: (tmp_path / name).read_bytes() for name in FILES}
    assert cli(capsys, "schema", "export", str(tmp_path))[0] == 0
    assert {name: (tmp_path / name).read_bytes() for name in FILES} == first
    assert first["Workflow.schema.json"].startswith(b'{\n  "$schema"')
    assert (tmp_path / "mine.json").read_text() == "kept"


def test_a_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    target.write_text("not a folder")
    code, out, err = cli(capsys, "schema", "export", str(target))
    assert (code, out) == (2, "")
    assert err == (
        f"koreoctl: error: {target} is not a folder; give the folder to write the schemas to\n"
    )
    assert target.read_text() == "not a folder"


def test_a_folder_that_cannot_be_made_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("")
    target = tmp_path / "file" / "schemas"
    code, out, err = cli(capsys, "schema", "export", str(target))
    assert (code, out) == (2, "")
    assert err == f"koreoctl: error: cannot write the schemas to {target}: Not a directory\n"


def test_dir_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "schema", "export")
    assert code == 2
    assert "Missing argument 'DIR'" in err


def test_schema_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    assert "schema" in out
