"""The snapshot store under stress: concurrent writers, writers killed part-way, damaged
files, names that already exist, repeatable payloads, and stores merged from two machines.

Writers run as separate Python processes (``python -c``, a fresh interpreter each, as
the spawn start method would give), so the lock and the link are exercised across
processes, not threads.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from koreoctl import api
from koreoctl.errors import UsageError
from koreoctl.snapshots import store
from koreoctl.snapshots.recording import Recording

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "testdata"
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")

# A writer process: waits for the start file (so that every writer starts at once), then
# writes COUNT snapshots as WRITER into STORE.
WRITER = """\
import sys, time
from pathlib import Path
from koreoctl.snapshots import store

root, writer, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
for n in range(count):
    store.write(root, writer, {"command": "test", "target": {"n": n}}, {"writer": writer, "n": n})
"""

# A writer that never stops: biggish payloads (about 1 MB each) until it is killed. With
# a KILL_AT point, it kills itself with SIGKILL at that step of ``_write_new`` instead.
ENDLESS = """\
import os, signal, sys
from pathlib import Path
from koreoctl.snapshots import store

root, writer, kill_at = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if kill_at == "before-fsync":
    real_fsync = os.fsync
    os.fsync = lambda fd: die()
elif kill_at == "before-link":
    store._link_new = lambda source, target: die()
elif kill_at == "after-link":
    real_link = store._link_new
    def link_then_die(source, target):
        real_link(source, target)
        die()
    store._link_new = link_then_die

payload = {"rows": [{"i": i, "text": "x" * 100} for i in range(5000)]}
n = 0
print("ready", flush=True)
while True:
    n += 1
    payload["n"] = n
    store.write(root, writer, {"command": "render", "target": {}}, payload)
"""


def _python(code: str, *args: str, **options: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(store.WRITER_ENV, None)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, text=True, cwd=ROOT, **options
    )


def _run_writers(root: Path, writers: list[str], count: int, go: Path) -> None:
    processes = [_python(WRITER, str(root), writer, str(count), str(go)) for writer in writers]
    go.touch()
    for process in processes:
        assert process.wait(timeout=120) == 0


def _snapshot_files(root: Path) -> list[Path]:
    return sorted(path for path in root.glob("*/*.json") if not path.name.startswith("."))


def _assert_all_verify(root: Path, count: int) -> store.Verified:
    verified = store.verify(root)
    assert verified.ok, verified.problems
    assert verified.problems == ()
    assert verified.reused == ()
    assert len(verified.good) == count
    assert len(_snapshot_files(root)) == count
    return verified


# --- concurrent writers --------------------------------------------------------------------


def test_eight_writers_at_once_write_400_snapshots_that_all_verify(tmp_path: Path) -> None:
    root = tmp_path / "store"
    writers = [f"w{index}" for index in range(8)]
    _run_writers(root, writers, 50, tmp_path / "go")
    verified = _assert_all_verify(root, 400)
    for writer in writers:
        seqs = sorted(info.seq for info in verified.good if info.writer == writer)
        assert seqs == list(range(1, 51))
    payloads = {(p["writer"], p["n"]) for p in map(store.read_payload, verified.good)}
    assert payloads == {(writer, n) for writer in writers for n in range(50)}


def test_eight_processes_of_one_writer_never_share_a_seq(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _run_writers(root, ["shared"] * 8, 50, tmp_path / "go")
    verified = _assert_all_verify(root, 400)
    assert sorted(info.seq for info in verified.good) == list(range(1, 401))
    # every process wrote each of its 50 payloads once: 8 copies of each
    counts: dict[int, int] = {}
    for info in verified.good:
        n = store.read_payload(info)["n"]
        counts[n] = counts.get(n, 0) + 1
    assert counts == dict.fromkeys(range(50), 8)


# The first runs in a fresh project, all at once: each makes or reads .koreoctl/writer.
# ``os.fdopen`` is slowed down so that the moment between creating the file and writing
# the id into it (when the others can read it empty) is wide enough to be hit every time.
FIRST_RUN = """\
import os, sys, time
from pathlib import Path
from koreoctl.snapshots import store

project, go = Path(sys.argv[1]), Path(sys.argv[2])
real_fdopen = os.fdopen
def slow_fdopen(*args, **kwargs):
    time.sleep(0.2)
    return real_fdopen(*args, **kwargs)
os.fdopen = slow_fdopen
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
print(store.writer_id(project, {}))
"""


def test_first_runs_at_once_in_a_fresh_project_agree_on_one_writer_id(tmp_path: Path) -> None:
    project, go = tmp_path / "project", tmp_path / "go"
    project.mkdir()
    processes = [
        _python(FIRST_RUN, str(project), str(go), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    time.sleep(0.3)
    go.touch()
    results = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0] * 8, [err for _, err in results]
    ids = {out.strip() for out, _ in results}
    assert len(ids) == 1
    assert ids == {(project / ".koreoctl" / store.WRITER_FILE).read_text().strip()}


# --- writers killed part-way ---------------------------------------------------------------


def _assert_nothing_partial_is_visible(root: Path) -> store.Scan:
    found = store.scan(root)
    assert found.problems == ()
    assert store.verify(root).ok
    assert [info.path for info in found.snapshots] == sorted(
        _snapshot_files(root), key=lambda path: int(path.name[:6])
    )
    for info in found.snapshots:
        assert store.read_info(info.path) == info
    if found.snapshots:  # the newest was written just before the kill: it is whole
        assert store.read_payload(found.snapshots[-1])["rows"][-1]["i"] == 4999
    for leftover in found.leftovers:
        assert leftover.name.startswith(".tmp-")
        assert leftover not in {info.path for info in found.snapshots}
    return found


def _kill_when_ready(process: subprocess.Popen[str], delay: float) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    process.stdout.close()


def _leftovers(root: Path) -> list[Path]:
    return sorted(root.glob("*/.tmp-*"))


def _prune_removes_leftovers(root: Path) -> None:
    before = store.scan(root)
    pruned = store.prune(root, keep=10**6)
    assert pruned.removed == ()
    assert set(pruned.leftovers) == set(before.leftovers)
    assert _leftovers(root) == []
    assert store.scan(root).snapshots == before.snapshots


@POSIX_ONLY
def test_a_writer_killed_at_random_moments_leaves_nothing_partial(tmp_path: Path) -> None:
    root = tmp_path / "store"
    chance = random.Random(6)
    for _ in range(6):
        process = _python(ENDLESS, str(root), "victim", "none", stdout=subprocess.PIPE)
        _kill_when_ready(process, chance.uniform(0.02, 0.25))
        _assert_nothing_partial_is_visible(root)
    found = store.scan(root)
    # the rounds wrote on after each other: seqs are 1..n, none taken twice
    assert [info.seq for info in found.snapshots] == list(range(1, len(found.snapshots) + 1))
    _prune_removes_leftovers(root)


@POSIX_ONLY
@pytest.mark.parametrize("kill_at", ["before-fsync", "before-link", "after-link"])
def test_a_writer_killed_at_each_step_of_a_write_leaves_nothing_partial(
    tmp_path: Path, kill_at: str
) -> None:
    root = tmp_path / "store"
    process = _python(ENDLESS, str(root), "victim", kill_at, stdout=subprocess.DEVNULL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    found = _assert_nothing_partial_is_visible(root)
    # the temporary file is left behind, hidden: never listed as a snapshot
    assert len(_leftovers(root)) == 1
    assert found.leftovers == tuple(_leftovers(root))
    if kill_at == "after-link":
        (info,) = found.snapshots  # the link is the commit point: the snapshot is whole
        assert info.seq == 1
        assert info.path.samefile(found.leftovers[0])
    else:
        assert found.snapshots == ()
    _prune_removes_leftovers(root)
    # the next write of that writer goes on, whole
    again = store.write(root, "victim", {"command": "render", "target": {}}, {"rows": []})
    assert again.seq == len(found.snapshots) + 1
    assert store.verify(root).ok


def test_a_seq_is_never_taken_again_after_prune(tmp_path: Path) -> None:
    mine = store.write(tmp_path, "a", {"command": "test", "target": {}}, {"n": 1})
    store.write(tmp_path, "b", {"command": "test", "target": {}}, {"n": 2})  # newer, same history
    assert [info.path for info in store.prune(tmp_path, keep=1).removed] == [mine.path]
    again = store.write(tmp_path, "a", {"command": "test", "target": {}}, {"n": 3})
    assert again.seq > mine.seq


# --- damaged files -------------------------------------------------------------------------


def _three(root: Path) -> list[store.SnapshotInfo]:
    return [
        store.write(
            root,
            "w",
            {"created": f"2026-01-01T00:00:0{n}.000000Z", "command": "test", "target": {}},
            {"n": n, "text": "some payload " * 20},
        )
        for n in range(3)
    ]


def _truncate(path: Path, _: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_a_bit(path: Path, chance: random.Random) -> None:
    data = bytearray(path.read_bytes())
    index = chance.randrange(len(data))
    data[index] ^= 1 << chance.randrange(8)
    path.write_bytes(bytes(data))


def _flip_in_header(path: Path, _: random.Random) -> None:
    data = bytearray(path.read_bytes())
    data[data.index(b'"writer":"w"') + len('"writer":"')] ^= 0x01  # "w" -> "v"
    path.write_bytes(bytes(data))


def _flip_in_payload(path: Path, _: random.Random) -> None:
    data = bytearray(path.read_bytes())
    data[data.index(b'"n":1') + len('"n":')] ^= 0x02  # 1 -> 3: still valid JSON
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_truncate, _flip_a_bit, _flip_in_header, _flip_in_payload],
    ids=["truncated", "random-bit-flipped", "bit-flipped-in-header", "bit-flipped-in-payload"],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_a_damaged_snapshot_is_detected_on_read_and_never_returned(
    tmp_path: Path, damage: Any, seed: int
) -> None:
    good_first, bad, good_last = _three(tmp_path)
    damage(bad.path, random.Random(seed))
    found = store.scan(tmp_path)
    assert [info.path for info in found.snapshots] == [good_first.path, good_last.path]
    (problem,) = found.problems
    assert problem.path == bad.path
    assert bad.path.name in str(problem)
    assert "does not match the hash in its name" in problem.message
    with pytest.raises(store.CorruptSnapshot):
        store.read_info(bad.path)
    with pytest.raises(store.CorruptSnapshot):
        store.read_info(bad.path, "w")
    verified = store.verify(tmp_path)
    assert not verified.ok
    assert [p.path for p in verified.problems] == [bad.path]
    assert bad.path not in {info.path for info in verified.good}
    # nor can it be reached by any of its ids
    for reference in (bad.short, bad.id, f"w/{bad.seq}", str(bad.path)):
        with pytest.raises(UsageError):
            store.resolve(reference, found)
    assert store.resolve("@latest~1", found) == good_first
    listing = api.snapshot_list(str(tmp_path), directory=str(tmp_path))
    assert bad.path not in {info.path for info in listing.snapshots}
    assert [p.path for p in listing.problems] == [bad.path]


def test_a_file_changed_after_it_was_listed_is_not_read(tmp_path: Path) -> None:
    _, info, _ = _three(tmp_path)
    _flip_in_payload(info.path, random.Random(0))
    with pytest.raises(UsageError, match="no longer matches its hash"):
        store.read_payload(info)


# --- never overwritten ---------------------------------------------------------------------


def test_writing_a_name_that_exists_is_an_error_and_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "now", lambda: "2026-01-01T00:00:00.000000Z")
    monkeypatch.setattr(store, "_next_seq", lambda folder: 1)  # as if the seq were taken
    first = store.write(tmp_path, "w", {"command": "test", "target": {}}, {"n": 1})
    before = first.path.read_bytes()
    with pytest.raises(UsageError, match="already exists; snapshots are never overwritten"):
        store.write(tmp_path, "w", {"command": "test", "target": {}}, {"n": 1})
    assert first.path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert [info.path for info in store.scan(tmp_path).snapshots] == [first.path]


@pytest.mark.parametrize("hard_links", [True, False], ids=["link", "no-hard-links"])
def test_write_new_never_replaces_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    info = store.write(tmp_path, "w", {"command": "test", "target": {}}, {"n": 1})
    before = info.path.read_bytes()
    if not hard_links:

        def no_link(source: Any, target: Any) -> None:
            raise OSError(errno.EPERM, "hard links not supported")

        monkeypatch.setattr(os, "link", no_link)
    with pytest.raises(UsageError, match="already exists"):
        store._write_new(info.path, b'{"header":{},"payload":"something else"}')
    assert info.path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert store.verify(tmp_path).ok


# --- determinism ---------------------------------------------------------------------------


@pytest.fixture
def writer(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv(store.WRITER_ENV, "determinism")
    yield "determinism"


def _payload_hash(snapshot: str | None) -> str:
    assert snapshot is not None
    return str(store.read_info(Path(snapshot)).header["payloadHash"])


def test_the_same_test_run_twice_has_the_same_payload_hash(tmp_path: Path, writer: str) -> None:
    recording = Recording(enabled=True, directory=str(tmp_path))
    runs = [api.test([str(TESTDATA / "hello-koreo")], recording=recording) for _ in range(2)]
    first, second = (run.snapshot for run in runs)
    assert first != second  # two snapshots (seq 1 and 2)...
    assert _payload_hash(first) == _payload_hash(second)  # ...of one payload
    assert store.verify(tmp_path).ok


def test_the_same_render_run_twice_has_the_same_payload_hash(tmp_path: Path, writer: str) -> None:
    recording = Recording(enabled=True, directory=str(tmp_path))
    project = TESTDATA / "hello-workload"
    runs = [
        api.render([str(project)], observe=str(project / "observe.yaml"), recording=recording)
        for _ in range(2)
    ]
    first, second = (run.snapshot for run in runs)
    assert first != second
    assert _payload_hash(first) == _payload_hash(second)
    assert store.verify(tmp_path).ok


RECORD_BOTH = """\
import sys
from koreoctl import api
from koreoctl.snapshots.recording import Recording

data, directory = sys.argv[1], sys.argv[2]
recording = Recording(enabled=True, directory=directory)
api.test([data + "/hello-koreo"], recording=recording)
project = data + "/hello-workload"
api.render([project], observe=project + "/observe.yaml", recording=recording)
"""


def test_payload_hashes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Two interpreters with different hash seeds (set and dict iteration orders) record
    the same payloads."""
    hashes = []
    for seed in ("1", "2"):
        directory = tmp_path / seed
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        env[store.WRITER_ENV] = f"seed-{seed}"
        subprocess.run(
            [sys.executable, "-c", RECORD_BOTH, str(TESTDATA), str(directory)],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        found = store.scan(directory)
        assert [info.command for info in found.snapshots] == ["test", "render"]
        hashes.append([info.header["payloadHash"] for info in found.snapshots])
    assert hashes[0] == hashes[1]


# --- merging stores from two machines ------------------------------------------------------

# (writer, created) of each snapshot, in the order each machine wrote them; the times
# interleave and two of them are equal across the machines (then writer, then seq decide).
MACHINE_A = [
    ("ci-a", "2026-03-01T10:00:00.000000Z"),
    ("ci-a", "2026-03-01T10:00:02.000000Z"),
    ("ci-a", "2026-03-01T10:00:02.000000Z"),
    ("ci-a", "2026-03-01T10:00:05.000000Z"),
]
MACHINE_B = [
    ("ci-b", "2026-03-01T09:59:59.000000Z"),
    ("ci-b", "2026-03-01T10:00:02.000000Z"),
    ("ci-b", "2026-03-01T10:00:03.000000Z"),
    ("ci-b", "2026-03-01T10:00:05.000000Z"),
]


def _machine(root: Path, runs: list[tuple[str, str]]) -> list[store.SnapshotInfo]:
    return [
        store.write(root, writer, {"created": created, "command": "test", "target": {}}, {"n": n})
        for n, (writer, created) in enumerate(runs)
    ]


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Path, Path, list[tuple[str, str, int]]]:
    a, b = tmp_path / "machine-a", tmp_path / "machine-b"
    written = _machine(a, MACHINE_A) + _machine(b, MACHINE_B)
    expected = sorted((info.created, info.writer, info.seq) for info in written)
    return a, b, expected


def _order(root: Path) -> list[tuple[str, str, int]]:
    return [(info.created, info.writer, info.seq) for info in store.scan(root).snapshots]


def test_stores_copied_together_list_in_one_order_whatever_the_copy_order(
    tmp_path: Path, machines: tuple[Path, Path, list[tuple[str, str, int]]]
) -> None:
    a, b, expected = machines
    orders = []
    for name, sources in (("ab", (a, b)), ("ba", (b, a)), ("aba", (a, b, a))):
        merged = tmp_path / f"merged-{name}"
        for source in sources:
            shutil.copytree(source, merged, dirs_exist_ok=True)
        assert store.verify(merged).ok
        orders.append(_order(merged))
        listing = api.snapshot_list(str(tmp_path), directory=str(merged))
        assert [(i.created, i.writer, i.seq) for i in listing.snapshots] == expected
    assert orders == [expected] * 3
    assert expected[0][1] == "ci-b"
    assert [writer for _, writer, _ in expected[2:5]] == ["ci-a", "ci-a", "ci-b"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_order_does_not_depend_on_how_the_file_system_lists_files(
    tmp_path: Path,
    machines: tuple[Path, Path, list[tuple[str, str, int]]],
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
) -> None:
    a, b, expected = machines
    merged = tmp_path / "merged"
    shutil.copytree(b, merged, dirs_exist_ok=True)
    shutil.copytree(a, merged, dirs_exist_ok=True)
    real_scandir = os.scandir
    chance = random.Random(seed)

    def shuffled(path: Any) -> list[os.DirEntry[str]]:
        with real_scandir(path) as entries:
            listed = list(entries)
        chance.shuffle(listed)
        return listed

    monkeypatch.setattr(os, "scandir", shuffled)
    assert _order(merged) == expected
