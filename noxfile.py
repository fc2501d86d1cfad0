"""Developer sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.default_venv_backend = "venv"

PYTHON = ["3.11"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole test suite (conformance corpus included)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint + format check), mypy (strict) and the import-layer contract."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: print test, lint, render, diff, snapshot and refs figures (never asserted)."""
    session.install("-e", ".")
    session.run("python", "bench/bench_test.py", *session.posargs)
    session.run("python", "bench/bench_lint.py")
    session.run("python", "bench/bench_render.py")
    session.run("python", "bench/bench_diff.py")
    session.run("python", "bench/bench_snapshots.py")
    session.run("python", "bench/bench_refs.py")
