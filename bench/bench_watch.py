"""Benchmark ``koreoctl test --watch`` over the whole corpus: how long a one-file change takes
to show its new report.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_watch.py [--repeats 20] [--corpus ../shared/corpus]

Two measures, on a copy of the corpus (every project in one run, as ``koreoctl test
corpus/*``), each edit alternating between a function file and a test file:

- end to end: a real ``koreoctl test --watch`` process; the time from writing the file to
  the end of the next run's output (the "watching ..." line): polling, settling, loading,
  running and printing. Goal: under 0.3 s.
- in-process, the parts of one re-run: the scan that sees the change, and the run itself
  with and without the session's memory (parses kept, only affected tests run).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

EDITS = (  # (file below the corpus copy, text, its edited form): a function, then a test
    (
        "docs-quick-start/block05.yaml",
        "message: Deployment does not have service label",
        "message: Deployment has no service label",
    ),
    ("docs-quick-start/block06.yaml", "label: happy path", "label: the happy path"),
)


def figure(times: list[float]) -> str:
    median, low, high = (
        round(value * 1000) for value in (statistics.median(times), *minmax(times))
    )
    return f"median {median} ms (min {low}, max {high})"


def minmax(times: list[float]) -> tuple[float, float]:
    return min(times), max(times)


def edit(root: Path, number: int) -> Path:
    """Change one resource of one file (back and forth): a real edit of its data, saved as
    most editors save (a new file renamed over the old: never seen half written)."""
    name, old, new = EDITS[number % len(EDITS)]
    path = root / name
    text = path.read_text()
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text.replace(new, old) if new in text else text.replace(old, new))
    temporary.replace(path)
    return path


def end_to_end(root: Path, projects: list[str], repeats: int) -> list[float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "koreoctl", "test", *projects, "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    )
    assert process.stdout is not None

    def next_run() -> str:
        """The next run's header line, once the run has printed everything."""
        assert process.stdout is not None
        header = ""
        for line in process.stdout:
            header = line if "· run " in line else header
            if "Ctrl-C to stop" in line:
                return header
        sys.exit("koreoctl --watch ended")

    times = []
    try:
        next_run()
        for number in range(repeats):
            time.sleep(0.3)  # idle between edits, as between saves
            started = time.perf_counter()
            edited = edit(root, number)
            header = next_run()
            times.append(time.perf_counter() - started)
            if f"run {number + 2} · changed: {edited}" not in header:
                sys.exit(f"edit {number + 1} gave an unexpected run: {header.strip()}")
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()
    return times


def in_process(root: Path, projects: list[str], repeats: int) -> dict[str, list[float]]:
    from koreoctl import api
    from koreoctl.cli import watch
    from koreoctl.cli.reporters import TextTestReporter, make_console

    memo = api.LoadMemo()
    previous = api.test(projects, memo=memo)
    stamps = watch.scan(projects, memo.parsed_files())
    times: dict[str, list[float]] = {"scan": [], "re-run": [], "full run, memo": [], "cold": []}
    for number in range(repeats):
        edit(root, number)
        started = time.perf_counter()
        now = watch.scan(projects, memo.parsed_files())
        change = watch.changed(stamps, now)
        times["scan"].append(time.perf_counter() - started)
        assert change is not None and len(change.files) == 1
        stamps = now
        started = time.perf_counter()
        report = api.test(projects, memo=memo, rerun=api.Rerun(previous, change.files))
        TextTestReporter(make_console(io.StringIO())).report(report)
        times["re-run"].append(time.perf_counter() - started)
        previous = report
        started = time.perf_counter()
        api.test(projects, memo=memo)
        times["full run, memo"].append(time.perf_counter() - started)
        started = time.perf_counter()
        api.test(projects)
        times["cold"].append(time.perf_counter() - started)
    ran = len(previous.tests) - previous.reused
    print(f"in-process: the last re-run ran {ran} of {len(previous.tests)} tests")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--corpus", default=str(REPOSITORY.parent / "shared" / "corpus"))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        shutil.copytree(options.corpus, root)
        projects = sorted(
            str(p) for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )
        files = sum(1 for _ in root.rglob("*.y*ml")) + sum(1 for _ in root.rglob("*.koreo"))
        print(f"corpus copy: {len(projects)} projects, {files} YAML files; {options.repeats} edits")
        latency = end_to_end(root, projects, options.repeats)
        print(f"end to end, edit -> new report printed: {figure(latency)}; goal < 300 ms")
        for name, times in in_process(root, projects, options.repeats).items():
            print(f"in-process {name}: {figure(times)}")


if __name__ == "__main__":
    main()
