"""``koreoctl test --shard I/N --snapshot``: the shards of one run seen together by
``koreoctl snapshot list`` and ``koreoctl diff``, run in-process on a copy of hello-workload.

hello-workload has 6 tests (17 cases). ``--shard 1/2`` runs workload-deployment-test and the
three WorkflowTests (12 cases); ``--shard 2/2`` runs workload-config-test and
workload-service-test (5 cases): 12 + 5 = 17.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli.clitools import REPOSITORY, cli

WORKLOAD = REPOSITORY / "testdata" / "hello-workload"
EPOCH = "1790000000"  # 2026-09-21T14:13:20Z
SHARD_1 = [
    "hello-workload/hello-workload-slow-rollout-test",
    "hello-workload/hello-workload-test",
    "hello-workload/hello-workload-unpinned-image-test",
    "hello-workload/workload-deployment-test",
]
SHARD_2 = ["hello-workload/workload-config-test", "hello-workload/workload-service-test"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "hello-workload"
    shutil.copytree(WORKLOAD, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("KOREOCTL_SNAPSHOT_DIR", raising=False)
    return root


def record(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    writer: str,
    *args: str,
) -> dict[str, Any]:
    """Run ``koreoctl test ARGS --snapshot`` as ``writer``; the header it wrote."""
    monkeypatch.setenv("KOREOCTL_WRITER", writer)
    code, out, err = cli(capsys, "test", *args, "--snapshot")
    assert code == 0, out + err
    path = err.split(" written: ")[1].strip()
    header: dict[str, Any] = json.loads(Path(path).read_bytes())["header"]
    return header


def diff_lines(out: str) -> list[str]:
    """The diff's lines after its header line."""
    return out.splitlines()[1:]


def test_each_shard_records_which_it_is_and_the_run_key_its_shards_share(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    second = record(capsys, monkeypatch, "ci-2", "--shard", "2/2")
    whole = record(capsys, monkeypatch, "dev")
    thirds = record(capsys, monkeypatch, "ci-1", "--shard", "1/3")
    assert first["shard"] == {"index": 1, "count": 2}
    assert second["shard"] == {"index": 2, "count": 2}
    assert first["summary"]["cases"] == 12 and second["summary"]["cases"] == 5
    # The key, worked out from what the header records that does not depend on the shard.
    basis = {
        "command": "test",
        "target": {"paths": ["."], "pattern": None},
        "inputs": first["inputs"],
        "refs": [],
        "shards": 2,
    }
    text = json.dumps(basis, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first["run"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert second["run"] == first["run"]
    assert thirds["run"] != first["run"]  # another split is another run
    assert "shard" not in whole and "run" not in whole


def test_snapshot_list_shows_the_shards_of_a_run_as_one_entry(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    record(capsys, monkeypatch, "ci-2", "--shard", "2/2")
    record(capsys, monkeypatch, "dev")
    code, out, _ = cli(capsys, "snapshot", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3, out
    assert lines[0].split() == ["ID", "CREATED", "WRITER#SEQ", "COMMAND", "GIT", "RESULT", "TARGET"]
    short = hashlib.sha256(next(project.glob(".koreoctl/snapshots/ci-1/*.json")).read_bytes())
    assert lines[1].startswith(short.hexdigest()[:12] + "  2026-09-21 14:13:20Z  ci-1#1 +1")
    assert "test  shards 1-2/2 (complete)" in lines[1]
    assert "17 passed" in lines[1]
    assert "dev#1" in lines[2] and "shards" not in lines[2] and "17 passed" in lines[2]

    code, out, _ = cli(capsys, "snapshot", "list", "-f", "json")
    entries = json.loads(out)
    assert len(entries) == 2
    run = entries[0]
    assert run["run"] == first["run"]
    assert run["shards"] == {"count": 2, "present": [1, 2], "missing": [], "complete": True}
    assert [member["header"]["writer"] for member in run["members"]] == ["ci-1", "ci-2"]
    assert run["header"]["summary"]["cases"] == 17
    assert "members" not in entries[1]


def test_a_merged_sharded_run_diffs_as_the_unsharded_run_of_the_same_inputs(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    record(capsys, monkeypatch, "ci-2", "--shard", "2/2")
    record(capsys, monkeypatch, "dev")
    for args in ((), ("ci-1/1", "dev/1"), ("dev/1", "ci-2/1"), ("@latest~1", "@latest")):
        code, out, err = cli(capsys, "diff", *args, "--exit-code")
        assert code == 0, (args, out, err)
        assert diff_lines(out) == ["no differences"], args
        assert err == ""
    code, out, _ = cli(capsys, "diff", "ci-2/1", "dev/1")
    header = out.splitlines()[0]
    assert "test shards 1-2/2 (complete)" in header and "ci-1#1, ci-2#1" in header


def test_a_changed_expectation_in_one_shard_shows_in_the_merged_diff(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record(capsys, monkeypatch, "dev")
    config = project / "in" / "workload-config.koreo"
    text = config.read_text()
    assert text.count("        replicas: 2\n") == 1  # the expectReturn of the first case
    config.write_text(text.replace("        replicas: 2\n", "        replicas: 3\n"))
    monkeypatch.setenv("KOREOCTL_WRITER", "ci-1")
    cli(capsys, "test", "--shard", "1/2", "--snapshot")
    monkeypatch.setenv("KOREOCTL_WRITER", "ci-2")
    code, _, _ = cli(capsys, "test", "--shard", "2/2", "--snapshot")
    assert code == 1  # workload-config-test, in shard 2/2, now fails
    # dev sorts after ci-1 and ci-2 (same created time; then by writer): name both sides
    code, out, err = cli(capsys, "diff", "dev/1", "ci-1/1", "--exit-code", "-f", "json")
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["b"]["description"].startswith("test shards 1-2/2 (complete)")
    changes = [(case["test"], case["case"], case["change"]) for case in report["cases"]]
    # Case 1 fails, which skips the two variant cases after it: all in shard 2/2's test.
    assert changes[0] == (
        "hello-workload/workload-config-test",
        "Settings carry the name and the standard labels",
        "started-failing",
    )
    assert {test for test, _, _ in changes} == {"hello-workload/workload-config-test"}
    assert {case for _, case, _ in changes} == {
        "Settings carry the name and the standard labels",
        "[variant] An untagged image is refused",
        "[variant] The latest tag is refused",
    }
    # The other 14 cases: shard 1/2's 12 and workload-service-test's 2.
    assert report["summary"]["unchanged"] == 14
    assert "warnings" not in report


def test_an_incomplete_run_warns_once_and_diffs_the_shards_it_has(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record(capsys, monkeypatch, "dev")
    record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    code, out, _ = cli(capsys, "snapshot", "list")
    assert "test  shards 1/2 (1 of 2: missing 2/2)" in out.splitlines()[1]
    assert "12 passed" in out.splitlines()[1]
    code, out, err = cli(capsys, "diff", "dev/1", "ci-1/1")
    assert code == 0
    b = hashlib.sha256(next(project.glob(".koreoctl/snapshots/ci-1/*.json")).read_bytes())
    assert err.splitlines() == [
        f"koreoctl: warning: B ({b.hexdigest()[:12]}) is an incomplete sharded run: it has "
        "shards 1 of 2, missing 2/2; comparing the tests of the shards it has"
    ]
    assert diff_lines(out)[:-1] == [f"- removed test  {test}" for test in SHARD_2]
    code, out, _ = cli(capsys, "diff", "dev/1", "ci-1/1", "-f", "json")
    assert len(json.loads(out)["warnings"]) == 1


def test_ref_shard_names_one_shard_alone(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    record(capsys, monkeypatch, "ci-2", "--shard", "2/2")
    record(capsys, monkeypatch, "dev")
    code, out, err = cli(capsys, "diff", "ci-2/1:shard", "dev/1")
    assert code == 0 and err == ""
    assert "test shard 2/2 · " in out.splitlines()[0]
    assert diff_lines(out)[:-1] == [f"+ added test  {test}" for test in SHARD_1]
    code, out, _ = cli(capsys, "snapshot", "show", "ci-2/1")
    run = json.loads(next(project.glob(".koreoctl/snapshots/ci-2/*.json")).read_bytes())
    assert f"shard:     2/2 of run {run['header']['run']}" in out.splitlines()


def test_a_run_repeated_on_the_same_inputs_is_two_runs(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
        record(capsys, monkeypatch, "ci-2", "--shard", "2/2")
    code, out, _ = cli(capsys, "snapshot", "list")
    rows = out.splitlines()[1:]
    assert len(rows) == 2
    assert "ci-1#1 +1" in rows[0] and "ci-1#2 +1" in rows[1]
    assert all("shards 1-2/2 (complete)" in row for row in rows)
    code, out, _ = cli(capsys, "diff")
    header = out.splitlines()[0]
    assert "ci-1#1, ci-2#1" in header and "ci-1#2, ci-2#2" in header
    assert diff_lines(out) == ["no differences"]
    # prune keeps or removes a run whole: the older run's two shards go
    code, out, _ = cli(capsys, "snapshot", "prune", "--keep", "1")
    assert code == 0
    assert out.splitlines()[-1] == "removed 2 snapshots; kept 2"
    assert sorted(path.name[:6] for path in project.glob(".koreoctl/snapshots/*/*.json")) == [
        "000002",
        "000002",
    ]


def test_two_shards_of_one_run_with_the_same_test_are_an_error(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from koreoctl.snapshots import store

    first = record(capsys, monkeypatch, "ci-1", "--shard", "1/2")
    shard = project / ".koreoctl" / "snapshots" / "ci-1"
    payload = json.loads(next(shard.glob("*.json")).read_bytes())["payload"]
    header = {key: first[key] for key in ("command", "argv", "target", "inputs", "refs", "summary")}
    header["shard"] = {"index": 2, "count": 2}
    header["run"] = first["run"]
    forged = store.write(project / ".koreoctl" / "snapshots", "ci-2", header, payload)
    code, out, err = cli(capsys, "diff", forged.short)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "koreoctl: error: FunctionTest/hello-workload/workload-deployment-test is in two shards of "
        f"one run: shard 1/2 ({shard_short(shard)}) and shard 2/2 ({forged.short}) (the shards "
        "of a run must be disjoint; were they recorded by different koreoctl versions?)"
    ]


def shard_short(folder: Path) -> str:
    return next(folder.glob("*.json")).name.split("-")[1][:12]
