"""Benchmark ``koreoctl test -j 2`` against ``-j 1`` over the whole corpus, 20 times each.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_test_jobs.py [--repeats 20] [--corpus ../shared/corpus]

Each repeat runs ``python -m koreoctl test <every corpus project>`` once with ``-j 1`` and once
with ``-j 2`` (alternating, so machine noise falls on both), and checks the two print the
same report. It also times, in-process, how a run divides between loading the projects
(serial in both) and running the tests (what ``-j`` splits). Goal: ``-j 2`` at least 1.6x
faster than ``-j 1`` on a 2-core machine. Figures are medians, with min and max.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def run(projects: list[str], jobs: int) -> tuple[float, bytes]:
    command = [sys.executable, "-m", "koreoctl", "test", *projects, "-j", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, cwd=REPOSITORY)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"koreoctl failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return elapsed, done.stdout


def split(projects: list[str]) -> tuple[float, float]:
    from koreoctl import api

    started = time.perf_counter()
    loaded = api.load(projects)
    loading = time.perf_counter() - started
    started = time.perf_counter()
    api._test(loaded, projects, api._Selection())
    return loading, time.perf_counter() - started


def figure(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--corpus", default=str(REPOSITORY.parent / "shared" / "corpus"))
    options = parser.parse_args()
    projects = sorted(str(p) for p in Path(options.corpus).iterdir() if p.is_dir())
    serial, parallel = [], []
    for _ in range(options.repeats):
        one, out_one = run(projects, 1)
        two, out_two = run(projects, 2)
        if out_one != out_two:
            sys.exit("-j 2 printed a different report from -j 1")
        serial.append(one)
        parallel.append(two)
    loading, testing = split(projects)
    print(f"corpus: {len(projects)} projects; {options.repeats} runs each, reports identical")
    print(f"-j 1: {figure(serial)}")
    print(f"-j 2: {figure(parallel)}")
    ratio = statistics.median(serial) / statistics.median(parallel)
    print(f"speed-up (median ratio): {ratio:.2f}x; goal >= 1.6x")
    print(f"in-process, serial: loading {loading:.2f} s, running the tests {testing:.2f} s")


if __name__ == "__main__":
    main()
