"""``koreoctl test -j N`` and ``--shard I/N``: the serial report, and every test exactly once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from koreoctl.functest import identity_of_test, shard_of
from koreoctl.parallel import can_fork
from tests.cli.clitools import REPOSITORY, cli

CORPUS = REPOSITORY.parent / "shared" / "corpus"
PROJECTS = ["testdata/hello-koreo", "testdata/hello-workload", "tests/cases/bad-input"]


def _corpus_projects() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p) for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("."))[:6]


def _identities(report: dict[str, object]) -> list[str]:
    tests = report["tests"]
    assert isinstance(tests, list)
    kinds = {True: "WorkflowTest", False: "FunctionTest"}
    return [
        identity_of_test(kinds[t["function"]["kind"] == "Workflow"], t["namespace"], t["name"])
        for t in tests
    ]


@pytest.mark.skipif(not can_fork(), reason="-j forks only on Linux, single-threaded")
@pytest.mark.parametrize("text", [False, True])
def test_two_processes_give_the_serial_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: bool
) -> None:
    """Several folders: each is a program of its own, loaded and tested whole in one of the
    processes (2 projects, the bad-input folder and 6 corpus folders: 9 parts)."""
    paths = [*PROJECTS, *_corpus_projects()]
    form = [] if text else ["--format", "json"]
    serial = cli(capsys, "test", *paths, *form)
    forked = _spy_on_split_map(monkeypatch)
    parallel = cli(capsys, "test", *paths, *form, "-j", "2")
    assert forked == [3 + len(_corpus_projects())]  # one split, of the parts
    assert parallel == serial
    if not text:
        assert len(json.loads(serial[1])["tests"]) >= 8


@pytest.mark.skipif(not can_fork(), reason="-j forks only on Linux, single-threaded")
@pytest.mark.parametrize("text", [False, True])
def test_the_tests_of_one_project_split_over_two_processes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: bool
) -> None:
    form = [] if text else ["--format", "json"]
    serial = cli(capsys, "test", "testdata/hello-workload", *form)
    # the run is short: -j 2 would stay serial; make it fork every test but none
    monkeypatch.setattr("koreoctl.api.FORK_WORTH", 0.0)
    monkeypatch.setattr("koreoctl.api._SAMPLE", 0.0)
    forked = _spy_on_split_map(monkeypatch)
    parallel = cli(capsys, "test", "testdata/hello-workload", *form, "-j", "2")
    assert forked == [6]  # one split, of its 3 FunctionTests and 3 WorkflowTests
    assert parallel == serial


def _spy_on_split_map(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the count of every split koreoctl.parallel.split_map makes (and make it)."""
    from koreoctl import parallel

    counts: list[int] = []
    real = parallel.split_map

    def recording(work: Any, count: int, processes: int) -> Any:
        counts.append(count)
        return real(work, count, processes)

    monkeypatch.setattr(parallel, "split_map", recording)
    return counts


@pytest.mark.skipif(not can_fork(), reason="-j forks only on Linux, single-threaded")
def test_a_short_run_stays_serial(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """hello-koreo's two tests take milliseconds: forking would cost more than it saves."""
    forked = _spy_on_split_map(monkeypatch)
    code, out, _ = cli(capsys, "test", "testdata/hello-koreo", "-j", "2")
    assert (code, forked) == (0, [])
    assert out.endswith("9 passed, 0 failed\n")


@pytest.mark.parametrize("shards", [2, 3])
def test_shards_together_run_every_test_exactly_once(
    capsys: pytest.CaptureFixture[str], shards: int
) -> None:
    paths = [*PROJECTS, *_corpus_projects()]
    whole = json.loads(cli(capsys, "test", *paths, "--format", "json")[1])
    everything = _identities(whole)
    seen: list[str] = []
    for number in range(1, shards + 1):
        shard = f"{number}/{shards}"
        part = json.loads(cli(capsys, "test", *paths, "-f", "json", "--shard", shard)[1])
        seen += _identities(part)
        by_name = {(t["namespace"], t["name"]): t for t in whole["tests"]}
        for test in part["tests"]:  # each test's result is the one of the whole run
            assert test == by_name[(test["namespace"], test["name"])]
    assert sorted(seen) == sorted(everything)  # the same multiset: each test exactly once


def test_a_shard_is_a_hash_of_the_identity_alone() -> None:
    identity = "FunctionTest/hello-koreo/bucket-test"
    digest = hashlib.sha256(identity.encode()).digest()
    assert shard_of(identity, 7) == int.from_bytes(digest[:8], "big") % 7 + 1
    counts = [0, 0, 0]
    for number in range(300):
        counts[shard_of(f"FunctionTest/ns/test-{number}", 3) - 1] += 1
    assert all(60 <= count <= 140 for count in counts)  # roughly even


@pytest.mark.parametrize("shard", ["0/2", "3/2", "a/b", "1", "1/0"])
def test_a_bad_shard_is_a_usage_error(capsys: pytest.CaptureFixture[str], shard: str) -> None:
    code, _, err = cli(capsys, "test", "testdata/hello-koreo", "--shard", shard)
    assert code == 2 and "--shard" in err


def test_zero_jobs_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = cli(capsys, "test", "testdata/hello-koreo", "-j", "0")
    assert code == 2


def test_an_empty_shard_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    # hello-koreo has two tests; with 50 shards at least one shard holds neither.
    ids = ["FunctionTest/hello-koreo/bucket-config-test", "FunctionTest/hello-koreo/bucket-test"]
    empty = next(n for n in range(1, 51) if all(shard_of(i, 50) != n for i in ids))
    code, out, err = cli(capsys, "test", "testdata/hello-koreo", "--shard", f"{empty}/50")
    assert code == 0
    assert (
        f"no FunctionTests or WorkflowTests found in testdata/hello-koreo in shard {empty}/50"
        in (out + err)
    )
    assert "0 passed, 0 failed" in out
