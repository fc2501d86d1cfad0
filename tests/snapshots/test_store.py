"""The snapshot store: names, hashes, order, ids, prune and migrate (one process; the
concurrent and crash cases are in test_store_reliability.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.snapshots import store


def _write(root: Path, writer: str, created: str, payload: Any, **header: Any) -> Any:
    return store.write(
        root, writer, {"created": created, "command": "test", "target": {}, **header}, payload
    )


def test_a_snapshot_is_named_by_seq_and_the_sha256_of_its_exact_bytes(tmp_path: Path) -> None:
    info = _write(tmp_path, "ci-1", "2026-01-01T00:00:00.000000Z", {"b": 1, "a": [1, 2]})
    data = info.path.read_bytes()
    assert info.path.parent == tmp_path / "ci-1"
    assert info.path.name == f"000001-{hashlib.sha256(data).hexdigest()}.json"
    # canonical JSON: sorted keys, no spaces, header first
    assert data.startswith(b'{"header":{"command":"test","created":"2026-01-01T00:00:00.000000Z"')
    assert data.endswith(b',"payload":{"a":[1,2],"b":1}}')
    content = json.loads(data)
    assert content["header"]["payloadHash"] == hashlib.sha256(b'{"a":[1,2],"b":1}').hexdigest()
    assert content["header"] | {} == {
        "command": "test",
        "created": "2026-01-01T00:00:00.000000Z",
        "format": 1,
        "kind": "koreoctl.dev/snapshot",
        "payloadHash": content["header"]["payloadHash"],
        "seq": 1,
        "target": {},
        "writer": "ci-1",
    }
    assert store.read_info(info.path) == info


def test_seq_counts_each_writers_snapshots(tmp_path: Path) -> None:
    seqs = [_write(tmp_path, "a", f"2026-01-01T00:00:0{n}Z", {"n": n}).seq for n in range(3)]
    other = _write(tmp_path, "b", "2026-01-01T00:00:09Z", {"n": 9})
    assert seqs == [1, 2, 3]
    assert other.seq == 1
    assert sorted(p.name[:6] for p in (tmp_path / "a").glob("*.json")) == [
        "000001",
        "000002",
        "000003",
    ]


def test_order_is_created_then_writer_then_seq(tmp_path: Path) -> None:
    same = "2026-01-01T00:00:00.000000Z"
    _write(tmp_path, "zeta", same, {"n": 1})
    _write(tmp_path, "alpha", "2026-01-01T00:00:01.000000Z", {"n": 2})
    _write(tmp_path, "alpha", same, {"n": 3})
    _write(tmp_path, "zeta", same, {"n": 4})
    order = [
        (info.created[-9:-1], info.writer, info.seq) for info in store.scan(tmp_path).snapshots
    ]
    assert order == [
        ("0.000000", "alpha", 2),
        ("0.000000", "zeta", 1),
        ("0.000000", "zeta", 2),
        ("1.000000", "alpha", 1),
    ]


def test_non_text_keys_are_written_as_json_writes_them(tmp_path: Path) -> None:
    info = _write(tmp_path, "w", "2026-01-01T00:00:00Z", {True: 1, None: 2, 3: "x", "s": 4})
    payload = store.read_payload(info)
    assert payload == {"true": 1, "null": 2, "3": "x", "s": 4}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-10], "does not match the hash"),
        (lambda data: data.replace(b'"n":1', b'"n":2'), "does not match the hash"),
        (lambda data: b"", "does not match the hash"),
    ],
    ids=["truncated", "edited", "emptied"],
)
def test_a_damaged_file_is_reported_by_name_and_skipped(
    tmp_path: Path, damage: Any, message: str
) -> None:
    good = _write(tmp_path, "w", "2026-01-01T00:00:00Z", {"n": 0})
    bad = _write(tmp_path, "w", "2026-01-01T00:00:01Z", {"n": 1})
    bad.path.write_bytes(damage(bad.path.read_bytes()))
    found = store.scan(tmp_path)
    assert [info.path for info in found.snapshots] == [good.path]
    (problem,) = found.problems
    assert problem.path == bad.path and message in problem.message
    assert not store.verify(tmp_path).ok


def test_a_file_that_matches_its_hash_but_lies_about_its_writer_is_refused(
    tmp_path: Path,
) -> None:
    info = _write(tmp_path, "real", "2026-01-01T00:00:00Z", {"n": 0})
    moved = tmp_path / "other" / info.path.name
    moved.parent.mkdir()
    info.path.rename(moved)
    (problem,) = store.scan(tmp_path).problems
    assert "header names writer 'real'" in problem.message


def test_a_newer_format_is_refused_with_advice(tmp_path: Path) -> None:
    header = {"kind": store.KIND, "format": 99, "writer": "w", "seq": 1, "created": "x"}
    data = b'{"header":' + store.canonical_json(header) + b',"payload":{}}'
    path = tmp_path / "w" / f"000001-{hashlib.sha256(data).hexdigest()}.json"
    path.parent.mkdir()
    path.write_bytes(data)
    (problem,) = store.scan(tmp_path).problems
    assert "format 99 is newer" in problem.message and "upgrade" in problem.message


def test_files_that_are_not_snapshots_are_ignored_and_temporary_ones_listed(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "w", "2026-01-01T00:00:00Z", {})
    (tmp_path / "w" / "notes.txt").write_text("mine")
    (tmp_path / "w" / ".tmp-abc").write_bytes(b'{"header":')
    (tmp_path / ".hidden").mkdir()
    found = store.scan(tmp_path)
    assert len(found.snapshots) == 1 and not found.problems
    assert found.leftovers == (tmp_path / "w" / ".tmp-abc",)


def test_a_missing_store_is_empty(tmp_path: Path) -> None:
    assert store.scan(tmp_path / "nowhere") == store.Scan(())


# --- ids ---------------------------------------------------------------------------------


@pytest.fixture
def three(tmp_path: Path) -> tuple[Path, list[Any]]:
    infos = [_write(tmp_path, "w", f"2026-01-01T00:00:0{n}Z", {"n": n}) for n in range(3)]
    return tmp_path, infos


def test_ids_by_latest_prefix_writer_seq_and_path(three: tuple[Path, list[Any]]) -> None:
    root, infos = three
    found = store.scan(root)
    assert store.resolve("@latest", found) == infos[2]
    assert store.resolve("@latest~2", found) == infos[0]
    assert store.resolve(infos[1].hash[:8], found) == infos[1]
    assert store.resolve(infos[1].hash[:8].upper(), found) == infos[1]
    assert store.resolve("w/2", found) == infos[1]
    assert store.resolve(infos[0].id, found) == infos[0]
    assert store.resolve(str(infos[0].path), found) == infos[0]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("@latest~3", "there is no such snapshot (only 3 snapshots)"),
        ("abc", "give at least 4 hex digits"),
        ("ffffffffff", "no snapshot has this id"),
        ("w/9", "no snapshot has this id"),
        ("nowhere/000001-x.json", "no snapshot has this id"),
    ],
)
def test_unknown_ids_are_usage_errors(
    three: tuple[Path, list[Any]], reference: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        store.resolve(reference, store.scan(three[0]))


def test_an_ambiguous_prefix_names_the_candidates(tmp_path: Path) -> None:
    real = _write(tmp_path, "w", "2026-01-01T00:00:00Z", {})
    other = "1" if real.hash[4] == "0" else "0"
    twin = store.SnapshotInfo(real.path, "x", 1, real.hash[:4] + other * 60, real.header)
    with pytest.raises(UsageError, match="more than one snapshot has this prefix: w/"):
        store.resolve(real.hash[:4], store.Scan((real, twin)))
    assert store.resolve(real.hash[:5], store.Scan((real, twin))) == real


# --- writer ids --------------------------------------------------------------------------


def test_the_writer_id_is_made_once_and_kept_out_of_git(tmp_path: Path) -> None:
    first = store.writer_id(tmp_path, environ={})
    assert first == store.writer_id(tmp_path, environ={})
    assert (tmp_path / ".koreoctl" / "writer").read_text().strip() == first
    ignored = (tmp_path / ".koreoctl" / ".gitignore").read_text().splitlines()
    assert "writer" in ignored and "cache/" in ignored


def test_koreoctl_writer_wins_and_is_checked(tmp_path: Path) -> None:
    assert store.writer_id(tmp_path, environ={"KOREOCTL_WRITER": "ci-42.a_b"}) == "ci-42.a_b"
    assert not (tmp_path / ".koreoctl").exists()
    for bad in ("", "../up", ".hidden", "a/b", "x" * 65):
        with pytest.raises(UsageError, match="is not a writer id"):
            store.writer_id(tmp_path, environ={"KOREOCTL_WRITER": bad})


def test_source_date_epoch_fixes_the_created_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert store.now() == "1970-01-02T00:00:00.000000Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        store.now()


# --- prune and migrate -------------------------------------------------------------------


def test_prune_keeps_the_newest_of_each_history(tmp_path: Path) -> None:
    tests = [
        _write(tmp_path, "w", f"2026-01-01T00:00:0{n}Z", {"n": n}, target={"paths": ["."]})
        for n in range(4)
    ]
    other = _write(tmp_path, "w", "2026-01-01T00:00:05Z", {}, target={"paths": ["other"]})
    (tmp_path / "w" / ".tmp-dead").write_bytes(b"{")
    planned = store.prune(tmp_path, 2, dry_run=True)
    assert [info.seq for info in planned.removed] == [1, 2]
    assert len(store.scan(tmp_path).snapshots) == 5  # a dry run removes nothing
    pruned = store.prune(tmp_path, 2)
    assert pruned.removed == planned.removed and pruned.kept == 3
    remaining = store.scan(tmp_path)
    assert [info.path for info in remaining.snapshots] == [tests[2].path, tests[3].path, other.path]
    assert remaining.leftovers == ()


def test_prune_never_removes_a_damaged_file(tmp_path: Path) -> None:
    old = _write(tmp_path, "w", "2026-01-01T00:00:00Z", {"n": 0})
    _write(tmp_path, "w", "2026-01-01T00:00:01Z", {"n": 1})
    old.path.write_bytes(b"damaged")
    store.prune(tmp_path, 0)
    assert old.path.exists()


def test_migrate_rewrites_older_formats_into_new_files_and_keeps_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = store.write(
        tmp_path,
        "w",
        {"created": "2026-01-01T00:00:00Z", "command": "test", "target": {}},
        {"count": 2},
        version=1,
    )
    # Pretend this koreoctl writes format 2, in which payload counts became a list.
    monkeypatch.setattr(store, "FORMAT", 2)

    def one_to_two(content: Any) -> Any:
        return {
            "header": content["header"],
            "payload": {"items": [0] * content["payload"]["count"]},
        }

    assert store.migrate(tmp_path, "m", migrations={1: one_to_two}, dry_run=True).written == (
        (old, None),
    )
    migrated = store.migrate(tmp_path, "m", migrations={1: one_to_two})
    ((was, new),) = migrated.written
    assert was == old and new is not None
    assert new.format == 2 and new.header["migratedFrom"] == old.id
    assert new.header["created"] == old.created  # the run's facts are kept
    assert store.read_payload(new) == {"items": [0, 0]}
    assert store.read_payload(old) == {"count": 2}  # the old file is still there and readable
    again = store.migrate(tmp_path, "m", migrations={1: one_to_two})
    assert again.written == () and again.already == 1 and again.current == 1


def test_migrate_without_a_migration_for_a_format_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write(tmp_path, "w", {"created": "x", "command": "test"}, {}, version=1)
    monkeypatch.setattr(store, "FORMAT", 2)
    with pytest.raises(UsageError, match="no migration from format 1 to 2"):
        store.migrate(tmp_path, "m", migrations={})


def test_with_one_format_there_is_nothing_to_migrate(tmp_path: Path) -> None:
    _write(tmp_path, "w", "2026-01-01T00:00:00Z", {})
    result = store.migrate(tmp_path, "m")
    assert result == store.Migrated((), 1, 0)
