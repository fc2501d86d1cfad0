"""What the CLI tests share: running koreoctl in-process and comparing with golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from koreoctl.cli.app import run

REPOSITORY = Path(__file__).resolve().parents[2]
GOLDEN = REPOSITORY / "tests" / "golden"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``koreoctl ARGS...``."""
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME (KOREOCTL_UPDATE_GOLDEN=1 rewrites it; review the diff)."""
    path = GOLDEN / name
    if os.environ.get("KOREOCTL_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
