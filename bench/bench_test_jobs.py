"""Benchmark ``koreoctl test -j 2`` against ``-j 1`` over the whole corpus, 20 times each,
and over a test-heavy project.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_test_jobs.py [--repeats 20] [--corpus ../shared/corpus] [--copies 100]

Each repeat runs ``python -m koreoctl test <every corpus project>`` once with ``-j 1`` and once
with ``-j 2`` (alternating, so machine noise falls on both), and checks the two print the
same report. It also times, in-process, how a run divides between starting (imports, serial
in both) and loading and testing the projects (what ``-j`` splits when there are several:
each project loads and runs whole in one of the processes; in one project, only its tests
are split). Goal:
``-j 2`` at least 1.6x faster than ``-j 1`` on a 2-core machine. Figures are medians, with min
and max. Python may write its bytecode caches (as on a user's machine; this workplace sets
PYTHONDONTWRITEBYTECODE, which would make every run compile koreoctl from source), and a
first unmeasured run writes them.

The test-heavy project: ``--copies`` copies of testdata/hello-workload's three functions and
their FunctionTests, each copy in a namespace of its own (3 x copies FunctionTests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(projects: list[str], jobs: int) -> tuple[float, bytes]:
    command = [sys.executable, "-m", "koreoctl", "test", *projects, "-j", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, cwd=REPOSITORY, env=ENV)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"koreoctl failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return elapsed, done.stdout


def split(projects: list[str]) -> tuple[float, float]:
    """Seconds spent loading the projects (each alone, as `koreoctl test` does) and running
    their tests, in this process."""
    from koreoctl import api
    from koreoctl.project.layout import discover

    loading = testing = 0.0
    for part in discover(projects).parts():
        started = time.perf_counter()
        loaded = api._load_layout(part, False, None)
        loading += time.perf_counter() - started
        started = time.perf_counter()
        api._test(loaded, projects, api._Selection())
        testing += time.perf_counter() - started
    return loading, testing


def figure(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def compare(name: str, projects: list[str], repeats: int) -> None:
    run(projects, 1)  # writes the bytecode caches
    serial, parallel = [], []
    for _ in range(repeats):
        one, out_one = run(projects, 1)
        two, out_two = run(projects, 2)
        if out_one != out_two:
            sys.exit("-j 2 printed a different report from -j 1")
        serial.append(one)
        parallel.append(two)
    print(f"{name}: {repeats} runs each, reports identical")
    print(f"  -j 1: {figure(serial)}")
    print(f"  -j 2: {figure(parallel)}")
    ratio = statistics.median(serial) / statistics.median(parallel)
    print(f"  speed-up (median ratio): {ratio:.2f}x; goal >= 1.6x")


def startup() -> float:
    """Seconds to start Python and import what `koreoctl test` runs with."""
    code = "import koreoctl.cli.app, koreoctl.api, koreoctl.functest, koreoctl.workflowtest"
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPOSITORY, env=ENV)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def heavy_project(root: Path, copies: int) -> str:
    """``copies`` namespaced copies of hello-workload's functions and FunctionTests."""
    hello = REPOSITORY / "testdata" / "hello-workload"
    shutil.copytree(hello / "crds", root / "crds")
    for number in range(copies):
        folder = root / "in" / f"copy-{number:03}"
        folder.mkdir(parents=True)
        for name in ("workload-config", "workload-deployment", "workload-service"):
            text = (hello / "in" / f"{name}.koreo").read_text()
            namespaced = text.replace("namespace: hello-workload\n", f"namespace: hw-{number}\n")
            (folder / f"{name}.koreo").write_text(namespaced)
    return str(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--corpus", default=str(REPOSITORY.parent / "shared" / "corpus"))
    parser.add_argument("--copies", type=int, default=100)
    options = parser.parse_args()
    projects = sorted(
        str(p) for p in Path(options.corpus).iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    compare(f"corpus ({len(projects)} projects)", projects, options.repeats)
    loading, testing = split(projects)
    print(
        f"  where a corpus run goes: starting Python and importing {startup():.2f} s (serial), "
        f"loading {loading:.2f} s and running the tests {testing:.2f} s (split by -j, "
        "project by project)"
    )
    with tempfile.TemporaryDirectory() as folder:
        project = heavy_project(Path(folder) / "heavy", options.copies)
        compare(f"test-heavy project ({3 * options.copies} FunctionTests)", [project], 5)
        loading, testing = split([project])
        print(
            f"  in-process: loading {loading:.2f} s (serial: one project), running the tests "
            f"{testing:.2f} s (split by -j)"
        )


if __name__ == "__main__":
    main()
