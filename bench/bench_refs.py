"""Benchmark child packages: loading a project with 10 locked references from a warm cache,
against the same files loaded from the project itself.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_refs.py [--refs 10] [--functions 20] [--repeats 5]

Each reference is its own git repository (made with the git command line in a temporary
folder, reached by a file:// url) holding ``--functions`` ValueFunctions with a FunctionTest
each, pinned by commit. ``koreoctl refs lock`` fetches them into a temporary cache and
exports each commit once; the timed loads (``api.load``) then find everything in the cache:
the overhead is reading refs/ and the lock, checking the cache, and loading from the
exports. The local project holds copies of the same files in ``in/``. Goal: the packages add
<= 0.3 s. Figures are medians of ``--repeats`` runs, with min and max (the machine is noisy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNCTION = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {{name: fn-{package}-{index}, namespace: bench}}
spec:
  locals:
    doubled: =inputs.n * 2
  return:
    value: =locals.doubled + {index}
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {{name: fn-{package}-{index}-test, namespace: bench}}
spec:
  functionRef: {{kind: ValueFunction, name: fn-{package}-{index}}}
  inputs: {{n: 2}}
  testCases:
    - expectReturn: {{value: {expected}}}
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=folder,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write_functions(folder: Path, package: int, functions: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(functions):
        text = FUNCTION.format(package=package, index=index, expected=4 + index)
        (folder / f"fn-{index}.koreo").write_text(text)


def build(base: Path, refs: int, functions: int) -> tuple[Path, Path]:
    """The project with references and the project with the same files inline."""
    with_refs = base / "with-refs"
    (with_refs / "refs").mkdir(parents=True)
    (with_refs / "in").mkdir()
    local = base / "local"
    for package in range(refs):
        repo = base / "repos" / f"pkg-{package}"
        write_functions(repo / "in", package, functions)
        write_functions(local / "in" / f"pkg-{package}", package, functions)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "functions")
        commit = git(repo, "rev-parse", "HEAD")
        (with_refs / "refs" / f"pkg-{package}.yaml").write_text(
            "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\n"
            f"metadata: {{name: pkg-{package}}}\n"
            f"spec:\n  url: {repo.as_uri()}\n  ref: {{commit: {commit}}}\n  type: all\n"
        )
    return with_refs, local


def timed(function: object, repeats: int) -> list[float]:
    assert callable(function)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def describe(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--refs", type=int, default=10)
    parser.add_argument("--functions", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="koreoctl-bench-refs-") as folder:
        base = Path(folder)
        os.environ["KOREOCTL_CACHE_DIR"] = str(base / "cache")
        from koreoctl import api

        with_refs, local = build(base, options.refs, options.functions)
        start = time.perf_counter()
        api.refs_lock(str(with_refs))
        cold = time.perf_counter() - start
        loaded = api.load([str(with_refs)])
        inline = api.load([str(local)])
        assert len(loaded.program.tests) == len(inline.program.tests), "not the same program"
        refs_times = timed(lambda: api.load([str(with_refs)], offline=True), options.repeats)
        local_times = timed(lambda: api.load([str(local)]), options.repeats)

    files = options.refs * options.functions
    overhead = statistics.median(refs_times) - statistics.median(local_times)
    print(f"refs: {options.refs} locked references, {files} files ({2 * files} resources)")
    print(f"  refs lock (cold cache: fetch + export) {cold:6.3f} s")
    print(f"  load with refs (warm cache, --offline) {describe(refs_times)}")
    print(f"  load, same files local                 {describe(local_times)}")
    print(f"  overhead of the references             {overhead:6.3f} s   goal <= 0.3 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
