"""Benchmark ``koreoctl lint``: cold and warm wall time of the CLI, and how the cost grows.

Prints figures; asserts nothing (speed goals are checked by reading these numbers, never by
tests). Usage::

    python bench/bench_lint.py [--functions 1000] [--repeats 5] [--small 10] [--work DIR]

* target: a generated project (``bench/generate_project.py``) of ``--functions`` Functions,
  half as many FunctionTests and a twentieth as many Workflows. ``cold`` is a new
  ``koreoctl lint`` process with no cache (the folder deleted before each run); ``warm`` runs
  again with the cache a previous run left and nothing changed; ``one-changed`` edits one
  Function file between runs (what a pre-commit run on one changed file costs, checking the
  whole project); ``no-cache`` is ``--no-cache``. Goals: cold <= 2 s, warm <= 0.3 s.
* growth: cold time for projects of 1x, 10x and 100x ``--small`` Functions, with the time per
  file; linear growth keeps the per-file figure flat (start-up dominates the smallest one).

Every figure is the median of ``--repeats`` runs, with min and max: the machine is noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_project import generate  # noqa: E402


def lint(project: Path, *options: str) -> float:
    command = [sys.executable, "-m", "koreoctl", "lint", "-q", "--fail-on", "never", *options]
    started = time.perf_counter()
    result = subprocess.run([*command, str(project)], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"koreoctl lint failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def measure(repeats: int, prepare: Callable[[], None], run: Callable[[], float]) -> list[float]:
    times = []
    for _ in range(repeats):
        prepare()
        times.append(run())
    return times


def summary(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s  "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def files_in(project: Path) -> int:
    return sum(1 for _ in project.rglob("*.koreo")) + sum(1 for _ in project.rglob("*.yaml"))


def target_figures(project: Path, repeats: int) -> None:
    cache = project / ".koreoctl"

    def no_cache_folder() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    edited = project / "in" / "functions" / "config-1.koreo"
    original = edited.read_text()
    counter = iter(range(1_000_000))

    def edit_one_file() -> None:
        edited.write_text(f"{original}# edit {next(counter)}\n")

    print(f"project: {files_in(project)} files in {project}")
    print(f"  cold         {summary(measure(repeats, no_cache_folder, lambda: lint(project)))}")
    lint(project)
    print(f"  warm         {summary(measure(repeats, lambda: None, lambda: lint(project)))}")
    print(f"  one-changed  {summary(measure(repeats, edit_one_file, lambda: lint(project)))}")
    edited.write_text(original)
    no_cache = measure(repeats, lambda: None, lambda: lint(project, "--no-cache"))
    print(f"  no-cache     {summary(no_cache)}")


def growth_figures(work: Path, small: int, repeats: int) -> None:
    print(f"growth (cold, no cache), from {small} Functions:")
    base = None
    for factor in (1, 10, 100):
        project = work / f"growth-{factor}"
        generate(project, small * factor)
        files = files_in(project)
        times = measure(
            repeats,
            lambda p=project: shutil.rmtree(p / ".koreoctl", ignore_errors=True),
            lambda p=project: lint(p),
        )
        median = statistics.median(times)
        base = base or median
        print(
            f"  {factor:>3}x  {files:>5} files  {summary(times)}  "
            f"{1000 * median / files:6.2f} ms/file  {median / base:5.1f}x the 1x time"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None, help="keep the projects here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="koreoctl-bench-"))
    try:
        project = work / "target"
        generate(project, args.functions)
        target_figures(project, args.repeats)
        growth_figures(work, args.small, args.repeats)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
