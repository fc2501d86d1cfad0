"""split_map: the same result as the serial computation, in order, over forked processes."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from koreoctl.parallel import can_fork, process_count, split_map

forking = pytest.mark.skipif(not can_fork(), reason="forks only on Linux, single-threaded")


def _squares_and_pids(indexes: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in indexes]


@forking
def test_work_is_split_over_processes_and_put_back_in_order() -> None:
    results = split_map(_squares_and_pids, 3001, 2)
    assert [square for square, _ in results] == [n * n for n in range(3001)]
    mine, theirs = {pid for _, pid in results[0::2]}, {pid for _, pid in results[1::2]}
    assert mine == {os.getpid()}  # this process did the even indexes (strided)
    assert len(theirs) == 1 and theirs != mine  # one forked worker did the odd ones


@forking
def test_more_processes_than_items_and_no_items() -> None:
    assert [s for s, _ in split_map(_squares_and_pids, 3, 4)] == [0, 1, 4]
    assert split_map(_squares_and_pids, 0, 4) == []


def test_one_process_stays_here() -> None:
    assert {pid for _, pid in split_map(_squares_and_pids, 100, 1)} == {os.getpid()}


@forking
def test_koreoctls_own_choice_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert process_count(999, 1000) == 1  # too few items to be worth a fork
    monkeypatch.setenv("KOREOCTL_PROCESSES", "64")
    assert process_count(100_000, 1000) == 4  # at most four
    assert process_count(1500, 1000) == 3  # at least half the minimum per process
    monkeypatch.setenv("KOREOCTL_PROCESSES", "1")
    assert process_count(100_000, 1000) == 1
    monkeypatch.setenv("KOREOCTL_PROCESSES", "junk")
    assert 1 <= process_count(100_000, 1000) <= 4


def _fails_in_a_worker(indexes: Sequence[int]) -> list[int]:
    if 1 in indexes:
        raise ValueError("a bug in the work")
    return list(indexes)


@forking
def test_an_error_in_a_worker_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="a bug in the work"):
        split_map(_fails_in_a_worker, 10, 2)


@pytest.mark.skipif(not can_fork(), reason="forks only on Linux, single-threaded")
def test_the_collector_is_left_as_it_was() -> None:
    """Objects are frozen out of the collector's sight for the fork, and thawed after."""
    import gc

    assert gc.get_freeze_count() == 0
    assert split_map(lambda indexes: [i * 2 for i in indexes], 6, 2) == [0, 2, 4, 6, 8, 10]
    assert gc.get_freeze_count() == 0
