"""Benchmark ``koreoctl test``: time per test case in-process, and cold wall time of the CLI.

Prints figures; asserts nothing (speed goals are checked by reading these numbers, never by
tests). Usage::

    python bench/bench_test.py [--repeats N] [--cold N] [CORPUS]

CORPUS defaults to ``$KOREOCTL_CORPUS`` or ``../shared/corpus`` (each sub-folder a project).

* per case: every folder is loaded once (YAML, model, link); then all its FunctionTests run
  ``--repeats`` times; each case's time is its share of a test's run. The median over all
  cases is reported, with the load time per folder shown separately.
* cold: ``koreoctl test`` as a new process on every corpus folder at once, ``--cold`` times;
  the median wall time is reported (Python start-up and imports included).
* start-up: the modules ``koreoctl --help`` imports; celpy, jsonschema, deepdiff and git
  must not be among them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from koreoctl import api
from koreoctl.functest import run_entry

HEAVY = ("celpy", "jsonschema", "deepdiff", "git", "lark")


def corpus_folders(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if (path / "expected.json").is_file())


def per_case_times(folders: list[Path], repeats: int) -> tuple[list[float], list[float]]:
    """(seconds per case over all repeats, seconds to load each folder)."""
    case_times: list[float] = []
    load_times: list[float] = []
    for folder in folders:
        started = time.perf_counter()
        loaded = api.load([str(folder)])
        load_times.append(time.perf_counter() - started)
        for _ in range(repeats):
            for entry in loaded.program.tests:
                started = time.perf_counter()
                result = run_entry(loaded.program, loaded.crds, entry)
                elapsed = time.perf_counter() - started
                ran = [c for c in result.cases if not (c.message or "").startswith("not run")]
                cases = max(len(ran), 1)
                case_times.extend([elapsed / cases] * cases)
    return case_times, load_times


def cold_times(folders: list[Path], runs: int) -> list[float]:
    command = [sys.executable, "-m", "koreoctl", "test", "-q", *map(str, folders)]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def startup_imports() -> list[str]:
    code = (
        "import sys; from koreoctl.cli.app import run; run(['--help']);"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    loaded = result.stderr.split()
    return [name for name in loaded if name.split(".")[0] in HEAVY]


def main() -> None:
    default = os.environ.get("KOREOCTL_CORPUS", str(Path(__file__).parents[2] / "shared/corpus"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=default)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cold", type=int, default=5)
    args = parser.parse_args()
    folders = corpus_folders(Path(args.corpus))
    cases, loads = per_case_times(folders, args.repeats)
    per_repeat = len(cases) // max(args.repeats, 1)
    print(f"corpus: {args.corpus} ({len(folders)} folders, {per_repeat} cases)")
    print(
        f"per case, in-process: median {statistics.median(cases) * 1000:.3f} ms, "
        f"mean {statistics.fmean(cases) * 1000:.3f} ms over {args.repeats} repeats"
    )
    print(
        f"load + link per folder: median {statistics.median(loads) * 1000:.1f} ms, "
        f"total {sum(loads) * 1000:.1f} ms"
    )
    colds = cold_times(folders, args.cold)
    print(
        f"cold `koreoctl test` on the whole corpus: median {statistics.median(colds):.3f} s "
        f"(min {min(colds):.3f}, max {max(colds):.3f}, {args.cold} runs)"
    )
    heavy = startup_imports()
    print(f"`koreoctl --help` heavy imports: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
