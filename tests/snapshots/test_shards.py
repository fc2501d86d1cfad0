"""The shards of a sharded run put together (``koreoctl.snapshots.shards``), on stores written
with ``store.write``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.snapshots import store
from koreoctl.snapshots.history import pair
from koreoctl.snapshots.shards import ShardSet, runs, shard_set


def test_labels_say_which_shards_there_are() -> None:
    assert ShardSet(3, (1, 2, 3)).label == "shards 1-3/3 (complete)"
    assert ShardSet(3, (1, 3)).label == "shards 1,3/3 (2 of 3: missing 2/3)"
    assert ShardSet(4, (2,)).label == "shards 2/4 (1 of 4: missing 1/4, 3/4, 4/4)"
    assert ShardSet(5, (1, 2, 4, 5)).label == "shards 1-2,4-5/5 (4 of 5: missing 3/5)"
    assert ShardSet(1, (1,)).label == "shards 1/1 (complete)"


def _test(name: str) -> dict[str, Any]:
    return {"name": name, "namespace": "ns", "function": {"kind": "ValueFunction"}, "cases": []}


def _shard(
    folder: Path, writer: str, created: str, index: int, count: int, run: str = "k" * 64
) -> store.SnapshotInfo:
    header = {
        "command": "test",
        "target": {"paths": ["."], "pattern": None},
        "created": created,
        "shard": {"index": index, "count": count},
        "run": run,
        "summary": {"tests": 1, "cases": index, "passed": index},
    }
    payload = {"summary": header["summary"], "tests": [_test(f"t{index}")], "diagnostics": []}
    return store.write(folder, writer, header, payload)


def _at(second: int) -> str:
    return f"2026-09-21T14:13:{second:02d}.000000Z"


def test_two_pipelines_on_one_commit_interleaved_are_two_complete_runs(tmp_path: Path) -> None:
    p1s1 = _shard(tmp_path, "p1-1", _at(1), 1, 2)
    p2s1 = _shard(tmp_path, "p2-1", _at(2), 1, 2)
    p1s2 = _shard(tmp_path, "p1-2", _at(3), 2, 2)
    p2s2 = _shard(tmp_path, "p2-2", _at(4), 2, 2)
    found = runs(store.scan(tmp_path).snapshots)
    assert [run.members for run in found] == [(p1s1, p1s2), (p2s1, p2s2)]
    assert [run.created for run in found] == [_at(3), _at(4)]  # where its last shard is
    assert found[0].header["summary"] == {
        "tests": 2,
        "cases": 3,
        "passed": 3,
        "failed": 0,
        "skipped": 0,
        "errors": 0,
    }


def test_a_retried_shard_is_a_second_incomplete_run(tmp_path: Path) -> None:
    _shard(tmp_path, "ci-1", _at(1), 1, 2)
    _shard(tmp_path, "ci-2", _at(2), 2, 2)
    retry = _shard(tmp_path, "ci-2", _at(3), 2, 2)
    found = runs(store.scan(tmp_path).snapshots)
    assert len(found) == 2
    assert found[1].members == (retry,)
    shards = shard_set(found[1])
    assert shards is not None and shards.missing == (1,) and not shards.complete


def test_other_keys_and_counts_are_other_runs_and_plain_snapshots_stay(tmp_path: Path) -> None:
    _shard(tmp_path, "a", _at(1), 1, 2)
    _shard(tmp_path, "b", _at(2), 1, 2, run="j" * 64)
    _shard(tmp_path, "c", _at(3), 1, 3)
    plain = store.write(tmp_path, "d", {"command": "test", "created": _at(4)}, {"tests": []})
    odd = store.write(  # a shard header that does not make sense: read as a plain snapshot
        tmp_path,
        "e",
        {"command": "test", "created": _at(5), "shard": {"index": 3, "count": 2}},
        {"tests": []},
    )
    found = runs(store.scan(tmp_path).snapshots)
    assert [len(run.members) for run in found] == [1, 1, 1, 0, 0]
    assert found[3:] == (plain, odd)


def test_latest_counts_runs_and_a_shard_names_its_run(tmp_path: Path) -> None:
    first = _shard(tmp_path, "ci-1", _at(1), 1, 2)
    second = _shard(tmp_path, "ci-2", _at(2), 2, 2)
    chosen = pair(store.scan(tmp_path), first.short, None)
    assert chosen.a is not None and chosen.a.members == (first, second)
    assert chosen.b == chosen.a and chosen.note == "it is the latest of its history"
    alone = pair(store.scan(tmp_path), f"{second.short}:shard", "@latest")
    assert alone.a == second and alone.b is not None and alone.b.members == (first, second)
    merged = store.read_payload(alone.b)
    assert [test["name"] for test in merged["tests"]] == ["t1", "t2"]
    assert merged["shards"] == {"count": 2, "present": [1, 2], "missing": [], "complete": True}
    with pytest.raises(UsageError, match="there is no such snapshot"):
        pair(store.scan(tmp_path), "@latest~1", None)  # one run, though two files
