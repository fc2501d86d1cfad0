"""split_map: the same result as the serial computation, in order, over forked processes."""

from __future__ import annotations

import os
import sys

import pytest

from koreoctl.fn.parallel import process_count, split_map

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")


def _squares_and_pids(start: int, end: int) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in range(start, end)]


@linux_only
def test_a_large_computation_is_split_over_processes_and_joined_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOREOCTL_PROCESSES", "2")
    results = split_map(_squares_and_pids, 3000, minimum=1000)
    assert [square for square, _ in results] == [n * n for n in range(3000)]
    first, second = {pid for _, pid in results[:1500]}, {pid for _, pid in results[1500:]}
    assert first == {os.getpid()}  # this process did the first part
    assert len(second) == 1 and second != first  # a forked worker did the second


def test_a_small_computation_or_one_process_stays_here(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {pid for _, pid in split_map(_squares_and_pids, 999, minimum=1000)} == {os.getpid()}
    monkeypatch.setenv("KOREOCTL_PROCESSES", "1")
    assert process_count(10_000, 1000) == 1
    assert {pid for _, pid in split_map(_squares_and_pids, 3000)} == {os.getpid()}


@linux_only
def test_the_process_count_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOREOCTL_PROCESSES", "64")
    assert process_count(100_000, 1000) == 4  # at most four
    assert process_count(1500, 1000) == 3  # at least half the minimum per part
    monkeypatch.setenv("KOREOCTL_PROCESSES", "junk")
    assert 1 <= process_count(100_000, 1000) <= 4


def _fails_in_a_worker(start: int, end: int) -> list[int]:
    if start > 0:
        raise ValueError("a bug in the work")
    return list(range(start, end))


@linux_only
def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOREOCTL_PROCESSES", "2")
    with pytest.raises(ValueError, match="a bug in the work"):
        split_map(_fails_in_a_worker, 2000, minimum=1000)
