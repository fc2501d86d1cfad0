"""``koreoctl test/render --snapshot`` and ``koreoctl snapshot list|show|verify|prune|migrate``,
run in-process on copies of the example projects."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, cli

HELLO = REPOSITORY / "testdata" / "hello-koreo"
WORKLOAD = REPOSITORY / "testdata" / "hello-workload"
WRITTEN = re.compile(
    r"^snapshot ([0-9a-f]{12}) written: (\.koreoctl/snapshots/dev/(\d{6})-([0-9a-f]{64})\.json)$"
)
EPOCH = "1790000000"  # 2026-09-21T14:13:20Z


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of hello-koreo as the current folder, recorded as writer ``dev``."""
    root = tmp_path / "hello-koreo"
    shutil.copytree(HELLO, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("KOREOCTL_SNAPSHOT_DIR", raising=False)
    return root


def written(err: str) -> re.Match[str]:
    lines = [line for line in err.splitlines() if line.startswith("snapshot ")]
    assert len(lines) == 1, err
    match = WRITTEN.match(lines[0])
    assert match, lines[0]
    return match


def snapshot_files(root: Path) -> list[str]:
    store = root / ".koreoctl" / "snapshots"
    return sorted(str(path.relative_to(store)) for path in store.rglob("*.json"))


def test_test_snapshot_writes_one_file_named_by_the_hash_of_its_bytes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    code, out, err = cli(capsys, "test", "--snapshot")
    assert code == 0
    assert "9 cases in 2 FunctionTests: 9 passed" in out
    match = written(err)
    short, path, seq, digest = match.groups()
    assert seq == "000001"
    assert short == digest[:12]
    data = (project / path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest
    header = json.loads(data)["header"]
    assert header["command"] == "test"
    assert header["argv"] == ["test", "--snapshot"]
    assert header["writer"] == "dev"
    assert header["seq"] == 1
    assert header["created"] == "2026-09-21T14:13:20.000000Z"
    assert header["summary"]["passed"] == 9
    assert header["git"] is None  # the copy is not a git checkout
    assert sorted(header["inputs"]) == sorted(
        path.relative_to(HELLO).as_posix()
        for path in HELLO.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(HELLO).parts)
    )


def test_without_snapshot_nothing_is_written(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "test")
    assert code == 0
    assert "snapshot" not in err
    assert not (project / ".koreoctl" / "snapshots").exists()


def test_the_payload_is_the_json_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "test", "--snapshot")
    code, out, _ = cli(capsys, "snapshot", "show", "@latest", "-f", "json")
    assert code == 0
    shown = json.loads(out)
    _, report, _ = cli(capsys, "test", "-f", "json")
    assert shown["payload"] == json.loads(report)
    assert shown["header"]["kind"] == "koreoctl.dev/snapshot"


def test_list_orders_by_created_writer_seq_and_filters(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "test", "--snapshot")
    monkeypatch.setenv("KOREOCTL_WRITER", "ci-7")
    cli(capsys, "test", "--snapshot", "-k", "bucket-test")
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    cli(capsys, "test", "--snapshot")
    code, out, err = cli(capsys, "snapshot", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "WRITER#SEQ", "COMMAND", "GIT", "RESULT", "TARGET"]
    # One created time for all three (SOURCE_DATE_EPOCH): writer, then seq, decide.
    assert [line.split()[3] for line in lines[1:]] == ["ci-7#1", "dev#1", "dev#2"]
    assert lines[1].split()[1:3] == ["2026-09-21", "14:13:20Z"]
    assert lines[1].endswith("5 passed  . pattern=bucket-test")
    assert lines[2].endswith("9 passed  .")
    _, out, _ = cli(capsys, "snapshot", "list", "--writer", "ci-7", "-f", "json")
    entries = json.loads(out)
    assert [(entry["header"]["writer"], entry["header"]["seq"]) for entry in entries] == [
        ("ci-7", 1)
    ]
    _, out, _ = cli(capsys, "snapshot", "list", "--command", "render")
    assert out.startswith("no snapshots in ")


def test_show_names_a_snapshot_by_prefix_writer_seq_latest_and_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, first = cli(capsys, "test", "--snapshot")
    _, _, second = cli(capsys, "test", "--snapshot", "-k", "bucket-config-test")
    one, two = written(first), written(second)
    for name, expected in [
        (one.group(1)[:6], one),
        ("dev/1", one),
        ("@latest", two),
        ("@latest~1", one),
        (two.group(2), two),
    ]:
        code, out, err = cli(capsys, "snapshot", "show", name)
        assert code == 0, err
        assert out.splitlines()[0].split()[1] == expected.group(1), name
    _, out, _ = cli(capsys, "snapshot", "show", "@latest")
    assert "command:   koreoctl test --snapshot -k bucket-config-test" in out
    assert "  PASSED hello-koreo/bucket-config-test  4/4 cases passed" in out


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("@latest~5", "@latest~5"),
        ("ffff", "no snapshot"),
        ("ab", "at least 4"),
        ("nobody/3", "no snapshot"),
    ],
)
def test_show_of_an_unknown_snapshot_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    cli(capsys, "test", "--snapshot")
    code, out, err = cli(capsys, "snapshot", "show", name)
    assert code == 2
    assert out == ""
    assert err.startswith("koreoctl: error: ")
    assert message in err
    assert "Traceback" not in err


def test_verify_names_a_damaged_file_and_list_skips_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "test", "--snapshot")
    _, _, err = cli(capsys, "test", "--snapshot")
    damaged = project / written(err).group(2)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    code, out, err = cli(capsys, "snapshot", "verify")
    assert code == 1
    assert out == "1 snapshot verified, 1 failed\n"
    assert damaged.name in err
    code, out, err = cli(capsys, "snapshot", "list")
    assert code == 0
    assert len(out.splitlines()) == 2  # the header and the good snapshot
    assert "dev#1" in out and "dev#2" not in out
    assert damaged.name in err and "(skipped)" in err


def test_prune_keeps_the_newest_of_each_history_and_dry_run_removes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in ([], [], [], ["-k", "bucket-test"]):
        cli(capsys, "test", "--snapshot", *args)
    before = snapshot_files(project)
    assert len(before) == 4
    code, out, _ = cli(capsys, "snapshot", "prune", "--keep", "1", "--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == "would remove 2 snapshots; kept 2"
    assert snapshot_files(project) == before
    code, out, _ = cli(capsys, "snapshot", "prune", "--keep", "1")
    assert code == 0
    assert out.splitlines()[-1] == "removed 2 snapshots; kept 2"
    # Kept: dev#3 (the newest of the unfiltered history) and dev#4 (its own history).
    assert [name.split("/")[1][:6] for name in snapshot_files(project)] == ["000003", "000004"]


def test_migrate_with_nothing_old_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "test", "--snapshot")
    code, out, _ = cli(capsys, "snapshot", "migrate")
    assert code == 0
    assert out == "migrated 0; 1 at format 1, 0 migrated before\n"
    assert len(snapshot_files(project)) == 1


def test_settings_make_recording_the_default_and_no_snapshot_turns_it_off(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "koreoctl.yaml").write_text("snapshots:\n  record: [test]\n  dir: runs\n")
    code, _, err = cli(capsys, "test")
    assert code == 0
    assert "written: runs/dev/000001-" in err
    code, _, err = cli(capsys, "test", "--no-snapshot")
    assert "snapshot" not in err
    assert len(list((project / "runs" / "dev").glob("*.json"))) == 1
    code, out, _ = cli(capsys, "snapshot", "list")
    assert len(out.splitlines()) == 2


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("snapshots:\n  record: maybe\n", "snapshots.record must be true, false or a list"),
        ("snapshots:\n  keep: 3\n", "unknown snapshots setting(s): keep"),
        ("snapshots:\n  dir: 7\n", "snapshots.dir must be a folder name"),
    ],
)
def test_bad_settings_are_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], settings: str, message: str
) -> None:
    (project / "koreoctl.yaml").write_text(settings)
    code, _, err = cli(capsys, "test", "--snapshot")
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_snapshot_dir_option_and_environment_move_the_store(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = cli(capsys, "test", "--snapshot", "--snapshot-dir", "elsewhere")
    assert code == 0
    assert "written: elsewhere/dev/000001-" in err
    monkeypatch.setenv("KOREOCTL_SNAPSHOT_DIR", "elsewhere")
    _, out, _ = cli(capsys, "snapshot", "list")
    assert "dev#1" in out
    assert not (project / ".koreoctl" / "snapshots").exists()


def test_render_snapshot_records_objects_and_trigger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "hello-workload"
    shutil.copytree(WORKLOAD, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    code, _, err = cli(capsys, "render", "--observe", "observe.yaml", "--snapshot")
    assert code == 0, err
    written(err)
    _, shown, _ = cli(capsys, "snapshot", "show", "@latest", "-f", "json")
    snapshot = json.loads(shown)
    assert snapshot["header"]["command"] == "render"
    assert snapshot["header"]["target"]["observe"] == "observe.yaml"
    (render,) = snapshot["payload"]["renders"]
    assert "trigger" in render
    assert render["converged"] is True
    _, listed, _ = cli(capsys, "snapshot", "list")
    assert "render" in listed.splitlines()[1]
    assert "steady" in listed.splitlines()[1]
