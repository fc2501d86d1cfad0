"""Benchmark the snapshot store: ``snapshot list`` over 10,000 snapshots, and write speed.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_snapshots.py [--snapshots 10000] [--writers 4] [--payload-kb 20]
                                    [--repeats 5] [--profile] [--store DIR]

The store (in a temporary folder, or ``--store DIR`` to keep it and reuse it on the next
run) holds ``--snapshots`` test snapshots spread over ``--writers`` writers (CI shards),
each with the header ``koreoctl test --snapshot`` records and a payload that is the real
test report of ``testdata/hello-workload`` (its ``koreoctl test -f json`` data), its
tests repeated one at a time until the payload is about ``--payload-kb`` KB, with the run
number in every test so that no two payloads are alike. The snapshots are written with
``store.write`` (lock, next seq, temporary file, fsync, link, folder fsync), timed in
blocks to show how write speed changes as a writer's folder fills.

Then ``api.snapshot_list(directory=...)`` (what ``koreoctl snapshot list`` calls) and
``store.scan`` are each timed ``--repeats`` times; figures are medians, with min and max.
Goal: ``snapshot list`` over 10,000 snapshots <= 1 s. With ``--profile`` (or when the goal
is missed), one ``store.scan`` is run under cProfile and its top functions are printed.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import itertools
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from koreoctl import api
from koreoctl.reports import test_report_data
from koreoctl.snapshots import store

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "testdata" / "hello-workload"
GOAL = 1.0  # seconds for snapshot list over 10,000 snapshots
BLOCK = 1000  # snapshots per timed block of writes


def real_payload(kilobytes: int) -> dict[str, Any]:
    """The test report of hello-workload, its tests repeated to about ``kilobytes`` KB."""
    report = test_report_data(api.test([str(PROJECT)]))
    tests = report["tests"]
    payload = copy.deepcopy(report)
    for test in itertools.cycle(tests):
        if len(store.canonical_json(payload)) >= kilobytes * 1024:
            break
        payload["tests"].append(copy.deepcopy(test))
    return payload


def header(run: int) -> dict[str, Any]:
    """The header a ``koreoctl test --snapshot`` of hello-workload records."""
    return {
        "command": "test",
        "argv": ["testdata/hello-workload", "--snapshot"],
        "target": {"paths": ["."], "pattern": None},
        "inputs": {f"in/file-{index}.koreo": f"{run:064x}" for index in range(5)},
        "koreoctl": "0.1.0",
        "git": {"commit": f"{run * 7919:040x}", "dirty": run % 3 == 0},
        "refs": [],
        "summary": {"tests": 3, "cases": 9, "passed": 9, "failed": 0, "skipped": 0},
    }


def varied(payload: dict[str, Any], run: int) -> dict[str, Any]:
    """``payload`` with the run number in each test, so that every snapshot differs."""
    return {
        **payload,
        "tests": [{**test, "name": f"{test['name']}-{run}"} for test in payload["tests"]],
    }


def fill(
    root: Path, first: int, count: int, writers: int, payload: dict[str, Any]
) -> list[tuple[int, float]]:
    """Write snapshots ``first`` .. ``count - 1`` round-robin over ``writers``; (snapshots,
    seconds) of each block of writes."""
    blocks: list[tuple[int, float]] = []
    started, done = time.perf_counter(), 0
    for run in range(first, count):
        store.write(root, f"ci-shard-{run % writers}", header(run), varied(payload, run))
        done += 1
        if done == BLOCK or run + 1 == count:
            now = time.perf_counter()
            blocks.append((done, now - started))
            started, done = now, 0
    return blocks


def timed(action: Any, repeats: int) -> tuple[list[float], Any]:
    times: list[float] = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return times, result


def profile(root: Path, top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    store.scan(root)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--snapshots", type=int, default=10_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--payload-kb", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--store", help="keep the store here (reused when it is full)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        root = Path(args.store) if args.store else Path(work) / "snapshots"
        payload = real_payload(args.payload_kb)
        size = len(store.canonical_json(payload))
        have = len(store.scan(root).snapshots) if root.exists() else 0
        blocks = fill(root, have, args.snapshots, args.writers, payload)
        list_times, listing = timed(
            lambda: api.snapshot_list(str(ROOT), directory=str(root)), args.repeats
        )
        scan_times, _ = timed(lambda: store.scan(root), args.repeats)
        print(
            f"snapshot store: {len(listing.snapshots)} snapshots, {args.writers} writers, "
            f"payload {size / 1024:.1f} KB (hello-workload test report), "
            f"problems={len(listing.problems)}"
        )
        if blocks:
            written = sum(done for done, _ in blocks)
            total = sum(seconds for _, seconds in blocks)
            (first, first_s), (last, last_s) = blocks[0], blocks[-1]
            print(
                f"  write         {written / total:7.0f} snapshots/s ({written} in {total:.1f} s)"
            )
            print(
                f"  write, first {first}: {first / first_s:.0f} snapshots/s; "
                f"last {last}: {last / last_s:.0f} snapshots/s"
            )
        print(f"  snapshot list {_figures(list_times)}   goal <= {GOAL:g} s")
        print(f"  store.scan    {_figures(scan_times)}")
        median = statistics.median(list_times)
        if median > GOAL:
            print(f"  goal missed by {median - GOAL:.3f} s ({median / GOAL:.1f}x the goal)")
        if args.profile or median > GOAL:
            print(profile(root))


def _figures(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


if __name__ == "__main__":
    sys.exit(main())
